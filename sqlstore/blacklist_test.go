package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jwtauth-go/jwtauth/blacklist"
	"github.com/jwtauth-go/jwtauth/internal/djangotest"
	"github.com/jwtauth-go/jwtauth/sqlstore"
)

// blacklistSchema is the DDL Django 3.2's migrate runs for simplejwt
// 5.2.2's token_blacklist app (Debian's python3-djangorestframework-simplejwt),
// after Schema's auth_user: read back from the databases it made,
// sqlite_master for SQLite, pg_dump for PostgreSQL (its sequences and
// constraints folded into the CREATE TABLEs: bigserial is a bigint with its
// own sequence).
var blacklistSchema = map[string][]string{
	"sqlite": {
		`CREATE TABLE "token_blacklist_outstandingtoken" ("token" text NOT NULL, "created_at" datetime NULL, "expires_at" datetime NOT NULL, "user_id" integer NULL REFERENCES "auth_user" ("id") DEFERRABLE INITIALLY DEFERRED, "jti" varchar(255) NOT NULL UNIQUE, "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT)`,
		`CREATE INDEX "token_blacklist_outstandingtoken_user_id_83bc629a" ON "token_blacklist_outstandingtoken" ("user_id")`,
		`CREATE TABLE "token_blacklist_blacklistedtoken" ("blacklisted_at" datetime NOT NULL, "token_id" bigint NOT NULL UNIQUE REFERENCES "token_blacklist_outstandingtoken" ("id") DEFERRABLE INITIALLY DEFERRED, "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT)`,
	},
	"postgres": {
		`CREATE TABLE "token_blacklist_outstandingtoken" ("id" bigserial NOT NULL PRIMARY KEY, "token" text NOT NULL, "created_at" timestamp with time zone NULL, "expires_at" timestamp with time zone NOT NULL, "user_id" integer NULL REFERENCES "auth_user" ("id") DEFERRABLE INITIALLY DEFERRED, "jti" varchar(255) NOT NULL UNIQUE)`,
		`CREATE INDEX "token_blacklist_outstandingtoken_jti_hex_d9bdf6f7_like" ON "token_blacklist_outstandingtoken" ("jti" varchar_pattern_ops)`,
		`CREATE INDEX "token_blacklist_outstandingtoken_user_id_83bc629a" ON "token_blacklist_outstandingtoken" ("user_id")`,
		`CREATE TABLE "token_blacklist_blacklistedtoken" ("id" bigserial NOT NULL PRIMARY KEY, "blacklisted_at" timestamp with time zone NOT NULL, "token_id" bigint NOT NULL UNIQUE REFERENCES "token_blacklist_outstandingtoken" ("id") DEFERRABLE INITIALLY DEFERRED)`,
	},
}

// uuidBlacklistSchema is blacklistSchema for customSchema's user model,
// whose primary key is a UUID: Django makes user_id a char(32) on SQLite
// and a uuid on PostgreSQL, referencing accounts_user (checked against
// Django 3.2's migrate with such a model).
func uuidBlacklistSchema(dialect string) []string {
	typ := map[string]string{"sqlite": "char(32)", "postgres": "uuid"}[dialect]
	var ddl []string
	for _, s := range blacklistSchema[dialect] {
		ddl = append(ddl, strings.Replace(s, `"user_id" integer NULL REFERENCES "auth_user" ("id")`,
			`"user_id" `+typ+` NULL REFERENCES "accounts_user" ("uuid")`, 1))
	}
	return ddl
}

// blacklistNow is the stores' clock here: blacklisted_at.
var blacklistNow = time.Date(2026, 11, 23, 7, 0, 0, 500000000, time.UTC)

