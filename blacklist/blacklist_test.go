package blacklist

// Tests of the memory store: simplejwt's get-or-create semantics, expiry
// by a fake clock, the bound (ErrFull, never an unexpired entry dropped),
// invalid tokens, and concurrent use under the race detector.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// clock is a fake clock, safe for concurrent use.
type clock struct{ now atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.set(t0)
	return c
}

func (c *clock) Now() time.Time  { return time.Unix(0, c.now.Load()).UTC() }
func (c *clock) set(t time.Time) { c.now.Store(t.UnixNano()) }

// tok is a token with this jti, expiring d after t0.
func tok(jti string, d time.Duration) Token {
	return Token{JTI: jti, UserID: "1", Token: "header.payload.signature", CreatedAt: t0, ExpiresAt: t0.Add(d)}
}

// step is one call of a scenario, at t0 plus at.
type step struct {
	at   time.Duration
	op   string // "outstanding", "blacklist", or "blacklisted"
	tok  Token  // for outstanding and blacklist; tok.JTI for blacklisted
	want bool   // blacklisted's answer
}

func TestMemory(t *testing.T) {
	t.Parallel()
	const hour = time.Hour
	for _, tc := range []struct {
		name   string
		leeway time.Duration
		steps  []step
	}{
		{"unknown jti", 0, []step{
			{0, "blacklisted", tok("a", hour), false},
			{0, "blacklisted", tok("", hour), false},
		}},
		{"blacklisted", 0, []step{
			{0, "blacklist", tok("a", hour), false},
			{0, "blacklisted", tok("a", hour), true},
			{0, "blacklisted", tok("b", hour), false},
		}},
		{"outstanding only is not blacklisted", 0, []step{
			{0, "outstanding", tok("a", hour), false},
			{0, "blacklisted", tok("a", hour), false},
		}},
		{"twice each is not an error", 0, []step{
			{0, "outstanding", tok("a", hour), false},
			{0, "outstanding", tok("a", hour), false},
			{0, "blacklist", tok("a", hour), false},
			{0, "blacklist", tok("a", hour), false},
			{0, "outstanding", tok("a", hour), false},
			{0, "blacklisted", tok("a", hour), true},
		}},
		{"leaves at ExpiresAt", 0, []step{
			{0, "blacklist", tok("a", hour), false},
			{hour - time.Nanosecond, "blacklisted", tok("a", hour), true},
			{hour, "blacklisted", tok("a", hour), false},
			{2 * hour, "blacklist", tok("b", 3*hour), false}, // sweeps a
			{2 * hour, "blacklisted", tok("a", hour), false},
			{2 * hour, "blacklisted", tok("b", hour), true},
		}},
		{"get-or-create keeps the recorded expiry", 0, []step{
			{0, "outstanding", tok("a", hour), false},
			{0, "blacklist", tok("a", 5*hour), false},
			{hour - time.Second, "blacklisted", tok("a", 0), true},
			{hour, "blacklisted", tok("a", 0), false},
		}},
		{"leeway keeps entries longer", 10 * time.Second, []step{
			{0, "blacklist", tok("a", hour), false},
			{hour + 9*time.Second, "blacklisted", tok("a", 0), true},
			{hour + 10*time.Second, "blacklisted", tok("a", 0), false},
		}},
		{"an expired token needs no entry", 0, []step{
			{hour, "blacklist", tok("a", hour), false},
			{hour, "blacklisted", tok("a", 0), false},
			{0, "blacklisted", tok("a", 0), false},
		}},
		{"re-blacklisted after expiry is no error", 0, []step{
			{0, "blacklist", tok("a", hour), false},
			{2 * hour, "blacklist", tok("a", hour), false},
			{2 * hour, "blacklisted", tok("a", 0), false},
		}},
		{"an expiry past 2262 never leaves", 0, []step{
			{0, "blacklist", Token{JTI: "a", ExpiresAt: time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)}, false},
			{200 * 365 * 24 * hour, "blacklisted", tok("a", 0), true},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := newClock()
			m := NewMemory(0)
			m.Now, m.Leeway = c.Now, tc.leeway
			ctx := context.Background()
			for i, s := range tc.steps {
				c.set(t0.Add(s.at))
				var err error
				switch s.op {
				case "outstanding":
					err = m.Outstanding(ctx, s.tok)
				case "blacklist":
					err = m.Blacklist(ctx, s.tok)
				case "blacklisted":
					var got bool
					got, err = m.Blacklisted(ctx, s.tok.JTI)
					if got != s.want {
						t.Errorf("step %d: Blacklisted(%q) at t0+%v = %v, want %v", i, s.tok.JTI, s.at, got, s.want)
					}
				default:
					t.Fatalf("step %d: op %q", i, s.op)
				}
				if err != nil {
					t.Errorf("step %d: %s(%q): %v", i, s.op, s.tok.JTI, err)
				}
			}
		})
	}
}

