package redisstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/rueidis"

	"github.com/jwtauth-go/jwtauth/internal/expiry"
	"github.com/jwtauth-go/jwtauth/revoke"
)

// Revocations is a revoke.Store shared by every instance of a service
// through Redis: a revocation added on one instance is checked on all.
//
// The Auth asks Revoked and Generation on every authenticated request, so
// they never do I/O: each instance holds a full replica of the
// revocations in a revoke.Memory and answers from it. Redis holds the
// shared copy, a sorted set scored by each entry's Until; Add writes an
// entry there and announces it on a pub/sub channel, and a goroutine of
// each instance applies what is announced to its replica. The set is
// small, since it holds only the revoked tokens (and users), each for no
// longer than the tokens it revokes live.
//
// Pub/sub is fast but not reliable: a subscriber that was disconnected
// misses what was published meanwhile, and a Redis restarted without
// persistence has forgotten everything. So every change also takes a
// sequence number, and each instance checks Redis's every Interval: when
// it is behind the last one this instance applied or of another run of
// the server (Redis restarted), or ahead by announcements that have not
// arrived an Interval later, the instance reads the whole set again (a
// full sync), and writes back any entry of its
// replica missing from Redis, so that nothing acknowledged is lost while
// one instance that holds it is up. The first full sync is made once the
// subscription is confirmed, and again after each resubscription, so
// that no announcement falls between the two.
//
// An instance is in touch while its last confirmed contact (a full sync,
// or a sequence check that found nothing missing) is younger than
// MaxStaleness: its replica then holds every entry added anywhere more
// than MaxStaleness ago, in practice within a pub/sub hop of the Add. Out
// of touch, Generation returns 0 and Revoked fails with an error wrapping
// revoke.ErrUnavailable (the request is answered 503), or, with FailOpen,
// answers from the replica for that long first. A new Revocations is out
// of touch until its first full sync: an instance that took tokens before
// it knew the revocations would let revoked ones through silently. Use
// WaitInTouch to hold a readiness check until then. Redis's loss, and its
// return, are handled without a restart of the process: the goroutines
// reconnect with a backoff and sync again.
//
// Keys are the prefix, then "revocations" (the set; also the channel's
// name) and "seq" (the sequence number), which one script writes
// together (on Redis Cluster, put a hash tag in the prefix, "{jwtauth}:",
// so that they share a slot), and "use:" and a refresh token's id, one
// key per use, expiring with the token. As for the Throttle, the server
// must not evict keys (maxmemory-policy noeviction), and times are the
// instances' own clocks (Now), so that clocks apart by a little disagree
// by as much on when an entry may be forgotten.
//
// Logging is through Logger, at most about once per 10 s whatever the
// outage, with counts of what was held back; no record holds a token, an
// id, or the Redis URL.
type Revocations struct {
	client                 rueidis.Client
	prefix                 string
	setKey, seqKey, useKey string
	channel                string
	mem                    *revoke.Memory
	interval, maxStale     time.Duration
	failOpen               time.Duration
	now                    func() time.Time
	log                    *rateLog
	errs                   errStats
	started                time.Time
	epoch                  string // the start of a new sequence: see addScript
	owned                  bool   // the client is RevocationsFromEnv's, which Close closes

	// state is what Revoked and Generation read: one atomic load.
	state atomic.Int32
	// Checks refused, and answered by FailOpen from the replica alone,
	// since the last log record that counted them.
	refused, localAnswers atomic.Int64

	mu         sync.Mutex
	lastTouch  time.Time     // the last confirmed contact, on the monotonic clock
	lostAt     time.Time     // when touch was last lost
	ready      chan struct{} // closed while in touch
	broken     bool          // the replica missed an entry: only a full sync counts as contact
	seen       int64         // every change up to this sequence number is applied
	synced     bool          // seen is of a full sync (and the messages since)
	syncing    bool          // a full sync is reading Redis
	syncFirst  int64         // the first message's number since the sync began; 0 for none
	syncLast   int64         // the last message's number since the sync began
	syncContig bool          // the messages since the sync began have no gap
	pend       int64         // a sequence number Redis gave, ahead of seen ...
	pendAt     time.Time     // ... asked for then: reaching pend is a contact at pendAt
	pendValid  bool

	syncReq chan struct{} // asks run for a full sync
	touched chan struct{} // wakes watch for a new deadline
	stop    context.CancelFunc
	done    chan struct{} // closed by Close
	wg      sync.WaitGroup
	once    sync.Once
}

