package jwtauth_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/jwtauth-go/jwtauth"
	"github.com/jwtauth-go/jwtauth/passwords"
	"github.com/jwtauth-go/jwtauth/revoke"
)

// The quick start: one user, the three endpoints and a protected handler
// on a ServeMux, then a login and an authenticated request.
func Example() {
	// One PBKDF2 iteration keeps the example quick; leave Passwords zero
	// for Django's default.
	store := &jwtauth.MemoryStore{Passwords: passwords.Policy{PBKDF2Iterations: 1}}
	err := store.AddUser(jwtauth.User{ID: "1", Username: "admin", Email: "admin@example.com", IsActive: true}, "s3cret-pa55")
	if err != nil {
		log.Fatal(err)
	}
	a, err := jwtauth.New(jwtauth.Settings{Keys: jwtauth.Keys{Secret: "example-secret-use-32-random-bytes-or-more"}}, store)
	if err != nil {
		log.Fatal(err)
	}
	h := a.Handlers()
	mux := http.NewServeMux()
	mux.Handle("/api-token-auth/", h.Obtain)
	mux.Handle("/api-token-refresh/", h.Refresh)
	mux.Handle("/api-token-verify/", h.Verify)
	mux.Handle("/api/hello/", a.Required(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := jwtauth.UserFromContext(r.Context())
		fmt.Fprintf(w, "hello %s", u.Username)
	})))

	// A client logs in, then sends the token.
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/api-token-auth/", strings.NewReader(`{"username":"admin","password":"s3cret-pa55"}`))
	req.Header.Set("Content-Type", "application/json")
	mux.ServeHTTP(rec, req)
	var body struct{ Token string }
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		log.Fatal(err)
	}

	rec = httptest.NewRecorder()
	req = httptest.NewRequest(http.MethodGet, "/api/hello/", nil)
	req.Header.Set("Authorization", "JWT "+body.Token)
	mux.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Body)
	// Output: 200 hello admin
}

// New reports every configuration problem at once, naming the setting and
// its environment variable, never a key.
func ExampleNew() {
	_, err := jwtauth.New(jwtauth.Settings{Keys: jwtauth.Keys{Secret: "too short"}, Algorithm: "none"}, &jwtauth.MemoryStore{})
	fmt.Println(err)
	// Output: jwtauth: Algorithm (JWT_ALGORITHM) "none" is never accepted: unsigned tokens are forgeable
}

func ExampleFromEnv() {
	env := map[string]string{ // os.LookupEnv in a real program
		"JWT_SECRET_KEY":         "a-django-secret-key-of-fifty-random-characters-xyz",
		"JWT_AUTH_HEADER_PREFIX": "Bearer",
		"JWT_EXPIRATION_DELTA":   "3600",
		"JWT_ALLOW_REFRESH":      "True",
	}
	s, err := jwtauth.FromEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.AuthHeaderPrefix, s.ExpirationDelta, s.AllowRefresh, s.RefreshExpirationDelta, s.Keys.Secret)

	_, err = jwtauth.FromEnv(func(k string) (string, bool) { return map[string]string{"JWT_VERIFY": "False"}[k], k == "JWT_VERIFY" })
	fmt.Println(err)
	// Output:
	// Bearer 1h0m0s true 168h0m0s [REDACTED]
	// jwtauth: JWT_VERIFY: verification cannot be turned off: a setting that disables it is how forged tokens get in (simplejwt 5.2.1); unset it
}

// Required is DRF's IsAuthenticated: every failure is DRF's 401, with the
// challenge, before the handler runs.
func ExampleAuth_Required() {
	// One PBKDF2 iteration keeps the example quick; leave Passwords zero
	// for Django's default.
	store := &jwtauth.MemoryStore{Passwords: passwords.Policy{PBKDF2Iterations: 1}}
	if err := store.AddUser(jwtauth.User{ID: "1", Username: "admin", IsActive: true}, "s3cret-pa55"); err != nil {
		log.Fatal(err)
	}
	a, err := jwtauth.New(jwtauth.Settings{Keys: jwtauth.Keys{Secret: "example-secret-use-32-random-bytes-or-more"}}, store)
	if err != nil {
		log.Fatal(err)
	}
	token, err := a.IssueToken(context.Background(), jwtauth.User{ID: "1", Username: "admin", IsActive: true})
	if err != nil {
		log.Fatal(err)
	}
	h := a.Required(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := jwtauth.UserFromContext(r.Context())
		fmt.Fprintf(w, "hello %s", u.Username)
	}))
	for _, authz := range []string{"", "JWT", "JWT not-a-token", "JWT " + token} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		if authz != "" {
			req.Header.Set("Authorization", authz)
		}
		h.ServeHTTP(rec, req)
		fmt.Println(rec.Code, rec.Header().Get("WWW-Authenticate"), rec.Body)
	}
	// Output:
	// 401 JWT realm="api" {"detail":"Authentication credentials were not provided."}
	// 401 JWT realm="api" {"detail":"Invalid Authorization header. No credentials provided."}
	// 401 JWT realm="api" {"detail":"Error decoding signature."}
	// 200  hello admin
}

