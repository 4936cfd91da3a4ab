package jwtauth

// Tests of where credentials come from (credentials.go), through the
// middleware: the Authorization header matrix, the Bearer prefix and the
// cookie of section C of the reference answers, HTTP Basic, duplicate
// headers, and further authenticators.

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jwtauth-go/jwtauth/throttle"
)

// basicAuthHeader is "Basic base64(userpass)".
func basicAuthHeader(userpass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(userpass))
}

// TestAuthorizationHeaderMatrix pins section C, port 8001 (prefix JWT,
// Basic after JWT), for jpueblo instead of admin.
func TestAuthorizationHeaderMatrix(t *testing.T) {
	t.Parallel()
	tk := newReferenceTokens(t)
	v := tk.valid
	const auth = "Authorization"
	notProvided := detailBody("Authentication credentials were not provided.")
	runProtectedCases(t, []protectedCase{
		{name: "no Authorization", status: 401, body: notProvided},
		{name: "JWT alone", headers: []string{auth, "JWT"}, status: 401, body: detailBody("Invalid Authorization header. No credentials provided.")},
		{name: "JWT and a trailing space", headers: []string{auth, "JWT "}, status: 401, body: detailBody("Invalid Authorization header. No credentials provided.")},
		{name: "JWT a b", headers: []string{auth, "JWT a b"}, status: 401, body: detailBody("Invalid Authorization header. Credentials string should not contain spaces.")},
		{name: "JWT abc123", headers: []string{auth, "JWT abc123"}, status: 401, body: detailBody("Error decoding signature.")},
		{name: "lower-case prefix", headers: []string{auth, "jwt " + v}, status: 200, body: protectedOK},
		{name: "mixed-case prefix", headers: []string{auth, "Jwt " + v}, status: 200, body: protectedOK},
		{name: "two spaces", headers: []string{auth, "JWT  " + v}, status: 200, body: protectedOK},
		{name: "tab", headers: []string{auth, "JWT\t" + v}, status: 200, body: protectedOK},
		{name: "vertical tab and form feed", headers: []string{auth, "JWT\v\f" + v}, status: 200, body: protectedOK},
		{name: "trailing spaces", headers: []string{auth, "JWT " + v + "   "}, status: 200, body: protectedOK},
		{name: "leading spaces", headers: []string{auth, "  JWT " + v}, status: 200, body: protectedOK},
		{name: "valid", headers: []string{auth, "JWT " + v}, status: 200, body: protectedOK},
		// A no-break space is not ASCII whitespace (Python's bytes.split
		// neither): one word, not our scheme.
		{name: "no-break space", headers: []string{auth, "JWT\u00a0" + v}, status: 401, body: notProvided},
		{name: "prefix glued to the token", headers: []string{auth, "JWT" + v}, status: 401, body: notProvided},
		{name: "Bearer on a JWT server", headers: []string{auth, "Bearer " + v}, status: 401, body: notProvided},
		{name: "expired", headers: []string{auth, "JWT " + tk.expired}, status: 401, body: detailBody("Signature has expired.")},
		{name: "alg none", headers: []string{auth, "JWT " + tk.algNone}, status: 401, body: detailBody("Incorrect authentication credentials.")},
		{name: "inactive user", headers: []string{auth, "JWT " + tk.inactive}, status: 401, body: detailBody("User account is disabled.")},
		{name: "unknown user", headers: []string{auth, "JWT " + tk.ghost}, status: 401, body: detailBody("Invalid signature.")},
		{name: "tampered signature", headers: []string{auth, "JWT " + tk.tamper}, status: 401, body: detailBody("Error decoding signature.")},
		{name: "without orig_iat", headers: []string{auth, "JWT " + tk.noOrigIAT}, status: 200, body: protectedOK},
		// The refresh window is the refresh endpoint's business only.
		{name: "orig_iat older than the window", headers: []string{auth, "JWT " + tk.oldOrigIAT}, status: 200, body: protectedOK},
		{name: "non-ASCII token", headers: []string{auth, "JWT t\u00f6k\u00e9n"}, status: 401, body: detailBody("Error decoding signature.")},
		{name: "unknown scheme Digest", headers: []string{auth, "Digest abc"}, status: 401, body: notProvided},
		// DRF's authtoken "Token" scheme is not in the core (sqlstore
		// provides it): without it, the scheme is unknown.
		{name: "Token scheme not configured", headers: []string{auth, "Token 0123456789abcdef0123456789abcdef01234567"}, status: 401, body: notProvided},

		// Methods: the middleware authenticates; 405 is the view's
		// business (DRF answers 405 only once authenticated).
		{name: "POST with valid JWT", method: "POST", headers: []string{auth, "JWT " + v}, status: 200, body: protectedOK},
		{name: "POST without JWT", method: "POST", status: 401, body: notProvided},
		{name: "PUT without JWT", method: "PUT", status: 401, body: notProvided},
		{name: "HEAD with valid JWT", method: "HEAD", headers: []string{auth, "JWT " + v}, status: 200, body: protectedOK},
		{name: "OPTIONS without JWT", method: "OPTIONS", status: 401, body: notProvided},
		{name: "OPTIONS with valid JWT", method: "OPTIONS", headers: []string{auth, "JWT " + v}, status: 200, body: protectedOK},
		// Tokens in URLs leak into logs: the query string is never read.
		{name: "query string token ignored", target: "/api/protected/?token=" + v, status: 401, body: notProvided},
		{name: "query string jwt ignored", target: "/api/protected/?jwt=" + v, status: 401, body: notProvided},
	})
}

