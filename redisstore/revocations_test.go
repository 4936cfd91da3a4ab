package redisstore

// Tests of Revocations against a real Redis server, given by
// JWTAUTH_TEST_REDIS_URL (.ci/redis.sh starts one): entries added on one
// instance checked on another, as revoke.Memory would answer; the time
// that takes; uses shared; announcements missed and Redis emptied behind
// the instances' backs. The faults (a Redis cut off, stopped, restarted)
// are in revocations_fault_test.go. Each test has a key prefix of its own.

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jwtauth-go/jwtauth/internal/testkit"
	"github.com/jwtauth-go/jwtauth/revoke"
	"github.com/redis/rueidis"
)

func newRevocations(t testing.TB, c rueidis.Client, prefix string, opts RevocationsOptions) *Revocations {
	t.Helper()
	r, err := NewRevocations(c, prefix, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	return r
}

// waitInTouch fails the test unless r is in touch within 10 s.
func waitInTouch(t testing.TB, r *Revocations) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.WaitInTouch(ctx); err != nil {
		t.Fatal(err)
	}
}

// eventually polls cond until it holds, failing the test after limit;
// it returns how long that took.
func eventually(t testing.TB, limit time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > limit {
			t.Fatalf("%s: not after %v", what, limit)
		}
		time.Sleep(time.Millisecond)
	}
	return time.Since(start)
}

func revoked(t testing.TB, r *Revocations, tok revoke.Token) bool {
	t.Helper()
	got, err := r.Revoked(tok)
	if err != nil {
		t.Fatalf("Revoked(%+v): %v", tok, err)
	}
	return got
}

// TestRevocationsShared: entries added on A, checked on A at once and on
// B once announced, answer as a revoke.Memory given the same entries;
// B's generation moves with them.
func TestRevocationsShared(t *testing.T) {
	t.Parallel()
	ca, cb := newClient(t), newClient(t)
	prefix := newPrefix(t, ca)
	a := newRevocations(t, ca, prefix, RevocationsOptions{})
	b := newRevocations(t, cb, prefix, RevocationsOptions{})
	waitInTouch(t, a)
	waitInTouch(t, b)
	ctx := context.Background()
	now := time.Now()
	hour := now.Add(time.Hour)
	entries := []revoke.Entry{
		{ID: "tok", Until: hour},
		{ID: "fam", Until: hour},
		{User: "7", Before: now, Until: hour},
		{User: "7", Before: now.Add(-time.Minute), Until: now.Add(time.Minute)}, // earlier: the later Before and Until win
		{User: "8", Before: now.Add(-time.Hour), Until: now.Add(2 * time.Hour)},
		{User: "8", Before: now, Until: now.Add(time.Minute)},    // later Before, earlier Until: both hold
		{ID: "gone", Until: now.Add(-time.Second)},               // expired: not kept
		{ID: "i:tok", Until: hour},                               // an id that looks like a member
		{User: "u:0:7", Before: now.Add(time.Hour), Until: hour}, // a user that does
		{ID: "spaces and: colons", Until: hour},
	}
	mem := revoke.NewMemory(0)
	g := b.Generation()
	for _, e := range entries {
		if err := a.Add(ctx, e); err != nil {
			t.Fatalf("Add(%+v): %v", e, err)
		}
		mem.Add(ctx, e)
	}
	if err := a.Add(ctx, revoke.Entry{Until: hour}); err == nil {
		t.Error("an entry naming nothing was taken")
	}
	tokens := []revoke.Token{
		{ID: "tok", User: "1", IssuedAt: now},
		{ID: "other", Family: "fam", User: "1", IssuedAt: now},
		{ID: "other", Family: "fam2", User: "1", IssuedAt: now},
		{ID: "x", User: "7", IssuedAt: now.Add(-time.Second)},
		{ID: "x", User: "7", IssuedAt: now},
		{ID: "x", User: "7"},
		{ID: "x", User: "8", IssuedAt: now.Add(-time.Second)},
		{ID: "x", User: "8", IssuedAt: now.Add(time.Second)},
		{ID: "gone", User: "1", IssuedAt: now},
		{ID: "i:tok", User: "1", IssuedAt: now},
		{ID: "x", User: "u:0:7", IssuedAt: now},
		{ID: "x", User: "0:7", IssuedAt: now},
		{ID: "spaces and: colons", User: "1", IssuedAt: now},
		{ID: "spaces", User: "1", IssuedAt: now},
	}
	// B has them once the last one has arrived.
	eventually(t, time.Second, "B sees the last entry", func() bool {
		return revoked(t, b, revoke.Token{ID: "spaces and: colons"})
	})
	for _, tok := range tokens {
		want, _ := mem.Revoked(tok)
		for name, r := range map[string]*Revocations{"A": a, "B": b} {
			if got := revoked(t, r, tok); got != want {
				t.Errorf("%s: Revoked(%+v) = %v, want %v as revoke.Memory", name, tok, got, want)
			}
		}
	}
	if b.Generation() == g {
		t.Error("B's generation did not move with the entries")
	}
	// The set holds each kept entry once, the user with two Befores twice.
	n, err := ca.Do(ctx, ca.B().Zcard().Key(prefix+"revocations").Build()).AsInt64()
	if err != nil || n != 9 {
		t.Errorf("ZCARD = %d, %v; want 9 members", n, err)
	}
}

