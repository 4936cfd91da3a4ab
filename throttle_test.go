package jwtauth

// Tests of login throttling through an Auth (logins.go, with package
// throttle's built-in throttle; checklist row 51): the per-username and
// per-address limits through the obtain endpoint and Basic authentication,
// DRF's 429 byte for byte, the budget refilling with the clock, no hashing
// for a refused attempt, where the client address comes from
// (FuzzClientAddr), and the settings and environment variables. The
// throttle on its own (rates, exact budgets, bounded memory) is tested in
// package throttle.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jwtauth-go/jwtauth/passwords"
	"github.com/jwtauth-go/jwtauth/throttle"
)

// throttledBody is DRF's 429 body for a wait of n seconds.
func throttledBody(n int) string {
	unit := "seconds"
	if n == 1 {
		unit = "second"
	}
	return detailBody(fmt.Sprintf("Request was throttled. Expected available in %d %s.", n, unit))
}

// withThrottle sets a throttle.Memory of the rates ("" for none).
func withThrottle(t testing.TB, perUser, perAddr string) func(*Settings) {
	t.Helper()
	rate := func(s string) throttle.Rate {
		if s == "" {
			return throttle.Rate{}
		}
		r, err := throttle.ParseRate(s)
		if err != nil {
			t.Fatalf("ParseRate(%q): %v", s, err)
		}
		return r
	}
	m, err := throttle.NewMemory(rate(perUser), rate(perAddr))
	if err != nil {
		t.Fatal(err)
	}
	return func(s *Settings) { s.LoginThrottle = m }
}

// loginStep is one login attempt of a throttle scenario and its answer.
type loginStep struct {
	advance time.Duration // the clock moves first
	user    string        // the password is wrong unless right is set
	right   bool
	from    string   // RemoteAddr; 192.0.2.1:1234 when empty
	xff     []string // X-Forwarded-For lines
	status  int
	wait    int // for a 429: the seconds of the body and of Retry-After
}

// times repeats a step n times.
func times(n int, s loginStep) []loginStep {
	out := make([]loginStep, n)
	for i := range out {
		out[i] = s
	}
	return out
}

// steps flattens steps and repeated steps.
func steps(parts ...any) []loginStep {
	var out []loginStep
	for _, p := range parts {
		switch p := p.(type) {
		case loginStep:
			out = append(out, p)
		case []loginStep:
			out = append(out, p...)
		}
	}
	return out
}

// runLoginSteps plays the steps against a's obtain endpoint, moving clock,
// and checks every answer: status, exact body, Retry-After, the endpoint's
// headers and no challenge.
func runLoginSteps(t *testing.T, a *Auth, clock *fixtureClock, script []loginStep) {
	t.Helper()
	h := a.Handlers().Obtain
	for i, s := range script {
		clock.Advance(s.advance)
		pw := "wrong"
		if s.right {
			pw = fixturePassword
		}
		r := jsonBodyRequest(http.MethodPost, "/", fmt.Sprintf(`{"username":%q,"password":%q}`, s.user, pw))
		r.RemoteAddr = "192.0.2.1:1234"
		if s.from != "" {
			r.RemoteAddr = s.from
		}
		for _, v := range s.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		rec := serveRecorded(h, r)
		body, retry := unableToLogIn, ""
		switch s.status {
		case 200:
			body = tokenRespBody(hs256(fmt.Sprintf(`{"user_id":1,"username":"jpueblo","exp":%d,"email":"jpueblo@example.com"}`, clock.Now().Unix()+300)))
		case 429:
			body, retry = throttledBody(s.wait), fmt.Sprint(s.wait)
		}
		if rec.Code != s.status || rec.Body.String() != body || rec.Header().Get("Retry-After") != retry {
			t.Fatalf("step %d (%s from %s %q, +%v): %d %q Retry-After %q; want %d %s Retry-After %q",
				i, s.user, r.RemoteAddr, s.xff, s.advance, rec.Code, rec.Body, rec.Header().Get("Retry-After"), s.status, body, retry)
		}
		assertEndpointHeaders(t, rec)
		if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
			t.Errorf("step %d: Content-Type %q", i, ct)
		}
	}
}