// The states of a Revocations.
const (
	stateOut      = iota // out of touch: Revoked fails
	stateFailOpen        // out of touch, answering from the replica for FailOpen
	stateInTouch
)

// RevocationsOptions are the settings of [NewRevocations]. The zero value
// is the defaults.
type RevocationsOptions struct {
	// Interval is how often the sequence number is checked, and the
	// shortest wait before a retry; 0 means 250 ms.
	Interval time.Duration
	// MaxStaleness is how long since its last confirmed contact with
	// Redis an instance answers checks: the most a revocation added on
	// another instance may go unseen here. 0 means 1 s; it must exceed
	// Interval.
	MaxStaleness time.Duration
	// FailOpen, when positive, is how long after touch was lost Revoked
	// answers from the local replica (revocations added meanwhile
	// elsewhere are not seen) before it fails. 0, the default, fails at
	// once: a token revoked meanwhile is never let through, at the cost of
	// 503s while Redis is out of reach.
	FailOpen time.Duration
	// Max bounds the local replica, as revoke.NewMemory's max: an
	// instance whose replica cannot hold every entry in Redis is out of
	// touch. 0 means revoke.DefaultMax.
	Max int
	// Logger receives the losses and returns of touch and Redis's
	// errors; nil means slog.Default().
	Logger *slog.Logger
	// Now is the clock entries expire by (the replica's, and the scores
	// in Redis); nil means time.Now. Staleness is measured on the
	// monotonic clock, not this one.
	Now func() time.Time

	logEvery time.Duration // the log's interval, for tests; 0 means logEvery
}

// The defaults of RevocationsOptions.
const (
	DefaultRevocationInterval     = 250 * time.Millisecond
	DefaultRevocationMaxStaleness = time.Second
)

// logEvery is how often at most a Revocations logs.
const logEvery = 10 * time.Second

// errOutOfTouch is Revoked's error out of touch: a value made once, since
// it may be returned on every request of an outage.
var errOutOfTouch = fmt.Errorf("redisstore: the revocations are out of touch with Redis: %w", revoke.ErrUnavailable)

// errClosed is the error of a closed Revocations' Add and Use.
var errClosed = errors.New("redisstore: the Revocations is closed")

