package jwtauth

// HTTP-level tests of the middleware: DRF-JWT's tests/test_authentication.py
// scenario by scenario, Required and ReadOnly, the request context, store
// failures, Settings.ErrorHandler, and users changing after issue.

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jwtauth-go/jwtauth/internal/testkit"
	"github.com/jwtauth-go/jwtauth/passwords"
)

// upstreamMockView is the upstream tests' protected view: it answers
// "mockview-get" or "mockview-post" and records what the middleware put in
// the request context.
type upstreamMockView struct {
	mu               sync.Mutex
	calls            int
	user             User
	userOK, claimsOK bool
	claims           Claims
}

func (v *upstreamMockView) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.calls++
	v.user, v.userOK = UserFromContext(r.Context())
	v.claims, v.claimsOK = ClaimsFromContext(r.Context())
	_, _ = io.WriteString(w, "mockview-"+strings.ToLower(r.Method))
}

// fixtureClaims are the claims of hs256(fixtureTokenPayload), as the
// middleware must hand them to the view: exactly user_id, username, exp and
// email (test_authentication 1).
var fixtureClaims = Claims{
	UserID:    "1",
	Username:  "jpueblo",
	Email:     "jpueblo@example.com",
	ExpiresAt: time.Unix(1700000300, 0),
}