// TestLoginThrottle (row 51): the N+1th attempt for one username from
// many addresses, or from one address across many usernames, gets DRF's
// 429 with Retry-After; the budget refills with the clock; refused
// attempts cost nothing; IPv6 counts per /64; behind a proxy the rightmost
// X-Forwarded-For entry counts and spoofed ones to its left do not; with no
// throttle, nothing is ever refused.
func TestLoginThrottle(t *testing.T) {
	t.Parallel()
	wrong := func(user, from string, status, wait int) loginStep {
		return loginStep{user: user, from: from, status: status, wait: wait}
	}
	for _, tc := range []struct {
		name             string
		perUser, perAddr string
		header           string // ClientIPHeader
		script           []loginStep
	}{
		{name: "no throttle", script: times(40, wrong("jpueblo", "", 400, 0))},
		{name: "one username from many addresses", perUser: "3/min", script: steps(
			wrong("jpueblo", "10.0.0.1:1", 400, 0),
			wrong("jpueblo", "10.0.0.2:1", 400, 0),
			wrong("jpueblo", "10.0.0.3:1", 400, 0),
			wrong("jpueblo", "10.0.0.4:1", 429, 20),
			loginStep{user: "jpueblo", right: true, from: "10.0.0.5:1", status: 429, wait: 20}, // the right password too
			wrong("JPueblo", "10.0.0.6:1", 429, 20),                                            // the same name in another case
			wrong("ghost", "10.0.0.4:1", 400, 0),                                               // other names are free
			loginStep{advance: 19 * time.Second, user: "jpueblo", status: 429, wait: 1},
			loginStep{advance: time.Second, user: "jpueblo", status: 400},
			wrong("jpueblo", "", 429, 20),
			loginStep{advance: time.Minute, user: "jpueblo", right: true, status: 200},
			times(2, wrong("jpueblo", "", 400, 0)),
			wrong("jpueblo", "", 429, 20),
		)},
		{name: "one address across many usernames", perAddr: "3/min", script: steps(
			wrong("u1", "10.0.0.1:1", 400, 0),
			wrong("u2", "10.0.0.1:2", 400, 0),
			wrong("u3", "10.0.0.1:3", 400, 0),
			wrong("u4", "10.0.0.1:4", 429, 20),
			loginStep{user: "jpueblo", right: true, from: "10.0.0.1:5", status: 429, wait: 20},
			wrong("u4", "10.0.0.2:4", 400, 0),
			wrong("u5", "[::ffff:10.0.0.1]:6", 429, 20), // the same IPv4 address, mapped
		)},
		{name: "IPv6 counts per /64", perAddr: "2/min", script: steps(
			wrong("u1", "[2001:db8::1]:1", 400, 0),
			wrong("u2", "[2001:db8::2]:1", 400, 0),
			wrong("u3", "[2001:db8::ffff:1]:1", 429, 30),
			wrong("u3", "[2001:db8:0:0:8000::1%eth0]:1", 429, 30),
			wrong("u3", "[2001:db8:0:1::1]:1", 400, 0),
		)},
		{name: "refused by one limit, charged to neither", perUser: "2/min", perAddr: "3/min", script: steps(
			times(2, wrong("jpueblo", "10.0.0.1:1", 400, 0)),
			times(5, wrong("jpueblo", "10.0.0.1:1", 429, 30)), // the address's third is not spent
			wrong("ghost", "10.0.0.1:1", 400, 0),
			wrong("ghost", "10.0.0.1:1", 429, 20),
			wrong("jpueblo", "10.0.0.1:1", 429, 30), // both refuse: the longer wait
		)},
		{name: "hammering does not push the wait back", perUser: "1/min", script: steps(
			wrong("jpueblo", "", 400, 0),
			times(10, wrong("jpueblo", "", 429, 60)),
			loginStep{advance: 30 * time.Second, user: "jpueblo", status: 429, wait: 30},
			loginStep{advance: 29 * time.Second, user: "jpueblo", status: 429, wait: 1},
			loginStep{advance: time.Second, user: "jpueblo", status: 400},
		)},
		{name: "a one-second wait is singular", perUser: "60/min", script: steps(
			times(60, wrong("jpueblo", "", 400, 0)),
			wrong("jpueblo", "", 429, 1),
		)},
		{name: "behind a proxy: the rightmost X-Forwarded-For entry", perAddr: "2/min", header: "X-Forwarded-For", script: steps(
			loginStep{user: "u1", from: "10.9.9.9:1", xff: []string{"6.6.6.6, 198.51.100.7"}, status: 400},
			loginStep{user: "u2", from: "10.9.9.9:2", xff: []string{"7.7.7.7,198.51.100.7"}, status: 400},
			loginStep{user: "u3", from: "10.9.9.9:3", xff: []string{"198.51.100.9", "8.8.8.8, 198.51.100.7"}, status: 429, wait: 30},
			loginStep{user: "u3", from: "10.9.9.9:3", xff: []string{"198.51.100.7, 9.9.9.9"}, status: 400},
			// Not through the proxy, or not what it writes: the peer counts.
			loginStep{user: "u4", from: "10.9.9.9:4", status: 400},
			loginStep{user: "u5", from: "10.9.9.9:5", xff: []string{"198.51.100.7, nonsense"}, status: 400},
			loginStep{user: "u6", from: "10.9.9.9:6", xff: []string{"198.51.100.7,"}, status: 429, wait: 30},
		)},
		{name: "without ClientIPHeader, X-Forwarded-For is the client's", perAddr: "2/min", script: steps(
			loginStep{user: "u1", from: "10.9.9.9:1", xff: []string{"198.51.100.1"}, status: 400},
			loginStep{user: "u2", from: "10.9.9.9:1", xff: []string{"198.51.100.2"}, status: 400},
			loginStep{user: "u3", from: "10.9.9.9:1", xff: []string{"198.51.100.3"}, status: 429, wait: 30},
		)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clock := newFixtureClock()
			tweaks := []func(*Settings){withFixtureClock(clock), func(s *Settings) { s.ClientIPHeader = tc.header }}
			if tc.perUser != "" || tc.perAddr != "" {
				tweaks = append(tweaks, withThrottle(t, tc.perUser, tc.perAddr))
			}
			runLoginSteps(t, newTestAuth(t, newFixtureStore(t), tweaks...), clock, tc.script)
		})
	}
}