// TestDuplicateAuthorizationHeaders: a second Authorization header is
// refused whatever the two say. DRF (behind a WSGI server that joins them
// with ",") says "should not contain spaces" when the joined value starts
// with our prefix, and "not provided" when it starts with another scheme;
// we give the first answer in every case, as which header a proxy reads
// differs (a deliberate difference for "Bearer x" then "JWT <valid>").
func TestDuplicateAuthorizationHeaders(t *testing.T) {
	t.Parallel()
	v := newReferenceTokens(t).valid
	const auth = "Authorization"
	spaces := detailBody("Invalid Authorization header. Credentials string should not contain spaces.")
	runProtectedCases(t, []protectedCase{
		{name: "JWT valid twice", headers: []string{auth, "JWT " + v, auth, "JWT " + v}, status: 401, body: spaces},
		{name: "Bearer x then JWT valid", headers: []string{auth, "Bearer x", auth, "JWT " + v}, status: 401, body: spaces},
		{name: "JWT valid then Bearer x", headers: []string{auth, "JWT " + v, auth, "Bearer x"}, status: 401, body: spaces},
		{name: "JWT valid then empty", headers: []string{auth, "JWT " + v, auth, ""}, status: 401, body: spaces},
		{name: "Basic twice", headers: []string{auth, basicAuthHeader("jpueblo:password"), auth, basicAuthHeader("jpueblo:password")}, status: 401, body: spaces},
		{
			name: "two headers hide the cookie", tweak: func(s *Settings) { s.AuthCookie = "jwt" },
			headers: []string{"Cookie", "jwt=" + v, auth, "", auth, ""}, status: 401, body: spaces,
		},
	})
}

