package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jwtauth-go/jwtauth/session"
)

// ErrNoSession is the answer of Sessions.Session when no session has the
// key, or it expired: the request has no session, as Django's
// SessionMiddleware would find. Any other error is a failure of the
// database.
// It is session.ErrNotFound, so that Sessions is a session.Store.
var ErrNoSession = session.ErrNotFound

var _ session.Store = (*Sessions)(nil)

// Session keys Django would look up: it makes them 32 characters of
// [a-z0-9] (contrib/sessions/backends/base.py, VALID_KEY_CHARS), and loads
// any key of at least 8 characters (_validate_session_key; a shorter one is
// no session at all, whatever the table holds). django_session.session_key
// is a varchar(40), which bounds the longest.
const (
	minSessionKey = 8
	maxSessionKey = 40
)

// Sessions reads Django's database sessions (SESSION_ENGINE
// "django.contrib.sessions.backends.db", Django's default, and the
// database half of "cached_db") from Settings.SessionTable: the
// session_data of a session key, as the session package decodes it. Get
// one from Store.Sessions; it is safe for concurrent use.
type Sessions struct {
	s    *Store
	stmt *sql.Stmt // session_data by session_key, unexpired at a time given
}

// Sessions returns the reader of Django's database sessions over the
// store's database. Its statement is prepared here, so that a missing
// table or column is reported now; Store.Close closes it.
func (s *Store) Sessions(ctx context.Context) (*Sessions, error) {
	q := s.q
	t := q.ident(s.s.SessionTable)
	col := func(name string) string { return t + "." + q.ident(name) }
	// Django's own query (backends/db.py, _get_session_from_db): the
	// primary key and expire_date__gt=timezone.now(), one indexed lookup.
	stmt, err := s.prepare(ctx, "session lookup", fmt.Sprintf("SELECT %s FROM %s WHERE %s = %s AND %s > %s",
		col("session_data"), t, col("session_key"), q.placeholder(1), col("expire_date"), q.placeholder(2)))
	if err != nil {
		return nil, fmt.Errorf("%w (Sessions wants Django's session table as its migrate makes it: "+
			"%s with session_key, session_data and expire_date)", err, s.s.SessionTable)
	}
	return &Sessions{s: s, stmt: stmt}, nil
}

// validSessionKey reports whether Django could have made key and would
// look it up: 8 to 40 characters of [a-z0-9]. Anything else is no
// session, without asking the database; the lower case also keeps MySQL's
// case-insensitive collations from matching a key Django did not make.
func validSessionKey(key string) bool {
	if len(key) < minSessionKey || len(key) > maxSessionKey {
		return false
	}
	for i := 0; i < len(key); i++ {
		if c := key[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// Session returns the session_data of the session whose key is key (the
// sessionid cookie) if it is unexpired at now: its expire_date is after
// now, compared as Django compares it, so that a session ends here at the
// microsecond it ends for Django. now must be the real time: the zero time
// is refused, as it would make every session current. A key Django cannot
// have made or would not load (see ErrNoSession) is not looked up. It runs
// one query, within Settings.Timeout. No session (none with the key, or
// expired) is an error wrapping ErrNoSession; any other error is a failure
// of the database or of ctx (the request is answered 503), and never shows
// the key.
func (ss *Sessions) Session(ctx context.Context, key string, now time.Time) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("sqlstore: session lookup: %w", err)
	}
	if now.IsZero() {
		return "", errors.New("sqlstore: session lookup: no time given")
	}
	if !validSessionKey(key) {
		return "", ErrNoSession
	}
	ctx, cancel := context.WithTimeout(ctx, ss.s.s.Timeout)
	defer cancel()
	var data string
	// The time is written as Django's backend writes its parameter for
	// expire_date: naive UTC text on SQLite and MySQL, which compares
	// with the stored text as the times do, a time.Time for PostgreSQL's
	// timestamptz.
	switch err := ss.stmt.QueryRowContext(ctx, key, ss.s.q.timestamp(now)).Scan(&data); {
	case errors.Is(err, sql.ErrNoRows):
		return "", ErrNoSession
	case err != nil:
		return "", fmt.Errorf("sqlstore: session lookup: %w", err)
	}
	return data, nil
}
