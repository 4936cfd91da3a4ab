package sqlstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jwtauth-go/jwtauth/internal/djangotest"
	"github.com/jwtauth-go/jwtauth/sqlstore"
)

// TestDjangoSessions: Sessions reads the sessions Django 3.2's own login
// wrote to django_session: each user's session_data, while Django would
// load it, to the microsecond of the expire_date Django wrote; none once
// Django expired the session or logged it out.
func TestDjangoSessions(t *testing.T) {
	t.Parallel()
	const secret = "sqlstore sessions: not a secret, but as long as Django's"
	dj := djangotest.New(t)
	cookies := djangotest.LoginSessions(t, dj, secret, djangotest.SessionDB, "pbkdf2_sha256", "jürgen", "pbkdf2_sha1")
	d := djangoDB(t, dj)
	ss := newSessions(t, d, sqlstore.Settings{})
	ctx := context.Background()
	now := time.Now()
	for name, c := range cookies {
		want := d.queryString(t, `SELECT session_data FROM django_session WHERE session_key = ?`, c.SessionID)
		if got, err := ss.Session(ctx, c.SessionID, now); got != want || err != nil {
			t.Errorf("%s: Session = %q, %v; want Django's row", name, got, err)
		}
		// At the edge: the text Django wrote, read as the time it is.
		text := d.queryString(t, `SELECT CAST(expire_date AS TEXT) FROM django_session WHERE session_key = ?`, c.SessionID)
		expire, err := time.Parse("2006-01-02 15:04:05.999999", text)
		if err != nil {
			t.Fatalf("%s: expire_date %q: %v", name, text, err)
		}
		if _, err := ss.Session(ctx, c.SessionID, expire.Add(-time.Microsecond)); err != nil {
			t.Errorf("%s: a microsecond before its expire_date %s: %v", name, text, err)
		}
		if _, err := ss.Session(ctx, c.SessionID, expire); !errors.Is(err, sqlstore.ErrNoSession) {
			t.Errorf("%s: at its expire_date %s: %v; want ErrNoSession", name, text, err)
		}
	}
	djangotest.SessionOps(t, dj, secret,
		djangotest.SessionOp{Op: djangotest.Expire, Username: "pbkdf2_sha256"},
		djangotest.SessionOp{Op: djangotest.Logout, Username: "jürgen"},
	)
	now = time.Now()
	for name, found := range map[string]bool{"pbkdf2_sha256": false, "jürgen": false, "pbkdf2_sha1": true} {
		_, err := ss.Session(ctx, cookies[name].SessionID, now)
		if found && err != nil || !found && !errors.Is(err, sqlstore.ErrNoSession) {
			t.Errorf("%s after Django expired one session and logged out another: %v (want found: %v)", name, err, found)
		}
	}
}