// TestThrottleBeforeHashing (rows 40, 51): a refused attempt costs no hash,
// and an attempt is charged only once it holds a login slot. Hashes are counted by the bytes Argon2
// allocates, as in TestLoginCostsOneHash, so this test does not run in
// parallel with others.
func TestThrottleBeforeHashing(t *testing.T) {
	store := &MemoryStore{Passwords: passwords.Policy{Algorithm: "argon2", Argon2Time: 1, Argon2MemoryKiB: hashMiB << 10, Argon2Threads: 1}}
	addFixtureUser(t, store, fixtureUser, fixturePassword)
	a := newTestAuth(t, store, withThrottle(t, "1/min", ""), func(s *Settings) { s.Authenticators = []Authenticator{BasicAuthentication(store)} })
	protected := a.Required(&protectedView{})
	basic := func() *http.Request {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Authorization", basicAuthHeader("jpueblo:wrong"))
		return r
	}
	for _, tc := range []struct {
		name   string
		h      http.Handler
		r      *http.Request
		hashes uint64
		status int
		body   string
	}{
		{"first attempt", a.Handlers().Obtain, jsonBodyRequest(http.MethodPost, "/", `{"username":"jpueblo","password":"wrong"}`), 1, 400, unableToLogIn},
		{"second attempt", a.Handlers().Obtain, jsonBodyRequest(http.MethodPost, "/", `{"username":"jpueblo","password":"wrong"}`), 0, 429, throttledBody(60)},
		{"unknown user", a.Handlers().Obtain, jsonBodyRequest(http.MethodPost, "/", `{"username":"ghost","password":"wrong"}`), 1, 400, unableToLogIn},
		{"Basic, same username", protected, basic(), 0, 429, throttledBody(60)},
	} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		rec := serveRecorded(tc.h, tc.r)
		runtime.ReadMemStats(&after)
		assertJSONResponse(t, rec, tc.status, tc.body)
		if got := (after.TotalAlloc - before.TotalAlloc) / (hashMiB << 20); got != tc.hashes {
			t.Errorf("%s: %d hashes (%d bytes allocated), want %d", tc.name, got, after.TotalAlloc-before.TotalAlloc, tc.hashes)
		}
	}

	// Only an attempt that goes on to hash is charged: with the only slot
	// taken, an attempt whose client has gone and one that waits in vain
	// get a 503 and leave the user's one attempt a minute untouched.
	gated := &gateStore{MemoryStore: newFixtureStore(t), gate: make(chan struct{})}
	g := newTestAuth(t, gated, withThrottle(t, "1/min", ""), func(s *Settings) { s.MaxConcurrentLogins = 1 })
	done := make(chan *httptest.ResponseRecorder)
	go func() {
		done <- doJSON(g.Handlers().Obtain, `{"username":"someone-else","password":"x"}`)
	}()
	for gated.running.Load() < 1 {
		time.Sleep(time.Millisecond)
	}
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	r := jsonBodyRequest(http.MethodPost, "/", fixtureLogin).WithContext(gone)
	assertJSONResponse(t, serveRecorded(g.Handlers().Obtain, r), 503, detailBody("Service temporarily unavailable, try again later."))
	assertJSONResponse(t, doJSON(g.Handlers().Obtain, fixtureLogin), 503, detailBody("Service temporarily unavailable, try again later."))
	close(gated.gate)
	if rec := <-done; rec.Code != 400 {
		t.Errorf("the login in the slot: %d %s", rec.Code, rec.Body)
	}
	assertJSONResponse(t, doJSON(g.Handlers().Obtain, fixtureLogin), 200, obtainOK)
	assertJSONResponse(t, doJSON(g.Handlers().Obtain, fixtureLogin), 429, throttledBody(60))
}

