package djangotest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jwtauth-go/jwtauth/internal/testkit"
)

// SimpleJWTConfig is one configuration of the simplejwt project
// (internal/djangotest/simplejwt), the Django 3.2 + DRF 3.14 +
// djangorestframework-simplejwt 5.2.2 server the interop tests compare
// with. SetupSimpleJWT and StartSimpleJWT hand it to the project as
// environment variables (settings.py), and to nothing else: the Python side
// sees no DJANGO_*, SIMPLE_JWT_* or PYTHON* variable of the test's own
// environment, so what a test gets is what it asked for.
//
// Give setup and every server of one database the same FastHasher, so
// that the hashes setup wrote are among those the server checks.
type SimpleJWTConfig struct {
	// Secret is Django's SECRET_KEY and so simplejwt's HS256 key
	// (SIGNING_KEY defaults to it). Required.
	Secret string

	// The database: exactly one of SQLite, the path of a SQLite file
	// (setup creates it), and Postgres, a postgres:// DSN whose
	// search_path parameter, if any, becomes the schema of every
	// connection (the DSN Postgres returns has one).
	SQLite   string
	Postgres string

	// Rotate and BlacklistAfterRotation are SIMPLE_JWT's
	// ROTATE_REFRESH_TOKENS and BLACKLIST_AFTER_ROTATION.
	Rotate, BlacklistAfterRotation bool

	// The token lifetimes, sent as seconds; zero keeps simplejwt's default
	// (access and sliding 5 minutes, refresh and sliding refresh 1 day).
	// Django takes a negative lifetime as it is, which makes tokens that
	// are expired when issued.
	AccessLifetime, RefreshLifetime         time.Duration
	SlidingLifetime, SlidingRefreshLifetime time.Duration

	// TokenClasses is SIMPLE_JWT's AUTH_TOKEN_CLASSES, the classes
	// JWTAuthentication tries in order: dotted paths, or bare names of
	// rest_framework_simplejwt.tokens ("AccessToken", "SlidingToken").
	// Nil keeps simplejwt's default, AccessToken alone.
	TokenClasses []string

	// FastHasher puts Django's MD5PasswordHasher first, so that setup's
	// create_user and each login cost microseconds instead of 260,000
	// PBKDF2 rounds, which would dominate a test with many logins.
	FastHasher bool
}

// environ is the process environment the project reads its settings from.
func (c SimpleJWTConfig) environ() ([]string, error) {
	if c.Secret == "" {
		return nil, errors.New("SimpleJWTConfig.Secret is empty")
	}
	if (c.SQLite == "") == (c.Postgres == "") {
		return nil, errors.New("SimpleJWTConfig: set exactly one of SQLite and Postgres")
	}
	env := pythonEnv()
	pyBool := func(b bool) string {
		if b {
			return "True"
		}
		return "False"
	}
	env = append(env,
		"PYTHONDONTWRITEBYTECODE=1", // no __pycache__ in the repository
		"PYTHONUNBUFFERED=1",
		"DJANGO_SECRET_KEY="+c.Secret,
		"SIMPLE_JWT_ROTATE_REFRESH_TOKENS="+pyBool(c.Rotate),
		"SIMPLE_JWT_BLACKLIST_AFTER_ROTATION="+pyBool(c.BlacklistAfterRotation),
	)
	if c.SQLite != "" {
		env = append(env, "DJANGO_DB_SQLITE="+c.SQLite)
	} else {
		env = append(env, "DJANGO_DB_POSTGRES="+c.Postgres)
	}
	if c.FastHasher {
		env = append(env, "DJANGO_FAST_HASHER=1")
	}
	for _, l := range []struct {
		name string
		d    time.Duration
	}{
		{"SIMPLE_JWT_ACCESS_TOKEN_LIFETIME", c.AccessLifetime},
		{"SIMPLE_JWT_REFRESH_TOKEN_LIFETIME", c.RefreshLifetime},
		{"SIMPLE_JWT_SLIDING_TOKEN_LIFETIME", c.SlidingLifetime},
		{"SIMPLE_JWT_SLIDING_TOKEN_REFRESH_LIFETIME", c.SlidingRefreshLifetime},
	} {
		if l.d != 0 {
			env = append(env, l.name+"="+strconv.FormatFloat(l.d.Seconds(), 'f', -1, 64))
		}
	}
	if c.TokenClasses != nil {
		env = append(env, "SIMPLE_JWT_AUTH_TOKEN_CLASSES="+strings.Join(c.TokenClasses, ","))
	}
	return env, nil
}

