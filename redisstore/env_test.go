package redisstore

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jwtauth-go/jwtauth/revoke"
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

func mapEnv(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// TestRevocationsFromEnv: JWT_REDIS_URL and the two durations; nothing
// without the URL; malformed values are errors that never show the URL.
func TestRevocationsFromEnv(t *testing.T) {
	const down = "redis://:hunter2@127.0.0.1:1/0"
	for _, tc := range []struct {
		name string
		env  map[string]string
		err  string // "" for none, and no Revocations
	}{
		{"nothing", nil, ""},
		{"an empty URL", map[string]string{"JWT_REDIS_URL": "", "JWT_REVOCATION_FAIL_OPEN": "1s"}, ""},
		{"a bad URL", map[string]string{"JWT_REDIS_URL": "http://:hunter2@x"}, "JWT_REDIS_URL"},
		{"a bad fail-open", map[string]string{"JWT_REDIS_URL": down, "JWT_REVOCATION_FAIL_OPEN": "soon"}, "JWT_REVOCATION_FAIL_OPEN"},
		{"a fail-open without unit", map[string]string{"JWT_REDIS_URL": down, "JWT_REVOCATION_FAIL_OPEN": "30"}, "JWT_REVOCATION_FAIL_OPEN"},
		{"a negative fail-open", map[string]string{"JWT_REDIS_URL": down, "JWT_REVOCATION_FAIL_OPEN": "-1s"}, "JWT_REVOCATION_FAIL_OPEN"},
		{"a bad staleness", map[string]string{"JWT_REDIS_URL": down, "JWT_REVOCATION_MAX_STALENESS": "1"}, "JWT_REVOCATION_MAX_STALENESS"},
		{"a staleness within the interval", map[string]string{"JWT_REDIS_URL": down, "JWT_REVOCATION_MAX_STALENESS": "100ms"}, "JWT_REVOCATION_MAX_STALENESS"},
		{"no server", map[string]string{"JWT_REDIS_URL": down}, "does not answer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := RevocationsFromEnv(mapEnv(tc.env))
			if r != nil {
				r.Close()
			}
			switch {
			case tc.err == "" && (err != nil || r != nil):
				t.Fatalf("%v, %v: want neither", r, err)
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err) || strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "127.0.0.1")):
				t.Fatalf("%v: want an error naming %s, without the URL", err, tc.err)
			}
		})
	}
	url := os.Getenv("JWTAUTH_TEST_REDIS_URL")
	if url == "" {
		t.Skip("JWTAUTH_TEST_REDIS_URL is not set: no Redis server to test against (.ci/redis.sh start prints one)")
	}
	r, err := RevocationsFromEnv(mapEnv(map[string]string{"JWT_REDIS_URL": url, "JWT_REVOCATION_FAIL_OPEN": "2s", "JWT_REVOCATION_MAX_STALENESS": "1500ms"}))
	if err != nil || r == nil {
		t.Fatalf("%v, %v", r, err)
	}
	t.Cleanup(r.Close) // after the cleanup below, which uses its client
	if want := `redisstore.Revocations("jwtauth:revoke:", interval 250ms, max staleness 1.5s, fail open for 2s)`; r.String() != want {
		t.Errorf("read as %v, want %s", r, want)
	}
	waitInTouch(t, r)
	id := "from-env-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	t.Cleanup(func() {
		r.client.Do(context.Background(), r.client.B().Zrem().Key(r.setKey).Member(encodeMember(revoke.Entry{ID: id})).Build())
	})
	if err := r.Add(context.Background(), revoke.Entry{ID: id, Until: time.Now().Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if !revoked(t, r, revoke.Token{ID: id}) {
		t.Error("an entry added is not revoked")
	}
}

// TestRevocationsFromEnvClose: the Revocations of RevocationsFromEnv owns
// its client: Close leaves neither its goroutines nor the client's. Not
// parallel: it counts every goroutine.
func TestRevocationsFromEnvClose(t *testing.T) {
	url := os.Getenv("JWTAUTH_TEST_REDIS_URL")
	if url == "" {
		t.Skip("JWTAUTH_TEST_REDIS_URL is not set: no Redis server to test against (.ci/redis.sh start prints one)")
	}
	before := runtime.NumGoroutine()
	r, err := RevocationsFromEnv(mapEnv(map[string]string{"JWT_REDIS_URL": url}))
	if err != nil || r == nil {
		t.Fatalf("%v, %v", r, err)
	}
	waitInTouch(t, r)
	r.Close()
	if n, stacks := revocationGoroutines(); n != 0 {
		t.Errorf("%d goroutines left by Close:\n%s", n, stacks)
	}
	// The client's own goroutines end as it closes, a little after.
	var after int
	for range 100 {
		if after = runtime.NumGoroutine(); after <= before {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	buf := make([]byte, 1<<20)
	t.Errorf("%d goroutines before, %d after Close:\n%s", before, after, buf[:runtime.Stack(buf, true)])
}