// TestRevocationsPropagation: an Add on A is seen by B's Revoked within
// 100 ms: the 99th percentile of 1,000, counted from the start of the
// Add (1 s beside other packages' tests: see testkit.PropagationBound). Token ids, families and users alike; B's generation changes with
// each.
func TestRevocationsPropagation(t *testing.T) {
	t.Parallel()
	ca, cb := newClient(t), newClient(t)
	prefix := newPrefix(t, ca)
	a := newRevocations(t, ca, prefix, RevocationsOptions{})
	b := newRevocations(t, cb, prefix, RevocationsOptions{})
	waitInTouch(t, a)
	waitInTouch(t, b)
	ctx := context.Background()
	const n = 1000
	lat := make([]time.Duration, 0, n)
	until := time.Now().Add(time.Hour)
	for i := range n {
		var e revoke.Entry
		var tok revoke.Token
		switch now := time.Now(); i % 3 {
		case 0:
			e, tok = revoke.Entry{ID: "tok-" + strconv.Itoa(i)}, revoke.Token{ID: "tok-" + strconv.Itoa(i), User: "1", IssuedAt: now}
		case 1:
			e, tok = revoke.Entry{ID: "fam-" + strconv.Itoa(i)}, revoke.Token{ID: "x", Family: "fam-" + strconv.Itoa(i), User: "1", IssuedAt: now}
		case 2:
			e = revoke.Entry{User: "user-" + strconv.Itoa(i), Before: now.Add(time.Millisecond)}
			tok = revoke.Token{ID: "x", User: e.User, IssuedAt: now}
		}
		e.Until = until
		g := b.Generation()
		start := time.Now()
		if err := a.Add(ctx, e); err != nil {
			t.Fatal(err)
		}
		if !revoked(t, a, tok) {
			t.Fatalf("A does not see its own Add once it returned: %+v", e)
		}
		for !revoked(t, b, tok) {
			if time.Since(start) > 5*time.Second {
				t.Fatalf("B has not seen %+v after 5 s", e)
			}
			runtime.Gosched()
		}
		lat = append(lat, time.Since(start))
		if b.Generation() == g {
			t.Fatalf("B's generation is still %d after %+v", g, e)
		}
	}
	slices.Sort(lat)
	p50, p99, worst := lat[n/2], lat[n*99/100], lat[n-1]
	t.Logf("A's Add to B's Revoked, %d entries: p50 %v, p99 %v, max %v", n, p50, p99, worst)
	if bound := testkit.PropagationBound(); p99 > bound {
		t.Errorf("p99 %v, want under %v", p99, bound)
	}
}

