package jwtauth

// Tests of security.md's checklist rows that the other test files did not
// hold yet (SECURITY.md maps every row to its tests): the hashing work of a
// failed login, usernames that only look alike, concurrent refreshes,
// allocations of the reject path, the header name over the wire, Settings
// copied at New, what logs and error bodies may carry, where the cookie
// credential comes from (FuzzCookieExtraction), and a user store that hangs.

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jwtauth-go/jwtauth/internal/testkit"
	"github.com/jwtauth-go/jwtauth/passwords"
)

// hashMiB is the Argon2 memory of the hash-counting store: each Argon2
// hash allocates it once, so allocated bytes count hashes without a clock.
const hashMiB = 16

// TestLoginCostsOneHash (rows 39, 40, 46, 47): a wrong password, an unknown
// user and an inactive user each cost exactly one password hash and get
// the same bytes; a body over the cap, a NUL and a blank password cost
// none. Hashes are counted by the bytes Argon2 allocates (hashMiB each),
// so this test does not run in parallel with others.
func TestLoginCostsOneHash(t *testing.T) {
	store := &MemoryStore{Passwords: passwords.Policy{Algorithm: "argon2", Argon2Time: 1, Argon2MemoryKiB: hashMiB << 10, Argon2Threads: 1}}
	addFixtureUser(t, store, fixtureUser, fixturePassword)
	addFixtureUser(t, store, fixtureInactive, fixtureInactivePassword)
	h := newTestAuth(t, store).Handlers().Obtain
	for _, tc := range []struct {
		name   string
		body   string
		hashes uint64
		status int
		resp   string
	}{
		{"right password", fixtureLogin, 1, 200, obtainOK},
		{"wrong password", `{"username":"jpueblo","password":"wrong"}`, 1, 400, unableToLogIn},
		{"unknown user", `{"username":"ghost","password":"password"}`, 1, 400, unableToLogIn},
		{"inactive user, right password", `{"username":"inactive","password":"inactivepw"}`, 1, 400, unableToLogIn},
		{"inactive user, wrong password", `{"username":"inactive","password":"wrong"}`, 1, 400, unableToLogIn},
		{"password with a trailing space", `{"username":"jpueblo","password":"password "}`, 1, 400, unableToLogIn},
		{"password in upper case", `{"username":"jpueblo","password":"PASSWORD"}`, 1, 400, unableToLogIn},
		{"password with a NUL", `{"username":"jpueblo","password":"password\u0000"}`, 0, 400, `{"password":["Null characters are not allowed."]}`},
		{"blank password", `{"username":"jpueblo","password":"   "}`, 0, 400, `{"password":["This field may not be blank."]}`},
		{"10 MiB password", `{"username":"jpueblo","password":"` + strings.Repeat("x", 10<<20) + `"}`, 0, 413, detailBody("Request body is too large.")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := jsonBodyRequest(http.MethodPost, "/", tc.body)
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			rec := serveRecorded(h, r)
			runtime.ReadMemStats(&after)
			assertJSONResponse(t, rec, tc.status, tc.resp)
			if got := (after.TotalAlloc - before.TotalAlloc) / (hashMiB << 20); got != tc.hashes {
				t.Errorf("%d hashes (%d bytes allocated), want %d", got, after.TotalAlloc-before.TotalAlloc, tc.hashes)
			}
		})
	}
}

