package session_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/jwtauth-go/jwtauth"
	"github.com/jwtauth-go/jwtauth/session"
)

// users stands for the UserStore of a service sharing Django's database:
// one row of auth_user, with its password column as Django stored it.
type users map[string]jwtauth.User

func (u users) UserByID(_ context.Context, id string) (jwtauth.User, error) {
	if user, ok := u[id]; ok {
		return user, nil
	}
	return jwtauth.User{}, jwtauth.ErrUserNotFound
}

func (u users) UserByUsername(context.Context, string) (jwtauth.User, error) {
	return jwtauth.User{}, jwtauth.ErrUserNotFound
}

func (u users) Authenticate(context.Context, string, string) (jwtauth.User, error) {
	return jwtauth.User{}, jwtauth.ErrInvalidCredentials
}

// A Django 3.2 project keeps its sessions in signed cookies; its users
// call the Go service with the cookie their browser holds. The cookie here
// is one Django made at login (testdata/django32.json).
func Example() {
	const cookie = ".eJxVjM0OwiAQhN-FsyHlx4V69O4zkF1YpGogKe3J-O62SQ96m8z3zbxFwHUpYe08hymJi1Di9NsRxifXHaQH1nuTsdVlnkjuijxol7eW-HU93L-Dgr1s6zyYqI2GUbmUcdCoyYECb4gYrGUElTVBNDpyJk_K-WRH8mef7ZaS-HwB3KI4BA:1r31eq:F8EwwSCH-KOECZ_srzaQOh7Om2fTcWoOuCpjchN2lLE"
	store := users{"1": {
		ID: "1", Username: "admin", IsActive: true,
		PasswordHash: "pbkdf2_sha256$260000$Fq3Lw2WeY0bW$2lD6uHz1C2oB7mHn9i6vJc5o0Ukq0w7d1Xq8Yw4q9oQ=",
	}}
	sa, err := session.New(session.Settings{
		SecretKey: "django-insecure-vectors-3f9a1c0e7b2d4a68b5c7e9f0a1b2c3d4e5f6a7b8c9d0", // DJANGO_SECRET_KEY
		Engine:    session.EngineSignedCookies,
		Users:     store,
		// The cookie was signed at 1700000000; a real service leaves Now nil.
		Now: func() time.Time { return time.Unix(1700000060, 0) },
	})
	if err != nil {
		log.Fatal(err)
	}
	auth, err := jwtauth.New(jwtauth.Settings{
		Keys:           jwtauth.Keys{Secret: "example-secret-use-32-random-bytes-or-more"},
		Authenticators: []jwtauth.Authenticator{sa},
	}, store)
	if err != nil {
		log.Fatal(err)
	}
	h := auth.Required(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := jwtauth.UserFromContext(r.Context())
		fmt.Fprintf(w, "hello %s", u.Username)
	}))

	for _, r := range []*http.Request{
		httptest.NewRequest(http.MethodGet, "/api/me/", nil),
		// An unsafe method needs the CSRF cookie and token.
		httptest.NewRequest(http.MethodPost, "/api/me/", nil),
	} {
		r.Header.Set("Cookie", "sessionid="+cookie)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		fmt.Println(r.Method, rec.Code, strings.TrimSpace(rec.Body.String()))
	}
	// Output:
	// GET 200 hello admin
	// POST 403 {"detail":"CSRF Failed: CSRF cookie not set."}
}