// TestMiddlewareUpstreamSuite covers tests/test_authentication.py against a
// view behind Required (DRF's IsAuthenticated with only
// JSONWebTokenAuthentication). 10, 12 and 13 are also in
// credentials_test.go.
func TestMiddlewareUpstreamSuite(t *testing.T) {
	t.Parallel()
	store := newFixtureStore(t)
	valid := hs256(fixtureTokenPayload)
	now := int64(fixtureNowUnix)
	form := func(t testing.TB) *http.Request {
		return multipartBodyRequest(t, "/jwt/", "username", "jpueblo", "password", "password")
	}
	jsonReq := func(testing.TB) *http.Request {
		return jsonBodyRequest(http.MethodPost, "/jwt/", fixtureLogin)
	}
	for _, tc := range []struct {
		name      string
		tweak     func(*Settings)
		req       func(testing.TB) *http.Request
		header    string // Authorization, if any
		status    int
		body      string // exact; "mockview-post" on success
		challenge string
	}{
		{name: "auth1 form post with token", req: form, header: "JWT " + valid, status: 200, body: "mockview-post"},
		{name: "auth2 json post with token", req: jsonReq, header: "JWT " + valid, status: 200, body: "mockview-post"},
		{name: "auth3 form post without token", req: form, status: 401, body: detailBody("Authentication credentials were not provided."), challenge: `JWT realm="api"`},
		{name: "auth4 json post without token", req: jsonReq, status: 401, body: detailBody("Authentication credentials were not provided."), challenge: `JWT realm="api"`},
		{name: "auth5 JWT without token", req: jsonReq, header: "JWT", status: 401, body: detailBody("Invalid Authorization header. No credentials provided."), challenge: `JWT realm="api"`},
		{name: "auth6 JWT abc abc", req: jsonReq, header: "JWT abc abc", status: 401, body: detailBody("Invalid Authorization header. Credentials string should not contain spaces."), challenge: `JWT realm="api"`},
		{
			name: "auth7 exp 1", req: jsonReq, status: 401, body: detailBody("Signature has expired."), challenge: `JWT realm="api"`,
			header: "JWT " + handMadeToken(t, map[string]any{"user_id": 1, "username": "jpueblo", "email": "jpueblo@example.com", "exp": 1}),
		},
		// auth8 (per-user secret) is TestMiddlewarePerUserSecret.
		{name: "auth9 JWT abc123", req: jsonReq, header: "JWT abc123", status: 401, body: detailBody("Error decoding signature."), challenge: `JWT realm="api"`},
		{
			// Port decision: exp is required, so the upstream payload
			// {"email": null} (no exp) is refused before its username is
			// looked at.
			name: "auth11 email null without exp", req: form, status: 401, body: detailBody("Incorrect authentication credentials."), challenge: `JWT realm="api"`,
			header: "JWT " + handMadeToken(t, map[string]any{"email": nil}),
		},
		{
			name: "auth11 email null with a future exp", req: form, status: 401, body: detailBody("Invalid payload."), challenge: `JWT realm="api"`,
			header: "JWT " + handMadeToken(t, map[string]any{"email": nil, "exp": now + 300}),
		},
		{
			name: "no username claim", req: jsonReq, status: 401, body: detailBody("Invalid payload."), challenge: `JWT realm="api"`,
			header: "JWT " + handMadeToken(t, map[string]any{"user_id": 1, "email": "jpueblo@example.com", "exp": now + 300}),
		},
		{
			name: "empty username claim", req: jsonReq, status: 401, body: detailBody("Invalid payload."), challenge: `JWT realm="api"`,
			header: "JWT " + handMadeToken(t, map[string]any{"username": "", "exp": now + 300}),
		},
		{
			name: "numeric username claim", req: jsonReq, status: 401, body: detailBody("Invalid payload."), challenge: `JWT realm="api"`,
			header: "JWT " + handMadeToken(t, map[string]any{"username": 0, "exp": now + 300}),
		},
		{
			// Claim names are case-sensitive.
			name: "USERNAME is not username", req: jsonReq, status: 401, body: detailBody("Invalid payload."), challenge: `JWT realm="api"`,
			header: "JWT " + handMadeToken(t, map[string]any{"USERNAME": "jpueblo", "exp": now + 300}),
		},
		{
			// The minimal DRF-JWT-compatible token: a username and an exp.
			name: "username and exp only", req: jsonReq, status: 200, body: "mockview-post",
			header: "JWT " + handMadeToken(t, map[string]any{"username": "jpueblo", "exp": now + 300}),
		},
		{name: "auth12 Bearer prefix", tweak: func(s *Settings) { s.AuthHeaderPrefix = "Bearer" }, req: jsonReq, header: "Bearer " + valid, status: 200, body: "mockview-post"},
		{
			name: "auth13 Bearer prefix without header", tweak: func(s *Settings) { s.AuthHeaderPrefix = "Bearer" }, req: jsonReq,
			status: 401, body: detailBody("Authentication credentials were not provided."), challenge: `Bearer realm="api"`,
		},
		// The clock: valid while now < exp + leeway.
		{
			name: "exp == now is expired", req: jsonReq, status: 401, body: detailBody("Signature has expired."), challenge: `JWT realm="api"`,
			header: "JWT " + handMadeToken(t, map[string]any{"username": "jpueblo", "exp": now}),
		},
		{name: "exp == now+1 is valid", req: jsonReq, status: 200, body: "mockview-post", header: "JWT " + handMadeToken(t, map[string]any{"username": "jpueblo", "exp": now + 1})},
		{
			name: "leeway", tweak: func(s *Settings) { s.Leeway = 30 * time.Second }, req: jsonReq, status: 200, body: "mockview-post",
			header: "JWT " + handMadeToken(t, map[string]any{"username": "jpueblo", "exp": now - 29}),
		},
		{
			name: "leeway exhausted", tweak: func(s *Settings) { s.Leeway = 30 * time.Second }, req: jsonReq,
			status: 401, body: detailBody("Signature has expired."), challenge: `JWT realm="api"`,
			header: "JWT " + handMadeToken(t, map[string]any{"username": "jpueblo", "exp": now - 30}),
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var tweaks []func(*Settings)
			if tc.tweak != nil {
				tweaks = append(tweaks, tc.tweak)
			}
			a := newTestAuth(t, store, tweaks...)
			view := &upstreamMockView{}
			r := tc.req(t)
			if tc.header != "" {
				r.Header.Set("Authorization", tc.header)
			}
			rec := serveRecorded(a.Required(view), r)
			if rec.Code != tc.status || rec.Body.String() != tc.body {
				t.Errorf("answer = %d %q, want %d %q", rec.Code, rec.Body.String(), tc.status, tc.body)
			}
			assertHeaderValue(t, rec, "WWW-Authenticate", tc.challenge)
			if tc.status != 200 {
				assertHeaderValue(t, rec, "Content-Type", "application/json")
				if view.calls != 0 {
					t.Errorf("the view ran on a %d", tc.status)
				}
				return
			}
			if view.calls != 1 || !view.userOK || withoutHash(view.user) != fixtureUser {
				t.Errorf("view ran %d times with user %+v (%t), want jpueblo once", view.calls, view.user, view.userOK)
			}
			if !view.claimsOK {
				t.Error("no claims in the context of a JWT request")
			}
		})
	}

	t.Run("auth1 claims are exactly user_id username exp email", func(t *testing.T) {
		t.Parallel()
		view := &upstreamMockView{}
		r := multipartBodyRequest(t, "/jwt/", "a", "b")
		r.Header.Set("Authorization", "JWT "+valid)
		rec := serveRecorded(newTestAuth(t, store).Required(view), r)
		if rec.Code != 200 || !view.claimsOK || !reflect.DeepEqual(view.claims, fixtureClaims) {
			t.Errorf("%d: claims = %#v (%t), want %#v", rec.Code, view.claims, view.claimsOK, fixtureClaims)
		}
	})
}

