package revoke

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// clock is a fake clock for a Memory: tests never sleep.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var t0 = time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)

func newTestMemory(max int) (*Memory, *clock) {
	c := &clock{t: t0}
	m := NewMemory(max)
	m.Now = c.now
	return m, c
}

func TestMemoryRevoked(t *testing.T) {
	ctx := context.Background()
	m, c := newTestMemory(0)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(m.Add(ctx, Entry{ID: "tok", Until: t0.Add(time.Hour)}))
	must(m.Add(ctx, Entry{ID: "fam", Until: t0.Add(time.Hour)}))
	must(m.Add(ctx, Entry{User: "7", Before: t0, Until: t0.Add(time.Hour)}))
	must(m.Add(ctx, Entry{User: "7", Before: t0.Add(-time.Minute), Until: t0.Add(time.Minute)})) // earlier: the later Before and Until win
	tests := []struct {
		name string
		tok  Token
		want bool
	}{
		{"the token", Token{ID: "tok", User: "1", IssuedAt: t0}, true},
		{"its family", Token{ID: "other", Family: "fam", User: "1", IssuedAt: t0}, true},
		{"another token", Token{ID: "other", Family: "fam2", User: "1", IssuedAt: t0}, false},
		{"no family", Token{ID: "other", User: "1", IssuedAt: t0}, false},
		{"the user, before", Token{ID: "x", User: "7", IssuedAt: t0.Add(-time.Second)}, true},
		{"the user, at the instant", Token{ID: "x", User: "7", IssuedAt: t0}, false},
		{"the user, after", Token{ID: "x", User: "7", IssuedAt: t0.Add(time.Second)}, false},
		{"the user, no iat known", Token{ID: "x", User: "7"}, true},
		{"another user", Token{ID: "x", User: "8", IssuedAt: t0.Add(-time.Hour)}, false},
	}
	for _, tt := range tests {
		got, err := m.Revoked(tt.tok)
		if err != nil || got != tt.want {
			t.Errorf("%s: Revoked = %v, %v; want %v", tt.name, got, err, tt.want)
		}
	}
	if n := len(m.Entries()); n != 3 {
		t.Errorf("Entries: %d, want 3", n)
	}
	c.add(time.Hour)
	m.Add(ctx, Entry{ID: "late", Until: t0.Add(2 * time.Hour)}) // sweeps
	m.Add(ctx, Entry{User: "9", Until: t0.Add(2 * time.Hour)})
	if got, _ := m.Revoked(Token{ID: "tok"}); got {
		t.Error("an entry outlived its Until")
	}
	if got, _ := m.Revoked(Token{ID: "x", User: "7"}); got {
		t.Error("a user entry outlived its Until")
	}
	if len(m.before) != 1 {
		t.Errorf("%d users held, want 1", len(m.before))
	}
}

