package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/jwtauth-go/jwtauth"
	"github.com/jwtauth-go/jwtauth/passwords"
	"github.com/jwtauth-go/jwtauth/sqlstore"
)

var testNow = time.Date(2026, 11, 23, 6, 7, 8, 123456000, time.UTC)

// lastLogin reads the last_login column of the user of id; zero for NULL.
func lastLogin(t *testing.T, d *testDB, table, column, idColumn, id string) time.Time {
	t.Helper()
	var v any
	if err := d.db.QueryRow(d.rebind(`SELECT "`+column+`" FROM "`+table+`" WHERE "`+idColumn+`" = ?`), id).Scan(&v); err != nil {
		t.Fatal(err)
	}
	switch x := v.(type) {
	case nil:
		return time.Time{}
	case time.Time:
		return x
	case string:
		// Django's text form in SQLite: naive UTC.
		tm, err := time.Parse("2006-01-02 15:04:05.999999", x)
		if err != nil {
			t.Fatalf("last_login %q: %v", x, err)
		}
		return tm
	}
	t.Fatalf("last_login of type %T", v)
	return time.Time{}
}

func TestLastLogin(t *testing.T) {
	forEachDB(t, func(t *testing.T, d *testDB) {
		aliceID := d.addUser(t, "alice", "alice@example.com", true, hash(t, testPolicy, "alice password"))
		inactiveID := d.addUser(t, "inactive", "", false, hash(t, testPolicy, "inactive password"))
		ctx := context.Background()
		read := func(id string) time.Time { return lastLogin(t, d, "auth_user", "last_login", "id", id) }

		// By default the store never writes.
		off := newStore(t, d, sqlstore.Settings{Now: func() time.Time { return testNow }})
		if _, err := off.Authenticate(ctx, "alice", "alice password"); err != nil {
			t.Fatal(err)
		}
		if got := read(aliceID); !got.IsZero() {
			t.Errorf("without UpdateLastLogin: last_login = %v, want NULL", got)
		}

		on := newStore(t, d, sqlstore.Settings{UpdateLastLogin: true, AllowInactive: true, Now: func() time.Time { return testNow }})
		if _, err := on.Authenticate(ctx, "alice", "wrong"); !errors.Is(err, jwtauth.ErrInvalidCredentials) {
			t.Fatalf("wrong password: %v", err)
		}
		if got := read(aliceID); !got.IsZero() {
			t.Errorf("after a wrong password: last_login = %v, want NULL", got)
		}
		if _, err := on.Authenticate(ctx, "alice", "alice password"); err != nil {
			t.Fatal(err)
		}
		if got := read(aliceID); !got.Equal(testNow) {
			t.Errorf("after a login: last_login = %v, want %v", got, testNow)
		}
		// An inactive user (AllowInactive) gets no token, so no login.
		if u, err := on.Authenticate(ctx, "inactive", "inactive password"); err != nil || u.IsActive {
			t.Fatalf("inactive with AllowInactive: %+v, %v", u, err)
		}
		if got := read(inactiveID); !got.IsZero() {
			t.Errorf("inactive user: last_login = %v, want NULL", got)
		}
	})
}