// TestMiddlewarePerUserSecret is test_authentication 8: an email-based
// user model whose tokens are signed with a per-user secret (a UUID);
// changing the secret invalidates the user's tokens.
func TestMiddlewarePerUserSecret(t *testing.T) {
	t.Parallel()
	store := &MemoryStore{Passwords: passwords.Policy{PBKDF2Iterations: 1}}
	user := User{ID: "1", Username: "jpueblo@example.com", Email: "jpueblo@example.com", IsActive: true}
	addFixtureUser(t, store, user, "password")
	var (
		mu      sync.Mutex
		secrets = map[string]Secret{user.Username: "5c1e8f4a-2b7d-4c3e-9a6f-0d8b7e6c5a41"}
		broken  = errors.New("secret vault down")
		fail    bool
	)
	a := newTestAuth(t, store, func(s *Settings) {
		s.Keys.Secret = ""
		s.UsernameField = "email"
		s.UserSecretKey = func(_ context.Context, u User) (Secret, error) {
			mu.Lock()
			defer mu.Unlock()
			if fail {
				return "", broken
			}
			return secrets[u.Username], nil
		}
	})
	view := &upstreamMockView{}
	h := a.Required(view)
	get := func(token string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, "/jwt/", nil)
		r.Header.Set("Authorization", "JWT "+token)
		return serveRecorded(h, r)
	}

	payload := `{"user_id":1,"username":"jpueblo@example.com","exp":1700000300,"email":"jpueblo@example.com"}`
	want := testkit.SignHS(sha256.New, "5c1e8f4a-2b7d-4c3e-9a6f-0d8b7e6c5a41", testkit.DRFHeader, payload)
	rec := doJSON(a.Handlers().Obtain, `{"email":"jpueblo@example.com","password":"password"}`)
	assertJSONResponse(t, rec, 200, tokenRespBody(want))

	if rec := get(want); rec.Code != 200 || rec.Body.String() != "mockview-get" {
		t.Fatalf("valid token: %d %q", rec.Code, rec.Body.String())
	}
	// Signed with the global secret: refused.
	assert401(t, get(hs256(payload)), `JWT realm="api"`, "Error decoding signature.")
	// A token naming an unknown user has no key: it is answered as any
	// forged token is, so that forgeries tell nothing of which usernames
	// exist (DRF-JWT says "Invalid signature." and, on verify, "User
	// doesn't exist.").
	ghost := testkit.SignHS(sha256.New, "5c1e8f4a-2b7d-4c3e-9a6f-0d8b7e6c5a41", testkit.DRFHeader, `{"user_id":9,"username":"ghost@example.com","exp":1700000300,"email":"ghost@example.com"}`)
	forged := testkit.SignHS(sha256.New, "5c1e8f4a-2b7d-4c3e-9a6f-0d8b7e6c5a4X", testkit.DRFHeader, payload)
	for _, tok := range []string{ghost, forged} {
		assert401(t, get(tok), `JWT realm="api"`, "Error decoding signature.")
		assertJSONResponse(t, doJSON(a.Handlers().Verify, tokenJSON(tok)), 400, decodingFailed)
	}

	mu.Lock()
	secrets[user.Username] = "0a9b8c7d-6e5f-4a3b-8c1d-2e3f4a5b6c7d"
	mu.Unlock()
	assert401(t, get(want), `JWT realm="api"`, "Error decoding signature.")
	assertJSONResponse(t, doJSON(a.Handlers().Verify, tokenJSON(want)), 400, decodingFailed)

	// A failing secret hook is a failure of the service.
	mu.Lock()
	fail = true
	mu.Unlock()
	rec = get(want)
	assertJSONResponse(t, rec, 503, detailBody("Service temporarily unavailable, try again later."))
	assertHeaderValue(t, rec, "WWW-Authenticate", "")
	if view.calls != 1 {
		t.Errorf("view ran %d times, want once", view.calls)
	}
}

