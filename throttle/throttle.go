package throttle

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// Throttle decides whether a login attempt may go on to check its
// password: DRF's throttles, for logins. jwtauth asks the one in
// Settings.LoginThrottle about every attempt of the obtain endpoint (once
// its fields are valid) and of BasicAuthentication that holds a login slot
// (Settings.MaxConcurrentLogins) and is about to hash its password: an
// attempt turned away busy, or whose client has gone, is never counted.
// A refusal is answered with DRF's 429
// {"detail": "Request was throttled. Expected available in N seconds."}
// and Retry-After: N, a *jwtauth.Error with Status 429.
//
// [Memory] is the built-in one. Another (shared by several instances of a
// service, say) implements Allow; it must be safe for concurrent use and
// quick, as it runs on every attempt, refused ones included.
type Throttle interface {
	// Allow reports whether the attempt may go on. When it may not, wait
	// is how long until it could, rounded up to whole seconds for the
	// client; zero or less when unknown, which DRF answers with "Request
	// was throttled." alone and no Retry-After. ctx is the request's.
	Allow(ctx context.Context, a Attempt) (wait time.Duration, ok bool)
}

// Attempt is what a [Throttle] is told about a login attempt.
type Attempt struct {
	// Username is the username as submitted (the obtain endpoint trims it,
	// as DRF does), whether or not such a user exists.
	Username string
	// Addr is the client's address, without a zone and with IPv4-mapped
	// IPv6 addresses unmapped: the connection's peer (r.RemoteAddr), or,
	// with jwtauth's Settings.ClientIPHeader, the address the trusted
	// proxy wrote. The zero Addr when neither holds an address (a Unix
	// socket).
	Addr netip.Addr
	// Time is when the attempt was made, by jwtauth's Settings.Now. A
	// throttle should count with it rather than with a clock of its own,
	// so that tests with a fixed clock never sleep.
	Time time.Time
}

// Rate is a number of attempts per period, as DRF writes throttle rates:
// "5/min", "100/hour". The zero Rate means no limit.
type Rate struct {
	N      int           // attempts allowed
	Period time.Duration // in this long
}

// maxPeriod bounds a Rate's period, so that no arithmetic on times can
// overflow: a login limit per year is already longer than any use.
const maxPeriod = 366 * 24 * time.Hour

// ParseRate reads a rate as DRF's SimpleRateThrottle.parse_rate does: a
// whole number, a slash, and a period of which only the first letter
// counts, s (second), m (minute), h (hour) or d (day), so "5/m", "5/min"
// and "5/minute" are the same rate. Unlike DRF, a number below 1 is an
// error rather than a throttle that refuses everything.
func ParseRate(s string) (Rate, error) {
	num, period, ok := strings.Cut(s, "/")
	if !ok || strings.Contains(period, "/") {
		return Rate{}, errors.New(`want attempts/period, like "5/min"`)
	}
	// Python's int() allows white space around the number and a plus sign.
	num = strings.TrimPrefix(strings.TrimSpace(num), "+")
	if num == "" || strings.TrimLeft(num, "0123456789") != "" {
		return Rate{}, fmt.Errorf("%q is not a whole number of attempts", num)
	}
	n, err := strconv.Atoi(num)
	if err != nil {
		return Rate{}, fmt.Errorf("%q attempts is out of range", num)
	}
	var unit time.Duration
	switch {
	case strings.HasPrefix(period, "s"):
		unit = time.Second
	case strings.HasPrefix(period, "m"):
		unit = time.Minute
	case strings.HasPrefix(period, "h"):
		unit = time.Hour
	case strings.HasPrefix(period, "d"):
		unit = 24 * time.Hour
	default:
		return Rate{}, fmt.Errorf("period %q: want sec, min, hour or day (DRF reads the first letter)", period)
	}
	r := Rate{N: n, Period: unit}
	if err := r.check(); err != nil {
		return Rate{}, err
	}
	return r, nil
}

// check reports why r cannot be counted with.
func (r Rate) check() error {
	switch {
	case r == Rate{}:
		return nil
	case r.N < 1:
		return errors.New("want at least one attempt per period")
	case r.Period <= 0 || r.Period > maxPeriod:
		return errors.New("the period must be positive and at most a year")
	case r.Period/time.Duration(r.N) == 0:
		return errors.New("more than one attempt a nanosecond")
	}
	return nil
}

// String writes r as DRF would ("5/min"), or "none" for the zero Rate.
func (r Rate) String() string {
	if r == (Rate{}) {
		return "none"
	}
	unit := r.Period.String()
	switch r.Period {
	case time.Second:
		unit = "sec"
	case time.Minute:
		unit = "min"
	case time.Hour:
		unit = "hour"
	case 24 * time.Hour:
		unit = "day"
	}
	return strconv.Itoa(r.N) + "/" + unit
}