// NewRevocations returns a Revocations sharing entries through client
// under keys starting with prefix ("jwtauth:revoke:", say), which must be
// the same on every instance that shares them and used by nothing else.
// It starts the goroutines that keep the replica current (Close stops
// them) and returns at once, out of touch until the first full sync: see
// [Revocations.WaitInTouch]. The client stays the caller's to close,
// after Close.
func NewRevocations(client rueidis.Client, prefix string, opts RevocationsOptions) (*Revocations, error) {
	if client == nil {
		return nil, errors.New("redisstore: NewRevocations: nil client")
	}
	if opts.Interval == 0 {
		opts.Interval = DefaultRevocationInterval
	}
	if opts.MaxStaleness == 0 {
		opts.MaxStaleness = DefaultRevocationMaxStaleness
	}
	switch {
	case opts.Interval < 0, opts.MaxStaleness < 0, opts.FailOpen < 0:
		return nil, errors.New("redisstore: NewRevocations: a negative duration")
	case opts.MaxStaleness <= opts.Interval:
		// Each check renews touch: a staleness shorter than the interval
		// would lose it between any two.
		return nil, fmt.Errorf("redisstore: NewRevocations: MaxStaleness %v is not longer than Interval %v", opts.MaxStaleness, opts.Interval)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.logEvery <= 0 {
		opts.logEvery = logEvery
	}
	mem := revoke.NewMemory(opts.Max)
	mem.Now = opts.Now
	ctx, stop := context.WithCancel(context.Background())
	r := &Revocations{
		client:   client,
		prefix:   prefix,
		setKey:   prefix + "revocations",
		seqKey:   prefix + "seq",
		useKey:   prefix + "use:",
		channel:  prefix + "revocations",
		mem:      mem,
		interval: opts.Interval,
		maxStale: opts.MaxStaleness,
		failOpen: opts.FailOpen,
		now:      opts.Now,
		log:      &rateLog{l: opts.Logger, every: opts.logEvery},
		started:  time.Now(),
		epoch:    strconv.FormatInt((rand.Int64N(1<<20)+1)<<32, 10),
		ready:    make(chan struct{}),
		syncReq:  make(chan struct{}, 1),
		touched:  make(chan struct{}, 1),
		stop:     stop,
		done:     make(chan struct{}),
	}
	r.wg.Add(3)
	go func() { defer r.wg.Done(); r.receive(ctx) }()
	go func() { defer r.wg.Done(); r.run(ctx) }()
	go func() { defer r.wg.Done(); r.watch(ctx) }()
	return r, nil
}

var _ revoke.Store = (*Revocations)(nil)

// addScript adds entries to the set and announces each change. KEYS are
// the set and the sequence number; ARGV[1] is the channel, ARGV[2] the
// time in Unix milliseconds (members whose score is no later are
// dropped: the sweep of expired entries), ARGV[3] the value a missing
// sequence number starts from, then a score and a member per entry. A
// member already held keeps the later score (GT); each member added or
// given a later score takes the next sequence number and is published
// with it. It returns how many changed.
//
// The sequence number starts at a random multiple of 2^32 (ARGV[3], the
// adding instance's) whenever the key is missing, so that a Redis
// restarted empty starts another run of numbers than the one the
// instances saw, and the high bits tell the runs apart. Numbers stay
// below 2^53, exact in Lua's doubles.
var addScript = rueidis.NewLuaScript(`
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
local changed = 0
for i = 4, #ARGV, 2 do
	if redis.call('ZADD', KEYS[1], 'GT', 'CH', ARGV[i], ARGV[i + 1]) == 1 then
		if redis.call('EXISTS', KEYS[2]) == 0 then
			redis.call('SET', KEYS[2], ARGV[3])
		end
		local seq = redis.call('INCR', KEYS[2])
		redis.call('PUBLISH', ARGV[1], string.format('%d', seq) .. ' ' .. ARGV[i] .. ' ' .. ARGV[i + 1])
		changed = changed + 1
	end
end
return changed
`)

// Add implements revoke.Store: it returns nil once Redis has recorded e
// (and announced it to the other instances), having applied it to this
// instance's replica, so that a check here that starts after it sees e.
// Other instances see it within a pub/sub hop, and those in touch within
// MaxStaleness at the latest. When Redis does not answer before ctx ends,
// it fails and e is not revoked. An entry already expired is not kept.
func (r *Revocations) Add(ctx context.Context, e revoke.Entry) error {
	if e.ID == "" && e.User == "" {
		return errors.New("redisstore: an entry names neither a token nor a user")
	}
	if r.isClosed() {
		return errClosed
	}
	if expiry.Nanos(e.Until) <= expiry.Nanos(r.now()) {
		return nil
	}
	if _, err := r.add(ctx, []string{strconv.FormatInt(untilScore(e.Until), 10), encodeMember(e)}); err != nil {
		return redisError(ctx, "the revocation was not recorded", err)
	}
	if err := r.mem.Add(ctx, e); err != nil {
		r.dropTouch(err)
		return fmt.Errorf("redisstore: the revocation is in Redis, not in this instance's replica: %w", err)
	}
	return nil
}

// add runs addScript on pairs of scores and members.
func (r *Revocations) add(ctx context.Context, pairs []string) (int64, error) {
	args := make([]string, 0, 3+len(pairs))
	args = append(args, r.channel, strconv.FormatInt(r.now().UnixMilli(), 10), r.epoch)
	args = append(args, pairs...)
	return addScript.Exec(ctx, r.client, []string{r.setKey, r.seqKey}, args).AsInt64()
}

// maxUseTTL caps a use's expiry, which Redis refuses past its own bound.
const maxUseTTL = 100 * 365 * 24 * time.Hour

// Use implements revoke.Store with one SET NX GET: the first use of id on
// any instance writes at, and every later one reads it back. The key
// expires at until (by this instance's clock). It fails when Redis does
// not answer before ctx ends: a refresh whose replay cannot be ruled out
// is not made.
func (r *Revocations) Use(ctx context.Context, id string, at, until time.Time) (time.Time, error) {
	if r.isClosed() {
		return time.Time{}, errClosed
	}
	ttl := min(max(until.Sub(r.now()), time.Millisecond), maxUseTTL)
	ms := (ttl + time.Millisecond - 1) / time.Millisecond
	cmd := r.client.B().Set().Key(r.useKey + id).Value(strconv.FormatInt(expiry.Nanos(at), 10)).Nx().Get().PxMilliseconds(int64(ms)).Build()
	v, err := r.client.Do(ctx, cmd).ToString()
	if rueidis.IsRedisNil(err) {
		return at, nil
	}
	if err != nil {
		return time.Time{}, redisError(ctx, "the refresh token's use was not recorded", err)
	}
	n, err := parseInt(v)
	if err != nil {
		return time.Time{}, errors.New("redisstore: a refresh token's use in Redis is not one this version writes")
	}
	return time.Unix(0, n), nil
}

// Revoked implements revoke.Store from the replica, without I/O. Out of
// touch it fails with an error wrapping revoke.ErrUnavailable, unless
// FailOpen lets it answer still.
func (r *Revocations) Revoked(t revoke.Token) (bool, error) {
	switch r.state.Load() {
	case stateInTouch:
		return r.mem.Revoked(t)
	case stateFailOpen:
		r.localAnswers.Add(1)
		return r.mem.Revoked(t)
	}
	r.refused.Add(1)
	return false, errOutOfTouch
}

// Generation implements revoke.Store: the replica's generation while in
// touch, which every entry applied changes (so the generation after an
// outage is one never given before it, if the resync brought anything),
// and 0 out of touch, so that each request is checked and refused.
func (r *Revocations) Generation() uint64 {
	if r.state.Load() != stateInTouch {
		return 0
	}
	return r.mem.Generation()
}

// WaitInTouch returns nil once r is in touch with Redis (at once if it
// is), or an error when ctx ends first or r is closed: for a readiness
// check, or a start-up that would rather wait than answer 503s.
func (r *Revocations) WaitInTouch(ctx context.Context) error {
	r.mu.Lock()
	ready := r.ready
	r.mu.Unlock()
	select {
	case <-ready:
		return nil
	case <-r.done:
		return errClosed
	case <-ctx.Done():
		return fmt.Errorf("redisstore: not in touch with Redis: %w", ctx.Err())
	}
}

// Close stops the goroutines, waiting for them, and closes the client if
// RevocationsFromEnv made it. r is out of touch afterwards: Revoked
// fails, Add and Use too.
func (r *Revocations) Close() {
	r.once.Do(func() {
		close(r.done)
		r.stop()
		r.wg.Wait()
		r.mu.Lock()
		r.leaveLocked(stateOut)
		r.mu.Unlock()
		if r.owned {
			r.client.Close()
		}
	})
}

func (r *Revocations) isClosed() bool {
	select {
	case <-r.done:
		return true
	default:
		return false
	}
}

// String shows the prefix and the settings, not the client (whose options
// hold the Redis password).
func (r *Revocations) String() string {
	mode := "fail closed"
	if r.failOpen > 0 {
		mode = "fail open for " + r.failOpen.String()
	}
	return fmt.Sprintf("redisstore.Revocations(%q, interval %v, max staleness %v, %s)", r.prefix, r.interval, r.maxStale, mode)
}

// redisError is the error of a command that failed: what was not done,
// and why in a word, never the client's own error, whose text may hold
// the server's address. The ctx's error is wrapped when it ended.
func redisError(ctx context.Context, what string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("redisstore: %s: %w", what, ctxErr)
	}
	return fmt.Errorf("redisstore: %s: Redis: %s", what, describe(err))
}