// TestMiddlewareModes: Required is DRF's IsAuthenticated, ReadOnly its
// IsAuthenticatedOrReadOnly. Authentication runs first in both, so bad
// credentials are a 401 even on a safe method.
func TestMiddlewareModes(t *testing.T) {
	t.Parallel()
	tk := newReferenceTokens(t)
	const auth = "Authorization"
	notProvided := detailBody("Authentication credentials were not provided.")
	var cases []protectedCase
	for _, readOnly := range []bool{false, true} {
		mode := map[bool]string{false: "Required ", true: "ReadOnly "}[readOnly]
		anon := func(method string) protectedCase {
			c := protectedCase{name: mode + method + " anonymous", readOnly: readOnly, method: method, status: 401, body: notProvided}
			if readOnly && (method == "GET" || method == "HEAD" || method == "OPTIONS") {
				c.status, c.body = 200, `{}`
			}
			return c
		}
		cases = append(cases,
			anon("GET"), anon("HEAD"), anon("OPTIONS"), anon("POST"), anon("PUT"), anon("PATCH"), anon("DELETE"),
			// TRACE is not one of DRF's SAFE_METHODS.
			anon("TRACE"),
			// Deliberate difference: Django upper-cases "get"; methods
			// are case-sensitive and a lower-case one is not safe.
			anon("get"),
			protectedCase{name: mode + "GET blank header is anonymous", readOnly: readOnly, headers: []string{auth, "  "},
				status: map[bool]int{false: 401, true: 200}[readOnly], body: map[bool]string{false: notProvided, true: `{}`}[readOnly]},
			protectedCase{name: mode + "GET bad token", readOnly: readOnly, headers: []string{auth, "JWT abc123"}, status: 401, body: detailBody("Error decoding signature.")},
			protectedCase{name: mode + "GET expired token", readOnly: readOnly, headers: []string{auth, "JWT " + tk.expired}, status: 401, body: detailBody("Signature has expired.")},
			protectedCase{name: mode + "GET JWT alone", readOnly: readOnly, headers: []string{auth, "JWT"}, status: 401, body: detailBody("Invalid Authorization header. No credentials provided.")},
			protectedCase{name: mode + "GET unknown user", readOnly: readOnly, headers: []string{auth, "JWT " + tk.ghost}, status: 401, body: detailBody("Invalid signature.")},
			protectedCase{name: mode + "GET bad Basic", readOnly: readOnly, headers: []string{auth, basicAuthHeader("jpueblo:wrong")}, status: 401, body: detailBody("Invalid username/password.")},
			protectedCase{name: mode + "GET valid", readOnly: readOnly, headers: []string{auth, "JWT " + tk.valid}, status: 200, body: protectedOK},
			protectedCase{name: mode + "POST valid", readOnly: readOnly, method: "POST", headers: []string{auth, "JWT " + tk.valid}, status: 200, body: protectedOK},
			protectedCase{name: mode + "DELETE Basic", readOnly: readOnly, method: "DELETE", headers: []string{auth, basicAuthHeader("jpueblo:password")}, status: 200, body: protectedOK},
		)
	}
	runProtectedCases(t, cases)
}

