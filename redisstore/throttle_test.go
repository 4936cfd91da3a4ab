package redisstore

// Tests of Throttle against a real Redis server, given by
// JWTAUTH_TEST_REDIS_URL (.ci/redis.sh starts one): the semantics of
// throttle.Memory, attempt for attempt; one budget shared by several
// instances, each with its own connection; exact budgets under
// concurrency; keys that expire when their bucket is full; failing closed.
// Each test counts under a random key prefix of its own, so they run in
// parallel on one server.

import (
	"context"
	crand "crypto/rand"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jwtauth-go/jwtauth/throttle"
	"github.com/redis/rueidis"
)

// fixtureNow is the fixed clock of the tests, the root package's: years
// before Redis's own clock, which the keys' expiry must not depend on.
var fixtureNow = time.Unix(1700000000, 0)

// newClient connects to the test server, as a separate instance would,
// or skips the test when none is given.
func newClient(t testing.TB) rueidis.Client {
	t.Helper()
	url := os.Getenv("JWTAUTH_TEST_REDIS_URL")
	if url == "" {
		t.Skip("JWTAUTH_TEST_REDIS_URL is not set: no Redis server to test against (.ci/redis.sh start prints one)")
	}
	opt, err := rueidis.ParseURL(url)
	if err != nil {
		t.Fatalf("JWTAUTH_TEST_REDIS_URL: %v", err)
	}
	c, err := rueidis.NewClient(opt)
	if err != nil {
		t.Fatalf("connecting to JWTAUTH_TEST_REDIS_URL: %v", err)
	}
	t.Cleanup(c.Close)
	return c
}

// newPrefix is a key prefix no other test uses; its keys are deleted at
// the end, as the longest rates would keep them for an hour.
func newPrefix(t testing.TB, c rueidis.Client) string {
	t.Helper()
	prefix := "jwtauth-test:" + crand.Text()[:12] + ":"
	t.Cleanup(func() {
		ctx := context.Background()
		keys, err := c.Do(ctx, c.B().Keys().Pattern(prefix+"*").Build()).AsStrSlice()
		if err == nil && len(keys) > 0 {
			err = c.Do(ctx, c.B().Del().Key(keys...).Build()).Error()
		}
		if err != nil {
			t.Errorf("deleting the test's keys: %v", err)
		}
	})
	return prefix
}

func newThrottle(t *testing.T, c rueidis.Client, prefix string, perUser, perAddr throttle.Rate) *Throttle {
	t.Helper()
	th, err := NewThrottle(c, prefix, perUser, perAddr)
	if err != nil {
		t.Fatal(err)
	}
	return th
}

func perMin(n int) throttle.Rate { return throttle.Rate{N: n, Period: time.Minute} }

// step is one attempt of a script, after advancing the clock.
type step struct {
	advance time.Duration
	user    string
	addr    string // "" for the zero Addr
	wait    int    // seconds; 0 when allowed
}

func times(n int, s step) []step {
	out := make([]step, n)
	for i := range out {
		out[i] = s
		if i > 0 {
			out[i].advance = 0
		}
	}
	return out
}

func steps(parts ...any) []step {
	var out []step
	for _, p := range parts {
		switch p := p.(type) {
		case step:
			out = append(out, p)
		case []step:
			out = append(out, p...)
		}
	}
	return out
}

func attempt(user, addr string, at time.Time) throttle.Attempt {
	a := throttle.Attempt{Username: user, Time: at}
	if addr != "" {
		a.Addr = netip.MustParseAddr(addr).Unmap() // as jwtauth passes it
	}
	return a
}