// pythonEnv is the test's environment without the variables that would
// change what Debian's Python runs: PYTHONPATH or PYTHONHOME meant for
// the python3 first on PATH could hand it another Django, and DJANGO_* or
// SIMPLE_JWT_* settings of the test's own would reach the scripts, which
// read theirs from there or set them themselves.
func pythonEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "DJANGO_") || strings.HasPrefix(name, "SIMPLE_JWT_") || strings.HasPrefix(name, "PYTHON") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// SimpleJWTAccount is a user for SetupSimpleJWT to create. Inactive rather
// than IsActive, so that the zero value is the ordinary, active user.
type SimpleJWTAccount struct {
	Username string
	Password string // "": Django's unusable password
	Email    string
	Inactive bool
}

// MarshalJSON writes the account as serve.py setup reads it.
func (a SimpleJWTAccount) MarshalJSON() ([]byte, error) {
	var password *string
	if a.Password != "" {
		password = &a.Password
	}
	return json.Marshal(struct {
		Username string  `json:"username"`
		Password *string `json:"password"`
		Email    string  `json:"email"`
		IsActive bool    `json:"is_active"`
	}{a.Username, password, a.Email, !a.Inactive})
}

// SimpleJWTUser is a user as Django created it; ID is its auth_user.id,
// the user_id simplejwt writes into the tokens.
type SimpleJWTUser struct {
	ID       int64  `json:"id"`
	Username string `json:"username"`
	IsActive bool   `json:"is_active"`
}

// SimpleJWTManifest is what SetupSimpleJWT made, and the versions that made
// it, for a test to pin the behaviour it compares with to a release.
type SimpleJWTManifest struct {
	Django    string          `json:"django"`
	SimpleJWT string          `json:"simplejwt"`
	PyJWT     string          `json:"pyjwt"`
	Users     []SimpleJWTUser `json:"users"`
}

// User returns the user named username; it fails the test when there is
// none.
func (m *SimpleJWTManifest) User(t testing.TB, username string) SimpleJWTUser {
	t.Helper()
	for _, u := range m.Users {
		if u.Username == username {
			return u
		}
	}
	t.Fatalf("SetupSimpleJWT made no user %q", username)
	return SimpleJWTUser{}
}

// serveScript is the path of the project's entry point.
func serveScript() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "simplejwt", "serve.py")
}

// simpleJWTMissing says what Python lacks for the project, "" when
// nothing; asked once per test binary and database kind.
var simpleJWTMissing = struct{ sqlite, postgres func() string }{
	sqlite:   sync.OnceValue(func() string { return pythonLacks("django, rest_framework, rest_framework_simplejwt, jwt") }),
	postgres: sync.OnceValue(func() string { return pythonLacks("django, rest_framework, rest_framework_simplejwt, jwt, psycopg2") }),
}

func pythonLacks(modules string) string {
	out, err := exec.Command(Python, "-c", "import "+modules).CombinedOutput()
	if err == nil {
		return ""
	}
	return "no simplejwt server: " + Python + " cannot import " + modules +
		" (apt-get install python3-django python3-djangorestframework python3-djangorestframework-simplejwt python3-psycopg2): " +
		strings.TrimSpace(string(out))
}

// requireSimpleJWT skips (or, under JWTAUTH_REQUIRE_DJANGO=1, fails) t
// when the project cannot run with cfg's database, and returns the
// environment for it.
func requireSimpleJWT(t testing.TB, cfg SimpleJWTConfig) []string {
	t.Helper()
	env, err := cfg.environ()
	if err != nil {
		t.Fatal(err)
	}
	missing := simpleJWTMissing.sqlite
	if cfg.Postgres != "" {
		missing = simpleJWTMissing.postgres
	}
	if why := missing(); why != "" {
		Skip(t, why)
	}
	return env
}

// SetupSimpleJWT runs Django's migrate on cfg's database (auth,
// contenttypes and simplejwt's token_blacklist tables, as Django creates
// them) and creates the accounts with create_user, in order; it returns
// what Django made. It skips t without Django and simplejwt, as Skip does,
// and fails it when Django fails.
func SetupSimpleJWT(t testing.TB, cfg SimpleJWTConfig, accounts ...SimpleJWTAccount) *SimpleJWTManifest {
	t.Helper()
	env := requireSimpleJWT(t, cfg)
	if accounts == nil {
		accounts = []SimpleJWTAccount{} // a JSON list, not null
	}
	in, err := json.Marshal(accounts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, Python, serveScript(), "setup")
	cmd.Env = env
	cmd.Stdin = bytes.NewReader(in) // not in argv: no password in the process list
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("simplejwt serve.py setup: %v\n%s", err, stderr.String())
	}
	var m SimpleJWTManifest
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatalf("simplejwt serve.py setup: manifest: %v: %s\n%s", err, out, stderr.String())
	}
	return &m
}

