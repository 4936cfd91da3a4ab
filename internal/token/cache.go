package token

import (
	"hash/maphash"
	"sync/atomic"
	"time"
)

// cache remembers tokens that verified, so that a token seen again is
// not parsed and its signature not checked again: for RS256 or ES256 that
// is most of a request's cost. It never makes a token acceptable that a cold
// verification refuses: an entry is used only before the token's exp
// (leeway included), the user is loaded and checked on every hit, a
// per-user secret is compared on every hit, and an entry is used only
// with the keys it was verified with (after a rotation, every token is
// verified anew). Only verified tokens get in, so a flood of forged tokens
// cannot touch it.
//
// It is a table of a fixed number of slots, each holding one entry, and a
// token may sit in one of two slots chosen by a seeded hash: lookups and
// insertions are two atomic loads and at most one store, never a lock, and
// the memory is bounded by construction, however many distinct tokens
// arrive. A new token takes a free or stale slot of its two, else the one
// whose token expires first.
type cache struct {
	seed   maphash.Seed
	slots  []atomic.Pointer[cacheEntry]
	leeway time.Duration
}

type cacheEntry struct {
	token    string
	claims   *Claims   // shared by every request of the token: never modified
	secret   []byte    // the per-user secret the token verified with, if any
	keys     *keySet   // the keys it verified with
	deadline time.Time // exp + leeway: unusable from then on
	// memo is the caller's, kept with the entry between requests: the
	// root remembers there the revocation generation at which the token
	// was last found not revoked.
	memo atomic.Uint64
}

func newCache(size int, leeway time.Duration) *cache {
	return &cache{seed: maphash.MakeSeed(), slots: make([]atomic.Pointer[cacheEntry], size), leeway: leeway}
}

// pair returns the two slots token may sit in, chosen by the hash of its
// last bytes: a verified token ends with its signature, as random as a
// hash, and the whole token is compared on a hit. An RS256 token is some
// 500 bytes; hashing it all would cost more than the rest of a hit.
func (c *cache) pair(token string) (a, b *atomic.Pointer[cacheEntry]) {
	h := maphash.String(c.seed, token[max(0, len(token)-32):])
	n := uint64(len(c.slots))
	// Each half of the hash scaled to [0, n) by a multiplication, not a
	// division.
	return &c.slots[(h&0xffffffff)*n>>32], &c.slots[(h>>32)*n>>32]
}

// usable reports whether e may answer for a token verified with keys at
// now.
func (e *cacheEntry) usable(keys *keySet, now time.Time) bool {
	return e.keys == keys && now.Before(e.deadline)
}

// get returns the entry of token if it verified before with keys and has
// not expired at now.
func (c *cache) get(token string, keys *keySet, now time.Time) (*cacheEntry, bool) {
	s, other := c.pair(token)
	e := s.Load()
	if e == nil || e.token != token {
		s, e = other, other.Load()
		if e == nil || e.token != token {
			return nil, false
		}
	}
	if !e.usable(keys, now) {
		s.CompareAndSwap(e, nil) // expired, or verified with keys since rotated
		return nil, false
	}
	return e, true
}

// put remembers that e.token verified, at now.
func (c *cache) put(e *cacheEntry, now time.Time) {
	e.deadline = e.claims.ExpiresAt.Add(c.leeway)
	s, other := c.pair(e.token)
	old := s.Load()
	if old != nil && old.token != e.token && old.usable(e.keys, now) {
		if o := other.Load(); o == nil || o.token == e.token || !o.usable(e.keys, now) || o.deadline.Before(old.deadline) {
			s = other
		}
	}
	s.Store(e)
}

// len returns the number of entries, for tests.
func (c *cache) len() int {
	n := 0
	for i := range c.slots {
		if c.slots[i].Load() != nil {
			n++
		}
	}
	return n
}
