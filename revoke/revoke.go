package revoke

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jwtauth-go/jwtauth/internal/expiry"
)

// Entry is one revocation: either of the token or family ID, or of every
// token of User issued before Before.
type Entry struct {
	// ID revokes the one token whose id it is (its jti, or a digest of
	// it when it has none) or every token of the family it names.
	ID string
	// User and Before revoke every token of the user (by primary key, in
	// text form) issued before Before. Used when ID is empty.
	User   string
	Before time.Time
	// Until is when the entry may be forgotten: when every token it
	// revokes has expired (their exp, plus the verifier's leeway).
	Until time.Time
}

// Token is what a revocation check knows of a verified token.
type Token struct {
	ID       string    // its jti, or a digest of its header and payload
	Family   string    // the refresh-token family it belongs to; "" for none
	User     string    // the primary key of its user, in text form
	IssuedAt time.Time // its iat, or the best bound the token gives
}

// Store holds revocations. Implementations are safe for concurrent use.
type Store interface {
	// Add records e, durably for the store's kind: once it returns nil,
	// every check that starts after it sees e. Adding an entry twice is
	// not an error; the later Until and the later Before win.
	Add(ctx context.Context, e Entry) error
	// Use records that the refresh token id was used at at, kept until
	// until, and returns when it was first used: at itself the first
	// time. It is atomic for every instance that shares the store, so
	// that a refresh token replayed anywhere is seen as replayed.
	Use(ctx context.Context, id string, at, until time.Time) (first time.Time, err error)
	// Revoked reports whether t is revoked, from memory, without I/O.
	// An error (one wrapping [ErrUnavailable] for a store that cannot
	// vouch for its memory) means the store cannot tell: the request is
	// answered 503, never let through.
	Revoked(t Token) (bool, error)
	// Generation changes (never back) whenever an entry is added, and is
	// 0 while Revoked would fail: a token found not revoked at generation
	// g > 0 is still not revoked while Generation returns g. It is read
	// on every request, and must cost no more than an atomic load.
	Generation() uint64
}

// ErrFull is wrapped by the error of [Memory.Add] and [Memory.Use] when
// the memory holds its bound of unexpired entries: forgetting one would
// give a revoked token back, so the revocation fails instead (503) and the
// client tries later.
var ErrFull = errors.New("revoke: the memory store is full of unexpired entries")

// ErrUnavailable is wrapped by the error of Revoked when a shared store
// has lost touch with the others for longer than it may answer alone.
var ErrUnavailable = errors.New("revoke: revocations cannot be checked")

// DefaultMax is how many entries of each kind (ids, users, uses) a Memory
// holds when NewMemory is given no bound: some 100 bytes each, 10 MB per
// kind.
const DefaultMax = 100_000

// Memory is the built-in [Store]: revocations kept in this process, each
// until its Until. Build it with [NewMemory]; it is safe for concurrent
// use and starts no goroutine. Several instances of a service do not share
// it: they share redisstore's Revocations instead.
//
// It holds at most max entries of each kind; expired ones are swept by
// the calls that add, earliest first, with no scan. An entry is never
// dropped before its Until, since that would make a revoked token valid
// again: Add fails with [ErrFull] instead.
type Memory struct {
	// Now is the clock entries expire by; nil means time.Now. Set it
	// before the Memory is used.
	Now func() time.Time

	max int
	gen atomic.Uint64 // entries kept by Add; Generation is one more
	// filter holds a bit for every id and user held, so that a check
	// of a token none of whose keys is held (nearly every check) takes
	// neither the lock nor a lookup in maps too big for a core's cache.
	// Nil until the first Add. added counts the keys set in it, those
	// that have left since included: it is rebuilt when they outnumber
	// the keys held.
	filter atomic.Pointer[filter]
	added  int

	mu     sync.RWMutex
	ids    expiry.Set
	users  expiry.Set
	before map[string]int64 // by user, in Unix nanoseconds
	uses   expiry.Set
	first  map[string]int64 // by refresh token id
}

// NewMemory returns an empty Memory holding at most max entries of each
// kind; max <= 0 means [DefaultMax].
func NewMemory(max int) *Memory {
	if max <= 0 {
		max = DefaultMax
	}
	return &Memory{max: max}
}

var _ Store = (*Memory)(nil)

