package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jwtauth-go/jwtauth/internal/demotest"
	"github.com/jwtauth-go/jwtauth/passwords"

	"github.com/jwtauth-go/jwtauth"
)

const testSecret = "a-test-secret-that-is-long-enough-0123456789"

// newTestServer serves routes over a store holding admin/admin (id 1) and
// a user whose ID is not an integer, with the settings of the tutorial's
// replay: JWT_AUTH_HEADER_PREFIX=Bearer, refresh allowed, JWT then Basic
// (no DRF tokens).
func newTestServer(t *testing.T) *httptest.Server {
	t.Helper()
	store := &jwtauth.MemoryStore{Passwords: passwords.Policy{PBKDF2Iterations: 1}}
	for _, u := range []struct {
		user     jwtauth.User
		password string
	}{
		{jwtauth.User{ID: "1", Username: "admin", Email: "admin@example.com", IsActive: true}, "admin"},
		{jwtauth.User{ID: "5b0e6a1c-uuid", Username: "uuid", IsActive: true}, "uuid-password"},
	} {
		if err := store.AddUser(u.user, u.password); err != nil {
			t.Fatal(err)
		}
	}
	a, err := newAuth(jwtauth.Settings{
		Keys:             jwtauth.Keys{Secret: testSecret},
		AuthHeaderPrefix: "Bearer",
		AllowRefresh:     true,
	}, store, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(routes(a, false))
	t.Cleanup(srv.Close)
	return srv
}

func obtain(t *testing.T, url, username, password string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"username": username, "password": password})
	a := demotest.Do(t, "POST", url, string(body))
	var out struct{ Token string }
	if a.Status != http.StatusOK || json.Unmarshal([]byte(a.Body), &out) != nil || out.Token == "" {
		t.Fatalf("POST %s: %d %s", url, a.Status, a.Body)
	}
	return out.Token
}

func TestTokenEndpoints(t *testing.T) {
	srv := newTestServer(t)
	for _, obtainPath := range []string{"/api-token-auth/", "/auth-jwt/", "/jwt-auth/"} {
		tok := obtain(t, srv.URL+obtainPath, "admin", "admin")
		for _, path := range []string{"/api-token-verify/", "/auth-jwt-verify/", "/api-token-refresh/", "/auth-jwt-refresh/"} {
			a := demotest.Do(t, "POST", srv.URL+path, `{"token": "`+tok+`"}`)
			if a.Status != http.StatusOK || !strings.HasPrefix(a.Body, `{"token":"`) {
				t.Errorf("POST %s with a token of %s: %d %s", path, obtainPath, a.Status, a.Body)
			}
		}
	}
	// The handlers answer DRF's 405 for other methods themselves.
	for _, path := range []string{"/api-token-auth/", "/auth-jwt-refresh/", "/jwt-auth/"} {
		a := demotest.Do(t, "GET", srv.URL+path, "")
		if a.Status != http.StatusMethodNotAllowed || a.Body != `{"detail":"Method \"GET\" not allowed."}` {
			t.Errorf("GET %s: %d %s", path, a.Status, a.Body)
		}
	}
	a := demotest.Do(t, "POST", srv.URL+"/jwt-auth/", `{"username": "admin", "password": "wrong"}`)
	if a.Status != http.StatusBadRequest || a.Body != `{"non_field_errors":["Unable to log in with provided credentials."]}` {
		t.Errorf("wrong password: %d %s", a.Status, a.Body)
	}
}

func TestProtected(t *testing.T) {
	srv := newTestServer(t)
	url := srv.URL + "/api/protected/"
	tok := obtain(t, srv.URL+"/jwt-auth/", "admin", "admin")
	const allow = "GET, HEAD, OPTIONS"
	for _, tc := range []struct {
		name, method string
		header       []string
		status       int
		body         string
	}{
		{"bearer", "GET", []string{"Authorization", "Bearer " + tok}, 200, `{"user_id":1,"username":"admin"}`},
		{"basic", "GET", []string{"Authorization", "Basic YWRtaW46YWRtaW4="}, 200, `{"user_id":1,"username":"admin"}`},
		{"anonymous", "GET", nil, 401, `{"detail":"Authentication credentials were not provided."}`},
		{"JWT prefix is not ours", "GET", []string{"Authorization", "JWT " + tok}, 401, `{"detail":"Authentication credentials were not provided."}`},
		{"bad token", "GET", []string{"Authorization", "Bearer abc123"}, 401, `{"detail":"Error decoding signature."}`},
		{"bad basic", "GET", []string{"Authorization", "Basic YWRtaW46d3Jvbmc="}, 401, `{"detail":"Invalid username/password."}`},
		{"POST authenticated", "POST", []string{"Authorization", "Bearer " + tok}, 405, `{"detail":"Method \"POST\" not allowed."}`},
		{"POST anonymous", "POST", nil, 401, `{"detail":"Authentication credentials were not provided."}`},
		{"DELETE authenticated", "DELETE", []string{"Authorization", "Bearer " + tok}, 405, `{"detail":"Method \"DELETE\" not allowed."}`},
		{"HEAD", "HEAD", []string{"Authorization", "Bearer " + tok}, 200, ""},
		{"OPTIONS", "OPTIONS", []string{"Authorization", "Bearer " + tok}, 200, `{"name":"Protected","description":"","renders":["application/json","text/html"],"parses":["application/json","application/x-www-form-urlencoded","multipart/form-data"]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := demotest.Do(t, tc.method, url, "", tc.header...)
			if a.Status != tc.status || a.Body != tc.body {
				t.Errorf("%d %s, want %d %s", a.Status, a.Body, tc.status, tc.body)
			}
			if got := a.Header.Get("Allow"); got != allow {
				t.Errorf("Allow = %q, want %q", got, allow)
			}
			if got := a.Header.Get("WWW-Authenticate"); (tc.status == 401) != (got == `Bearer realm="api"`) {
				t.Errorf("WWW-Authenticate = %q on a %d", got, a.Status)
			}
			if tc.body != "" && a.Header.Get("Content-Type") != "application/json" {
				t.Errorf("Content-Type = %q", a.Header.Get("Content-Type"))
			}
		})
	}
}

func TestProtectedUserIDs(t *testing.T) {
	srv := newTestServer(t)
	tok := obtain(t, srv.URL+"/api-token-auth/", "uuid", "uuid-password")
	a := demotest.Do(t, "GET", srv.URL+"/api/protected/", "", "Authorization", "Bearer "+tok)
	if want := `{"user_id":"5b0e6a1c-uuid","username":"uuid"}`; a.Status != 200 || a.Body != want {
		t.Errorf("%d %s, want 200 %s", a.Status, a.Body, want)
	}
}

func TestRoutes(t *testing.T) {
	srv := newTestServer(t)
	// Without the trailing slash: a redirect, as Django's APPEND_SLASH does.
	if a := demotest.Do(t, "GET", srv.URL+"/api/protected", ""); a.Status/100 != 3 || a.Header.Get("Location") != "/api/protected/" {
		t.Errorf("GET /api/protected: %d Location %q", a.Status, a.Header.Get("Location"))
	}
	// Only the exact path is protected content.
	if a := demotest.Do(t, "GET", srv.URL+"/api/protected/more", ""); a.Status != http.StatusNotFound {
		t.Errorf("GET /api/protected/more: %d", a.Status)
	}
	// Django's r'^jwt-auth/' is not anchored at the end.
	obtain(t, srv.URL+"/jwt-auth/anything", "admin", "admin")
}
