package demo

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

func TestOpenDBErrors(t *testing.T) {
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
			d, err := OpenDB(context.Background(), tc.dsn, "", io.Discard)
			if err == nil {
				_ = d.Close()
				t.Fatalf("OpenDB(%q) succeeded", tc.dsn)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("OpenDB(%q): %v; want an error mentioning %q", tc.dsn, err, tc.want)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("the error shows the DSN's password: %v", err)
			}
		})
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("OpenDB created %s: %v", missing, err)
	}
}

// wantUsers compares the users OpenDB listed with those Django made.
func wantUsers(t *testing.T, got []jwtauth.User, dj *djangotest.Database) {
	t.Helper()
	if len(got) != len(dj.Users) {
		t.Fatalf("%d users, want %d: %+v", len(got), len(dj.Users), got)
	}
	for i, u := range dj.Users {
		want := jwtauth.User{ID: u.ID.String(), Username: u.Username, Email: u.Email, IsActive: u.IsActive}
		if got[i] != want {
			t.Errorf("user #%d = %+v, want %+v", i+1, got[i], want)
		}
	}
}

// TestOpenDBDjango opens a database made by Django, under a file name
// that needs escaping in a SQLite URI, read-only.
func TestOpenDBDjango(t *testing.T) {
	t.Parallel()
	dj := djangotest.New(t)
	path := filepath.Join(filepath.Dir(dj.Path), "we?ird #name%20.sqlite3")
	if err := os.Rename(dj.Path, path); err != nil {
		t.Fatal(err)
	}
	var warn bytes.Buffer
	d, err := OpenDB(context.Background(), "sqlite:"+path, "", &warn)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := d.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	}()
	wantUsers(t, d.Users, dj)
	if d.Token == nil || warn.Len() > 0 {
		t.Errorf("Token = %v, warnings %q; want DRF's Token authentication, no warning", d.Token, warn.String())
	}
	u := dj.User(t, "pbkdf2_sha256")
	if got, err := d.Store.Authenticate(context.Background(), u.Username, *u.Password); err != nil || got.ID != u.ID.String() {
		t.Errorf("Authenticate(%s) = %+v, %v", u.Username, got, err)
	}
	if _, err := d.db.Exec(`UPDATE auth_user SET email = ''`); err == nil {
		t.Error("the database is writable; want it opened read-only")
	}
}

func TestOpenDBUsernameField(t *testing.T) {
	t.Parallel()
	dj := djangotest.New(t)
	d, err := OpenDB(context.Background(), "sqlite:"+dj.Path, "email", io.Discard)
	if err != nil {
		t.Fatal(err) // the emails Django made are unique (one is empty)
	}
	defer func() { _ = d.Close() }()
	for i, u := range d.Users {
		if want := dj.Users[i].Email; u.Username != want {
			t.Errorf("user #%d: Username %q, want the email %q", i+1, u.Username, want)
		}
	}
}

// TestOpenDBWithoutTokens: a Django project without
// rest_framework.authtoken still serves its users, without Token
// authentication, and says so.
func TestOpenDBWithoutTokens(t *testing.T) {
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
	d, err := OpenDB(context.Background(), "sqlite:"+path, "", &warn)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = d.Close() }()
	if want := (jwtauth.User{ID: "7", Username: "solo", Email: "solo@example.com", IsActive: true}); len(d.Users) != 1 || d.Users[0] != want {
		t.Errorf("Users = %+v, want [%+v]", d.Users, want)
	}
	if d.Token != nil || strings.Count(warn.String(), "\n") != 1 || !strings.Contains(warn.String(), "Token authentication is off") {
		t.Errorf("Token = %v, warning %q; want none and one line saying so", d.Token, warn.String())
	}
}

func TestOpenDBPostgres(t *testing.T) {
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
	d, err := OpenDB(context.Background(), dsn, "", io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = d.Close() }()
	if want := (jwtauth.User{ID: "1", Username: "pg", Email: "pg@example.com", IsActive: true}); len(d.Users) != 1 || d.Users[0] != want {
		t.Errorf("Users = %+v, want [%+v]", d.Users, want)
	}
	if d.Token == nil {
		t.Error("no Token authentication")
	}
}

func TestNewServer(t *testing.T) {
	t.Parallel()
	lookup := func(name string) (string, bool) {
		if name == "JWT_SECRET_KEY" {
			return "a-test-secret-that-is-long-enough-0123456789", true
		}
		return "", false
	}
	t.Run("users file", func(t *testing.T) {
		t.Parallel()
		srv, err := NewServer(context.Background(), Flags{Addr: "127.0.0.1:0"}, lookup, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := srv.Store.(*jwtauth.MemoryStore); !ok || srv.Token != nil || len(srv.Users) != 1 || srv.Close() != nil {
			t.Errorf("Store %T, Token %v, Users %+v; want the demo user in memory, no Token", srv.Store, srv.Token, srv.Users)
		}
	})
	t.Run("-db", func(t *testing.T) {
		t.Parallel()
		dj := djangotest.New(t)
		srv, err := NewServer(context.Background(), Flags{Addr: "127.0.0.1:0", DB: "sqlite:" + dj.Path}, lookup, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := srv.Store.(*sqlstore.Store); !ok || srv.Token == nil {
			t.Errorf("Store %T, Token %v; want a sqlstore.Store and Token authentication", srv.Store, srv.Token)
		}
		wantUsers(t, srv.Users, dj)
		if err := srv.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
}