// TestMiddlewareContext: the view sees the user and, for a JWT only, the
// claims.
func TestMiddlewareContext(t *testing.T) {
	t.Parallel()
	store := newFixtureStore(t)
	a := newTestAuth(t, store, func(s *Settings) { s.Authenticators = []Authenticator{BasicAuthentication(store)} })
	for _, tc := range []struct {
		name, header string
		user         bool
		claims       *Claims
	}{
		{"jwt", "JWT " + hs256(fixtureTokenPayload), true, &fixtureClaims},
		{"basic", basicAuthHeader("jpueblo:password"), true, nil},
		{"anonymous read", "", false, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			view := &upstreamMockView{}
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			if tc.header != "" {
				r.Header.Set("Authorization", tc.header)
			}
			rec := serveRecorded(a.ReadOnly(view), r)
			if rec.Code != 200 || view.calls != 1 {
				t.Fatalf("%d, view ran %d times", rec.Code, view.calls)
			}
			if view.userOK != tc.user || (tc.user && withoutHash(view.user) != fixtureUser) || (!tc.user && view.user != (User{})) {
				t.Errorf("UserFromContext = %+v, %t", view.user, view.userOK)
			}
			if view.claimsOK != (tc.claims != nil) || (tc.claims != nil && !reflect.DeepEqual(view.claims, *tc.claims)) {
				t.Errorf("ClaimsFromContext = %#v, %t", view.claims, view.claimsOK)
			}
		})
	}

	t.Run("NewContext", func(t *testing.T) {
		t.Parallel()
		ctx := NewContext(context.Background(), fixtureUser, fixtureClaims)
		u, uok := UserFromContext(ctx)
		c, cok := ClaimsFromContext(ctx)
		if !uok || !cok || withoutHash(u) != fixtureUser || !reflect.DeepEqual(c, fixtureClaims) {
			t.Errorf("got %+v %t, %+v %t", u, uok, c, cok)
		}
		if _, ok := UserFromContext(context.Background()); ok {
			t.Error("UserFromContext of an empty context is ok")
		}
		if _, ok := ClaimsFromContext(context.Background()); ok {
			t.Error("ClaimsFromContext of an empty context is ok")
		}
	})
}

// TestMiddlewareCustomClaims: a PayloadHandler's claim round-trips into
// ClaimsFromContext().Extra (numbers as json.Number).
func TestMiddlewareCustomClaims(t *testing.T) {
	t.Parallel()
	a := newTestAuth(t, newFixtureStore(t), func(s *Settings) {
		s.PayloadHandler = func(_ context.Context, u User, c Claims) (Claims, error) {
			c.Extra = map[string]any{"tenant": "acme-" + u.ID, "level": 3, "roles": []string{"a", "b"}}
			return c, nil
		}
	})
	token := tokenFromBody(t, doJSON(a.Handlers().Obtain, fixtureLogin))
	if got, want := tokenPayloadJSON(t, token), `{"user_id":1,"username":"jpueblo","exp":1700000300,"email":"jpueblo@example.com","level":3,"roles":["a","b"],"tenant":"acme-1"}`; got != want {
		t.Errorf("payload = %s, want %s", got, want)
	}
	view := &upstreamMockView{}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Authorization", "JWT "+token)
	if rec := serveRecorded(a.Required(view), r); rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
	}
	want := fixtureClaims
	want.Extra = map[string]any{"tenant": "acme-1", "level": json.Number("3"), "roles": []any{"a", "b"}}
	if !reflect.DeepEqual(view.claims, want) {
		t.Errorf("claims = %#v, want %#v", view.claims, want)
	}
}

