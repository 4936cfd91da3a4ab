package jwtauth

import (
	"sync"
	"sync/atomic"
	"time"
)

// tokenCache remembers tokens that verified, so that a token seen again is
// not parsed and its signature not checked again: for RS256 or ES256 that
// is most of a request's cost. It never makes a token acceptable that a cold
// verification refuses: an entry is used only before the token's exp
// (leeway included), the user is loaded and checked on every hit, a
// per-user secret is compared on every hit, and an entry is used only
// with the keys it was verified with (after Auth.RotateKeys, every token is
// verified anew). Only verified tokens get in, so a flood of
// forged tokens cannot fill it; valid ones evict expired entries first, then
// others at random, so that it holds at most its size (plus one entry per
// insertion racing another). Hits take no lock (a sync.Map: each token is written
// once and read many times), so concurrent requests do not contend.
type tokenCache struct {
	m      sync.Map // token → *cacheEntry
	n      atomic.Int64
	size   int64
	leeway time.Duration
	evict  sync.Mutex // one eviction at a time
}

type cacheEntry struct {
	claims *Claims // shared by every request of the token: never modified
	secret []byte  // the per-user secret the token verified with, if any
	keys   *keySet // the keys it verified with
}

func newTokenCache(size int, leeway time.Duration) *tokenCache {
	return &tokenCache{size: int64(size), leeway: leeway}
}

// get returns the claims of token if it verified before with keys and has
// not expired at now.
func (c *tokenCache) get(token string, keys *keySet, now time.Time) (*Claims, []byte, bool) {
	v, ok := c.m.Load(token)
	if !ok {
		return nil, nil, false
	}
	e := v.(*cacheEntry)
	if e.keys != keys || !now.Before(e.claims.ExpiresAt.Add(c.leeway)) {
		// Expired, or verified with keys since rotated: make way for a
		// fresh verification's entry.
		c.remove(token)
		return nil, nil, false
	}
	return e.claims, e.secret, true
}

// put remembers that token verified as e says.
func (c *tokenCache) put(token string, e *cacheEntry, now time.Time) {
	if c.n.Load() >= c.size {
		c.makeRoom(now)
	}
	if _, loaded := c.m.LoadOrStore(token, e); !loaded {
		c.n.Add(1)
	}
}

func (c *tokenCache) remove(token string) {
	if _, ok := c.m.LoadAndDelete(token); ok {
		c.n.Add(-1)
	}
}

// makeRoom drops the expired entries, then random ones (sync.Map's
// iteration order), until there is room for one more.
func (c *tokenCache) makeRoom(now time.Time) {
	c.evict.Lock()
	defer c.evict.Unlock()
	c.m.Range(func(k, v any) bool {
		if !now.Before(v.(*cacheEntry).claims.ExpiresAt.Add(c.leeway)) {
			c.remove(k.(string))
		}
		return true
	})
	c.m.Range(func(k, _ any) bool {
		if c.n.Load() < c.size {
			return false
		}
		c.remove(k.(string))
		return true
	})
}

// len returns the number of entries, for tests.
func (c *tokenCache) len() int { return int(c.n.Load()) }