// TestBearerPrefix pins section C, port 8002 (JWT_AUTH_HEADER_PREFIX
// Bearer), and DRF-JWT's test_authentication 12 and 13.
func TestBearerPrefix(t *testing.T) {
	t.Parallel()
	v := newReferenceTokens(t).valid
	bearer := func(s *Settings) { s.AuthHeaderPrefix = "Bearer" }
	const auth, challenge = "Authorization", `Bearer realm="api"`
	runProtectedCases(t, []protectedCase{
		{name: "auth13 no header", tweak: bearer, status: 401, body: detailBody("Authentication credentials were not provided."), challenge: challenge},
		{name: "auth12 Bearer valid", tweak: bearer, headers: []string{auth, "Bearer " + v}, status: 200, body: protectedOK},
		{name: "lower-case bearer", tweak: bearer, headers: []string{auth, "bearer " + v}, status: 200, body: protectedOK},
		{name: "JWT on a Bearer server", tweak: bearer, headers: []string{auth, "JWT " + v}, status: 401, body: detailBody("Authentication credentials were not provided."), challenge: challenge},
		{name: "Bearer alone", tweak: bearer, headers: []string{auth, "Bearer"}, status: 401, body: detailBody("Invalid Authorization header. No credentials provided."), challenge: challenge},
		{name: "Bearer abc123", tweak: bearer, headers: []string{auth, "Bearer abc123"}, status: 401, body: detailBody("Error decoding signature."), challenge: challenge},
		// Every 401 carries the first scheme's challenge, even Basic's.
		{name: "Basic failure carries the Bearer challenge", tweak: bearer, headers: []string{auth, basicAuthHeader("jpueblo:wrong")}, status: 401, body: detailBody("Invalid username/password."), challenge: challenge},
	})
}

// TestCookieCredential pins section C, port 8003 (JWT_AUTH_COOKIE jwt):
// the cookie is read only when Authorization is absent or blank.
func TestCookieCredential(t *testing.T) {
	t.Parallel()
	tk := newReferenceTokens(t)
	v := tk.valid
	cookie := func(s *Settings) { s.AuthCookie = "jwt" }
	const auth = "Authorization"
	notProvided := detailBody("Authentication credentials were not provided.")
	runProtectedCases(t, []protectedCase{
		{name: "only the cookie", tweak: cookie, headers: []string{"Cookie", "jwt=" + v}, status: 200, body: protectedOK},
		{name: "cookie among others", tweak: cookie, headers: []string{"Cookie", "a=1; jwt=" + v + "; b=2"}, status: 200, body: protectedOK},
		// Sent twice (tossed in from a sibling subdomain): Django keeps
		// the last copy, net/http the first; which is the victim's is
		// unknown, so neither is taken.
		{name: "cookie twice, valid first", tweak: cookie, headers: []string{"Cookie", "jwt=" + v + "; jwt=" + tk.expired}, status: 401, body: detailBody("Incorrect authentication credentials.")},
		{name: "cookie twice, valid last", tweak: cookie, headers: []string{"Cookie", "jwt=abc; jwt=" + v}, status: 401, body: detailBody("Incorrect authentication credentials.")},
		{name: "cookie twice in two headers", tweak: cookie, headers: []string{"Cookie", "jwt=" + v, "Cookie", "jwt=" + v}, status: 401, body: detailBody("Incorrect authentication credentials.")},
		{name: "cookie plus Basic bad", tweak: cookie, headers: []string{"Cookie", "jwt=" + v, auth, basicAuthHeader("jpueblo:wrong")}, status: 401, body: detailBody("Invalid username/password.")},
		{
			// Deliberate difference: Python's lenient base64 reads "!!!"
			// as empty ("Invalid username/password."); we decode strictly.
			name: "cookie plus Basic !!!", tweak: cookie, headers: []string{"Cookie", "jwt=" + v, auth, "Basic !!!"},
			status: 401, body: detailBody("Invalid basic header. Credentials not correctly base64 encoded."),
		},
		{name: "cookie plus Basic without Basic configured", tweak: func(s *Settings) { cookie(s); s.Authenticators = nil }, headers: []string{"Cookie", "jwt=" + v, auth, basicAuthHeader("jpueblo:password")}, status: 401, body: notProvided},
		{name: "cookie plus Bearer hides the cookie", tweak: cookie, headers: []string{"Cookie", "jwt=" + v, auth, "Bearer " + v}, status: 401, body: notProvided},
		{name: "cookie plus JWT abc123", tweak: cookie, headers: []string{"Cookie", "jwt=" + v, auth, "JWT abc123"}, status: 401, body: detailBody("Error decoding signature.")},
		{name: "cookie plus JWT alone", tweak: cookie, headers: []string{"Cookie", "jwt=" + v, auth, "JWT"}, status: 401, body: detailBody("Invalid Authorization header. No credentials provided.")},
		{name: "cookie plus blank header", tweak: cookie, headers: []string{"Cookie", "jwt=" + v, auth, "   "}, status: 200, body: protectedOK},
		{name: "cookie plus empty header", tweak: cookie, headers: []string{"Cookie", "jwt=" + v, auth, ""}, status: 200, body: protectedOK},
		{name: "header valid, cookie garbage", tweak: cookie, headers: []string{"Cookie", "jwt=abc", auth, "JWT " + v}, status: 200, body: protectedOK},
		{name: "empty cookie value", tweak: cookie, headers: []string{"Cookie", "jwt="}, status: 401, body: detailBody("Error decoding signature.")},
		{name: "cookie garbage", tweak: cookie, headers: []string{"Cookie", "jwt=abc"}, status: 401, body: detailBody("Error decoding signature.")},
		{name: "cookie expired", tweak: cookie, headers: []string{"Cookie", "jwt=" + tk.expired}, status: 401, body: detailBody("Signature has expired.")},
		{name: "no cookie no header", tweak: cookie, status: 401, body: notProvided},
		{name: "another cookie only", tweak: cookie, headers: []string{"Cookie", "session=" + v}, status: 401, body: notProvided},
		// DRF-JWT does no CSRF check for the cookie (spec §9.11); neither
		// does the middleware (an application adds
		// http.CrossOriginProtection).
		{name: "POST with the cookie only", tweak: cookie, method: "POST", headers: []string{"Cookie", "jwt=" + v}, status: 200, body: protectedOK},
		// Without AuthCookie the cookie is never read.
		{name: "cookie mode off", headers: []string{"Cookie", "jwt=" + v}, status: 401, body: notProvided},
	})
}

