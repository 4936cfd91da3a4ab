package sqlstore_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	_ "modernc.org/sqlite"             // database/sql driver "sqlite", pure Go

	"github.com/jwtauth-go/jwtauth/passwords"
	"github.com/jwtauth-go/jwtauth/sqlstore"
)

// postgresDSN names the variable holding the DSN of a PostgreSQL database
// the tests may create schemas in; .ci/run sets it (.ci/postgres.sh).
const postgresDSN = "JWTAUTH_TEST_POSTGRES_DSN"

// testPolicy is cheap, so that the tests hash quickly, race detector on.
var testPolicy = passwords.Policy{Algorithm: "pbkdf2_sha256", PBKDF2Iterations: 1000}

// djangoSchema is the DDL Django 3.2's migrate runs for auth_user and
// authtoken_token (read back from the databases it made).
var djangoSchema = map[string][]string{
	"sqlite": {
		`CREATE TABLE "auth_user" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "password" varchar(128) NOT NULL, "last_login" datetime NULL, "is_superuser" bool NOT NULL, "username" varchar(150) NOT NULL UNIQUE, "last_name" varchar(150) NOT NULL, "email" varchar(254) NOT NULL, "is_staff" bool NOT NULL, "is_active" bool NOT NULL, "date_joined" datetime NOT NULL, "first_name" varchar(150) NOT NULL)`,
		`CREATE TABLE "authtoken_token" ("key" varchar(40) NOT NULL PRIMARY KEY, "created" datetime NOT NULL, "user_id" integer NOT NULL UNIQUE REFERENCES "auth_user" ("id") DEFERRABLE INITIALLY DEFERRED)`,
	},
	"postgres": {
		`CREATE TABLE "auth_user" ("id" serial NOT NULL PRIMARY KEY, "password" varchar(128) NOT NULL, "last_login" timestamp with time zone NULL, "is_superuser" boolean NOT NULL, "username" varchar(150) NOT NULL UNIQUE, "first_name" varchar(150) NOT NULL, "last_name" varchar(150) NOT NULL, "email" varchar(254) NOT NULL, "is_staff" boolean NOT NULL, "is_active" boolean NOT NULL, "date_joined" timestamp with time zone NOT NULL)`,
		`CREATE INDEX "auth_user_username_6821ab7c_like" ON "auth_user" ("username" varchar_pattern_ops)`,
		`CREATE TABLE "authtoken_token" ("key" varchar(40) NOT NULL PRIMARY KEY, "created" timestamp with time zone NOT NULL, "user_id" integer NOT NULL UNIQUE REFERENCES "auth_user" ("id") DEFERRABLE INITIALLY DEFERRED)`,
		`CREATE INDEX "authtoken_token_key_10f0b77e_like" ON "authtoken_token" ("key" varchar_pattern_ops)`,
	},
}

// testDB is an empty database of one dialect, with Django's tables.
type testDB struct {
	dialect string
	db      *sql.DB
}

// dialects are the databases every SQL test runs on.
var dialects = []struct {
	name string
	open func(t *testing.T) *testDB
}{
	{"sqlite", openSQLite},
	{"postgres", openPostgres},
}

// forEachDB runs f on a fresh database of each dialect, as subtests named
// after the dialect.
func forEachDB(t *testing.T, f func(t *testing.T, db *testDB)) {
	t.Helper()
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			f(t, d.open(t))
		})
	}
}

// openSQLite returns a database in a file of t.TempDir(), with Django's
// tables.
func openSQLite(t *testing.T) *testDB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "db.sqlite3")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	d := &testDB{"sqlite", db}
	d.exec(t, djangoSchema["sqlite"]...)
	return d
}

// openPostgres returns a fresh schema, with Django's tables, of the
// database named by $JWTAUTH_TEST_POSTGRES_DSN; the schema is dropped
// after the test. Without the variable the test is skipped.
func openPostgres(t *testing.T) *testDB {
	t.Helper()
	dsn := os.Getenv(postgresDSN)
	if dsn == "" {
		t.Skip(postgresDSN + " is not set: no PostgreSQL to test against (.ci/postgres.sh start makes one)")
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "jwtauth_test_" + hex.EncodeToString(b)
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		_ = admin.Close()
		t.Fatalf("%s: %v", postgresDSN, err)
	}
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme == "" {
		t.Fatalf("%s: want a postgres:// URL", postgresDSN)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	db, err := sql.Open("pgx", u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = db.Close()
		if _, err := admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
		_ = admin.Close()
	})
	d := &testDB{"postgres", db}
	d.exec(t, djangoSchema["postgres"]...)
	return d
}

// rebind turns ? placeholders into $1, $2... for PostgreSQL.
func (d *testDB) rebind(query string) string {
	if d.dialect != "postgres" {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// exec runs statements without parameters.
func (d *testDB) exec(t testing.TB, statements ...string) {
	t.Helper()
	for _, s := range statements {
		if _, err := d.db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// execArgs runs one statement with ? placeholders.
func (d *testDB) execArgs(t testing.TB, query string, args ...any) {
	t.Helper()
	if _, err := d.db.Exec(d.rebind(query), args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// queryString reads one value of one row, as text.
func (d *testDB) queryString(t testing.TB, query string, args ...any) string {
	t.Helper()
	var v sql.NullString
	if err := d.db.QueryRow(d.rebind(query), args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return v.String
}

// addUser inserts a user into auth_user as Django's create_user does,
// with encoded as its password column, and returns its id.
func (d *testDB) addUser(t testing.TB, username, email string, active bool, encoded string) string {
	t.Helper()
	var id int64
	err := d.db.QueryRow(d.rebind(`INSERT INTO auth_user
		(password, last_login, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined)
		VALUES (?, NULL, ?, ?, '', '', ?, ?, ?, ?) RETURNING id`),
		encoded, false, username, email, false, active, "2024-01-02 03:04:05.000000").Scan(&id)
	if err != nil {
		t.Fatalf("insert user %q: %v", username, err)
	}
	return strconv.FormatInt(id, 10)
}

// addToken inserts a DRF token for the user of id.
func (d *testDB) addToken(t testing.TB, key, userID string) {
	t.Helper()
	uid, _ := strconv.ParseInt(userID, 10, 64)
	d.execArgs(t, `INSERT INTO authtoken_token (key, created, user_id) VALUES (?, ?, ?)`, key, "2024-01-02 03:04:05.000000", uid)
}

// hash returns password hashed with p; "" gives Django's unusable
// password ("!" and 40 random characters).
func hash(t testing.TB, p passwords.Policy, password string) string {
	t.Helper()
	if password == "" {
		b := make([]byte, 20)
		_, _ = rand.Read(b)
		return "!" + hex.EncodeToString(b)
	}
	h, err := p.Hash(password)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// newStore returns a store over d with s (Dialect filled in), closed after
// the test.
func newStore(t testing.TB, d *testDB, s sqlstore.Settings) *sqlstore.Store {
	t.Helper()
	s.Dialect = d.dialect
	if s.Passwords == (passwords.Policy{}) {
		s.Passwords = testPolicy
	}
	st, err := sqlstore.New(context.Background(), d.db, s)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return st
}

// logBuffer collects what a logger writes, safely for concurrent use.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
