package jwtauth

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/jwtauth-go/jwtauth/throttle"
)

// loginSlots guards every password check (obtain, and
// BasicAuthentication): first a slot, then Settings.LoginThrottle, if any.
// A password hash costs a sizeable fraction of a CPU second (and argon2 its
// memory), so a storm of logins, honest or not, would otherwise starve
// every other request of the service: past the bound, a login waits
// briefly for a slot, then gets a 503 with Retry-After. The throttle comes
// second so that it is charged only for attempts that go on to hash: one
// turned away busy, or abandoned by its client while it waited, spends no
// user's budget. A throttled attempt holds its slot only for the
// throttle's answer.
type loginSlots struct {
	sem      chan struct{}
	throttle throttle.Throttle // nil: no throttling
	ipHeader string            // Settings.ClientIPHeader
	now      func() time.Time
	log      *slog.Logger
}

// loginWait is how long a login waits for a slot before it is refused.
const loginWait = time.Second

// newLoginSlots returns the guard for s (defaults filled in).
func newLoginSlots(s Settings) *loginSlots {
	n := s.MaxConcurrentLogins
	if n == 0 {
		n = 4 * runtime.GOMAXPROCS(0)
	}
	return &loginSlots{sem: make(chan struct{}, n), throttle: s.LoginThrottle, ipHeader: s.ClientIPHeader, now: s.Now, log: s.Logger}
}

// loginsKey is the context key of the login guard that an Auth hands its
// other authenticators.
type loginsKey struct{}

// defaultLogins guards the logins of a BasicAuthentication used outside
// an Auth.
var defaultLogins = sync.OnceValue(func() *loginSlots { return newLoginSlots(Settings{}.withDefaults()) })

// loginsOf returns the login guard of the Auth whose request ctx is.
func loginsOf(ctx context.Context) *loginSlots {
	if s, ok := ctx.Value(loginsKey{}).(*loginSlots); ok {
		return s
	}
	return defaultLogins()
}

// errBusy answers a login that found no slot.
var errBusy = &Error{Status: http.StatusServiceUnavailable, Detail: "Service temporarily unavailable, try again later.", Err: errTooManyLogins, RetryAfter: loginWait}

// run takes a slot, asks the throttle about this attempt of username from
// r's client, then calls check. It returns errBusy when no slot frees up
// in time or the client has gone, and a 429 *Error wrapping errThrottled
// when the throttle refuses.
func (s *loginSlots) run(r *http.Request, username string, check func() (User, error)) (u User, err error) {
	ctx := r.Context()
	defer func() {
		if err != nil && kindOf(err) != "" {
			logRefusal(ctx, s.log, "jwtauth: login refused", err,
				slog.String("username", logSafe(username)), slog.String("client", clientAddr(r, s.ipHeader).String()))
		}
	}()
	select {
	case s.sem <- struct{}{}:
	default:
		t := time.NewTimer(loginWait)
		defer t.Stop()
		select {
		case s.sem <- struct{}{}:
		case <-t.C:
			return User{}, errBusy
		case <-ctx.Done():
			return User{}, errBusy
		}
	}
	defer func() { <-s.sem }()
	// Only an attempt about to check a password is charged: one turned
	// away for want of a slot, or whose client has gone, costs nobody's
	// budget, so that a flood of abandoned logins cannot spend a user's.
	if ctx.Err() != nil {
		return User{}, errBusy
	}
	if s.throttle != nil {
		a := throttle.Attempt{Username: username, Addr: clientAddr(r, s.ipHeader), Time: s.now()}
		if wait, ok := s.throttle.Allow(ctx, a); !ok {
			return User{}, throttled(wait)
		}
	}
	return check()
}

// clientAddr is the address r comes from. With header
// (Settings.ClientIPHeader) it is the rightmost entry of the header's last
// line, which the trusted proxy appended or set: everything left of it
// came from the client and is ignored. When that entry is missing or not
// an address (the request did not pass the proxy, or the header is not
// what the proxy writes), it is the connection's peer, r.RemoteAddr, which
// no client can choose: at worst, requests are counted together under the
// proxy's address. Refusing such a request instead would turn a proxy's
// odd header into failed logins. An entry is an address, with or without
// a port ("192.0.2.1", "192.0.2.1:4711", "2001:db8::1",
// "[2001:db8::1]:4711"); a zone is dropped and an IPv4-mapped address
// unmapped.
func clientAddr(r *http.Request, header string) netip.Addr {
	if header != "" {
		if v := r.Header.Values(header); len(v) > 0 {
			last := v[len(v)-1]
			if a, ok := parseHostAddr(strings.Trim(last[strings.LastIndexByte(last, ',')+1:], " \t")); ok {
				return a
			}
		}
	}
	a, _ := parseHostAddr(r.RemoteAddr)
	return a
}

// parseHostAddr reads an address, with or without a port.
func parseHostAddr(s string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		if len(s) > 2 && s[0] == '[' && s[len(s)-1] == ']' {
			s = s[1 : len(s)-1] // a bracketed IPv6 address without a port
			if a, err = netip.ParseAddr(s); err != nil || !a.Is6() {
				return netip.Addr{}, false
			}
		} else {
			ap, err := netip.ParseAddrPort(s)
			if err != nil {
				return netip.Addr{}, false
			}
			a = ap.Addr()
		}
	}
	return a.Unmap().WithZone(""), true
}