// TestMiddlewareFailsBeforeTheView: on every failure the view never runs
// and the request body is never read.
func TestMiddlewareFailsBeforeTheView(t *testing.T) {
	t.Parallel()
	store := newFixtureStore(t)
	tk := newReferenceTokens(t)
	for _, tc := range []struct {
		name     string
		store    UserStore
		readOnly bool
		header   string
		status   int
	}{
		{"no credentials", store, false, "", 401},
		{"no credentials ReadOnly POST", store, true, "", 401},
		{"bad token", store, false, "JWT abc123", 401},
		{"bad token ReadOnly", store, true, "JWT abc123", 401},
		{"expired", store, false, "JWT " + tk.expired, 401},
		{"unknown user", store, false, "JWT " + tk.ghost, 401},
		{"bad Basic", store, false, basicAuthHeader("jpueblo:wrong"), 401},
		{"store down", failingStore{errors.New("database down")}, false, "JWT " + tk.valid, 503},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := newTestAuth(t, tc.store, func(s *Settings) { s.Authenticators = []Authenticator{BasicAuthentication(tc.store)} })
			view := &upstreamMockView{}
			h := a.Required(view)
			if tc.readOnly {
				h = a.ReadOnly(view)
			}
			body := &readTracker{r: strings.NewReader(fixtureLogin)}
			r := httptest.NewRequest(http.MethodPost, "/", body)
			r.Header.Set("Content-Type", "application/json")
			if tc.header != "" {
				r.Header.Set("Authorization", tc.header)
			}
			rec := serveRecorded(h, r)
			if rec.Code != tc.status {
				t.Errorf("status = %d, want %d", rec.Code, tc.status)
			}
			if view.calls != 0 {
				t.Error("the view ran")
			}
			if body.read.Load() {
				t.Error("the body was read before authentication failed")
			}
		})
	}
}

// TestMiddlewareStoreFailure: a failing UserStore is a 503 with a DRF-shaped
// body, no challenge and no credentials message; the cause is logged, the
// token is not.
func TestMiddlewareStoreFailure(t *testing.T) {
	t.Parallel()
	tk := newReferenceTokens(t)
	for _, readOnly := range []bool{false, true} {
		t.Run(map[bool]string{false: "Required", true: "ReadOnly"}[readOnly], func(t *testing.T) {
			t.Parallel()
			logger, logs := newCaptureLogger()
			a := newTestAuth(t, failingStore{errors.New("database down")}, func(s *Settings) { s.Logger = logger })
			view := &protectedView{}
			h := a.Required(view)
			if readOnly {
				h = a.ReadOnly(view)
			}
			r := httptest.NewRequest(http.MethodGet, "/api/protected/?q=1", nil)
			r.Header.Set("Authorization", "JWT "+tk.valid)
			rec := serveRecorded(h, r)
			assertJSONResponse(t, rec, 503, detailBody("Service temporarily unavailable, try again later."))
			assertHeaderValue(t, rec, "WWW-Authenticate", "")
			assertHeaderValue(t, rec, "Retry-After", "1")
			if view.calls.Load() != 0 {
				t.Error("the view ran")
			}
			assertStoreFailureLogged(t, logs.String(), tk.valid)
			if !strings.Contains(logs.String(), `"path":"/api/protected/"`) {
				t.Errorf("log does not name the path: %s", logs.String())
			}
		})
	}

	// Checklist row 79: refusals are logged by kind, at Debug level only,
	// so that under slog's default level a flood of bad requests logs
	// nothing.
	t.Run("client errors logged at Debug only, by kind", func(t *testing.T) {
		t.Parallel()
		for _, level := range []slog.Level{slog.LevelInfo, slog.LevelDebug} {
			logs := &testkit.Buffer{}
			logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: level}))
			a := newTestAuth(t, newFixtureStore(t), func(s *Settings) { s.Logger = logger })
			for _, header := range []string{"", "JWT abc123", "JWT " + tk.expired, "JWT " + tk.ghost, "JWT a b"} {
				r := httptest.NewRequest(http.MethodGet, "/", nil)
				r.Header.Set("Authorization", header)
				serveRecorded(a.Required(&protectedView{}), r)
			}
			doJSON(a.Handlers().Obtain, `{"username":"jpueblo","password":"wrong"}`)
			got := logs.String()
			if level == slog.LevelInfo {
				if got != "" {
					t.Errorf("logged at %v: %s", level, got)
				}
				continue
			}
			for _, want := range []string{
				`"msg":"jwtauth: token refused","token_sha256":"` + fmt.Sprintf("%x", sha256.Sum256([]byte(tk.expired)))[:8] + `","kind":"expired"`,
				`"kind":"malformed"`, `"kind":"unknown-user"`, `"kind":"bad-header"`,
				`"msg":"jwtauth: login refused","username":"jpueblo","client":"192.0.2.1","kind":"bad-credentials"`,
			} {
				if !strings.Contains(got, want) {
					t.Errorf("the Debug records lack %s:\n%s", want, got)
				}
			}
			if n := strings.Count(got, "\n"); n != 5 {
				t.Errorf("%d records, want 5 (none for the request without credentials):\n%s", n, got)
			}
			for _, secret := range []string{tk.expired, tk.ghost, "wrong", fixtureSecret} {
				if strings.Contains(got, secret) {
					t.Errorf("a record holds %q", secret)
				}
			}
		}
	})
}