// Add implements [Store]. An entry already expired is not kept; one
// naming neither an id nor a user is an error.
func (m *Memory) Add(_ context.Context, e Entry) error {
	if e.ID == "" && e.User == "" {
		return errors.New("revoke: an entry names neither a token nor a user")
	}
	now, until := expiry.Nanos(m.now()), expiry.Nanos(e.Until)
	if until <= now {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if e.ID != "" {
		m.ids.Sweep(now)
		if !m.ids.Has(e.ID) && m.ids.Len() >= m.capacity() {
			return fmt.Errorf("revoke: %d unexpired tokens revoked already: %w", m.ids.Len(), ErrFull)
		}
		if !m.ids.Add(e.ID, until) {
			return nil // held already, as long: nothing to check again
		}
	} else {
		m.sweepUsers(now)
		if !m.users.Has(e.User) && m.users.Len() >= m.capacity() {
			return fmt.Errorf("revoke: %d users revoked already: %w", m.users.Len(), ErrFull)
		}
		if m.before == nil {
			m.before = make(map[string]int64)
		}
		longer := m.users.Add(e.User, until)
		before, held := m.before[e.User]
		if b := expiry.Nanos(e.Before); !held || b > before {
			m.before[e.User] = b
		} else if !longer {
			return nil // held already: nothing to check again
		}
	}
	key := e.ID
	if key == "" {
		key = e.User
	}
	m.filterLocked().add(key)
	m.added++
	// After the entry, so that a check that reads the new generation
	// finds it (see Generation).
	m.gen.Add(1)
	return nil
}

// filterLocked returns the filter, first made, or rebuilt from the keys
// held when most of those it has seen have left, so that the bits of
// expired entries do not pile up. A check that loads the old filter
// started before the swap; one that starts after it finds every key held
// in the new one. The caller holds the write lock.
func (m *Memory) filterLocked() *filter {
	f := m.filter.Load()
	if f != nil && m.added <= 2*(m.ids.Len()+m.users.Len())+1024 {
		return f
	}
	f = newFilter()
	m.added = 0
	for k := range m.ids.Keys() {
		f.add(k)
		m.added++
	}
	for k := range m.users.Keys() {
		f.add(k)
		m.added++
	}
	m.filter.Store(f)
	return f
}

// sweepUsers forgets the user entries that have expired at now.
func (m *Memory) sweepUsers(now int64) {
	m.users.Sweep(now)
	if len(m.before) > m.users.Len() {
		for u := range m.before {
			if !m.users.Has(u) {
				delete(m.before, u)
			}
		}
	}
}

// Use implements [Store].
func (m *Memory) Use(_ context.Context, id string, at, until time.Time) (time.Time, error) {
	now := expiry.Nanos(m.now())
	m.mu.Lock()
	defer m.mu.Unlock()
	m.uses.Sweep(now)
	if len(m.first) > m.uses.Len() {
		for k := range m.first {
			if !m.uses.Has(k) {
				delete(m.first, k)
			}
		}
	}
	if f, ok := m.first[id]; ok {
		return time.Unix(0, f), nil
	}
	if m.uses.Len() >= m.capacity() {
		return time.Time{}, fmt.Errorf("revoke: %d refresh tokens in use already: %w", m.uses.Len(), ErrFull)
	}
	if m.first == nil {
		m.first = make(map[string]int64)
	}
	m.uses.Add(id, expiry.Nanos(until))
	m.first[id] = expiry.Nanos(at)
	return at, nil
}

// Revoked implements [Store]; it never fails.
func (m *Memory) Revoked(t Token) (bool, error) {
	f := m.filter.Load()
	if f == nil || !f.mayHold(t.ID) && (t.Family == "" || !f.mayHold(t.Family)) && !f.mayHold(t.User) {
		return false, nil // none of its keys held: no lock, no lookup
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.ids.Has(t.ID) || (t.Family != "" && m.ids.Has(t.Family)) {
		return true, nil
	}
	if b, ok := m.before[t.User]; ok && expiry.Nanos(t.IssuedAt) < b {
		return true, nil
	}
	return false, nil
}

// Generation implements [Store]: 1 for an empty Memory, one more for each
// Add that changed what is held (an entry added again as it was changes
// nothing, so that the echo of a shared store's own Add does not make
// every cached token be checked again).
func (m *Memory) Generation() uint64 { return m.gen.Load() + 1 }

// capacity is max, or DefaultMax for a Memory not made by NewMemory.
func (m *Memory) capacity() int {
	if m.max <= 0 {
		return DefaultMax
	}
	return m.max
}

// Entries returns the unexpired entries, for a shared store to hand on
// what this one holds.
func (m *Memory) Entries() []Entry {
	now := expiry.Nanos(m.now())
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []Entry
	for id := range m.ids.Keys() {
		if u, _ := m.ids.Until(id); u > now {
			out = append(out, Entry{ID: id, Until: time.Unix(0, u)})
		}
	}
	for user := range m.users.Keys() {
		if u, _ := m.users.Until(user); u > now {
			out = append(out, Entry{User: user, Before: time.Unix(0, m.before[user]), Until: time.Unix(0, u)})
		}
	}
	return out
}

func (m *Memory) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}