// TestLookalikeUsernames (row 49): usernames are matched exactly, without
// case folding or Unicode normalisation, at creation and at login.
func TestLookalikeUsernames(t *testing.T) {
	t.Parallel()
	runEndpointCases(t, obtainEndpoint, []endpointCase{
		{name: "capitalised", req: jsonPost(`{"username":"Jpueblo","password":"password"}`), status: 400, body: unableToLogIn},
		{name: "Cyrillic er", req: jsonPost(`{"username":"j\u0440ueblo","password":"password"}`), status: 400, body: unableToLogIn},
		{name: "fullwidth (NFKC gives jpueblo)", req: jsonPost(`{"username":"\uff4a\uff50\uff55\uff45\uff42\uff4c\uff4f","password":"password"}`), status: 400, body: unableToLogIn},
		{name: "combining acute", req: jsonPost(`{"username":"jpue\u0301blo","password":"password"}`), status: 400, body: unableToLogIn},
		{name: "exact", req: jsonPost(fixtureLogin), status: 200, body: obtainOK},
	})
	// A fullwidth name is stored as given, not folded into jpueblo's.
	store := newFixtureStore(t)
	addFixtureUser(t, store, User{ID: "3", Username: "\uff4a\uff50\uff55\uff45\uff42\uff4c\uff4f", IsActive: true}, "other-password")
	a := newTestAuth(t, store)
	if rec := doJSON(a.Handlers().Obtain, fixtureLogin); rec.Code != 200 || tokenPayloadJSON(t, tokenFromBody(t, rec)) != fixtureTokenPayload {
		t.Errorf("jpueblo after a fullwidth look-alike was added: %d %s", rec.Code, rec.Body)
	}
}

// TestConcurrentRefreshes (row 74): two refreshes of one token at once
// both succeed, with the same orig_iat.
func TestConcurrentRefreshes(t *testing.T) {
	t.Parallel()
	a := newTestAuth(t, newFixtureStore(t), withAllowRefresh)
	tok := hs256(fixtureRefreshPayload)
	var wg sync.WaitGroup
	recs := make([]*httptest.ResponseRecorder, 8)
	for i := range recs {
		wg.Go(func() { recs[i] = doJSON(a.Handlers().Refresh, tokenJSON(tok)) })
	}
	wg.Wait()
	for i, rec := range recs {
		if rec.Code != 200 {
			t.Fatalf("refresh %d: %d %s", i, rec.Code, rec.Body)
		}
		if got := tokenPayloadJSON(t, tokenFromBody(t, rec)); !strings.Contains(got, `"orig_iat":1700000000`) {
			t.Errorf("refresh %d: payload %s", i, got)
		}
	}
}

// TestParallelMixedRequests (row 73): obtain, verify, refresh and the
// middleware share one Auth from many goroutines; go test -race checks it.
func TestParallelMixedRequests(t *testing.T) {
	t.Parallel()
	a := newTestAuth(t, newFixtureStore(t), withAllowRefresh, func(s *Settings) { s.AuthCookie = "jwt"; s.TokenCacheSize = 16 })
	tok := hs256(fixtureRefreshPayload)
	protected := a.Required(&protectedView{})
	var wg sync.WaitGroup
	for i := range 64 {
		wg.Go(func() {
			var rec *httptest.ResponseRecorder
			switch i % 4 {
			case 0:
				rec = doJSON(a.Handlers().Obtain, fixtureLogin)
			case 1:
				rec = doJSON(a.Handlers().Verify, tokenJSON(tok))
			case 2:
				rec = doJSON(a.Handlers().Refresh, tokenJSON(tok))
			default:
				r := httptest.NewRequest(http.MethodGet, "/", nil)
				r.Header.Set("Authorization", "JWT "+tok)
				rec = serveRecorded(protected, r)
			}
			if rec.Code != 200 {
				t.Errorf("request %d: %d %s", i, rec.Code, rec.Body)
			}
		})
	}
	wg.Wait()
}

// TestRejectPathAllocations (rows 12, 76): refusing a 1 MiB token, junk or
// dots, allocates no more than refusing a short one: the length cap runs
// before any decoding.
func TestRejectPathAllocations(t *testing.T) {
	a := newTestAuth(t, newFixtureStore(t))
	h := a.Required(&protectedView{})
	allocs := func(token string) float64 {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Authorization", "JWT "+token)
		return testing.AllocsPerRun(20, func() {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			if rec.Code != 401 {
				t.Fatalf("status %d", rec.Code)
			}
		})
	}
	short := allocs("abc.def.ghi")
	for name, tok := range map[string]string{
		"1 MiB junk":        strings.Repeat("a", 1<<20),
		"1 MiB dots":        strings.Repeat(".", 1<<20),
		"1 MiB of segments": strings.Repeat("a", 1<<19) + "." + strings.Repeat("b", 1<<19-2) + ".c",
	} {
		if got := allocs(tok); got > short+2 {
			t.Errorf("%s: %.0f allocations, a short junk token %.0f", name, got, short)
		}
	}
}

