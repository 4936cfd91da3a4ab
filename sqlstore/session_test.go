package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jwtauth-go/jwtauth/internal/djangotest"
	"github.com/jwtauth-go/jwtauth/sqlstore"
)

// sessionStore is the session package's Store, as its contract gives it:
// what Sessions must be for SessionAuthentication to read database
// sessions.
type sessionStore interface {
	Session(ctx context.Context, key string, now time.Time) (data string, err error)
}

var _ sessionStore = (*sqlstore.Sessions)(nil)

// sessionSchema is the DDL Django 3.2's migrate runs for
// django.contrib.sessions (its 0001_initial, Debian's python3-django):
// sqlmigrate's text, which sqlite_master holds unchanged on SQLite and
// pg_dump reads back on PostgreSQL.
var sessionSchema = map[string][]string{
	"sqlite": {
		`CREATE TABLE "django_session" ("session_key" varchar(40) NOT NULL PRIMARY KEY, "session_data" text NOT NULL, "expire_date" datetime NOT NULL)`,
		`CREATE INDEX "django_session_expire_date_a5c62663" ON "django_session" ("expire_date")`,
	},
	"postgres": {
		`CREATE TABLE "django_session" ("session_key" varchar(40) NOT NULL PRIMARY KEY, "session_data" text NOT NULL, "expire_date" timestamp with time zone NOT NULL)`,
		`CREATE INDEX "django_session_session_key_c0390e0f_like" ON "django_session" ("session_key" varchar_pattern_ops)`,
		`CREATE INDEX "django_session_expire_date_a5c62663" ON "django_session" ("expire_date")`,
	},
}

// sessionNow is the time the tests ask at: a whole second, so that
// Django's text for it has no fraction.
var sessionNow = time.Date(2026, 11, 23, 7, 0, 0, 0, time.UTC)

// sessionKey is a key as Django makes them: 32 characters of [a-z0-9].
const sessionKey = "k1ttg9hd0fx2ur7mm3wq8z5vbnc4ep6a"

// addSession inserts a session row as Django's db backend writes it:
// expire_date as Python's str() of the naive UTC time on SQLite (pyTime),
// a timestamptz on PostgreSQL.
func addSession(t testing.TB, d *testDB, table, key, data string, expire time.Time) {
	t.Helper()
	var e any = expire.UTC().Truncate(time.Microsecond)
	if d.dialect == "sqlite" {
		e = pyTime(expire)
	}
	d.execArgs(t, `INSERT INTO `+table+` (session_key, session_data, expire_date) VALUES (?, ?, ?)`, key, data, e)
}

// newSessions returns the session reader of a store over d with s.
func newSessions(t testing.TB, d *testDB, s sqlstore.Settings) *sqlstore.Sessions {
	t.Helper()
	ss, err := newStore(t, d, s).Sessions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return ss
}

