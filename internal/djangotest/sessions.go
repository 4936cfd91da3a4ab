package djangotest

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// The session engines LoginSessions can log users in with: Django's
// SESSION_ENGINE django.contrib.sessions.backends.<engine>.
const (
	// SessionDB keeps sessions in django_session, Django's default: the
	// sessionid cookie is the session key.
	SessionDB = "db"
	// SessionSignedCookies keeps the whole session in the sessionid
	// cookie, signed with SECRET_KEY; nothing is written to the database.
	SessionSignedCookies = "signed_cookies"
)

// SessionCookies is what a browser holds after logging in to Django, and
// the token its next form would carry.
type SessionCookies struct {
	// UserID is the session's _auth_user_id: the user's primary key as
	// Django writes it into the session.
	UserID string `json:"user_id"`
	// SessionID is the sessionid cookie: with SessionDB the session key,
	// 32 characters of [a-z0-9]; with SessionSignedCookies the signed
	// session itself.
	SessionID string `json:"sessionid"`
	// CSRFCookie is the csrftoken cookie, as the login's CSRF rotation set
	// it: Django 3.2 stores a masked token there, 64 characters of
	// [a-zA-Z0-9].
	CSRFCookie string `json:"csrftoken"`
	// CSRFToken is a masked token of CSRFCookie's secret, as get_token()
	// hands a form after the login: the csrfmiddlewaretoken field or the
	// X-CSRFToken header of a request that must pass the CSRF check. Its
	// mask differs from the cookie's.
	CSRFToken string `json:"csrf_token"`
}

// sessionsScript is the path of sessions.py.
func sessionsScript() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "sessions.py")
}

// sessionsRun runs sessions.py mode on db with spec on stdin (passwords
// are not put in argv, where the process list shows them) and decodes its
// answer into out; Django's refusal fails t, with what Django said.
func sessionsRun(t testing.TB, mode string, db *Database, spec, out any) {
	t.Helper()
	in, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, Python, sessionsScript(), mode, db.Path)
	cmd.Env = append(pythonEnv(), "PYTHONDONTWRITEBYTECODE=1")
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	b, err := cmd.Output()
	if err != nil {
		t.Fatalf("sessions.py %s: %v\n%s", mode, err, stderr.String())
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("sessions.py %s: %v: %s\n%s", mode, err, b, stderr.String())
	}
}

// LoginSessions logs each of users in to Django 3.2 as a browser would,
// on db (a database New made, whose manifest gives each user's password),
// with SECRET_KEY secret and the session engine engine (SessionDB or
// SessionSignedCookies), and returns what each browser then holds, by
// username. Each login is a POST of the username, password and
// csrfmiddlewaretoken to Django's own
// django.contrib.auth.views.LoginView, after a GET of its form, through
// django.test.Client with CSRF checks enforced (sessions.py login); then
// a GET of a view answering get_token() gives the masked token of the
// rotated CSRF cookie.
//
// Each user gets a session of its own, whose key login() cycled. With
// SessionDB each session is a row of django_session, expiring in
// SESSION_COOKIE_AGE (two weeks). As at any Django login, last_login is
// written, and a password whose hash is not pbkdf2_sha256 (or is weaker
// than Django's) is re-hashed: db.Users then tells the algorithm of
// before. A user Django refuses (inactive, wrong or unusable password)
// fails t; log in, then SessionOps Deactivate, for the session of an
// inactive user. It skips t without Django, as Skip does.
func LoginSessions(t testing.TB, db *Database, secret, engine string, users ...string) map[string]SessionCookies {
	t.Helper()
	if engine != SessionDB && engine != SessionSignedCookies {
		t.Fatalf("LoginSessions: engine %q: want SessionDB or SessionSignedCookies", engine)
	}
	if secret == "" {
		t.Fatal("LoginSessions: no SECRET_KEY")
	}
	if why := sessionsMissing(); why != "" {
		Skip(t, why)
	}
	type login struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	spec := struct {
		Secret string  `json:"secret"`
		Engine string  `json:"engine"`
		Users  []login `json:"users"`
	}{Secret: secret, Engine: engine, Users: []login{}}
	for _, name := range users {
		u := db.User(t, name)
		if u.Password == nil {
			t.Fatalf("LoginSessions: %q has no usable password: Django would not log it in", name)
		}
		spec.Users = append(spec.Users, login{name, *u.Password})
	}
	var answer struct {
		Django   string                    `json:"django"`
		Sessions map[string]SessionCookies `json:"sessions"`
	}
	sessionsRun(t, "login", db, spec, &answer)
	if len(answer.Sessions) != len(users) {
		t.Fatalf("sessions.py login: %d sessions for %d users", len(answer.Sessions), len(users))
	}
	return answer.Sessions
}