// TestThrottleSemantics: the root package's TestLoginThrottle scripts, at
// the level of attempts, run on a Throttle and on a throttle.Memory of
// the same rates: both answer each attempt as the script says.
func TestThrottleSemantics(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	for _, tc := range []struct {
		name             string
		perUser, perAddr throttle.Rate
		script           []step
	}{
		{name: "one username from many addresses", perUser: perMin(3), script: steps(
			step{user: "jpueblo", addr: "10.0.0.1"},
			step{user: "jpueblo", addr: "10.0.0.2"},
			step{user: "jpueblo", addr: "10.0.0.3"},
			step{user: "jpueblo", addr: "10.0.0.4", wait: 20},
			step{user: "JPueblo", addr: "10.0.0.6", wait: 20}, // the same name in another case
			step{user: "ghost", addr: "10.0.0.4"},             // other names are free
			step{advance: 19 * time.Second, user: "jpueblo", wait: 1},
			step{advance: time.Second, user: "jpueblo"},
			step{user: "jpueblo", wait: 20},
			step{advance: time.Minute, user: "jpueblo"},
			times(2, step{user: "jpueblo"}),
			step{user: "jpueblo", wait: 20},
		)},
		{name: "case folding: Kelvin sign, sharp s, Greek sigma", perUser: perMin(1), script: steps(
			step{user: "kelvin"},
			step{user: "\u212aELVIN", wait: 60},
			step{user: "straße"},
			step{user: "STRAẞE", wait: 60},
			step{user: "σοφία"},
			step{user: "ΣΟΦΊΑ", wait: 60},
			step{user: "\xff\xfe"}, // not UTF-8: hashed as bytes
			step{user: "\xff\xfe", wait: 60},
			step{user: ""}, // the empty name is a budget of its own
			step{user: "", wait: 60},
		)},
		{name: "one address across many usernames", perAddr: perMin(3), script: steps(
			step{user: "u1", addr: "10.0.0.1"},
			step{user: "u2", addr: "10.0.0.1"},
			step{user: "u3", addr: "10.0.0.1"},
			step{user: "u4", addr: "10.0.0.1", wait: 20},
			step{user: "u4", addr: "10.0.0.2"},
			step{user: "u5", addr: "::ffff:10.0.0.1", wait: 20}, // the same IPv4 address, mapped
		)},
		{name: "IPv6 counts per /64", perAddr: perMin(2), script: steps(
			step{user: "u1", addr: "2001:db8::1"},
			step{user: "u2", addr: "2001:db8::2"},
			step{user: "u3", addr: "2001:db8::ffff:1", wait: 30},
			step{user: "u3", addr: "2001:db8:0:0:8000::1%eth0", wait: 30},
			step{user: "u3", addr: "2001:db8:0:1::1"},
		)},
		{name: "NAT64 counts by the IPv4 address", perAddr: perMin(1), script: steps(
			step{user: "u1", addr: "64:ff9b::c000:201"},
			step{user: "u2", addr: "64:ff9b::c000:202"}, // another IPv4 client, not the same /64
			step{user: "u3", addr: "192.0.2.1", wait: 60},
			step{user: "u4", addr: "64:ff9b:1::c000:201"}, // the local-use prefix is an ordinary /64
			step{user: "u5", addr: "64:ff9b:1::1", wait: 60},
		)},
		{name: "the zero Addr is one budget", perAddr: perMin(2), script: steps(
			step{user: "u1"},
			step{user: "u2"},
			step{user: "u3", wait: 30},
			step{user: "u3", addr: "10.0.0.1"},
		)},
		{name: "refused by one limit, charged to neither", perUser: perMin(2), perAddr: perMin(3), script: steps(
			times(2, step{user: "jpueblo", addr: "10.0.0.1"}),
			times(5, step{user: "jpueblo", addr: "10.0.0.1", wait: 30}), // the address's third is not spent
			step{user: "ghost", addr: "10.0.0.1"},
			step{user: "ghost", addr: "10.0.0.1", wait: 20},
			step{user: "jpueblo", addr: "10.0.0.1", wait: 30}, // both refuse: the longer wait
		)},
		{name: "hammering does not push the wait back", perUser: perMin(1), script: steps(
			step{user: "jpueblo"},
			times(10, step{user: "jpueblo", wait: 60}),
			step{advance: 30 * time.Second, user: "jpueblo", wait: 30},
			step{advance: 29 * time.Second, user: "jpueblo", wait: 1},
			step{advance: time.Second, user: "jpueblo"},
		)},
		{name: "burst of N, then one per Period/N", perUser: perMin(60), script: steps(
			times(60, step{user: "jpueblo"}),
			step{user: "jpueblo", wait: 1},
			step{advance: time.Second, user: "jpueblo"},
			step{user: "jpueblo", wait: 1},
		)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newThrottle(t, c, newPrefix(t, c), tc.perUser, tc.perAddr)
			m, err := throttle.NewMemory(tc.perUser, tc.perAddr)
			if err != nil {
				t.Fatal(err)
			}
			now := fixtureNow
			for i, s := range tc.script {
				now = now.Add(s.advance)
				a := attempt(s.user, s.addr, now)
				want := time.Duration(s.wait) * time.Second
				for name, th := range map[string]throttle.Throttle{"Redis": r, "Memory": m} {
					wait, ok := th.Allow(context.Background(), a)
					if ok != (s.wait == 0) || (!ok && wait != want) {
						t.Errorf("step %d, %s: %s from %q: wait %v, ok %v; want wait %v", i, name, s.user, s.addr, wait, ok, want)
					}
				}
			}
		})
	}
}

