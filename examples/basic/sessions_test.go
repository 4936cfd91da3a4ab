package main

import (
	"net/url"
	"strings"
	"testing"

	"github.com/jwtauth-go/jwtauth/internal/demotest"
	"github.com/jwtauth-go/jwtauth/internal/djangotest"
)

// djSecret is the Django project's SECRET_KEY: its sessions are signed
// with it.
const djSecret = "the-django-sites-own-secret-key-0123456789-abcdefgh"

// TestDjangoSessionLogin: users logged into the Django site through
// Django's own login view call examples/basic (-db sqlite:..., the
// tutorial's chain JWT, Session, Token, Basic) with their sessionid
// cookie, for both of the session engines a Go service can read. The
// session authenticates; after set_password, logout, expiry or
// deactivation (each done by Django) it does not; a session signed with
// another key, tampered or truncated does not and never 500s; an unsafe
// method needs DRF's CSRF token, masked or not, from the header or the
// form; JWT requests are not subject to CSRF; every 401 carries the JWT
// challenge.
func TestDjangoSessionLogin(t *testing.T) {
	t.Parallel()
	for _, engine := range []string{djangotest.SessionDB, djangotest.SessionSignedCookies} {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			djangoSessions(t, engine)
		})
	}
}

func djangoSessions(t *testing.T, engine string) {
	dj := djangotest.New(t)
	const (
		ok        = "pbkdf2_sha256"
		changed   = "bcrypt_sha256"
		loggedOut = "argon2"
		expired   = "pbkdf2_sha1"
		disabled  = "bcrypt"
	)
	names := []string{ok, changed, disabled}
	if engine == djangotest.SessionDB {
		// A signed cookie lives on the client: Django's logout and
		// expiry change no row of the server's.
		names = append(names, loggedOut, expired)
	}
	cookies := djangotest.LoginSessions(t, dj, djSecret, engine, names...)
	other := djangotest.LoginSessions(t, dj, "another-django-secret-key-0123456789-abcdefghij", engine, "jürgen")["jürgen"]

	env := []string{"JWT_SECRET_KEY=" + testSecret, "DJANGO_SECRET_KEY=" + djSecret,
		// Behind a TLS proxy: HTTPS requests get Django's strict Referer
		// checks.
		"SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO,https", "CSRF_TRUSTED_ORIGINS=https://app.example.com"}
	if engine == djangotest.SessionSignedCookies {
		env = append(env, "SESSION_ENGINE=django.contrib.sessions.backends.signed_cookies")
	}
	s := startBasic(t, buildBasic(t), "examples/basic, Django sessions", env, "-db", "sqlite:"+dj.Path)
	s.ready(t)
	defer s.stop(t)
	base := "http://" + s.addr
	user := func(name string) string {
		return `{"user_id":` + dj.User(t, name).ID.String() + `,"username":"` + name + `"}`
	}
	get := func(sessionid string, header ...string) demotest.Answer {
		return demotest.Do(t, "GET", base+"/api/protected/", "", append([]string{"Cookie", "sessionid=" + sessionid}, header...)...)
	}
	notProvided := `{"detail":"Authentication credentials were not provided."}`
	anonymous := func(t *testing.T, a demotest.Answer) {
		t.Helper()
		if a.Status != 401 || a.Body != notProvided || a.Header.Get("WWW-Authenticate") != `JWT realm="api"` {
			t.Errorf("%d %s (%q), want DRF's 401 with the JWT challenge", a.Status, a.Body, a.Header.Get("WWW-Authenticate"))
		}
	}

	t.Run("the session authenticates", func(t *testing.T) {
		for _, name := range names {
			if a := get(cookies[name].SessionID); a.Status != 200 || a.Body != user(name) {
				t.Errorf("%s: %d %s", name, a.Status, a.Body)
			}
		}
	})

	t.Run("refused sessions are anonymous", func(t *testing.T) {
		id := cookies[ok].SessionID
		for _, c := range []struct{ name, cookie string }{
			{"signed with another key", other.SessionID},
			{"tampered", tamper(id)},
			{"truncated", id[:len(id)/2]},
			{"empty", ""},
			{"garbage", "%00%ff" + strings.Repeat("x", 5000)},
		} {
			t.Run(c.name, func(t *testing.T) { anonymous(t, get(c.cookie)) })
		}
	})

	t.Run("CSRF", func(t *testing.T) {
		c := cookies[ok]
		session := "sessionid=" + c.SessionID
		withCSRF := session + "; csrftoken=" + c.CSRFCookie
		notAllowed := `{"detail":"Method \"POST\" not allowed."}`
		for _, tc := range []struct {
			name   string
			header []string
			body   string
			status int
			want   string
		}{
			{"no CSRF cookie", []string{"Cookie", session, "X-CSRFToken", c.CSRFToken}, "", 403, `{"detail":"CSRF Failed: CSRF cookie not set."}`},
			{"no token", []string{"Cookie", withCSRF}, "", 403, `{"detail":"CSRF Failed: CSRF token missing or incorrect."}`},
			{"a wrong token", []string{"Cookie", withCSRF, "X-CSRFToken", strings.Repeat("a", 64)}, "", 403, `{"detail":"CSRF Failed: CSRF token missing or incorrect."}`},
			{"the masked token in the header", []string{"Cookie", withCSRF, "X-CSRFToken", c.CSRFToken}, "", 405, notAllowed},
			{"the cookie's own value in the header", []string{"Cookie", withCSRF, "X-CSRFToken", c.CSRFCookie}, "", 405, notAllowed},
			{"the unmasked secret in the header", []string{"Cookie", withCSRF, "X-CSRFToken", unmask(t, c.CSRFToken)}, "", 405, notAllowed},
			{"the unmasked secret as the cookie", []string{"Cookie", session + "; csrftoken=" + unmask(t, c.CSRFCookie), "X-CSRFToken", c.CSRFToken}, "", 405, notAllowed},
			{"the token in the form", []string{"Cookie", withCSRF, "Content-Type", "application/x-www-form-urlencoded"},
				"csrfmiddlewaretoken=" + url.QueryEscape(c.CSRFToken), 405, notAllowed},
			{"HTTPS without a Referer", []string{"Cookie", withCSRF, "X-CSRFToken", c.CSRFToken, "X-Forwarded-Proto", "https"}, "", 403,
				`{"detail":"CSRF Failed: Referer checking failed - no Referer."}`},
			{"HTTPS from another site", []string{"Cookie", withCSRF, "X-CSRFToken", c.CSRFToken, "X-Forwarded-Proto", "https", "Referer", "https://evil.example/page"}, "", 403,
				`{"detail":"CSRF Failed: Referer checking failed - https://evil.example/page does not match any trusted origins."}`},
			{"HTTPS with a plain-HTTP Referer", []string{"Cookie", withCSRF, "X-CSRFToken", c.CSRFToken, "X-Forwarded-Proto", "https", "Referer", "http://" + s.addr + "/"}, "", 403,
				`{"detail":"CSRF Failed: Referer checking failed - Referer is insecure while host is secure."}`},
			{"HTTPS from our own host", []string{"Cookie", withCSRF, "X-CSRFToken", c.CSRFToken, "X-Forwarded-Proto", "https", "Referer", "https://" + s.addr + "/page"}, "", 405, notAllowed},
			{"HTTPS from a trusted origin", []string{"Cookie", withCSRF, "X-CSRFToken", c.CSRFToken, "X-Forwarded-Proto", "https", "Referer", "https://app.example.com/"}, "", 405, notAllowed},
		} {
			t.Run(tc.name, func(t *testing.T) {
				a := demotest.Do(t, "POST", base+"/api/protected/", tc.body, tc.header...)
				if a.Status != tc.status || a.Body != tc.want {
					t.Errorf("%d %s, want %d %s", a.Status, a.Body, tc.status, tc.want)
				}
			})
		}
		// A JWT is no session: no CSRF token needed, even with the
		// session cookie beside it.
		tok := obtainToken(t, base, ok, *dj.User(t, ok).Password)
		if a := demotest.Do(t, "POST", base+"/api/protected/", "", "Authorization", "JWT "+tok, "Cookie", session); a.Status != 405 || a.Body != notAllowed {
			t.Errorf("a JWT POST with the session cookie: %d %s", a.Status, a.Body)
		}
	})

	t.Run("Django changes", func(t *testing.T) {
		ops := []djangotest.SessionOp{
			{Op: djangotest.SetPassword, Username: changed, Password: "a-new-password-9876"},
			{Op: djangotest.Deactivate, Username: disabled},
		}
		gone := []string{changed, disabled}
		if engine == djangotest.SessionDB {
			ops = append(ops, djangotest.SessionOp{Op: djangotest.Logout, Username: loggedOut}, djangotest.SessionOp{Op: djangotest.Expire, Username: expired})
			gone = append(gone, loggedOut, expired)
		}
		djangotest.SessionOps(t, dj, djSecret, ops...)
		for _, name := range gone {
			t.Run(name, func(t *testing.T) { anonymous(t, get(cookies[name].SessionID)) })
		}
		if a := get(cookies[ok].SessionID); a.Status != 200 || a.Body != user(ok) {
			t.Errorf("the untouched session: %d %s", a.Status, a.Body)
		}
	})
}

