package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jwtauth-go/jwtauth"
	"github.com/jwtauth-go/jwtauth/internal/testkit"
	"github.com/jwtauth-go/jwtauth/sqlstore"
)

const testSecret = "a-test-secret-that-is-long-enough-0123456789"

// tokenRequest is a GET with the given Authorization headers.
func tokenRequest(authorization ...string) *http.Request {
	r := httptest.NewRequest("GET", "/api/protected/", nil)
	for _, a := range authorization {
		r.Header.Add("Authorization", a)
	}
	return r
}

// The keys of the token tests: DRF's form, 40 hex digits.
const (
	aliceKey    = "0123456789abcdef0123456789abcdef01234567"
	inactiveKey = "89abcdef0123456789abcdef0123456789abcdef"
)

// tokenFixture is a database with alice (active) and inactive, each with
// a DRF token, and a jwtauth.Auth authenticating with JWT, then DRF Token,
// then Basic, as seed 000 does.
type tokenFixture struct {
	auth  *jwtauth.Auth
	token jwtauth.Authenticator
	log   *testkit.Buffer // the Auth's log
}

func newTokenFixture(t *testing.T, d *testDB) tokenFixture {
	t.Helper()
	d.addToken(t, aliceKey, d.addUser(t, "alice", "alice@example.com", true, hash(t, testPolicy, "alice password")))
	d.addToken(t, inactiveKey, d.addUser(t, "inactive", "", false, hash(t, testPolicy, "inactive password")))
	store := newStore(t, d, sqlstore.Settings{})
	log := &testkit.Buffer{}
	token, err := store.TokenAuthentication(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	a, err := jwtauth.New(jwtauth.Settings{
		Keys:           jwtauth.Keys{Secret: testSecret},
		Authenticators: []jwtauth.Authenticator{token, jwtauth.BasicAuthentication(store)},
		Logger:         slog.New(slog.NewTextHandler(log, nil)),
	}, store)
	if err != nil {
		t.Fatal(err)
	}
	return tokenFixture{a, token, log}
}

// protected answers the user's name, behind a.Required.
func (f tokenFixture) protected(r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	f.auth.Required(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := jwtauth.UserFromContext(r.Context())
		fmt.Fprintf(w, "user %s %s", u.ID, u.Username)
	})).ServeHTTP(rec, r)
	return rec
}