// ReadOnly is DRF's IsAuthenticatedOrReadOnly: anonymous reads pass, writes
// need a token, and a bad token is refused even on a read.
func ExampleAuth_ReadOnly() {
	a, err := jwtauth.New(jwtauth.Settings{Keys: jwtauth.Keys{Secret: "example-secret-use-32-random-bytes-or-more"}}, &jwtauth.MemoryStore{})
	if err != nil {
		log.Fatal(err)
	}
	h := a.ReadOnly(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "the list of tasks")
	}))
	for _, tc := range []struct{ method, authorization string }{
		{http.MethodGet, ""},
		{http.MethodPost, ""},
		{http.MethodGet, "JWT expired.or.forged"},
	} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(tc.method, "/tasks/", nil)
		if tc.authorization != "" {
			req.Header.Set("Authorization", tc.authorization)
		}
		h.ServeHTTP(rec, req)
		fmt.Println(tc.method, rec.Code, rec.Body)
	}
	// Output:
	// GET 200 the list of tasks
	// POST 401 {"detail":"Authentication credentials were not provided."}
	// GET 401 {"detail":"Error decoding signature."}
}

// The obtain endpoint answers DRF's bodies: field errors, then the
// serializer's error for bad credentials, then a token. It reads JSON,
// form and multipart bodies, as DRF's parsers do.
func ExampleAuth_Handlers() {
	// One PBKDF2 iteration keeps the example quick; leave Passwords zero
	// for Django's default.
	store := &jwtauth.MemoryStore{Passwords: passwords.Policy{PBKDF2Iterations: 1}}
	if err := store.AddUser(jwtauth.User{ID: "1", Username: "admin", IsActive: true}, "s3cret-pa55"); err != nil {
		log.Fatal(err)
	}
	a, err := jwtauth.New(jwtauth.Settings{Keys: jwtauth.Keys{Secret: "example-secret-use-32-random-bytes-or-more"}}, store)
	if err != nil {
		log.Fatal(err)
	}
	obtain := a.Handlers().Obtain
	for _, tc := range []struct{ contentType, body string }{
		{"application/json", `{"username":"admin"}`},
		{"application/json", `{"username":"admin","password":"wrong"}`},
		{"application/x-www-form-urlencoded", `username=admin&password=s3cret-pa55`},
	} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/api-token-auth/", strings.NewReader(tc.body))
		req.Header.Set("Content-Type", tc.contentType)
		obtain.ServeHTTP(rec, req)
		out := rec.Body.String()
		if rec.Code == http.StatusOK {
			out = out[:10] + "..." // {"token":"eyJ0eXAi...
		}
		fmt.Println(rec.Code, out)
	}
	// Output:
	// 400 {"password":["This field is required."]}
	// 400 {"non_field_errors":["Unable to log in with provided credentials."]}
	// 200 {"token":"...
}

// With refresh allowed, a token can be exchanged for a new one of the same
// orig_iat until orig_iat + RefreshExpirationDelta.
func ExampleAuth_Handlers_refresh() {
	user := jwtauth.User{ID: "1", Username: "admin", IsActive: true}
	// One PBKDF2 iteration keeps the example quick; leave Passwords zero
	// for Django's default.
	store := &jwtauth.MemoryStore{Passwords: passwords.Policy{PBKDF2Iterations: 1}}
	if err := store.AddUser(user, "s3cret-pa55"); err != nil {
		log.Fatal(err)
	}
	a, err := jwtauth.New(jwtauth.Settings{Keys: jwtauth.Keys{Secret: "example-secret-use-32-random-bytes-or-more"}, AllowRefresh: true}, store)
	if err != nil {
		log.Fatal(err)
	}
	token, err := a.IssueToken(context.Background(), user)
	if err != nil {
		log.Fatal(err)
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/api-token-refresh/", strings.NewReader(`{"token":"`+token+`"}`))
	req.Header.Set("Content-Type", "application/json")
	a.Handlers().Refresh.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Header().Get("Cache-Control"))
	// Output: 200 no-store
}