// TestThrottleMatchesMemory: for a long random sequence of attempts (a few
// names in several spellings, addresses sharing budgets in every way
// Memory shares them, a clock advancing by whole milliseconds), Redis and
// Memory give the same answer and the same wait to each, for each way of
// configuring the two budgets.
func TestThrottleMatchesMemory(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	users := []string{"alice", "ALICE", "Alice", "bob", "kelvin", "\u212aelvin", "", "carol@example.com"}
	addrs := []string{"", "192.0.2.1", "::ffff:192.0.2.1", "64:ff9b::c000:201", "2001:db8::1", "2001:db8::2", "2001:db8:0:1::1", "198.51.100.7"}
	// Intervals of whole microseconds (12 s, 15 s, 2 s), as Redis counts.
	for _, tc := range []struct {
		name             string
		perUser, perAddr throttle.Rate
	}{
		{"both", perMin(5), throttle.Rate{N: 8, Period: 2 * time.Minute}},
		{"username only", perMin(5), throttle.Rate{}},
		{"address only", throttle.Rate{}, throttle.Rate{N: 3, Period: 6 * time.Second}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newThrottle(t, c, newPrefix(t, c), tc.perUser, tc.perAddr)
			m, err := throttle.NewMemory(tc.perUser, tc.perAddr)
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(1, 2))
			now := fixtureNow
			allowed := 0
			for i := range 1500 {
				now = now.Add(time.Duration(rng.IntN(3000)) * time.Millisecond)
				a := attempt(users[rng.IntN(len(users))], addrs[rng.IntN(len(addrs))], now)
				rw, rok := r.Allow(context.Background(), a)
				mw, mok := m.Allow(context.Background(), a)
				if rok != mok || rw != mw {
					t.Fatalf("attempt %d (%q from %v at +%v): Redis wait %v, ok %v; Memory wait %v, ok %v", i, a.Username, a.Addr, now.Sub(fixtureNow), rw, rok, mw, mok)
				}
				if rok {
					allowed++
				}
			}
			// Both outcomes must occur, or the comparison proves little.
			if allowed == 0 || allowed == 1500 {
				t.Errorf("%d of 1500 attempts allowed", allowed)
			}
		})
	}
}

// TestThrottleInstances: Throttles on separate clients (separate
// connections, as separate instances of a service have) with one prefix
// share one budget: together they allow the budget of one, and the
// refill once, not once per instance.
func TestThrottleInstances(t *testing.T) {
	t.Parallel()
	first := newClient(t)
	prefix := newPrefix(t, first)
	var instances []*Throttle
	for i := range 4 {
		c := first
		if i > 0 {
			c = newClient(t)
		}
		instances = append(instances, newThrottle(t, c, prefix, perMin(5), perMin(100)))
	}
	allowed := 0
	for i := range 40 {
		// Each attempt from its own address: only the username limits.
		a := attempt("jpueblo", fmt.Sprintf("10.0.%d.%d", i/256, i%256), fixtureNow)
		if _, ok := instances[i%len(instances)].Allow(context.Background(), a); ok {
			allowed++
		}
	}
	if allowed != 5 {
		t.Errorf("4 instances allowed %d attempts, want one budget, 5", allowed)
	}
	allowed = 0
	for _, th := range instances {
		if _, ok := th.Allow(context.Background(), attempt("JPUEBLO", "10.1.0.1", fixtureNow.Add(12*time.Second))); ok {
			allowed++
		}
	}
	if allowed != 1 {
		t.Errorf("12 s later, 4 instances allowed %d attempts, want the one refilled", allowed)
	}
}

