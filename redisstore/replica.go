package redisstore

// The goroutines of a Revocations: receive applies the announcements,
// run checks the sequence number and makes the full syncs, watch ends
// touch when its deadline passes. Revoked and Generation read only the
// state they leave in an atomic.

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/redis/rueidis"

	"github.com/jwtauth-go/jwtauth/internal/expiry"
	"github.com/jwtauth-go/jwtauth/revoke"
)

// maxBackoff is the longest wait before a retry after failures: how late
// at most an instance notices that Redis is back.
const maxBackoff = 2 * time.Second

// writeBackBatch is how many entries one script writes back: a bound on
// how long it holds Redis.
const writeBackBatch = 256

// scanCount is ZSCAN's COUNT in a full sync.
const scanCount = 1000

// backoff is the wait after the nth failure in a row: from interval,
// doubling up to maxBackoff, with jitter so that the instances of a
// service do not all come back at once.
func backoff(n int, interval time.Duration) time.Duration {
	d := interval
	for i := 1; i < n && d < maxBackoff; i++ {
		d *= 2
	}
	d = min(d, max(maxBackoff, interval))
	return d/2 + rand.N(d/2+1)
}

// receive holds the subscription, resubscribing after any error; each
// confirmation of it asks for a full sync, since announcements may have
// been missed before it.
func (r *Revocations) receive(ctx context.Context) {
	// The hook runs in the client's pipeline goroutine: it must not
	// block, and requestSync does not.
	hooked := rueidis.WithOnSubscriptionHook(ctx, func(s rueidis.PubSubSubscription) {
		if s.Kind == "subscribe" && s.Channel == r.channel {
			r.requestSync()
		}
	})
	timer := time.NewTimer(0)
	defer timer.Stop()
	failures := 0
	for {
		start := time.Now()
		// The handler runs before the client reads on: it only applies
		// the entry to the replica, no I/O.
		err := r.client.Receive(hooked, r.client.B().Subscribe().Channel(r.channel).Build(), func(m rueidis.PubSubMessage) {
			r.onMessage(m.Message)
		})
		if ctx.Err() != nil {
			return
		}
		if time.Since(start) > time.Minute {
			failures = 0 // a subscription that held is a fresh start
		}
		failures++
		r.logError("the subscription ended", err)
		timer.Reset(backoff(failures, r.interval))
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
	}
}

// requestSync asks run for a full sync, without waiting.
func (r *Revocations) requestSync() {
	select {
	case r.syncReq <- struct{}{}:
	default:
	}
}

// onMessage applies an announcement to the replica, then counts its
// sequence number: the next one is a contact (if a check is waiting on
// it), a gap asks for a full sync.
func (r *Revocations) onMessage(msg string) {
	seq, e, err := decodeMessage(msg)
	if err != nil {
		// Not what addScript publishes: something else on the channel,
		// or a newer version's entry. A full sync reads the set, and
		// fails closed if that holds what this version cannot read.
		r.logError("an announcement could not be read", err)
		r.requestSync()
		return
	}
	if err := r.mem.Add(context.Background(), e); err != nil {
		r.dropTouch(err)
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.syncing {
		if r.syncFirst == 0 {
			r.syncFirst = seq
		} else if seq != r.syncLast+1 {
			r.syncContig = false
		}
		r.syncLast = seq
	}
	switch {
	case seq == r.seen+1:
		r.seen = seq
		if r.pendValid && r.seen >= r.pend {
			r.pendValid = false
			r.touchLocked(r.pendAt, false)
		}
	case r.synced && !r.syncing && (seq > r.seen+1 || !sameRun(seq, r.seen)):
		r.requestSync()
	}
}

// sameRun reports whether two sequence numbers are of one run of Redis
// (see addScript); 0, no number yet, is of every run.
func sameRun(a, b int64) bool {
	return a == 0 || b == 0 || a>>32 == b>>32
}

// run checks the sequence number every interval and makes the full syncs
// asked for, with a backoff after failures.
func (r *Revocations) run(ctx context.Context) {
	ticker := time.NewTicker(r.interval)
	defer ticker.Stop()
	var (
		needSync bool
		failures int
		retryAt  time.Time
	)
	for {
		select {
		case <-ctx.Done():
			return
		case <-r.syncReq:
			needSync = true
		case <-ticker.C:
		}
		r.report()
		if time.Now().Before(retryAt) {
			continue
		}
		var err error
		r.mu.Lock()
		synced := r.synced
		r.mu.Unlock()
		if !needSync && synced {
			needSync, err = r.checkSeq(ctx)
		}
		if err == nil && needSync {
			what := "the full sync failed"
			if err = r.sync(ctx); err == nil {
				needSync = false
			} else if errors.Is(err, errEntry) {
				what = "the set holds an entry this version cannot read"
			}
			if err != nil {
				r.logError(what, err)
			}
		} else if err != nil {
			r.logError("the sequence check failed", err)
		}
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			failures++
			retryAt = time.Now().Add(backoff(failures, r.interval))
		} else {
			failures = 0
		}
	}
}