// SessionOperation names what a SessionOp does.
type SessionOperation string

// The operations of SessionOps, each done with Django's own API.
const (
	// SetPassword sets the user's password to SessionOp.Password with
	// set_password() and save(), as a password change that does not call
	// update_session_auth_hash: its sessions' _auth_user_hash no longer
	// matches, and Django takes them for anonymous.
	SetPassword SessionOperation = "set_password"
	// Logout logs out each database session of the user, as
	// Client.logout() does: django.contrib.auth.logout() on a request of
	// that session, whose flush() deletes its django_session row.
	Logout SessionOperation = "logout"
	// Expire sets the expire_date of each database session of the user to
	// SessionOp.ExpireDate, or when zero to a second before now, with the
	// ORM, as Django writes the column: Django then loads no session for
	// the key, though the row is there until clearsessions.
	Expire SessionOperation = "expire"
	// Deactivate sets is_active to False and saves the user: Django's
	// ModelBackend no longer loads it for its sessions.
	Deactivate SessionOperation = "deactivate"
)

// SessionOp is one operation of SessionOps on a user.
type SessionOp struct {
	Op         SessionOperation
	Username   string
	Password   string    // SetPassword's new password
	ExpireDate time.Time // Expire's, or zero: a second before now
}

// MarshalJSON writes the operation as sessions.py ops reads it.
func (o SessionOp) MarshalJSON() ([]byte, error) {
	var expire *string
	if !o.ExpireDate.IsZero() {
		s := o.ExpireDate.Format("2006-01-02T15:04:05.000000-07:00") // Python's fromisoformat
		expire = &s
	}
	return json.Marshal(struct {
		Op         SessionOperation `json:"op"`
		Username   string           `json:"username"`
		Password   string           `json:"password,omitempty"`
		ExpireDate *string          `json:"expire_date"`
	}{o.Op, o.Username, o.Password, expire})
}

// SessionOps performs ops on db, in order, in one run of Django with
// SECRET_KEY secret (sessions.py ops). The secret must be the one
// LoginSessions was given: Logout and Expire find the user's database
// sessions by decoding each row of django_session with it, as Django's
// Session.get_decoded() does, and fail t when the user has none (a
// signed-cookie session has no row: nothing on the server ends it but
// SetPassword or Deactivate). It skips t without Django, as Skip does.
func SessionOps(t testing.TB, db *Database, secret string, ops ...SessionOp) {
	t.Helper()
	if why := sessionsMissing(); why != "" {
		Skip(t, why)
	}
	for _, o := range ops {
		switch o.Op {
		case SetPassword, Logout, Expire, Deactivate:
		default:
			t.Fatalf("SessionOps: unknown operation %q", o.Op)
		}
	}
	if ops == nil {
		ops = []SessionOp{} // a JSON list, not null
	}
	var done struct {
		Done int `json:"done"`
	}
	sessionsRun(t, "ops", db, struct {
		Secret string      `json:"secret"`
		Ops    []SessionOp `json:"ops"`
	}{secret, ops}, &done)
	if done.Done != len(ops) {
		t.Fatalf("sessions.py ops: %d of %d operations done", done.Done, len(ops))
	}
}

// sessionsMissing says what Python lacks for sessions.py, "" when
// nothing; asked once per test binary.
var sessionsMissing = sync.OnceValue(func() string {
	out, err := exec.Command(Python, "-c", "import django").CombinedOutput()
	if err == nil {
		return ""
	}
	return "no Django sessions: " + Python + " cannot import django (apt-get install python3-django): " +
		strings.TrimSpace(string(out))
})
