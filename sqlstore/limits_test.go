package sqlstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jwtauth-go/jwtauth"
	"github.com/jwtauth-go/jwtauth/blacklist"
	"github.com/jwtauth-go/jwtauth/sqlstore"
)

// TestStatementTimeout: a database that stops answering (its table held
// locked by another session) makes a lookup fail within the store's
// Timeout, as a store failure, never as "no such user"; once the lock goes,
// the store answers again without a restart. On PostgreSQL: SQLite's
// driver does not cut its own busy wait short for a deadline, so there the
// DSN's busy_timeout bounds a wait for a lock (the example servers set
// it, and say so).
func TestStatementTimeout(t *testing.T) {
	t.Parallel()
	{
		d := openPostgres(t)
		d.addUser(t, "alice", "alice@example.com", true, hash(t, testPolicy, "pw"))
		store := newStore(t, d, sqlstore.Settings{Timeout: 300 * time.Millisecond})
		ctx := context.Background()
		conn, err := d.db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = conn.Close() }()
		if _, err := conn.ExecContext(ctx, "BEGIN; LOCK TABLE auth_user IN ACCESS EXCLUSIVE MODE"); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		_, err = store.UserByUsername(ctx, "alice")
		elapsed := time.Since(start)
		if err == nil || errors.Is(err, jwtauth.ErrUserNotFound) || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("lookup against a locked table: %v, want a deadline exceeded", err)
		}
		if elapsed > 3*time.Second {
			t.Errorf("the lookup took %v; the store's Timeout is 300 ms", elapsed)
		}
		start = time.Now()
		_, err = store.UserByID(ctx, "1")
		if elapsed := time.Since(start); err == nil || errors.Is(err, jwtauth.ErrUserNotFound) || !errors.Is(err, context.DeadlineExceeded) || elapsed > 3*time.Second {
			t.Errorf("lookup by id against a locked table: %v after %v, want a deadline exceeded within the Timeout", err, elapsed)
		}
		if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
			t.Fatal(err)
		}
		if u, err := store.UserByUsername(ctx, "alice"); err != nil || u.Username != "alice" {
			t.Errorf("after the lock: %+v, %v", u, err)
		}
	}
}

// TestMaxConns: New bounds a *sql.DB that has no bound of its own, and
// leaves one the caller bounded; negative settings are refused.
func TestMaxConns(t *testing.T) {
	d := openSQLite(t)
	newStore(t, d, sqlstore.Settings{})
	if n := d.db.Stats().MaxOpenConnections; n != 10 {
		t.Errorf("an unbounded pool got %d connections at most, want the default 10", n)
	}
	d2 := openSQLite(t)
	d2.db.SetMaxOpenConns(3)
	newStore(t, d2, sqlstore.Settings{MaxConns: 50})
	if n := d2.db.Stats().MaxOpenConnections; n != 3 {
		t.Errorf("the caller's bound of 3 became %d", n)
	}
	for _, s := range []sqlstore.Settings{{Dialect: "sqlite", MaxConns: -1}, {Dialect: "sqlite", Timeout: -time.Second}} {
		if _, err := sqlstore.New(context.Background(), d.db, s); err == nil {
			t.Errorf("New(%+v) succeeded", s)
		}
	}
}

// TestBlacklistStatementTimeout: the blacklist's statements are bounded by
// the store's Timeout too; Blacklisted then answers false with a deadline
// exceeded, never a plain "not blacklisted". On PostgreSQL, as above.
func TestBlacklistStatementTimeout(t *testing.T) {
	t.Parallel()
	d := openPostgres(t)
	d.exec(t, blacklistSchema[d.dialect]...)
	bl := newBlacklist(t, d, sqlstore.Settings{Timeout: 300 * time.Millisecond})
	ctx := context.Background()
	tok := blacklist.Token{JTI: "a", Token: "t", ExpiresAt: blacklistNow}
	if err := bl.Blacklist(ctx, tok); err != nil {
		t.Fatal(err)
	}
	conn, err := d.db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	if _, err := conn.ExecContext(ctx, "BEGIN; LOCK TABLE token_blacklist_outstandingtoken, token_blacklist_blacklistedtoken IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	for name, call := range map[string]func() (bool, error){
		"Blacklisted": func() (bool, error) { return bl.Blacklisted(ctx, "a") },
		"Blacklist": func() (bool, error) {
			return false, bl.Blacklist(ctx, blacklist.Token{JTI: "b", ExpiresAt: blacklistNow})
		},
		"Outstanding": func() (bool, error) {
			return false, bl.Outstanding(ctx, blacklist.Token{JTI: "c", ExpiresAt: blacklistNow})
		},
	} {
		start := time.Now()
		ok, err := call()
		if elapsed := time.Since(start); ok || !errors.Is(err, context.DeadlineExceeded) || elapsed > 3*time.Second {
			t.Errorf("%s against locked tables: %v, %v after %v; want a deadline exceeded within the Timeout", name, ok, err, elapsed)
		}
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		t.Fatal(err)
	}
	if ok, err := bl.Blacklisted(ctx, "a"); !ok || err != nil {
		t.Errorf("after the lock: %v, %v", ok, err)
	}
}

// TestSessionStatementTimeout: the session lookup is bounded by the
// store's Timeout: against a locked django_session it fails within it,
// as a failure of the store, never as "no session"; once the lock goes,
// the session is found again. On PostgreSQL, as above.
func TestSessionStatementTimeout(t *testing.T) {
	t.Parallel()
	d := openPostgres(t)
	d.exec(t, sessionSchema[d.dialect]...)
	addSession(t, d, "django_session", sessionKey, "data", sessionNow.Add(time.Hour))
	ss := newSessions(t, d, sqlstore.Settings{Timeout: 300 * time.Millisecond})
	ctx := context.Background()
	conn, err := d.db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	if _, err := conn.ExecContext(ctx, "BEGIN; LOCK TABLE django_session IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	got, err := ss.Session(ctx, sessionKey, sessionNow)
	if elapsed := time.Since(start); got != "" || errors.Is(err, sqlstore.ErrNoSession) || !errors.Is(err, context.DeadlineExceeded) || elapsed > 3*time.Second {
		t.Errorf("Session against a locked table: %q, %v after %v; want a deadline exceeded within the Timeout", got, err, elapsed)
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		t.Fatal(err)
	}
	if got, err := ss.Session(ctx, sessionKey, sessionNow); got != "data" || err != nil {
		t.Errorf("after the lock: %q, %v", got, err)
	}
}