// TestBasicAuthThrottled (row 51): every request with Basic credentials is
// a login attempt and shares the username's budget with obtain; a refusal
// is DRF's 429 without a challenge, and requests with a token are never
// counted.
func TestBasicAuthThrottled(t *testing.T) {
	t.Parallel()
	store := newFixtureStore(t)
	a := newTestAuth(t, store, withThrottle(t, "2/min", ""), func(s *Settings) { s.Authenticators = []Authenticator{BasicAuthentication(store)} })
	view := &protectedView{}
	h := a.Required(view)
	get := func(authorization string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, "/api/protected/", nil)
		r.Header.Set("Authorization", authorization)
		return serveRecorded(h, r)
	}
	rec := get(basicAuthHeader("jpueblo:wrong"))
	assert401(t, rec, `JWT realm="api"`, "Invalid username/password.")
	rec = get(basicAuthHeader("jpueblo:" + fixturePassword))
	assertJSONResponse(t, rec, 200, protectedOK)
	rec = get(basicAuthHeader("jpueblo:" + fixturePassword))
	assertJSONResponse(t, rec, 429, throttledBody(30))
	assertHeaderValue(t, rec, "Retry-After", "30")
	assertHeaderValue(t, rec, "WWW-Authenticate", "")
	for range 5 {
		assertJSONResponse(t, get("JWT "+hs256(fixtureTokenPayload)), 200, protectedOK)
	}
	assertJSONResponse(t, doJSON(a.Handlers().Obtain, fixtureLogin), 429, throttledBody(30))
	if n := view.calls.Load(); n != 6 {
		t.Errorf("the view ran %d times, want 6", n)
	}
}

// TestThrottleConcurrent (row 51, 73): with a fixed clock, concurrent
// attempts through the obtain endpoint get exactly the budget, as calls of
// the throttle itself do (package throttle's TestMemoryConcurrent); go test
// -race checks the locking.
func TestThrottleConcurrent(t *testing.T) {
	t.Parallel()
	var wg sync.WaitGroup
	a := newTestAuth(t, newFixtureStore(t), withThrottle(t, "5/min", ""))
	var counts sync.Map
	for range 32 {
		wg.Go(func() {
			rec := doJSON(a.Handlers().Obtain, `{"username":"jpueblo","password":"wrong"}`)
			n, _ := counts.LoadOrStore(rec.Code, new(atomic.Int32))
			n.(*atomic.Int32).Add(1)
		})
	}
	wg.Wait()
	got := map[int]int32{}
	counts.Range(func(k, v any) bool { got[k.(int)] = v.(*atomic.Int32).Load(); return true })
	if len(got) != 2 || got[400] != 5 || got[429] != 27 {
		t.Errorf("32 concurrent logins with 5/min: %v, want 5 of 400 and 27 of 429", got)
	}
}

