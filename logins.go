package jwtauth

import (
	"context"
	"log/slog"
	"net/http"
	"runtime"
	"sync"
	"time"
)

// loginSlots guards every password check (obtain, and
// BasicAuthentication): first Settings.LoginThrottle, if any, then a slot.
// A password hash costs a sizeable fraction of a CPU second (and argon2 its
// memory), so a storm of logins, honest or not, would otherwise starve
// every other request of the service: past the bound, a login waits
// briefly for a slot, then gets a 503 with Retry-After. The throttle comes
// first so that a refused attempt costs neither a hash nor a slot.
type loginSlots struct {
	sem      chan struct{}
	throttle LoginThrottle // nil: no throttling
	ipHeader string        // Settings.ClientIPHeader
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

// run asks the throttle about this attempt of username from r's client,
// then calls check in a slot. It returns a 429 *Error wrapping
// errThrottled when the throttle refuses, and errBusy when no slot frees
// up in time.
func (s *loginSlots) run(r *http.Request, username string, check func() (User, error)) (u User, err error) {
	ctx := r.Context()
	defer func() {
		if err != nil && kindOf(err) != "" {
			logRefusal(ctx, s.log, "jwtauth: login refused", err,
				slog.String("username", logSafe(username)), slog.String("client", clientAddr(r, s.ipHeader).String()))
		}
	}()
	if s.throttle != nil {
		a := LoginAttempt{Username: username, Addr: clientAddr(r, s.ipHeader), Time: s.now()}
		if wait, ok := s.throttle.Allow(ctx, a); !ok {
			return User{}, throttled(wait)
		}
	}
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
	return check()
}
