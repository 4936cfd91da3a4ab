package drf_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/jwtauth-go/jwtauth"
	"github.com/jwtauth-go/jwtauth/drf"
)

const testSecret = "a-test-secret-that-is-long-enough-0123456789"

// TestViewHeaders: View's headers are on every answer, the 401 of the
// authentication middleware behind it included, as on DRF's.
func TestViewHeaders(t *testing.T) {
	a, err := jwtauth.New(jwtauth.Settings{Keys: jwtauth.Keys{Secret: testSecret}}, &jwtauth.MemoryStore{})
	if err != nil {
		t.Fatal(err)
	}
	h := drf.View("GET, HEAD, OPTIONS")(a.Required(http.HandlerFunc(drf.MethodNotAllowed)))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	if w.Code != 401 || w.Header().Get("Allow") != "GET, HEAD, OPTIONS" || w.Header().Get("Vary") != "Accept" {
		t.Errorf("%d %v %s", w.Code, w.Header(), w.Body)
	}
}

func TestAnswers(t *testing.T) {
	for _, tc := range []struct {
		name   string
		h      http.HandlerFunc
		method string
		status int
		body   string
	}{
		{"NotFound", drf.NotFound, "GET", 404, `{"detail":"Not found."}`},
		{"MethodNotAllowed", drf.MethodNotAllowed, "PATCH", 405, `{"detail":"Method \"PATCH\" not allowed."}`},
		{"PermissionDenied", drf.PermissionDenied, "POST", 403, `{"detail":"You do not have permission to perform this action."}`},
		{"Metadata", func(w http.ResponseWriter, _ *http.Request) { drf.WriteJSON(w, 200, drf.Metadata("Task List")) }, "OPTIONS", 200,
			`{"name":"Task List","description":"","renders":["application/json","text/html"],"parses":["application/json","application/x-www-form-urlencoded","multipart/form-data"]}`},
		{"unencodable", func(w http.ResponseWriter, _ *http.Request) { drf.WriteJSON(w, 200, func() {}) }, "GET", 500, `{"detail":"A server error occurred."}`},
	} {
		w := httptest.NewRecorder()
		tc.h(w, httptest.NewRequest(tc.method, "/", nil))
		if w.Code != tc.status || w.Body.String() != tc.body || w.Header().Get("Content-Type") != "application/json" {
			t.Errorf("%s: %d %s %v, want %d %s", tc.name, w.Code, w.Body, w.Header(), tc.status, tc.body)
		}
	}
}

// TestReadFields: ReadFields answers DRF's refusals itself; what it
// returns is typed as DRF's parsers type it.
func TestReadFields(t *testing.T) {
	read := func(ct, body string, limit int64) (drf.Fields, bool, *httptest.ResponseRecorder) {
		r := httptest.NewRequest("POST", "/", strings.NewReader(body))
		if ct != "" {
			r.Header.Set("Content-Type", ct)
		}
		w := httptest.NewRecorder()
		f, ok := drf.ReadFields(w, r, limit)
		return f, ok, w
	}
	for _, tc := range []struct {
		ct, body string
		status   int
		answer   string
	}{
		{"application/json", `{"a":`, 400, `{"detail":"JSON parse error - Expecting value: line 1 column 6 (char 5)"}`},
		{"application/json", `[]`, 400, `{"non_field_errors":["Invalid data. Expected a dictionary, but got list."]}`},
		{"application/json", `{"a":"` + strings.Repeat("x", 64) + `"}`, 413, `{"detail":"Request body is too large."}`},
		{"text/plain", `a`, 415, `{"detail":"Unsupported media type \"text/plain\" in request."}`},
	} {
		if _, ok, w := read(tc.ct, tc.body, 64); ok || w.Code != tc.status || w.Body.String() != tc.answer {
			t.Errorf("%s %q: ok %t, %d %s; want %d %s", tc.ct, tc.body, ok, w.Code, w.Body, tc.status, tc.answer)
		}
	}

	f, ok, w := read("application/json", `{"n":1e2,"l":[1,"2"],"s":"x"}`, 1<<10)
	if !ok || w.Body.Len() != 0 || f.Form() {
		t.Fatalf("JSON: ok %t, form %t, answered %s", ok, f.Form(), w.Body)
	}
	if v := f.Get("n"); v.Kind != drf.Number || v.Text != "100.0" {
		t.Errorf("n = %+v", v)
	}
	if v := f.Get("l"); v.Kind != drf.Other || v.Type != "list" || !reflect.DeepEqual(v.Items, []drf.Value{{Kind: drf.Number, Text: "1"}, {Kind: drf.String, Text: "2"}}) {
		t.Errorf("l = %+v", v)
	}
	if v := f.Get("absent"); v.Kind != drf.Missing {
		t.Errorf("absent = %+v", v)
	}
	f, ok, _ = read("application/x-www-form-urlencoded", `l=1&l=2&s=x`, 1<<10)
	if v := f.Get("l"); !ok || !f.Form() || v.Text != "2" || len(v.Items) != 2 || v.Items[0].Text != "1" {
		t.Errorf("form: ok %t, form %t, l = %+v", ok, f.Form(), v)
	}
	if f, ok, _ := read("application/json", ``, 1<<10); !ok || f.Form() || f.Get("a").Kind != drf.Missing {
		t.Errorf("an empty JSON body: ok %t, form %t; want no fields, not a form", ok, f.Form())
	}
	if f, ok, _ := read("application/x-www-form-urlencoded", ``, 1<<10); !ok || !f.Form() {
		t.Errorf("an empty form: ok %t, form %t; want a form", ok, f.Form())
	}
}

