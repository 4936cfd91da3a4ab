package jwtauth

// The fixtures of the package's tests: one secret, one fixed clock, one
// MemoryStore holding every user the tests need, one constructor of an
// Auth with tweaks; request builders, tokens made by hand (testkit.SignHS,
// never through our signer) and response assertions.

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jwtauth-go/jwtauth/internal/drf"
	"github.com/jwtauth-go/jwtauth/internal/testkit"
	"github.com/jwtauth-go/jwtauth/passwords"
)

// fixtureSecret is the HS256 key of every test Auth (at least 32 bytes, as
// New requires). Tokens pinned against the DRF reference server's answers
// keep the secret it was given (drfSecret).
const fixtureSecret = "not very secret in tests, but long enough 0123456789"

// fixtureNow is the fixed clock of the tests: 2023-11-14T22:13:20Z.
var fixtureNow = time.Unix(1700000000, 0)

// fixtureNowUnix is fixtureNow in seconds, to write claims.
const fixtureNowUnix = 1700000000

// fixturePyJWT2Header is the JOSE header PyJWT 2 writes (the reference answers'
// crafted tokens).
const fixturePyJWT2Header = `{"alg":"HS256","typ":"JWT"}`

// fixtureClock is a settable clock for Settings.Now.
type fixtureClock struct{ unix atomic.Int64 }

func newFixtureClock() *fixtureClock {
	c := &fixtureClock{}
	c.unix.Store(fixtureNowUnix)
	return c
}

func (c *fixtureClock) Now() time.Time          { return time.Unix(c.unix.Load(), 0) }
func (c *fixtureClock) Set(t time.Time)         { c.unix.Store(t.Unix()) }
func (c *fixtureClock) Advance(d time.Duration) { c.unix.Add(int64(d / time.Second)) }

// The users of the fixture store: DRF-JWT's test user jpueblo, whose
// tokens the HTTP-level tests compare with DRF-JWT's; an inactive user;
// and admin, the user the token tests and the fuzz targets name (its
// password, pw-admin, is no word a request would carry by chance).
var (
	fixtureUser     = User{ID: "1", Username: "jpueblo", Email: "jpueblo@example.com", IsActive: true}
	fixtureInactive = User{ID: "2", Username: "inactive", Email: "inactive@example.com", IsActive: false}
	fixtureAdmin    = User{ID: "3", Username: "admin", Email: "admin@example.com", IsActive: true}
)

const (
	fixturePassword         = "password"
	fixtureInactivePassword = "inactivepw"
	fixtureAdminPassword    = "pw-admin"
)

// fixtureUsers are the users of the fixture store and their passwords.
var fixtureUsers = []struct {
	user     User
	password string
}{
	{fixtureUser, fixturePassword},
	{fixtureInactive, fixtureInactivePassword},
	{fixtureAdmin, fixtureAdminPassword},
}

// newFixtureStore returns a fresh MemoryStore (one PBKDF2 iteration)
// holding fixtureUsers: jpueblo/password (id 1, active),
// inactive/inactivepw (id 2, inactive) and admin/pw-admin (id 3, active).
// Each call makes a new one, which a test may change.
func newFixtureStore(t testing.TB) *MemoryStore {
	t.Helper()
	s := &MemoryStore{Passwords: passwords.Policy{PBKDF2Iterations: 1}}
	for _, f := range fixtureUsers {
		addFixtureUser(t, s, f.user, f.password)
	}
	return s
}

func addFixtureUser(t testing.TB, s *MemoryStore, u User, password string) {
	t.Helper()
	if err := s.AddUser(u, password); err != nil {
		t.Fatalf("AddUser(%q): %v", u.Username, err)
	}
}

// caseStore is the store a table's case asks for, made for its test t,
// or else the fixture store the table's cases share (they only read it).
func caseStore(t testing.TB, shared *MemoryStore, custom func(testing.TB) UserStore) UserStore {
	if custom != nil {
		return custom(t)
	}
	return shared
}

// fixtureDiscardLogger drops every record, so tests that fail the store on purpose
// stay quiet.
var fixtureDiscardLogger = slog.New(slog.NewTextHandler(io.Discard, nil))