// getSeq reads the sequence number; 0 when there is none yet.
func (r *Revocations) getSeq(ctx context.Context) (int64, error) {
	v, err := r.client.Do(ctx, r.client.B().Get().Key(r.seqKey).Build()).ToString()
	if rueidis.IsRedisNil(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	n, err := parseInt(v)
	if err != nil || n < 0 {
		return 0, errEntry
	}
	return n, nil
}

// checkSeq compares Redis's sequence number with the last one applied
// here: equal is a contact; ahead is a contact once the announcements
// up to it have arrived, and a full sync if they have not by the next
// check; behind, or of another run, is Redis restarted: a full sync.
func (r *Revocations) checkSeq(ctx context.Context) (needSync bool, err error) {
	at := time.Now()
	ctx, cancel := context.WithTimeout(ctx, r.maxStale)
	defer cancel()
	s, err := r.getSeq(ctx)
	if err != nil {
		return false, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case s == r.seen:
		r.pendValid = false
		r.touchLocked(at, false)
	case s < r.seen || !sameRun(s, r.seen):
		return true, nil
	case r.pendValid && r.seen < r.pend:
		// An interval ago Redis was ahead, and what it was ahead by has
		// not arrived: announcements were missed.
		return true, nil
	default:
		r.pend, r.pendAt, r.pendValid = s, at, true
	}
	return false, nil
}

// sync reads the whole set into the replica, writes back what the
// replica holds and Redis does not, and takes the sequence number read
// first as applied: every change up to it is in the set it then reads
// (ZSCAN returns every member present from its start to its end; one
// removed meanwhile had expired, one changed meanwhile is announced).
func (r *Revocations) sync(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, max(10*time.Second, 10*r.maxStale))
	defer cancel()
	r.mu.Lock()
	r.syncing, r.syncFirst, r.syncLast, r.syncContig = true, 0, 0, true
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.syncing = false
		r.mu.Unlock()
	}()

	at := time.Now()
	s1, err := r.getSeq(ctx)
	if err != nil {
		return err
	}
	nowMs := r.now().UnixMilli()
	ids := make(map[string]int64)      // id: score
	users := make(map[string][2]int64) // user: the latest Before (ns), the latest score
	var cursor uint64
	for {
		page, err := r.client.Do(ctx, r.client.B().Zscan().Key(r.setKey).Cursor(cursor).Count(scanCount).Build()).AsScanEntry()
		if err != nil {
			return err
		}
		for i := 0; i+1 < len(page.Elements); i += 2 {
			member := page.Elements[i]
			score, err := parseScore(page.Elements[i+1])
			if err != nil {
				return err
			}
			e, err := withScore(member, score)
			if err != nil {
				return err
			}
			if score <= nowMs {
				continue
			}
			if err := r.mem.Add(ctx, e); err != nil {
				r.dropTouch(err)
				return err
			}
			if e.ID != "" {
				ids[e.ID] = max(ids[e.ID], score)
			} else {
				u, ok := users[e.User]
				b := expiry.Nanos(e.Before)
				if ok {
					b = max(b, u[0])
				}
				users[e.User] = [2]int64{b, max(u[1], score)}
			}
		}
		if page.Cursor == 0 {
			break
		}
		cursor = page.Cursor
	}

	// Write back what Redis lacks: after a restart without persistence,
	// everything; an entry whose announcement Redis lost, that one.
	var back []string
	for _, e := range r.mem.Entries() {
		score := untilScore(e.Until)
		if score <= nowMs {
			continue
		}
		if e.ID != "" {
			if ids[e.ID] >= score {
				continue
			}
		} else if u, ok := users[e.User]; ok && u[0] >= expiry.Nanos(e.Before) && u[1] >= score {
			continue
		}
		back = append(back, strconv.FormatInt(score, 10), encodeMember(e))
	}
	for len(back) > 0 {
		n := min(len(back), 2*writeBackBatch)
		if _, err := r.add(ctx, back[:n]); err != nil {
			return err
		}
		back = back[n:]
	}

	// A Redis that restarted during the sync gave the number of one run
	// and the set of another.
	s2, err := r.getSeq(ctx)
	if err != nil {
		return err
	}
	if s1 != 0 && !sameRun(s1, s2) {
		return errors.New("redisstore: Redis restarted during the sync")
	}

	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen = s1
	// The announcements since the sync began, if they follow on from s1
	// with no gap, are applied too.
	if r.syncFirst != 0 && r.syncContig && r.syncFirst <= s1+1 && r.syncLast > s1 && sameRun(r.syncLast, s1) {
		r.seen = r.syncLast
	}
	r.synced = true
	r.syncing = false
	r.pendValid = false
	r.broken = false
	r.touchLocked(at, true)
	return nil
}