// TestThrottleConcurrent: many goroutines on three instances, with a
// fixed clock, get exactly the budget; go test -race checks the client
// side, the script's atomicity the server side.
func TestThrottleConcurrent(t *testing.T) {
	t.Parallel()
	first := newClient(t)
	prefix := newPrefix(t, first)
	instances := []*Throttle{newThrottle(t, first, prefix, perMin(10), perMin(7))}
	for range 2 {
		instances = append(instances, newThrottle(t, newClient(t), prefix, perMin(10), perMin(7)))
	}
	var users [4]atomic.Int32
	var addrs atomic.Int32
	var wg sync.WaitGroup
	for g := range 64 {
		wg.Go(func() {
			th := instances[g%len(instances)]
			for i := range 20 {
				u := (g + i) % len(users)
				// Each goroutine has its own address: only the usernames limit.
				a := attempt(fmt.Sprint("user", u), fmt.Sprintf("10.1.%d.%d", g, i), fixtureNow)
				if _, ok := th.Allow(context.Background(), a); ok {
					users[u].Add(1)
				}
				// One address for all, many names: only the address limits.
				a = attempt(fmt.Sprintf("name-%d-%d", g, i), "192.0.2.99", fixtureNow)
				if _, ok := th.Allow(context.Background(), a); ok {
					addrs.Add(1)
				}
			}
		})
	}
	wg.Wait()
	for u := range users {
		if n := users[u].Load(); n != 10 {
			t.Errorf("user%d: %d attempts allowed, want 10", u, n)
		}
	}
	if n := addrs.Load(); n != 7 {
		t.Errorf("one address: %d attempts allowed, want 7", n)
	}
}

// TestThrottleKeysExpire: each key expires when its bucket is full again,
// counted from the attempt's time (not Redis's clock, years apart here);
// a refused attempt does not move it; a disabled budget writes no key.
// PTTL is checked rather than waiting for the expiry.
func TestThrottleKeysExpire(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	prefix := newPrefix(t, c)
	th := newThrottle(t, c, prefix, perMin(5), throttle.Rate{})
	userKey, addrKey := prefix+"u:"+userKey("jpueblo"), prefix+"a:"+addrKey(netip.MustParseAddr("192.0.2.1"))
	pttl := func(key string) time.Duration {
		t.Helper()
		ms, err := c.Do(context.Background(), c.B().Pttl().Key(key).Build()).AsInt64()
		if err != nil {
			t.Fatal(err)
		}
		return time.Duration(ms) * time.Millisecond
	}
	// between checks a PTTL, allowing for the time the test itself takes.
	between := func(key string, want time.Duration) {
		t.Helper()
		if got := pttl(key); got > want || got < want-2*time.Second {
			t.Errorf("PTTL %s = %v, want about %v", key, got, want)
		}
	}
	at := func(d time.Duration) bool {
		_, ok := th.Allow(context.Background(), attempt("jpueblo", "192.0.2.1", fixtureNow.Add(d)))
		return ok
	}
	if got := pttl(userKey); got != -2*time.Millisecond {
		t.Fatalf("before any attempt, PTTL = %v, want -2 ms (no key)", got)
	}
	if !at(0) {
		t.Fatal("the first attempt is refused")
	}
	between(userKey, 12*time.Second)
	for range 4 {
		at(0)
	}
	between(userKey, time.Minute) // 5 attempts: full again in 60 s
	if at(time.Second) {
		t.Fatal("a sixth attempt is allowed")
	}
	between(userKey, time.Minute) // refused: not charged, the expiry kept
	// 70 s on, the bucket has refilled: the key would have gone, and an
	// attempt starts it afresh.
	if !at(70 * time.Second) {
		t.Fatal("an attempt after the refill is refused")
	}
	between(userKey, 12*time.Second)
	if got := pttl(addrKey); got != -2*time.Millisecond {
		t.Errorf("the disabled address budget has a key (PTTL %v)", got)
	}
	// Sub-second budgets expire to the millisecond, rounded up.
	fast := newThrottle(t, c, prefix+"fast:", throttle.Rate{}, throttle.Rate{N: 2, Period: 1500 * time.Microsecond})
	if _, ok := fast.Allow(context.Background(), attempt("x", "192.0.2.2", fixtureNow)); !ok {
		t.Fatal("the fast budget refuses its first attempt")
	}
	if got := pttl(prefix + "fast:a:192.0.2.2"); got != time.Millisecond && got != -2*time.Millisecond {
		t.Errorf("a 750 µs refill expires in %v, want 1 ms", got)
	}
}