// unmask is the 32-character secret of a masked 64-character CSRF token,
// as Django's _unmask_cipher_token computes it.
func unmask(t *testing.T, token string) string {
	t.Helper()
	const chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	if len(token) != 64 {
		t.Fatalf("a masked CSRF token has 64 characters, not %d", len(token))
	}
	mask, cipher := token[:32], token[32:]
	out := make([]byte, 32)
	for i := range out {
		x, y := strings.IndexByte(chars, mask[i]), strings.IndexByte(chars, cipher[i])
		out[i] = chars[(y-x+len(chars))%len(chars)]
	}
	return string(out)
}

// tamper changes one character of a cookie value in the middle.
func tamper(v string) string {
	b := []byte(v)
	i := len(b) / 2
	if b[i] == 'a' {
		b[i] = 'b'
	} else {
		b[i] = 'a'
	}
	return string(b)
}

// obtainToken logs in through DRF-JWT's obtain endpoint.
func obtainToken(t *testing.T, base, username, password string) string {
	t.Helper()
	a := demotest.Do(t, "POST", base+"/api-token-auth/", credentials(username, password))
	if a.Status != 200 {
		t.Fatalf("obtain: %d %s", a.Status, a.Body)
	}
	return strings.TrimSuffix(strings.TrimPrefix(a.Body, `{"token":"`), `"}`)
}
