package jwtauth

import (
	"context"
	"net/http"
	"runtime"
	"time"
)

// loginSlots bounds how many password checks run at once. A password hash
// costs a sizeable fraction of a CPU second (and argon2 its memory), so a
// storm of logins, honest or not, would otherwise starve every other
// request of the service: past the bound, a login waits briefly for a slot,
// then gets a 503 with Retry-After.
type loginSlots chan struct{}

// loginWait is how long a login waits for a slot before it is refused.
const loginWait = time.Second

func newLoginSlots(n int) loginSlots {
	if n == 0 {
		n = 4 * runtime.GOMAXPROCS(0)
	}
	return make(loginSlots, n)
}

// errBusy answers a login that found no slot.
var errBusy = &Error{Status: http.StatusServiceUnavailable, Detail: "Service temporarily unavailable, try again later.", Err: ErrTooManyLogins, RetryAfter: loginWait}

// run calls check in a slot, or returns errBusy when none frees up in time.
func (s loginSlots) run(ctx context.Context, check func() (User, error)) (User, error) {
	select {
	case s <- struct{}{}:
	default:
		t := time.NewTimer(loginWait)
		defer t.Stop()
		select {
		case s <- struct{}{}:
		case <-t.C:
			return User{}, errBusy
		case <-ctx.Done():
			return User{}, errBusy
		}
	}
	defer func() { <-s }()
	return check()
}