// Memory is the built-in [Throttle]: it keeps, in memory, one budget per
// username and one per client address, and refuses an attempt when either
// is spent. Build it with [NewMemory]; it is safe for concurrent use,
// starts no goroutine, and may be shared by several jwtauth.Auths (they
// then share the budgets).
//
// Each budget is a token bucket (GCRA, one timestamp per key): a Rate of N
// per Period allows N attempts at once, then one every Period/N. Over a
// long run that is N per Period, as DRF's sliding log allows; unlike it,
// the memory per key is fixed and the budget refills steadily, not all at
// once when the oldest attempt ages out (after an idle spell, up to 2N-1
// attempts can fall within one Period: the burst, then the refill).
//
// What counts: every attempt that reaches a password check, right or
// wrong, as DRF's throttles count every request (with BasicAuthentication
// every request is one: size the rates for it). An attempt refused by
// either budget is charged to neither, so hammering while refused does not
// push the wait further back.
//
// Usernames are compared case-insensitively (Unicode simple folding, as
// strings.EqualFold does), so that a store which matches them so (email
// logins often do) cannot be guessed N times per spelling; two accounts
// whose names differ only in case share a budget. They are kept hashed
// (hash/maphash, with a seed of this throttle), so a long username costs no
// more memory than a short one. Addresses are counted per IPv4 address and
// per IPv6 /64 network, the block one host is usually given; an IPv4
// client behind NAT64 (64:ff9b::/96) by its IPv4 address.
//
// Memory is bounded: each of the two tables tracks at most 65,536 keys,
// about 7 MiB for both when full. A key whose budget is full again carries
// no state and is forgotten when room is needed; no other key is evicted,
// since evicting would let an attacker flush a victim's spent budget with
// a burst of made-up usernames. When a table is full of keys that still
// carry state (a flood of distinct usernames, say), a new key of it is not
// tracked and the attempt is left to the other budget: a flood of made-up
// usernames then spends the flooder's per-address budget, while users
// logging in from their own addresses go on. Only when every budget an
// attempt needs is full (both tables, or the one configured) is it
// refused, with a wait until the earliest key can be forgotten.
type Memory struct {
	perUser, perAddr Rate
	seed             maphash.Seed

	mu    sync.Mutex
	users table[uint64]
	addrs table[netip.Addr]
}

// maxTrackedKeys bounds each table of a Memory. At 5/min a key is tracked
// for 12 s after one attempt, so filling a table takes over 5,000 attempts
// a second, far more than password hashing can serve.
const maxTrackedKeys = 1 << 16

// sweepGap is the least time between two scans of a full table for keys
// to forget, so that a flood cannot make every attempt scan it.
const sweepGap = time.Second