// TestRevocationsUse: instances using one refresh token at once: exactly
// one use is the first, and every instance is told its time; the key
// expires at until.
func TestRevocationsUse(t *testing.T) {
	t.Parallel()
	ca, cb := newClient(t), newClient(t)
	prefix := newPrefix(t, ca)
	rs := []*Revocations{newRevocations(t, ca, prefix, RevocationsOptions{Now: func() time.Time { return fixtureNow }}),
		newRevocations(t, cb, prefix, RevocationsOptions{Now: func() time.Time { return fixtureNow }})}
	ctx := context.Background()
	until := fixtureNow.Add(time.Hour)
	for round := range 20 {
		id := fmt.Sprintf("refresh-%d", round)
		const goroutines = 16
		firsts := make([]time.Time, goroutines)
		ats := make([]time.Time, goroutines)
		var wg sync.WaitGroup
		for g := range goroutines {
			ats[g] = fixtureNow.Add(time.Duration(g+1) * time.Millisecond)
			wg.Go(func() {
				first, err := rs[g%2].Use(ctx, id, ats[g], until)
				if err != nil {
					t.Error(err)
				}
				firsts[g] = first
			})
		}
		wg.Wait()
		own := 0
		for g := range goroutines {
			if firsts[g].Equal(ats[g]) {
				own++
			}
			if !firsts[g].Equal(firsts[0]) {
				t.Errorf("round %d: goroutine %d was told %v, goroutine 0 %v", round, g, firsts[g], firsts[0])
			}
		}
		if own != 1 {
			t.Errorf("round %d: %d uses were told they were the first, want 1", round, own)
		}
	}
	ms, err := ca.Do(ctx, ca.B().Pttl().Key(prefix+"use:refresh-0").Build()).AsInt64()
	if err != nil || ms > time.Hour.Milliseconds() || ms < time.Hour.Milliseconds()-5000 {
		t.Errorf("PTTL of a use = %d ms, %v; want an hour, by the instances' clock", ms, err)
	}
	// An until already past keeps the key a millisecond: the first use
	// is still told its own time.
	if first, err := rs[0].Use(ctx, "late", fixtureNow, fixtureNow.Add(-time.Hour)); err != nil || !first.Equal(fixtureNow) {
		t.Errorf("a use with until past: %v, %v", first, err)
	}
}