// TestHeaderNameOverTheWire (row 36): a lower-case authorization header
// name authenticates; a header value with bytes outside ASCII is refused.
func TestHeaderNameOverTheWire(t *testing.T) {
	t.Parallel()
	a := newTestAuth(t, newFixtureStore(t))
	srv := httptest.NewServer(a.Required(&protectedView{}))
	defer srv.Close()
	tok := hs256(fixtureTokenPayload)
	for _, tc := range []struct {
		name, line string
		status     int
	}{
		{"lower-case name", "authorization: JWT " + tok, 200},
		{"upper-case name", "AUTHORIZATION: JWT " + tok, 200},
		{"Latin-1 byte in the token", "Authorization: JWT " + tok + "\xe9", 401},
		{"UTF-8 in the token", "Authorization: JWT " + tok + "é", 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := net.Dial("tcp", srv.Listener.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(5 * time.Second))
			fmt.Fprintf(c, "GET /api/protected/ HTTP/1.1\r\nHost: x\r\n%s\r\nConnection: close\r\n\r\n", tc.line)
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.status {
				t.Errorf("status %d, want %d: %s", resp.StatusCode, tc.status, body)
			}
		})
	}
}

// TestSettingsCopiedAtNew (row 72): changing the Settings value or the
// slice it was given after New changes nothing in the Auth.
func TestSettingsCopiedAtNew(t *testing.T) {
	t.Parallel()
	store := newFixtureStore(t)
	s := Settings{
		Keys:           Keys{Secret: fixtureSecret},
		Now:            func() time.Time { return fixtureNow },
		Logger:         fixtureDiscardLogger,
		Authenticators: []Authenticator{BasicAuthentication(store)},
	}
	a, err := New(s, store)
	if err != nil {
		t.Fatal(err)
	}
	s.Keys.Secret = "another-secret-another-secret-another-secret"
	s.AuthHeaderPrefix = "Bearer"
	s.Authenticators[0] = denyAll{}
	h := a.Required(&protectedView{})
	for _, header := range []string{"JWT " + hs256(fixtureTokenPayload), basicAuthHeader("jpueblo:password")} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Authorization", header)
		if rec := serveRecorded(h, r); rec.Code != 200 {
			t.Errorf("%.10s...: %d %s", header, rec.Code, rec.Body)
		}
	}
}

type denyAll struct{}

func (denyAll) Authenticate(*http.Request) (User, error) { return User{}, ErrInvalidCredentials }

// goErrorStrings are fragments of Go's own error texts, stack traces and
// paths, which no response body may carry.
var goErrorStrings = []string{
	"invalid character", "json:", "strconv.", ".go:", "panic", "goroutine ", "runtime error", "unexpected EOF",
	"http: request body", "context deadline", "context canceled", "database down", "/work/", "illegal base64",
	"multipart:", "mime:",
}

// leakCanaries are passwords the log-and-body test submits: none may come
// back in a body or a log record. canaryPassword is jpueblo's real one.
const (
	canaryPassword  = "Canary-Right-Pw-5a1f"
	canaryWrong     = "Canary-Wrong-Pw-77c2"
	canaryInactive  = "Canary-Inactive-Pw-0d9e"
	canaryFailStore = "Canary-Store-Pw-3b4c"
)