func TestMemoryGeneration(t *testing.T) {
	ctx := context.Background()
	var zero Memory // usable without NewMemory
	for _, m := range []*Memory{NewMemory(0), &zero} {
		g := m.Generation()
		if g == 0 {
			t.Fatal("generation 0 means the store cannot answer")
		}
		m.Add(ctx, Entry{ID: "a", Until: time.Now().Add(-time.Second)}) // expired: nothing kept
		if m.Generation() != g {
			t.Error("an expired entry changed the generation")
		}
		if err := m.Add(ctx, Entry{ID: "a", Until: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if m.Generation() == g {
			t.Error("an entry left the generation as it was")
		}
		g = m.Generation()
		m.Add(ctx, Entry{ID: "a", Until: time.Now().Add(time.Minute)}) // held already, longer
		m.Add(ctx, Entry{User: "u", Before: time.Now(), Until: time.Now().Add(time.Hour)})
		g2 := m.Generation()
		m.Add(ctx, Entry{User: "u", Before: time.Now().Add(-time.Hour), Until: time.Now().Add(time.Minute)}) // nothing new
		if g2 != g+1 || m.Generation() != g2 {
			t.Errorf("generations %d, %d, %d: an entry added again as it was changed it, or a new one did not", g, g2, m.Generation())
		}
	}
	if err := NewMemory(0).Add(ctx, Entry{Until: time.Now().Add(time.Hour)}); err == nil {
		t.Error("an entry naming nothing was taken")
	}
}

func TestMemoryBounded(t *testing.T) {
	ctx := context.Background()
	m, c := newTestMemory(2)
	for _, id := range []string{"a", "b"} {
		if err := m.Add(ctx, Entry{ID: id, Until: t0.Add(time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Add(ctx, Entry{ID: "a", Until: t0.Add(2 * time.Minute)}); err != nil {
		t.Errorf("extending a held entry: %v", err)
	}
	if err := m.Add(ctx, Entry{ID: "c", Until: t0.Add(time.Minute)}); !errors.Is(err, ErrFull) {
		t.Errorf("a third entry: %v, want ErrFull", err)
	}
	if got, _ := m.Revoked(Token{ID: "a"}); !got {
		t.Error("a full memory dropped an entry")
	}
	c.add(time.Minute) // b expires, a was extended
	if err := m.Add(ctx, Entry{ID: "c", Until: t0.Add(time.Hour)}); err != nil {
		t.Errorf("after b expired: %v", err)
	}
	if got, _ := m.Revoked(Token{ID: "a"}); !got {
		t.Error("the extended entry left at its first Until")
	}
	for _, u := range []string{"1", "2"} {
		if err := m.Add(ctx, Entry{User: u, Until: t0.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Add(ctx, Entry{User: "3", Until: t0.Add(time.Hour)}); !errors.Is(err, ErrFull) {
		t.Errorf("a third user: %v, want ErrFull", err)
	}
}

func TestMemoryUse(t *testing.T) {
	ctx := context.Background()
	m, c := newTestMemory(1)
	first, err := m.Use(ctx, "r1", t0, t0.Add(time.Hour))
	if err != nil || !first.Equal(t0) {
		t.Fatalf("first use: %v, %v", first, err)
	}
	first, err = m.Use(ctx, "r1", t0.Add(time.Minute), t0.Add(time.Hour))
	if err != nil || !first.Equal(t0) {
		t.Errorf("second use: %v, %v; want the first use's time", first, err)
	}
	if _, err := m.Use(ctx, "r2", t0, t0.Add(time.Hour)); !errors.Is(err, ErrFull) {
		t.Errorf("a second token in a memory of 1: %v, want ErrFull", err)
	}
	c.add(time.Hour)
	if first, err := m.Use(ctx, "r2", t0.Add(time.Hour), t0.Add(2*time.Hour)); err != nil || !first.Equal(t0.Add(time.Hour)) {
		t.Errorf("after r1 expired: %v, %v", first, err)
	}
}

// TestMemoryConcurrent runs under -race: checks, additions and uses from
// many goroutines, and an entry once added is always seen.
func TestMemoryConcurrent(t *testing.T) {
	ctx := context.Background()
	m := NewMemory(0)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 200 {
				id := string(rune('a'+i)) + string(rune('A'+j%26))
				if err := m.Add(ctx, Entry{ID: id, Until: time.Now().Add(time.Hour)}); err != nil {
					t.Error(err)
					return
				}
				if got, _ := m.Revoked(Token{ID: id}); !got {
					t.Errorf("%s added, not revoked", id)
				}
				m.Use(ctx, id, time.Now(), time.Now().Add(time.Hour))
				m.Entries()
			}
		}()
	}
	wg.Wait()
}

// TestMemoryFilter: the lock-free filter never hides an entry, also
// across its rebuilds as entries expire, and answers the keys it never
// saw without the maps; rebuilt, it forgets the bits of entries gone.
func TestMemoryFilter(t *testing.T) {
	ctx := context.Background()
	m, c := newTestMemory(0)
	if got, _ := m.Revoked(Token{ID: "x", User: "1"}); got {
		t.Fatal("an empty Memory revoked a token")
	}
	var first *filter
	for round := range 4 {
		for i := range 3000 {
			id := fmt.Sprintf("r%d-%d", round, i)
			if err := m.Add(ctx, Entry{ID: id, Until: c.now().Add(time.Minute)}); err != nil {
				t.Fatal(err)
			}
			if err := m.Add(ctx, Entry{User: id, Before: c.now(), Until: c.now().Add(time.Minute)}); err != nil {
				t.Fatal(err)
			}
		}
		if round == 0 {
			first = m.filter.Load()
		}
		for i := range 3000 {
			id := fmt.Sprintf("r%d-%d", round, i)
			if got, _ := m.Revoked(Token{ID: id}); !got {
				t.Fatalf("round %d: %s not revoked", round, id)
			}
			if got, _ := m.Revoked(Token{ID: "none", User: id, IssuedAt: c.now().Add(-time.Second)}); !got {
				t.Fatalf("round %d: user %s not revoked", round, id)
			}
			if got, _ := m.Revoked(Token{ID: "none", Family: id}); !got {
				t.Fatalf("round %d: family %s not revoked", round, id)
			}
		}
		c.add(2 * time.Minute) // every entry of the round expires
	}
	if m.filter.Load() == first {
		t.Error("the filter was never rebuilt as entries expired")
	}
	f := m.filter.Load()
	stale := 0
	for i := range 3000 {
		if f.mayHold(fmt.Sprintf("r0-%d", i)) {
			stale++
		}
	}
	if stale > 300 {
		t.Errorf("%d of the first round's 3,000 expired keys still in the rebuilt filter", stale)
	}
	passed := 0
	for i := range 10000 {
		if !f.mayHold(fmt.Sprintf("never-%d", i)) {
			passed++
		}
	}
	if passed < 9000 {
		t.Errorf("only %d of 10,000 keys never added pass the filter", passed)
	}
}
