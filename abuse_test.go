package jwtauth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/jwtauth-go/jwtauth/passwords"
)

// gateStore is a MemoryStore whose password checks wait for the test to
// open the gate, counting how many run at once.
type gateStore struct {
	*MemoryStore
	gate          chan struct{}
	running, peak atomic.Int32
}

func (g *gateStore) Authenticate(ctx context.Context, username, password string) (User, error) {
	n := g.running.Add(1)
	defer g.running.Add(-1)
	for p := g.peak.Load(); n > p && !g.peak.CompareAndSwap(p, n); p = g.peak.Load() {
	}
	<-g.gate
	return g.MemoryStore.Authenticate(ctx, username, password)
}

// TestLoginsAreBounded: with MaxConcurrentLogins checks running, another
// login waits for a slot and is refused with a 503 and Retry-After when its
// time runs out, Basic authentication shares the bound, and requests with
// a token are not held up at all.
func TestLoginsAreBounded(t *testing.T) {
	store := &gateStore{MemoryStore: newFixtureStore(t), gate: make(chan struct{})}
	admin := fixtureAdmin
	a := newTestAuth(t, store, func(s *Settings) {
		s.MaxConcurrentLogins, s.Authenticators = 2, []Authenticator{BasicAuthentication(store)}
	})
	login := func(ctx context.Context) *httptest.ResponseRecorder {
		r := httptest.NewRequestWithContext(ctx, http.MethodPost, "/", strings.NewReader(`{"username":"admin","password":"pw-admin"}`))
		r.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		a.Handlers().Obtain.ServeHTTP(rec, r)
		return rec
	}
	// Two logins take both slots and wait at the gate.
	done := make(chan *httptest.ResponseRecorder, 3)
	for range 2 {
		go func() { done <- login(context.Background()) }()
	}
	for store.running.Load() < 2 {
		time.Sleep(time.Millisecond)
	}
	// A third login whose client gives up is refused without reaching the store.
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	rec := login(gone)
	if rec.Code != 503 || rec.Header().Get("Retry-After") != "1" || rec.Body.String() != `{"detail":"Service temporarily unavailable, try again later."}` {
		t.Errorf("login past the bound: %d %v %s", rec.Code, rec.Header(), rec.Body)
	}
	// So is a Basic request.
	r := httptest.NewRequestWithContext(gone, http.MethodGet, "/", nil)
	r.SetBasicAuth("admin", "pw-admin")
	if _, _, err := a.Authenticate(r); !errors.Is(err, errTooManyLogins) {
		t.Errorf("Basic past the bound: %v", err)
	}
	// A request with a token needs no slot.
	tok, _ := a.IssueToken(context.Background(), admin)
	r = httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Authorization", "JWT "+tok)
	if _, _, err := a.Authenticate(r); err != nil {
		t.Errorf("a token while logins wait: %v", err)
	}
	// A login that waits gets the next free slot.
	go func() { done <- login(context.Background()) }()
	close(store.gate)
	for range 3 {
		if rec := <-done; rec.Code != 200 {
			t.Errorf("a login in a slot: %d %s", rec.Code, rec.Body)
		}
	}
	if p := store.peak.Load(); p != 2 {
		t.Errorf("%d password checks ran at once, the bound is 2", p)
	}
}