// TestMemoryRefuses: a token no store can record is an error, from both
// writing methods, and is not ErrFull.
func TestMemoryRefuses(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		tok  Token
		want string
	}{
		{"no jti", Token{ExpiresAt: t0.Add(time.Hour)}, "no jti"},
		{"jti too long", Token{JTI: strings.Repeat("x", MaxJTI+1), ExpiresAt: t0.Add(time.Hour)}, "at most 255"},
		{"jti not UTF-8", Token{JTI: "\xff", ExpiresAt: t0.Add(time.Hour)}, "UTF-8"},
		{"no expiry", Token{JTI: "a", Token: "secret.token.text"}, "no expiry"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := NewMemory(0)
			m.Now = newClock().Now
			for name, call := range map[string]func(context.Context, Token) error{"Outstanding": m.Outstanding, "Blacklist": m.Blacklist} {
				err := call(context.Background(), tc.tok)
				if err == nil || !strings.Contains(err.Error(), tc.want) || errors.Is(err, ErrFull) {
					t.Errorf("%s: %v, want an error mentioning %q", name, err, tc.want)
				}
				if err != nil && strings.Contains(err.Error(), "secret.token.text") {
					t.Errorf("%s: the error shows the token: %v", name, err)
				}
			}
			if b, o := m.sizes(); b+o != 0 {
				t.Errorf("%d blacklisted, %d outstanding entries kept", b, o)
			}
		})
	}
	// A max of 255 characters, not bytes: the column's varchar(255).
	m := NewMemory(0)
	if err := m.Blacklist(context.Background(), Token{JTI: strings.Repeat("ä", MaxJTI), ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
		t.Errorf("a jti of %d two-byte characters: %v", MaxJTI, err)
	}
}