// TestMiddlewareErrorHandler: Settings.ErrorHandler gets errors usable with
// errors.Is and errors.As, the challenge is already set, and delegating to
// DefaultErrorHandler gives the default answer.
func TestMiddlewareErrorHandler(t *testing.T) {
	t.Parallel()
	store := newFixtureStore(t)
	tk := newReferenceTokens(t)
	dbDown := errors.New("database down")
	for _, tc := range []struct {
		name     string
		store    UserStore
		header   string
		sentinel error
		status   int // of the *Error; 0: not an *Error
		detail   string
	}{
		{"expired", store, "JWT " + tk.expired, ErrExpiredToken, 401, "Signature has expired."},
		{"no credentials", store, "", ErrNoCredentials, 401, "Authentication credentials were not provided."},
		{"malformed", store, "JWT abc123", errMalformed, 401, "Error decoding signature."},
		{"tampered", store, "JWT " + tk.tamper, errSignature, 401, "Error decoding signature."},
		{"alg none", store, "JWT " + tk.algNone, ErrInvalidToken, 401, "Incorrect authentication credentials."},
		{"unknown user", store, "JWT " + tk.ghost, ErrUserNotFound, 401, "Invalid signature."},
		{"inactive", store, "JWT " + tk.inactive, ErrUserInactive, 401, "User account is disabled."},
		{"header", store, "JWT a b", errInvalidHeader, 401, "Invalid Authorization header. Credentials string should not contain spaces."},
		{"store down", failingStore{dbDown}, "JWT " + tk.valid, dbDown, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got error
			a := newTestAuth(t, tc.store, func(s *Settings) {
				s.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
					got = err
					DefaultErrorHandler(w, r, err)
				}
			})
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			if tc.header != "" {
				r.Header.Set("Authorization", tc.header)
			}
			rec := serveRecorded(a.Required(&protectedView{}), r)
			if !errors.Is(got, tc.sentinel) {
				t.Errorf("err = %v, want one wrapping %v", got, tc.sentinel)
			}
			var e *Error
			switch {
			case tc.status == 0:
				if errors.As(got, &e) {
					t.Errorf("err = %#v is an *Error, want the store's failure", got)
				}
				assertJSONResponse(t, rec, 503, detailBody("Service temporarily unavailable, try again later."))
			case !errors.As(got, &e) || e.Status != tc.status || e.Detail != tc.detail:
				t.Errorf("err = %#v, want *Error %d %q", got, tc.status, tc.detail)
			default:
				assert401(t, rec, `JWT realm="api"`, tc.detail)
			}
		})
	}

	t.Run("own answer keeps the challenge", func(t *testing.T) {
		t.Parallel()
		a := newTestAuth(t, store, func(s *Settings) {
			s.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
				if errors.Is(err, ErrExpiredToken) {
					w.Header().Set("Content-Type", "text/plain")
					w.WriteHeader(http.StatusUnauthorized)
					_, _ = io.WriteString(w, "token expired, log in again")
					return
				}
				DefaultErrorHandler(w, r, err)
			}
		})
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Authorization", "JWT "+tk.expired)
		rec := serveRecorded(a.Required(&protectedView{}), r)
		if rec.Code != 401 || rec.Body.String() != "token expired, log in again" {
			t.Errorf("answer = %d %q", rec.Code, rec.Body.String())
		}
		assertHeaderValue(t, rec, "WWW-Authenticate", `JWT realm="api"`)
	})
}

