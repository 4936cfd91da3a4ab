package main

import (
	"encoding/base64"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jwtauth-go/jwtauth"
	"github.com/jwtauth-go/jwtauth/internal/demotest"
)

// The DRF token keys of the users file of the tests: DRF's form, 40 hex
// digits.
const (
	adminKey    = "0123456789abcdef0123456789abcdef01234567"
	inactiveKey = "89abcdef0123456789abcdef0123456789abcdef"
)

// newTokenServer serves routes as main does with -users FILE, the users
// having DRF token keys, and the default settings: JWT, then DRF Token,
// then Basic.
func newTokenServer(t *testing.T, usersFile string) *httptest.Server {
	t.Helper()
	users, err := loadUsers(usersFile, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	a, err := newAuth(jwtauth.Settings{Keys: jwtauth.Keys{Secret: testSecret}}, users.store, nil, users.tokenAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(routes(a, false))
	t.Cleanup(srv.Close)
	return srv
}

// TestTokenAuthentication pins what the DRF reference server answers, with
// the tutorial's chain (JWT, Session, Token, Basic) and a users file giving
// admin and an inactive user a "token": every Token header gets DRF's
// Token messages, and Basic still works after Token.
func TestTokenAuthentication(t *testing.T) {
	srv := newTokenServer(t, demotest.WriteFile(t, "users.json", `[
		{"id": 1, "username": "admin", "password": "admin", "email": "admin@example.com", "token": "`+adminKey+`"},
		{"id": 2, "username": "inactive", "password": "inactivepw", "is_active": false, "token": "`+inactiveKey+`"},
		{"id": 3, "username": "bob", "password": "bobpassword", "token": ""}
	]`))
	const admin = `{"user_id":1,"username":"admin"}`
	for _, tc := range []struct {
		name, authorization string
		status              int
		body                string
	}{
		{"Token", "Token " + adminKey, 200, admin},
		{"keyword in lower case", "token " + adminKey, 200, admin},
		{"two spaces", "Token  " + adminKey, 200, admin},
		{"unknown key", "Token unknown", 401, `{"detail":"Invalid token."}`},
		{"keyword in upper case, unknown key", "TOKEN unknown", 401, `{"detail":"Invalid token."}`},
		{"key in upper case", "Token " + strings.ToUpper(adminKey), 401, `{"detail":"Invalid token."}`},
		{"41 characters", "Token " + strings.Repeat("a", 41), 401, `{"detail":"Invalid token."}`},
		{"empty key of a user without one", "Token ", 401, `{"detail":"Invalid token header. No credentials provided."}`},
		{"Token alone", "Token", 401, `{"detail":"Invalid token header. No credentials provided."}`},
		{"Token a b", "Token a b", 401, `{"detail":"Invalid token header. Token string should not contain spaces."}`},
		{"not UTF-8", "Token caf\xe9", 401, `{"detail":"Invalid token header. Token string should not contain invalid characters."}`},
		{"inactive user", "Token " + inactiveKey, 401, `{"detail":"User inactive or deleted."}`},
		{"Basic, after Token", "Basic " + base64.StdEncoding.EncodeToString([]byte("bob:bobpassword")), 200, `{"user_id":3,"username":"bob"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := demotest.Do(t, "GET", srv.URL+"/api/protected/", "", "Authorization", tc.authorization)
			if a.Status != tc.status || a.Body != tc.body {
				t.Errorf("%d %s, want %d %s", a.Status, a.Body, tc.status, tc.body)
			}
			if got := a.Header.Get("WWW-Authenticate"); (tc.status == 401) != (got == `JWT realm="api"`) {
				t.Errorf("WWW-Authenticate = %q on a %d", got, a.Status)
			}
			if a.Header.Get("Allow") != "GET, HEAD, OPTIONS" {
				t.Errorf("Allow = %q", a.Header.Get("Allow"))
			}
		})
	}
}

// TestDemoToken: without a users file, the demo user's public token key
// authenticates it.
func TestDemoToken(t *testing.T) {
	srv := newTokenServer(t, "")
	a := demotest.Do(t, "GET", srv.URL+"/api/protected/", "", "Authorization", "Token "+demoTokenKey)
	if want := `{"user_id":1,"username":"admin"}`; a.Status != 200 || a.Body != want {
		t.Errorf("%d %s, want 200 %s", a.Status, a.Body, want)
	}
}

// TestUsersFileTokens: a token key belongs to one user; the error says so
// without showing it.
func TestUsersFileTokens(t *testing.T) {
	_, err := loadUsers(demotest.WriteFile(t, "users.json", `[
		{"id": 1, "username": "a", "token": "`+adminKey+`"},
		{"id": 2, "username": "b", "token": "`+adminKey+`"}
	]`), io.Discard)
	if err == nil || !strings.Contains(err.Error(), "user #2") || strings.Contains(err.Error(), adminKey[:8]) {
		t.Errorf("err = %v; want it to name user #2, not show the key", err)
	}
	users, err := loadUsers(demotest.WriteFile(t, "users.json", `[{"id": 1, "username": "a", "token": "`+adminKey+`"}]`), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	// A user deleted from the store loses its token with it, as in Django.
	users.store.DeleteUser("a")
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Authorization", "Token "+adminKey)
	if _, err := users.tokenAuthentication().Authenticate(r); err == nil || !strings.Contains(err.Error(), "no such key") {
		t.Errorf("the token of a deleted user: %v; want no such key", err)
	}
}
