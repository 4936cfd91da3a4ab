package redisstore

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jwtauth-go/jwtauth/throttle"
)

// TestThrottleFromEnv: JWT_REDIS_URL and the throttle's rates give a
// shared Throttle that counts; without either, none; a malformed URL or
// rate is an error that never shows the URL.
func TestThrottleFromEnv(t *testing.T) {
	env := func(m map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
	}
	for _, tc := range []struct {
		name string
		env  map[string]string
		err  string // "" for none, and no Throttle
	}{
		{"nothing", nil, ""},
		{"no rate", map[string]string{"JWT_REDIS_URL": "redis://127.0.0.1:1/0"}, ""},
		{"a bad URL", map[string]string{"JWT_REDIS_URL": "http://:hunter2@x", "JWT_LOGIN_THROTTLE_USER": "5/min"}, "JWT_REDIS_URL"},
		{"a bad rate", map[string]string{"JWT_REDIS_URL": "redis://127.0.0.1:1/0", "JWT_LOGIN_THROTTLE_ADDR": "often"}, "JWT_LOGIN_THROTTLE_ADDR"},
		{"no server", map[string]string{"JWT_REDIS_URL": "redis://:hunter2@127.0.0.1:1/0", "JWT_LOGIN_THROTTLE_USER": "5/min"}, "does not answer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			th, err := ThrottleFromEnv(env(tc.env))
			switch {
			case tc.err == "" && (err != nil || th != nil):
				t.Fatalf("%v, %v: want neither", th, err)
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err) || strings.Contains(err.Error(), "hunter2")):
				t.Fatalf("%v: want an error naming %s, without the password", err, tc.err)
			}
		})
	}
	url := os.Getenv("JWTAUTH_TEST_REDIS_URL")
	if url == "" {
		t.Skip("JWTAUTH_TEST_REDIS_URL is not set: no Redis server to test against (.ci/redis.sh start prints one)")
	}
	th, err := ThrottleFromEnv(env(map[string]string{"JWT_REDIS_URL": url, "JWT_LOGIN_THROTTLE_USER": "1/min"}))
	if err != nil || th == nil {
		t.Fatalf("%v, %v", th, err)
	}
	t.Cleanup(th.Close)                 // after newPrefix's cleanup, which deletes the keys with the client
	th.prefix = newPrefix(t, th.client) // this test's own keys
	now := time.Now()
	a := throttle.Attempt{Username: "from-env", Time: now}
	if _, ok := th.Allow(context.Background(), a); !ok {
		t.Fatal("the first attempt was refused")
	}
	if wait, ok := th.Allow(context.Background(), a); ok || wait <= 0 || wait > time.Minute {
		t.Errorf("the second attempt of 1/min: %v, %v", wait, ok)
	}
}