// TestMiddlewareUserLifecycle: the user is loaded on every request, so a
// deleted, re-created or disabled user loses access at once.
func TestMiddlewareUserLifecycle(t *testing.T) {
	t.Parallel()
	store := newFixtureStore(t)
	a := newTestAuth(t, store)
	h := a.Required(&protectedView{})
	token := tokenFromBody(t, doJSON(a.Handlers().Obtain, fixtureLogin))
	get := func() *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Authorization", "JWT "+token)
		return serveRecorded(h, r)
	}
	assertJSONResponse(t, get(), 200, protectedOK)

	inactive := fixtureUser
	inactive.IsActive = false
	addFixtureUser(t, store, inactive, "password")
	assert401(t, get(), `JWT realm="api"`, "User account is disabled.")

	addFixtureUser(t, store, fixtureUser, "password")
	assertJSONResponse(t, get(), 200, protectedOK)

	store.DeleteUser("jpueblo")
	assert401(t, get(), `JWT realm="api"`, "Invalid signature.")

	// Re-created under the same username with another id: the old token
	// named the old account.
	addFixtureUser(t, store, User{ID: "7", Username: "jpueblo", Email: "jpueblo@example.com", IsActive: true}, "password")
	assert401(t, get(), `JWT realm="api"`, "Invalid signature.")
}

// TestClaimsAreCopies: the claims a handler gets (ClaimsFromContext,
// Authenticate, VerifyToken) are its own down to nested values, so that
// editing one in place changes nothing another request sees, cached or
// not, and concurrent requests do not race (before, nested objects were
// the cache entry's own: a handler's edit showed in every later request,
// and two at once crashed with "concurrent map writes").
func TestClaimsAreCopies(t *testing.T) {
	t.Parallel()
	payload := `{"user_id":1,"username":"jpueblo","exp":1700000300,"email":"jpueblo@example.com","perm":{"read":["a","b"],"n":1},"list":[{"k":"v"}]}`
	tok := hs256(payload)
	for _, cache := range []int{0, 8} {
		t.Run(fmt.Sprintf("cache %d", cache), func(t *testing.T) {
			t.Parallel()
			a := newTestAuth(t, newFixtureStore(t), func(s *Settings) { s.TokenCacheSize = cache })
			vandal := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				c, _ := ClaimsFromContext(r.Context())
				perm := c.Extra["perm"].(map[string]any)
				if read := perm["read"].([]any); len(read) != 2 || read[0] != "a" {
					t.Errorf("perm.read = %v: an earlier request's edit shows", read)
				}
				perm["read"].([]any)[0] = "edited"
				perm["admin"] = true
				c.Extra["list"].([]any)[0].(map[string]any)["k"] = "edited"
				w.WriteHeader(http.StatusNoContent)
			})
			h := a.Required(vandal)
			var wg sync.WaitGroup
			for range 8 {
				wg.Go(func() {
					for range 20 {
						r := httptest.NewRequest(http.MethodGet, "/", nil)
						r.Header.Set("Authorization", "JWT "+tok)
						if rec := serveRecorded(h, r); rec.Code != http.StatusNoContent {
							t.Errorf("status %d", rec.Code)
						}
					}
				})
			}
			wg.Wait()
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.Header.Set("Authorization", "JWT "+tok)
			for _, get := range []func() (Claims, error){
				func() (Claims, error) { _, c, err := a.Authenticate(r); return c, err },
				func() (Claims, error) { _, c, err := a.VerifyToken(t.Context(), tok); return c, err },
			} {
				c, err := get()
				if err != nil {
					t.Fatal(err)
				}
				want := map[string]any{"read": []any{"a", "b"}, "n": json.Number("1")}
				if !reflect.DeepEqual(c.Extra["perm"], want) || !reflect.DeepEqual(c.Extra["list"], []any{map[string]any{"k": "v"}}) {
					t.Errorf("claims after the edits: %v", c.Extra)
				}
				c.Extra["perm"].(map[string]any)["read"].([]any)[1] = "edited too"
			}
			if c, _, _ := a.VerifyToken(t.Context(), tok); c.Username == "" {
				t.Fatal("token refused")
			}
			if _, c, _ := a.VerifyToken(t.Context(), tok); c.Extra["perm"].(map[string]any)["read"].([]any)[1] != "b" {
				t.Errorf("an edit of VerifyToken's claims showed in the next call")
			}
		})
	}
}