// touchLocked records a confirmed contact: at was when the instance asked
// what it now knows it has. It puts r in touch if that is within
// MaxStaleness. A broken replica counts only a full sync's contact.
func (r *Revocations) touchLocked(at time.Time, fullSync bool) {
	if r.broken && !fullSync {
		return
	}
	if at.After(r.lastTouch) {
		r.lastTouch = at
	}
	if time.Since(r.lastTouch) >= r.maxStale {
		return
	}
	if r.state.Load() != stateInTouch {
		r.state.Store(stateInTouch)
		close(r.ready)
		// The first touch is the start, not news; a return is.
		if !r.lostAt.IsZero() {
			r.logState(slog.LevelInfo, "redisstore: revocations in touch with Redis again",
				"out_of_touch_for", time.Since(r.lostAt).Round(time.Millisecond).String())
		}
	}
	select {
	case r.touched <- struct{}{}:
	default:
	}
}

// dropTouch puts r out of touch at once, without FailOpen, because its
// replica could not take an entry (revoke.ErrFull): only a full sync that
// applies every entry brings it back.
func (r *Revocations) dropTouch(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.broken = true
	r.leaveLocked(stateOut)
	r.logError("the local replica cannot hold every entry", err)
	r.logState(slog.LevelError, "redisstore: revocations out of touch: the local replica cannot hold every entry")
	r.requestSync()
}

// leaveLocked moves r from in touch to state.
func (r *Revocations) leaveLocked(state int32) {
	if r.state.Load() == stateInTouch {
		r.lostAt = time.Now()
		r.ready = make(chan struct{})
	}
	r.state.Store(state)
}

// watch ends touch MaxStaleness after the last contact, and FailOpen's
// answers FailOpen after that, even while run is held up in a round trip
// to a Redis that does not answer.
func (r *Revocations) watch(ctx context.Context) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		r.mu.Lock()
		wait := r.expireLocked(time.Now())
		r.mu.Unlock()
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return
		case <-r.touched:
		case <-timer.C:
		}
	}
}

// expireLocked moves r out of touch if its deadline has passed, and
// returns how long until the next one.
func (r *Revocations) expireLocked(now time.Time) time.Duration {
	switch r.state.Load() {
	case stateInTouch:
		lost := r.lastTouch.Add(r.maxStale)
		if now.Before(lost) {
			return lost.Sub(now)
		}
		r.leaveLocked(stateOut)
		r.lostAt = lost
		if r.failOpen > 0 && now.Before(lost.Add(r.failOpen)) {
			r.state.Store(stateFailOpen)
			r.logState(slog.LevelWarn, "redisstore: revocations out of touch with Redis; answering from the local replica for FailOpen",
				"fail_open", r.failOpen.String())
			return lost.Add(r.failOpen).Sub(now)
		}
		r.logState(slog.LevelWarn, "redisstore: revocations out of touch with Redis; checks fail until it answers")
	case stateFailOpen:
		end := r.lostAt.Add(r.failOpen)
		if now.Before(end) {
			return end.Sub(now)
		}
		r.state.Store(stateOut)
		r.logState(slog.LevelWarn, "redisstore: revocations out of touch with Redis past FailOpen; checks fail until it answers")
	}
	return time.Hour
}