// newBlacklist returns the blacklist of a store over d with s.
func newBlacklist(t testing.TB, d *testDB, s sqlstore.Settings) *sqlstore.Blacklist {
	t.Helper()
	if s.Now == nil {
		s.Now = func() time.Time { return blacklistNow }
	}
	bl, err := newStore(t, d, s).Blacklist(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return bl
}

// tokenRow is a token's outstanding row joined to its blacklisted row, as
// Django's SQLite backend writes the values (pyTime); "" for NULL.
type tokenRow struct {
	userID, token, createdAt, expiresAt, blacklistedAt string
}

// pyTime writes t as Django writes a DateTimeField to SQLite: Python's
// str() of the naive UTC datetime.
func pyTime(t time.Time) string {
	t = t.UTC()
	if t.Nanosecond() == 0 {
		return t.Format("2006-01-02 15:04:05")
	}
	return t.Format("2006-01-02 15:04:05.000000")
}

// readRow reads the rows of jti with plain SQL: on SQLite the text
// stored, on PostgreSQL the times, in pyTime's form. found is false when
// there is no outstanding row.
func readRow(t *testing.T, d *testDB, jti string) (r tokenRow, found bool) {
	t.Helper()
	if strings.IndexByte(jti, 0) >= 0 {
		return tokenRow{}, false // PostgreSQL refuses to be asked
	}
	cols := `o.user_id, o.token, CAST(o.created_at AS TEXT), CAST(o.expires_at AS TEXT), CAST(b.blacklisted_at AS TEXT)`
	if d.dialect == "postgres" {
		cols = `CAST(o.user_id AS TEXT), o.token, o.created_at, o.expires_at, b.blacklisted_at`
	}
	var user, token sql.NullString
	var times [3]any
	err := d.db.QueryRow(d.rebind(`SELECT `+cols+` FROM token_blacklist_outstandingtoken o
		LEFT JOIN token_blacklist_blacklistedtoken b ON b.token_id = o.id WHERE o.jti = ?`), jti).Scan(&user, &token, &times[0], &times[1], &times[2])
	if errors.Is(err, sql.ErrNoRows) {
		return tokenRow{}, false
	}
	if err != nil {
		t.Fatal(err)
	}
	var text [3]string
	for i, v := range times {
		switch x := v.(type) {
		case nil:
		case string:
			text[i] = x
		case []byte:
			text[i] = string(x)
		case time.Time:
			text[i] = pyTime(x)
		default:
			t.Fatalf("a timestamp of type %T", v)
		}
	}
	return tokenRow{user.String, token.String, text[0], text[1], text[2]}, true
}

// count is the number of rows of a table.
func count(t *testing.T, d *testDB, table string) int {
	t.Helper()
	var n int
	if err := d.db.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestBlacklist: simplejwt's semantics over its tables, on each database,
// with the rows read back as Django wrote them: Outstanding records,
// Blacklist gets or creates both rows, both are idempotent, and
// Blacklisted joins the two.
func TestBlacklist(t *testing.T) {
	created := time.Date(2026, 11, 23, 8, 7, 8, 123456789, time.FixedZone("CEST", 2*3600)) // 06:07:08.123456 UTC
	expires := time.Date(2026, 11, 24, 6, 7, 8, 0, time.UTC)                               // a whole second, as exp is
	tok := func(jti, user string) blacklist.Token {
		return blacklist.Token{JTI: jti, UserID: user, Token: "token-of-" + jti, CreatedAt: created, ExpiresAt: expires}
	}
	const (
		createdText = "2026-11-23 06:07:08.123456"
		expiresText = "2026-11-24 06:07:08"
		blText      = "2026-11-23 07:00:00.500000"
	)
	type call struct {
		op  string // "outstanding" or "blacklist"
		tok blacklist.Token
	}
	for _, tc := range []struct {
		name        string
		calls       []call
		jti         string
		blacklisted bool
		row         tokenRow // the zero row: none
	}{
		{"outstanding", []call{{"outstanding", tok("a", "1")}}, "a", false,
			tokenRow{"1", "token-of-a", createdText, expiresText, ""}},
		{"outstanding twice", []call{{"outstanding", tok("a", "1")}, {"outstanding", tok("a", "1")}}, "a", false,
			tokenRow{"1", "token-of-a", createdText, expiresText, ""}},
		{"outstanding, then blacklisted", []call{{"outstanding", tok("a", "1")}, {"blacklist", tok("a", "1")}}, "a", true,
			tokenRow{"1", "token-of-a", createdText, expiresText, blText}},
		{"blacklisted twice", []call{{"outstanding", tok("a", "1")}, {"blacklist", tok("a", "1")}, {"blacklist", tok("a", "1")}, {"outstanding", tok("a", "1")}}, "a", true,
			tokenRow{"1", "token-of-a", createdText, expiresText, blText}},
		{"never recorded: both rows made", []call{{"blacklist", tok("a", "1")}}, "a", true,
			tokenRow{"1", "token-of-a", createdText, expiresText, blText}},
		{"never recorded, no user, no iat: NULLs", []call{{"blacklist", blacklist.Token{JTI: "a", Token: "t", ExpiresAt: expires}}}, "a", true,
			tokenRow{"", "t", "", expiresText, blText}},
		{"the recorded row is kept as it is", []call{
			{"outstanding", tok("a", "1")},
			{"blacklist", blacklist.Token{JTI: "a", Token: "other", ExpiresAt: expires.Add(time.Hour)}},
		}, "a", true, tokenRow{"1", "token-of-a", createdText, expiresText, blText}},
		{"an unknown user is NULL", []call{{"blacklist", tok("a", "999")}}, "a", true,
			tokenRow{"", "token-of-a", createdText, expiresText, blText}},
		{"an id that is no key is NULL", []call{{"outstanding", tok("a", "abc")}}, "a", false,
			tokenRow{"", "token-of-a", createdText, expiresText, ""}},
		{"the inactive user", []call{{"outstanding", tok("a", "2")}}, "a", false,
			tokenRow{"2", "token-of-a", createdText, expiresText, ""}},
		{"another jti", []call{{"blacklist", tok("a", "1")}}, "b", false, tokenRow{}},
		{"nothing", nil, "a", false, tokenRow{}},
		{"an empty jti", []call{{"blacklist", tok("a", "1")}}, "", false, tokenRow{}},
		{"a jti too long to be stored", []call{{"blacklist", tok("a", "1")}}, strings.Repeat("a", 256), false, tokenRow{}},
		{"a jti with NUL", []call{{"blacklist", tok("a", "1")}}, "a\x00", false, tokenRow{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			forEachDB(t, func(t *testing.T, d *testDB) {
				d.addUser(t, "alice", "", true, "!")
				d.addUser(t, "inactive", "", false, "!")
				d.exec(t, blacklistSchema[d.dialect]...)
				bl := newBlacklist(t, d, sqlstore.Settings{})
				ctx := context.Background()
				for _, c := range tc.calls {
					f := bl.Outstanding
					if c.op == "blacklist" {
						f = bl.Blacklist
					}
					if err := f(ctx, c.tok); err != nil {
						t.Fatalf("%s(%s): %v", c.op, c.tok.JTI, err)
					}
				}
				if got, err := bl.Blacklisted(ctx, tc.jti); got != tc.blacklisted || err != nil {
					t.Errorf("Blacklisted = %v, %v; want %v", got, err, tc.blacklisted)
				}
				got, found := readRow(t, d, tc.jti)
				if found != (tc.row != tokenRow{}) || got != tc.row {
					t.Errorf("rows:\n got %+v (found %v)\nwant %+v", got, found, tc.row)
				}
				// One row per token, whatever was called twice.
				if n := count(t, d, "token_blacklist_outstandingtoken"); n > 1 {
					t.Errorf("%d outstanding rows", n)
				}
				if n := count(t, d, "token_blacklist_blacklistedtoken"); n > 1 {
					t.Errorf("%d blacklisted rows", n)
				}
			})
		})
	}
}

// TestBlacklistTimestamps: blacklisted_at is the store's Now, as Django
// writes it: no fraction when the microseconds are zero, a naive UTC time
// whatever the clock's zone, nanoseconds cut to microseconds.
func TestBlacklistTimestamps(t *testing.T) {
	for _, tc := range []struct {
		name string
		now  time.Time
		want string
	}{
		{"whole second", time.Date(2026, 11, 23, 7, 0, 0, 0, time.UTC), "2026-11-23 07:00:00"},
		{"a microsecond", time.Date(2026, 11, 23, 7, 0, 0, 1000, time.UTC), "2026-11-23 07:00:00.000001"},
		{"less than a microsecond", time.Date(2026, 11, 23, 7, 0, 0, 999, time.UTC), "2026-11-23 07:00:00"},
		{"another zone, nanoseconds", time.Date(2026, 11, 23, 2, 0, 0, 999999999, time.FixedZone("EST", -5*3600)), "2026-11-23 07:00:00.999999"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			forEachDB(t, func(t *testing.T, d *testDB) {
				d.exec(t, blacklistSchema[d.dialect]...)
				bl := newBlacklist(t, d, sqlstore.Settings{Now: func() time.Time { return tc.now }})
				if err := bl.Blacklist(context.Background(), blacklist.Token{JTI: "a", ExpiresAt: tc.now}); err != nil {
					t.Fatal(err)
				}
				if r, _ := readRow(t, d, "a"); r.blacklistedAt != tc.want || r.expiresAt != tc.want {
					t.Errorf("blacklisted_at %q, expires_at %q; want %q", r.blacklistedAt, r.expiresAt, tc.want)
				}
			})
		})
	}
}

// TestBlacklistUUIDUsers: with a UUID primary key, user_id is written as
// Django stores the key there (32 hex digits in SQLite's char(32), a uuid
// in PostgreSQL), from either text form of the id.
func TestBlacklistUUIDUsers(t *testing.T) {
	const (
		uuid    = "5b0e6a1c-9f3d-4c2e-8a71-0d2f6e4b9c13"
		hexUUID = "5b0e6a1c9f3d4c2e8a710d2f6e4b9c13"
	)
	forEachDB(t, func(t *testing.T, d *testDB) {
		d.exec(t, customSchema[d.dialect]...)
		d.exec(t, uuidBlacklistSchema(d.dialect)...)
		want := uuid
		if d.dialect == "sqlite" {
			want = hexUUID
		}
		d.execArgs(t, `INSERT INTO accounts_user (uuid, passwd, seen, mail, enabled) VALUES (?, '!', NULL, 'ann@example.com', ?)`, want, true)
		bl := newBlacklist(t, d, sqlstore.Settings{
			Table: "accounts_user", IDColumn: "uuid", UsernameColumn: "mail", PasswordColumn: "passwd",
			EmailColumn: "mail", IsActiveColumn: "enabled", LastLoginColumn: "seen", TokenTable: "accounts_token",
		})
		ctx := context.Background()
		for _, tc := range []struct{ jti, userID, want string }{
			{"dashed", uuid, want},
			{"hex", hexUUID, want},
			{"upper case", strings.ToUpper(uuid), want},
			{"unknown", "00000000-0000-4000-8000-000000000000", ""},
			{"malformed", uuid[1:], ""},
			{"an integer", "1", ""},
		} {
			if err := bl.Blacklist(ctx, blacklist.Token{JTI: tc.jti, UserID: tc.userID, Token: "t", ExpiresAt: blacklistNow.Add(time.Hour)}); err != nil {
				t.Fatalf("%s: %v", tc.jti, err)
			}
			if r, _ := readRow(t, d, tc.jti); r.userID != tc.want {
				t.Errorf("%s: user_id %q, want %q", tc.jti, r.userID, tc.want)
			}
		}
	})
}

// TestBlacklistConcurrent: several instances (stores of their own) at
// once, all blacklisting the same tokens, never recorded before: every
// call succeeds, each token gets one row of each table.
func TestBlacklistConcurrent(t *testing.T) {
	forEachDB(t, func(t *testing.T, d *testDB) {
		d.exec(t, blacklistSchema[d.dialect]...)
		const instances, tokens = 4, 25
		var bls []*sqlstore.Blacklist
		for range instances {
			bls = append(bls, newBlacklist(t, d, sqlstore.Settings{}))
		}
		ctx := context.Background()
		for i := range tokens {
			start := make(chan struct{})
			var wg sync.WaitGroup
			errs := make(chan error, 2*instances)
			jti := fmt.Sprint("jti-", i)
			for _, bl := range bls {
				for range 2 { // two callers per instance
					wg.Go(func() {
						<-start
						errs <- bl.Blacklist(ctx, blacklist.Token{JTI: jti, Token: "t", ExpiresAt: blacklistNow.Add(time.Hour)})
					})
				}
			}
			close(start)
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Errorf("%s: %v", jti, err)
				}
			}
			if ok, err := bls[0].Blacklisted(ctx, jti); !ok || err != nil {
				t.Errorf("%s: Blacklisted = %v, %v", jti, ok, err)
			}
		}
		for _, table := range []string{"token_blacklist_outstandingtoken", "token_blacklist_blacklistedtoken"} {
			if n := count(t, d, table); n != tokens {
				t.Errorf("%s: %d rows, want %d", table, n, tokens)
			}
		}
	})
}

