package session

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jwtauth-go/jwtauth"
)

const testSessionKey = "abcdefghijklmnopqrstuvwxyz012345"

// TestAuthenticate: the user of a session, or why there is none, for both
// engines and every way a session can fail.
func TestAuthenticate(t *testing.T) {
	users, u := testUsers(t)
	alice, bob, carol := u["alice"], u["bob"], u["carol"]
	db := testSigner{key: testKey, salt: saltDB}
	cookies := testSigner{key: testKey, salt: saltCookies}
	login := func(u jwtauth.User) map[string]any { return loginSession(u, ModelBackend, testKey) }
	with := func(m map[string]any, kv ...any) map[string]any {
		c := map[string]any{}
		for k, v := range m {
			c[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] == nil {
				delete(c, kv[i].(string))
			} else {
				c[kv[i].(string)] = kv[i+1]
			}
		}
		return c
	}
	valid := db.signJSON(t, login(alice))
	tamper := func(s string, at int) string {
		b := []byte(s)
		if b[at] == 'A' {
			b[at] = 'B'
		} else {
			b[at] = 'A'
		}
		return string(b)
	}
	bomb := testSigner{key: testKey, salt: saltDB, compress: compressAlways}.sign(append([]byte(`{"x":"`), bytes.Repeat([]byte("a"), maxDecompressed)...))

	type tc struct {
		name     string
		settings func(*Settings)
		data     string // the row's session_data (db) or the cookie (signed_cookies)
		cookie   string // the cookie, when not testSessionKey (db) or data
		noCookie bool
		want     jwtauth.User
		err      error // errors.Is target; nil: success
	}
	signed := func(s *Settings) { s.Engine, s.Store = EngineSignedCookies, nil }
	legacy := func(s *Settings) { s.Legacy = true }
	fallbacks := func(s *Settings) { s.SecretKeyFallbacks = []jwtauth.Secret{testWrong, testOldKey} }
	cases := []tc{
		{name: "no cookie", noCookie: true, err: errNoCookie},
		{name: "valid", data: valid, want: alice},
		{name: "valid uncompressed", data: testSigner{key: testKey, salt: saltDB, compress: compressNever}.signJSON(t, login(alice)), want: alice},
		{name: "valid always compressed", data: testSigner{key: testKey, salt: saltDB, compress: compressAlways}.signJSON(t, login(alice)), want: alice},
		{name: "UUID key", data: db.signJSON(t, login(carol)), want: carol},
		{name: "integer id", data: db.signJSON(t, with(login(alice), "_auth_user_id", 1)), want: alice},
		{name: "float id", data: db.signJSON(t, with(login(alice), "_auth_user_id", 1.5)), err: errNoUser},
		{name: "other keys and Python's NaN", data: db.sign([]byte(`{"cart":[1,2.5e3,NaN,-Infinity,{"a":null}],"_auth_user_id":"1","_auth_user_backend":"` + ModelBackend + `","_auth_user_hash":"` + authHash(testKey, alice.PasswordHash, false) + `"}`)), want: alice},
		{name: "repeated key, the last wins", data: db.sign([]byte(`{"_auth_user_id":"2","_auth_user_id":"1","_auth_user_backend":"` + ModelBackend + `","_auth_user_hash":"` + authHash(testKey, alice.PasswordHash, false) + `"}`)), want: alice},
		{name: "keys compared exactly", data: db.sign([]byte(`{"_AUTH_USER_ID":"1","_auth_user_backend":"` + ModelBackend + `","_auth_user_hash":"` + authHash(testKey, alice.PasswordHash, false) + `"}`)), err: errNoUser},
		{name: "tampered payload", data: tamper(valid, 10), err: errSignature},
		{name: "tampered signature", data: tamper(valid, len(valid)-3), err: errSignature},
		{name: "truncated", data: valid[:len(valid)-4], err: errSignature},
		{name: "no signature", data: valid[:strings.LastIndexByte(valid, ':')], err: errSignature},
		{name: "empty data", data: "", err: errSignature},
		{name: "signed with another key", data: testSigner{key: testWrong, salt: saltDB}.signJSON(t, login(alice)), err: errSignature},
		{name: "signed with the signed_cookies salt", data: cookies.signJSON(t, login(alice)), err: errSignature},
		{name: "signed with a fallback key", settings: fallbacks, data: testSigner{key: testOldKey, salt: saltDB}.signJSON(t, loginSession(alice, ModelBackend, testOldKey)), want: alice},
		{name: "a fallback key without fallbacks", data: testSigner{key: testOldKey, salt: saltDB}.signJSON(t, loginSession(alice, ModelBackend, testOldKey)), err: errSignature},
		{name: "auth hash under a fallback key", settings: fallbacks, data: db.signJSON(t, loginSession(alice, ModelBackend, testOldKey)), want: alice},
		{name: "auth hash under another key", data: db.signJSON(t, loginSession(alice, ModelBackend, testOldKey)), err: errAuthHash},
		{name: "garbage", data: "not a session at all", err: errSignature},
		{name: "signed garbage JSON", data: db.sign([]byte(`{"_auth_user_id": "1",`)), err: errFormat},
		{name: "signed JSON list", data: db.sign([]byte(`["_auth_user_id"]`)), err: errFormat},
		{name: "signed trailing data", data: db.sign([]byte(`{} {}`)), err: errFormat},
		{name: "signed bad base64", data: db.signature0("e!!:1r31eq"), err: errFormat},
		{name: "signed bad timestamp", data: db.signature0("e30:1r3!eq"), err: errFormat},
		{name: "signed bad zlib", data: db.signature0(".e30:1r31eq"), err: errFormat},
		{name: "zip bomb", data: bomb, err: errTooBig},
		{name: "too long", data: testSigner{key: testKey, salt: saltDB, compress: compressNever}.sign(bytes.Repeat([]byte(" "), maxDataLen)), err: errTooLong},
		{name: "empty session", data: db.signJSON(t, map[string]any{}), err: errNoUser},
		{name: "no backend", data: db.signJSON(t, with(login(alice), "_auth_user_backend", nil)), err: errNoUser},
		{name: "no user id", data: db.signJSON(t, with(login(alice), "_auth_user_id", nil)), err: errNoUser},
		{name: "backend not configured", data: db.signJSON(t, loginSession(alice, "myapp.backends.EmailBackend", testKey)), err: errBackend},
		{name: "a configured custom backend", settings: func(s *Settings) { s.Backends = []string{"myapp.backends.EmailBackend"} }, data: db.signJSON(t, loginSession(alice, "myapp.backends.EmailBackend", testKey)), want: alice},
		{name: "backend not a string", data: db.signJSON(t, with(login(alice), "_auth_user_backend", []string{ModelBackend})), err: errNoUser},
		{name: "user gone", data: db.signJSON(t, with(login(alice), "_auth_user_id", "99")), err: errUserGone},
		{name: "inactive user", data: db.signJSON(t, login(bob)), err: errInactive},
		{name: "inactive user, AllowAllUsersModelBackend", settings: func(s *Settings) { s.Backends = []string{AllowAllUsersModelBackend} }, data: db.signJSON(t, loginSession(bob, AllowAllUsersModelBackend, testKey)), err: errInactive},
		{name: "password changed", data: db.signJSON(t, with(login(alice), "_auth_user_hash", authHash(testKey, "pbkdf2_sha256$1$old$hash=", false))), err: errAuthHash},
		{name: "no auth hash", data: db.signJSON(t, with(login(alice), "_auth_user_hash", nil)), err: errAuthHash},
		{name: "empty auth hash", data: db.signJSON(t, with(login(alice), "_auth_user_hash", "")), err: errAuthHash},
		{name: "auth hash upper-case", data: db.signJSON(t, with(login(alice), "_auth_user_hash", strings.ToUpper(authHash(testKey, alice.PasswordHash, false)))), err: errAuthHash},
		{name: "auth hash not a string", data: db.signJSON(t, with(login(alice), "_auth_user_hash", 5)), err: errAuthHash},

		{name: "no such row", cookie: "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", data: valid, err: errNoSession},
		{name: "expired row", cookie: "expiredexpiredexpiredexpired0000", data: valid, err: errNoSession},
		{name: "key too short", cookie: "abc", data: valid, err: errBadKey},
		{name: "empty cookie", cookie: "", data: valid, err: errBadKey},
		{name: "key of upper case", cookie: strings.ToUpper(testSessionKey), data: valid, err: errBadKey},
		{name: "key too long", cookie: strings.Repeat("a", 41), data: valid, err: errBadKey},

		{name: "SHA-1 signature without Legacy", data: testSigner{key: testKey, salt: saltDB, sha1: true}.signJSON(t, login(alice)), err: errSignature},
		{name: "SHA-1 signature with Legacy", settings: legacy, data: testSigner{key: testKey, salt: saltDB, sha1: true}.signJSON(t, login(alice)), want: alice},
		{name: "SHA-1 signature under a fallback key", settings: func(s *Settings) { legacy(s); fallbacks(s) }, data: testSigner{key: testOldKey, salt: saltDB, sha1: true}.signJSON(t, login(alice)), err: errSignature},
		{name: "pre-3.1 encoding without Legacy", data: legacyEncode(testKey, mustJSON(t, login(alice))), err: errSignature},
		{name: "pre-3.1 encoding with Legacy", settings: legacy, data: legacyEncode(testKey, mustJSON(t, login(alice))), want: alice},
		{name: "pre-3.1 encoding, another key", settings: legacy, data: legacyEncode(testWrong, mustJSON(t, login(alice))), err: errSignature},
		{name: "pre-3.1 encoding, tampered", settings: legacy, data: tamper(legacyEncode(testKey, mustJSON(t, login(alice))), 60), err: errSignature},
		{name: "SHA-1 auth hash without Legacy", data: db.signJSON(t, with(login(alice), "_auth_user_hash", authHash(testKey, alice.PasswordHash, true))), err: errAuthHash},
		{name: "SHA-1 auth hash with Legacy", settings: legacy, data: db.signJSON(t, with(login(alice), "_auth_user_hash", authHash(testKey, alice.PasswordHash, true))), want: alice},
		{name: "SHA-1 auth hash under a fallback key", settings: func(s *Settings) { legacy(s); fallbacks(s) }, data: db.signJSON(t, with(login(alice), "_auth_user_hash", authHash(testOldKey, alice.PasswordHash, true))), err: errAuthHash},

		{name: "signed_cookies valid", settings: signed, data: cookies.signJSON(t, login(alice)), want: alice},
		{name: "signed_cookies at max_age", settings: func(s *Settings) { signed(s); s.CookieAge = 60 * time.Second }, data: cookies.signJSON(t, login(alice)), want: alice},
		{name: "signed_cookies past max_age", settings: func(s *Settings) { signed(s); s.CookieAge = 59 * time.Second }, data: cookies.signJSON(t, login(alice)), err: errExpired},
		{name: "signed_cookies two weeks old", settings: signed, data: testSigner{key: testKey, salt: saltCookies, ts: testNow.Unix() - 1209600}.signJSON(t, login(alice)), want: alice},
		{name: "signed_cookies two weeks and a second old", settings: signed, data: testSigner{key: testKey, salt: saltCookies, ts: testNow.Unix() - 1209601}.signJSON(t, login(alice)), err: errExpired},
		{name: "signed_cookies from the future", settings: signed, data: testSigner{key: testKey, salt: saltCookies, ts: testNow.Unix() + 86400}.signJSON(t, login(alice)), want: alice},
		{name: "signed_cookies far past", settings: signed, data: cookies.signature0("e30:-zzzzzzzzzzzzzzzz"), err: errExpired},
		{name: "signed_cookies with the db salt", settings: signed, data: valid, err: errSignature},
		{name: "signed_cookies fallback key", settings: func(s *Settings) { signed(s); fallbacks(s) }, data: testSigner{key: testOldKey, salt: saltCookies}.signJSON(t, login(alice)), want: alice},
		{name: "signed_cookies never pre-3.1", settings: func(s *Settings) { signed(s); legacy(s) }, data: legacyEncode(testKey, mustJSON(t, login(alice))), err: errSignature},
		{name: "signed_cookies SHA-1 with Legacy", settings: func(s *Settings) { signed(s); legacy(s) }, data: testSigner{key: testKey, salt: saltCookies, sha1: true}.signJSON(t, login(alice)), want: alice},
		{name: "signed_cookies too long", settings: signed, data: testSigner{key: testKey, salt: saltCookies, compress: compressNever}.sign(bytes.Repeat([]byte(" "), maxCookieLen)), err: errTooLong},
		{name: "signed_cookies short", settings: signed, data: "abc:def", err: errBadKey},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			store := &memStore{}
			s := Settings{SecretKey: testKey, Store: store, Users: users}
			if c.settings != nil {
				c.settings(&s)
			}
			cookie := c.data
			if s.Engine != EngineSignedCookies {
				cookie = testSessionKey
				if c.cookie != "" || c.name == "empty cookie" {
					cookie = c.cookie
				}
				store.put(testSessionKey, c.data, testNow.Add(time.Hour))
				store.put("expiredexpiredexpiredexpired0000", c.data, testNow)
			}
			a := newTest(t, s)
			r := request("GET", "/api/", "")
			if !c.noCookie {
				r.Header.Set("Cookie", "other=1; sessionid="+cookie)
			}
			got, err := a.Authenticate(r)
			checkSecrets(t, err, cookie)
			if c.err != nil {
				if !errors.Is(err, c.err) || !errors.Is(err, jwtauth.ErrNoCredentials) {
					t.Fatalf("err = %v, want %v (and jwtauth.ErrNoCredentials)", err, c.err)
				}
				if c.err != errNoCookie && !errors.Is(err, ErrInvalidSession) {
					t.Fatalf("err = %v, want ErrInvalidSession", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			if got.ID != c.want.ID || got.Username != c.want.Username {
				t.Fatalf("user = %s %s, want %s %s", got.ID, got.Username, c.want.ID, c.want.Username)
			}
		})
	}
}

// signature0 signs an already built "payload:timestamp", for data the
// test signer would not build.
func (s testSigner) signature0(value string) string { return value + ":" + s.signature(value) }

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := jsonMarshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkSecrets fails the test if err shows the cookie or a test key.
func checkSecrets(t *testing.T, err error, cookie string) {
	t.Helper()
	if err == nil {
		return
	}
	texts := []string{err.Error(), fmt.Sprintf("%v %+v %s", err, err, err)}
	var e *jwtauth.Error
	if errors.As(err, &e) {
		texts = append(texts, e.Detail)
	}
	for _, s := range texts {
		for _, secret := range []string{string(testKey), string(testOldKey), string(testWrong)} {
			if strings.Contains(s, secret) {
				t.Fatalf("error shows a secret key: %q", s)
			}
		}
		if len(cookie) >= 8 && strings.Contains(s, cookie) {
			t.Fatalf("error shows the cookie: %q", s)
		}
	}
}

// TestExpired: TimestampSigner's max_age, time.time() - timestamp >
// max_age, at the edges.
func TestExpired(t *testing.T) {
	now := time.Unix(1000, 700_000_000)
	for _, c := range []struct {
		ts     int64
		maxAge time.Duration
		want   bool
	}{
		{1000, time.Second, false},
		{1000, 500 * time.Millisecond, true},
		{1000, 700 * time.Millisecond, false},
		{999, 1700 * time.Millisecond, false},
		{999, 1699 * time.Millisecond, true},
		{1001, time.Nanosecond, false},
		{math.MaxInt64, time.Second, false},
		{math.MinInt64, time.Duration(math.MaxInt64), true},
		{-1000, 2000 * time.Second, true},
		{-1000, 2000*time.Second + 700*time.Millisecond, false},
		{-1000, 2000*time.Second + 699*time.Millisecond, true},
	} {
		if got := expired(c.ts, now, c.maxAge); got != c.want {
			t.Errorf("expired(%d, %s) = %t", c.ts, c.maxAge, got)
		}
	}
}

// TestB62: TimestampSigner's base62 timestamps.
func TestB62(t *testing.T) {
	for in, want := range map[string]int64{
		"0": 0, "1r31eq": 1700000000, "-1": -1, "-": 0, "z": 61, "10": 62,
		"zzzzzzzzzzzz": math.MaxInt64, "-zzzzzzzzzzzz": math.MinInt64, "AzL8n0Y58m7": math.MaxInt64,
	} {
		if got, ok := b62Decode(in); !ok || got != want {
			t.Errorf("b62Decode(%q) = %d, %t; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "1r3!", " 1", "1.5", "--1", "+1"} {
		if _, ok := b62Decode(in); ok {
			t.Errorf("b62Decode(%q) ok", in)
		}
	}
	if b62Encode(1700000000) != "1r31eq" {
		t.Error("the test signer's base62 is not Django's")
	}
}

// TestAllowAllUsers: AllowAllUsersModelBackend makes Django's
// request.user the inactive user, as get_user does; DRF's
// SessionAuthentication then refuses it, and so does Authenticate.
func TestAllowAllUsers(t *testing.T) {
	users, u := testUsers(t)
	bob := u["bob"]
	for _, c := range []struct {
		backend string
		want    error
	}{
		{ModelBackend, errInactive},
		{RemoteUserBackend, errInactive},
		{AllowAllUsersModelBackend, nil},
		{AllowAllUsersRemoteUserBackend, nil},
	} {
		t.Run(c.backend, func(t *testing.T) {
			a := newTest(t, Settings{SecretKey: testKey, Engine: EngineSignedCookies, Users: users, Backends: []string{c.backend}})
			cookie := testSigner{key: testKey, salt: saltCookies}.signJSON(t, loginSession(bob, c.backend, testKey))
			got, err := a.user(context.Background(), cookie)
			if !errors.Is(err, c.want) || c.want == nil && got.ID != bob.ID {
				t.Fatalf("user() = %v, %v; want bob or %v", got.ID, err, c.want)
			}
			r := request("GET", "/", "", "Cookie", "sessionid="+cookie)
			if _, err := a.Authenticate(r); !errors.Is(err, errInactive) {
				t.Fatalf("Authenticate: %v, want the inactive user refused", err)
			}
		})
	}
}

// TestStoreFailures: a failing Store or UserStore is a failure of the
// service, not an anonymous request, and does not show the key.
func TestStoreFailures(t *testing.T) {
	users, u := testUsers(t)
	data := testSigner{key: testKey, salt: saltDB}.signJSON(t, loginSession(u["alice"], ModelBackend, testKey))
	for _, c := range []struct {
		name  string
		store *memStore
		users jwtauth.UserStore
		want  error
	}{
		{"session store down", &memStore{err: errDatabaseDown}, users, errDatabaseDown},
		{"session store quotes the key", &memStore{err: fmt.Errorf("no row for %q: %w", testSessionKey, errDatabaseDown)}, users, errDatabaseDown},
		{"user store down", &memStore{}, failingUsers{}, errDatabaseDown},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.store.put(testSessionKey, data, testNow.Add(time.Hour))
			a := newTest(t, Settings{SecretKey: testKey, Store: c.store, Users: c.users})
			_, err := a.Authenticate(request("GET", "/", "", "Cookie", "sessionid="+testSessionKey))
			if !errors.Is(err, c.want) || errors.Is(err, jwtauth.ErrNoCredentials) || errors.As(err, new(*jwtauth.Error)) {
				t.Fatalf("err = %v, want a service failure wrapping %v", err, c.want)
			}
			checkSecrets(t, err, testSessionKey)
		})
	}
	t.Run("canceled", func(t *testing.T) {
		store := &memStore{}
		store.put(testSessionKey, data, testNow.Add(time.Hour))
		a := newTest(t, Settings{SecretKey: testKey, Store: store, Users: users})
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		r := request("GET", "/", "", "Cookie", "sessionid="+testSessionKey).WithContext(ctx)
		if _, err := a.Authenticate(r); !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	})
}

// TestCookies: the session cookie as Django's parse_cookie finds it.
func TestCookies(t *testing.T) {
	users, u := testUsers(t)
	good := testSigner{key: testKey, salt: saltCookies}.signJSON(t, loginSession(u["alice"], ModelBackend, testKey))
	bad := testSigner{key: testWrong, salt: saltCookies}.signJSON(t, loginSession(u["alice"], ModelBackend, testKey))
	for _, c := range []struct {
		name    string
		cookies []string
		name2   string
		want    error
	}{
		{name: "alone", cookies: []string{"sessionid=" + good}},
		{name: "among others", cookies: []string{"a=1; sessionid=" + good + " ; b=2"}},
		{name: "twice, the last wins", cookies: []string{"sessionid=" + bad + "; sessionid=" + good}},
		{name: "twice, the last loses", cookies: []string{"sessionid=" + good + "; sessionid=" + bad}, want: errSignature},
		{name: "two Cookie headers", cookies: []string{"a=1", "sessionid=" + good}},
		{name: "quoted", cookies: []string{`sessionid="` + good + `"`}},
		{name: "another name", cookies: []string{"session=" + good}, want: errNoCookie},
		{name: "a prefix of the name", cookies: []string{"xsessionid=" + good}, want: errNoCookie},
		{name: "custom name", cookies: []string{"sid=" + good}, name2: "sid"},
		{name: "custom name, the default ignored", cookies: []string{"sessionid=" + good}, name2: "sid", want: errNoCookie},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := newTest(t, Settings{SecretKey: testKey, Engine: EngineSignedCookies, Users: users, CookieName: c.name2})
			r := request("GET", "/", "")
			for _, h := range c.cookies {
				r.Header.Add("Cookie", h)
			}
			got, err := a.Authenticate(r)
			if !errors.Is(err, c.want) || c.want == nil && got.ID != "1" {
				t.Fatalf("Authenticate = %q, %v; want %v", got.ID, err, c.want)
			}
		})
	}
}