// TestThrottleRedisDown: a client whose server is gone refuses every
// attempt with a wait of one second, quickly, and says nothing of the
// server in the wait; when Redis is back the budget is intact.
func TestThrottleRedisDown(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	// ForceSingleClient returns a client even though the first dial
	// failed; it dials again on each command.
	c, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{closed}, ForceSingleClient: true, Password: "hunter2"})
	if c == nil {
		t.Fatalf("no client for a closed port: %v", err)
	}
	t.Cleanup(c.Close)
	th := newThrottle(t, c, "jwtauth-test:down:", perMin(5), perMin(5))
	for range 3 {
		start := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		wait, ok := th.Allow(ctx, attempt("jpueblo", "192.0.2.1", fixtureNow))
		cancel()
		if ok || wait != time.Second {
			t.Errorf("with Redis down: wait %v, ok %v; want refused for 1s", wait, ok)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("with Redis down, Allow took %v", d)
		}
	}
	if s := th.String(); s != `redisstore.Throttle("jwtauth-test:down:", username 5/min, address 5/min)` {
		t.Errorf("String() = %q", s) // and never the client's password
	}
}

// TestThrottleContext: an ended ctx (the request's client gone, or its
// deadline passed) refuses at once and charges nothing.
func TestThrottleContext(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	th := newThrottle(t, c, newPrefix(t, c), perMin(2), throttle.Rate{})
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel2()
	for name, ctx := range map[string]context.Context{"cancelled": cancelled, "past deadline": expired} {
		for range 5 {
			if wait, ok := th.Allow(ctx, attempt("jpueblo", "", fixtureNow)); ok || wait != time.Second {
				t.Errorf("%s ctx: wait %v, ok %v; want refused for 1s", name, wait, ok)
			}
		}
	}
	for i := range 2 {
		if _, ok := th.Allow(context.Background(), attempt("jpueblo", "", fixtureNow)); !ok {
			t.Errorf("attempt %d after the ended contexts is refused: they were charged", i+1)
		}
	}
}

// TestNewThrottleRefuses: the rates throttle.NewMemory refuses, rates
// finer than the script's microseconds, and no client are errors.
func TestNewThrottleRefuses(t *testing.T) {
	t.Parallel()
	c, _ := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{"127.0.0.1:1"}, ForceSingleClient: true})
	if c == nil {
		t.Fatal("no client")
	}
	defer c.Close()
	for _, tc := range []struct {
		client           rueidis.Client
		perUser, perAddr throttle.Rate
	}{
		{c, throttle.Rate{}, throttle.Rate{}},
		{c, throttle.Rate{N: 0, Period: time.Minute}, throttle.Rate{}},
		{c, throttle.Rate{N: 5}, throttle.Rate{}},
		{c, throttle.Rate{}, throttle.Rate{N: -1, Period: time.Hour}},
		{c, throttle.Rate{N: 1, Period: 400 * 24 * time.Hour}, throttle.Rate{}},
		{c, throttle.Rate{N: 2000, Period: time.Millisecond}, throttle.Rate{}},
		{c, perMin(5), throttle.Rate{N: 2e6, Period: time.Second}},
		{nil, perMin(5), perMin(5)},
	} {
		if _, err := NewThrottle(tc.client, "p:", tc.perUser, tc.perAddr); err == nil {
			t.Errorf("NewThrottle(%v, %v): no error", tc.perUser, tc.perAddr)
		}
	}
}

// TestKeys: the keys' shapes, which every instance must agree on.
func TestKeys(t *testing.T) {
	t.Parallel()
	if k := userKey("JPueblo"); k != userKey("jpueblo") || len(k) != 32 {
		t.Errorf("userKey(JPueblo) = %q, userKey(jpueblo) = %q", k, userKey("jpueblo"))
	}
	for in, want := range map[string]string{
		"64:ff9b::c000:207":    "192.0.2.7",
		"::ffff:192.0.2.7":     "192.0.2.7",
		"192.0.2.7":            "192.0.2.7",
		"2001:db8:1:2:3:4:5:6": "2001:db8:1:2::",
		"64:ff9b:1::c000:207":  "64:ff9b:1::",
		"fe80::1%eth0":         "fe80::",
	} {
		if got := addrKey(netip.MustParseAddr(in)); got != want {
			t.Errorf("addrKey(%s) = %s, want %s", in, got, want)
		}
	}
	if got := addrKey(netip.Addr{}); got != "none" {
		t.Errorf("addrKey(zero) = %q", got)
	}
}
