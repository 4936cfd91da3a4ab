package token

import (
	"errors"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"
)

// TestCacheIsBounded: a flood of distinct valid tokens never grows the
// cache past its size, under concurrent use (run with -race).
func TestCacheIsBounded(t *testing.T) {
	e := newEngine(t, drfSpec, secretKeys(testSecret), 32)
	tokens := make([]string, 500)
	for i := range tokens {
		c := adminClaims()
		c.Extra = map[string]any{"n": i}
		var err error
		if tokens[i], err = e.Sign(&c, nil); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := w; i < len(tokens); i += 4 {
				if _, err := verifyAt(e, tokens[i], testNow); err != nil {
					t.Error(err)
					return
				}
				_, _ = verifyAt(e, tokens[(i*7)%len(tokens)], testNow)
			}
		})
	}
	wg.Wait()
	if n := e.CacheLen(); n > 32 || n == 0 {
		t.Errorf("%d entries for a size of 32", n)
	}
}

// TestCacheHits: a token seen again is answered from the cache, with the
// same shared claims each time; without a cache, never.
func TestCacheHits(t *testing.T) {
	c := adminClaims()
	c.Extra = map[string]any{"scope": "read"}
	for _, size := range []int{0, 4} {
		e := newEngine(t, drfSpec, secretKeys(testSecret), size)
		tok, _ := e.Sign(&c, nil)
		var hits []*Claims
		for range 3 {
			var dst Claims
			hit, _, _, err := e.Verify(tok, testNow, &dst, nil)
			if err != nil {
				t.Fatal(err)
			}
			if hit != nil {
				hits = append(hits, hit)
				if hit.Username != "admin" || hit.Extra["scope"] != "read" || dst.Username != "" {
					t.Errorf("hit %+v, dst %+v", hit, dst)
				}
			} else if dst.Username != "admin" {
				t.Errorf("miss: dst %+v", dst)
			}
		}
		switch {
		case size == 0 && (len(hits) != 0 || e.CacheLen() != 0):
			t.Errorf("no cache: %d hits, %d cached", len(hits), e.CacheLen())
		case size > 0 && (len(hits) != 2 || hits[0] != hits[1] || e.CacheLen() != 1):
			t.Errorf("cache: hits %v, %d cached", hits, e.CacheLen())
		}
	}
}

// TestCacheExpiry: an entry answers until exp + leeway, and not from then
// on, when it leaves the cache.
func TestCacheExpiry(t *testing.T) {
	spec := drfSpec
	spec.Leeway = 10 * time.Second
	e := newEngine(t, spec, secretKeys(testSecret), 8)
	c := adminClaims() // exp: testNow + 300 s
	tok, _ := e.Sign(&c, nil)
	if _, err := verifyAt(e, tok, testNow); err != nil || e.CacheLen() != 1 {
		t.Fatalf("first verification: %v, %d cached", err, e.CacheLen())
	}
	var dst Claims
	hit, _, _, err := e.Verify(tok, testNow.Add(309*time.Second), &dst, nil)
	if err != nil || hit == nil {
		t.Fatalf("within the leeway: hit %v, %v", hit, err)
	}
	hit, _, _, err = e.Verify(tok, testNow.Add(310*time.Second), &dst, nil)
	if !errors.Is(err, ErrExpired) || hit != nil {
		t.Fatalf("at exp + leeway: hit %v, %v", hit, err)
	}
	if e.CacheLen() != 0 {
		t.Error("the expired entry stayed")
	}
}

// TestCacheRotation: after a rotation every token is verified anew with
// the new keys, so a withdrawn key's cached tokens are refused at once.
func TestCacheRotation(t *testing.T) {
	e := newEngine(t, drfSpec, secretKeys(testSecret), 8)
	c := adminClaims()
	tok, _ := e.Sign(&c, nil)
	var dst Claims
	for range 2 {
		if _, _, _, err := e.Verify(tok, testNow, &dst, nil); err != nil {
			t.Fatal(err)
		}
	}
	// The same key again: still a new key set, so a miss, then hits.
	if err := e.Rotate(secretKeys(testSecret)); err != nil {
		t.Fatal(err)
	}
	if hit, _, _, err := e.Verify(tok, testNow, &dst, nil); err != nil || hit != nil {
		t.Errorf("after a rotation: hit %v, %v; want a miss", hit, err)
	}
	if hit, _, _, err := e.Verify(tok, testNow, &dst, nil); err != nil || hit == nil {
		t.Errorf("verified with the new keys: hit %v, %v; want a hit", hit, err)
	}
	if err := e.Rotate(secretKeys(otherSecret)); err != nil {
		t.Fatal(err)
	}
	if hit, _, _, err := e.Verify(tok, testNow, &dst, nil); !errors.Is(err, ErrSignature) || hit != nil {
		t.Errorf("its key withdrawn: hit %v, %v", hit, err)
	}
	if e.CacheLen() != 0 {
		t.Errorf("%d entries of withdrawn keys stayed", e.CacheLen())
	}
}