func TestUpgradeHashes(t *testing.T) {
	policy := passwords.Policy{Algorithm: "pbkdf2_sha256", PBKDF2Iterations: 1000}
	for _, tc := range []struct {
		name     string
		stored   passwords.Policy
		settings sqlstore.Settings
		password string // tried; the user's is "password"
		active   bool
		upgraded bool
	}{
		{"fewer iterations", passwords.Policy{Algorithm: "pbkdf2_sha256", PBKDF2Iterations: 500}, sqlstore.Settings{UpgradeHashes: true}, "password", true, true},
		{"pbkdf2_sha1", passwords.Policy{Algorithm: "pbkdf2_sha1", PBKDF2Iterations: 1000}, sqlstore.Settings{UpgradeHashes: true}, "password", true, true},
		{"bcrypt_sha256", passwords.Policy{Algorithm: "bcrypt_sha256", BcryptCost: 4}, sqlstore.Settings{UpgradeHashes: true}, "password", true, true},
		{"already the policy's", policy, sqlstore.Settings{UpgradeHashes: true}, "password", true, false},
		{"wrong password", passwords.Policy{Algorithm: "pbkdf2_sha256", PBKDF2Iterations: 500}, sqlstore.Settings{UpgradeHashes: true}, "wrong", true, false},
		{"UpgradeHashes off", passwords.Policy{Algorithm: "pbkdf2_sha256", PBKDF2Iterations: 500}, sqlstore.Settings{}, "password", true, false},
		{"inactive", passwords.Policy{Algorithm: "pbkdf2_sha256", PBKDF2Iterations: 500}, sqlstore.Settings{UpgradeHashes: true, AllowInactive: true}, "password", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			forEachDB(t, func(t *testing.T, d *testDB) {
				old := hash(t, tc.stored, "password")
				id := d.addUser(t, "user", "", tc.active, old)
				s := tc.settings
				s.Passwords = policy
				store := newStore(t, d, s)
				_, err := store.Authenticate(context.Background(), "user", tc.password)
				if (err == nil) != (tc.password == "password") {
					t.Fatalf("Authenticate: %v", err)
				}
				now := d.queryString(t, `SELECT password FROM auth_user WHERE id = ?`, id)
				if !tc.upgraded {
					if now != old {
						t.Errorf("the hash changed: %.30s... -> %.30s...", old, now)
					}
					return
				}
				if now == old || !strings.HasPrefix(now, "pbkdf2_sha256$1000$") {
					t.Errorf("hash after login = %.30s..., want a new pbkdf2_sha256$1000$ hash", now)
				}
				// The new hash logs in, and is not upgraded again.
				if _, err := store.Authenticate(context.Background(), "user", "password"); err != nil {
					t.Errorf("login with the upgraded hash: %v", err)
				}
				if again := d.queryString(t, `SELECT password FROM auth_user WHERE id = ?`, id); again != now {
					t.Errorf("the upgraded hash was upgraded again")
				}
			})
		})
	}
}

// customSchema is a custom AUTH_USER_MODEL, as Django would create it: a
// UUID primary key, login by email, other column names; and DRF's token
// table pointing at it.
var customSchema = map[string][]string{
	"sqlite": {
		`CREATE TABLE "accounts_user" ("uuid" char(32) NOT NULL PRIMARY KEY, "passwd" varchar(128) NOT NULL, "seen" datetime NULL, "mail" varchar(254) NOT NULL UNIQUE, "enabled" bool NOT NULL)`,
		`CREATE TABLE "accounts_token" ("key" varchar(40) NOT NULL PRIMARY KEY, "created" datetime NOT NULL, "user_id" char(32) NOT NULL UNIQUE REFERENCES "accounts_user" ("uuid") DEFERRABLE INITIALLY DEFERRED)`,
	},
	"postgres": {
		`CREATE TABLE "accounts_user" ("uuid" uuid NOT NULL PRIMARY KEY, "passwd" varchar(128) NOT NULL, "seen" timestamp with time zone NULL, "mail" varchar(254) NOT NULL UNIQUE, "enabled" boolean NOT NULL)`,
		`CREATE TABLE "accounts_token" ("key" varchar(40) NOT NULL PRIMARY KEY, "created" timestamp with time zone NOT NULL, "user_id" uuid NOT NULL UNIQUE REFERENCES "accounts_user" ("uuid") DEFERRABLE INITIALLY DEFERRED)`,
	},
}

