package jwtauth

import (
	"sync"
	"time"
)

// tokenCache remembers tokens that verified, so that a token seen again is
// not parsed and its signature not checked again: for RS256 or ES256 that
// is most of a request's cost. It never makes a token acceptable that a cold
// verification refuses: an entry is used only before the token's exp
// (leeway included), the user is loaded and checked on every hit, a
// per-user secret is compared on every hit, and the keys cannot change
// during the life of an Auth. Only verified tokens get in, so a flood of
// forged tokens cannot fill it; valid ones evict expired entries first, then
// others at random. It is sharded so that concurrent requests rarely wait on
// one another.
type tokenCache struct {
	perShard int
	leeway   time.Duration
	shards   [cacheShards]cacheShard
}

const cacheShards = 16

type cacheShard struct {
	mu sync.RWMutex
	m  map[string]cacheEntry
}

type cacheEntry struct {
	claims *Claims // shared by every request of the token: never modified
	secret []byte  // the per-user secret the token verified with, if any
}

func newTokenCache(size int, leeway time.Duration) *tokenCache {
	c := &tokenCache{perShard: max(1, (size+cacheShards-1)/cacheShards), leeway: leeway}
	for i := range c.shards {
		c.shards[i].m = make(map[string]cacheEntry)
	}
	return c
}

// shard picks by the token's last character: in a cached token it is a
// character of a MAC or signature, evenly spread, and no hashing of the
// whole token is needed.
func (c *tokenCache) shard(token string) *cacheShard {
	if token == "" {
		return &c.shards[0]
	}
	return &c.shards[token[len(token)-1]%cacheShards]
}

// get returns the claims of token if it verified before and has not
// expired at now.
func (c *tokenCache) get(token string, now time.Time) (*Claims, []byte, bool) {
	sh := c.shard(token)
	sh.mu.RLock()
	e, ok := sh.m[token]
	sh.mu.RUnlock()
	if !ok {
		return nil, nil, false
	}
	if !now.Before(e.claims.ExpiresAt.Add(c.leeway)) {
		sh.mu.Lock()
		delete(sh.m, token)
		sh.mu.Unlock()
		return nil, nil, false
	}
	return e.claims, e.secret, true
}

// put remembers that token verified with claims.
func (c *tokenCache) put(token string, claims *Claims, secret []byte) {
	sh := c.shard(token)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if len(sh.m) >= c.perShard {
		now := time.Now()
		for k, e := range sh.m {
			if !now.Before(e.claims.ExpiresAt.Add(c.leeway)) {
				delete(sh.m, k)
			}
		}
		for k := range sh.m { // map order: a random victim
			if len(sh.m) < c.perShard {
				break
			}
			delete(sh.m, k)
		}
	}
	sh.m[token] = cacheEntry{claims, secret}
}

// len returns the number of entries, for tests.
func (c *tokenCache) len() int {
	n := 0
	for i := range c.shards {
		c.shards[i].mu.RLock()
		n += len(c.shards[i].m)
		c.shards[i].mu.RUnlock()
	}
	return n
}