// newTestAuth builds an Auth over store (a fresh fixture store when nil)
// with the fixture secret, the fixed clock and a silent logger, then
// applies the tweaks in order; a nil tweak is none, so that a table's
// optional tweak can be passed as it is.
func newTestAuth(t testing.TB, store UserStore, tweaks ...func(*Settings)) *Auth {
	t.Helper()
	if store == nil {
		store = newFixtureStore(t)
	}
	s := Settings{
		Keys:   Keys{Secret: fixtureSecret},
		Now:    func() time.Time { return fixtureNow },
		Logger: fixtureDiscardLogger,
	}
	for _, tw := range tweaks {
		if tw != nil {
			tw(&s)
		}
	}
	a, err := New(s, store)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return a
}

// withFixtureClock makes the Auth read c.
func withFixtureClock(c *fixtureClock) func(*Settings) {
	return func(s *Settings) { s.Now = c.Now }
}

func withAllowRefresh(s *Settings) { s.AllowRefresh = true }

// jsonBodyRequest builds a request with a JSON body.
func jsonBodyRequest(method, target, body string) *http.Request {
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	return r
}

// formBodyRequest builds a POST with an urlencoded body.
func formBodyRequest(target string, v url.Values) *http.Request {
	r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(v.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

// multipartBodyRequest builds a POST with a multipart/form-data body of the
// name, value pairs, as DRF's test client posts forms.
func multipartBodyRequest(t testing.TB, target string, pairs ...string) *http.Request {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for i := 0; i+1 < len(pairs); i += 2 {
		if err := mw.WriteField(pairs[i], pairs[i+1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodPost, target, &b)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	return r
}

// rawBodyRequest builds a request with the body and Content-Type as given ("" =
// no Content-Type header).
func rawBodyRequest(method, target, contentType, body string) *http.Request {
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	return r
}

// serveRecorded runs one request through h.
func serveRecorded(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

// doJSON POSTs body as JSON to h.
func doJSON(h http.Handler, body string) *httptest.ResponseRecorder {
	return serveRecorded(h, jsonBodyRequest(http.MethodPost, "/", body))
}

// fixtureB64 is unpadded base64url, written out here rather than shared with
// the package.
func fixtureB64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// handMadeToken signs payload (encoded by encoding/json, keys sorted) with
// HS256 and the fixture secret under PyJWT 2's header.
func handMadeToken(t testing.TB, payload map[string]any) string {
	t.Helper()
	return handMadeTokenWith(t, fixturePyJWT2Header, payload, fixtureSecret)
}

// handMadeTokenWith is handMadeToken with another header or key. The hash
// follows the header's alg (HS256, HS384 or HS512; SHA-256 otherwise).
func handMadeTokenWith(t testing.TB, header string, payload map[string]any, key string) string {
	t.Helper()
	body, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	newHash := sha256.New
	switch {
	case strings.Contains(header, `"HS384"`):
		newHash = sha512.New384
	case strings.Contains(header, `"HS512"`):
		newHash = sha512.New
	}
	return testkit.SignHS(newHash, key, header, string(body))
}

// unsignedToken is header.payload. with an empty signature (alg none).
func unsignedToken(t testing.TB, header string, payload map[string]any) string {
	t.Helper()
	body, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	return fixtureB64([]byte(header)) + "." + fixtureB64(body) + "."
}

// hs256 is payload signed by hand under DRF-JWT's header with the fixture
// secret: how the tests craft the tokens they send, and the very token the
// library must issue for that payload, so that comparing an issued token
// with it checks header, claim order and signature at once.
func hs256(payload string) string {
	return testkit.SignHS(sha256.New, fixtureSecret, testkit.DRFHeader, payload)
}

// fixtureTokenPayload is the payload obtain issues for jpueblo at
// fixtureNow with default settings.
const fixtureTokenPayload = `{"user_id":1,"username":"jpueblo","exp":1700000300,"email":"jpueblo@example.com"}`

// fixtureRefreshPayload is the same with AllowRefresh.
const fixtureRefreshPayload = `{"user_id":1,"username":"jpueblo","exp":1700000300,"email":"jpueblo@example.com","orig_iat":1700000000}`

// tokenPayloadJSON returns the decoded middle segment of a token.
func tokenPayloadJSON(t testing.TB, token string) string {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q has %d segments", token, len(parts))
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("token payload: %v", err)
	}
	return string(b)
}

// tokenFromBody returns the "token" member of a {"token": ...} body.
func tokenFromBody(t testing.TB, rec *httptest.ResponseRecorder) string {
	t.Helper()
	var v struct{ Token string }
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil || v.Token == "" {
		t.Fatalf("body %q carries no token (%v)", rec.Body.String(), err)
	}
	return v.Token
}

// tokenRespBody is the default response body for token.
func tokenRespBody(token string) string { return `{"token":"` + token + `"}` }

// detailBody is DRF's {"detail": ...} body.
func detailBody(msg string) string {
	b, _ := json.Marshal(msg)
	return `{"detail":` + string(b) + `}`
}

// nonFieldBody is DRF's serializer error with one non-field message.
func nonFieldBody(msg string) string {
	b, _ := json.Marshal(msg)
	return `{"non_field_errors":[` + string(b) + `]}`
}

// assertJSONResponse asserts status, exact body bytes and the JSON content type.
func assertJSONResponse(t testing.TB, rec *httptest.ResponseRecorder, status int, body string) {
	t.Helper()
	if rec.Code != status {
		t.Errorf("status = %d, want %d (body %q)", rec.Code, status, rec.Body.String())
	}
	if got := rec.Body.String(); got != body {
		t.Errorf("body =\n  %s\nwant\n  %s", got, body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
}

// assertHeaderValue asserts a response header's only value; want "" means absent.
func assertHeaderValue(t testing.TB, rec *httptest.ResponseRecorder, name, want string) {
	t.Helper()
	got := rec.Result().Header.Values(name)
	switch {
	case want == "" && len(got) != 0:
		t.Errorf("%s = %q, want none", name, got)
	case want != "" && (len(got) != 1 || got[0] != want):
		t.Errorf("%s = %q, want %q", name, got, want)
	}
}

// assertEndpointHeaders asserts the headers every answer of obtain, verify
// and refresh carries.
func assertEndpointHeaders(t testing.TB, rec *httptest.ResponseRecorder) {
	t.Helper()
	assertHeaderValue(t, rec, "Allow", "POST, OPTIONS")
	assertHeaderValue(t, rec, "Vary", "Accept")
	assertHeaderValue(t, rec, "WWW-Authenticate", "")
}

// assert401 asserts a middleware refusal: 401, the body, the challenge.
func assert401(t testing.TB, rec *httptest.ResponseRecorder, challenge, msg string) {
	t.Helper()
	assertJSONResponse(t, rec, http.StatusUnauthorized, detailBody(msg))
	assertHeaderValue(t, rec, "WWW-Authenticate", challenge)
}

// failingStore is a UserStore whose backend is down: every call returns err.
type failingStore struct{ err error }

func (f failingStore) UserByUsername(context.Context, string) (User, error) { return User{}, f.err }
func (f failingStore) UserByID(context.Context, string) (User, error)       { return User{}, f.err }
func (f failingStore) Authenticate(context.Context, string, string) (User, error) {
	return User{}, f.err
}

// allowAllUsersStore is Django's AllowAllUsersModelBackend over a
// MemoryStore: the right password authenticates a user whether active or
// not. Passwords are checked against a shadow store in which every user is
// active; the user returned is the real record.
type allowAllUsersStore struct {
	*MemoryStore
	shadow *MemoryStore
}

func newAllowAllUsersStore(t testing.TB) *allowAllUsersStore {
	t.Helper()
	s := &allowAllUsersStore{
		MemoryStore: newFixtureStore(t),
		shadow:      &MemoryStore{Passwords: passwords.Policy{PBKDF2Iterations: 1}},
	}
	for _, f := range fixtureUsers {
		u := f.user
		u.IsActive = true
		addFixtureUser(t, s.shadow, u, f.password)
	}
	return s
}

func (s *allowAllUsersStore) Authenticate(ctx context.Context, username, password string) (User, error) {
	if _, err := s.shadow.Authenticate(ctx, username, password); err != nil {
		return User{}, err
	}
	u, err := s.MemoryStore.UserByUsername(ctx, username)
	if err != nil {
		return User{}, ErrInvalidCredentials
	}
	return u, nil
}

// newCaptureLogger returns a JSON logger writing to the returned buffer,
// which the test may read while handlers log.
func newCaptureLogger() (*slog.Logger, *testkit.Buffer) {
	buf := &testkit.Buffer{}
	return slog.New(slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})), buf
}

// rsaFixture holds two 2048-bit RSA keys, generated once for the package.
type rsaFixture struct{ key, other *rsa.PrivateKey }

var fixtureRSAKeys = sync.OnceValue(func() rsaFixture {
	gen := func() *rsa.PrivateKey {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		return k
	}
	return rsaFixture{gen(), gen()}
})

// handMadeRS512Token signs payload with RSASSA-PKCS1-v1_5 SHA-512 by hand,
// under DRF-JWT's header.
func handMadeRS512Token(t testing.TB, key *rsa.PrivateKey, payload map[string]any) string {
	t.Helper()
	body, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	return handMadeRS512TokenRaw(t, key, string(body))
}

// handMadeRS512TokenRaw is handMadeRS512Token for payload JSON as given.
// PKCS #1 v1.5 signatures are deterministic, so this is exactly the token
// our signer must issue for the same payload.
func handMadeRS512TokenRaw(t testing.TB, key *rsa.PrivateKey, payload string) string {
	t.Helper()
	signing := fixtureB64([]byte(`{"typ":"JWT","alg":"RS512"}`)) + "." + fixtureB64([]byte(payload))
	sum := sha512.Sum512([]byte(signing))
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA512, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return signing + "." + fixtureB64(sig)
}

// readTracker is a request body that records whether anyone read it.
type readTracker struct {
	r    io.Reader
	read atomic.Bool
}

func (rt *readTracker) Read(p []byte) (int, error) {
	rt.read.Store(true)
	return rt.r.Read(p)
}

// protectedView answers like the reference server's protected view:
// {"user_id":1,"username":"jpueblo"} for the request's user, {} when
// anonymous. It counts its calls.
type protectedView struct{ calls atomic.Int32 }

func (v *protectedView) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	v.calls.Add(1)
	w.Header().Set("Content-Type", "application/json")
	u, ok := UserFromContext(r.Context())
	if !ok {
		_, _ = io.WriteString(w, `{}`)
		return
	}
	id, _ := json.Marshal(drf.PK(u.ID))
	name, _ := json.Marshal(u.Username)
	_, _ = io.WriteString(w, `{"user_id":`+string(id)+`,"username":`+string(name)+`}`)
}

// protectedOK is protectedView's answer for jpueblo.
const protectedOK = `{"user_id":1,"username":"jpueblo"}`

// protectedCase is one request to a protected route and its exact answer.
type protectedCase struct {
	name      string
	tweak     func(*Settings)            // after the defaults (Basic after JWT)
	store     func(testing.TB) UserStore // optional; the fixture store otherwise
	readOnly  bool                       // ReadOnly instead of Required
	method    string                     // GET when empty
	target    string                     // /api/protected/ when empty
	headers   []string                   // name, value pairs, added in order
	status    int
	body      string
	challenge string // WWW-Authenticate of a 401; `JWT realm="api"` when empty
}

// runProtectedCases serves each case through the middleware around a
// protectedView, with BasicAuthentication after JWT as in the reference
// server, and checks status, exact body, the challenge on 401s (and only
// there), and that the view ran exactly when the request got through.
func runProtectedCases(t *testing.T, cases []protectedCase) {
	t.Helper()
	shared := newFixtureStore(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			store := caseStore(t, shared, tc.store)
			a := newTestAuth(t, store, func(s *Settings) {
				s.AllowRefresh = true
				s.Authenticators = []Authenticator{BasicAuthentication(store)}
			}, tc.tweak)
			view := &protectedView{}
			h := a.Required(view)
			if tc.readOnly {
				h = a.ReadOnly(view)
			}
			method, target := tc.method, tc.target
			if method == "" {
				method = http.MethodGet
			}
			if target == "" {
				target = "/api/protected/"
			}
			r := httptest.NewRequest(method, target, nil)
			for i := 0; i+1 < len(tc.headers); i += 2 {
				r.Header.Add(tc.headers[i], tc.headers[i+1])
			}
			rec := serveRecorded(h, r)
			assertJSONResponse(t, rec, tc.status, tc.body)
			challenge := ""
			if tc.status == http.StatusUnauthorized {
				challenge = tc.challenge
				if challenge == "" {
					challenge = `JWT realm="api"`
				}
			}
			assertHeaderValue(t, rec, "WWW-Authenticate", challenge)
			ran := view.calls.Load()
			if through := tc.status < 300; (ran == 1) != through || ran > 1 {
				t.Errorf("view ran %d times; want %d", ran, map[bool]int{true: 1}[through])
			}
		})
	}
}

// assertNoGoroutineLeft waits up to 5 s for the goroutine count to come
// back to base, counted before the test started its own, and shows the
// stacks of those left if it does not.
func assertNoGoroutineLeft(t testing.TB, base int) {
	t.Helper()
	settle := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > base && time.Now().Before(settle) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > base {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines after, %d before:\n%s", n, base, buf[:runtime.Stack(buf, true)])
	}
}

// withoutHash is u without the password hash a store fills in, to compare
// with the fixtures.
func withoutHash(u User) User {
	u.PasswordHash = ""
	return u
}