// TestRevocationsMissedAnnouncement: an entry written to the set behind
// the instances' backs, its sequence number taken but nothing published
// (an announcement lost), is found by the sequence check and a full sync
// within a few intervals.
func TestRevocationsMissedAnnouncement(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	prefix := newPrefix(t, c)
	opts := RevocationsOptions{Interval: 50 * time.Millisecond, MaxStaleness: 500 * time.Millisecond}
	a := newRevocations(t, c, prefix, opts)
	waitInTouch(t, a)
	ctx := context.Background()
	if err := a.Add(ctx, revoke.Entry{ID: "first", Until: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	g := a.Generation()
	member := encodeMember(revoke.Entry{ID: "unannounced"})
	score := strconv.FormatInt(time.Now().Add(time.Hour).UnixMilli(), 10)
	if err := c.Do(ctx, c.B().Arbitrary("ZADD").Keys(prefix+"revocations").Args(score, member).Build()).Error(); err != nil {
		t.Fatal(err)
	}
	if err := c.Do(ctx, c.B().Incr().Key(prefix+"seq").Build()).Error(); err != nil {
		t.Fatal(err)
	}
	d := eventually(t, 2*time.Second, "the unannounced entry is applied", func() bool {
		return revoked(t, a, revoke.Token{ID: "unannounced"})
	})
	t.Logf("an unannounced entry applied after %v (interval %v)", d, opts.Interval)
	if a.Generation() == g || a.Generation() == 0 {
		t.Errorf("generation %d after the sync, %d before", a.Generation(), g)
	}
}

// TestRevocationsEmptied: the set and the sequence number deleted, as a
// Redis restarted without persistence has them, are written back by the
// instance that holds the entries, for an instance started after to see.
func TestRevocationsEmptied(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	prefix := newPrefix(t, c)
	opts := RevocationsOptions{Interval: 50 * time.Millisecond, MaxStaleness: 500 * time.Millisecond}
	a := newRevocations(t, c, prefix, opts)
	waitInTouch(t, a)
	ctx := context.Background()
	now := time.Now()
	for _, e := range []revoke.Entry{
		{ID: "one", Until: now.Add(time.Hour)},
		{ID: "two", Until: now.Add(time.Hour)},
		{User: "3", Before: now, Until: now.Add(time.Hour)},
	} {
		if err := a.Add(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Do(ctx, c.B().Del().Key(prefix+"revocations", prefix+"seq").Build()).Error(); err != nil {
		t.Fatal(err)
	}
	eventually(t, 3*time.Second, "the entries are written back", func() bool {
		n, _ := c.Do(ctx, c.B().Zcard().Key(prefix+"revocations").Build()).AsInt64()
		return n == 3
	})
	fresh := newRevocations(t, newClient(t), prefix, opts)
	waitInTouch(t, fresh)
	for _, tok := range []revoke.Token{{ID: "one"}, {ID: "two"}, {ID: "x", User: "3", IssuedAt: now.Add(-time.Second)}} {
		if !revoked(t, fresh, tok) {
			t.Errorf("an instance started after the loss does not see %+v", tok)
		}
	}
}

// TestRevocationsExpiry: entries are forgotten at their Until, by the
// instances' clock: not read by a full sync, swept from Redis by the next
// Add.
func TestRevocationsExpiry(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	prefix := newPrefix(t, c)
	clock := &fakeClock{t: fixtureNow}
	opts := RevocationsOptions{Now: clock.now}
	a := newRevocations(t, c, prefix, opts)
	waitInTouch(t, a)
	ctx := context.Background()
	for i, d := range []time.Duration{time.Minute, time.Hour} {
		if err := a.Add(ctx, revoke.Entry{ID: fmt.Sprint("e", i), Until: fixtureNow.Add(d)}); err != nil {
			t.Fatal(err)
		}
	}
	clock.add(2 * time.Minute)
	later := newRevocations(t, newClient(t), prefix, opts)
	waitInTouch(t, later)
	if revoked(t, later, revoke.Token{ID: "e0"}) || !revoked(t, later, revoke.Token{ID: "e1"}) {
		t.Error("a full sync read an expired entry, or missed a live one")
	}
	if err := a.Add(ctx, revoke.Entry{ID: "e2", Until: fixtureNow.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	members, err := c.Do(ctx, c.B().Zrange().Key(prefix+"revocations").Min("0").Max("-1").Build()).AsStrSlice()
	if err != nil || !slices.Equal(members, []string{"i:e1", "i:e2"}) {
		t.Errorf("the set holds %q, %v; want the expired entry swept", members, err)
	}
}

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// TestRevocationsUnreadable: a member of the set this version cannot
// read (a newer version's, say) keeps an instance out of touch, failing
// closed, rather than leave a revocation unapplied.
func TestRevocationsUnreadable(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	prefix := newPrefix(t, c)
	ctx := context.Background()
	score := strconv.FormatInt(time.Now().Add(time.Hour).UnixMilli(), 10)
	if err := c.Do(ctx, c.B().Arbitrary("ZADD").Keys(prefix+"revocations").Args(score, "v2:something").Build()).Error(); err != nil {
		t.Fatal(err)
	}
	logs := &logSink{}
	r := newRevocations(t, c, prefix, RevocationsOptions{Interval: 20 * time.Millisecond, MaxStaleness: 100 * time.Millisecond, Logger: logs.logger(), logEvery: 50 * time.Millisecond})
	ctx2, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	if err := r.WaitInTouch(ctx2); err == nil {
		t.Fatal("in touch with an entry it cannot read")
	}
	if _, err := r.Revoked(revoke.Token{ID: "x"}); !errors.Is(err, revoke.ErrUnavailable) {
		t.Errorf("Revoked: %v, want ErrUnavailable", err)
	}
	eventually(t, 2*time.Second, "the log says why", func() bool {
		return strings.Contains(logs.text(), "an entry this version cannot read")
	})
	if strings.Contains(logs.text(), "something") {
		t.Errorf("the log shows the member: %s", logs.text())
	}
}

// TestRevocationsBounded: an instance whose replica cannot hold every
// entry in Redis (Max) is out of touch, not answering from a part.
func TestRevocationsBounded(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	prefix := newPrefix(t, c)
	a := newRevocations(t, c, prefix, RevocationsOptions{})
	waitInTouch(t, a)
	ctx := context.Background()
	for i := range 3 {
		if err := a.Add(ctx, revoke.Entry{ID: fmt.Sprint("e", i), Until: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	small := newRevocations(t, newClient(t), prefix, RevocationsOptions{Max: 2, Logger: (&logSink{}).logger()})
	ctx2, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if err := small.WaitInTouch(ctx2); err == nil {
		t.Fatal("a replica of 2 is in touch with 3 entries")
	}
	if g := small.Generation(); g != 0 {
		t.Errorf("Generation = %d, want 0", g)
	}
	// A replica filled by an Add: the Add fails, the instance is out of
	// touch at once.
	b := newRevocations(t, newClient(t), newPrefix(t, c), RevocationsOptions{Max: 1, Logger: (&logSink{}).logger()})
	waitInTouch(t, b)
	if err := b.Add(ctx, revoke.Entry{ID: "one", Until: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := b.Add(ctx, revoke.Entry{ID: "two", Until: time.Now().Add(time.Hour)}); !errors.Is(err, revoke.ErrFull) {
		t.Errorf("Add past Max: %v, want ErrFull", err)
	}
	if _, err := b.Revoked(revoke.Token{ID: "x"}); !errors.Is(err, revoke.ErrUnavailable) {
		t.Errorf("Revoked with a replica missing an entry: %v, want ErrUnavailable", err)
	}
}

// TestNewRevocationsRefuses: no client, negative durations, a staleness
// no longer than the interval.
func TestNewRevocationsRefuses(t *testing.T) {
	t.Parallel()
	c, _ := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{"127.0.0.1:1"}, ForceSingleClient: true})
	if c == nil {
		t.Fatal("no client")
	}
	defer c.Close()
	for _, tc := range []struct {
		client rueidis.Client
		opts   RevocationsOptions
	}{
		{nil, RevocationsOptions{}},
		{c, RevocationsOptions{Interval: -time.Second}},
		{c, RevocationsOptions{FailOpen: -time.Second}},
		{c, RevocationsOptions{MaxStaleness: -time.Second}},
		{c, RevocationsOptions{Interval: time.Second}},
		{c, RevocationsOptions{Interval: time.Second, MaxStaleness: time.Second}},
	} {
		if r, err := NewRevocations(tc.client, "p:", tc.opts); err == nil {
			r.Close()
			t.Errorf("NewRevocations(%+v): no error", tc.opts)
		}
	}
}

// BenchmarkRevocations: Revoked and Generation of an instance in touch,
// beside a revoke.Memory holding the same entries: the replica is read
// at the memory's speed, with no I/O.
func BenchmarkRevocations(b *testing.B) {
	c := newClient(b)
	prefix := newPrefix(b, c)
	r := newRevocations(b, c, prefix, RevocationsOptions{})
	waitInTouch(b, r)
	mem := revoke.NewMemory(0)
	ctx := context.Background()
	until := time.Now().Add(time.Hour)
	var entries []revoke.Entry
	for i := range 1000 {
		entries = append(entries, revoke.Entry{ID: fmt.Sprint("tok-", i), Until: until})
	}
	entries = append(entries, revoke.Entry{User: "7", Before: time.Now(), Until: until})
	for _, e := range entries {
		if err := r.Add(ctx, e); err != nil {
			b.Fatal(err)
		}
		mem.Add(ctx, e)
	}
	tok := revoke.Token{ID: "not-revoked", Family: "fam", User: "8", IssuedAt: time.Now()}
	for _, s := range []struct {
		name  string
		store revoke.Store
	}{{"Memory", mem}, {"Revocations", r}} {
		b.Run(s.name+"/Revoked", func(b *testing.B) {
			for b.Loop() {
				if got, err := s.store.Revoked(tok); got || err != nil {
					b.Fatal(got, err)
				}
			}
		})
		b.Run(s.name+"/Generation", func(b *testing.B) {
			for b.Loop() {
				if s.store.Generation() == 0 {
					b.Fatal("out of touch")
				}
			}
		})
		b.Run(s.name+"/RevokedParallel", func(b *testing.B) {
			b.RunParallel(func(pb *testing.PB) {
				tok := tok
				for pb.Next() {
					if got, err := s.store.Revoked(tok); got || err != nil {
						b.Error(got, err)
						return
					}
				}
			})
		})
	}
}
