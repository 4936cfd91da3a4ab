package throttle_test

import (
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/jwtauth-go/jwtauth"
	"github.com/jwtauth-go/jwtauth/passwords"
	"github.com/jwtauth-go/jwtauth/throttle"
)

// The built-in login throttle: two attempts a minute per username (rates
// as DRF writes them; jwtauth.FromEnv reads JWT_LOGIN_THROTTLE_USER), then
// DRF's 429 with Retry-After, before any password is hashed.
func ExampleNewMemory() {
	perUser, err := throttle.ParseRate("2/min")
	if err != nil {
		log.Fatal(err)
	}
	t, err := throttle.NewMemory(perUser, throttle.Rate{}) // no limit per address
	if err != nil {
		log.Fatal(err)
	}

	// An Auth with one user, admin/admin, and a fixed clock, so that the
	// example prints the same thing every time.
	store := &jwtauth.MemoryStore{Passwords: passwords.Policy{PBKDF2Iterations: 1}}
	if err := store.AddUser(jwtauth.User{ID: "1", Username: "admin", IsActive: true}, "admin"); err != nil {
		log.Fatal(err)
	}
	a, err := jwtauth.New(jwtauth.Settings{
		Keys:          jwtauth.Keys{Secret: "example-secret-use-32-random-bytes-or-more"},
		Now:           func() time.Time { return time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC) },
		LoginThrottle: t,
	}, store)
	if err != nil {
		log.Fatal(err)
	}

	for range 3 {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/api-token-auth/", strings.NewReader(`{"username":"admin","password":"guess"}`))
		req.Header.Set("Content-Type", "application/json")
		a.Handlers().Obtain.ServeHTTP(rec, req)
		fmt.Println(rec.Code, rec.Header().Get("Retry-After"), rec.Body)
	}
	// Output:
	// 400  {"non_field_errors":["Unable to log in with provided credentials."]}
	// 400  {"non_field_errors":["Unable to log in with provided credentials."]}
	// 429 30 {"detail":"Request was throttled. Expected available in 30 seconds."}
}
