package session

import (
	"net/http"
	"testing"
	"time"

	"github.com/jwtauth-go/jwtauth"
)

// BenchmarkSession: one request's authentication, for each engine, with
// and without the CSRF check, under a fallback key, and refused.
func BenchmarkSession(b *testing.B) {
	users, u := testUsers(b)
	alice := u["alice"]
	store := &memStore{}
	store.put(testSessionKey, testSigner{key: testKey, salt: saltDB}.signJSON(b, loginSession(alice, ModelBackend, testKey)), testNow.Add(time.Hour))
	cookie := testSigner{key: testKey, salt: saltCookies}.signJSON(b, loginSession(alice, ModelBackend, testKey))
	old := testSigner{key: testOldKey, salt: saltCookies}.signJSON(b, loginSession(alice, ModelBackend, testOldKey))
	forged := testSigner{key: "a key no setting names, 0123456789abcdefghijklmnopqrstuvwxyz", salt: saltCookies}.signJSON(b, loginSession(alice, ModelBackend, testKey))
	tok := maskToken(testCSRFSecret, testCSRFMask)

	dbAuth := newTest(b, Settings{SecretKey: testKey, Store: store, Users: users})
	cookieAuth := newTest(b, Settings{SecretKey: testKey, Engine: EngineSignedCookies, Users: users})
	rotated := newTest(b, Settings{SecretKey: testKey, SecretKeyFallbacks: []jwtauth.Secret{testWrong, testOldKey}, Engine: EngineSignedCookies, Users: users})
	for _, c := range []struct {
		name string
		a    *authenticator
		r    *http.Request
		ok   bool
	}{
		{"signed_cookies/GET", cookieAuth, request("GET", "/", "", "Cookie", "sessionid="+cookie), true},
		{"signed_cookies/POST+CSRF", cookieAuth, request("POST", "/", "", "Cookie", "sessionid="+cookie+"; csrftoken="+testCSRFSecret, "X-CSRFToken", tok), true},
		{"signed_cookies/fallback-key", rotated, request("GET", "/", "", "Cookie", "sessionid="+old), true},
		{"signed_cookies/forged", rotated, request("GET", "/", "", "Cookie", "sessionid="+forged), false},
		{"db/GET", dbAuth, request("GET", "/", "", "Cookie", "sessionid="+testSessionKey), true},
		{"db/POST+CSRF", dbAuth, request("POST", "https://example.com/", "", "Cookie", "sessionid="+testSessionKey+"; csrftoken="+tok, "X-CSRFToken", tok, "Referer", "https://example.com/form/"), true},
		{"db/unknown-key", dbAuth, request("GET", "/", "", "Cookie", "sessionid=zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"), false},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.a.Authenticate(c.r); (err == nil) != c.ok {
					b.Fatal(err)
				}
			}
		})
	}
}