// TestBlacklistTables: Blacklist(ctx) checks simplejwt's tables and
// columns, with an error that names what is missing and no DSN; the table
// names are settings.
func TestBlacklistTables(t *testing.T) {
	forEachDB(t, func(t *testing.T, d *testDB) {
		ctx := context.Background()
		ddl := blacklistSchema[d.dialect]
		outstanding, blacklisted := ddl[0], ddl[len(ddl)-1]
		for _, tc := range []struct {
			name  string
			ddl   []string
			s     sqlstore.Settings
			want  string // in the error; "" for none
			names [2]string
		}{
			{"no tables", nil, sqlstore.Settings{}, "token_blacklist_outstandingtoken", [2]string{}},
			{"no blacklisted table", []string{outstanding}, sqlstore.Settings{}, "token_blacklist_blacklistedtoken", [2]string{}},
			{"no blacklisted_at", []string{outstanding, strings.Replace(blacklisted, `"blacklisted_at"`, `"created"`, 1)}, sqlstore.Settings{}, "blacklisted token insert", [2]string{}},
			{"no expires_at", []string{strings.Replace(outstanding, `"expires_at"`, `"expires"`, 1), blacklisted}, sqlstore.Settings{}, "outstanding token insert", [2]string{}},
			{"jti not unique", []string{strings.Replace(outstanding, `varchar(255) NOT NULL UNIQUE`, `varchar(255) NOT NULL`, 1), blacklisted}, sqlstore.Settings{}, "outstanding token insert", [2]string{}},
			{"token_id not unique", []string{outstanding, strings.Replace(blacklisted, `bigint NOT NULL UNIQUE`, `bigint NOT NULL`, 1)}, sqlstore.Settings{}, "blacklisted token insert", [2]string{}},
			{"tables of other names", []string{
				strings.ReplaceAll(outstanding, "token_blacklist_outstandingtoken", "jwt_issued"),
				strings.ReplaceAll(strings.ReplaceAll(blacklisted, "token_blacklist_outstandingtoken", "jwt_issued"), "token_blacklist_blacklistedtoken", "jwt_revoked"),
			}, sqlstore.Settings{OutstandingTokenTable: "jwt_issued", BlacklistedTokenTable: "jwt_revoked"}, "", [2]string{"jwt_issued", "jwt_revoked"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var dd *testDB
				if d.dialect == "sqlite" {
					dd = openSQLite(t)
				} else {
					dd = openPostgres(t)
				}
				dd.exec(t, tc.ddl...)
				bl, err := newStore(t, dd, tc.s).Blacklist(ctx)
				if tc.want == "" {
					if err != nil {
						t.Fatal(err)
					}
					if err := bl.Blacklist(ctx, blacklist.Token{JTI: "a", ExpiresAt: blacklistNow}); err != nil {
						t.Fatal(err)
					}
					if ok, err := bl.Blacklisted(ctx, "a"); !ok || err != nil {
						t.Errorf("Blacklisted = %v, %v", ok, err)
					}
					for _, table := range tc.names {
						if n := count(t, dd, table); n != 1 {
							t.Errorf("%s: %d rows", table, n)
						}
					}
					return
				}
				if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "simplejwt's token_blacklist tables") {
					t.Errorf("Blacklist(ctx): %v; want an error mentioning %q", err, tc.want)
				}
				if dsn := os.Getenv(djangotest.PostgresDSN); err != nil && dsn != "" && strings.Contains(err.Error(), dsn) {
					t.Errorf("the error shows the DSN: %v", err)
				}
			})
		}
		bad := []sqlstore.Settings{{OutstandingTokenTable: "a-b"}, {BlacklistedTokenTable: "x; DROP TABLE y"}}
		for _, s := range bad {
			s.Dialect = d.dialect
			if st, err := sqlstore.New(ctx, d.db, s); err == nil {
				_ = st.Close()
				t.Errorf("New(%+v) succeeded", s)
			}
		}
	})
}