// TestTokenAuthentication: DRF's TokenAuthentication answers (reference
// answers C and spec §7.5), through the middleware, with the JWT
// challenge on every 401.
func TestTokenAuthentication(t *testing.T) {
	forEachDB(t, func(t *testing.T, d *testDB) {
		f := newTokenFixture(t, d)
		const (
			noCreds  = `{"detail":"Invalid token header. No credentials provided."}`
			spaces   = `{"detail":"Invalid token header. Token string should not contain spaces."}`
			invalid  = `{"detail":"Invalid token."}`
			inactive = `{"detail":"User inactive or deleted."}`
			notGiven = `{"detail":"Authentication credentials were not provided."}`
		)
		for _, tc := range []struct {
			name          string
			authorization []string
			status        int
			body          string
			sentinel      error // what the authenticator's error wraps, called alone
		}{
			{"valid key", []string{"Token " + aliceKey}, 200, "user 1 alice", nil},
			{"keyword lower case", []string{"token " + aliceKey}, 200, "user 1 alice", nil},
			{"keyword upper case", []string{"TOKEN " + aliceKey}, 200, "user 1 alice", nil},
			{"two spaces", []string{"Token  " + aliceKey}, 200, "user 1 alice", nil},
			{"tab and trailing space", []string{"Token\t" + aliceKey + " "}, 200, "user 1 alice", nil},
			{"wrong key", []string{"Token wrongkey"}, 401, invalid, jwtauth.ErrInvalidToken},
			{"key in upper case", []string{"Token " + strings.ToUpper(aliceKey)}, 401, invalid, jwtauth.ErrInvalidToken},
			{"key prefix", []string{"Token " + aliceKey[:39]}, 401, invalid, jwtauth.ErrInvalidToken},
			{"key too long", []string{"Token " + aliceKey + "0"}, 401, invalid, jwtauth.ErrInvalidToken},
			{"SQL in the key", []string{"Token '||'1'='1"}, 401, invalid, jwtauth.ErrInvalidToken},
			{"keyword alone", []string{"Token"}, 401, noCreds, jwtauth.ErrInvalidCredentials},
			{"keyword and a space", []string{"Token "}, 401, noCreds, jwtauth.ErrInvalidCredentials},
			{"spaces in the key", []string{"Token a b"}, 401, spaces, jwtauth.ErrInvalidCredentials},
			{"not UTF-8", []string{"Token \xff\xfe"}, 401, `{"detail":"Invalid token header. Token string should not contain invalid characters."}`, jwtauth.ErrInvalidCredentials},
			{"inactive user", []string{"Token " + inactiveKey}, 401, inactive, jwtauth.ErrUserInactive},
			{"Kelvin sign in the keyword", []string{"To\u212aen " + aliceKey}, 401, notGiven, jwtauth.ErrNoCredentials},
			{"another scheme", []string{"Bearer " + aliceKey}, 401, notGiven, jwtauth.ErrNoCredentials},
			{"no header", nil, 401, notGiven, jwtauth.ErrNoCredentials},
			{"Basic after Token", []string{"Basic YWxpY2U6YWxpY2UgcGFzc3dvcmQ="}, 200, "user 1 alice", jwtauth.ErrNoCredentials},
			// JWT comes first and refuses two headers, with DRF's message.
			{"two headers", []string{"Token " + aliceKey, "Token " + aliceKey}, 401,
				`{"detail":"Invalid Authorization header. Credentials string should not contain spaces."}`, jwtauth.ErrInvalidCredentials},
		} {
			t.Run(tc.name, func(t *testing.T) {
				rec := f.protected(tokenRequest(tc.authorization...))
				if rec.Code != tc.status || rec.Body.String() != tc.body {
					t.Errorf("%d %s, want %d %s", rec.Code, rec.Body, tc.status, tc.body)
				}
				if got := rec.Header().Get("WWW-Authenticate"); (tc.status == 401) != (got == `JWT realm="api"`) {
					t.Errorf("WWW-Authenticate = %q on a %d", got, rec.Code)
				}
				u, err := f.token.Authenticate(tokenRequest(tc.authorization...))
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
		// Alone, two headers get the Token scheme's own message.
		_, err := f.token.Authenticate(tokenRequest("Token "+aliceKey, "Token "+aliceKey))
		var e *jwtauth.Error
		if !errors.As(err, &e) || e.Status != 401 || e.Detail != "Invalid token header. Token string should not contain spaces." {
			t.Errorf("two headers, Token alone: %v", err)
		}
	})
}

// TestTokenAuthenticationDeletedUser: a deleted user's token goes with it
// (ON DELETE CASCADE in Django, here by hand): "Invalid token.".
func TestTokenAuthenticationDeletedUser(t *testing.T) {
	forEachDB(t, func(t *testing.T, d *testDB) {
		f := newTokenFixture(t, d)
		d.exec(t, `DELETE FROM authtoken_token WHERE user_id = 1`, `DELETE FROM auth_user WHERE id = 1`)
		if rec := f.protected(tokenRequest("Token " + aliceKey)); rec.Code != 401 || rec.Body.String() != `{"detail":"Invalid token."}` {
			t.Errorf("%d %s", rec.Code, rec.Body)
		}
	})
}

// TestTokenAuthenticationDatabaseFailure: a failing database is a 503,
// never a credentials answer, logged without a credential; a cancelled
// request is not a 401 either.
func TestTokenAuthenticationDatabaseFailure(t *testing.T) {
	forEachDB(t, func(t *testing.T, d *testDB) {
		f := newTokenFixture(t, d)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := f.token.Authenticate(tokenRequest("Token " + aliceKey).WithContext(ctx))
		if !errors.Is(err, context.Canceled) || errors.As(err, new(*jwtauth.Error)) {
			t.Errorf("cancelled request: %v; want context.Canceled", err)
		}
		if err := d.db.Close(); err != nil {
			t.Fatal(err)
		}
		for _, authorization := range []string{"Token " + aliceKey, "Basic YWxpY2U6YWxpY2UgcGFzc3dvcmQ="} {
			rec := f.protected(tokenRequest(authorization))
			if rec.Code != 503 || rec.Body.String() != `{"detail":"Service temporarily unavailable, try again later."}` {
				t.Errorf("%.5s on a closed database: %d %s; want 503", authorization, rec.Code, rec.Body)
			}
		}
		// The obtain view too.
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("POST", "/api-token-auth/", strings.NewReader(`{"username": "alice", "password": "alice password"}`))
		req.Header.Set("Content-Type", "application/json")
		f.auth.Handlers().Obtain.ServeHTTP(rec, req)
		if rec.Code != 503 {
			t.Errorf("obtain on a closed database: %d %s; want 503", rec.Code, rec.Body)
		}
		log := f.log.String()
		// Three failures within seconds: one record, the others counted
		// for the next (a database down must not flood the log).
		if strings.Count(log, "jwtauth: store failed") != 1 {
			t.Errorf("want the first of three failures logged:\n%s", log)
		}
		for _, secret := range []string{aliceKey, "YWxpY2U6YWxpY2UgcGFzc3dvcmQ=", "alice password"} {
			if strings.Contains(log, secret) {
				t.Errorf("the log shows %.12s...:\n%s", secret, log)
			}
		}
	})
}