// NewMemory returns a Memory allowing perUser attempts per username and
// perAddr per client address; a zero Rate turns that limit off, but not
// both.
func NewMemory(perUser, perAddr Rate) (*Memory, error) {
	var errs []error
	if err := perUser.check(); err != nil {
		errs = append(errs, fmt.Errorf("throttle: NewMemory: perUser %d/%s: %w", perUser.N, perUser.Period, err))
	}
	if err := perAddr.check(); err != nil {
		errs = append(errs, fmt.Errorf("throttle: NewMemory: perAddr %d/%s: %w", perAddr.N, perAddr.Period, err))
	}
	if perUser == (Rate{}) && perAddr == (Rate{}) {
		errs = append(errs, errors.New("throttle: NewMemory: both rates are zero: nothing to limit"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &Memory{
		perUser: perUser,
		perAddr: perAddr,
		seed:    maphash.MakeSeed(),
		users:   table[uint64]{tat: make(map[uint64]int64)},
		addrs:   table[netip.Addr]{tat: make(map[netip.Addr]int64)},
	}, nil
}

// Allow implements [Throttle]. A zero a.Time means now.
func (m *Memory) Allow(_ context.Context, a Attempt) (time.Duration, bool) {
	t := a.Time
	if t.IsZero() {
		t = time.Now()
	}
	now := t.UnixNano()
	var user uint64
	if m.perUser.N > 0 {
		user = m.userKey(a.Username) // outside the lock: it reads the whole name
	}
	addr := addrKey(a.Addr)

	m.mu.Lock()
	defer m.mu.Unlock()
	var (
		userTAT, addrTAT, wait, w, full int64
		counted                         bool // by a budget that tracks this attempt
	)
	if m.perAddr.N > 0 {
		addrTAT, w = m.addrs.admit(addr, now, m.perAddr)
		wait = max(wait, w)
		if addrTAT < 0 {
			full = max(full, m.addrs.room(now))
		}
		counted = counted || addrTAT > 0
	}
	if m.perUser.N > 0 {
		userTAT, w = m.users.admit(user, now, m.perUser)
		wait = max(wait, w)
		if userTAT < 0 {
			full = max(full, m.users.room(now))
		}
		counted = counted || userTAT > 0
	}
	if wait > 0 {
		return time.Duration(wait), false
	}
	if !counted {
		// No budget can take this attempt: every table it needs is
		// full of budgets still refilling.
		return time.Duration(full), false
	}
	if addrTAT > 0 {
		m.addrs.commit(addr, addrTAT)
	}
	if userTAT > 0 {
		m.users.commit(user, userTAT)
	}
	return 0, true
}

// String shows the rates, which jwtauth's Settings.String prints: they
// are configuration, not secrets.
func (m *Memory) String() string {
	return fmt.Sprintf("throttle.Memory(username %s, address %s)", m.perUser, m.perAddr)
}

// tracked returns how many usernames and addresses the tables hold.
func (m *Memory) tracked() (users, addrs int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.users.tat), len(m.addrs.tat)
}

// userKey hashes username folded to one case: every rune becomes the
// smallest rune of its simple-folding orbit, so that strings.EqualFold
// names hash alike. Bytes that are not UTF-8 are hashed as they are.
func (m *Memory) userKey(username string) uint64 {
	var h maphash.Hash
	h.SetSeed(m.seed)
	var buf [utf8.UTFMax]byte
	for i := 0; i < len(username); {
		r, n := utf8.DecodeRuneInString(username[i:])
		if r == utf8.RuneError && n == 1 {
			_ = h.WriteByte(username[i])
		} else {
			_, _ = h.Write(utf8.AppendRune(buf[:0], foldRune(r)))
		}
		i += n
	}
	return h.Sum64()
}

// foldRune is the smallest rune that folds to the same as r ('K' for k,
// K and the Kelvin sign).
func foldRune(r rune) rune {
	least := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		least = min(least, f)
	}
	return least
}

// nat64 is the well-known prefix of NAT64 (RFC 6052), whose addresses
// carry an IPv4 address in their last 32 bits.
var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// addrKey is the budget an address counts against: an IPv4 address, or
// the /64 network of an IPv6 one. An IPv4 client seen through NAT64 is
// its IPv4 address: the /64 of the NAT64 prefix would put every such
// client of the internet in one budget.
func addrKey(a netip.Addr) netip.Addr {
	a = a.Unmap().WithZone("")
	if nat64.Contains(a) {
		b := a.As16()
		return netip.AddrFrom4([4]byte(b[12:]))
	}
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.Addr()
	}
	return a
}

// table is one budget per key, as the key's theoretical arrival time
// (GCRA): the time, in Unix nanoseconds, at which the key's bucket is full
// again. An absent key and a key whose time has passed are alike.
type table[K comparable] struct {
	tat       map[K]int64
	idleFrom  int64 // no key's time is before this: none is forgotten sooner
	lastSweep int64
}

// admit returns the key's new time if one more attempt at now fits r, or,
// when it does not, how long until one would. A new key that finds the
// table full of budgets still refilling gets the time -1: untracked, it
// is left to the other budget.
func (t *table[K]) admit(k K, now int64, r Rate) (tat, wait int64) {
	period := int64(r.Period)
	old, found := t.tat[k]
	tat = max(old, now) + period/int64(r.N)
	if over := tat - now - period; over > 0 {
		return 0, over
	}
	if !found && len(t.tat) >= maxTrackedKeys && !t.sweep(now) {
		return -1, 0
	}
	return tat, 0
}

// room is how long a full table stays full at most: until its earliest
// budget is full again, and a sweep may forget it.
func (t *table[K]) room(now int64) int64 {
	return max(t.idleFrom, t.lastSweep+int64(sweepGap), now+1) - now
}

// commit records the key's new time.
func (t *table[K]) commit(k K, tat int64) {
	t.tat[k] = tat
	t.idleFrom = min(t.idleFrom, tat)
}

// sweep forgets the keys whose buckets are full again, and reports whether
// that made room. It scans only when some key may be forgotten and at most
// once a sweepGap.
func (t *table[K]) sweep(now int64) bool {
	if now < t.idleFrom || now < t.lastSweep+int64(sweepGap) {
		return false
	}
	t.lastSweep = now
	next := int64(math.MaxInt64)
	for k, tat := range t.tat {
		if tat <= now {
			delete(t.tat, k)
		} else {
			next = min(next, tat)
		}
	}
	t.idleFrom = next
	return len(t.tat) < maxTrackedKeys
}