// TestBlacklistRefuses: a token that cannot be stored is an error, which
// shows no token; the database is not written.
func TestBlacklistRefuses(t *testing.T) {
	forEachDB(t, func(t *testing.T, d *testDB) {
		d.exec(t, blacklistSchema[d.dialect]...)
		bl := newBlacklist(t, d, sqlstore.Settings{})
		ctx := context.Background()
		const secret = "eyJhbGciOiJIUzI1NiJ9.secret.token"
		for _, tc := range []struct {
			name string
			tok  blacklist.Token
		}{
			{"no jti", blacklist.Token{Token: secret, ExpiresAt: blacklistNow}},
			{"jti too long", blacklist.Token{JTI: strings.Repeat("é", 256), Token: secret, ExpiresAt: blacklistNow}},
			{"no expiry", blacklist.Token{JTI: "a", Token: secret}},
			{"token with NUL", blacklist.Token{JTI: "a", Token: secret + "\x00", ExpiresAt: blacklistNow}},
		} {
			for name, f := range map[string]func(context.Context, blacklist.Token) error{"Outstanding": bl.Outstanding, "Blacklist": bl.Blacklist} {
				err := f(ctx, tc.tok)
				if err == nil || strings.Contains(err.Error(), "secret") {
					t.Errorf("%s, %s: %v; want an error without the token", tc.name, name, err)
				}
			}
		}
		if n := count(t, d, "token_blacklist_outstandingtoken"); n != 0 {
			t.Errorf("%d rows written", n)
		}
		// 255 characters fit varchar(255), whatever their bytes.
		if err := bl.Blacklist(ctx, blacklist.Token{JTI: strings.Repeat("é", 255), ExpiresAt: blacklistNow}); err != nil {
			t.Errorf("a jti of 255 characters: %v", err)
		}
	})
}