// Custom claims: PayloadHandler adds them to every new token, and a
// handler reads them back with ClaimsFromContext.
func ExampleClaimsFromContext() {
	user := jwtauth.User{ID: "1", Username: "admin", Email: "admin@example.com", IsActive: true}
	// One PBKDF2 iteration keeps the example quick; leave Passwords zero
	// for Django's default.
	store := &jwtauth.MemoryStore{Passwords: passwords.Policy{PBKDF2Iterations: 1}}
	if err := store.AddUser(user, "s3cret-pa55"); err != nil {
		log.Fatal(err)
	}
	a, err := jwtauth.New(jwtauth.Settings{
		Keys: jwtauth.Keys{Secret: "example-secret-use-32-random-bytes-or-more"},
		PayloadHandler: func(ctx context.Context, u jwtauth.User, c jwtauth.Claims) (jwtauth.Claims, error) {
			c.Extra["role"] = "staff" // from your own tables, say
			return c, nil
		},
	}, store)
	if err != nil {
		log.Fatal(err)
	}
	profile := a.Required(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := jwtauth.UserFromContext(r.Context())
		c, _ := jwtauth.ClaimsFromContext(r.Context())
		fmt.Fprintf(w, "%s <%s> is %v", u.Username, u.Email, c.Extra["role"])
	}))
	token, err := a.IssueToken(context.Background(), user)
	if err != nil {
		log.Fatal(err)
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/api/profile/", nil)
	req.Header.Set("Authorization", "JWT "+token)
	profile.ServeHTTP(rec, req)
	fmt.Println(rec.Body)
	// Output: admin <admin@example.com> is staff
}

// Basic authentication after JWT, as DRF's tutorial chains
// DEFAULT_AUTHENTICATION_CLASSES. A 401 still carries the JWT challenge.
func ExampleBasicAuthentication() {
	// A cheap hash for the example; leave Passwords zero for Django's.
	store := &jwtauth.MemoryStore{Passwords: passwords.Policy{PBKDF2Iterations: 1}}
	if err := store.AddUser(jwtauth.User{ID: "1", Username: "admin", IsActive: true}, "admin"); err != nil {
		log.Fatal(err)
	}
	a, err := jwtauth.New(jwtauth.Settings{
		Keys:           jwtauth.Keys{Secret: "example-secret-use-32-random-bytes-or-more"},
		Authenticators: []jwtauth.Authenticator{jwtauth.BasicAuthentication(store)},
	}, store)
	if err != nil {
		log.Fatal(err)
	}
	h := a.Required(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := jwtauth.UserFromContext(r.Context())
		fmt.Fprintf(w, "hello %s", u.Username)
	}))
	for _, authz := range []string{"Basic YWRtaW46YWRtaW4=", "Basic YWRtaW46d3Jvbmc="} { // admin:admin, admin:wrong
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header.Set("Authorization", authz)
		h.ServeHTTP(rec, req)
		fmt.Println(rec.Code, rec.Header().Get("WWW-Authenticate"), rec.Body)
	}
	// Output:
	// 200  hello admin
	// 401 JWT realm="api" {"detail":"Invalid username/password."}
}

// An ErrorHandler sees every failure as an error usable with errors.Is and
// can delegate the answer to DefaultErrorHandler.
func Example_errorHandler() {
	user := jwtauth.User{ID: "1", Username: "admin", IsActive: true}
	// One PBKDF2 iteration keeps the example quick; leave Passwords zero
	// for Django's default.
	store := &jwtauth.MemoryStore{Passwords: passwords.Policy{PBKDF2Iterations: 1}}
	if err := store.AddUser(user, "s3cret-pa55"); err != nil {
		log.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	expired := 0
	a, err := jwtauth.New(jwtauth.Settings{
		Keys: jwtauth.Keys{Secret: "example-secret-use-32-random-bytes-or-more"},
		Now:  func() time.Time { return now },
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			if errors.Is(err, jwtauth.ErrExpiredToken) {
				expired++ // a metric, say
			}
			jwtauth.DefaultErrorHandler(w, r, err)
		},
	}, store)
	if err != nil {
		log.Fatal(err)
	}
	token, err := a.IssueToken(context.Background(), user)
	if err != nil {
		log.Fatal(err)
	}
	now = now.Add(10 * time.Minute) // past the 300 s lifetime
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("Authorization", "JWT "+token)
	a.Required(http.NotFoundHandler()).ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Body, expired)
	// Output: 401 {"detail":"Signature has expired."} 1
}