func TestCustomUserTable(t *testing.T) {
	const (
		uuid    = "5b0e6a1c-9f3d-4c2e-8a71-0d2f6e4b9c13"
		hexUUID = "5b0e6a1c9f3d4c2e8a710d2f6e4b9c13" // Django's form in SQLite and MySQL
		key     = "0123456789abcdef0123456789abcdef01234567"
	)
	forEachDB(t, func(t *testing.T, d *testDB) {
		d.exec(t, customSchema[d.dialect]...)
		stored := uuid
		if d.dialect == "sqlite" {
			stored = hexUUID
		}
		d.execArgs(t, `INSERT INTO accounts_user (uuid, passwd, seen, mail, enabled) VALUES (?, ?, NULL, ?, ?)`,
			stored, hash(t, testPolicy, "mail password"), "ann@example.com", true)
		d.execArgs(t, `INSERT INTO accounts_token (key, created, user_id) VALUES (?, ?, ?)`, key, "2024-01-02 03:04:05", stored)
		store := newStore(t, d, sqlstore.Settings{
			Table: "accounts_user", IDColumn: "uuid", UsernameColumn: "mail", PasswordColumn: "passwd",
			EmailColumn: "mail", IsActiveColumn: "enabled", LastLoginColumn: "seen", TokenTable: "accounts_token",
			UpdateLastLogin: true, Now: func() time.Time { return testNow },
		})
		ctx := context.Background()
		// The UUID in the text form DRF-JWT writes to user_id, whatever
		// the database's own.
		want := jwtauth.User{ID: uuid, Username: "ann@example.com", Email: "ann@example.com", IsActive: true}
		if u, err := store.UserByUsername(ctx, "ann@example.com"); err != nil || hashless(u) != want {
			t.Errorf("UserByUsername = %+v, %v; want %+v", u, err, want)
		}
		if u, err := store.Authenticate(ctx, "ann@example.com", "mail password"); err != nil || hashless(u) != want {
			t.Errorf("Authenticate = %+v, %v; want %+v", u, err, want)
		}
		if _, err := store.Authenticate(ctx, "ann@example.com", "wrong"); !errors.Is(err, jwtauth.ErrInvalidCredentials) {
			t.Errorf("Authenticate with a wrong password: %v", err)
		}
		if got := lastLogin(t, d, "accounts_user", "seen", "uuid", stored); !got.Equal(testNow) {
			t.Errorf("seen = %v, want %v", got, testNow)
		}
		token, err := store.TokenAuthentication(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if u, err := token.Authenticate(tokenRequest("Token " + key)); err != nil || hashless(u) != want {
			t.Errorf("token: %+v, %v; want %+v", u, err, want)
		}
	})
}

// TestUsernameNotUnique: logging in by auth_user.email, which Django does
// not make unique, must not pick one of two accounts.
func TestUsernameNotUnique(t *testing.T) {
	forEachDB(t, func(t *testing.T, d *testDB) {
		d.addUser(t, "one", "shared@example.com", true, hash(t, testPolicy, "one password"))
		d.addUser(t, "two", "shared@example.com", true, hash(t, testPolicy, "two password"))
		d.addUser(t, "three", "three@example.com", true, hash(t, testPolicy, "three password"))
		store := newStore(t, d, sqlstore.Settings{UsernameColumn: "email"})
		ctx := context.Background()
		if u, err := store.Authenticate(ctx, "three@example.com", "three password"); err != nil || u.Username != "three@example.com" {
			t.Errorf("unique email: %+v, %v", u, err)
		}
		for _, pw := range []string{"one password", "two password", "wrong"} {
			if u, err := store.Authenticate(ctx, "shared@example.com", pw); err == nil || isCredentialsAnswer(err) {
				t.Errorf("shared email: %+v, %v; want a failure of the store", u, err)
			}
		}
		if u, err := store.UserByUsername(ctx, "shared@example.com"); err == nil || isCredentialsAnswer(err) {
			t.Errorf("UserByUsername(shared email): %+v, %v; want a failure of the store", u, err)
		}
	})
}

func TestDatabaseFailure(t *testing.T) {
	forEachDB(t, func(t *testing.T, d *testDB) {
		d.addUser(t, "alice", "", true, hash(t, testPolicy, "alice password"))
		store := newStore(t, d, sqlstore.Settings{})
		ctx := context.Background()
		if _, err := store.Authenticate(ctx, "alice", "alice password"); err != nil {
			t.Fatal(err)
		}
		if err := d.db.Close(); err != nil {
			t.Fatal(err)
		}
		for name, call := range map[string]func() error{
			"Authenticate":         func() error { _, err := store.Authenticate(ctx, "alice", "alice password"); return err },
			"Authenticate unknown": func() error { _, err := store.Authenticate(ctx, "ghost", "x"); return err },
			"UserByUsername":       func() error { _, err := store.UserByUsername(ctx, "alice"); return err },
			"UserByID":             func() error { _, err := store.UserByID(ctx, "1"); return err },
			"UserByID unknown":     func() error { _, err := store.UserByID(ctx, "999"); return err },
		} {
			err := call()
			if err == nil || isCredentialsAnswer(err) || !errors.Is(err, sql.ErrConnDone) && !strings.Contains(err.Error(), "closed") {
				t.Errorf("%s on a closed database: %v; want the database's error", name, err)
			}
			if err != nil && strings.Contains(err.Error(), "alice password") {
				t.Errorf("%s: the error shows the password: %v", name, err)
			}
		}
	})
}

func TestNewErrors(t *testing.T) {
	forEachDB(t, func(t *testing.T, d *testDB) {
		ctx := context.Background()
		for _, tc := range []struct {
			name string
			s    sqlstore.Settings
			want string // in the error
		}{
			{"no dialect", sqlstore.Settings{Dialect: "-"}, `Dialect ""`},
			{"unknown dialect", sqlstore.Settings{Dialect: "oracle"}, `Dialect "oracle"`},
			{"SQL in a table name", sqlstore.Settings{Table: `auth_user"; DROP TABLE auth_user; --`}, "Table"},
			{"quote in a column name", sqlstore.Settings{UsernameColumn: `user"name`}, "UsernameColumn"},
			{"backtick", sqlstore.Settings{EmailColumn: "e`mail"}, "EmailColumn"},
			{"leading digit", sqlstore.Settings{IDColumn: "1id"}, "IDColumn"},
			{"dot", sqlstore.Settings{Table: "public.auth_user"}, "Table"},
			{"space", sqlstore.Settings{PasswordColumn: "pass word"}, "PasswordColumn"},
			{"non-ASCII", sqlstore.Settings{IsActiveColumn: "aktiv_ä"}, "IsActiveColumn"},
			{"too long", sqlstore.Settings{LastLoginColumn: strings.Repeat("x", 64)}, "LastLoginColumn"},
			{"bad token table", sqlstore.Settings{TokenTable: "authtoken-token"}, "TokenTable"},
			{"no such table", sqlstore.Settings{Table: "no_such_table"}, "prepare user lookup"},
			// SQLite reads an unknown "name" as a string: every column is
			// qualified, so that each of these is an error all the same.
			{"no username column", sqlstore.Settings{UsernameColumn: "no_such_column"}, "prepare user lookup"},
			{"no id column", sqlstore.Settings{IDColumn: "no_such_column"}, "prepare user lookup"},
			{"no password column", sqlstore.Settings{PasswordColumn: "no_such_column"}, "prepare user lookup"},
			{"no email column", sqlstore.Settings{EmailColumn: "no_such_column"}, "prepare user lookup"},
			{"no is_active column", sqlstore.Settings{IsActiveColumn: "no_such_column"}, "prepare user lookup"},
			{"no last_login column", sqlstore.Settings{UpdateLastLogin: true, LastLoginColumn: "no_such_column"}, "prepare last_login update"},
			{"unknown algorithm", sqlstore.Settings{Passwords: passwords.Policy{Algorithm: "md5"}}, "Passwords"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				s := tc.s
				switch s.Dialect {
				case "":
					s.Dialect = d.dialect
				case "-":
					s.Dialect = ""
				}
				st, err := sqlstore.New(ctx, d.db, s)
				if err == nil {
					_ = st.Close()
					t.Fatalf("New succeeded, want an error mentioning %q", tc.want)
				}
				if !strings.Contains(err.Error(), tc.want) {
					t.Errorf("New: %v; want an error mentioning %q", err, tc.want)
				}
			})
		}
		if _, err := sqlstore.New(ctx, nil, sqlstore.Settings{Dialect: d.dialect}); err == nil {
			t.Error("New with a nil *sql.DB succeeded")
		}
		store := newStore(t, d, sqlstore.Settings{TokenTable: "no_such_table"})
		if _, err := store.TokenAuthentication(ctx); err == nil || !strings.Contains(err.Error(), "prepare token lookup") {
			t.Errorf("TokenAuthentication without its table: %v", err)
		}
	})
}