// TestNothingLeaksIntoLogsOrBodies (rows 78, 79): every request of the
// checklist that httptest can drive, against Auths logging every record
// (debug level) to one buffer: no record carries the secret, a token
// issued or submitted, a submitted password or an Authorization value; no
// body carries the secret, a password, a Go error string, or a token
// except the 200 answers of obtain, refresh and verify.
func TestNothingLeaksIntoLogsOrBodies(t *testing.T) {
	logger, logs := newCaptureLogger()
	store := &MemoryStore{Passwords: passwords.Policy{PBKDF2Iterations: 1}}
	addFixtureUser(t, store, fixtureUser, canaryPassword)
	addFixtureUser(t, store, fixtureInactive, canaryInactive)
	withLog := func(s *Settings) { s.Logger = logger; s.AllowRefresh = true }
	plain := newTestAuth(t, store, withLog, func(s *Settings) { s.Authenticators = []Authenticator{BasicAuthentication(store)} })
	cookie := newTestAuth(t, store, withLog, func(s *Settings) { s.AuthCookie = "jwt" })
	cached := newTestAuth(t, store, withLog, func(s *Settings) { s.TokenCacheSize = 8 })
	aud := newTestAuth(t, store, withLog, func(s *Settings) { s.Audience = "api"; s.Issuer = "https://a" })
	broken := newTestAuth(t, failingStore{errors.New("database down")}, withLog,
		func(s *Settings) {
			s.Authenticators = []Authenticator{BasicAuthentication(failingStore{errors.New("database down")})}
		})

	now := int64(fixtureNowUnix)
	claims := func(extra map[string]any) map[string]any {
		m := map[string]any{"user_id": 1, "username": "jpueblo", "email": "jpueblo@example.com", "exp": now + 300, "orig_iat": now}
		for k, v := range extra {
			if v == nil {
				delete(m, k)
			} else {
				m[k] = v
			}
		}
		return m
	}
	tokens := map[string]string{
		"valid":        handMadeToken(t, claims(nil)),
		"expired":      handMadeToken(t, claims(map[string]any{"exp": now - 10})),
		"alg none":     unsignedToken(t, `{"alg":"none","typ":"JWT"}`, claims(nil)),
		"HS512":        handMadeTokenWith(t, `{"alg":"HS512","typ":"JWT"}`, claims(nil), fixtureSecret),
		"wrong secret": handMadeTokenWith(t, fixturePyJWT2Header, claims(nil), "another-secret-another-secret-another-secret"),
		"crit":         handMadeTokenWith(t, `{"alg":"HS256","crit":["b64"]}`, claims(nil), fixtureSecret),
		"kid":          handMadeTokenWith(t, `{"alg":"HS256","kid":"../../etc/passwd"}`, claims(nil), fixtureSecret),
		"jku":          handMadeTokenWith(t, `{"alg":"HS256","jku":"http://127.0.0.1:1/"}`, claims(nil), fixtureSecret),
		"aud":          handMadeToken(t, claims(map[string]any{"aud": "x"})),
		"aud api":      handMadeToken(t, claims(map[string]any{"aud": "api", "iss": "https://a"})),
		"nbf future":   handMadeToken(t, claims(map[string]any{"nbf": now + 100})),
		"exp string":   handMadeToken(t, claims(map[string]any{"exp": "1700000300"})),
		"exp missing":  handMadeToken(t, claims(map[string]any{"exp": nil})),
		"unknown user": handMadeToken(t, claims(map[string]any{"username": "ghost", "user_id": 9})),
		"inactive":     handMadeToken(t, claims(map[string]any{"username": "inactive", "user_id": 2})),
		"other id":     handMadeToken(t, claims(map[string]any{"user_id": 2})),
		"old orig_iat": handMadeToken(t, claims(map[string]any{"orig_iat": now - 8*86400})),
		"orig_iat str": handMadeToken(t, claims(map[string]any{"orig_iat": "1700000000"})),
		"future iat":   handMadeToken(t, claims(map[string]any{"orig_iat": now + 100})),
		"no orig_iat":  handMadeToken(t, claims(map[string]any{"orig_iat": nil})),
		"username num": handMadeToken(t, claims(map[string]any{"username": 5})),
	}
	tokens["tampered"] = tokens["valid"][:len(tokens["valid"])-3] + "AAA"
	tokens["padded"] = strings.Replace(tokens["valid"], ".", "=.", 1)
	tokens["dup alg"] = testkit.SignHS(sha256.New, fixtureSecret, `{"alg":"HS256","alg":"none"}`, `{"username":"jpueblo","exp":1700000300}`)

	var secrets []string // strings no log record may hold
	secrets = append(secrets, fixtureSecret, canaryPassword, canaryWrong, canaryInactive, canaryFailStore)
	for _, tok := range tokens {
		secrets = append(secrets, tok)
	}
	type call struct {
		name     string
		h        http.Handler
		r        *http.Request
		endpoint bool // obtain, verify or refresh: a 200 may carry a token
	}
	var calls []call
	post := func(name string, h http.Handler, ct, body string) {
		calls = append(calls, call{name, h, rawBodyRequest(http.MethodPost, "/", ct, body), true})
	}
	login := func(u, pw string) string {
		b, _ := json.Marshal(map[string]string{"username": u, "password": pw})
		return string(b)
	}
	for _, a := range []*Auth{plain, cookie, broken} {
		o := a.Handlers().Obtain
		post("obtain right", o, "application/json", login("jpueblo", canaryPassword))
		post("obtain wrong", o, "application/json", login("jpueblo", canaryWrong))
		post("obtain another password", o, "application/json", login("jpueblo", canaryFailStore))
		post("obtain unknown", o, "application/json", login("ghost", canaryWrong))
		post("obtain inactive", o, "application/json", login("inactive", canaryInactive))
		post("obtain trailing space", o, "application/json", login("jpueblo", canaryPassword+" "))
		post("obtain NUL", o, "application/json", login("jpueblo", canaryPassword+"\x00"))
		post("obtain form", o, "application/x-www-form-urlencoded", url.Values{"username": {"jpueblo"}, "password": {canaryWrong}}.Encode())
		post("obtain text/plain", o, "text/plain", login("jpueblo", canaryWrong))
		post("obtain malformed", o, "application/json", `{"username":"jpueblo","password":"`+canaryWrong+`",}`)
		post("obtain deep", o, "application/json", strings.Repeat("[", 100000))
		post("obtain password object", o, "application/json", `{"username":"jpueblo","password":{"x":"`+canaryWrong+`"}}`)
		post("obtain extra fields", o, "application/json", `{"username":"jpueblo","password":"`+canaryWrong+`","is_superuser":true}`)
		post("obtain too large", o, "application/json", `{"username":"jpueblo","password":"`+canaryWrong+strings.Repeat("x", 1<<20)+`"}`)
		calls = append(calls, call{"obtain GET", o, httptest.NewRequest(http.MethodGet, "/?password="+canaryWrong, nil), true})
		basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("jpueblo:"+canaryWrong))
		secrets = append(secrets, basic)
		for _, h := range []http.Handler{a.Handlers().Verify, a.Handlers().Refresh} {
			for _, tok := range tokens {
				post("token", h, "application/json", tokenJSON(tok))
			}
			post("token null", h, "application/json", `{"token":null}`)
			post("token number", h, "application/json", `{"token":123}`)
			post("token garbage", h, "application/json", `{"token":"abc123"}`)
			post("token big", h, "application/json", `{"token":"`+strings.Repeat("a", 2<<20)+`"}`)
			post("token malformed JSON", h, "application/json", `{"token":"`+tokens["valid"]+`"`)
		}
		protected := a.Required(&protectedView{})
		for _, tok := range tokens {
			for _, hdr := range []string{"JWT " + tok, "Bearer " + tok, "JWT " + tok + " x"} {
				r := httptest.NewRequest(http.MethodGet, "/?token="+tok, nil)
				r.Header.Set("Authorization", hdr)
				secrets = append(secrets, hdr)
				calls = append(calls, call{"middleware header", protected, r, false})
			}
			r := httptest.NewRequest(http.MethodPost, "/", nil)
			r.AddCookie(&http.Cookie{Name: "jwt", Value: tok})
			calls = append(calls, call{"middleware cookie", protected, r, false})
			r = httptest.NewRequest(http.MethodGet, "/", nil)
			r.Header.Add("Authorization", "JWT "+tok)
			r.Header.Add("Authorization", "JWT "+tok)
			calls = append(calls, call{"middleware two headers", protected, r, false})
		}
		for _, hdr := range []string{basic, "Basic !!!", "JWT", "JWT a b", "Digest " + canaryWrong} {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.Header.Set("Authorization", hdr)
			calls = append(calls, call{"middleware " + hdr, protected, r, false})
		}
	}
	for _, a := range []*Auth{cached, aud} {
		protected := a.Required(&protectedView{})
		for _, tok := range tokens {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.Header.Set("Authorization", "JWT "+tok)
			calls = append(calls, call{"middleware", protected, r, false})
			post("verify", a.Handlers().Verify, "application/json", tokenJSON(tok))
		}
	}

	var issued []string
	for _, c := range calls {
		rec := serveRecorded(c.h, c.r)
		body := rec.Body.String()
		if rec.Code >= 500 && rec.Code != 503 {
			t.Errorf("%s: status %d %s", c.name, rec.Code, body)
		}
		if c.endpoint && rec.Code == 200 {
			var out struct{ Token string }
			if json.Unmarshal(rec.Body.Bytes(), &out) == nil && out.Token != "" {
				issued = append(issued, out.Token)
				body = strings.Replace(body, out.Token, "", 1)
			}
		}
		for _, s := range append([]string{fixtureSecret, canaryPassword, canaryWrong, canaryInactive, canaryFailStore}, values(tokens)...) {
			if strings.Contains(body, s) {
				t.Errorf("%s: body %.200q carries %.40q", c.name, body, s)
			}
		}
		for _, s := range goErrorStrings {
			if strings.Contains(body, s) {
				t.Errorf("%s: body %.200q carries the Go error string %q", c.name, body, s)
			}
		}
	}
	if len(issued) == 0 {
		t.Fatal("no token was issued: the run does not exercise obtain")
	}
	got := logs.String()
	if got == "" {
		t.Fatal("nothing was logged: the capture does not work")
	}
	for _, s := range append(secrets, issued...) {
		if strings.Contains(got, s) {
			t.Errorf("a log record carries %.40q", s)
		}
	}
}

