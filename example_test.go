package jwtauth_test

import (
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
)

// exampleAuth is an Auth with one user, admin/admin, a fixed secret and a
// fixed clock, so that the examples print the same thing every time.
func exampleAuth(tweak func(*jwtauth.Settings)) *jwtauth.Auth {
	store := &jwtauth.MemoryStore{Passwords: passwords.Policy{PBKDF2Iterations: 1}}
	if err := store.AddUser(jwtauth.User{ID: "1", Username: "admin", Email: "admin@example.com", IsActive: true}, "admin"); err != nil {
		log.Fatal(err)
	}
	s := jwtauth.Settings{
		SecretKey: "example-secret-use-32-random-bytes-or-more",
		Now:       func() time.Time { return time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC) },
	}
	if tweak != nil {
		tweak(&s)
	}
	a, err := jwtauth.New(s, store)
	if err != nil {
		log.Fatal(err)
	}
	return a
}

// hello answers the authenticated user's name.
var hello = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	if u, ok := jwtauth.UserFromContext(r.Context()); ok {
		fmt.Fprintf(w, "hello %s", u.Username)
		return
	}
	fmt.Fprint(w, "hello anonymous")
})

// login obtains a token for admin/admin through the obtain handler.
func login(a *jwtauth.Auth) string {
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/api-token-auth/", strings.NewReader(`{"username":"admin","password":"admin"}`))
	req.Header.Set("Content-Type", "application/json")
	a.ObtainHandler().ServeHTTP(rec, req)
	var body struct{ Token string }
	_ = json.Unmarshal(rec.Body.Bytes(), &body)
	return body.Token
}

func get(h http.Handler, method, authorization string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(method, "/", nil)
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	h.ServeHTTP(rec, req)
	return rec
}

// The quick start: the three endpoints and a protected handler on a
// ServeMux, then a login and an authenticated request.
func Example() {
	a := exampleAuth(nil) // jwtauth.New(settings, store)

	mux := http.NewServeMux()
	mux.Handle("/api-token-auth/", a.ObtainHandler())
	mux.Handle("/api-token-refresh/", a.RefreshHandler())
	mux.Handle("/api-token-verify/", a.VerifyHandler())
	mux.Handle("/api/hello/", a.Required(hello))

	token := login(a)
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/api/hello/", nil)
	req.Header.Set("Authorization", "JWT "+token)
	mux.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Body)
	// Output: 200 hello admin
}

func ExampleNew() {
	_, err := jwtauth.New(jwtauth.Settings{SecretKey: "too short", Algorithm: "none"}, &jwtauth.MemoryStore{})
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
	fmt.Println(s.AuthHeaderPrefix, s.ExpirationDelta, s.AllowRefresh, s.RefreshExpirationDelta, s.SecretKey)

	_, err = jwtauth.FromEnv(func(k string) (string, bool) { return map[string]string{"JWT_VERIFY": "False"}[k], k == "JWT_VERIFY" })
	fmt.Println(err)
	// Output:
	// Bearer 1h0m0s true 168h0m0s [REDACTED]
	// jwtauth: JWT_VERIFY: verification cannot be turned off: a setting that disables it is how forged tokens get in (simplejwt 5.2.1); unset it
}

func ExampleAuth_Required() {
	a := exampleAuth(nil)
	h := a.Required(hello)
	for _, authz := range []string{"", "JWT", "JWT not-a-token", "JWT " + login(a)} {
		rec := get(h, http.MethodGet, authz)
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
	h := exampleAuth(nil).ReadOnly(hello)
	fmt.Println(get(h, http.MethodGet, "").Body)
	fmt.Println(get(h, http.MethodPost, "").Body)
	fmt.Println(get(h, http.MethodGet, "JWT expired.or.forged").Body)
	// Output:
	// hello anonymous
	// {"detail":"Authentication credentials were not provided."}
	// {"detail":"Error decoding signature."}
}

func ExampleAuth_ObtainHandler() {
	h := exampleAuth(nil).ObtainHandler()
	for _, body := range []string{`{"username":"admin","password":"wrong"}`, `{"username":"admin"}`, `username=admin&password=admin`} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/api-token-auth/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if strings.HasPrefix(body, "username=") {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		h.ServeHTTP(rec, req)
		out := rec.Body.String()
		if rec.Code == http.StatusOK {
			out = out[:10] + "..." // {"token":"eyJ0eXAi...
		}
		fmt.Println(rec.Code, out)
	}
	// Output:
	// 400 {"non_field_errors":["Unable to log in with provided credentials."]}
	// 400 {"password":["This field is required."]}
	// 200 {"token":"...
}

// With refresh allowed, a token can be exchanged for a new one of the same
// orig_iat until orig_iat + RefreshExpirationDelta.
func ExampleAuth_RefreshHandler() {
	a := exampleAuth(func(s *jwtauth.Settings) { s.AllowRefresh = true })
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/api-token-refresh/", strings.NewReader(`{"token":"`+login(a)+`"}`))
	req.Header.Set("Content-Type", "application/json")
	a.RefreshHandler().ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Header().Get("Cache-Control"))
	// Output: 200 no-store
}

