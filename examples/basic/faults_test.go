package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jwtauth-go/jwtauth/internal/djangotest"
	"github.com/jwtauth-go/jwtauth/internal/testkit"
)

// faultsVar turns on TestPostgresFaults, which starts a PostgreSQL cluster
// of its own (with .ci/postgres.sh, so Debian's postgresql package), floods
// it and freezes it; .ci/run sets it.
const faultsVar = "JWTAUTH_TEST_POSTGRES_FAULTS"

// The bounds examples/basic writes out for -db (db.go): the pool of
// connections and the deadline of every statement.
const (
	poolBound     = 10
	storeDeadline = 2 * time.Second
	// answerBound is how long any answer may take while the database is
	// flooded or frozen: the statement deadline, with room for a loaded
	// two-core machine.
	answerBound = storeDeadline + 2*time.Second
)

const (
	storeDown    = `{"detail":"Service temporarily unavailable, try again later."}`
	invalidToken = `{"detail":"Invalid token."}`
	failedRecord = "jwtauth: store failed"
)

// TestPostgresFaults runs examples/basic with -db postgres over a cluster
// of the test's own, at PostgreSQL's default limit of 100 connections, and
// asks it what an attacker and an outage ask:
//
//   - a flood of made-up DRF Token keys from 300 connections, each a
//     lookup: the server holds at most its pool of connections, Django
//     (another client of the database) can still connect, the flood gets
//     401 or 503, and honest clients (a JWT and a real Token key) get 200,
//     or 503 within the deadline;
//   - the cluster frozen (SIGSTOP, as a hung host or a stalled disk leaves
//     it), with the flood still on: every answer is 503 with Retry-After
//     within the deadline, never a hang or a 500, and the store failures
//     are logged once per interval, not once per request;
//   - the cluster thawed: the server serves again without a restart.
func TestPostgresFaults(t *testing.T) {
	if os.Getenv(faultsVar) != "1" {
		t.Skip(faultsVar + "=1 is not set: this test starts, floods and freezes a PostgreSQL cluster of its own (Debian's postgresql package; .ci/run sets it)")
	}
	if testing.Short() {
		t.Skip("the flood and the outage take about 30 s")
	}
	t.Parallel()
	c := startCluster(t)
	dsn := c.dsn
	admin := openPostgres(t, dsn)
	tokenKey := djangoUsers(t, admin)

	bin := buildBasic(t)
	s := startBasic(t, bin, "examples/basic -db postgres", []string{"JWT_SECRET_KEY=" + testSecret}, "-db", dsn)
	s.ready(t)
	defer s.stop(t)
	base := "http://" + s.addr

	jwt := testkit.SignHS(sha256.New, testSecret, `{"typ":"JWT","alg":"HS256"}`,
		fmt.Sprintf(`{"user_id":1,"username":"admin","exp":%d}`, time.Now().Add(time.Hour).Unix()))
	honest := []string{"JWT " + jwt, "Token " + tokenKey}
	for _, h := range honest {
		if st, body := ask(t, base, h); st != http.StatusOK {
			t.Fatalf("%s...: before the flood: %d %s", h[:8], st, body)
		}
	}

	t.Run("flood", func(t *testing.T) {
		stop := make(chan struct{})
		var flood tally
		flood.run(300, stop, base, fakeTokenKey, http.StatusUnauthorized, invalidToken)
		var served tally
		served.run(4, stop, base, pick(honest), http.StatusOK, "")

		// What PostgreSQL sees, sampled from a connection opened before
		// the flood, and whether a newcomer (Django) can connect.
		deadline := time.Now().Add(6 * time.Second)
		most, djangoFailed := 0, 0
		time.Sleep(500 * time.Millisecond)
		for time.Now().Before(deadline) {
			var n int
			if err := admin.QueryRow(`SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()`).Scan(&n); err != nil {
				t.Errorf("pg_stat_activity: %v", err)
				break
			}
			most = max(most, n)
			if err := connectOnce(dsn); err != nil {
				djangoFailed++
				t.Logf("a new client could not connect during the flood: %v", err)
			}
			time.Sleep(200 * time.Millisecond)
		}
		close(stop)
		flood.wait()
		served.wait()

		t.Logf("flood: %s; honest: %s; most server connections seen: %d", flood.String(), served.String(), most)
		if most > poolBound {
			t.Errorf("PostgreSQL saw %d connections besides the test's: more than the pool bound %d", most, poolBound)
		}
		if djangoFailed > 0 {
			t.Errorf("%d of the new clients could not connect while the flood ran", djangoFailed)
		}
		flood.check(t, "the flood")
		served.check(t, "honest clients")
		if ok := served.status[http.StatusOK]; ok == 0 || ok*2 < served.answers {
			t.Errorf("honest clients: %d of %d answered 200, want at least half", ok, served.answers)
		}
	})

	t.Run("frozen", func(t *testing.T) {
		before := strings.Count(s.log.String(), failedRecord)
		c.freeze(t)
		frozenAt := time.Now()
		stop := make(chan struct{})
		var flood, served tally
		flood.run(50, stop, base, fakeTokenKey, 0, "")
		served.run(4, stop, base, pick(honest), 0, "")
		const outage = 12 * time.Second
		time.Sleep(outage)
		close(stop)
		flood.wait()
		served.wait()
		lasted := time.Since(frozenAt)
		c.thaw(t)

		t.Logf("frozen for %v: flood: %s; honest: %s", lasted.Round(time.Millisecond), flood.String(), served.String())
		flood.check(t, "the flood")
		served.check(t, "honest clients")
		// Every answer but the store's 503 is wrong here (want 0).
		if flood.unavailable == 0 || served.unavailable == 0 {
			t.Error("no 503 while the database was frozen")
		}
		// One record when the failures start, then at most one an
		// interval (10 s), however many requests fail.
		records := strings.Count(s.log.String(), failedRecord) - before
		if want := int(lasted/(10*time.Second)) + 1; records < 1 || records > want {
			t.Errorf("%d store failure records in %v of outage and %d failed requests, want 1 to %d:\n%s",
				records, lasted.Round(time.Millisecond), flood.unavailable+served.unavailable, want, tail(s.log.String(), 20))
		}
	})

	t.Run("thawed", func(t *testing.T) {
		// The pool's connections broke at the deadline; new ones are
		// opened as requests come, without a restart.
		deadline := time.Now().Add(15 * time.Second)
		streak := 0
		for streak < 10 && time.Now().Before(deadline) {
			st, body := ask(t, base, honest[streak%2])
			switch st {
			case http.StatusOK:
				streak++
			case http.StatusServiceUnavailable:
				streak = 0
				time.Sleep(100 * time.Millisecond)
			default:
				t.Fatalf("after the thaw: %d %s", st, body)
			}
		}
		if streak < 10 {
			t.Errorf("15 s after the thaw the server was not serving again")
		}
	})
}