// TestBlacklistDatabaseFailure: a cancelled request or a closed database
// is an error, never "not blacklisted" alone.
func TestBlacklistDatabaseFailure(t *testing.T) {
	forEachDB(t, func(t *testing.T, d *testDB) {
		d.exec(t, blacklistSchema[d.dialect]...)
		bl := newBlacklist(t, d, sqlstore.Settings{})
		tok := blacklist.Token{JTI: "a", Token: "secret.token.text", ExpiresAt: blacklistNow}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if ok, err := bl.Blacklisted(ctx, "a"); ok || !errors.Is(err, context.Canceled) {
			t.Errorf("Blacklisted with a cancelled context: %v, %v", ok, err)
		}
		if err := bl.Blacklist(ctx, tok); !errors.Is(err, context.Canceled) {
			t.Errorf("Blacklist with a cancelled context: %v", err)
		}
		if err := bl.BlacklistUser(ctx, "1"); !errors.Is(err, context.Canceled) {
			t.Errorf("BlacklistUser with a cancelled context: %v", err)
		}
		if err := d.db.Close(); err != nil {
			t.Fatal(err)
		}
		ctx = context.Background()
		if ok, err := bl.Blacklisted(ctx, "a"); ok || err == nil {
			t.Errorf("Blacklisted on a closed database: %v, %v; want false and an error", ok, err)
		}
		for name, f := range map[string]func(context.Context, blacklist.Token) error{"Outstanding": bl.Outstanding, "Blacklist": bl.Blacklist} {
			if err := f(ctx, tok); err == nil || strings.Contains(err.Error(), tok.Token) {
				t.Errorf("%s on a closed database: %v; want an error without the token", name, err)
			}
		}
		if err := bl.BlacklistUser(ctx, "1"); err == nil {
			t.Error("BlacklistUser on a closed database succeeded")
		}
	})
}