// TestMemoryBound: no more than max blacklisted tokens; when all are
// unexpired, the next is refused with ErrFull and none of them is dropped;
// room comes back as they expire. Outstanding records are bounded too,
// and skipped without an error when full.
func TestMemoryBound(t *testing.T) {
	t.Parallel()
	const max = 4
	c := newClock()
	m := NewMemory(max)
	m.Now = c.Now
	ctx := context.Background()
	for i := range max {
		// a0 expires first, after 1 h; a3 last.
		if err := m.Blacklist(ctx, tok(fmt.Sprint("a", i), time.Duration(i+1)*time.Hour)); err != nil {
			t.Fatalf("a%d: %v", i, err)
		}
	}
	for _, tc := range []struct {
		name    string
		at      time.Duration
		jti     string
		wantErr error
	}{
		{"full of unexpired tokens", 59 * time.Minute, "b0", ErrFull},
		{"blacklisting one already there is no error", 59 * time.Minute, "a3", nil},
		{"a0 has expired: room for one", time.Hour, "b1", nil},
		{"full again", time.Hour, "b2", ErrFull},
		{"a1 and a2 have expired", 3 * time.Hour, "b3", nil},
		{"and a second", 3 * time.Hour, "b4", nil},
		{"full", 3 * time.Hour, "b5", ErrFull},
	} {
		c.set(t0.Add(tc.at))
		err := m.Blacklist(ctx, tok(tc.jti, 10*time.Hour))
		if !errors.Is(err, tc.wantErr) || (err == nil) != (tc.wantErr == nil) {
			t.Errorf("%s: Blacklist(%s) at t0+%v: %v, want %v", tc.name, tc.jti, tc.at, err, tc.wantErr)
		}
		if n, _ := m.sizes(); n > max {
			t.Errorf("%s: %d blacklisted entries, max %d", tc.name, n, max)
		}
	}
	// None of the unexpired ones was dropped to make room; the refused ones
	// are not blacklisted.
	c.set(t0.Add(3 * time.Hour))
	for jti, want := range map[string]bool{"a3": true, "b1": true, "b3": true, "b4": true, "b0": false, "b2": false, "b5": false} {
		if got, err := m.Blacklisted(ctx, jti); got != want || err != nil {
			t.Errorf("Blacklisted(%s) = %v, %v; want %v", jti, got, err, want)
		}
	}

	// Outstanding records: bounded, the extra ones skipped, no error.
	o := NewMemory(max)
	o.Now = c.Now
	for i := range 3 * max {
		if err := o.Outstanding(ctx, tok(fmt.Sprint("o", i), 10*time.Hour)); err != nil {
			t.Fatalf("Outstanding o%d: %v", i, err)
		}
	}
	if _, n := o.sizes(); n != max {
		t.Errorf("%d outstanding records kept, want the max, %d", n, max)
	}
	// A token whose record was skipped is blacklisted all the same.
	if err := o.Blacklist(ctx, tok("o11", 10*time.Hour)); err != nil {
		t.Errorf("Blacklist of a token whose record was skipped: %v", err)
	}
	if ok, _ := o.Blacklisted(ctx, "o11"); !ok {
		t.Error("o11 is not blacklisted")
	}
	// Expired records leave: room again.
	c.set(t0.Add(11 * time.Hour))
	if err := o.Outstanding(ctx, tok("p", 20*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, n := o.sizes(); n != 1 {
		t.Errorf("%d outstanding records after the others expired, want 1", n)
	}
}

func TestNewMemoryDefault(t *testing.T) {
	t.Parallel()
	for _, max := range []int{0, -1} {
		if got := NewMemory(max).capacity(); got != DefaultMax {
			t.Errorf("NewMemory(%d) holds %d, want %d", max, got, DefaultMax)
		}
	}
	if got := NewMemory(7).capacity(); got != 7 {
		t.Errorf("NewMemory(7) holds %d", got)
	}
	// The zero Memory works too, with the default bound and time.Now.
	var m Memory
	ctx := context.Background()
	if err := m.Blacklist(ctx, Token{JTI: "a", ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if ok, err := m.Blacklisted(ctx, "a"); !ok || err != nil {
		t.Errorf("zero Memory: Blacklisted = %v, %v", ok, err)
	}
}

// TestMemoryConcurrent: many goroutines recording, blacklisting (the same
// jtis from several at once) and checking; every Blacklist succeeds and
// sticks. Run with -race.
func TestMemoryConcurrent(t *testing.T) {
	t.Parallel()
	c := newClock()
	m := NewMemory(1000)
	m.Now = c.Now
	ctx := context.Background()
	const goroutines, jtis = 32, 200
	var wg sync.WaitGroup
	var failures atomic.Int32
	for g := range goroutines {
		wg.Go(func() {
			for i := range jtis {
				jti := fmt.Sprint("jti-", (i+g)%jtis)
				tk := tok(jti, time.Hour)
				if err := m.Outstanding(ctx, tk); err != nil {
					failures.Add(1)
				}
				if err := m.Blacklist(ctx, tk); err != nil {
					failures.Add(1)
				}
				if ok, err := m.Blacklisted(ctx, jti); !ok || err != nil {
					failures.Add(1)
				}
				if g == 0 && i%50 == 0 {
					c.set(t0.Add(time.Duration(i) * time.Second)) // the clock moves meanwhile
				}
			}
		})
	}
	wg.Wait()
	if n := failures.Load(); n != 0 {
		t.Errorf("%d calls failed or did not see their own blacklisting", n)
	}
	if b, o := m.sizes(); b != jtis || o != jtis {
		t.Errorf("%d blacklisted, %d outstanding; want %d each", b, o, jtis)
	}
}

// BenchmarkMemoryBlacklisted is the check every refresh makes.
func BenchmarkMemoryBlacklisted(b *testing.B) {
	m := NewMemory(0)
	ctx := context.Background()
	for i := range DefaultMax {
		_ = m.Blacklist(ctx, Token{JTI: fmt.Sprintf("%032x", i), ExpiresAt: time.Now().Add(time.Hour)})
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			_, _ = m.Blacklisted(ctx, "0000000000000000000000000000beef")
		}
	})
}