// SimpleJWTServer is a running simplejwt project, stopped when the test
// that started it ends.
type SimpleJWTServer struct {
	// URL is the server's base URL, http://127.0.0.1:PORT, without a
	// trailing slash: URL + "/api/token/" is the obtain-pair view.
	URL string

	cmd     *exec.Cmd
	log     testkit.Buffer
	exited  chan struct{} // closed once the process is gone
	waitErr error         // the process's exit, once exited is closed
	stop    sync.Once
}

// Log returns what the server has written so far: the listening line,
// Django's request log and any traceback.
func (s *SimpleJWTServer) Log() string { return s.log.String() }

// simpleJWTStartTimeout bounds how long Django may take to come up: a
// cold start imports Django and DRF and opens the database once.
const simpleJWTStartTimeout = 30 * time.Second

var listening = regexp.MustCompile(`^listening on (http://127\.0\.0\.1:[0-9]+)$`)

// StartSimpleJWT starts the simplejwt project with cfg (serve.py serve,
// threaded, on a free port of 127.0.0.1) and returns once it listens. The
// database must have been made by SetupSimpleJWT (with the same
// FastHasher). It skips t without Django and simplejwt, as Skip does; it
// fails t, with the server's log, when the server does not come up within
// 30 seconds, and when it exits before the test ends. The server is
// stopped in t.Cleanup, and its log written to the test's log if the test
// failed.
func StartSimpleJWT(t testing.TB, cfg SimpleJWTConfig) *SimpleJWTServer {
	t.Helper()
	env := requireSimpleJWT(t, cfg)
	s := &SimpleJWTServer{exited: make(chan struct{})}
	s.cmd = exec.Command(Python, serveScript(), "serve")
	s.cmd.Env = env
	s.cmd.Stderr = &s.log
	// The listening line comes on stdout; everything goes to the log.
	pr, pw := io.Pipe()
	s.cmd.Stdout = pw
	url := make(chan string, 1)
	scanned := make(chan struct{})
	go func() {
		defer close(scanned)
		sc := bufio.NewScanner(pr)
		announced := false
		for sc.Scan() {
			fmt.Fprintln(&s.log, sc.Text())
			if m := listening.FindStringSubmatch(sc.Text()); m != nil && !announced {
				announced = true
				url <- m[1]
			}
		}
		_, _ = io.Copy(io.Discard, pr) // a line too long for the scanner must not block the server
	}()
	if err := s.cmd.Start(); err != nil {
		_ = pw.Close()
		t.Fatalf("simplejwt serve.py serve: %v", err)
	}
	go func() {
		s.waitErr = s.cmd.Wait()
		_ = pw.Close()
		<-scanned // the log complete before anyone hears of the exit
		close(s.exited)
	}()
	t.Cleanup(func() {
		early := s.Stop()
		if s.URL == "" {
			return // it never came up, and the fatal error below said so
		}
		if early {
			t.Errorf("the simplejwt server exited before the test ended (%v); its log:\n%s", s.waitErr, s.Log())
		} else if t.Failed() {
			t.Logf("the simplejwt server's log:\n%s", s.Log())
		}
	})
	timer := time.NewTimer(simpleJWTStartTimeout)
	defer timer.Stop()
	select {
	case s.URL = <-url:
		return s
	case <-s.exited:
		t.Fatalf("the simplejwt server exited before listening (%v); its log:\n%s", s.waitErr, s.Log())
	case <-timer.C:
		t.Fatalf("the simplejwt server did not listen within %v; its log:\n%s", simpleJWTStartTimeout, s.Log())
	}
	return nil
}

// Stop stops the server and waits for it to exit, for a test that needs
// it gone before its end: to restart the project on the same database
// with other settings, or to read the log complete. The server finishes
// the requests it is serving on SIGTERM; after 10 seconds it is killed. It reports whether the server had exited before
// this first call, on its own; later calls do nothing and report false.
func (s *SimpleJWTServer) Stop() (exitedEarly bool) {
	s.stop.Do(func() {
		select {
		case <-s.exited:
			exitedEarly = true
			return
		default:
		}
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.exited:
		case <-time.After(10 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.exited
		}
	})
	return exitedEarly
}