// TestSessions: a session is found while its expire_date is after the
// time asked, to the microsecond, on each database, with the times
// written as Django writes them; expired and unknown keys are
// ErrNoSession, and so are keys Django cannot have made, even where the
// table holds a row of that key.
func TestSessions(t *testing.T) {
	const data = "eyJfYXV0aF91c2VyX2lkIjoiMSJ9:1tB4Xf:signature"
	µs := time.Microsecond
	for _, tc := range []struct {
		name   string
		rowKey string    // "" for no row
		expire time.Time // of the row
		key    string    // asked
		now    time.Time
		found  bool
	}{
		{"found", sessionKey, sessionNow.Add(14 * 24 * time.Hour), sessionKey, sessionNow, true},
		{"expires a microsecond later", sessionKey, sessionNow.Add(µs), sessionKey, sessionNow, true},
		{"expires a second later", sessionKey, sessionNow.Add(time.Second), sessionKey, sessionNow, true},
		{"expires at a whole second, asked a microsecond before", sessionKey, sessionNow, sessionKey, sessionNow.Add(-µs), true},
		{"expires with a fraction, asked at the whole second", sessionKey, sessionNow.Add(500 * time.Millisecond), sessionKey, sessionNow, true},
		{"asked in another zone", sessionKey, sessionNow.Add(time.Hour), sessionKey, sessionNow.In(time.FixedZone("CEST", 2*3600)).Add(59 * time.Minute), true},
		{"asked with nanoseconds, cut as Django's microseconds", sessionKey, sessionNow.Add(µs), sessionKey, sessionNow.Add(999), true},
		{"expire_date == now", sessionKey, sessionNow, sessionKey, sessionNow, false},
		{"expire_date == now, with a fraction", sessionKey, sessionNow.Add(123456 * µs), sessionKey, sessionNow.Add(123456 * µs), false},
		{"expired a microsecond before", sessionKey, sessionNow.Add(-µs), sessionKey, sessionNow, false},
		{"expired at a whole second, asked a microsecond after", sessionKey, sessionNow, sessionKey, sessionNow.Add(µs), false},
		{"expired long ago", sessionKey, sessionNow.Add(-30 * 24 * time.Hour), sessionKey, sessionNow, false},
		{"asked in another zone, expired", sessionKey, sessionNow, sessionKey, sessionNow.In(time.FixedZone("EST", -5*3600)), false},
		{"unknown key", sessionKey, sessionNow.Add(time.Hour), "0000000000000000000000000000000a", sessionNow, false},
		{"no rows", "", time.Time{}, sessionKey, sessionNow, false},
		{"a key of 8 characters, Django's least", "abcdefgh", sessionNow.Add(time.Hour), "abcdefgh", sessionNow, true},
		{"a key of 40 characters, the column's most", strings.Repeat("a", 40), sessionNow.Add(time.Hour), strings.Repeat("a", 40), sessionNow, true},
		{"an md5 hex key of old Django", "5d41402abc4b2a76b9719d911017c592", sessionNow.Add(time.Hour), "5d41402abc4b2a76b9719d911017c592", sessionNow, true},
		// Rows Django would never load: not asked for.
		{"7 characters: Django loads no such key", "abcdefg", sessionNow.Add(time.Hour), "abcdefg", sessionNow, false},
		{"upper case", "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345", sessionNow.Add(time.Hour), "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345", sessionNow, false},
		{"a space", "abcd efghijklmnop", sessionNow.Add(time.Hour), "abcd efghijklmnop", sessionNow, false},
		{"a trailing space", sessionKey + " ", sessionNow.Add(time.Hour), sessionKey + " ", sessionNow, false},
		{"punctuation", "abcdefgh'--", sessionNow.Add(time.Hour), "abcdefgh'--", sessionNow, false},
		{"the key cut short", sessionKey, sessionNow.Add(time.Hour), sessionKey[:31], sessionNow, false},
		{"empty", sessionKey, sessionNow.Add(time.Hour), "", sessionNow, false},
		{"41 characters", "", time.Time{}, strings.Repeat("a", 41), sessionNow, false},
		{"NUL", "", time.Time{}, sessionKey[:8] + "\x00", sessionNow, false},
		{"not UTF-8", "", time.Time{}, sessionKey[:8] + "\xff", sessionNow, false},
		{"non-ASCII", "", time.Time{}, "schlüssel1", sessionNow, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			forEachDB(t, func(t *testing.T, d *testDB) {
				d.exec(t, sessionSchema[d.dialect]...)
				if tc.rowKey != "" {
					addSession(t, d, "django_session", tc.rowKey, data, tc.expire)
				}
				got, err := newSessions(t, d, sqlstore.Settings{}).Session(context.Background(), tc.key, tc.now)
				switch {
				case tc.found && (err != nil || got != data):
					t.Errorf("Session = %q, %v; want the row's session_data", got, err)
				case !tc.found && (got != "" || !errors.Is(err, sqlstore.ErrNoSession)):
					t.Errorf("Session = %q, %v; want ErrNoSession", got, err)
				}
			})
		})
	}
}

// TestSessionsNoQuery: a key Django cannot have made is no session
// without a query: on a closed database it is still ErrNoSession, where a
// well-formed key is the database's error.
func TestSessionsNoQuery(t *testing.T) {
	forEachDB(t, func(t *testing.T, d *testDB) {
		d.exec(t, sessionSchema[d.dialect]...)
		ss := newSessions(t, d, sqlstore.Settings{})
		if err := d.db.Close(); err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		for _, key := range []string{"", "short", "UPPERCASE123456789", sessionKey + "x" + sessionKey, "abc def ghi", sessionKey[:8] + "\x00"} {
			if _, err := ss.Session(ctx, key, sessionNow); err != sqlstore.ErrNoSession {
				t.Errorf("Session(%q) on a closed database: %v; want ErrNoSession, with no query", key, err)
			}
		}
		_, err := ss.Session(ctx, sessionKey, sessionNow)
		if err == nil || errors.Is(err, sqlstore.ErrNoSession) || !errors.Is(err, sql.ErrConnDone) && !strings.Contains(err.Error(), "closed") {
			t.Errorf("Session of a well-formed key on a closed database: %v; want the database's error", err)
		}
		if err != nil && strings.Contains(err.Error(), sessionKey) {
			t.Errorf("the error shows the session key: %v", err)
		}
	})
}