// tally counts the answers of a group of clients and what was wrong with
// them.
type tally struct {
	wg          sync.WaitGroup
	mu          sync.Mutex
	answers     int         // requests sent
	status      map[int]int // answers by status
	unavailable int         // the store's 503s
	slowest     time.Duration
	wrong       []string // answers that were neither the expected one nor DRF's 503
}

// run starts n clients, each on its own kept-alive connection, asking
// base's protected view with the Authorization header that header gives,
// until stop is closed. Each answer must be 200 (when want is 200), want
// with body wantBody (when want is not 0 nor 200), or the store's 503 with
// Retry-After, within answerBound.
func (tl *tally) run(n int, stop <-chan struct{}, base string, header func() string, want int, wantBody string) {
	tl.status = map[int]int{}
	for range n {
		tl.wg.Add(1)
		go func() {
			defer tl.wg.Done()
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}, Timeout: 3 * answerBound}
			defer client.CloseIdleConnections()
			for {
				select {
				case <-stop:
					return
				default:
				}
				tl.one(client, base, header(), want, wantBody)
			}
		}()
	}
}

func (tl *tally) one(client *http.Client, base, auth string, want int, wantBody string) {
	req, _ := http.NewRequest("GET", base+"/api/protected/", nil)
	req.Header.Set("Authorization", auth)
	start := time.Now()
	resp, err := client.Do(req)
	took := time.Since(start)
	tl.mu.Lock()
	defer tl.mu.Unlock()
	tl.answers++
	tl.slowest = max(tl.slowest, took)
	if err != nil {
		tl.wrong = append(tl.wrong, err.Error())
		return
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	tl.status[resp.StatusCode]++
	switch {
	case took > answerBound:
		tl.wrong = append(tl.wrong, fmt.Sprintf("%d after %v", resp.StatusCode, took.Round(time.Millisecond)))
	case resp.StatusCode == http.StatusServiceUnavailable && string(body) == storeDown && resp.Header.Get("Retry-After") != "":
		tl.unavailable++
	case want != 0 && resp.StatusCode == want && (want == http.StatusOK || string(body) == wantBody):
	default:
		tl.wrong = append(tl.wrong, fmt.Sprintf("%d %s", resp.StatusCode, body))
	}
}

func (tl *tally) wait() { tl.wg.Wait() }

func (tl *tally) String() string {
	return fmt.Sprintf("%d answers %v, slowest %v, %d wrong", tl.answers, tl.status, tl.slowest.Round(time.Millisecond), len(tl.wrong))
}

// check fails t for each kind of wrong answer, with a few examples.
func (tl *tally) check(t *testing.T, who string) {
	t.Helper()
	if len(tl.wrong) > 0 {
		t.Errorf("%s: %d wrong answers (want the expected answer or a 503 within %v), first: %q", who, len(tl.wrong), answerBound, tl.wrong[:min(5, len(tl.wrong))])
	}
}

// ask sends one request with the Authorization header auth.
func ask(t *testing.T, base, auth string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/api/protected/", nil)
	req.Header.Set("Authorization", auth)
	client := &http.Client{Timeout: 3 * answerBound}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// fakeTokenKey is a made-up DRF Token key: 40 hex digits, as DRF makes
// them, so that each is a lookup.
func fakeTokenKey() string {
	b := make([]byte, 20)
	_, _ = rand.Read(b)
	return "Token " + hex.EncodeToString(b)
}

// pick cycles through headers.
func pick(headers []string) func() string {
	var mu sync.Mutex
	i := 0
	return func() string {
		mu.Lock()
		defer mu.Unlock()
		i++
		return headers[i%len(headers)]
	}
}

// connectOnce opens one new connection to dsn, as another service of the
// database would, and closes it.
func connectOnce(dsn string) error {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	defer func() { _ = db.Close() }()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return db.PingContext(ctx)
}

func openPostgres(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// djangoUsers makes Django's auth_user and authtoken_token tables, as
// Django 3.2's migrate makes them, with an active admin (id 1) holding a
// DRF token, whose key it returns.
func djangoUsers(t *testing.T, db *sql.DB) string {
	t.Helper()
	for _, ddl := range djangotest.Schema["postgres"] {
		if _, err := db.Exec(ddl); err != nil {
			t.Fatal(err)
		}
	}
	// The hash is never checked: the test logs nobody in.
	if _, err := db.Exec(`INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined)
		VALUES ('!unusable', true, 'admin', '', '', 'admin@example.com', true, true, now())`); err != nil {
		t.Fatal(err)
	}
	key := strings.TrimPrefix(fakeTokenKey(), "Token ")
	if _, err := db.Exec(`INSERT INTO authtoken_token (key, created, user_id) VALUES ($1, now(), 1)`, key); err != nil {
		t.Fatal(err)
	}
	return key
}

// cluster is a PostgreSQL cluster of the test's own.
type cluster struct {
	dir, dsn string
	stopped  []int // the processes freeze stopped
}

// startCluster starts a cluster with .ci/postgres.sh in a directory and on
// a port of its own, stopped and deleted after the test.
func startCluster(t *testing.T) *cluster {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	script := filepath.Join(filepath.Dir(file), "..", "..", ".ci", "postgres.sh")
	dir, err := os.MkdirTemp("", "jwtauth-pgfaults-")
	if err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	env := append(os.Environ(), "JWTAUTH_PG_DIR="+dir, "JWTAUTH_PG_PORT="+strconv.Itoa(port))
	cmd := exec.Command("bash", script, "start")
	cmd.Env = env
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		_ = os.RemoveAll(dir)
		t.Fatalf("postgres.sh start: %v\n%s", err, stderr.String())
	}
	c := &cluster{dir: dir, dsn: strings.TrimSpace(string(out))}
	t.Cleanup(func() {
		c.thaw(t)
		stop := exec.Command("bash", script, "stop")
		stop.Env = env
		if out, err := stop.CombinedOutput(); err != nil {
			t.Errorf("postgres.sh stop: %v\n%s", err, out)
		}
		_ = os.RemoveAll(dir)
	})
	return c
}

// freePort is a loopback TCP port nobody listens on now.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = l.Close() }()
	return l.Addr().(*net.TCPAddr).Port
}

// freeze stops the cluster's postmaster, then every process it forked:
// connections stay open and unanswered, new ones are accepted by the
// kernel and never greeted.
func (c *cluster) freeze(t *testing.T) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(c.dir, "data", "postmaster.pid"))
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(string(raw), "\n")
	pm, err := strconv.Atoi(strings.TrimSpace(first))
	if err != nil {
		t.Fatalf("postmaster.pid: %q", first)
	}
	c.signal(t, pm, syscall.SIGSTOP)
	for _, pid := range children(t, pm) {
		c.signal(t, pid, syscall.SIGSTOP)
	}
}

func (c *cluster) signal(t *testing.T, pid int, sig syscall.Signal) {
	t.Helper()
	if err := syscall.Kill(pid, sig); err != nil {
		t.Fatalf("kill %d: %v", pid, err)
	}
	c.stopped = append(c.stopped, pid)
}

// thaw continues what freeze stopped.
func (c *cluster) thaw(t *testing.T) {
	for _, pid := range c.stopped {
		_ = syscall.Kill(pid, syscall.SIGCONT)
	}
	c.stopped = nil
}

// children are the processes whose parent is pid, from /proc.
func children(t *testing.T, pid int) []int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var kids []int
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue // gone since the listing
		}
		// pid (comm) state ppid ...: comm may hold spaces and parentheses.
		_, rest, ok := strings.Cut(string(stat), ") ")
		if fields := strings.Fields(rest); ok && len(fields) > 1 && fields[1] == strconv.Itoa(pid) {
			kids = append(kids, child)
		}
	}
	return kids
}

// tail is the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