// A key rotation in a running service: tokens signed with the old key keep
// working while it is listed among the previous keys, and stop when it is
// dropped.
func ExampleAuth_RotateKeys() {
	const oldSecret, newSecret = "example-secret-use-32-random-bytes-or-more", "the-new-secret-also-32-random-bytes-or-more"
	user := jwtauth.User{ID: "1", Username: "admin", IsActive: true}
	// One PBKDF2 iteration keeps the example quick; leave Passwords zero
	// for Django's default.
	store := &jwtauth.MemoryStore{Passwords: passwords.Policy{PBKDF2Iterations: 1}}
	if err := store.AddUser(user, "s3cret-pa55"); err != nil {
		log.Fatal(err)
	}
	a, err := jwtauth.New(jwtauth.Settings{Keys: jwtauth.Keys{Secret: oldSecret}}, store)
	if err != nil {
		log.Fatal(err)
	}
	status := func(token string) int {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header.Set("Authorization", "JWT "+token)
		a.Required(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})).ServeHTTP(rec, req)
		return rec.Code
	}
	old, _ := a.IssueToken(context.Background(), user)

	if err := a.RotateKeys(jwtauth.Keys{Secret: newSecret, Previous: []jwtauth.Keys{{Secret: oldSecret}}}); err != nil {
		log.Fatal(err)
	}
	fresh, _ := a.IssueToken(context.Background(), user) // signed with newSecret
	fmt.Println(status(old), status(fresh))

	// Once the old tokens have expired, the old key goes.
	if err := a.RotateKeys(jwtauth.Keys{Secret: newSecret}); err != nil {
		log.Fatal(err)
	}
	fmt.Println(status(old), status(fresh))
	// Output:
	// 200 200
	// 401 200
}

// simplejwt's dialect: the endpoints of djangorestframework-simplejwt at
// its documented URLs, a pair of tokens, the access token as a Bearer
// credential.
func ExampleSimpleJWT() {
	store := &jwtauth.MemoryStore{Passwords: passwords.Policy{PBKDF2Iterations: 1}}
	if err := store.AddUser(jwtauth.User{ID: "1", Username: "admin", IsActive: true}, "s3cret-pa55"); err != nil {
		log.Fatal(err)
	}
	a, err := jwtauth.New(jwtauth.Settings{
		Keys:      jwtauth.Keys{Secret: "example-secret-use-32-random-bytes-or-more"},
		SimpleJWT: &jwtauth.SimpleJWT{RotateRefreshTokens: true, BlacklistAfterRotation: true},
	}, store)
	if err != nil {
		log.Fatal(err)
	}
	h := a.Handlers()
	mux := http.NewServeMux()
	mux.Handle("/api/token/", h.Obtain)
	mux.Handle("/api/token/refresh/", h.Refresh)
	mux.Handle("/api/token/verify/", h.Verify)
	mux.Handle("/api/token/blacklist/", h.Blacklist)
	mux.Handle("/api/hello/", a.Required(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := jwtauth.UserFromContext(r.Context())
		fmt.Fprintf(w, "hello %s", u.Username)
	})))
	post := func(path, body string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		mux.ServeHTTP(rec, req)
		return rec
	}

	var pair struct{ Refresh, Access string }
	_ = json.Unmarshal(post("/api/token/", `{"username":"admin","password":"s3cret-pa55"}`).Body.Bytes(), &pair)
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/api/hello/", nil)
	req.Header.Set("Authorization", "Bearer "+pair.Access)
	mux.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Body)

	// A refresh rotates the refresh token and blacklists the old one.
	fmt.Println(post("/api/token/refresh/", `{"refresh":"`+pair.Refresh+`"}`).Code)
	again := post("/api/token/refresh/", `{"refresh":"`+pair.Refresh+`"}`)
	fmt.Println(again.Code, again.Body)
	// Output:
	// 200 hello admin
	// 200
	// 401 {"detail":"Token is blacklisted","code":"token_not_valid"}
}