// TestBasicAuthentication pins DRF's BasicAuthentication answers (section
// C) and its UTF-8 then Latin-1 decoding.
func TestBasicAuthentication(t *testing.T) {
	t.Parallel()
	const auth = "Authorization"
	special := func(t testing.TB) UserStore {
		s := newFixtureStore(t)
		addFixtureUser(t, s, User{ID: "5", Username: "jos\u00e9", IsActive: true}, "pw")
		addFixtureUser(t, s, User{ID: "6", Username: "colon", IsActive: true}, "a:b")
		return s
	}
	allowAll := func(t testing.TB) UserStore { return newAllowAllUsersStore(t) }
	runProtectedCases(t, []protectedCase{
		{name: "jpueblo:password", headers: []string{auth, basicAuthHeader("jpueblo:password")}, status: 200, body: protectedOK},
		{name: "lower-case scheme", headers: []string{auth, "basic " + base64.StdEncoding.EncodeToString([]byte("jpueblo:password"))}, status: 200, body: protectedOK},
		{name: "jpueblo:wrong", headers: []string{auth, basicAuthHeader("jpueblo:wrong")}, status: 401, body: detailBody("Invalid username/password.")},
		{name: "unknown user", headers: []string{auth, basicAuthHeader("ghost:password")}, status: 401, body: detailBody("Invalid username/password.")},
		// Django's ModelBackend refuses inactive users before DRF looks.
		{name: "inactive:inactivepw", headers: []string{auth, basicAuthHeader("inactive:inactivepw")}, status: 401, body: detailBody("Invalid username/password.")},
		{name: "inactive with an all-users backend", store: allowAll, headers: []string{auth, basicAuthHeader("inactive:inactivepw")}, status: 401, body: detailBody("User inactive or deleted.")},
		{name: "Basic alone", headers: []string{auth, "Basic"}, status: 401, body: detailBody("Invalid basic header. No credentials provided.")},
		{name: "Basic a b", headers: []string{auth, "Basic a b"}, status: 401, body: detailBody("Invalid basic header. Credentials string should not contain spaces.")},
		{name: "Basic !!!notbase64", headers: []string{auth, "Basic !!!notbase64"}, status: 401, body: detailBody("Invalid basic header. Credentials not correctly base64 encoded.")},
		// DRF 3.14 partitions at the first colon: no colon is an empty
		// password (reference answers, Surprise 5).
		{name: "no colon", headers: []string{auth, basicAuthHeader("jpueblopassword")}, status: 401, body: detailBody("Invalid username/password.")},
		{name: "colon in the password", store: special, headers: []string{auth, basicAuthHeader("colon:a:b")}, status: 200, body: `{"user_id":6,"username":"colon"}`},
		{name: "UTF-8 username", store: special, headers: []string{auth, basicAuthHeader("jos\u00e9:pw")}, status: 200, body: "{\"user_id\":5,\"username\":\"jos\u00e9\"}"},
		{name: "Latin-1 username", store: special, headers: []string{auth, basicAuthHeader("jos\xe9:pw")}, status: 200, body: "{\"user_id\":5,\"username\":\"jos\u00e9\"}"},
		{name: "Basic not configured", tweak: func(s *Settings) { s.Authenticators = nil }, headers: []string{auth, basicAuthHeader("jpueblo:password")}, status: 401, body: detailBody("Authentication credentials were not provided.")},
		{
			name: "store down", store: func(testing.TB) UserStore { return failingStore{errors.New("database down")} },
			headers: []string{auth, basicAuthHeader("jpueblo:password")},
			status:  503, body: detailBody("Service temporarily unavailable, try again later."),
		},
	})
}

