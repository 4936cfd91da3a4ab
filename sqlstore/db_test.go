package sqlstore_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	_ "modernc.org/sqlite"             // database/sql driver "sqlite", pure Go

	"github.com/jwtauth-go/jwtauth/internal/djangotest"
	"github.com/jwtauth-go/jwtauth/passwords"
	"github.com/jwtauth-go/jwtauth/sqlstore"
)

// testPolicy is cheap, so that the tests hash quickly, race detector on.
var testPolicy = passwords.Policy{Algorithm: "pbkdf2_sha256", PBKDF2Iterations: 1000}

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
	d.exec(t, djangotest.Schema["sqlite"]...)
	return d
}

// openPostgres returns a fresh schema of the database named by
// $JWTAUTH_TEST_POSTGRES_DSN (djangotest.Postgres), with Django's tables.
// Without the variable the test is skipped.
func openPostgres(t *testing.T) *testDB {
	t.Helper()
	db, err := sql.Open("pgx", djangotest.Postgres(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() }) // before the schema is dropped
	d := &testDB{"postgres", db}
	d.exec(t, djangotest.Schema["postgres"]...)
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

// newStore returns a store over d with s (Dialect filled in, and the zero
// Passwords testPolicy unless DjangoVersion chooses it), closed after the
// test.
func newStore(t testing.TB, d *testDB, s sqlstore.Settings) *sqlstore.Store {
	t.Helper()
	s.Dialect = d.dialect
	if s.Passwords == (passwords.Policy{}) && s.DjangoVersion == "" {
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
