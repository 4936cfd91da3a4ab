package session

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jwtauth-go/jwtauth"
)

// TestNewRefuses: every problem of a configuration, reported at once, and
// never a secret.
func TestNewRefuses(t *testing.T) {
	users, _ := testUsers(t)
	for _, c := range []struct {
		name string
		s    Settings
		want []string // each a part of the error
	}{
		{"nothing", Settings{}, []string{"SecretKey is empty", "the db engine needs a Store", "Users is nil"}},
		{"empty fallback", Settings{SecretKey: testKey, SecretKeyFallbacks: []jwtauth.Secret{testOldKey, ""}, Engine: EngineSignedCookies, Users: users}, []string{"SecretKeyFallbacks[1] is empty"}},
		{"cache engine", Settings{SecretKey: testKey, Engine: "django.contrib.sessions.backends.cached_db", Users: users}, []string{`Engine "django.contrib.sessions.backends.cached_db" cannot be read`}},
		{"store for signed_cookies", Settings{SecretKey: testKey, Engine: EngineSignedCookies, Store: &memStore{}, Users: users}, []string{"Store must be nil"}},
		{"cookie name", Settings{SecretKey: testKey, Engine: EngineSignedCookies, Users: users, CookieName: "session id", CSRFCookieName: "a;b"}, []string{`CookieName "session id"`, `CSRFCookieName "a;b"`}},
		{"negative age", Settings{SecretKey: testKey, Engine: EngineSignedCookies, Users: users, CookieAge: -time.Second}, []string{"CookieAge -1s is negative"}},
		{"no backends", Settings{SecretKey: testKey, Engine: EngineSignedCookies, Users: users, Backends: []string{}}, []string{"Backends is empty"}},
		{"bad backend", Settings{SecretKey: testKey, Engine: EngineSignedCookies, Users: users, Backends: []string{"ModelBackend", "a..b", "x.1y"}}, []string{`Backends[0] "ModelBackend"`, `Backends[1] "a..b"`, `Backends[2] "x.1y"`}},
		{"header", Settings{SecretKey: testKey, Engine: EngineSignedCookies, Users: users, CSRFHeaderName: "X CSRF"}, []string{`CSRFHeaderName "X CSRF"`}},
		{"origins", Settings{SecretKey: testKey, Engine: EngineSignedCookies, Users: users, TrustedOrigins: []string{"https://ok.example", "", "https://x.example/path", "://x", "a b"}}, []string{"TrustedOrigins[1]", "TrustedOrigins[2]", "TrustedOrigins[3]", "TrustedOrigins[4]"}},
		{"proxy header", Settings{SecretKey: testKey, Engine: EngineSignedCookies, Users: users, SecureProxySSLHeader: [2]string{"X-Forwarded-Proto", ""}}, []string{"SecureProxySSLHeader needs both"}},
		{"cookie domain", Settings{SecretKey: testKey, Engine: EngineSignedCookies, Users: users, CSRFCookieDomain: "https://example.com"}, []string{`CSRFCookieDomain "https://example.com"`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, err := New(c.s)
			if err == nil || a != nil {
				t.Fatalf("New = %v, %v; want an error", a, err)
			}
			msg := err.Error()
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q lacks %q", msg, w)
				}
			}
			if strings.Count(msg, "session: New:") < len(c.want) {
				t.Errorf("error %q: not one line per problem", msg)
			}
			for _, k := range []jwtauth.Secret{testKey, testOldKey} {
				if strings.Contains(msg, string(k)) || strings.Contains(fmt.Sprintf("%+v %#v", c.s, c.s), string(k)) {
					t.Fatalf("a secret shows: %q", msg)
				}
			}
		})
	}
}

// TestNewDefaults: zero values are Django's defaults.
func TestNewDefaults(t *testing.T) {
	users, _ := testUsers(t)
	a := newTest(t, Settings{SecretKey: testKey, Store: &memStore{}, Users: users})
	switch {
	case a.cookie != "sessionid", a.csrf.cookie != "csrftoken", a.csrf.header != "X-Csrftoken":
		t.Errorf("names %q %q %q", a.cookie, a.csrf.cookie, a.csrf.header)
	case a.codec.maxAge != 0 || a.codec.maxLen != maxDataLen:
		t.Errorf("db codec %+v", a.codec.maxAge)
	case len(a.backends) != 1 || a.backends[ModelBackend]:
		t.Errorf("backends %v", a.backends)
	case a.codec.keySHA1 != nil || a.codec.keyLegacyData != nil || a.authKeySHA1 != nil:
		t.Error("Legacy keys without Legacy")
	}
	c := newTest(t, Settings{SecretKey: testKey, Engine: EngineSignedCookies, Users: users, Legacy: true})
	switch {
	case c.codec.maxAge != DefaultCookieAge:
		t.Errorf("max_age %s", c.codec.maxAge)
	case c.codec.keySHA1 == nil || c.codec.keyLegacyData != nil:
		t.Error("signed_cookies with Legacy: SHA-1 signatures, never the pre-3.1 encoding")
	}
	p := newTest(t, Settings{SecretKey: testKey, Engine: EngineSignedCookies, Users: users, SecureProxySSLHeader: [2]string{"HTTP_X_FORWARDED_PROTO", "https"}})
	if p.csrf.proxyHeader != "X-Forwarded-Proto" {
		t.Errorf("proxy header %q", p.csrf.proxyHeader)
	}
}