// TestUnquoteCookie: http.cookies._unquote.
func TestUnquoteCookie(t *testing.T) {
	for in, want := range map[string]string{
		`abc`:          `abc`,
		`"abc"`:        `abc`,
		`"`:            `"`,
		`""`:           ``,
		`"a\"b"`:       `a"b`,
		`"a\\b"`:       `a\b`,
		`"\101\060"`:   `A0`,
		`"\400"`:       `400`,
		`"\x"`:         `x`,
		`"a\"`:         `a\`,
		"\"a\\\nb\"":   "a\\\nb",
		`"\é"`:         `é`,
		`"abc`:         `"abc`,
		`abc"`:         `abc"`,
		`"\377"`:       "\u00ff",
		`"\12"`:        `12`,
		`"trailing\1"`: `trailing1`,
	} {
		if got := unquoteCookie(in); got != want {
			t.Errorf("unquoteCookie(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestThroughJwtauth: the authenticator in jwtauth's chain: a session
// authenticates, a CSRF refusal is DRF's 403 body, a store failure a 503,
// and an invalid session leaves the request without credentials.
func TestThroughJwtauth(t *testing.T) {
	users, u := testUsers(t)
	store := &memStore{}
	store.put(testSessionKey, testSigner{key: testKey, salt: saltDB}.signJSON(t, loginSession(u["alice"], ModelBackend, testKey)), testNow.Add(time.Hour))
	store.put("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "garbage", testNow.Add(time.Hour))
	sa := newTest(t, Settings{SecretKey: testKey, Store: store, Users: users})
	down := newTest(t, Settings{SecretKey: testKey, Store: &memStore{err: errDatabaseDown}, Users: users})
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := jwtauth.UserFromContext(r.Context())
		body, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "hello %s, %s", u.Username, body)
	})
	auth := func(ss jwtauth.Authenticator) http.Handler {
		a, err := jwtauth.New(jwtauth.Settings{
			Keys:           jwtauth.Keys{Secret: "jwt-secret-of-at-least-thirty-two-bytes!"},
			Authenticators: []jwtauth.Authenticator{ss},
			Logger:         discardLogger(),
		}, users)
		if err != nil {
			t.Fatal(err)
		}
		return a.Required(handler)
	}
	sec, tok := "abcdefghijklmnopqrstuvwxyzABCDEF", maskToken("abcdefghijklmnopqrstuvwxyzABCDEF", "0123456789ABCDEFGHIJKLMNOPQRSTUV")
	for _, c := range []struct {
		name   string
		h      http.Handler
		r      *http.Request
		status int
		body   string
	}{
		{"GET", auth(sa), request("GET", "/", "", "Cookie", "sessionid="+testSessionKey), 200, "hello alice,"},
		{"POST with the header", auth(sa), request("POST", "/", "x", "Cookie", "sessionid="+testSessionKey+"; csrftoken="+sec, "X-CSRFToken", tok), 200, "hello alice, x"},
		{"POST with the form field, body kept", auth(sa), request("POST", "/", "a=1&csrfmiddlewaretoken="+tok, "Cookie", "sessionid="+testSessionKey+"; csrftoken="+sec, "Content-Type", "application/x-www-form-urlencoded"), 200, "hello alice, a=1&csrfmiddlewaretoken=" + tok},
		{"POST without the CSRF cookie", auth(sa), request("POST", "/", "", "Cookie", "sessionid="+testSessionKey, "X-CSRFToken", tok), 403, `{"detail":"CSRF Failed: CSRF cookie not set."}`},
		{"POST with a bad token", auth(sa), request("POST", "/", "", "Cookie", "sessionid="+testSessionKey+"; csrftoken="+sec, "X-CSRFToken", sec[1:]+"x"), 403, `{"detail":"CSRF Failed: CSRF token missing or incorrect."}`},
		{"HTTPS without Referer", auth(sa), request("POST", "https://example.com/", "", "Cookie", "sessionid="+testSessionKey+"; csrftoken="+sec, "X-CSRFToken", tok), 403, `{"detail":"CSRF Failed: Referer checking failed - no Referer."}`},
		{"invalid session", auth(sa), request("GET", "/", "", "Cookie", "sessionid=bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"), 401, `{"detail":"Authentication credentials were not provided."}`},
		{"invalid session skips CSRF", auth(sa), request("POST", "/", "", "Cookie", "sessionid=bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"), 401, `{"detail":"Authentication credentials were not provided."}`},
		{"store down", auth(down), request("GET", "/", "", "Cookie", "sessionid="+testSessionKey), 503, `{"detail":"Service temporarily unavailable, try again later."}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			c.h.ServeHTTP(rec, c.r)
			if got := strings.TrimSpace(rec.Body.String()); rec.Code != c.status || got != c.body {
				t.Fatalf("%d %s, want %d %s", rec.Code, got, c.status, c.body)
			}
		})
	}
}