func values(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// FuzzCookieExtraction (security.md §3.1): whatever the Cookie header, no
// panic; with cookie mode on, the token read is the value of the cookie
// named exactly AuthCookie (never another name, nor another case of it),
// and two such cookies are refused; a present Authorization header always
// wins over the cookie.
func FuzzCookieExtraction(f *testing.F) {
	// jwtOf is a.credential, with found false where the request is left
	// to the other authenticators.
	jwtOf := func(a *Auth, r *http.Request) (string, bool, error) {
		tok, err := a.credential(r)
		if errors.Is(err, errNotJWT) {
			return "", false, nil
		}
		return tok, err == nil, err
	}
	tok := hs256(`{"user_id":3,"username":"admin","exp":1700000300}`)
	for _, s := range []string{
		"jwt=" + tok, "a=1; jwt=" + tok + "; b=2", "JWT=" + tok, "xjwt=" + tok, "jwtx=" + tok, "jwt=a; jwt=b", `jwt="quoted"`,
		"jwt", "jwt=", "=jwt", ";;;", "jwt=a b", "jwt=\x00", " jwt = x ", "__Host-jwt=" + tok, "",
	} {
		f.Add(s)
	}
	a := newTestAuth(f, nil, func(s *Settings) { s.AuthCookie = "jwt" })
	off := newTestAuth(f, nil)
	f.Fuzz(func(t *testing.T, cookieHeader string) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Cookie", cookieHeader)
		token, found, err := jwtOf(a, r)
		var named []string
		for _, c := range r.Cookies() {
			if c.Name == "jwt" {
				named = append(named, c.Value)
			}
		}
		switch {
		case len(named) > 1:
			// Django reads the last copy, net/http the first: neither is
			// trusted.
			if !errors.Is(err, errDuplicateCookie) {
				t.Fatalf("cookie %q: two jwt cookies gave %q %v %v, want errDuplicateCookie", cookieHeader, token, found, err)
			}
		case err != nil:
			t.Fatalf("cookie %q: error %v", cookieHeader, err)
		case found != (len(named) == 1):
			t.Fatalf("cookie %q: found %v, cookies named jwt %q", cookieHeader, found, named)
		case found && token != named[0]:
			t.Fatalf("cookie %q: read %q, the jwt cookie is %q", cookieHeader, token, named[0])
		}
		if _, found, _ := jwtOf(off, r); found {
			t.Fatalf("cookie %q read with cookie mode off", cookieHeader)
		}
		// The header wins: its token, or nothing for another scheme.
		for header, want := range map[string]string{"JWT header-token": "header-token", "Bearer other": ""} {
			r.Header.Set("Authorization", header)
			got, found, err := jwtOf(a, r)
			if err != nil || got != want || found != (want != "") {
				t.Fatalf("cookie %q, Authorization %q: got %q %v %v", cookieHeader, header, got, found, err)
			}
		}
	})
}

