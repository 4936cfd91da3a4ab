package demotest

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jwtauth-go/jwtauth"
	"github.com/jwtauth-go/jwtauth/internal/djangotest"
	"github.com/jwtauth-go/jwtauth/sqlstore"
)

// DB is what an example's openDB opened.
type DB struct {
	Store *sqlstore.Store
	SQL   *sql.DB
	// Users is every user, by id; nil when the example keeps no list.
	Users []jwtauth.User
	// Tokens is DRF's Token authentication; nil without authtoken_token or
	// when the example has none.
	Tokens jwtauth.Authenticator
	Close  func() error
}

// OpenDB is an example's openDB.
type OpenDB func(ctx context.Context, dsn, usernameField string, warn io.Writer) (*DB, error)

// TestOpenDB checks an example's -db: refused DSNs (never showing a
// password, never creating a file), a database Django made under a file
// name that needs escaping in a SQLite URI, opened read-only, its users
// and, when the example has Token authentication (tokens), DRF's tokens;
// the username field; a project without rest_framework.authtoken (its
// users served, Token authentication off with one warning line); and
// PostgreSQL.
func TestOpenDB(t *testing.T, open OpenDB, tokens bool) {
	ctx := context.Background()
	wantTokens := func(t *testing.T, d *DB, warn string, want bool) {
		t.Helper()
		if (d.Tokens != nil) != want {
			t.Errorf("Token authentication: %v, want it %t", d.Tokens, want)
		}
		switch {
		case want || !tokens:
			if warn != "" {
				t.Errorf("unexpected warning %q", warn)
			}
		case strings.Count(warn, "\n") != 1 || !strings.Contains(warn, "Token authentication is off"):
			t.Errorf("warning %q; want one line saying Token authentication is off", warn)
		}
	}

	t.Run("errors", func(t *testing.T) {
		t.Parallel()
		missing := filepath.Join(t.TempDir(), "missing.sqlite3")
		empty := filepath.Join(t.TempDir(), "empty.sqlite3")
		if err := os.WriteFile(empty, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name, dsn string
			want      string // in the error
		}{
			{"unknown scheme", "mysql://user@host/db", "want sqlite:PATH or postgres://"},
			{"a bare path", "db.sqlite3", "want sqlite:PATH or postgres://"},
			{"no path", "sqlite:", "no PATH"},
			{"missing file", "sqlite:" + missing, "sqlite:" + missing},
			{"not a Django database", "sqlite:" + empty, "auth_user"},
			// Port 1 on loopback: nothing listens, the connection is refused.
			{"no server", "postgres://someone:hunter2@127.0.0.1:1/django?connect_timeout=5", "-db postgres"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				d, err := open(ctx, tc.dsn, "", io.Discard)
				if err == nil {
					_ = d.Close()
					t.Fatalf("openDB(%q) succeeded", tc.dsn)
				}
				if !strings.Contains(err.Error(), tc.want) {
					t.Errorf("openDB(%q): %v; want an error mentioning %q", tc.dsn, err, tc.want)
				}
				if strings.Contains(err.Error(), "hunter2") {
					t.Errorf("the error shows the DSN's password: %v", err)
				}
			})
		}
		t.Cleanup(func() {
			if _, err := os.Stat(missing); !os.IsNotExist(err) {
				t.Errorf("openDB created %s: %v", missing, err)
			}
		})
	})

	t.Run("Django", func(t *testing.T) {
		t.Parallel()
		dj := djangotest.New(t)
		path := filepath.Join(filepath.Dir(dj.Path), "we?ird #name%20.sqlite3")
		if err := os.Rename(dj.Path, path); err != nil {
			t.Fatal(err)
		}
		var warn bytes.Buffer
		d, err := open(ctx, "sqlite:"+path, "", &warn)
		if err != nil {
			t.Fatal(err)
		}
		defer func() {
			if err := d.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		}()
		if d.Users != nil {
			wantUsers(t, d.Users, dj)
		}
		wantTokens(t, d, warn.String(), tokens)
		u := dj.User(t, "pbkdf2_sha256")
		if got, err := d.Store.Authenticate(ctx, u.Username, *u.Password); err != nil || got.ID != u.ID.String() {
			t.Errorf("Authenticate(%s) = %+v, %v", u.Username, got, err)
		}
		if _, err := d.SQL.Exec(`UPDATE auth_user SET email = ''`); err == nil {
			t.Error("the database is writable; want it opened read-only")
		}
	})

	t.Run("username field", func(t *testing.T) {
		t.Parallel()
		dj := djangotest.New(t)
		d, err := open(ctx, "sqlite:"+dj.Path, "email", io.Discard)
		if err != nil {
			t.Fatal(err) // the emails Django made are unique (one is empty)
		}
		defer func() { _ = d.Close() }()
		for i, u := range d.Users {
			if want := dj.Users[i].Email; u.Username != want {
				t.Errorf("user #%d: Username %q, want the email %q", i+1, u.Username, want)
			}
		}
		u := dj.User(t, "pbkdf2_sha256")
		if got, err := d.Store.UserByUsername(ctx, u.Email); err != nil || got.ID != u.ID.String() || got.Username != u.Email {
			t.Errorf("UserByUsername(%s) = %+v, %v; want user %s named by the email", u.Email, got, err, u.ID)
		}
	})

	t.Run("without tokens", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "db.sqlite3")
		db, err := sql.Open("sqlite", "file:"+path)
		if err != nil {
			t.Fatal(err)
		}
		for _, stmt := range []string{
			djangotest.Schema["sqlite"][0],
			`INSERT INTO auth_user VALUES (7, '!', NULL, 0, 'solo', '', 'solo@example.com', 0, 1, '2024-01-01 00:00:00', '')`,
		} {
			if _, err := db.Exec(stmt); err != nil {
				t.Fatal(err)
			}
		}
		_ = db.Close()
		var warn bytes.Buffer
		d, err := open(ctx, "sqlite:"+path, "", &warn)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = d.Close() }()
		want := jwtauth.User{ID: "7", Username: "solo", Email: "solo@example.com", IsActive: true}
		if d.Users != nil && (len(d.Users) != 1 || hashless(d.Users[0]) != want) {
			t.Errorf("Users = %+v, want [%+v]", d.Users, want)
		}
		if u, err := d.Store.UserByUsername(ctx, "solo"); err != nil || hashless(u) != want {
			t.Errorf("UserByUsername(solo) = %+v, %v; want %+v", u, err, want)
		}
		wantTokens(t, d, warn.String(), false)
	})

	t.Run("PostgreSQL", func(t *testing.T) {
		t.Parallel()
		dsn := djangotest.Postgres(t)
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = db.Close() }()
		for _, stmt := range append(djangotest.Schema["postgres"],
			`INSERT INTO auth_user VALUES (DEFAULT, '!', NULL, false, 'pg', '', '', 'pg@example.com', false, true, now())`,
			`INSERT INTO authtoken_token VALUES ('0123456789abcdef0123456789abcdef01234567', now(), 1)`) {
			if _, err := db.Exec(stmt); err != nil {
				t.Fatal(err)
			}
		}
		var warn bytes.Buffer
		d, err := open(ctx, dsn, "", &warn)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = d.Close() }()
		want := jwtauth.User{ID: "1", Username: "pg", Email: "pg@example.com", IsActive: true}
		if d.Users != nil && (len(d.Users) != 1 || hashless(d.Users[0]) != want) {
			t.Errorf("Users = %+v, want [%+v]", d.Users, want)
		}
		if u, err := d.Store.UserByUsername(ctx, "pg"); err != nil || hashless(u) != want {
			t.Errorf("UserByUsername(pg) = %+v, %v; want %+v", u, err, want)
		}
		wantTokens(t, d, warn.String(), tokens)
	})
}

// wantUsers compares the users an example listed with those Django made.
func wantUsers(t *testing.T, got []jwtauth.User, dj *djangotest.Database) {
	t.Helper()
	if len(got) != len(dj.Users) {
		t.Fatalf("%d users, want %d: %+v", len(got), len(dj.Users), got)
	}
	for i, u := range dj.Users {
		want := jwtauth.User{ID: u.ID.String(), Username: u.Username, Email: u.Email, IsActive: u.IsActive}
		if got[i].PasswordHash == "" || hashless(got[i]) != want {
			t.Errorf("user #%d = %+v, want %+v", i+1, got[i], want)
		}
	}
}

// hashless is u without the stored hash a store fills in.
func hashless(u jwtauth.User) jwtauth.User {
	u.PasswordHash = ""
	return u
}
