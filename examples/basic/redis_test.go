package main

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"github.com/jwtauth-go/jwtauth/internal/demotest"
)

// TestSharedThrottle: two instances of examples/basic with JWT_REDIS_URL
// share one login budget; without it each has its own. Logins alternate
// between the instances: at 2/min per username the third attempt is
// refused with Redis (the budget's third) and allowed without (each
// instance's second).
func TestSharedThrottle(t *testing.T) {
	url := os.Getenv("JWTAUTH_TEST_REDIS_URL")
	if url == "" {
		t.Skip("JWTAUTH_TEST_REDIS_URL is not set: no Redis to share the throttle in (.ci/redis.sh start makes one)")
	}
	t.Parallel()
	bin := buildBasic(t)
	for _, c := range []struct {
		name  string
		redis bool
		third int
	}{{"with Redis", true, 429}, {"in memory", false, 400}} {
		t.Run(c.name, func(t *testing.T) {
			// A username of this run's own, so that budgets left in Redis by
			// another run count nothing.
			user := "nobody-" + c.name + "-" + t.Name() + "-" + randomSuffix(t)
			env := []string{"JWT_SECRET_KEY=" + testSecret, "JWT_LOGIN_THROTTLE_USER=2/min"}
			if c.redis {
				env = append(env, "JWT_REDIS_URL="+url)
			}
			var servers [2]*basicServer
			for i := range servers {
				servers[i] = startBasic(t, bin, "instance", env)
				servers[i].ready(t)
				defer servers[i].stop(t)
			}
			login := func(s *basicServer) int {
				return demotest.Do(t, "POST", "http://"+s.addr+"/api-token-auth/", credentials(user, "wrong")).Status
			}
			for i, want := range []int{400, 400, c.third} {
				if got := login(servers[i%2]); got != want {
					t.Errorf("attempt %d, on instance %d: %d, want %d", i+1, i%2, got, want)
				}
			}
		})
	}
}

// randomSuffix is 8 random hex digits.
func randomSuffix(t *testing.T) string {
	t.Helper()
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