// drfJWT makes an Auth of DRF-JWT's dialect an Authenticator of another
// Auth's chain.
type drfJWT struct{ *jwtauth.Auth }

func (d drfJWT) Authenticate(r *http.Request) (jwtauth.User, error) {
	u, _, err := d.Auth.Authenticate(r)
	return u, err
}

// During a migration from DRF-JWT to simplejwt, a service accepts both
// dialects' tokens: a simplejwt Auth, which claims "Authorization: Bearer",
// with a DRF-JWT Auth on the same key and store after it, which claims
// "Authorization: JWT".
func ExampleSimpleJWT_migration() {
	store := &jwtauth.MemoryStore{Passwords: passwords.Policy{PBKDF2Iterations: 1}}
	u := jwtauth.User{ID: "1", Username: "admin", IsActive: true}
	if err := store.AddUser(u, "s3cret-pa55"); err != nil {
		log.Fatal(err)
	}
	keys := jwtauth.Keys{Secret: "example-secret-use-32-random-bytes-or-more"}
	old, err := jwtauth.New(jwtauth.Settings{Keys: keys}, store)
	if err != nil {
		log.Fatal(err)
	}
	a, err := jwtauth.New(jwtauth.Settings{
		Keys:           keys,
		SimpleJWT:      &jwtauth.SimpleJWT{},
		Authenticators: []jwtauth.Authenticator{drfJWT{old}},
	}, store)
	if err != nil {
		log.Fatal(err)
	}
	hello := a.Required(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := jwtauth.UserFromContext(r.Context())
		fmt.Fprintf(w, "hello %s", u.Username)
	}))
	drfToken, _ := old.IssueToken(context.Background(), u)
	simpleToken, _ := a.IssueToken(context.Background(), u)
	for _, auth := range []string{"JWT " + drfToken, "Bearer " + simpleToken, "Bearer " + drfToken} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/api/hello/", nil)
		req.Header.Set("Authorization", auth)
		hello.ServeHTTP(rec, req)
		fmt.Println(rec.Code, rec.Body)
	}
	// Output:
	// 200 hello admin
	// 200 hello admin
	// 401 {"detail":"Given token not valid for any token type","code":"token_not_valid","messages":[{"token_class":"AccessToken","token_type":"access","message":"Token has no id"}]}
}

// Logout: with Settings.Revocations a token can be taken back before it
// expires. The blacklist view logs out the request's own token; from then
// on the middleware refuses it with the drf-jwt fork's 403, and Revoke
// does the same from Go code.
func ExampleAuth_Revoke() {
	store := &jwtauth.MemoryStore{Passwords: passwords.Policy{PBKDF2Iterations: 1}}
	admin := jwtauth.User{ID: "1", Username: "admin", Email: "admin@example.com", IsActive: true}
	if err := store.AddUser(admin, "s3cret-pa55"); err != nil {
		log.Fatal(err)
	}
	a, err := jwtauth.New(jwtauth.Settings{
		Keys:        jwtauth.Keys{Secret: "example-secret-use-32-random-bytes-or-more"},
		Revocations: revoke.NewMemory(0), // redisstore.Revocations for several instances
	}, store)
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/api-token-blacklist/", a.Handlers().Blacklist)
	mux.Handle("/api/hello/", a.Required(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "hello")
	})))
	send := func(method, path, token string) {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(method, path, nil)
		req.Header.Set("Authorization", "JWT "+token)
		mux.ServeHTTP(rec, req)
		fmt.Println(method, path, rec.Code, strings.Contains(rec.Body.String(), "blacklisted"))
	}
	ctx := context.Background()
	first, _ := a.IssueToken(ctx, admin)
	send("GET", "/api/hello/", first)
	send("POST", "/api-token-blacklist/", first) // logout
	send("GET", "/api/hello/", first)

	second, _ := a.IssueToken(ctx, admin)
	if err := a.Revoke(ctx, second); err != nil {
		log.Fatal(err)
	}
	_, _, err = a.VerifyToken(ctx, second)
	fmt.Println(errors.Is(err, jwtauth.ErrInvalidToken))
	// Output:
	// GET /api/hello/ 200 false
	// POST /api-token-blacklist/ 201 false
	// GET /api/hello/ 403 true
	// true
}
