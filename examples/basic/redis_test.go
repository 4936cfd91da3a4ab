package main

import (
	"bufio"
	"crypto/rand"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jwtauth-go/jwtauth/internal/demotest"
	"github.com/jwtauth-go/jwtauth/internal/djangotest"
	"github.com/jwtauth-go/jwtauth/internal/testkit"
	"github.com/jwtauth-go/jwtauth/passwords"
	"github.com/jwtauth-go/jwtauth/redisstore"
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

// TestSharedRevocations: two instances of examples/basic, the binary as
// built, sharing one Redis (JWT_REDIS_URL), share their revocations:
//
//   - propagation: a token revoked on A (POST /api-token-blacklist/) is
//     refused by B, which had verified and cached it just before, within a
//     pub/sub hop: over 1,000 revocations, the time from A's 201 to B's
//     first 403 is under 100 ms at the 99th percentile;
//   - families: in either dialect, a refresh token used on A and replayed
//     on B past the reuse grace revokes every token of its login on both,
//     and no other login;
//   - outage: Redis (the test's own) stopped and restarted empty: both
//     instances answer 503 with Retry-After within MaxStaleness (after
//     FailOpen more, with JWT_REVOCATION_FAIL_OPEN), never letting a token
//     revoked before the stop through, recover by themselves, and write
//     back what they hold, so that nothing acknowledged is lost;
//   - every instance stops on SIGTERM with exit code 0 within a few
//     seconds, Redis up or down.
//
// The test is not parallel with the package's others, so that the
// latencies are measured on a machine they do not load; after the
// measurement its other subtests run in parallel with each other (most of
// their time is the wait past the reuse grace).
func TestSharedRevocations(t *testing.T) {
	url := os.Getenv("JWTAUTH_TEST_REDIS_URL")
	if url == "" {
		t.Skip("JWTAUTH_TEST_REDIS_URL is not set: no Redis to share the revocations in (.ci/redis.sh start makes one)")
	}
	bin := buildBasic(t)
	t.Run("propagation", func(t *testing.T) { revocationPropagation(t, bin, url) })
	t.Run("families", func(t *testing.T) {
		t.Parallel()
		revocationFamilies(t, bin, url)
	})
	t.Run("Redis restarted", func(t *testing.T) {
		t.Parallel()
		revocationOutage(t, bin)
	})
}

// The answers of a revoked token.
const (
	revoked403 = `{"detail":"Token is blacklisted."}`                         // DRF-JWT, a protected view
	revoked400 = `{"non_field_errors":["Token is blacklisted."]}`             // DRF-JWT, refresh and verify
	revokedSJ  = `{"detail":"Token is blacklisted","code":"token_not_valid"}` // simplejwt, refresh
	// simplejwt, a protected view: the access token class's refusal.
	revokedSJAccess = `{"detail":"Given token not valid for any token type","code":"token_not_valid","messages":[{"token_class":"AccessToken","token_type":"access","message":"Token is blacklisted"}]}`
)

// reuseGrace is jwtauth's default Settings.ReuseGrace, which the example
// has no variable for: a refresh token used again within it is the
// client's retry, after it a replay.
const reuseGrace = 10 * time.Second

// tokenCache turns the verified-token cache on (it is off by default):
// a token seen before then skips its revocation check until something is
// revoked, which is what a revocation arriving from another instance must
// reach.
const tokenCache = "JWT_TOKEN_CACHE_SIZE=4096"

// stopWithin is how soon after SIGTERM an instance must have exited.
const stopWithin = 5 * time.Second

// revocationsDB writes a Django SQLite database (Django 3.2's auth_user
// and authtoken_token) holding one user, alice, with the password
// returned. Her id is random, so that her DRF-JWT families (the user and
// orig_iat) are this run's own in a Redis that other runs share, and her
// password hash is cheap (1,000 PBKDF2 iterations; the count is the
// hash's, as Django reads it), so that the 1,000 logins of the
// propagation take a second, not the demo user's 1,500,000 iterations
// each. The instances serve it with -db, read-only.
func revocationsDB(t *testing.T) (path string, user revocationUser) {
	t.Helper()
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	user = revocationUser{id: 1_000_000 + int64(binary.BigEndian.Uint32(b[:])>>1), name: "alice", password: "alice-password-" + randomSuffix(t)}
	hash, err := passwords.Policy{PBKDF2Iterations: 1000}.Hash(user.password)
	if err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(t.TempDir(), "db.sqlite3")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	for _, q := range append(slices.Clone(djangotest.Schema["sqlite"]),
		fmt.Sprintf(`INSERT INTO auth_user VALUES (%d, '%s', NULL, 0, '%s', '', 'alice@example.com', 0, 1, '2026-01-02 03:04:05', '')`, user.id, hash, user.name)) {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	return path, user
}

// revocationUser is a user who can log in.
type revocationUser struct {
	id             int64 // 0 for the demo user
	name, password string
}

func (u revocationUser) credentials() string { return credentials(u.name, u.password) }

// demoAdmin is the example's demo user, admin/admin (id 1).
var demoAdmin = revocationUser{name: "admin", password: "admin"}

// instance is one running examples/basic.
type instance struct {
	*basicServer
	base   string // http://ADDR
	scheme string // of the Authorization header: JWT, or Bearer for simplejwt
}

func startInstance(t *testing.T, bin, name, scheme string, env []string, args ...string) *instance {
	t.Helper()
	s := startBasic(t, bin, name, env, args...)
	s.ready(t)
	return &instance{basicServer: s, base: "http://" + s.addr, scheme: scheme}
}

// protected asks the protected view with token.
func (in *instance) protected(t *testing.T, token string) demotest.Answer {
	t.Helper()
	return demotest.Do(t, "GET", in.base+"/api/protected/", "", "Authorization", in.scheme+" "+token)
}

// post posts a JSON body to path, with token (none when "") as the
// credentials.
func (in *instance) post(t *testing.T, path, body, token string) demotest.Answer {
	t.Helper()
	var header []string
	if token != "" {
		header = []string{"Authorization", in.scheme + " " + token}
	}
	return demotest.Do(t, "POST", in.base+path, body, header...)
}

// obtain logs u in, at path, and returns the answer's members.
func (in *instance) obtain(t *testing.T, path string, u revocationUser) map[string]string {
	t.Helper()
	a := in.post(t, path, u.credentials(), "")
	var out map[string]string
	if err := json.Unmarshal([]byte(a.Body), &out); a.Status != http.StatusOK || err != nil {
		t.Fatalf("%s: login of %s on %s: %d %s", in.name, u.name, path, a.Status, a.Body)
	}
	return out
}

// waitInTouch waits until in answers token 200: the example listens
// before its revocations have made their first full sync with Redis, and
// answers 503 until then.
func (in *instance) waitInTouch(t *testing.T, token string, within time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		a := in.protected(t, token)
		switch {
		case a.Status == http.StatusOK:
			return time.Since(start)
		case a.Status != http.StatusServiceUnavailable:
			t.Fatalf("%s, waiting to be in touch with Redis: %d %s", in.name, a.Status, a.Body)
		case time.Since(start) > within:
			t.Fatalf("%s: still 503 %v after it listened, or Redis came back:\n%s", in.name, within, in.log.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stopTimed stops in as an operator would (basicServer.stop: SIGTERM,
// exit code 0 wanted) and wants it gone within stopWithin: the
// revocations' goroutines, reconnecting to a Redis that is down or not,
// must not hold the process.
func (in *instance) stopTimed(t *testing.T, redis string) {
	t.Helper()
	start := time.Now()
	in.stop(t)
	d := time.Since(start)
	t.Logf("%s exited %v after SIGTERM, Redis %s", in.name, d.Round(time.Millisecond), redis)
	if d > stopWithin {
		t.Errorf("%s took %v to exit after SIGTERM with Redis %s, want under %v", in.name, d, redis, stopWithin)
	}
	log := in.log.String()
	i := strings.LastIndex(log, "shutting down\n")
	if i < 0 || strings.Contains(log[i:], "panic") || strings.Contains(log[i:], "goroutine ") {
		t.Errorf("%s: no clean shutdown in the log:\n%s", in.name, tail(log, 20))
	}
}

// percentile is the q-quantile of sorted, by the nearest rank.
func percentile(sorted []time.Duration, q float64) time.Duration {
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[max(i, 0)]
}

// revocationPropagation revokes n tokens on A, one after the other, each
// verified on B just before, so that B holds it in its token cache marked
// not revoked, and measures when B first refuses it. Logins are one token each (JWT_ALLOW_REFRESH=False: no
// orig_iat, so no family that would take other tokens along), and the
// revocations are authenticated by a token of another login.
func revocationPropagation(t *testing.T, bin, url string) {
	p99Bound := testkit.PropagationBound()
	const (
		n = 1000
		// pollGap spaces B's polls: fine enough against the bound, coarse
		// enough to leave the two CPUs to the instances and Redis.
		pollGap = time.Millisecond
		giveUp  = 2 * time.Second
	)
	path, alice := revocationsDB(t)
	env := []string{"JWT_SECRET_KEY=" + testSecret, "JWT_REDIS_URL=" + url, "JWT_ALLOW_REFRESH=False", tokenCache,
		// What a run leaves in the shared Redis expires with the tokens.
		"JWT_EXPIRATION_DELTA=2m"}
	a := startInstance(t, bin, "A", "JWT", env, "-db", "sqlite:"+path)
	b := startInstance(t, bin, "B", "JWT", env, "-db", "sqlite:"+path)
	auth := a.obtain(t, "/api-token-auth/", alice)["token"]
	for _, in := range []*instance{a, b} {
		// Logged: the example listens before it is in touch, and answers
		// 503 meanwhile.
		t.Logf("%s in touch with Redis (200) %v after the first check", in.name, in.waitInTouch(t, auth, 5*time.Second).Round(time.Millisecond))
	}
	start := time.Now()
	tokens := make([]string, n)
	for i := range tokens {
		tokens[i] = a.obtain(t, "/api-token-auth/", alice)["token"]
	}
	t.Logf("%d logins on A in %v", n, time.Since(start).Round(time.Millisecond))

	start = time.Now()
	latencies := make([]time.Duration, 0, n)
	atOnce := 0 // revocations B refused at its first poll after the 201
	for i, tok := range tokens {
		if got := b.protected(t, tok); got.Status != http.StatusOK {
			t.Fatalf("token %d on B, before its revocation: %d %s", i, got.Status, got.Body)
		}
		r := a.post(t, "/api-token-blacklist/", tokenJSON(tok), auth)
		acked := time.Now()
		if r.Status != http.StatusCreated || r.Body != tokenJSON(tok) {
			t.Fatalf("revocation %d on A: %d %s, want 201 and the token", i, r.Status, r.Body)
		}
		for polls := 1; ; polls++ {
			got := b.protected(t, tok)
			if got.Status == http.StatusForbidden && got.Body == revoked403 {
				latencies = append(latencies, time.Since(acked))
				if polls == 1 {
					atOnce++
				}
				break
			}
			if got.Status != http.StatusOK {
				t.Fatalf("token %d on B, after its revocation on A: %d %s, want 200 until B hears of it, then 403 %s", i, got.Status, got.Body, revoked403)
			}
			if time.Since(acked) > giveUp {
				t.Fatalf("token %d still accepted by B %v after A acknowledged its revocation", i, giveUp)
			}
			time.Sleep(pollGap)
		}
	}
	elapsed := time.Since(start)
	// A applied each revocation before it answered 201.
	for i, tok := range tokens {
		if got := a.protected(t, tok); got.Status != http.StatusForbidden || got.Body != revoked403 {
			t.Fatalf("token %d on A, where it was revoked: %d %s", i, got.Status, got.Body)
		}
	}
	if got := b.protected(t, auth); got.Status != http.StatusOK {
		t.Errorf("the token that authenticated the revocations, on B: %d %s; no revocation named it", got.Status, got.Body)
	}
	slices.Sort(latencies)
	p50, p99, worst := percentile(latencies, 0.50), percentile(latencies, 0.99), latencies[len(latencies)-1]
	t.Logf("%d revocations on A in %v; from A's 201 to B's first 403: p50 %v, p99 %v, max %v (polls %v apart; %d refused at B's first poll)",
		n, elapsed.Round(time.Millisecond), p50.Round(time.Microsecond), p99.Round(time.Microsecond), worst.Round(time.Microsecond), pollGap, atOnce)
	if p99 >= p99Bound {
		t.Errorf("p99 of the propagation from A to B is %v, want under %v", p99, p99Bound)
	}
	for _, in := range []*instance{a, b} {
		in.stopTimed(t, "up")
	}
}

// revocationFamilies: in each dialect, a login on A, its refresh token
// used on A and again on B within the reuse grace (the client's retry,
// allowed), then once more on B past the grace: a replay, which revokes
// every token of the login on both instances. Another login of the same
// user is left alone. The only state A and B share is Redis: simplejwt's
// run serves the demo user from memory, DRF-JWT's a read-only database.
func revocationFamilies(t *testing.T, bin, url string) {
	path, alice := revocationsDB(t)
	for _, d := range []struct {
		name            string
		env, args       []string
		user            revocationUser
		scheme          string
		obtain, refresh string // paths
		verify          string
		refreshField    string // of the refresh request: the refresh token
		access, rotated string // members of the answers: the access token, the next refresh token
		// The answers to the replay, which are those of refresh and
		// verify for any token of the family after it, and of the
		// protected view.
		replay           demotest.Answer
		refusedProtected demotest.Answer
	}{{
		name:   "drf-jwt",
		env:    []string{"JWT_SECRET_KEY=" + testSecret, "JWT_ALLOW_REFRESH=True", tokenCache},
		args:   []string{"-db", "sqlite:" + path},
		user:   alice,
		scheme: "JWT", obtain: "/api-token-auth/", refresh: "/api-token-refresh/", verify: "/api-token-verify/",
		refreshField: "token", access: "token", rotated: "token",
		replay:           demotest.Answer{Status: http.StatusBadRequest, Body: revoked400},
		refusedProtected: demotest.Answer{Status: http.StatusForbidden, Body: revoked403},
	}, {
		name:   "simplejwt",
		env:    []string{"JWT_DIALECT=simplejwt", "DJANGO_SECRET_KEY=" + testSecret, "SIMPLE_JWT_ROTATE_REFRESH_TOKENS=True", tokenCache},
		user:   demoAdmin,
		scheme: "Bearer", obtain: "/api/token/", refresh: "/api/token/refresh/", verify: "/api/token/verify/",
		refreshField: "refresh", access: "access", rotated: "refresh",
		replay:           demotest.Answer{Status: http.StatusUnauthorized, Body: revokedSJ},
		refusedProtected: demotest.Answer{Status: http.StatusUnauthorized, Body: revokedSJAccess},
	}} {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			env := append(slices.Clone(d.env), "JWT_REDIS_URL="+url)
			a := startInstance(t, bin, "A, "+d.name, d.scheme, env, d.args...)
			b := startInstance(t, bin, "B, "+d.name, d.scheme, env, d.args...)
			refresh := func(in *instance, token string) demotest.Answer {
				t.Helper()
				return in.post(t, d.refresh, `{"`+d.refreshField+`":`+jsonString(token)+`}`, "")
			}
			pairOf := func(what string, a demotest.Answer) map[string]string {
				t.Helper()
				var m map[string]string
				if err := json.Unmarshal([]byte(a.Body), &m); a.Status != http.StatusOK || err != nil || m[d.access] == "" || m[d.rotated] == "" {
					t.Fatalf("%s: %d %s", what, a.Status, a.Body)
				}
				return m
			}
			login := a.obtain(t, d.obtain, d.user)
			for _, in := range []*instance{a, b} {
				in.waitInTouch(t, login[d.access], 5*time.Second)
			}
			old := login[d.rotated]
			rotated := pairOf("refresh on A", refresh(a, old))
			firstUse := time.Now()
			retried := pairOf("the same refresh again on B, within the grace (a client's retry)", refresh(b, old))
			family := []string{login[d.access], rotated[d.access], retried[d.access]}
			for i, tok := range family {
				for _, in := range []*instance{a, b} {
					if got := in.protected(t, tok); got.Status != http.StatusOK {
						t.Fatalf("%s, token %d of the login before the replay: %d %s", in.name, i, got.Status, got.Body)
					}
				}
			}

			time.Sleep(time.Until(firstUse.Add(reuseGrace + time.Second)))
			// Past the grace, and a second later than the first login:
			// DRF-JWT's family is the user and the login's second.
			other := a.obtain(t, d.obtain, d.user)
			if got := refresh(b, old); got.Status != d.replay.Status || got.Body != d.replay.Body {
				t.Errorf("the refresh token replayed on B %v after its first use on A: %d %s, want %d %s",
					time.Since(firstUse).Round(time.Millisecond), got.Status, got.Body, d.replay.Status, d.replay.Body)
			}
			// B revoked the family; A hears of it a pub/sub hop later.
			bound := testkit.PropagationBound()
			for i, tok := range family {
				for _, in := range []*instance{b, a} {
					deadline := time.Now().Add(bound)
					got := in.protected(t, tok)
					for got.Status == http.StatusOK && time.Now().Before(deadline) {
						time.Sleep(time.Millisecond)
						got = in.protected(t, tok)
					}
					if got.Status != d.refusedProtected.Status || got.Body != d.refusedProtected.Body {
						t.Errorf("%s, token %d of the replayed login, %v after the replay: %d %s, want %d %s", in.name, i, bound, got.Status, got.Body, d.refusedProtected.Status, d.refusedProtected.Body)
					}
				}
			}
			if got := refresh(a, rotated[d.rotated]); got.Status != d.replay.Status || got.Body != d.replay.Body {
				t.Errorf("the rotated refresh token on A, after the replay: %d %s, want %d %s", got.Status, got.Body, d.replay.Status, d.replay.Body)
			}
			if got := a.post(t, d.verify, tokenJSON(rotated[d.access]), ""); got.Status != d.replay.Status || got.Body != d.replay.Body {
				t.Errorf("verify on A of the rotated access token, after the replay: %d %s, want %d %s", got.Status, got.Body, d.replay.Status, d.replay.Body)
			}
			for _, in := range []*instance{a, b} {
				if got := in.protected(t, other[d.access]); got.Status != http.StatusOK {
					t.Errorf("%s, another login's token: %d %s, want 200", in.name, got.Status, got.Body)
				}
			}
			pairOf("another login's refresh on B", refresh(b, other[d.rotated]))
			for _, in := range []*instance{a, b} {
				in.stopTimed(t, "up")
			}
		})
	}
}

// ownRedis is a redis-server of the test's own, on a free loopback port,
// with a password (which must show in no log) and no persistence: stopped
// (killed, as a crash would) and started again, it is empty.
type ownRedis struct {
	t         *testing.T
	port, dir string
	cmd       *exec.Cmd
}

const ownRedisPassword = "hunter2-shared-revocations"

func startOwnRedis(t *testing.T) *ownRedis {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("no redis-server to start and stop (apt-get install redis-server)")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(l.Addr().String())
	_ = l.Close()
	r := &ownRedis{t: t, port: port, dir: t.TempDir()}
	r.start()
	t.Cleanup(r.stop)
	return r
}

func (r *ownRedis) url() string {
	return "redis://:" + ownRedisPassword + "@127.0.0.1:" + r.port + "/0"
}

// start starts the server and waits until it answers.
func (r *ownRedis) start() {
	r.t.Helper()
	r.cmd = exec.Command("redis-server", "--bind", "127.0.0.1", "--port", r.port, "--dir", r.dir,
		"--save", "", "--appendonly", "no", "--requirepass", ownRedisPassword, "--loglevel", "warning")
	if err := r.cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	for range 200 {
		if c, err := net.DialTimeout("tcp", "127.0.0.1:"+r.port, time.Second); err == nil {
			_ = c.SetDeadline(time.Now().Add(time.Second))
			fmt.Fprintf(c, "AUTH %s\r\nPING\r\n", ownRedisPassword)
			in := bufio.NewReader(c)
			auth, _ := in.ReadString('\n')
			pong, _ := in.ReadString('\n')
			_ = c.Close()
			if auth == "+OK\r\n" && pong == "+PONG\r\n" {
				return
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	r.t.Fatalf("redis-server on port %s does not answer", r.port)
}

// stop kills the server, if it runs, and waits for it.
func (r *ownRedis) stop() {
	if r.cmd != nil {
		_ = r.cmd.Process.Kill()
		_ = r.cmd.Wait()
		r.cmd = nil
	}
}

// revocationOutage: A and B on the test's own Redis, which is stopped
// and started again empty, failing closed (the default) and failing open
// for 3 s. A has a login throttle, which Redis holds too; B has none.
func revocationOutage(t *testing.T, bin string) {
	for _, m := range []struct {
		name     string
		failOpen time.Duration // JWT_REVOCATION_FAIL_OPEN; 0 fails closed
	}{{"fail closed", 0}, {"fail open", 3 * time.Second}} {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			outage(t, bin, m.failOpen)
		})
	}
}

func outage(t *testing.T, bin string, failOpen time.Duration) {
	const (
		maxStale = redisstore.DefaultRevocationMaxStaleness // JWT_REVOCATION_MAX_STALENESS unset
		// slack is the scheduling of the instances' watchdogs, on two
		// loaded CPUs.
		slack  = 500 * time.Millisecond
		within = time.Second // for an answer another instance has to hear of
	)
	srv := startOwnRedis(t)
	path, alice := revocationsDB(t)
	env := []string{"JWT_SECRET_KEY=" + testSecret, "JWT_REDIS_URL=" + srv.url(), tokenCache}
	if failOpen > 0 {
		env = append(env, "JWT_REVOCATION_FAIL_OPEN="+failOpen.String())
	}
	a := startInstance(t, bin, "A", "JWT", append(slices.Clone(env), "JWT_LOGIN_THROTTLE_USER=1000/min"), "-db", "sqlite:"+path)
	b := startInstance(t, bin, "B", "JWT", env, "-db", "sqlite:"+path)
	servers := []*instance{a, b}
	login := func(in *instance) string { t.Helper(); return in.obtain(t, "/api-token-auth/", alice)["token"] }
	good, gone, late := login(a), login(a), login(b)
	for _, in := range servers {
		in.waitInTouch(t, good, 5*time.Second)
	}
	// gone logs itself out on A (the blacklist view with no body); B
	// hears of it.
	if r := a.post(t, "/api-token-blacklist/", "", gone); r.Status != http.StatusCreated || r.Body != tokenJSON(gone) {
		t.Fatalf("logout on A: %d %s", r.Status, r.Body)
	}
	refusedWithin(t, b, gone, within)
	for _, in := range servers {
		if got := in.protected(t, late); got.Status != http.StatusOK {
			t.Fatalf("%s, a good token: %d %s", in.name, got.Status, got.Body)
		}
	}

	srv.stop()
	stopped := time.Now()
	// Both tokens on both instances, until each refuses the good one.
	// While an instance answers at all, the revoked token is 403; then
	// both are 503 with Retry-After. Never a 200 for the revoked one,
	// never a 500, and no 200 again for the good one while Redis is down.
	lost := map[*instance]time.Duration{}     // when the good token was first refused
	goneLost := map[*instance]time.Duration{} // when the revoked one was first 503 rather than 403
	var unavailable demotest.Answer
	for len(lost) < len(servers) {
		if time.Since(stopped) > failOpen+maxStale+5*time.Second {
			t.Fatalf("some instance still answers %v after Redis stopped (lost touch: %v)", time.Since(stopped), lost)
		}
		for _, in := range servers {
			g, r := in.protected(t, good), in.protected(t, gone)
			_, isLost := lost[in]
			switch {
			case g.Status == http.StatusServiceUnavailable && g.Header.Get("Retry-After") != "":
				if !isLost {
					lost[in], unavailable = time.Since(stopped), g
				}
			case g.Status == http.StatusOK && !isLost:
			default:
				t.Fatalf("%s, the good token %v after Redis stopped: %d %s (Retry-After %q)", in.name, time.Since(stopped), g.Status, g.Body, g.Header.Get("Retry-After"))
			}
			switch {
			case r.Status == http.StatusForbidden && r.Body == revoked403:
			case r.Status == http.StatusServiceUnavailable && r.Header.Get("Retry-After") != "":
				if _, ok := goneLost[in]; !ok {
					goneLost[in] = time.Since(stopped)
				}
			default:
				t.Fatalf("%s, the token revoked before the stop, %v after it: %d %s (Retry-After %q)", in.name, time.Since(stopped), r.Status, r.Body, r.Header.Get("Retry-After"))
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("with Redis stopped, 503 %s (Retry-After %s)", unavailable.Body, unavailable.Header.Get("Retry-After"))
	for _, in := range servers {
		t.Logf("%s refused the good token %v after Redis stopped (MaxStaleness %v, FailOpen %v)", in.name, lost[in].Round(time.Millisecond), maxStale, failOpen)
		if lost[in] > failOpen+maxStale+slack {
			t.Errorf("%s answered the good token for %v after Redis stopped, want at most FailOpen %v + MaxStaleness %v + %v", in.name, lost[in], failOpen, maxStale, slack)
		}
		if lost[in] < failOpen {
			t.Errorf("%s refused the good token %v after Redis stopped, before FailOpen %v", in.name, lost[in], failOpen)
		}
		// Answering from its replica, it refused the revoked token 403
		// until then.
		if d, ok := goneLost[in]; ok && d < failOpen {
			t.Errorf("%s answered 503 rather than 403 for the token revoked before the stop %v after it, before FailOpen %v", in.name, d, failOpen)
		}
	}

	// What else answers with Redis down. Logins need no revocation check:
	// B's goes through, A's is refused by its throttle, which fails closed.
	for _, c := range []struct {
		in   *instance
		want int
	}{{a, http.StatusTooManyRequests}, {b, http.StatusOK}} {
		got := c.in.post(t, "/api-token-auth/", alice.credentials(), "")
		body := got.Body
		if got.Status == http.StatusOK {
			body = "(a token)"
		}
		t.Logf("%s, a login with Redis down: %d %s (Retry-After %q)", c.in.name, got.Status, body, got.Header.Get("Retry-After"))
		if got.Status != c.want {
			t.Errorf("%s, a login with Redis down: %d %s, want %d", c.in.name, got.Status, got.Body, c.want)
		}
	}
	for _, c := range []struct {
		what string
		in   *instance
		path string
		body string
		auth string
	}{
		{"a revocation", a, "/api-token-blacklist/", tokenJSON(late), good},
		{"verify of the good token", b, "/api-token-verify/", tokenJSON(good), ""},
		{"verify of the revoked token", b, "/api-token-verify/", tokenJSON(gone), ""},
	} {
		if got := c.in.post(t, c.path, c.body, c.auth); got.Status != http.StatusServiceUnavailable || got.Header.Get("Retry-After") == "" {
			t.Errorf("%s, %s with Redis down: %d %s (Retry-After %q), want 503 with Retry-After", c.in.name, c.what, got.Status, got.Body, got.Header.Get("Retry-After"))
		}
	}

	srv.start()
	restarted := time.Now()
	recovered := map[*instance]time.Duration{}
	for len(recovered) < len(servers) {
		if time.Since(restarted) > 10*time.Second {
			t.Fatalf("not every instance recovered 10 s after Redis restarted: %v", recovered)
		}
		for _, in := range servers {
			if _, ok := recovered[in]; ok {
				continue
			}
			g, r := in.protected(t, good), in.protected(t, gone)
			switch {
			case g.Status == http.StatusOK:
				recovered[in] = time.Since(restarted)
			case g.Status != http.StatusServiceUnavailable:
				t.Fatalf("%s, the good token after Redis restarted: %d %s", in.name, g.Status, g.Body)
			}
			if r.Status != http.StatusForbidden && r.Status != http.StatusServiceUnavailable {
				t.Fatalf("%s, the token revoked before the stop, after Redis restarted: %d %s", in.name, r.Status, r.Body)
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, in := range servers {
		t.Logf("%s answered again %v after Redis restarted", in.name, recovered[in].Round(time.Millisecond))
		if got := in.protected(t, gone); got.Status != http.StatusForbidden || got.Body != revoked403 {
			t.Errorf("%s, the token revoked before the stop, after the restart: %d %s, want 403 %s", in.name, got.Status, got.Body, revoked403)
		}
		// Its revocation failed with 503: nothing was acknowledged, and
		// nothing was applied.
		if got := in.protected(t, late); got.Status != http.StatusOK {
			t.Errorf("%s, the token whose revocation failed with Redis down: %d %s, want 200", in.name, got.Status, got.Body)
		}
	}
	// An instance started now knows only what Redis holds again: what A
	// and B wrote back.
	c := startInstance(t, bin, "C", "JWT", env, "-db", "sqlite:"+path)
	c.waitInTouch(t, good, 5*time.Second)
	if got := c.protected(t, gone); got.Status != http.StatusForbidden || got.Body != revoked403 {
		t.Errorf("C, started after the restart, the token revoked before it: %d %s, want 403: an acknowledged revocation was lost", got.Status, got.Body)
	}
	// And a revocation after the recovery reaches B and C.
	if r := a.post(t, "/api-token-blacklist/", tokenJSON(late), good); r.Status != http.StatusCreated {
		t.Fatalf("a revocation on A after the recovery: %d %s", r.Status, r.Body)
	}
	for _, in := range []*instance{b, c} {
		refusedWithin(t, in, late, within)
	}

	for _, in := range append(servers, c) {
		if log := in.log.String(); strings.Contains(log, ownRedisPassword) || strings.Contains(log, srv.port) {
			t.Errorf("%s: the log shows Redis's password or address:\n%s", in.name, log)
		}
	}
	// The loss of touch is logged, in the access log's format: one
	// stream an operator parses.
	for _, in := range servers {
		if log := in.log.String(); !strings.Contains(log, `level=WARN msg="redisstore: revocations out of touch with Redis`) {
			t.Errorf("%s: no record of the loss of touch in the server's log format:\n%s", in.name, tail(log, 20))
		}
	}
	a.stopTimed(t, "up")
	srv.stop()
	b.stopTimed(t, "down")
	c.stopTimed(t, "down")
}

// refusedWithin waits until in refuses the revoked token, as DRF-JWT's
// blacklist does, at most within.
func refusedWithin(t *testing.T, in *instance, token string, within time.Duration) {
	t.Helper()
	start := time.Now()
	for {
		got := in.protected(t, token)
		switch {
		case got.Status == http.StatusForbidden && got.Body == revoked403:
			return
		case got.Status != http.StatusOK:
			t.Fatalf("%s, a token revoked elsewhere: %d %s", in.name, got.Status, got.Body)
		case time.Since(start) > within:
			t.Fatalf("%s still accepts a token revoked elsewhere %v later", in.name, within)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