// TestCacheUserKeys: a hit returns the per-user key the token verified
// with, for the caller to compare with the user's key now; the key
// function is not asked again.
func TestCacheUserKeys(t *testing.T) {
	spec := drfSpec
	spec.UserKeys = true
	e := newEngine(t, spec, Keys{}, 8)
	c := adminClaims()
	tok, _ := e.Sign(&c, []byte(testSecret))
	calls := 0
	key := func(*Claims) ([]byte, error) { calls++; return []byte(testSecret), nil }
	for i := range 3 {
		var dst Claims
		hit, secret, _, err := e.Verify(tok, testNow, &dst, key)
		if err != nil || string(secret) != testSecret || (i > 0) != (hit != nil) {
			t.Errorf("verification %d: hit %v, secret %q, %v", i, hit, secret, err)
		}
	}
	if calls != 1 {
		t.Errorf("the key function was called %d times", calls)
	}
}

// TestCacheSlots: a new token takes a free or stale slot of its two, else
// the one whose token expires first.
func TestCacheSlots(t *testing.T) {
	c := newCache(2, 0)
	// Tokens whose first slot is slot 0 and second slot 1, so that each
	// competes with every other, in an order known here.
	var toks []string
	for i := 0; len(toks) < 4; i++ {
		tok := "token-" + strconv.Itoa(i)
		if a, b := c.pair(tok); a == &c.slots[0] && b == &c.slots[1] {
			toks = append(toks, tok)
		}
	}
	now := testNow
	keys, rotated := &keySet{}, &keySet{}
	entry := func(tok string, ks *keySet, exp int) *cacheEntry {
		return &cacheEntry{token: tok, claims: &Claims{ExpiresAt: now.Add(time.Duration(exp) * time.Second)}, keys: ks}
	}
	cached := func(toks ...string) (in []bool) {
		for _, tok := range toks {
			_, ok := c.get(tok, keys, now)
			in = append(in, ok)
		}
		return in
	}
	for _, tt := range []struct {
		name    string
		puts    []*cacheEntry
		want    []bool // toks[0], toks[1]... cached at the end
		entries int
	}{
		{"two tokens, two slots", []*cacheEntry{entry(toks[0], keys, 300), entry(toks[1], keys, 100)}, []bool{true, true}, 2},
		{"the one expiring first is evicted", []*cacheEntry{entry(toks[0], keys, 300), entry(toks[1], keys, 100), entry(toks[2], keys, 200)},
			[]bool{true, false, true}, 2},
		{"in either slot", []*cacheEntry{entry(toks[0], keys, 100), entry(toks[1], keys, 300), entry(toks[2], keys, 200)},
			[]bool{false, true, true}, 2},
		// toks[1] lasts longest but was verified with keys since rotated.
		{"a stale slot goes first, however late it expires", []*cacheEntry{
			entry(toks[0], rotated, 1000), entry(toks[1], rotated, 2000), entry(toks[2], keys, 100), entry(toks[3], keys, 200),
		}, []bool{false, false, true, true}, 2},
		{"an expired slot goes first", []*cacheEntry{entry(toks[0], keys, 300), entry(toks[1], keys, -1), entry(toks[2], keys, 100)},
			[]bool{true, false, true}, 2},
		{"a token cached again replaces itself", []*cacheEntry{entry(toks[0], keys, 100), entry(toks[1], keys, 100), entry(toks[1], keys, 500)},
			[]bool{true, true}, 2},
	} {
		for i := range c.slots { // emptied, keeping the seed the tokens were chosen by
			c.slots[i].Store(nil)
		}
		for _, e := range tt.puts {
			c.put(e, now)
		}
		n := c.len()
		if got := cached(toks[:len(tt.want)]...); !slices.Equal(got, tt.want) || n != tt.entries {
			t.Errorf("%s: cached %v, %d entries; want %v, %d", tt.name, got, n, tt.want, tt.entries)
		}
	}
}

// TestCacheMemo: the memo a cold verification returns is the one every
// hit of the token returns, a word kept with its entry; another token has
// its own; without a cache there is none.
func TestCacheMemo(t *testing.T) {
	c := adminClaims()
	e := newEngine(t, drfSpec, secretKeys(testSecret), 4)
	tok, _ := e.Sign(&c, nil)
	c.Username = "other"
	other, _ := e.Sign(&c, nil)
	var dst Claims
	_, _, cold, err := e.Verify(tok, testNow, &dst, nil)
	if err != nil || cold == nil {
		t.Fatalf("cold: memo %v, %v", cold, err)
	}
	cold.Store(7)
	hit, _, memo, _ := e.Verify(tok, testNow, &dst, nil)
	if hit == nil || memo != cold || memo.Load() != 7 {
		t.Errorf("hit: memo %p (%d), want %p", memo, memo.Load(), cold)
	}
	if _, _, m, _ := e.Verify(other, testNow, &dst, nil); m == cold {
		t.Error("two tokens share a memo")
	}
	if _, _, m, _ := newEngine(t, drfSpec, secretKeys(testSecret), 0).Verify(tok, testNow, &dst, nil); m != nil {
		t.Error("a memo without a cache")
	}
}