func TestClose(t *testing.T) {
	forEachDB(t, func(t *testing.T, d *testDB) {
		d.addUser(t, "alice", "", true, hash(t, testPolicy, "alice password"))
		ctx := context.Background()
		store, err := sqlstore.New(ctx, d.db, sqlstore.Settings{Dialect: d.dialect, Passwords: testPolicy, UpdateLastLogin: true, UpgradeHashes: true})
		if err != nil {
			t.Fatal(err)
		}
		token, err := store.TokenAuthentication(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := store.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if err := store.Close(); err != nil {
			t.Fatalf("second Close: %v", err)
		}
		if _, err := store.Authenticate(ctx, "alice", "alice password"); err == nil || isCredentialsAnswer(err) {
			t.Errorf("Authenticate after Close: %v; want a failure of the store", err)
		}
		if _, err := token.Authenticate(tokenRequest("Token abc")); err == nil || errors.As(err, new(*jwtauth.Error)) {
			t.Errorf("token after Close: %v; want a failure of the store", err)
		}
		if _, err := store.TokenAuthentication(ctx); err == nil {
			t.Error("TokenAuthentication after Close succeeded")
		}
		// The database is the caller's: still open.
		if err := d.db.PingContext(ctx); err != nil {
			t.Errorf("the *sql.DB after Close: %v", err)
		}
	})
}

// TestFailedLoginsCostAPolicyHash: through the store, over each database,
// every failed login costs at least one hash of the store's policy,
// whatever the stored hash and whichever the failure: an unknown user, a
// wrong password against another algorithm, a cheaper hash, an unusable or
// malformed one, and an inactive user with the right password or a wrong
// one. Hashes are counted by the 16 MiB the policy's Argon2 allocates each
// time, so the test and its subtests do not run in parallel; the control,
// a success against a cheaper hash, must count none.
func TestFailedLoginsCostAPolicyHash(t *testing.T) {
	policy := passwords.Policy{Algorithm: "argon2", Argon2Time: 1, Argon2MemoryKiB: 16 << 10, Argon2Threads: 1}
	for _, dialect := range dialects {
		t.Run(dialect.name, func(t *testing.T) { failedLoginsCost(t, dialect.open(t), policy) })
	}
}

func failedLoginsCost(t *testing.T, d *testDB, policy passwords.Policy) {
	const mib = 16 // policy's Argon2 memory
	cheap := passwords.Policy{Algorithm: "pbkdf2_sha256", PBKDF2Iterations: 1000}
	stored := map[string]string{
		"pbkdf2_sha1":    hash(t, passwords.Policy{Algorithm: "pbkdf2_sha1", PBKDF2Iterations: 1000}, "right"),
		"bcrypt_sha256":  hash(t, passwords.Policy{Algorithm: "bcrypt_sha256", BcryptCost: 4}, "right"),
		"cheaper argon2": hash(t, passwords.Policy{Algorithm: "argon2", Argon2Time: 1, Argon2MemoryKiB: 64, Argon2Threads: 1}, "right"),
		"pbkdf2_sha256":  hash(t, cheap, "right"),
		"unusable":       hash(t, cheap, ""),
		"malformed":      "pbkdf2_sha256$x$y",
	}
	for name, encoded := range stored {
		d.addUser(t, name, "", true, encoded)
	}
	d.addUser(t, "inactive", "", false, hash(t, cheap, "right"))
	store := newStore(t, d, sqlstore.Settings{Passwords: policy})
	hashes := func(username, password string) (uint64, error) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := store.Authenticate(context.Background(), username, password)
		runtime.ReadMemStats(&after)
		return (after.TotalAlloc - before.TotalAlloc) / (mib << 20), err
	}
	type attempt struct{ username, password string }
	failures := []attempt{{"nobody", "right"}, {"inactive", "right"}, {"inactive", "wrong"}}
	for name := range stored {
		failures = append(failures, attempt{name, "wrong"})
	}
	for _, a := range failures {
		n, err := hashes(a.username, a.password)
		if !errors.Is(err, jwtauth.ErrInvalidCredentials) || n < 1 {
			t.Errorf("%s with password %q: %v after %d hashes of the policy, want ErrInvalidCredentials after at least one", a.username, a.password, err, n)
		}
	}
	if n, err := hashes("pbkdf2_sha256", "right"); err != nil || n != 0 {
		t.Errorf("the control, a success against a cheaper hash: %v after %d policy hashes, want none (the count is off)", err, n)
	}
}
