package djangotest

import (
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"regexp"
	"strings"
	"testing"
	"time"
)

// sessSecret is the SECRET_KEY of the sessions here.
const sessSecret = "djangotest sessions: not a secret, but as long as Django's"

var (
	sessionKeyForm = regexp.MustCompile(`^[a-z0-9]{32}$`)
	csrfForm       = regexp.MustCompile(`^[a-zA-Z0-9]{64}$`)
	// signing.dumps: [.]base64url(payload):base62(timestamp):base64url(HMAC-SHA256).
	signedForm = regexp.MustCompile(`^\.?[A-Za-z0-9_-]+:[A-Za-z0-9]+:[A-Za-z0-9_-]{43}$`)
)

// unmaskCSRF is Django's _unmask_cipher_token: the 32-character secret of
// a 64-character token, its mask first.
func unmaskCSRF(token string) string {
	const chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	mask, cipher := token[:32], token[32:]
	var b strings.Builder
	for i := range 32 {
		x := strings.IndexByte(chars, cipher[i]) - strings.IndexByte(chars, mask[i])
		b.WriteByte(chars[(x+len(chars))%len(chars)])
	}
	return b.String()
}

// sessionRow is a row of django_session as Django's SQLite backend wrote
// it.
type sessionRow struct {
	data, expire string
}

// sessionRows reads django_session by key.
func sessionRows(t *testing.T, db *sql.DB) map[string]sessionRow {
	t.Helper()
	rows, err := db.Query(`SELECT session_key, session_data, CAST(expire_date AS TEXT) FROM django_session`)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = rows.Close() }()
	m := map[string]sessionRow{}
	for rows.Next() {
		var key string
		var r sessionRow
		if err := rows.Scan(&key, &r.data, &r.expire); err != nil {
			t.Fatal(err)
		}
		m[key] = r
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return m
}

// pyTimeText parses a DateTimeField's text as Django's SQLite backend
// writes it (naive UTC, microseconds unless zero).
func pyTimeText(t *testing.T, s string) time.Time {
	t.Helper()
	for _, layout := range []string{"2006-01-02 15:04:05.000000", "2006-01-02 15:04:05"} {
		if tm, err := time.Parse(layout, s); err == nil {
			return tm
		}
	}
	t.Fatalf("expire_date %q is not Django's text of a time", s)
	return time.Time{}
}

// checkCookies checks the shape of what a login gave: the CSRF cookie and
// the form's token, both masked, of one secret.
func checkCookies(t *testing.T, db *Database, name string, c SessionCookies) {
	t.Helper()
	if want := db.User(t, name).ID.String(); c.UserID != want {
		t.Errorf("%s: _auth_user_id %q, want %q", name, c.UserID, want)
	}
	if !csrfForm.MatchString(c.CSRFCookie) || !csrfForm.MatchString(c.CSRFToken) {
		t.Errorf("%s: csrftoken cookie %q, form token %q; want Django 3.2's masked tokens, 64 of [a-zA-Z0-9]", name, c.CSRFCookie, c.CSRFToken)
		return
	}
	if c.CSRFCookie == c.CSRFToken || unmaskCSRF(c.CSRFCookie) != unmaskCSRF(c.CSRFToken) {
		t.Errorf("%s: the form token %q is not another mask of the cookie %q's secret", name, c.CSRFToken, c.CSRFCookie)
	}
}

