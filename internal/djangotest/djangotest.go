// Package djangotest gives tests Django's databases: a SQLite database
// made by Django itself (New: Django's migrate, users hashed by each of
// Django's password hashers, DRF tokens, an empty django_session;
// sqlstore/testdata/make_django_db.py, run with Debian's /usr/bin/python3),
// Django's DDL for its user and token tables (Schema) and for simplejwt's blacklist (BlacklistSchema), and a
// fresh PostgreSQL schema (Postgres). It also runs a real
// djangorestframework-simplejwt server, on SQLite or PostgreSQL
// (SetupSimpleJWT, StartSimpleJWT; the Django project in simplejwt/), for
// tests of what a Go service sharing its secret and database must accept
// and answer. And it logs users of New's database in to Django, through
// Django's own LoginView with its CSRF check, for the session cookie, CSRF
// cookie and form token a browser then holds (LoginSessions, with the db
// or signed_cookies session engine), and changes what a session depends
// on with Django's own API: a password, a logout, an expiry, a
// deactivation (SessionOps; sessions.py).
//
// Tests skip when that Python has no Django (or simplejwt, for its
// server), unless JWTAUTH_REQUIRE_DJANGO=1 (set by .ci/run), which turns
// the skip into a failure (Skip, which the passwords package's Django
// checks use too); and when JWTAUTH_TEST_POSTGRES_DSN is unset, for
// PostgreSQL.
package djangotest

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// Python is Debian's interpreter, where apt-get installs python3-django,
// python3-djangorestframework, python3-argon2 and python3-bcrypt; not the
// python3 first on PATH, which may be another one.
const Python = "/usr/bin/python3"

// User is a user of the database, as Django made it.
type User struct {
	ID        json.Number `json:"id"`
	Username  string      `json:"username"`
	Email     string      `json:"email"`
	Password  *string     `json:"password"` // nil: no usable password
	IsActive  bool        `json:"is_active"`
	Algorithm string      `json:"algorithm"` // of the stored hash; "!" when unusable
	Token     string      `json:"token"`     // DRF token key, or ""
}

// Weak names the user whose pbkdf2_sha256 hash Django wrote at 100,000
// iterations, fewer than its default: Django re-hashes it at login.
const Weak = "pbkdf2_sha256_100000"

// Database is a fresh copy of the Django-made database.
type Database struct {
	Path           string   // the SQLite file, in the test's temporary directory
	Django         string   // Django's version
	MissingHashers []string `json:"missing_hashers"` // hashers this Django lacks (scrypt before 4.0)
	Users          []User
}

// User returns the user named username; it fails the test when there is
// none.
func (d *Database) User(t testing.TB, username string) User {
	t.Helper()
	for _, u := range d.Users {
		if u.Username == username {
			return u
		}
	}
	t.Fatalf("the Django database has no user %q", username)
	return User{}
}

var made struct {
	once     sync.Once
	db       []byte // the database file
	manifest []byte
	skip     string // why there is no database
	err      error
}

// New returns a fresh copy of the Django-made database in t.TempDir(). The
// script runs once per test binary; each caller gets its own copy, free to
// write to.
func New(t testing.TB) *Database {
	t.Helper()
	made.once.Do(build)
	switch {
	case made.skip != "":
		Skip(t, made.skip)
	case made.err != nil:
		t.Fatal(made.err)
	}
	d := &Database{Path: filepath.Join(t.TempDir(), "db.sqlite3")}
	if err := json.Unmarshal(made.manifest, d); err != nil {
		t.Fatalf("make_django_db.py manifest: %v", err)
	}
	if err := os.WriteFile(d.Path, made.db, 0o600); err != nil {
		t.Fatal(err)
	}
	return d
}

// Skip skips t for want of Django, saying why; under
// JWTAUTH_REQUIRE_DJANGO=1 it fails t instead, so that CI, which has
// Django, cannot pass by skipping the tests that compare with it.
func Skip(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("JWTAUTH_REQUIRE_DJANGO") == "1" {
		t.Fatalf("JWTAUTH_REQUIRE_DJANGO=1, but: %s", why)
	}
	t.Skip(why)
}

// script is the path of make_django_db.py.
func script() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "sqlstore", "testdata", "make_django_db.py")
}

func build() {
	if out, err := exec.Command(Python, "-c", "import django, rest_framework, argon2, bcrypt").CombinedOutput(); err != nil {
		made.skip = "no Django-made database: " + Python + " cannot import django, rest_framework, argon2 and bcrypt " +
			"(apt-get install python3-django python3-djangorestframework python3-argon2 python3-bcrypt): " +
			strings.TrimSpace(string(out))
		return
	}
	dir, err := os.MkdirTemp("", "djangotest")
	if err != nil {
		made.err = err
		return
	}
	defer func() { _ = os.RemoveAll(dir) }()
	path := filepath.Join(dir, "db.sqlite3")
	made.manifest, made.err = run(exec.Command(Python, script(), "create", path))
	if made.err == nil {
		made.db, made.err = os.ReadFile(path)
	}
}

func run(cmd *exec.Cmd) ([]byte, error) {
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, &scriptError{cmd.Args[2], err, stderr.String()}
	}
	return out, nil
}

type scriptError struct {
	mode   string
	err    error
	stderr string
}

func (e *scriptError) Error() string {
	return "make_django_db.py " + e.mode + ": " + e.err.Error() + "\n" + e.stderr
}

// Check is Django's answer about a user of the database at its current
// state: the algorithm of the stored hash, whether Django's check_password
// would re-hash it (its must_update: another hasher than the first of
// PASSWORD_HASHERS, pbkdf2_sha256, or other costs than Django's; false for
// an unusable password) and last_login as Django reads them ("" for NULL),
// then whether authenticate() accepts the password (Django may re-hash it
// then, as it does on any login).
type Check struct {
	Algorithm     string `json:"algorithm"`
	MustUpdate    bool   `json:"must_update"`
	LastLogin     string `json:"last_login"`
	Authenticated bool   `json:"authenticated"`
}

// Check asks Django (make_django_db.py check) about each username and its
// password, in one run.
func (d *Database) Check(t testing.TB, passwords map[string]string) map[string]Check {
	t.Helper()
	in, err := json.Marshal(passwords)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(Python, script(), "check", d.Path)
	cmd.Stdin = bytes.NewReader(in) // not in argv: no password in the process list
	out, err := run(cmd)
	if err != nil {
		t.Fatal(err)
	}
	var answers map[string]Check
	if err := json.Unmarshal(out, &answers); err != nil {
		t.Fatalf("make_django_db.py check: %v: %s", err, out)
	}
	return answers
}
