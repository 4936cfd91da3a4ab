package redisstore

// Tests of Revocations when Redis fails: cut off from one instance (a
// proxy the test closes), stopped and restarted empty (a redis-server of
// the test's own, with a password that must show nowhere), never there
// at all; and the goroutines Close leaves (none).

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jwtauth-go/jwtauth/revoke"
	"github.com/redis/rueidis"
)

// logSink keeps the records of a slog.Logger, as text.
type logSink struct {
	mu      sync.Mutex
	records []string
}

func (s *logSink) logger() *slog.Logger { return slog.New(s) }

func (s *logSink) Enabled(context.Context, slog.Level) bool { return true }
func (s *logSink) WithAttrs([]slog.Attr) slog.Handler       { return s }
func (s *logSink) WithGroup(string) slog.Handler            { return s }
func (s *logSink) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Level.String() + " " + r.Message)
	r.Attrs(func(a slog.Attr) bool {
		b.WriteString(" " + a.String())
		return true
	})
	s.mu.Lock()
	defer s.mu.Unlock()
	s.records = append(s.records, b.String())
	return nil
}

func (s *logSink) text() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(s.records, "\n")
}

func (s *logSink) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.records)
}

// proxy forwards TCP connections to a Redis server until cut, which
// closes them all and stops listening: the instance behind it loses
// Redis, the others keep it. restore listens again on the same address.
type proxy struct {
	t       *testing.T
	backend string
	addr    string

	mu    sync.Mutex
	l     net.Listener
	conns map[net.Conn]bool
	wg    sync.WaitGroup
}

func newProxy(t *testing.T, backend string) *proxy {
	p := &proxy{t: t, backend: backend, conns: make(map[net.Conn]bool)}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = l.Addr().String()
	p.serve(l)
	t.Cleanup(func() { p.cut(); p.wg.Wait() })
	return p
}

func (p *proxy) serve(l net.Listener) {
	p.mu.Lock()
	p.l = l
	p.mu.Unlock()
	p.wg.Go(func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			b, err := net.Dial("tcp", p.backend)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns[c], p.conns[b] = true, true
			p.mu.Unlock()
			for _, pair := range [][2]net.Conn{{c, b}, {b, c}} {
				p.wg.Go(func() {
					io.Copy(pair[0], pair[1])
					pair[0].Close()
					pair[1].Close()
				})
			}
		}
	})
}

func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.l != nil {
		p.l.Close()
		p.l = nil
	}
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
	}
}

func (p *proxy) restore() {
	l, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatalf("listening again on %s: %v", p.addr, err)
	}
	p.serve(l)
}

