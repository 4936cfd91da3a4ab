package blacklist

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/jwtauth-go/jwtauth/internal/expiry"
)

// Token is a refresh or sliding token as simplejwt's OutstandingToken row
// records it.
type Token struct {
	JTI       string    // the jti claim, unique
	UserID    string    // the user's primary key in text form ("1", or a UUID); "" means NULL
	Token     string    // the whole encoded token
	CreatedAt time.Time // the iat; zero means NULL
	ExpiresAt time.Time // the exp
}

// Store holds outstanding and blacklisted tokens, as simplejwt's
// OutstandingToken and BlacklistedToken models do. Implementations are
// safe for concurrent use. An error other than those documented is a
// failure of the store: the caller answers 503, and never takes it for
// "not blacklisted".
type Store interface {
	// Outstanding records t as issued (obtain, rotation); recording a jti
	// twice is not an error.
	Outstanding(ctx context.Context, t Token) error
	// Blacklist blacklists t, first recording it as outstanding when it is
	// not (get-or-create by jti, as simplejwt does); blacklisting twice is
	// not an error.
	Blacklist(ctx context.Context, t Token) error
	// Blacklisted reports whether the token with this jti is blacklisted.
	// An unknown jti is not.
	Blacklisted(ctx context.Context, jti string) (bool, error)
}

// ErrFull is wrapped by the error of [Memory.Blacklist] when the memory
// store cannot take another blacklisted token: every entry it holds is
// still unexpired, and dropping one would make a revoked token valid
// again. The caller answers 503 and the client tries later.
var ErrFull = errors.New("blacklist: the memory store is full of unexpired tokens")

// MaxJTI is the longest jti a store takes, in characters: simplejwt's
// jti column is a varchar(255).
const MaxJTI = 255

// check refuses a token no store can record: one without a jti, with a
// jti longer than the column holds, or without an expiry (expires_at is
// NOT NULL, and without it nothing could ever leave a bounded store).
func check(t Token) error {
	switch {
	case t.JTI == "":
		return errors.New("blacklist: the token has no jti")
	case !utf8.ValidString(t.JTI) || utf8.RuneCountInString(t.JTI) > MaxJTI:
		return fmt.Errorf("blacklist: the token's jti is not UTF-8 of at most %d characters", MaxJTI)
	case t.ExpiresAt.IsZero():
		return errors.New("blacklist: the token has no expiry")
	}
	return nil
}

// DefaultMax is how many blacklisted tokens a [Memory] holds when
// [NewMemory] is given no bound: with a simplejwt jti (32 hex digits), some
// 160 bytes each, its outstanding record included, so about 16 MB.
const DefaultMax = 100_000

// Memory is the built-in [Store]: tokens kept in this process, each
// until it expires. Build it with [NewMemory]; it is safe for concurrent
// use and starts no goroutine. Several instances of a service do not
// share it: a token one of them blacklists is still accepted by the
// others. They share a database store instead.
//
// Memory is bounded. It holds at most max blacklisted tokens, and entries
// leave when their token expires (ExpiresAt, plus Leeway), swept by the
// calls that add entries, earliest first, with no scan. A blacklisted
// token is never dropped before then, since that would make it valid
// again: when max unexpired tokens are blacklisted, Blacklist fails with
// an error wrapping [ErrFull]. Size max for the number of tokens that can
// be revoked within one refresh lifetime.
//
// Outstanding records are kept only for the get-or-create of Blacklist
// (the recorded expiry wins over the one given, as the existing row does
// in simplejwt), and nothing else reads them; they are bounded by max as
// well, and a record that finds no room is not kept: Outstanding then
// succeeds all the same, and a later Blacklist of that token takes the
// expiry it is given. Only a token's jti and expiry are held, never the
// token itself.
type Memory struct {
	// Now is the clock entries expire by; nil means time.Now. Tests set a
	// fake one, and never sleep. Set it before the Memory is used.
	Now func() time.Time
	// Leeway keeps each entry this long past its ExpiresAt: set it to the
	// leeway the verifier grants an expired token (simplejwt's LEEWAY), so
	// that a blacklisted token it still accepts is still refused. Set it
	// before the Memory is used.
	Leeway time.Duration

	max         int
	mu          sync.RWMutex
	blacklisted expiry.Set
	outstanding expiry.Set
}

// NewMemory returns an empty Memory holding at most max blacklisted
// tokens (and as many outstanding records); max <= 0 means [DefaultMax].
func NewMemory(max int) *Memory {
	if max <= 0 {
		max = DefaultMax
	}
	return &Memory{max: max}
}

var _ Store = (*Memory)(nil)

// Outstanding implements [Store]. A record that finds the store full of
// unexpired records is not kept (see [Memory]); nor is one for a token
// already expired, or already blacklisted.
func (m *Memory) Outstanding(_ context.Context, t Token) error {
	if err := check(t); err != nil {
		return err
	}
	now, until := m.times(t)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.outstanding.Sweep(now)
	if until <= now || m.blacklisted.Has(t.JTI) || m.outstanding.Has(t.JTI) {
		return nil
	}
	if m.outstanding.Len() < m.capacity() {
		m.outstanding.Add(t.JTI, until)
	}
	return nil
}

// Blacklist implements [Store]. The token is blacklisted until its
// ExpiresAt (plus Leeway), or the expiry it was recorded with by
// Outstanding; a token already expired needs no entry, and gets none.
// When max unexpired tokens are blacklisted already, it returns an error
// wrapping [ErrFull].
func (m *Memory) Blacklist(_ context.Context, t Token) error {
	if err := check(t); err != nil {
		return err
	}
	now, until := m.times(t)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.blacklisted.Sweep(now)
	m.outstanding.Sweep(now)
	if m.blacklisted.Has(t.JTI) {
		return nil
	}
	if recorded, ok := m.outstanding.Until(t.JTI); ok {
		until = recorded
	} else if until > now && m.outstanding.Len() < m.capacity() {
		m.outstanding.Add(t.JTI, until)
	}
	if until <= now {
		return nil
	}
	if m.blacklisted.Len() >= m.capacity() {
		return fmt.Errorf("blacklist: %d unexpired tokens blacklisted already: %w", m.blacklisted.Len(), ErrFull)
	}
	m.blacklisted.Add(t.JTI, until)
	return nil
}

// Blacklisted implements [Store]: true from Blacklist until the token
// expires (plus Leeway). It never fails.
func (m *Memory) Blacklisted(_ context.Context, jti string) (bool, error) {
	now := expiry.Nanos(m.now())
	m.mu.RLock()
	defer m.mu.RUnlock()
	until, ok := m.blacklisted.Until(jti)
	return ok && now < until, nil
}

// now is the Memory's clock.
func (m *Memory) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

// times returns now, and when t's entries may leave, in nanoseconds.
func (m *Memory) times(t Token) (now, until int64) {
	return expiry.Nanos(m.now()), expiry.Nanos(t.ExpiresAt.Add(m.Leeway))
}

// capacity is max, or DefaultMax for a Memory not made by NewMemory.
func (m *Memory) capacity() int {
	if m.max <= 0 {
		return DefaultMax
	}
	return m.max
}

// sizes returns how many tokens are blacklisted and outstanding, swept or
// not, for the tests.
func (m *Memory) sizes() (blacklisted, outstanding int) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.blacklisted.Len(), m.outstanding.Len()
}