// report logs, at most once per log interval: that r is still out of
// touch (or not yet in touch, a while after its start), that it is back
// when that record was held back, or errors that went on for a while in
// touch (a subscription that cannot be made, say, while the checks of
// the sequence number keep the replica current, if more slowly).
func (r *Revocations) report() {
	if !r.log.due() {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case r.state.Load() == stateInTouch && r.log.pending():
		r.logState(slog.LevelInfo, "redisstore: revocations in touch with Redis")
	case r.state.Load() == stateInTouch:
		if r.errs.since(r.maxStale) {
			r.logState(slog.LevelWarn, "redisstore: revocations in touch with Redis, with errors")
		}
	case !r.lostAt.IsZero():
		r.logState(slog.LevelWarn, "redisstore: revocations still out of touch with Redis",
			"out_of_touch_for", time.Since(r.lostAt).Round(time.Millisecond).String())
	case time.Since(r.started) >= r.maxStale:
		r.logState(slog.LevelWarn, "redisstore: revocations not yet in touch with Redis; checks fail until they are",
			"since_start", time.Since(r.started).Round(time.Millisecond).String())
	}
}

// logState (with r.mu held) logs msg with the counts of the outage and the errors since
// the last record.
func (r *Revocations) logState(level slog.Level, msg string, args ...any) {
	if !r.log.due() {
		r.log.hold()
		return
	}
	args = append([]any{"prefix", r.prefix}, args...)
	if n := r.refused.Swap(0); n > 0 {
		args = append(args, "refused_checks", n)
	}
	if n := r.localAnswers.Swap(0); n > 0 {
		args = append(args, "local_answers", n)
	}
	args = append(args, r.errs.take()...)
	r.log.log(level, msg, args...)
}

// logError counts a failure of a round trip, for the next record: one
// error alone, while in touch, is not worth one.
func (r *Revocations) logError(what string, err error) {
	r.errs.add(what, err)
}

// errStats counts the errors since the last record, and keeps the last.
type errStats struct {
	mu    sync.Mutex
	n     int
	last  string
	first time.Time
}

func (s *errStats) add(what string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.n == 0 {
		s.first = time.Now()
	}
	s.n++
	s.last = what + ": " + describe(err)
}

// since reports whether errors have been counted for d or longer.
func (s *errStats) since(d time.Duration) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n > 0 && time.Since(s.first) >= d
}

// take returns the count and the last error as log attributes, and
// starts counting afresh.
func (s *errStats) take() []any {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.n == 0 {
		return nil
	}
	args := []any{"errors", s.n, "last_error", s.last}
	s.n = 0
	return args
}

// describe names what went wrong, in a few words and never with the
// client's own text: a network error's holds the server's address, a
// server error's the command's arguments.
func describe(err error) string {
	var re *rueidis.RedisError
	var errno syscall.Errno
	var ne net.Error
	switch {
	case err == nil:
		return "none"
	case errors.As(err, &re):
		// The error's code only ("ERR", "NOAUTH", "LOADING"...).
		code, _, _ := strings.Cut(re.Error(), " ")
		return "the server answered " + code
	case errors.Is(err, errEntry):
		return "an entry this version cannot read"
	case errors.Is(err, revoke.ErrFull):
		return "the local replica is full"
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "cancelled"
	case errors.Is(err, rueidis.ErrClosing):
		return "the client is closed or cannot connect"
	case errors.As(err, &errno):
		return errno.Error()
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed):
		return "the connection was closed"
	case errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.As(err, &ne):
		return "network error"
	}
	return "client error"
}

// rateLog logs at most once per every, counting what it holds back and
// telling the count with the next record.
type rateLog struct {
	l     *slog.Logger
	every time.Duration

	mu   sync.Mutex
	last time.Time
	held int
}

func (g *rateLog) log(level slog.Level, msg string, args ...any) {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := time.Now()
	if !g.last.IsZero() && now.Sub(g.last) < g.every {
		g.held++
		return
	}
	if g.held > 0 {
		args = append(args, "held_back", g.held)
	}
	g.last, g.held = now, 0
	g.l.Log(context.Background(), level, msg, args...)
}

// hold counts a record held back.
func (g *rateLog) hold() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.held++
}

// due reports whether a record would be logged now.
func (g *rateLog) due() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.last.IsZero() || time.Since(g.last) >= g.every
}

// pending reports whether records were held back.
func (g *rateLog) pending() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.held > 0
}