// TestBlacklistClose: Store.Close closes the blacklist's statements.
func TestBlacklistClose(t *testing.T) {
	d := openSQLite(t)
	d.exec(t, blacklistSchema["sqlite"]...)
	store, err := sqlstore.New(context.Background(), d.db, sqlstore.Settings{Dialect: "sqlite"})
	if err != nil {
		t.Fatal(err)
	}
	bl, err := store.Blacklist(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	if ok, err := bl.Blacklisted(context.Background(), "a"); ok || err == nil {
		t.Errorf("Blacklisted after Close: %v, %v", ok, err)
	}
	if err := bl.BlacklistUser(context.Background(), "1"); err == nil {
		t.Error("BlacklistUser after Close succeeded")
	}
	if _, err := store.Blacklist(context.Background()); err == nil {
		t.Error("Blacklist(ctx) after Close succeeded")
	}
}

// userTokens records, through Outstanding, the outstanding tokens
// TestBlacklistUser starts from, for users alice and bob, around
// blacklistNow (07:00:00.5): alice's alice-1 and alice-2 unexpired, the
// second by half a second, with a whole-second expires_at, as simplejwt
// writes them (on SQLite the text compares with the fractional Now as the
// times do); alice-expired, alice-now (expiring at Now itself: expired,
// as flushexpiredtokens takes it) and alice-blacklisted, blacklisted an
// hour before Now; bob's bob-1; and nobody's, with a NULL user_id. It
// returns the ids by username.
func userTokens(t *testing.T, d *testDB, bl *sqlstore.Blacklist) map[string]string {
	t.Helper()
	ids := map[string]string{"alice": d.addUser(t, "alice", "", true, "!"), "bob": d.addUser(t, "bob", "", true, "!")}
	second := blacklistNow.Truncate(time.Second)
	ctx := context.Background()
	for _, tok := range []blacklist.Token{
		{JTI: "alice-1", UserID: ids["alice"], ExpiresAt: blacklistNow.Add(time.Hour)},
		{JTI: "alice-2", UserID: ids["alice"], ExpiresAt: second.Add(time.Second)},
		{JTI: "alice-expired", UserID: ids["alice"], ExpiresAt: second},
		{JTI: "alice-now", UserID: ids["alice"], ExpiresAt: blacklistNow},
		{JTI: "alice-blacklisted", UserID: ids["alice"], ExpiresAt: blacklistNow.Add(time.Hour)},
		{JTI: "bob-1", UserID: ids["bob"], ExpiresAt: blacklistNow.Add(time.Hour)},
		{JTI: "nobody", ExpiresAt: blacklistNow.Add(time.Hour)},
	} {
		tok.Token, tok.CreatedAt = "token-of-"+tok.JTI, blacklistNow.Add(-time.Hour)
		if err := bl.Outstanding(ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
	earlier := newBlacklist(t, d, sqlstore.Settings{Now: func() time.Time { return blacklistNow.Add(-time.Hour) }})
	if err := earlier.Blacklist(ctx, blacklist.Token{JTI: "alice-blacklisted", ExpiresAt: blacklistNow.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	return ids
}

// userTokenJTIs are the tokens of userTokens.
var userTokenJTIs = []string{"alice-1", "alice-2", "alice-expired", "alice-now", "alice-blacklisted", "bob-1", "nobody"}

// TestBlacklistUser: BlacklistUser blacklists exactly the user's
// outstanding tokens that are neither expired nor blacklisted yet, with
// blacklisted_at the store's Now, and leaves every other row as it was
// (the token blacklisted before keeps its blacklisted_at). Twice is no
// error and changes nothing; an id no user has, or that cannot be a key,
// blacklists nothing and is no error.
func TestBlacklistUser(t *testing.T) {
	const (
		blText      = "2026-11-23 07:00:00.500000"
		earlierText = "2026-11-23 06:00:00.500000"
	)
	for _, tc := range []struct {
		name  string
		calls []string // usernames of userTokens, or ids as they are
		want  []string // the jtis BlacklistUser blacklists
	}{
		{"the user", []string{"alice"}, []string{"alice-1", "alice-2"}},
		{"twice", []string{"alice", "alice"}, []string{"alice-1", "alice-2"}},
		{"another user", []string{"bob"}, []string{"bob-1"}},
		{"both users", []string{"bob", "alice"}, []string{"alice-1", "alice-2", "bob-1"}},
		{"no call", nil, nil},
		{"an unknown id", []string{"999"}, nil},
		{"an id that is no integer", []string{"abc"}, nil},
		{"an empty id", []string{""}, nil},
		{"an id with a space", []string{" 1"}, nil},
		{"an id with NUL", []string{"1\x00"}, nil},
		{"invalid UTF-8", []string{"\xff"}, nil},
		{"a negative id", []string{"-1"}, nil},
		{"an id too large for PostgreSQL's integer", []string{"2147483648"}, nil},
		{"an id too large for 64 bits", []string{"18446744073709551617"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			forEachDB(t, func(t *testing.T, d *testDB) {
				d.exec(t, blacklistSchema[d.dialect]...)
				bl := newBlacklist(t, d, sqlstore.Settings{})
				ids := userTokens(t, d, bl)
				before := map[string]tokenRow{}
				for _, jti := range userTokenJTIs {
					before[jti], _ = readRow(t, d, jti)
				}
				ctx := context.Background()
				for _, c := range tc.calls {
					id, ok := ids[c]
					if !ok {
						id = c
					}
					if err := bl.BlacklistUser(ctx, id); err != nil {
						t.Fatalf("BlacklistUser(%q): %v", id, err)
					}
				}
				for _, jti := range userTokenJTIs {
					want := before[jti]
					if slices.Contains(tc.want, jti) {
						want.blacklistedAt = blText
					}
					got, found := readRow(t, d, jti)
					if !found || got != want {
						t.Errorf("%s: rows\n got %+v (found %v)\nwant %+v", jti, got, found, want)
					}
					if ok, err := bl.Blacklisted(ctx, jti); ok != (want.blacklistedAt != "") || err != nil {
						t.Errorf("%s: Blacklisted = %v, %v", jti, ok, err)
					}
				}
				if r := before["alice-blacklisted"]; r.blacklistedAt != earlierText {
					t.Fatalf("alice-blacklisted was blacklisted at %q, want %q", r.blacklistedAt, earlierText)
				}
				// One blacklisted row per token, whatever was called twice.
				if n, want := count(t, d, "token_blacklist_blacklistedtoken"), 1+len(tc.want); n != want {
					t.Errorf("%d blacklisted rows, want %d", n, want)
				}
			})
		})
	}
}

// TestBlacklistUserUUID: with a UUID primary key, BlacklistUser takes the
// id in either text form, either case, and finds the rows user_id holds
// as Django stores the key (32 hex digits in SQLite's char(32), a uuid in
// PostgreSQL); a malformed UUID or an integer is no key, and no error.
func TestBlacklistUserUUID(t *testing.T) {
	const (
		uuid    = "5b0e6a1c-9f3d-4c2e-8a71-0d2f6e4b9c13"
		hexUUID = "5b0e6a1c9f3d4c2e8a710d2f6e4b9c13"
	)
	for _, tc := range []struct {
		id          string
		blacklisted bool
	}{
		{uuid, true},
		{hexUUID, true},
		{strings.ToUpper(uuid), true},
		{"00000000-0000-4000-8000-000000000000", false},
		{uuid[1:], false},
		{"1", false},
	} {
		t.Run(tc.id, func(t *testing.T) {
			t.Parallel()
			forEachDB(t, func(t *testing.T, d *testDB) {
				d.exec(t, customSchema[d.dialect]...)
				d.exec(t, uuidBlacklistSchema(d.dialect)...)
				stored := uuid
				if d.dialect == "sqlite" {
					stored = hexUUID
				}
				d.execArgs(t, `INSERT INTO accounts_user (uuid, passwd, seen, mail, enabled) VALUES (?, '!', NULL, 'ann@example.com', ?)`, stored, true)
				bl := newBlacklist(t, d, sqlstore.Settings{
					Table: "accounts_user", IDColumn: "uuid", UsernameColumn: "mail", PasswordColumn: "passwd",
					EmailColumn: "mail", IsActiveColumn: "enabled", LastLoginColumn: "seen", TokenTable: "accounts_token",
				})
				ctx := context.Background()
				for _, tok := range []blacklist.Token{
					{JTI: "ann", UserID: uuid, Token: "t", ExpiresAt: blacklistNow.Add(time.Hour)},
					{JTI: "nobody", Token: "t", ExpiresAt: blacklistNow.Add(time.Hour)},
				} {
					if err := bl.Outstanding(ctx, tok); err != nil {
						t.Fatal(err)
					}
				}
				if err := bl.BlacklistUser(ctx, tc.id); err != nil {
					t.Fatalf("BlacklistUser(%q): %v", tc.id, err)
				}
				for jti, want := range map[string]bool{"ann": tc.blacklisted, "nobody": false} {
					if ok, err := bl.Blacklisted(ctx, jti); ok != want || err != nil {
						t.Errorf("%s: Blacklisted = %v, %v; want %v", jti, ok, err, want)
					}
				}
			})
		})
	}
}

// TestBlacklistUserConcurrent: several instances at once blacklisting the
// same user, while others blacklist that user's tokens one by one, in the
// other order, and record new ones: every call succeeds (a row another
// writer inserted first is no error, and PostgreSQL finds no deadlock),
// each of the user's tokens gets one blacklisted row, and no token of
// another user gets any.
func TestBlacklistUserConcurrent(t *testing.T) {
	forEachDB(t, func(t *testing.T, d *testDB) {
		d.exec(t, blacklistSchema[d.dialect]...)
		alice, bob := d.addUser(t, "alice", "", true, "!"), d.addUser(t, "bob", "", true, "!")
		const instances, rounds, tokens = 4, 5, 20
		var bls []*sqlstore.Blacklist
		for range instances {
			// SQLite has one writer at a time: on a loaded machine, under
			// the race detector, thirteen of them wait longer than the 2 s
			// default for their turn. A PostgreSQL deadlock would still be
			// an error, after its deadlock_timeout (1 s).
			bls = append(bls, newBlacklist(t, d, sqlstore.Settings{Timeout: 30 * time.Second}))
		}
		ctx := context.Background()
		exp := blacklistNow.Add(time.Hour)
		var aliceJTIs []string
		for r := range rounds {
			var round []string
			for i := range tokens {
				for _, u := range []string{alice, bob} {
					jti := fmt.Sprintf("%s-%d-%d", u, r, i)
					if err := bls[0].Outstanding(ctx, blacklist.Token{JTI: jti, UserID: u, Token: "t", ExpiresAt: exp}); err != nil {
						t.Fatal(err)
					}
					if u == alice {
						round = append(round, jti)
					}
				}
			}
			aliceJTIs = append(aliceJTIs, round...)
			start := make(chan struct{})
			var wg sync.WaitGroup
			errs := make(chan error, 3*instances+len(round)+1)
			for _, bl := range bls {
				for range 2 {
					wg.Go(func() {
						<-start
						errs <- bl.BlacklistUser(ctx, alice)
					})
				}
				wg.Go(func() { // another instance issuing a token meanwhile
					<-start
					errs <- bl.Outstanding(ctx, blacklist.Token{JTI: fmt.Sprintf("new-%p-%d", bl, r), UserID: bob, Token: "t", ExpiresAt: exp})
				})
			}
			wg.Go(func() { // Django's loop, one token at a time, the other way round
				<-start
				for _, jti := range slices.Backward(round) {
					errs <- bls[1].Blacklist(ctx, blacklist.Token{JTI: jti, Token: "t", ExpiresAt: exp})
				}
			})
			close(start)
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Errorf("round %d: %v", r, err)
				}
			}
		}
		for _, jti := range aliceJTIs {
			if ok, err := bls[0].Blacklisted(ctx, jti); !ok || err != nil {
				t.Errorf("%s: Blacklisted = %v, %v", jti, ok, err)
			}
		}
		if n := count(t, d, "token_blacklist_blacklistedtoken"); n != len(aliceJTIs) {
			t.Errorf("%d blacklisted rows, want %d, one for each of alice's tokens", n, len(aliceJTIs))
		}
	})
}