func ExampleUserFromContext() {
	a := exampleAuth(nil)
	profile := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := jwtauth.UserFromContext(r.Context())
		c, _ := jwtauth.ClaimsFromContext(r.Context())
		fmt.Fprintf(w, "%s <%s>, token valid until %s", u.Username, u.Email, c.ExpiresAt.UTC().Format(time.Kitchen))
	})
	fmt.Println(get(a.Required(profile), http.MethodGet, "JWT "+login(a)).Body)
	// Output: admin <admin@example.com>, token valid until 12:05PM
}

// Basic authentication after JWT, as seed 000's DEFAULT_AUTHENTICATION_CLASSES
// chain them. A 401 still carries the JWT challenge.
func ExampleBasicAuthentication() {
	store := &jwtauth.MemoryStore{Passwords: passwords.Policy{PBKDF2Iterations: 1}}
	_ = store.AddUser(jwtauth.User{ID: "1", Username: "admin", IsActive: true}, "admin")
	a, err := jwtauth.New(jwtauth.Settings{
		SecretKey:      "example-secret-use-32-random-bytes-or-more",
		Authenticators: []jwtauth.Authenticator{jwtauth.BasicAuthentication(store)},
	}, store)
	if err != nil {
		log.Fatal(err)
	}
	h := a.Required(hello)
	fmt.Println(get(h, http.MethodGet, "Basic YWRtaW46YWRtaW4=").Body) // admin:admin
	rec := get(h, http.MethodGet, "Basic YWRtaW46d3Jvbmc=")            // admin:wrong
	fmt.Println(rec.Code, rec.Header().Get("WWW-Authenticate"), rec.Body)
	// Output:
	// hello admin
	// 401 JWT realm="api" {"detail":"Invalid username/password."}
}

// An ErrorHandler sees every failure as an error usable with errors.Is and
// can delegate the answer to DefaultErrorHandler.
func Example_errorHandler() {
	expired := 0
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	a := exampleAuth(func(s *jwtauth.Settings) {
		s.Now = func() time.Time { return now }
		s.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
			if errors.Is(err, jwtauth.ErrExpiredToken) {
				expired++ // a metric, say
			}
			jwtauth.DefaultErrorHandler(w, r, err)
		}
	})
	token := login(a)
	now = now.Add(10 * time.Minute) // past the 300 s lifetime
	rec := get(a.Required(hello), http.MethodGet, "JWT "+token)
	fmt.Println(rec.Code, rec.Body, expired)
	// Output: 401 {"detail":"Signature has expired."} 1
}

// A key rotation in a running service: tokens signed with the old key keep
// working while it is listed among PreviousKeys, and stop when it is
// dropped.
func ExampleAuth_RotateKeys() {
	const oldSecret, newSecret = "example-secret-use-32-random-bytes-or-more", "the-new-secret-also-32-random-bytes-or-more"
	a := exampleAuth(nil) // signs with oldSecret
	h := a.Required(hello)
	old := login(a)

	if err := a.RotateKeys(jwtauth.Settings{
		SecretKey:    newSecret,
		PreviousKeys: []jwtauth.VerificationKey{{Secret: oldSecret}},
	}); err != nil {
		log.Fatal(err)
	}
	fresh := login(a)
	fmt.Println(get(h, http.MethodGet, "JWT "+old).Code, get(h, http.MethodGet, "JWT "+fresh).Code)

	// Once the old tokens have expired, the old key goes.
	if err := a.RotateKeys(jwtauth.Settings{SecretKey: newSecret}); err != nil {
		log.Fatal(err)
	}
	fmt.Println(get(h, http.MethodGet, "JWT "+old).Code, get(h, http.MethodGet, "JWT "+fresh).Code)
	// Output:
	// 200 200
	// 401 200
}