// TestLoginSessions: Django's LoginView logs the users in, each with a
// session of its own, and the CSRF cookie and token a browser then holds;
// with the db engine each session is a row of django_session, signed with
// the secret and expiring in two weeks; the operations change what Django
// would: Expire the expire_date of the user's rows alone, Logout deletes
// them, SetPassword and Deactivate the user.
func TestLoginSessions(t *testing.T) {
	t.Parallel()
	db := New(t)
	before := time.Now().UTC()
	users := []string{"pbkdf2_sha256", "jürgen", "pbkdf2_sha1"}
	got := LoginSessions(t, db, sessSecret, SessionDB, users...)
	after := time.Now().UTC()
	conn, err := sql.Open("sqlite", "file:"+db.Path+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	rows := sessionRows(t, conn)
	if len(rows) != len(users) {
		t.Errorf("%d rows in django_session, want one a user: %v", len(rows), rows)
	}
	// Django's signing key for session_data: salted_hmac's, sha256(salt +
	// "signer" + SECRET_KEY).
	key := sha256.Sum256([]byte("django.contrib.sessions.SessionStore" + "signer" + sessSecret))
	for _, name := range users {
		c := got[name]
		checkCookies(t, db, name, c)
		if !sessionKeyForm.MatchString(c.SessionID) {
			t.Errorf("%s: sessionid %q; want a session key, 32 of [a-z0-9]", name, c.SessionID)
		}
		r, ok := rows[c.SessionID]
		if !ok {
			t.Errorf("%s: no row of session %q", name, c.SessionID)
			continue
		}
		if !signedForm.MatchString(r.data) {
			t.Errorf("%s: session_data %q is not of signing.dumps's form", name, r.data)
		} else {
			value, sig := r.data[:strings.LastIndexByte(r.data, ':')], r.data[strings.LastIndexByte(r.data, ':')+1:]
			mac := hmac.New(sha256.New, key[:])
			mac.Write([]byte(value))
			if want := base64.RawURLEncoding.EncodeToString(mac.Sum(nil)); sig != want {
				t.Errorf("%s: session_data is not signed with the secret", name)
			}
		}
		expire := pyTimeText(t, r.expire)
		const age = 14 * 24 * time.Hour // SESSION_COOKIE_AGE
		if expire.Before(before.Add(age).Truncate(time.Second)) || expire.After(after.Add(age)) {
			t.Errorf("%s: expire_date %s, want the login's time + two weeks (%s to %s)", name, r.expire, before.Add(age), after.Add(age))
		}
	}
	if got["pbkdf2_sha256"].SessionID == got["jürgen"].SessionID || got["pbkdf2_sha256"].CSRFCookie == got["jürgen"].CSRFCookie {
		t.Error("two users share a session or a CSRF cookie")
	}

	at := time.Date(2030, 1, 2, 4, 4, 5, 1000, time.FixedZone("CET", 3600))
	SessionOps(t, db, sessSecret,
		SessionOp{Op: Expire, Username: "pbkdf2_sha256"},
		SessionOp{Op: Expire, Username: "pbkdf2_sha1", ExpireDate: at},
		SessionOp{Op: Logout, Username: "jürgen"},
		SessionOp{Op: SetPassword, Username: "pbkdf2_sha1", Password: "a new password ✓"},
		SessionOp{Op: Deactivate, Username: "pbkdf2_sha256"},
	)
	now := time.Now().UTC()
	rows2 := sessionRows(t, conn)
	if _, ok := rows2[got["jürgen"].SessionID]; ok || len(rows2) != 2 {
		t.Errorf("after jürgen's logout: %v; want the other two rows alone", rows2)
	}
	if r := rows2[got["pbkdf2_sha256"].SessionID]; !pyTimeText(t, r.expire).Before(now) || r.data != rows[got["pbkdf2_sha256"].SessionID].data {
		t.Errorf("expired: %+v; want an expire_date in the past (now %s), session_data unchanged", r, now)
	}
	if r := rows2[got["pbkdf2_sha1"].SessionID]; r.expire != "2030-01-02 03:04:05.000001" {
		t.Errorf("expired at %s: expire_date %q, want Django's UTC text of it", at, r.expire)
	}
	checks := db.Check(t, map[string]string{"pbkdf2_sha1": "a new password ✓", "jürgen": *db.User(t, "jürgen").Password})
	if !checks["pbkdf2_sha1"].Authenticated || !checks["jürgen"].Authenticated {
		t.Errorf("Django's logins after the operations: %+v; want the new password and jürgen's, untouched", checks)
	}
	var active bool
	if err := conn.QueryRow(`SELECT is_active FROM auth_user WHERE username = 'pbkdf2_sha256'`).Scan(&active); err != nil || active {
		t.Errorf("after Deactivate: is_active %v, %v", active, err)
	}
}

// TestLoginSessionsSignedCookies: with the signed_cookies engine the
// session is the cookie, signed, and nothing is written to
// django_session.
func TestLoginSessionsSignedCookies(t *testing.T) {
	t.Parallel()
	db := New(t)
	got := LoginSessions(t, db, sessSecret, SessionSignedCookies, "pbkdf2_sha256")
	c := got["pbkdf2_sha256"]
	checkCookies(t, db, "pbkdf2_sha256", c)
	if !signedForm.MatchString(c.SessionID) {
		t.Errorf("sessionid %q is not of signing.dumps's form", c.SessionID)
	}
	conn, err := sql.Open("sqlite", "file:"+db.Path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	if rows := sessionRows(t, conn); len(rows) != 0 {
		t.Errorf("django_session has %d rows; the signed_cookies engine writes none", len(rows))
	}
}