// TestLoginStorm (row 75, security.md §3.3): 64 concurrent wrong-password
// logins over loopback against bcrypt at its default cost, while a steady
// stream of requests with a token keeps being answered, each well within a
// second. The login slots (two here, as on a 2-core machine) let some
// logins hash and turn the rest away with DRF's 503 and Retry-After; no
// login gets any other answer, and no goroutine is left behind. Bounded by
// a 20 s deadline (a few seconds in practice); skipped under -short.
func TestLoginStorm(t *testing.T) {
	if testing.Short() {
		t.Skip("loopback load test")
	}
	const (
		logins = 64
		slots  = 2                     // 32 rounds of a hash of 30 ms or more outlast the 1 s a login waits
		prompt = time.Second           // the bound on every protected answer
		every  = 10 * time.Millisecond // the stream's pace
	)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	base := runtime.NumGoroutine()

	store := &MemoryStore{Passwords: passwords.Policy{Algorithm: "bcrypt", BcryptCost: bcrypt.DefaultCost}}
	addFixtureUser(t, store, fixtureUser, fixturePassword)
	a := newTestAuth(t, store, func(s *Settings) { s.MaxConcurrentLogins = slots })
	mux := http.NewServeMux()
	mux.Handle("/api-token-auth/", a.Handlers().Obtain)
	mux.Handle("/api/protected/", a.Required(&protectedView{}))
	srv := httptest.NewServer(mux)
	client := srv.Client()
	type answer struct {
		status      int
		body, retry string
		took        time.Duration
		err         error
	}
	do := func(method, path, authorization, body string) answer {
		req, err := http.NewRequestWithContext(ctx, method, srv.URL+path, strings.NewReader(body))
		if err != nil {
			return answer{err: err}
		}
		req.Header.Set("Content-Type", "application/json")
		if authorization != "" {
			req.Header.Set("Authorization", authorization)
		}
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return answer{err: err}
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return answer{resp.StatusCode, string(b), resp.Header.Get("Retry-After"), time.Since(start), err}
	}

	// The stream: a protected GET every 10 ms until the storm is over.
	over := make(chan struct{})
	stream := make(chan []answer)
	go func() {
		var got []answer
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			got = append(got, do(http.MethodGet, "/api/protected/", "JWT "+hs256(fixtureTokenPayload), ""))
			select {
			case <-over:
				stream <- got
				return
			case <-tick.C:
			}
		}
	}()

	// The storm: every login starts at once.
	storm := make([]answer, logins)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range storm {
		wg.Go(func() {
			<-start
			storm[i] = do(http.MethodPost, "/api-token-auth/", "", fmt.Sprintf(`{"username":"jpueblo","password":"wrong-%d"}`, i))
		})
	}
	began := time.Now()
	close(start)
	wg.Wait()
	took := time.Since(began)
	close(over)
	protected := <-stream

	hashed, busy := 0, 0
	for i, ans := range storm {
		switch {
		case ans.err != nil:
			t.Errorf("login %d: %v", i, ans.err)
		case ans.status == 400 && ans.body == unableToLogIn && ans.retry == "":
			hashed++
		case ans.status == 503 && ans.body == detailBody("Service temporarily unavailable, try again later.") && ans.retry == "1":
			busy++
		default:
			t.Errorf("login %d: %d %s (Retry-After %q)", i, ans.status, ans.body, ans.retry)
		}
	}
	if hashed == 0 || busy == 0 {
		t.Errorf("%d logins hashed and %d were turned away; want some of each", hashed, busy)
	}
	var slowest time.Duration
	for i, ans := range protected {
		if ans.err != nil || ans.status != 200 || ans.body != protectedOK {
			t.Errorf("protected request %d: %d %s %v", i, ans.status, ans.body, ans.err)
		}
		slowest = max(slowest, ans.took)
	}
	if slowest >= prompt {
		t.Errorf("the slowest protected answer took %v during the storm, want under %v", slowest, prompt)
	}
	if len(protected) < 10 {
		t.Errorf("only %d protected requests ran during a storm of %v", len(protected), took)
	}
	t.Logf("storm of %d logins over %v: %d hashed, %d got 503; %d protected requests, slowest %v",
		logins, took.Round(time.Millisecond), hashed, busy, len(protected), slowest.Round(time.Microsecond))

	client.CloseIdleConnections()
	srv.Close()
	assertNoGoroutineLeft(t, base)
}