// clientVia is a client of the test server through addr.
func clientVia(t *testing.T, addr string) rueidis.Client {
	t.Helper()
	url := os.Getenv("JWTAUTH_TEST_REDIS_URL")
	if url == "" {
		t.Skip("JWTAUTH_TEST_REDIS_URL is not set: no Redis server to test against (.ci/redis.sh start prints one)")
	}
	opt, err := rueidis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	opt.InitAddress = []string{addr}
	c, err := rueidis.NewClient(opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// testServerAddr is the host:port of JWTAUTH_TEST_REDIS_URL.
func testServerAddr(t *testing.T) string {
	t.Helper()
	url := os.Getenv("JWTAUTH_TEST_REDIS_URL")
	if url == "" {
		t.Skip("JWTAUTH_TEST_REDIS_URL is not set: no Redis server to test against (.ci/redis.sh start prints one)")
	}
	opt, err := rueidis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	return opt.InitAddress[0]
}

// TestRevocationsCutOff: A loses Redis while B keeps it and adds an
// entry. A fails closed within MaxStaleness (plus the watchdog's
// scheduling), its generation 0; once Redis is back, it resyncs by
// itself, sees B's entry, and its generation is one it never gave before.
func TestRevocationsCutOff(t *testing.T) {
	t.Parallel()
	p := newProxy(t, testServerAddr(t))
	ca, cb := clientVia(t, p.addr), newClient(t)
	prefix := newPrefix(t, cb)
	opts := RevocationsOptions{Interval: 50 * time.Millisecond, MaxStaleness: 300 * time.Millisecond, Logger: (&logSink{}).logger()}
	a := newRevocations(t, ca, prefix, opts)
	b := newRevocations(t, cb, prefix, opts)
	waitInTouch(t, a)
	waitInTouch(t, b)
	ctx := context.Background()
	if err := a.Add(ctx, revoke.Entry{ID: "before", Until: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	gBefore := a.Generation()
	p.cut()
	cutAt := time.Now()
	if err := b.Add(ctx, revoke.Entry{ID: "during", Until: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	var lost time.Duration
	eventually(t, 2*time.Second, "A fails closed", func() bool {
		_, err := a.Revoked(revoke.Token{ID: "before"})
		lost = time.Since(cutAt)
		return errors.Is(err, revoke.ErrUnavailable)
	})
	t.Logf("A out of touch %v after the cut (MaxStaleness %v)", lost, opts.MaxStaleness)
	if lost > opts.MaxStaleness+200*time.Millisecond {
		t.Errorf("A answered for %v after the cut, want at most MaxStaleness %v and a little", lost, opts.MaxStaleness)
	}
	if g := a.Generation(); g != 0 {
		t.Errorf("Generation out of touch = %d, want 0", g)
	}
	actx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if err := a.Add(actx, revoke.Entry{ID: "refused", Until: time.Now().Add(time.Hour)}); err == nil {
		t.Error("Add succeeded with Redis cut off")
	}
	if _, err := a.Use(actx, "refresh", time.Now(), time.Now().Add(time.Hour)); err == nil {
		t.Error("Use succeeded with Redis cut off")
	}
	p.restore()
	waitInTouch(t, a)
	if !revoked(t, a, revoke.Token{ID: "during"}) || !revoked(t, a, revoke.Token{ID: "before"}) {
		t.Error("after the resync, A misses an entry")
	}
	if revoked(t, a, revoke.Token{ID: "refused"}) {
		t.Error("an Add that failed revoked its entry")
	}
	if g := a.Generation(); g <= gBefore {
		t.Errorf("Generation after the resync = %d, not past %d, the last before the loss", g, gBefore)
	}
}

// TestRevocationsFailOpen: with FailOpen, an instance cut off answers
// from its replica for FailOpen after touch is lost (Generation 0
// meanwhile), then fails.
func TestRevocationsFailOpen(t *testing.T) {
	t.Parallel()
	p := newProxy(t, testServerAddr(t))
	c := clientVia(t, p.addr)
	prefix := newPrefix(t, newClient(t))
	opts := RevocationsOptions{Interval: 50 * time.Millisecond, MaxStaleness: 200 * time.Millisecond, FailOpen: 600 * time.Millisecond, Logger: (&logSink{}).logger()}
	a := newRevocations(t, c, prefix, opts)
	waitInTouch(t, a)
	if err := a.Add(context.Background(), revoke.Entry{ID: "tok", Until: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	p.cut()
	eventually(t, 2*time.Second, "touch lost", func() bool { return a.Generation() == 0 })
	lostAt := time.Now()
	var closedAt time.Time
	for closedAt.IsZero() {
		got, err := a.Revoked(revoke.Token{ID: "tok"})
		other, err2 := a.Revoked(revoke.Token{ID: "other"})
		switch {
		case errors.Is(err, revoke.ErrUnavailable) && errors.Is(err2, revoke.ErrUnavailable):
			closedAt = time.Now()
		case err != nil || err2 != nil:
			t.Fatalf("fail open: %v, %v", err, err2)
		case !got || other:
			t.Fatalf("fail open answered %v for the revoked token, %v for another", got, other)
		case a.Generation() != 0:
			t.Fatal("a generation while failing open")
		}
		if time.Since(lostAt) > 3*time.Second {
			t.Fatal("still answering 3 s after touch was lost")
		}
		time.Sleep(time.Millisecond)
	}
	open := closedAt.Sub(lostAt)
	t.Logf("answered from the replica for %v after touch was lost (FailOpen %v)", open, opts.FailOpen)
	if open < opts.FailOpen-100*time.Millisecond || open > opts.FailOpen+200*time.Millisecond {
		t.Errorf("answered for %v, want FailOpen, %v", open, opts.FailOpen)
	}
	p.restore()
	waitInTouch(t, a)
	if !revoked(t, a, revoke.Token{ID: "tok"}) {
		t.Error("the entry is gone after the outage")
	}
}

// server is a redis-server of a test's own, which it stops and starts
// again empty (no persistence), with a password.
type server struct {
	t    *testing.T
	port string
	dir  string
	mu   sync.Mutex
	cmd  *exec.Cmd
}

const serverPassword = "hunter2-revocations"

func startServer(t *testing.T) *server {
	t.Helper()
	if os.Getenv("JWTAUTH_TEST_REDIS_URL") == "" {
		t.Skip("JWTAUTH_TEST_REDIS_URL is not set: the Redis tests are off (.ci/redis.sh start prints one)")
	}
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("no redis-server to start (apt-get install redis-server)")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(l.Addr().String())
	l.Close()
	s := &server{t: t, port: port, dir: t.TempDir()}
	s.start()
	t.Cleanup(s.stop)
	return s
}

func (s *server) url() string {
	return "redis://:" + serverPassword + "@127.0.0.1:" + s.port + "/0"
}

func (s *server) start() {
	s.t.Helper()
	cmd := exec.Command("redis-server", "--bind", "127.0.0.1", "--port", s.port, "--dir", s.dir,
		"--save", "", "--appendonly", "no", "--requirepass", serverPassword, "--loglevel", "warning")
	if err := cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	s.mu.Lock()
	s.cmd = cmd
	s.mu.Unlock()
	for range 200 {
		if c, err := net.Dial("tcp", "127.0.0.1:"+s.port); err == nil {
			fmt.Fprintf(c, "PING\r\n")
			line, _ := bufio.NewReader(c).ReadString('\n')
			c.Close()
			if line != "" {
				return
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	s.t.Fatal("redis-server does not answer")
}

func (s *server) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		s.cmd.Process.Kill()
		s.cmd.Wait()
		s.cmd = nil
	}
}

func (s *server) client(t *testing.T) rueidis.Client {
	t.Helper()
	opt, err := rueidis.ParseURL(s.url())
	if err != nil {
		t.Fatal(err)
	}
	c, err := rueidis.NewClient(opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// TestRevocationsRedisRestart: Redis stopped: the instance fails closed
// within MaxStaleness, Add and Use fail, saying nothing of the password;
// Redis started again empty: the instance resyncs by itself and writes
// back what it held, so that an instance started after sees every entry
// acknowledged before the stop. A long outage makes a few log records.
func TestRevocationsRedisRestart(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	logs := &logSink{}
	opts := RevocationsOptions{Interval: 50 * time.Millisecond, MaxStaleness: 300 * time.Millisecond, Logger: logs.logger(), logEvery: time.Second}
	a := newRevocations(t, srv.client(t), "jwtauth-test:", opts)
	waitInTouch(t, a)
	ctx := context.Background()
	now := time.Now()
	acked := []revoke.Entry{
		{ID: "token-id-1", Until: now.Add(time.Hour)},
		{ID: "family-1", Until: now.Add(time.Hour)},
		{User: "user-42", Before: now, Until: now.Add(time.Hour)},
	}
	for _, e := range acked {
		if err := a.Add(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	srv.stop()
	stopped := time.Now()
	eventually(t, 2*time.Second, "fails closed", func() bool {
		_, err := a.Revoked(revoke.Token{ID: "token-id-1"})
		return errors.Is(err, revoke.ErrUnavailable)
	})
	if d := time.Since(stopped); d > opts.MaxStaleness+200*time.Millisecond {
		t.Errorf("out of touch %v after the stop, want within MaxStaleness %v and a little", d, opts.MaxStaleness)
	}
	if g := a.Generation(); g != 0 {
		t.Errorf("Generation = %d with Redis stopped", g)
	}
	actx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	for what, err := range map[string]error{
		"Add":                     a.Add(actx, revoke.Entry{ID: "refused", Until: now.Add(time.Hour)}),
		"Add, without a deadline": a.Add(ctx, revoke.Entry{ID: "refused", Until: now.Add(time.Hour)}),
		"Use":                     func() error { _, err := a.Use(actx, "refresh", now, now.Add(time.Hour)); return err }(),
	} {
		if err == nil {
			t.Errorf("%s succeeded with Redis stopped", what)
		} else if strings.Contains(err.Error(), serverPassword) || strings.Contains(err.Error(), srv.port) {
			t.Errorf("%s: %q shows the password or the address", what, err)
		}
	}
	// A long outage, as such tests go: 3 s, three log intervals; the
	// checks refused meanwhile are counted, not logged one by one.
	for time.Since(stopped) < 3*time.Second {
		a.Revoked(revoke.Token{ID: "token-id-1"})
		time.Sleep(time.Millisecond)
	}
	srv.start()
	waitInTouch(t, a)
	if !revoked(t, a, revoke.Token{ID: "token-id-1"}) {
		t.Error("the entry is not revoked after the restart")
	}
	fresh := newRevocations(t, srv.client(t), "jwtauth-test:", opts)
	waitInTouch(t, fresh)
	for _, tok := range []revoke.Token{{ID: "token-id-1"}, {ID: "x", Family: "family-1"}, {ID: "x", User: "user-42", IssuedAt: now.Add(-time.Second)}} {
		if !revoked(t, fresh, tok) {
			t.Errorf("an instance started after the restart does not see %+v: an acknowledged entry was lost", tok)
		}
	}
	text := logs.text()
	t.Logf("%d log records for a 3 s outage:\n%s", logs.len(), text)
	if n := logs.len(); n == 0 || n > 6 {
		t.Errorf("%d log records for a 3 s outage with a 1 s log interval, want a few", n)
	}
	if !strings.Contains(text, "refused_checks") {
		t.Error("the log does not count the refused checks")
	}
	for _, secret := range []string{serverPassword, srv.port, "token-id-1", "family-1", "user-42"} {
		if strings.Contains(text, secret) {
			t.Errorf("the log shows %q", secret)
		}
	}
}

// TestRevocationsNeverInTouch: an instance whose Redis is not there is
// out of touch from its start, failing closed: never a silent pass.
func TestRevocationsNeverInTouch(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	c, _ := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{closed}, ForceSingleClient: true, Password: "hunter2"})
	if c == nil {
		t.Fatal("no client for a closed port")
	}
	t.Cleanup(c.Close)
	logs := &logSink{}
	r := newRevocations(t, c, "jwtauth-test:down:", RevocationsOptions{Interval: 20 * time.Millisecond, MaxStaleness: 100 * time.Millisecond, FailOpen: time.Hour, Logger: logs.logger()})
	check := func(when string) {
		t.Helper()
		if got, err := r.Revoked(revoke.Token{ID: "x"}); got || !errors.Is(err, revoke.ErrUnavailable) {
			t.Errorf("%s: Revoked = %v, %v; want ErrUnavailable (FailOpen applies only to touch once had)", when, got, err)
		}
		if g := r.Generation(); g != 0 {
			t.Errorf("%s: Generation = %d, want 0", when, g)
		}
	}
	check("at once")
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if err := r.WaitInTouch(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("WaitInTouch: %v", err)
	}
	check("300 ms on")
	if err := r.Add(context.Background(), revoke.Entry{ID: "x", Until: time.Now().Add(time.Hour)}); err == nil || strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), closed) {
		t.Errorf("Add: %v", err)
	}
	eventually(t, 2*time.Second, "a log record", func() bool { return logs.len() > 0 })
	if text := logs.text(); strings.Contains(text, "hunter2") || strings.Contains(text, closed) || !strings.Contains(text, "not yet in touch") {
		t.Errorf("the log: %s", text)
	}
	r.Close()
	if err := r.WaitInTouch(context.Background()); err == nil {
		t.Error("WaitInTouch on a closed Revocations")
	}
}

// revocationGoroutines counts the goroutines running Revocations code.
func revocationGoroutines() (int, string) {
	buf := make([]byte, 1<<22)
	buf = buf[:runtime.Stack(buf, true)]
	n := 0
	var stacks []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "redisstore.(*Revocations)") {
			n++
			stacks = append(stacks, g)
		}
	}
	return n, strings.Join(stacks, "\n\n")
}

// TestRevocationsCloseLeavesNoGoroutine: with Redis up and with Redis
// not there, Close returns with every goroutine of the Revocations gone
// (TestRevocationsFromEnvClose checks a client of its own). Not parallel:
// it counts every goroutine.
func TestRevocationsCloseLeavesNoGoroutine(t *testing.T) {
	if n, stacks := revocationGoroutines(); n != 0 {
		t.Fatalf("%d goroutines of Revocations before the test:\n%s", n, stacks)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	down, _ := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{closed}, ForceSingleClient: true})
	if down == nil {
		t.Fatal("no client")
	}
	defer down.Close()
	cases := []struct {
		name   string
		client func(t testing.TB) rueidis.Client
	}{{"Redis not there", func(testing.TB) rueidis.Client { return down }}}
	if os.Getenv("JWTAUTH_TEST_REDIS_URL") != "" {
		cases = append(cases, struct {
			name   string
			client func(t testing.TB) rueidis.Client
		}{"Redis up", newClient})
	} else {
		t.Log("JWTAUTH_TEST_REDIS_URL is not set: the case with Redis up is skipped")
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.client(t)
			r, err := NewRevocations(c, "jwtauth-test:close:", RevocationsOptions{Interval: 10 * time.Millisecond, MaxStaleness: 50 * time.Millisecond, Logger: (&logSink{}).logger()})
			if err != nil {
				t.Fatal(err)
			}
			time.Sleep(200 * time.Millisecond) // let it run: subscribe, sync, check, back off
			if n, _ := revocationGoroutines(); n == 0 {
				t.Fatal("no goroutine seen running: the count proves nothing")
			}
			start := time.Now()
			r.Close()
			t.Logf("Close took %v", time.Since(start))
			if n, stacks := revocationGoroutines(); n != 0 {
				t.Errorf("%d goroutines left by Close:\n%s", n, stacks)
			}
			r.Close() // twice is harmless
		})
	}
}