func TestFieldErrors(t *testing.T) {
	var errs drf.FieldErrors
	if !errs.Empty() {
		t.Error("the zero FieldErrors is not empty")
	}
	errs.Add("b")
	if !errs.Empty() {
		t.Error("Add without messages added a field")
	}
	errs.Add("b", "one.", "two.")
	errs.Add("a", "three.")
	for _, v := range []any{errs, &errs} {
		b, err := drf.Marshal(v)
		if want := `{"b":["one.","two."],"a":["three."]}`; err != nil || string(b) != want {
			t.Errorf("Marshal(%T) = %s, %v; want %s", v, b, err, want)
		}
	}
}

func TestPK(t *testing.T) {
	for pk, want := range map[drf.PK]bool{"1": true, "-3": true, "0": true, "01": false, "+1": false, "1.0": false, "": false, "a1": false} {
		if pk.IsInteger() != want {
			t.Errorf("PK(%q).IsInteger() = %t", pk, !want)
		}
	}
}

// The keys of the token tests: DRF's form, 40 hex digits.
const (
	aliceKey    = "0123456789abcdef0123456789abcdef01234567"
	inactiveKey = "89abcdef0123456789abcdef0123456789abcdef"
)

// TestTokenAuthentication pins what the DRF reference server answered,
// with JWT then Token in the chain: every refusal is a 401 with DRF's
// message and the JWT challenge.
func TestTokenAuthentication(t *testing.T) {
	users := map[string]jwtauth.User{
		aliceKey:    {ID: "1", Username: "alice", IsActive: true},
		inactiveKey: {ID: "2", Username: "inactive"},
	}
	var looked []string
	tokens := drf.TokenAuthentication(func(_ context.Context, key string) (jwtauth.User, bool, error) {
		looked = append(looked, key)
		u, ok := users[key]
		return u, ok, nil
	})
	a, err := jwtauth.New(jwtauth.Settings{Keys: jwtauth.Keys{Secret: testSecret}, Authenticators: []jwtauth.Authenticator{tokens}}, &jwtauth.MemoryStore{})
	if err != nil {
		t.Fatal(err)
	}
	h := a.Required(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := jwtauth.UserFromContext(r.Context())
		_, _ = w.Write([]byte("user " + u.Username))
	}))
	const (
		invalid = `{"detail":"Invalid token."}`
		spaces  = `{"detail":"Invalid token header. Token string should not contain spaces."}`
	)
	for _, tc := range []struct {
		name          string
		authorization []string
		status        int
		body          string
		sentinel      error // what the authenticator's error wraps, called alone
	}{
		{"valid key", []string{"Token " + aliceKey}, 200, "user alice", nil},
		{"keyword in lower case", []string{"token " + aliceKey}, 200, "user alice", nil},
		{"keyword in upper case, unknown key", []string{"TOKEN unknown"}, 401, invalid, jwtauth.ErrInvalidToken},
		{"two spaces", []string{"Token  " + aliceKey}, 200, "user alice", nil},
		{"unknown key", []string{"Token unknown"}, 401, invalid, jwtauth.ErrInvalidToken},
		{"keyword alone", []string{"Token"}, 401, `{"detail":"Invalid token header. No credentials provided."}`, jwtauth.ErrInvalidCredentials},
		{"spaces in the key", []string{"Token a b"}, 401, spaces, jwtauth.ErrInvalidCredentials},
		{"not UTF-8", []string{"Token caf\xe9"}, 401, `{"detail":"Invalid token header. Token string should not contain invalid characters."}`, jwtauth.ErrInvalidCredentials},
		{"inactive user", []string{"Token " + inactiveKey}, 401, `{"detail":"User inactive or deleted."}`, jwtauth.ErrUserInactive},
		{"Kelvin sign in the keyword", []string{"To\u212aen " + aliceKey}, 401, `{"detail":"Authentication credentials were not provided."}`, jwtauth.ErrNoCredentials},
		{"no header", nil, 401, `{"detail":"Authentication credentials were not provided."}`, jwtauth.ErrNoCredentials},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := func() *http.Request {
				r := httptest.NewRequest("GET", "/", nil)
				for _, v := range tc.authorization {
					r.Header.Add("Authorization", v)
				}
				return r
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req())
			if w.Code != tc.status || w.Body.String() != tc.body {
				t.Errorf("%d %s, want %d %s", w.Code, w.Body, tc.status, tc.body)
			}
			if got := w.Header().Get("WWW-Authenticate"); (tc.status == 401) != (got == `JWT realm="api"`) {
				t.Errorf("WWW-Authenticate = %q on a %d", got, w.Code)
			}
			u, err := tokens.Authenticate(req())
			switch {
			case tc.sentinel == nil && (err != nil || u.Username != "alice"):
				t.Errorf("Authenticate alone: %+v, %v; want alice", u, err)
			case tc.sentinel != nil && (!errors.Is(err, tc.sentinel) || u != (jwtauth.User{})):
				t.Errorf("Authenticate alone: %+v, %v; want an error wrapping %v", u, err, tc.sentinel)
			}
			if err != nil && strings.Contains(err.Error(), aliceKey[:12]) {
				t.Errorf("the error shows the key: %v", err)
			}
		})
	}
	for _, key := range looked {
		if key == "caf\xe9" {
			t.Error("a key that is not UTF-8 was looked up")
		}
	}

	// Alone, two headers get the Token scheme's own message (in the chain
	// JWT refuses them first).
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Add("Authorization", "Token "+aliceKey)
	r.Header.Add("Authorization", "Token "+aliceKey)
	var e *jwtauth.Error
	if _, err := tokens.Authenticate(r); !errors.As(err, &e) || e.Status != 401 || e.Detail != "Invalid token header. Token string should not contain spaces." {
		t.Errorf("two headers: %v", err)
	}
}

// TestTokenAuthenticationLookupFailure: a failing lookup is a failure of
// the service (503), never a credentials answer.
func TestTokenAuthenticationLookupFailure(t *testing.T) {
	down := errors.New("token table unreachable")
	tokens := drf.TokenAuthentication(func(context.Context, string) (jwtauth.User, bool, error) {
		return jwtauth.User{}, false, down
	})
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Authorization", "Token "+aliceKey)
	if _, err := tokens.Authenticate(r); !errors.Is(err, down) || errors.As(err, new(*jwtauth.Error)) {
		t.Errorf("err = %v, want the lookup's error as it is", err)
	}
	a, err := jwtauth.New(jwtauth.Settings{Keys: jwtauth.Keys{Secret: testSecret}, Authenticators: []jwtauth.Authenticator{tokens}}, &jwtauth.MemoryStore{})
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	a.Required(http.NotFoundHandler()).ServeHTTP(w, r)
	if w.Code != 503 || w.Body.String() != `{"detail":"Service temporarily unavailable, try again later."}` {
		t.Errorf("%d %s, want 503", w.Code, w.Body)
	}
}