// TestClientAddr: the address a login counts against, from the peer or
// the trusted proxy's header: spoofed entries left of the proxy's are
// ignored, and garbage falls back to the peer.
func TestClientAddr(t *testing.T) {
	t.Parallel()
	const xff = "X-Forwarded-For"
	for _, tc := range []struct {
		name, remote, header string
		lines                []string // values of the header (X-Forwarded-For unless header says)
		want                 string   // "" for no address
	}{
		{"peer", "192.0.2.1:1234", "", nil, "192.0.2.1"},
		{"peer IPv6", "[2001:db8::1]:1234", "", nil, "2001:db8::1"},
		{"peer without a port", "192.0.2.1", "", nil, "192.0.2.1"},
		{"peer IPv4-mapped", "[::ffff:192.0.2.1]:1", "", nil, "192.0.2.1"},
		{"peer with a zone", "[fe80::1%eth0]:1", "", nil, "fe80::1"},
		{"Unix socket", "@", "", nil, ""},
		{"no peer", "", "", nil, ""},
		{"header not configured: ignored", "192.0.2.1:1", "", []string{"203.0.113.5"}, "192.0.2.1"},
		{"one entry", "10.0.0.1:1", xff, []string{"203.0.113.5"}, "203.0.113.5"},
		{"spoofed entries to the left", "10.0.0.1:1", xff, []string{"1.1.1.1, 2.2.2.2,203.0.113.5"}, "203.0.113.5"},
		{"spoofed earlier line", "10.0.0.1:1", xff, []string{"1.1.1.1", "203.0.113.5"}, "203.0.113.5"},
		{"spaces and tabs", "10.0.0.1:1", xff, []string{"1.1.1.1 ,\t203.0.113.5 \t"}, "203.0.113.5"},
		{"IPv6 entry", "10.0.0.1:1", xff, []string{"2001:db8::7"}, "2001:db8::7"},
		{"IPv6 with a port", "10.0.0.1:1", xff, []string{"[2001:db8::7]:443"}, "2001:db8::7"},
		{"IPv6 bracketed", "10.0.0.1:1", xff, []string{"[2001:db8::7]"}, "2001:db8::7"},
		{"IPv4 with a port", "10.0.0.1:1", xff, []string{"203.0.113.5:4711"}, "203.0.113.5"},
		{"IPv4-mapped entry", "10.0.0.1:1", xff, []string{"::ffff:203.0.113.5"}, "203.0.113.5"},
		{"zone in the entry", "10.0.0.1:1", xff, []string{"fe80::9%en0"}, "fe80::9"},
		{"garbage rightmost: the peer, not the entry to its left", "10.0.0.1:1", xff, []string{"203.0.113.5, unknown"}, "10.0.0.1"},
		{"empty rightmost", "10.0.0.1:1", xff, []string{"203.0.113.5,"}, "10.0.0.1"},
		{"empty header", "10.0.0.1:1", xff, []string{""}, "10.0.0.1"},
		{"garbage earlier line is ignored", "10.0.0.1:1", xff, []string{"garbage", "203.0.113.5"}, "203.0.113.5"},
		{"garbage last line", "10.0.0.1:1", xff, []string{"203.0.113.5", "garbage"}, "10.0.0.1"},
		{"bracketed IPv4", "10.0.0.1:1", xff, []string{"[203.0.113.5]"}, "10.0.0.1"},
		{"leading zeros", "10.0.0.1:1", xff, []string{"203.000.113.005"}, "10.0.0.1"},
		{"hostname", "10.0.0.1:1", xff, []string{"proxy.example"}, "10.0.0.1"},
		{"X-Real-IP", "10.0.0.1:1", "X-Real-IP", []string{"203.0.113.5"}, "203.0.113.5"},
		{"X-Real-IP, header name in lower case", "10.0.0.1:1", "x-real-ip", []string{"203.0.113.5"}, "203.0.113.5"},
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = tc.remote
		name := tc.header
		if name == "" {
			name = xff
		}
		for _, v := range tc.lines {
			r.Header.Add(name, v)
		}
		got := clientAddr(r, tc.header)
		if (tc.want == "" && got.IsValid()) || (tc.want != "" && got != netip.MustParseAddr(tc.want)) {
			t.Errorf("%s: %v, want %q", tc.name, got, tc.want)
		}
	}
}