// TestCookieCrossSite: with the auth cookie, unsafe requests it
// authenticates and logins that would set it must come from our own origin
// (or a trusted one); requests with a header, and safe methods, are free.
func TestCookieCrossSite(t *testing.T) {
	a := newTestAuth(t, nil, func(s *Settings) {
		s.AuthCookie, s.TrustedOrigins = "__Host-jwt", []string{"https://app.example.com"}
	})
	tok, _ := a.IssueToken(context.Background(), fixtureAdmin)
	h := a.Required(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) }))
	const refused = `{"detail":"CSRF Failed: cross-site request."}`
	for _, tc := range []struct {
		name, method string
		headers      map[string]string
		status       int
		body         string
	}{
		{"same origin", "POST", map[string]string{"Sec-Fetch-Site": "same-origin"}, 204, ""},
		{"not a browser", "POST", nil, 204, ""},
		{"cross-site POST", "POST", map[string]string{"Sec-Fetch-Site": "cross-site"}, 403, refused},
		{"cross-site DELETE", "DELETE", map[string]string{"Sec-Fetch-Site": "same-site"}, 403, refused},
		{"old browser, foreign Origin", "PUT", map[string]string{"Origin": "https://evil.example"}, 403,
			`{"detail":"CSRF Failed: Origin checking failed - https://evil.example does not match any trusted origins."}`},
		{"trusted origin", "POST", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://app.example.com"}, 204, ""},
		{"cross-site GET", "GET", map[string]string{"Sec-Fetch-Site": "cross-site"}, 204, ""},
	} {
		r := httptest.NewRequest(tc.method, "http://api.example.com/", nil)
		r.AddCookie(&http.Cookie{Name: "__Host-jwt", Value: tok})
		for k, v := range tc.headers {
			r.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code != tc.status || rec.Body.String() != tc.body || rec.Header().Get("WWW-Authenticate") != "" {
			t.Errorf("%s: %d %v %s", tc.name, rec.Code, rec.Header(), rec.Body)
		}
	}
	// The same cross-site POST with the token in a header: no CSRF risk.
	r := httptest.NewRequest("POST", "http://api.example.com/", nil)
	r.Header.Set("Sec-Fetch-Site", "cross-site")
	r.Header.Set("Authorization", "JWT "+tok)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	if rec.Code != 204 {
		t.Errorf("cross-site with a header: %d %s", rec.Code, rec.Body)
	}
	// A cross-site login would set the cookie in the victim's browser.
	for _, endpoint := range []http.Handler{a.Handlers().Obtain, a.Handlers().Refresh, a.Handlers().Verify} {
		r := httptest.NewRequest("POST", "http://api.example.com/", strings.NewReader(`username=admin&password=pw-admin&token=`+tok))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Sec-Fetch-Site", "cross-site")
		rec := httptest.NewRecorder()
		endpoint.ServeHTTP(rec, r)
		if rec.Code != 403 || rec.Body.String() != refused || rec.Header().Get("Set-Cookie") != "" {
			t.Errorf("cross-site login: %d %v %s", rec.Code, rec.Header(), rec.Body)
		}
	}
	// Without the cookie, logins from anywhere are fine (an API's clients).
	plain := newTestAuth(t, nil)
	r = httptest.NewRequest("POST", "http://api.example.com/", strings.NewReader(`username=admin&password=pw-admin`))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Sec-Fetch-Site", "cross-site")
	rec = httptest.NewRecorder()
	plain.Handlers().Obtain.ServeHTTP(rec, r)
	if rec.Code != 200 {
		t.Errorf("cross-site login without cookie mode: %d %s", rec.Code, rec.Body)
	}
}

// TestAbuseSettings: the new settings are validated and read from the
// environment.
func TestAbuseSettings(t *testing.T) {
	for _, tc := range []struct {
		s    Settings
		want string
	}{
		{Settings{Keys: Keys{Secret: fixtureSecret}, AuthCookie: "__Host-jwt", AuthCookieInsecure: true}, "only with the Secure attribute"},
		{Settings{Keys: Keys{Secret: fixtureSecret}, AuthCookie: "__Secure-jwt", AuthCookieInsecure: true}, "only with the Secure attribute"},
		{Settings{Keys: Keys{Secret: fixtureSecret}, MaxConcurrentLogins: -1}, "MaxConcurrentLogins"},
		{Settings{Keys: Keys{Secret: fixtureSecret}, AuthCookie: "jwt", TrustedOrigins: []string{"not an origin"}}, "TrustedOrigins"},
	} {
		if _, err := New(tc.s, &MemoryStore{}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New: %v, want %q", err, tc.want)
		}
	}
	env := map[string]string{"JWT_MAX_CONCURRENT_LOGINS": "8", "CSRF_TRUSTED_ORIGINS": "https://a.example, https://b.example"}
	s, err := FromEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil || s.MaxConcurrentLogins != 8 || len(s.TrustedOrigins) != 2 || s.TrustedOrigins[1] != "https://b.example" {
		t.Errorf("FromEnv: %v %v", s.TrustedOrigins, err)
	}
	if _, err := FromEnv(func(k string) (string, bool) { return "many", k == "JWT_MAX_CONCURRENT_LOGINS" }); err == nil || !strings.Contains(err.Error(), "JWT_MAX_CONCURRENT_LOGINS") {
		t.Errorf("bad count: %v", err)
	}
}

// TestPanicsAreAnswered: a Settings hook that panics gets DRF's 500 and a
// log record with the panic, not a dropped connection; a panic in the
// application's own handler is not ours to swallow.
func TestPanicsAreAnswered(t *testing.T) {
	var logs strings.Builder
	boom := func(context.Context, Claims) (string, error) { panic("hook exploded") }
	a := newTestAuth(t, nil, func(s *Settings) {
		s.UsernameFromPayload = boom
		s.PayloadHandler = func(context.Context, User, Claims) (Claims, error) { panic("payload exploded") }
		s.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
	})
	tok := hs256(`{"user_id":3,"username":"admin","exp":1700000300}`)
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Authorization", "JWT "+tok)
	rec := httptest.NewRecorder()
	a.Required(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { t.Error("the view ran") })).ServeHTTP(rec, r)
	if rec.Code != 500 || rec.Body.String() != `{"detail":"A server error occurred."}` {
		t.Errorf("middleware: %d %s", rec.Code, rec.Body)
	}
	r = httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"username":"admin","password":"pw-admin"}`))
	r.Header.Set("Content-Type", "application/json")
	rec = httptest.NewRecorder()
	a.Handlers().Obtain.ServeHTTP(rec, r)
	if rec.Code != 500 || rec.Body.String() != `{"detail":"A server error occurred."}` {
		t.Errorf("obtain: %d %s", rec.Code, rec.Body)
	}
	for _, want := range []string{"hook exploded", "payload exploded"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("no log record of %q: %s", want, logs.String())
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("the application's panic was swallowed")
		}
	}()
	plain := newTestAuth(t, nil)
	r = httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Authorization", "JWT "+tok)
	plain.Required(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("the view's own") })).ServeHTTP(httptest.NewRecorder(), r)
}