// schemeAuthenticator accepts "<scheme> good" as jpueblo, like DRF-JWT's
// test_authentication 10 does with an OAuth2 provider, and returns what it
// is told for "<scheme> bad".
type schemeAuthenticator struct {
	scheme string
	user   User
	bad    error
}

func (s schemeAuthenticator) Authenticate(r *http.Request) (User, error) {
	switch r.Header.Get("Authorization") {
	case s.scheme + " good":
		return s.user, nil
	case s.scheme + " bad":
		return User{}, s.bad
	}
	return User{}, ErrNoCredentials
}

// TestOtherAuthenticators: schemes after JWT are tried in order when the
// request carries no JWT, and their errors are answered as DRF would.
func TestOtherAuthenticators(t *testing.T) {
	t.Parallel()
	v := newReferenceTokens(t).valid
	with := func(bad error, user User) func(*Settings) {
		return func(s *Settings) {
			s.Authenticators = []Authenticator{schemeAuthenticator{"Bearer", user, bad}}
		}
	}
	ok := with(nil, fixtureUser)
	const auth = "Authorization"
	runProtectedCases(t, []protectedCase{
		// test_authentication 10: JWT listed first says "not mine" to
		// Bearer, and the next scheme authenticates.
		{name: "auth10 Bearer token after JWT", tweak: ok, headers: []string{auth, "Bearer good"}, status: 200, body: protectedOK},
		{name: "auth10 JWT still accepted", tweak: ok, headers: []string{auth, "JWT " + v}, status: 200, body: protectedOK},
		{name: "JWT failure stops the chain", tweak: ok, headers: []string{auth, "JWT abc123"}, status: 401, body: detailBody("Error decoding signature.")},
		{name: "neither scheme", tweak: ok, headers: []string{auth, "Digest x"}, status: 401, body: detailBody("Authentication credentials were not provided.")},
		{
			name: "an *Error chooses the message", tweak: with(&Error{Status: http.StatusUnauthorized, Detail: "Invalid token."}, fixtureUser),
			headers: []string{auth, "Bearer bad"}, status: 401, body: detailBody("Invalid token."),
		},
		{
			name: "a sentinel gets DRF's message", tweak: with(ErrExpiredToken, fixtureUser),
			headers: []string{auth, "Bearer bad"}, status: 401, body: detailBody("Signature has expired."),
		},
		{
			name: "any other error is a service failure", tweak: with(errors.New("introspection endpoint down"), fixtureUser),
			headers: []string{auth, "Bearer bad"}, status: 503, body: detailBody("Service temporarily unavailable, try again later."),
		},
		{
			name: "an inactive user is refused", tweak: with(nil, fixtureInactive),
			headers: []string{auth, "Bearer good"}, status: 401, body: detailBody("User account is disabled."),
		},
	})
}