// FuzzClientAddr: whatever the X-Forwarded-For lines and the peer, no
// panic; the address has no zone and is never IPv4-mapped; entries a
// client adds to the left, or lines before the last, never change it; and
// without ClientIPHeader the header is not read.
func FuzzClientAddr(f *testing.F) {
	for _, s := range [][2]string{
		{"203.0.113.5", "10.0.0.1:1"}, {"1.1.1.1, 203.0.113.5", "10.0.0.1:1"}, {"203.0.113.5, unknown", "10.0.0.1:1"},
		{"[2001:db8::7]:443", "[2001:db8::1]:1"}, {"::ffff:1.2.3.4", "@"}, {"fe80::1%eth0", ""}, {",", "192.0.2.1"},
		{"", "[::ffff:192.0.2.1]:80"}, {" \t", "[fe80::1%lo]:1"}, {"[1.2.3.4]", "1.2.3.4:99999"}, {"[::1%25x]:1", "::1"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, header, remote string) {
		req := func(lines ...string) *http.Request {
			return &http.Request{Header: http.Header{"X-Forwarded-For": lines}, RemoteAddr: remote}
		}
		got := clientAddr(req(header), "X-Forwarded-For")
		if got.Zone() != "" || got.Is4In6() {
			t.Fatalf("%q from %q: %v has a zone or is mapped", header, remote, got)
		}
		for _, spoofed := range []*http.Request{req("6.6.6.6, " + header), req(",,garbage," + header), req("6.6.6.6", header)} {
			if a := clientAddr(spoofed, "X-Forwarded-For"); a != got {
				t.Fatalf("%q from %q: %v, but %v with %q", header, remote, got, a, spoofed.Header)
			}
		}
		peer := clientAddr(req(), "")
		if a := clientAddr(req(header), ""); a != peer {
			t.Fatalf("%q read without ClientIPHeader: %v, the peer is %v", header, a, peer)
		}
		if got != peer && !strings.Contains(header, ".") && !strings.Contains(header, ":") {
			t.Fatalf("%q from %q: %v is no address of the header's", header, remote, got)
		}
	})
}

// TestThrottleSettings: FromEnv builds the built-in throttle from its
// variables and names the variable of a bad value; New refuses a header
// that cannot hold addresses; the throttle prints its rates.
func TestThrottleSettings(t *testing.T) {
	t.Parallel()
	env := func(kv ...string) func(string) (string, bool) {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
	}
	const user, addr, header = "JWT_LOGIN_THROTTLE_USER", "JWT_LOGIN_THROTTLE_ADDR", "JWT_CLIENT_IP_HEADER"
	for _, tc := range []struct {
		env      []string
		throttle string // Settings.String's LoginThrottle
		err      string // a variable the error names
	}{
		{nil, "none", ""},
		{[]string{user, ""}, "none", ""},
		{[]string{user, "5/min"}, "throttle.Memory(username 5/min, address none)", ""},
		{[]string{addr, "100/hour"}, "throttle.Memory(username none, address 100/hour)", ""},
		{[]string{user, "5/m", addr, "20/minute"}, "throttle.Memory(username 5/min, address 20/min)", ""},
		{[]string{user, "3/d", header, "X-Forwarded-For"}, "throttle.Memory(username 3/day, address none)", ""},
		{[]string{user, "5"}, "", user},
		{[]string{user, "0/min"}, "", user},
		{[]string{addr, "5/Min"}, "", addr},
		{[]string{addr, "lots"}, "", addr},
	} {
		s, err := FromEnv(env(tc.env...))
		switch {
		case tc.err != "":
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: error %v, want one naming %s", tc.env, err, tc.err)
			}
		case err != nil:
			t.Errorf("%q: %v", tc.env, err)
		case !strings.Contains(s.String(), " LoginThrottle:"+tc.throttle+" "):
			t.Errorf("%q: %s", tc.env, s)
		}
	}
	s, err := FromEnv(env(header, "X-Real-IP"))
	if err != nil || s.ClientIPHeader != "X-Real-IP" || !strings.Contains(s.String(), `ClientIPHeader:"X-Real-IP"`) {
		t.Errorf("JWT_CLIENT_IP_HEADER: %q %v (%s)", s.ClientIPHeader, err, s)
	}

	for _, tc := range []struct {
		tweak func(*Settings)
		want  string
	}{
		{func(s *Settings) { s.ClientIPHeader = "Forwarded" }, "ClientIPHeader"},
		{func(s *Settings) { s.ClientIPHeader = "X Forwarded For" }, "ClientIPHeader"},
		{func(s *Settings) { s.ClientIPHeader = "X-Forwarded-For:" }, "ClientIPHeader"},
		{func(s *Settings) { s.LoginThrottle = (*throttle.Memory)(nil) }, "throttle.NewMemory"},
	} {
		s := Settings{Keys: Keys{Secret: fixtureSecret}}
		tc.tweak(&s)
		if _, err := New(s, newFixtureStore(t)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New: %v, want an error about %s", err, tc.want)
		}
	}
	// A throttle of another kind prints as its type only.
	s = Settings{LoginThrottle: denyThrottle{}}
	if !strings.Contains(s.String(), "LoginThrottle:jwtauth.denyThrottle ") {
		t.Errorf("custom throttle: %s", s)
	}
}