// hangingStore blocks every call until the request's context ends.
type hangingStore struct{ calls chan struct{} }

func (s hangingStore) wait(ctx context.Context) error {
	select {
	case s.calls <- struct{}{}:
	default:
	}
	<-ctx.Done()
	return ctx.Err()
}

func (s hangingStore) UserByUsername(ctx context.Context, _ string) (User, error) {
	return User{}, s.wait(ctx)
}

func (s hangingStore) UserByID(ctx context.Context, _ string) (User, error) {
	return User{}, s.wait(ctx)
}

func (s hangingStore) Authenticate(ctx context.Context, _, _ string) (User, error) {
	return User{}, s.wait(ctx)
}

// TestHangingStore (rows 52, §3.3): a store that blocks until the request's
// context is done gives 503 with DRF's body and Retry-After by the
// deadline, on obtain, verify, refresh and the middleware (JWT and Basic),
// over loopback; never 500 nor a credentials message; and no goroutine is
// left behind.
func TestHangingStore(t *testing.T) {
	if testing.Short() {
		t.Skip("loopback fault test")
	}
	const deadline = 300 * time.Millisecond
	base := runtime.NumGoroutine()
	store := hangingStore{calls: make(chan struct{}, 1)}
	a := newTestAuth(t, store, withAllowRefresh, func(s *Settings) { s.Authenticators = []Authenticator{BasicAuthentication(store)} })
	mux := http.NewServeMux()
	mux.Handle("/obtain", a.Handlers().Obtain)
	mux.Handle("/verify", a.Handlers().Verify)
	mux.Handle("/refresh", a.Handlers().Refresh)
	mux.Handle("/protected", a.Required(&protectedView{}))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), deadline)
		defer cancel()
		mux.ServeHTTP(w, r.WithContext(ctx))
	}))
	tok := hs256(fixtureRefreshPayload)
	for _, tc := range []struct {
		name, path, auth, body string
	}{
		{"obtain", "/obtain", "", fixtureLogin},
		{"verify", "/verify", "", tokenJSON(tok)},
		{"refresh", "/refresh", "", tokenJSON(tok)},
		{"middleware JWT", "/protected", "JWT " + tok, ""},
		{"middleware Basic", "/protected", basicAuthHeader("jpueblo:password"), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+tc.path, strings.NewReader(tc.body))
			req.Header.Set("Content-Type", "application/json")
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			start := time.Now()
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if took := time.Since(start); took > deadline+5*time.Second {
				t.Errorf("answered after %v, deadline %v", took, deadline)
			}
			if resp.StatusCode != 503 || string(body) != detailBody("Service temporarily unavailable, try again later.") || resp.Header.Get("Retry-After") == "" {
				t.Errorf("%d %s (Retry-After %q), want 503 with DRF's body", resp.StatusCode, body, resp.Header.Get("Retry-After"))
			}
			select {
			case <-store.calls:
			default:
				t.Error("the store was never called")
			}
		})
	}
	srv.Client().CloseIdleConnections()
	srv.Close()
	assertNoGoroutineLeft(t, base)
}

// TestVerifyRefreshIgnoreTheCookie (row 68): with cookie mode on, verify
// and refresh read the token from the body only: a valid cookie and no
// body token is DRF's field error, never a token.
func TestVerifyRefreshIgnoreTheCookie(t *testing.T) {
	t.Parallel()
	a := newTestAuth(t, newFixtureStore(t), withAllowRefresh, func(s *Settings) { s.AuthCookie = "jwt" })
	for _, h := range []http.Handler{a.Handlers().Verify, a.Handlers().Refresh} {
		r := jsonBodyRequest(http.MethodPost, "/", `{}`)
		r.AddCookie(&http.Cookie{Name: "jwt", Value: hs256(fixtureRefreshPayload)})
		rec := serveRecorded(h, r)
		assertJSONResponse(t, rec, 400, `{"token":["This field is required."]}`)
		assertHeaderValue(t, rec, "Set-Cookie", "")
	}
}