// TestAuthenticateDirectly: Auth.Authenticate is the middleware's decision
// without the HTTP answer.
func TestAuthenticateDirectly(t *testing.T) {
	t.Parallel()
	store := newFixtureStore(t)
	a := newTestAuth(t, store, func(s *Settings) { s.Authenticators = []Authenticator{BasicAuthentication(store)} })
	v := hs256(fixtureTokenPayload)
	for _, tc := range []struct {
		name, header string
		want         error
		claims       bool
	}{
		{"none", "", ErrNoCredentials, false},
		{"jwt", "JWT " + v, nil, true},
		{"basic", basicAuthHeader("jpueblo:password"), nil, false},
		{"expired", "JWT " + handMadeToken(t, map[string]any{"username": "jpueblo", "exp": 1}), ErrExpiredToken, false},
		{"spaces", "JWT a b", errInvalidHeader, false},
		{"basic wrong", basicAuthHeader("jpueblo:x"), ErrInvalidCredentials, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, "/", nil)
			if tc.header != "" {
				r.Header.Set("Authorization", tc.header)
			}
			u, c, err := a.Authenticate(r)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if err == nil && withoutHash(u) != fixtureUser {
				t.Errorf("user = %+v", u)
			}
			if hasClaims := !c.ExpiresAt.IsZero(); hasClaims != tc.claims {
				t.Errorf("claims = %+v, want claims %t", c, tc.claims)
			}
		})
	}
}

// metered is an Authenticator of the user's own around another: an
// ordinary decorator, counting calls.
type metered struct {
	next  Authenticator
	calls atomic.Int32
}

func (m *metered) Authenticate(r *http.Request) (User, error) {
	m.calls.Add(1)
	return m.next.Authenticate(r)
}

// TestBasicAuthenticationWrapped: BasicAuthentication inside a decorator
// still shares the Auth's login slots and throttle (before, New found it
// only by its type: wrapped, every Basic login waited a second for a slot
// that did not exist and answered 500).
func TestBasicAuthenticationWrapped(t *testing.T) {
	t.Parallel()
	store := newFixtureStore(t)
	m := &metered{next: BasicAuthentication(store)}
	limit, err := throttle.NewMemory(throttle.Rate{N: 1, Period: time.Minute}, throttle.Rate{})
	if err != nil {
		t.Fatal(err)
	}
	a := newTestAuth(t, store, func(s *Settings) {
		s.Authenticators = []Authenticator{m}
		s.LoginThrottle = limit
	})
	h := a.Required(&protectedView{})
	get := func(userpass string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, "/api/protected/", nil)
		r.Header.Set("Authorization", basicAuthHeader(userpass))
		return serveRecorded(h, r)
	}
	start := time.Now()
	assertJSONResponse(t, get("jpueblo:password"), http.StatusOK, protectedOK)
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("a wrapped Basic login took %v: it waited for a login slot", d)
	}
	// The Auth's throttle counts the wrapped authenticator's attempts.
	rec := get("jpueblo:password")
	assertJSONResponse(t, rec, http.StatusTooManyRequests, detailBody("Request was throttled. Expected available in 60 seconds."))
	if m.calls.Load() != 2 {
		t.Errorf("the decorator ran %d times, want 2", m.calls.Load())
	}
	// Used outside an Auth, it still checks passwords.
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Authorization", basicAuthHeader("jpueblo:password"))
	if u, err := BasicAuthentication(store).Authenticate(r); err != nil || u.Username != "jpueblo" {
		t.Errorf("outside an Auth: %+v, %v", u, err)
	}
}