// denyThrottle refuses every attempt without saying for how long.
type denyThrottle struct{}

func (denyThrottle) Allow(context.Context, throttle.Attempt) (time.Duration, bool) { return 0, false }

// TestCustomThrottle: another throttle.Throttle is told the username, the
// client address and the Settings clock's time; a refusal without a wait
// is DRF's bare "Request was throttled." and no Retry-After.
func TestCustomThrottle(t *testing.T) {
	t.Parallel()
	var seen throttle.Attempt
	rec := &recordThrottle{seen: &seen}
	a := newTestAuth(t, newFixtureStore(t), func(s *Settings) { s.LoginThrottle = rec; s.ClientIPHeader = "X-Real-IP" })
	r := jsonBodyRequest(http.MethodPost, "/", `{"username":" jpueblo ","password":"password"}`)
	r.Header.Set("X-Real-IP", "[2001:db8::5]:80")
	assertJSONResponse(t, serveRecorded(a.Handlers().Obtain, r), 200, obtainOK)
	if want := (throttle.Attempt{Username: "jpueblo", Addr: netip.MustParseAddr("2001:db8::5"), Time: fixtureNow}); seen != want {
		t.Errorf("the throttle saw %+v, want %+v", seen, want)
	}
	deny := newTestAuth(t, newFixtureStore(t), func(s *Settings) { s.LoginThrottle = denyThrottle{} })
	got := doJSON(deny.Handlers().Obtain, fixtureLogin)
	assertJSONResponse(t, got, 429, detailBody("Request was throttled."))
	assertHeaderValue(t, got, "Retry-After", "")
}

type recordThrottle struct{ seen *throttle.Attempt }

func (r *recordThrottle) Allow(_ context.Context, a throttle.Attempt) (time.Duration, bool) {
	*r.seen = a
	return 0, true
}

// TestThrottledMatchesDRF: the 429 answer for a wait, as DRF 3.14's
// Throttled(wait) words it and its exception handler sends Retry-After
// (Python run on the same waits): math.ceil, "second" for 1, and neither
// the second sentence nor the header when the wait is unknown.
func TestThrottledMatchesDRF(t *testing.T) {
	t.Parallel()
	var seen string // Retry-After as the ErrorHandler finds it
	a := newTestAuth(t, newFixtureStore(t), func(s *Settings) {
		s.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
			seen = w.Header().Get("Retry-After")
			DefaultErrorHandler(w, r, err)
		}
	})
	for _, tc := range []struct {
		wait   time.Duration
		detail string
		retry  string
	}{
		{0, "Request was throttled.", ""},
		{-time.Second, "Request was throttled.", ""},
		{time.Nanosecond, "Request was throttled. Expected available in 1 second.", "1"},
		{300 * time.Millisecond, "Request was throttled. Expected available in 1 second.", "1"},
		{time.Second, "Request was throttled. Expected available in 1 second.", "1"},
		{1000100 * time.Microsecond, "Request was throttled. Expected available in 2 seconds.", "2"},
		{59500 * time.Millisecond, "Request was throttled. Expected available in 60 seconds.", "60"},
		{24 * time.Hour, "Request was throttled. Expected available in 86400 seconds.", "86400"},
	} {
		err := throttled(tc.wait)
		if !errors.Is(err, errThrottled) || err.Status != 429 || err.Detail != tc.detail {
			t.Errorf("throttled(%v) = %d %q (%v)", tc.wait, err.Status, err.Detail, err.Err)
		}
		// Through fail, which sets Retry-After before any ErrorHandler.
		rec := httptest.NewRecorder()
		a.fail(rec, httptest.NewRequest(http.MethodPost, "/", nil), err)
		assertJSONResponse(t, rec, 429, detailBody(tc.detail))
		assertHeaderValue(t, rec, "Retry-After", tc.retry)
		if seen != tc.retry {
			t.Errorf("the ErrorHandler found Retry-After %q, want %q already set", seen, tc.retry)
		}
	}
}