// TestSessionsFailures: a cancelled request and a missing time are
// errors, not "no session"; neither shows the key.
func TestSessionsFailures(t *testing.T) {
	forEachDB(t, func(t *testing.T, d *testDB) {
		d.exec(t, sessionSchema[d.dialect]...)
		addSession(t, d, "django_session", sessionKey, "data", sessionNow.Add(time.Hour))
		ss := newSessions(t, d, sqlstore.Settings{})
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		for name, call := range map[string]func() (string, error){
			"cancelled": func() (string, error) { return ss.Session(ctx, sessionKey, sessionNow) },
			"zero time": func() (string, error) { return ss.Session(context.Background(), sessionKey, time.Time{}) },
		} {
			got, err := call()
			if got != "" || err == nil || errors.Is(err, sqlstore.ErrNoSession) || strings.Contains(err.Error(), sessionKey) {
				t.Errorf("%s: %q, %v; want a failure, without the key", name, got, err)
			}
		}
		if _, err := ss.Session(ctx, sessionKey, sessionNow); !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled: %v; want context.Canceled", err)
		}
	})
}

// TestSessionsTable: Sessions(ctx) checks the table and its columns, with
// an error that names what is missing and no DSN; the table's name is a
// setting, refused by New unless a plain identifier.
func TestSessionsTable(t *testing.T) {
	forEachDB(t, func(t *testing.T, d *testDB) {
		ctx := context.Background()
		table := sessionSchema[d.dialect][0]
		for _, tc := range []struct {
			name  string
			ddl   []string
			s     sqlstore.Settings
			table string // where the row goes
			want  string // in the error; "" for none
		}{
			{"no table", nil, sqlstore.Settings{}, "", "django_session"},
			{"no expire_date", []string{strings.Replace(table, `"expire_date"`, `"expires"`, 1)}, sqlstore.Settings{}, "", "session lookup"},
			{"no session_data", []string{strings.Replace(table, `"session_data"`, `"data"`, 1)}, sqlstore.Settings{}, "", "session lookup"},
			{"no session_key", []string{strings.Replace(table, `"session_key"`, `"key"`, 1)}, sqlstore.Settings{}, "", "session lookup"},
			{"the default table, named", []string{table}, sqlstore.Settings{SessionTable: "django_session"}, "django_session", ""},
			{"a table of another name", []string{strings.Replace(table, "django_session", "web_sessions", 1)},
				sqlstore.Settings{SessionTable: "web_sessions"}, "web_sessions", ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var dd *testDB
				if d.dialect == "sqlite" {
					dd = openSQLite(t)
				} else {
					dd = openPostgres(t)
				}
				dd.exec(t, tc.ddl...)
				ss, err := newStore(t, dd, tc.s).Sessions(ctx)
				if tc.want == "" {
					if err != nil {
						t.Fatal(err)
					}
					addSession(t, dd, tc.table, sessionKey, "data", sessionNow.Add(time.Hour))
					if got, err := ss.Session(ctx, sessionKey, sessionNow); got != "data" || err != nil {
						t.Errorf("Session = %q, %v", got, err)
					}
					return
				}
				if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "Django's session table") {
					t.Errorf("Sessions(ctx): %v; want an error mentioning %q", err, tc.want)
				}
				if dsn := os.Getenv(djangotest.PostgresDSN); err != nil && dsn != "" && strings.Contains(err.Error(), dsn) {
					t.Errorf("the error shows the DSN: %v", err)
				}
			})
		}
		for _, name := range []string{"a-b", "x; DROP TABLE y", "1sessions"} {
			if st, err := sqlstore.New(ctx, d.db, sqlstore.Settings{Dialect: d.dialect, SessionTable: name}); err == nil || !strings.Contains(err.Error(), "SessionTable") {
				if st != nil {
					_ = st.Close()
				}
				t.Errorf("New(SessionTable %q): %v; want it refused", name, err)
			}
		}
	})
}

// TestSessionsClose: Store.Close closes the session statement: lookups
// then fail, not "no session", and Sessions(ctx) is refused.
func TestSessionsClose(t *testing.T) {
	forEachDB(t, func(t *testing.T, d *testDB) {
		d.exec(t, sessionSchema[d.dialect]...)
		addSession(t, d, "django_session", sessionKey, "data", sessionNow.Add(time.Hour))
		ctx := context.Background()
		store, err := sqlstore.New(ctx, d.db, sqlstore.Settings{Dialect: d.dialect})
		if err != nil {
			t.Fatal(err)
		}
		ss, err := store.Sessions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := ss.Session(ctx, sessionKey, sessionNow); got != "data" || err != nil {
			t.Fatalf("before Close: %q, %v", got, err)
		}
		if err := store.Close(); err != nil {
			t.Fatal(err)
		}
		if got, err := ss.Session(ctx, sessionKey, sessionNow); got != "" || err == nil || errors.Is(err, sqlstore.ErrNoSession) {
			t.Errorf("Session after Close: %q, %v; want a failure of the store", got, err)
		}
		if _, err := store.Sessions(ctx); err == nil {
			t.Error("Sessions(ctx) after Close succeeded")
		}
		if err := d.db.PingContext(ctx); err != nil {
			t.Errorf("the *sql.DB after Close: %v", err)
		}
	})
}
