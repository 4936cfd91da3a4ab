package jwtauth

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/jwtauth-go/jwtauth/passwords"
)

// TestAbandonedLoginsLockNobodyOut: a flood of logins with made-up
// usernames whose client hangs up at once spends no budget, so the real
// user's right password still logs in afterwards. Before, the throttle was
// charged before a login slot was taken: 66,000 such logins at 5/hour
// filled its table, and the user's next login got 429 "Expected available
// in 711 seconds".
func TestAbandonedLoginsLockNobodyOut(t *testing.T) {
	t.Parallel()
	store := &MemoryStore{Passwords: passwords.Policy{PBKDF2Iterations: 1}}
	addFixtureUser(t, store, fixtureUser, fixturePassword)
	clock := newFixtureClock()
	a := newTestAuth(t, store, withThrottle(t, "5/hour", "20/min"), withFixtureClock(clock))
	obtain := a.Handlers().Obtain
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	for i := range 66000 {
		r := jsonBodyRequest(http.MethodPost, "/", fmt.Sprintf(`{"username":"made-up-%d","password":"x"}`, i)).WithContext(gone)
		r.RemoteAddr = fmt.Sprintf("[2001:db8:%x:%x::1]:1234", i>>16, i&0xffff) // a /48, one /64 each
		if rec := serveRecorded(obtain, r); rec.Code != http.StatusServiceUnavailable {
			t.Fatalf("an abandoned login got %d %s", rec.Code, rec.Body)
		}
	}
	assertJSONResponse(t, doJSON(obtain, fixtureLogin), 200, obtainOK)
}
