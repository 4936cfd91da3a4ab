package redisstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jwtauth-go/jwtauth/throttle"
	"github.com/redis/rueidis"
)

// Throttle is a throttle.Throttle over Redis: the same budgets as throttle.Memory, kept in Redis, so that N instances together allow the budget of one.
//
// Build it with [NewThrottle]; it is safe for concurrent use and may be
// shared by several jwtauth.Auths. As with throttle.Memory, each budget is
// a GCRA token bucket, one per case-folded username and one per client
// address (an IPv4 address, an IPv6 /64, an IPv4 client behind NAT64 by
// its IPv4 address); an attempt refused by either budget is charged to
// neither. One Lua script reads and charges both budgets, so concurrent
// attempts on any number of instances cannot both take the last token.
//
// Times are the attempts' (throttle.Attempt.Time, the caller's clock),
// counted in whole microseconds, so instances whose clocks differ by a
// little disagree by as much about when a budget refills, and tests with
// a fixed clock never sleep. Each key expires when its bucket is full
// again, so Redis holds only the budgets of recent attempts and no table
// bound or sweeping is needed; the server must not evict them early
// (maxmemory-policy noeviction, or room enough), or a spent budget would
// be forgotten.
//
// Keys are the prefix, then "u:" and the first 128 bits, in hex, of the
// SHA-256 of the folded username (so a long username costs no more than a
// short one, and usernames are not kept in clear, though a guessed one can
// be confirmed by hashing it), or "a:" and the address. Both keys of an
// attempt go to one script: on Redis Cluster, put a hash tag in the prefix
// ("{jwtauth}:") so that they share a slot.
//
// Throttle fails closed: when Redis cannot be reached, the script fails,
// or ctx ends first, the attempt is refused with a wait of one second, so
// that a brute force does not get through while the shared counter is
// down. Logins then stop until Redis is back; the error is not returned
// (the throttle.Throttle interface has no room for it).
type Throttle struct {
	client           rueidis.Client
	prefix           string
	perUser, perAddr throttle.Rate
	// The rates in microseconds, as the script counts: the interval
	// between two attempts and the burst's length.
	userArgs, addrArgs [2]string
	owned              bool // the client is ThrottleFromEnv's, which Close closes
}

// failWait is the wait of an attempt refused because Redis did not
// answer: short, since the refusal is about the store, not the client.
const failWait = time.Second

// allowScript charges one attempt to each budget in KEYS, or to none.
// ARGV[1] is the attempt's time, then each key's interval and period, all
// in integer microseconds. A key holds its bucket's theoretical arrival
// time (when it is full again); a missing key is a full bucket. It returns
// 0 when the attempt is allowed, else the wait in microseconds. Numbers
// stay below 2^53, exact in Lua's doubles, for the next 250 years.
var allowScript = rueidis.NewLuaScript(`
local now = tonumber(ARGV[1])
local wait = 0
local tats = {}
for i, key in ipairs(KEYS) do
	local interval = tonumber(ARGV[2 * i])
	local period = tonumber(ARGV[2 * i + 1])
	local tat = tonumber(redis.call('GET', key) or 0) or 0
	if tat < now then
		tat = now
	end
	tat = tat + interval
	local over = tat - now - period
	if over > wait then
		wait = over
	end
	tats[i] = tat
end
if wait > 0 then
	return wait
end
for i, key in ipairs(KEYS) do
	-- PX, relative to the attempt's time, rather than PXAT: the caller's
	-- clock need not be Redis's. Rounded up to a whole millisecond.
	local ttl = math.floor((tats[i] - now + 999) / 1000)
	redis.call('SET', key, string.format('%d', tats[i]), 'PX', ttl)
end
return 0
`)

// NewThrottle returns a Throttle allowing perUser attempts per username
// and perAddr per client address, as throttle.NewMemory does (a zero Rate
// turns that limit off, but not both), counted in Redis through client
// under keys starting with prefix ("jwtauth:throttle:", say), which
// should be the same on every instance that shares the budgets and used
// by nothing else. It does not contact Redis.
func NewThrottle(client rueidis.Client, prefix string, perUser, perAddr throttle.Rate) (*Throttle, error) {
	if client == nil {
		return nil, errors.New("redisstore: NewThrottle: nil client")
	}
	// throttle.NewMemory checks the rates as Memory counts them; the
	// script needs, besides, an interval of at least a microsecond.
	if _, err := throttle.NewMemory(perUser, perAddr); err != nil {
		return nil, fmt.Errorf("redisstore: NewThrottle: %w", err)
	}
	t := &Throttle{client: client, prefix: prefix, perUser: perUser, perAddr: perAddr}
	for _, r := range []struct {
		name string
		rate throttle.Rate
		args *[2]string
	}{{"perUser", perUser, &t.userArgs}, {"perAddr", perAddr, &t.addrArgs}} {
		if r.rate.N == 0 {
			continue
		}
		interval := (r.rate.Period / time.Duration(r.rate.N)).Microseconds()
		if interval < 1 {
			return nil, fmt.Errorf("redisstore: NewThrottle: %s %s: more than one attempt a microsecond", r.name, r.rate)
		}
		*r.args = [2]string{strconv.FormatInt(interval, 10), strconv.FormatInt(r.rate.Period.Microseconds(), 10)}
	}
	return t, nil
}

// Allow implements throttle.Throttle. A zero a.Time means now. ctx bounds
// the round trip to Redis.
func (t *Throttle) Allow(ctx context.Context, a throttle.Attempt) (wait time.Duration, ok bool) {
	if ctx.Err() != nil {
		return failWait, false
	}
	now := a.Time
	if now.IsZero() {
		now = time.Now()
	}
	keys := make([]string, 0, 2)
	args := make([]string, 1, 5)
	args[0] = strconv.FormatInt(now.UnixMicro(), 10)
	if t.perUser.N > 0 {
		keys = append(keys, t.prefix+"u:"+userKey(a.Username))
		args = append(args, t.userArgs[:]...)
	}
	if t.perAddr.N > 0 {
		keys = append(keys, t.prefix+"a:"+addrKey(a.Addr))
		args = append(args, t.addrArgs[:]...)
	}
	// The error is dropped: it says nothing the caller can act on, and
	// the rueidis errors for a bad connection may carry its address.
	over, err := allowScript.Exec(ctx, t.client, keys, args).AsInt64()
	if err != nil || over < 0 {
		return failWait, false
	}
	if over > 0 {
		return time.Duration(over) * time.Microsecond, false
	}
	return 0, true
}

// String shows the rates and the prefix, as throttle.Memory's String
// does: configuration, not secrets. The client (whose options hold the
// Redis password) is left out.
func (t *Throttle) String() string {
	return fmt.Sprintf("redisstore.Throttle(%q, username %s, address %s)", t.prefix, t.perUser, t.perAddr)
}

// userKey is the hex of the first 128 bits of the SHA-256 of username
// folded as throttle.Memory folds it (each rune to the smallest rune of
// its simple-folding orbit, bytes that are not UTF-8 as they are), so that
// a username is one budget here and there.
func userKey(username string) string {
	h := sha256.New()
	var buf [utf8.UTFMax]byte
	for i := 0; i < len(username); {
		r, n := utf8.DecodeRuneInString(username[i:])
		if r == utf8.RuneError && n == 1 {
			h.Write([]byte{username[i]})
		} else {
			h.Write(utf8.AppendRune(buf[:0], foldRune(r)))
		}
		i += n
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
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

// addrKey is the budget an address counts against, as throttle.Memory
// counts: an IPv4 address, the /64 network of an IPv6 one, an IPv4 client
// behind NAT64 by its IPv4 address (the NAT64 /64 would put every such
// client in one budget). The zero Addr (a Unix socket) is one budget of
// its own, as in Memory.
func addrKey(a netip.Addr) string {
	a = a.Unmap().WithZone("")
	switch {
	case !a.IsValid():
		return "none"
	case nat64.Contains(a):
		b := a.As16()
		return netip.AddrFrom4([4]byte(b[12:])).String()
	case a.Is6():
		p, _ := a.Prefix(64)
		return p.Addr().String()
	}
	return a.String()
}
