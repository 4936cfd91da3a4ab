package djangotest

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jwtauth-go/jwtauth/internal/testkit"
	_ "modernc.org/sqlite" // database/sql driver "sqlite", pure Go
)

// sjSecret is the HMAC key the servers sign with, so that the test can
// check their signatures by hand.
const sjSecret = "simplejwt interop: not a secret"

// sjBackend is a database for the simplejwt project: its config, and how
// the test reads the rows Django wrote, with the dialect's SQL for epoch
// seconds and the stored text of a datetime column.
type sjBackend struct {
	name  string
	cfg   func(t *testing.T) SimpleJWTConfig // only the database set
	open  func(t *testing.T, cfg SimpleJWTConfig) *sql.DB
	epoch func(col string) string // the column as integer epoch seconds, NULL stays NULL
	text  func(col string) string // the column as text, as stored (UTC)
}

var sjBackends = []sjBackend{
	{
		name: "sqlite",
		cfg: func(t *testing.T) SimpleJWTConfig {
			return SimpleJWTConfig{SQLite: filepath.Join(t.TempDir(), "db.sqlite3")}
		},
		open: func(t *testing.T, cfg SimpleJWTConfig) *sql.DB {
			// Read-only: the test looks, Django writes.
			db, err := sql.Open("sqlite", "file:"+cfg.SQLite+"?mode=ro&_pragma=busy_timeout(10000)")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = db.Close() })
			return db
		},
		epoch: func(col string) string { return "CAST(strftime('%s', " + col + ") AS INTEGER)" },
		text:  func(col string) string { return "CAST(" + col + " AS TEXT)" },
	},
	{
		name: "postgres",
		cfg: func(t *testing.T) SimpleJWTConfig {
			return SimpleJWTConfig{Postgres: Postgres(t)}
		},
		open: func(t *testing.T, cfg SimpleJWTConfig) *sql.DB {
			db, err := sql.Open("pgx", cfg.Postgres)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = db.Close() })
			return db
		},
		epoch: func(col string) string { return "CAST(floor(extract(epoch FROM " + col + ")) AS bigint)" },
		text:  func(col string) string { return "CAST(" + col + " AT TIME ZONE 'UTC' AS text)" },
	},
}

// sjClient is the test's HTTP client: a server that hangs fails the test
// rather than the run.
var sjClient = &http.Client{Timeout: 30 * time.Second}

// sjResponse is an answer of the server, its body as sent.
type sjResponse struct {
	status int
	header http.Header
	body   string
}

func sjDo(t testing.TB, req *http.Request) sjResponse {
	t.Helper()
	r, err := sjTry(req)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// sjTry is sjDo for goroutines other than the test's, which must not
// call t.Fatal.
func sjTry(req *http.Request) (sjResponse, error) {
	resp, err := sjClient.Do(req)
	if err != nil {
		return sjResponse{}, fmt.Errorf("%s %s: %w", req.Method, req.URL, err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return sjResponse{}, fmt.Errorf("%s %s: %w", req.Method, req.URL, err)
	}
	return sjResponse{resp.StatusCode, resp.Header, string(body)}, nil
}

// sjRequest builds a request for path on s: a POST of body as JSON when
// body is not "", a GET otherwise, with authorization as the Authorization
// header unless "".
func sjRequest(s *SimpleJWTServer, path, body, authorization string) *http.Request {
	method, r := http.MethodGet, io.Reader(nil)
	if body != "" {
		method, r = http.MethodPost, strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.URL+path, r)
	if err != nil {
		panic(err) // the test's own URL
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	return req
}

// sjPost posts body as JSON (a string is sent as it is).
func sjPost(t testing.TB, s *SimpleJWTServer, path string, body any) sjResponse {
	t.Helper()
	raw, ok := body.(string)
	if !ok {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		raw = string(b)
	}
	return sjDo(t, sjRequest(s, path, raw, ""))
}

// sjGet gets path with authorization as the Authorization header ("":
// none).
func sjGet(t testing.TB, s *SimpleJWTServer, path, authorization string) sjResponse {
	t.Helper()
	return sjDo(t, sjRequest(s, path, "", authorization))
}

// want checks the answer byte for byte, and that a 401 names the
// scheme, as §8 says every one does.
func (r sjResponse) want(t testing.TB, status int, body string) {
	t.Helper()
	if r.status != status || r.body != body {
		t.Errorf("got %d %s\nwant %d %s", r.status, r.body, status, body)
	}
	if status == http.StatusUnauthorized {
		if got := r.header.Get("WWW-Authenticate"); got != `Bearer realm="api"` {
			t.Errorf("401 with WWW-Authenticate %q, want %q", got, `Bearer realm="api"`)
		}
	}
}

// match checks the answer's status and that its body matches re, byte
// for byte; it returns re's submatches.
func (r sjResponse) match(t testing.TB, status int, re string) []string {
	t.Helper()
	m := regexp.MustCompile(`^` + re + `$`).FindStringSubmatch(r.body)
	if r.status != status || m == nil {
		t.Fatalf("got %d %s\nwant %d matching %s", r.status, r.body, status, re)
	}
	return m[1:]
}

// The token bodies 5.2.2 answers with, keys in its order.
const (
	sjTok      = `([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)`
	sjPairBody = `\{"refresh":"` + sjTok + `","access":"` + sjTok + `"\}`
)

// sjClaims is a payload of simplejwt 5.2.2, decoded.
type sjClaims struct {
	TokenType  string `json:"token_type"`
	Exp        int64  `json:"exp"`
	Iat        int64  `json:"iat"`
	JTI        string `json:"jti"`
	UserID     int64  `json:"user_id"`
	RefreshExp int64  `json:"refresh_exp"`
}

// sjPayload checks token's header and signature by hand and that its
// payload is, byte for byte, what 5.2.2 writes for tokenType: its claims
// in creation order, compact, user_id a number; it returns the raw
// payload and the claims.
func sjPayload(t testing.TB, token, tokenType string, userID int64) (string, sjClaims) {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("%q: not a JWS", token)
	}
	header, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		t.Fatal(err)
	}
	if string(header) != `{"alg":"HS256","typ":"JWT"}` {
		t.Errorf("header %s, want PyJWT 2's sorted one", header)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || !hmac.Equal(sig, testkit.MAC(sha256.New, sjSecret, parts[0]+"."+parts[1])) {
		t.Errorf("%s: not signed with HS256 under the configured secret", token)
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	shape := `\{"token_type":"` + tokenType + `","exp":\d+,"iat":\d+,"jti":"[0-9a-f]{32}",`
	if tokenType == "sliding" {
		shape += `"refresh_exp":\d+,`
	}
	shape += fmt.Sprintf(`"user_id":%d\}`, userID)
	if !regexp.MustCompile(`^` + shape + `$`).Match(payload) {
		t.Errorf("payload %s\nwant %s", payload, shape)
	}
	var c sjClaims
	if err := json.Unmarshal(payload, &c); err != nil {
		t.Fatal(err)
	}
	return string(payload), c
}

// sjOutstanding is a row of token_blacklist_outstandingtoken; the
// datetimes as epoch seconds (0: NULL) and as stored.
type sjOutstanding struct {
	userID               int64 // 0: NULL
	jti, token           string
	createdAt, expiresAt int64
	created, expires     string
}

// sjBlacklisted is a row of token_blacklist_blacklistedtoken, named by the
// jti of the outstanding row it points to. Expected, it has the bounds of
// the step that made it instead: blacklisted_at is the time of the insert.
type sjBlacklisted struct {
	jti           string
	blacklistedAt int64
	stored        string
	from, to      int64
}

// sjTables is what the test expects in, or read from, the two tables, in
// id order.
type sjTables struct {
	outstanding []sjOutstanding
	blacklisted []sjBlacklisted
}

func sjRead(t testing.TB, b sjBackend, db *sql.DB) sjTables {
	t.Helper()
	var got sjTables
	rows, err := db.Query(`SELECT user_id, jti, token, ` + b.epoch("created_at") + `, ` + b.epoch("expires_at") + `, ` +
		b.text("created_at") + `, ` + b.text("expires_at") + ` FROM token_blacklist_outstandingtoken ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var o sjOutstanding
		var userID, createdAt sql.NullInt64
		var created sql.NullString
		if err := rows.Scan(&userID, &o.jti, &o.token, &createdAt, &o.expiresAt, &created, &o.expires); err != nil {
			t.Fatal(err)
		}
		o.userID, o.createdAt, o.created = userID.Int64, createdAt.Int64, created.String
		got.outstanding = append(got.outstanding, o)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows, err = db.Query(`SELECT o.jti, ` + b.epoch("b.blacklisted_at") + `, ` + b.text("b.blacklisted_at") + `
		FROM token_blacklist_blacklistedtoken b JOIN token_blacklist_outstandingtoken o ON o.id = b.token_id ORDER BY b.id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var bl sjBlacklisted
		if err := rows.Scan(&bl.jti, &bl.blacklistedAt, &bl.stored); err != nil {
			t.Fatal(err)
		}
		got.blacklisted = append(got.blacklisted, bl)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM token_blacklist_blacklistedtoken`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != len(got.blacklisted) {
		t.Fatalf("%d blacklisted rows, %d of them pointing to an outstanding row", n, len(got.blacklisted))
	}
	return got
}

// sjCheckTables compares the tables with want after step, and logs their
// rows as stored.
func sjCheckTables(t testing.TB, b sjBackend, db *sql.DB, step string, want sjTables) {
	t.Helper()
	got := sjRead(t, b, db)
	var log strings.Builder
	fmt.Fprintf(&log, "after %s, %s:\n", step, b.name)
	for _, o := range got.outstanding {
		user := "NULL"
		if o.userID != 0 {
			user = fmt.Sprint(o.userID)
		}
		fmt.Fprintf(&log, "  outstanding user_id=%s jti=%s created_at=%q expires_at=%q token=%.24s…\n", user, o.jti, o.created, o.expires, o.token)
	}
	for _, bl := range got.blacklisted {
		fmt.Fprintf(&log, "  blacklisted token=(jti %s) blacklisted_at=%q\n", bl.jti, bl.stored)
	}
	t.Log(log.String())
	if len(got.outstanding) != len(want.outstanding) {
		t.Errorf("after %s: %d outstanding rows, want %d", step, len(got.outstanding), len(want.outstanding))
	}
	for i := range min(len(got.outstanding), len(want.outstanding)) {
		g, w := got.outstanding[i], want.outstanding[i]
		g.created, g.expires = "", ""
		if g != w {
			t.Errorf("after %s: outstanding row %d\n got %+v\nwant %+v", step, i+1, g, w)
		}
	}
	if len(got.blacklisted) != len(want.blacklisted) {
		t.Errorf("after %s: %d blacklisted rows, want %d", step, len(got.blacklisted), len(want.blacklisted))
	}
	for i := range min(len(got.blacklisted), len(want.blacklisted)) {
		g, w := got.blacklisted[i], want.blacklisted[i]
		if g.jti != w.jti {
			t.Errorf("after %s: blacklisted row %d is of jti %s, want %s", step, i+1, g.jti, w.jti)
		}
		if g.blacklistedAt < w.from || g.blacklistedAt > w.to {
			t.Errorf("after %s: blacklisted row %d blacklisted at %d, not within its step's [%d, %d]", step, i+1, g.blacklistedAt, w.from, w.to)
		}
	}
}

// sjStep runs step and returns the epoch seconds around it, for the
// timestamps Django writes then.
func sjStep(step func()) (from, to int64) {
	from = time.Now().Unix()
	step()
	return from, time.Now().Unix()
}

func TestSimpleJWT(t *testing.T) {
	for _, b := range sjBackends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			testSimpleJWT(t, b)
		})
	}
}

// testSimpleJWT runs both configurations a Go service must interoperate
// with on one database, by two servers at once: plain (no rotation, the
// sliding token accepted as a credential too) and rotating with
// BLACKLIST_AFTER_ROTATION. The steps share the database, so each one
// updates the model of the two tables the next is checked against.
func testSimpleJWT(t *testing.T, b sjBackend) {
	cfg := b.cfg(t)
	cfg.Secret = sjSecret
	cfg.FastHasher = true
	m := SetupSimpleJWT(t, cfg,
		SimpleJWTAccount{Username: "alice", Password: "alice password"},
		SimpleJWTAccount{Username: "bob", Password: "bob password", Inactive: true},
		SimpleJWTAccount{Username: "jürgen", Password: "pässwörd ✓"},
	)
	t.Logf("Django %s, simplejwt %s, PyJWT %s", m.Django, m.SimpleJWT, m.PyJWT)
	if m.SimpleJWT != "5.2.2" {
		t.Logf("simplejwt is %s, not the 5.2.2 the expectations were measured against", m.SimpleJWT)
	}
	alice, jurgen := m.User(t, "alice"), m.User(t, "jürgen")
	db := b.open(t, cfg)

	plainCfg := cfg
	plainCfg.TokenClasses = []string{"AccessToken", "SlidingToken"}
	rotCfg := cfg
	rotCfg.Rotate, rotCfg.BlacklistAfterRotation = true, true
	plain, rot := StartSimpleJWT(t, plainCfg), StartSimpleJWT(t, rotCfg)

	var want sjTables
	check := func(t testing.TB, step string) {
		t.Helper()
		sjCheckTables(t, b, db, step, want)
	}
	check(t, "migrate")

	// obtain logs in on s and returns the pair, checking both payloads
	// and that the refresh token, not the access token, became an
	// outstanding row.
	obtain := func(t testing.TB, s *SimpleJWTServer, username, password string, user SimpleJWTUser) (refresh, access string) {
		t.Helper()
		var from, to int64
		var pair []string
		from, to = sjStep(func() {
			pair = sjPost(t, s, "/api/token/", map[string]string{"username": username, "password": password}).match(t, 200, sjPairBody)
		})
		refresh, access = pair[0], pair[1]
		rawR, r := sjPayload(t, refresh, "refresh", user.ID)
		rawA, a := sjPayload(t, access, "access", user.ID)
		t.Logf("obtain: refresh payload %s", rawR)
		t.Logf("obtain: access payload  %s", rawA)
		if r.Iat < from || r.Iat > to || r.Exp != r.Iat+86400 {
			t.Errorf("refresh iat %d exp %d: want iat within [%d, %d], exp one day later", r.Iat, r.Exp, from, to)
		}
		// The access token is made from the refresh token: its iat is
		// copied, its exp counted from the same instant.
		if a.Iat != r.Iat || a.Exp != r.Iat+300 || a.JTI == r.JTI {
			t.Errorf("access iat %d exp %d jti %s; refresh iat %d jti %s", a.Iat, a.Exp, a.JTI, r.Iat, r.JTI)
		}
		want.outstanding = append(want.outstanding, sjOutstanding{
			userID: user.ID, jti: r.JTI, token: refresh, createdAt: r.Iat, expiresAt: r.Exp,
		})
		check(t, "obtain for "+username)
		return refresh, access
	}
	jti := func(t testing.TB, token, tokenType string) string {
		_, c := sjPayload(t, token, tokenType, alice.ID)
		return c.JTI
	}
	const (
		blacklistedBody = `{"detail":"Token is blacklisted","code":"token_not_valid"}`
		wrongTypeBody   = `{"detail":"Given token not valid for any token type","code":"token_not_valid","messages":[{"token_class":"AccessToken","token_type":"access","message":"Token has wrong type"}]}`
	)

	t.Run("logins", func(t *testing.T) {
		noAccount := `{"detail":"No active account found with the given credentials"}`
		for _, tc := range []struct {
			name, body string
			status     int
			want       string
		}{
			{"wrong password", `{"username":"alice","password":"bad"}`, 401, noAccount},
			{"inactive", `{"username":"bob","password":"bob password"}`, 401, noAccount},
			{"unknown user", `{"username":"nobody","password":"x"}`, 401, noAccount},
			{"no fields", `{}`, 400, `{"username":["This field is required."],"password":["This field is required."]}`},
		} {
			t.Run(tc.name, func(t *testing.T) {
				for _, s := range []*SimpleJWTServer{plain, rot} {
					sjPost(t, s, "/api/token/", tc.body).want(t, tc.status, tc.want)
				}
			})
		}
		check(t, "failed logins") // no row
	})

	t.Run("plain", func(t *testing.T) {
		refresh, access := obtain(t, plain, "alice", "alice password", alice)
		for _, tc := range []struct {
			name, authorization string
			status              int
			body                string
		}{
			{"access token", "Bearer " + access, 200, fmt.Sprintf(`{"user_id":%d,"username":"alice"}`, alice.ID)},
			{"refresh token", "Bearer " + refresh, 401, `{"detail":"Given token not valid for any token type","code":"token_not_valid","messages":[` +
				`{"token_class":"AccessToken","token_type":"access","message":"Token has wrong type"},` +
				`{"token_class":"SlidingToken","token_type":"sliding","message":"Token has wrong type"}]}`},
			{"no token", "", 401, `{"detail":"Authentication credentials were not provided."}`},
			{"three parts", "Bearer " + access + " x", 401, `{"detail":"Authorization header must contain two space-delimited values","code":"bad_authorization_header"}`},
			{"lowercase scheme", "bearer " + access, 401, `{"detail":"Authentication credentials were not provided."}`},
		} {
			t.Run(tc.name, func(t *testing.T) {
				sjGet(t, plain, "/api/protected/", tc.authorization).want(t, tc.status, tc.body)
			})
		}
		var newAccess []string
		from, to := sjStep(func() {
			newAccess = sjPost(t, plain, "/api/token/refresh/", map[string]string{"refresh": refresh}).match(t, 200, `\{"access":"`+sjTok+`"\}`)
		})
		raw, a := sjPayload(t, newAccess[0], "access", alice.ID)
		_, r := sjPayload(t, refresh, "refresh", alice.ID)
		t.Logf("refresh: access payload %s", raw)
		// Copied from the refresh token, iat included; exp from the request.
		if a.Iat != r.Iat || a.Exp < from+300 || a.Exp > to+300 {
			t.Errorf("refreshed access iat %d exp %d; refresh iat %d; request within [%d, %d]", a.Iat, a.Exp, r.Iat, from, to)
		}
		sjGet(t, plain, "/api/protected/", "Bearer "+newAccess[0]).want(t, 200, fmt.Sprintf(`{"user_id":%d,"username":"alice"}`, alice.ID))
		check(t, "refresh without rotation")
		// Without rotation the refresh token stays good.
		sjPost(t, plain, "/api/token/refresh/", map[string]string{"refresh": refresh}).match(t, 200, `\{"access":"`+sjTok+`"\}`)

		for _, tok := range []string{access, refresh, newAccess[0]} {
			sjPost(t, plain, "/api/token/verify/", map[string]string{"token": tok}).want(t, 200, `{}`)
		}
		sjPost(t, plain, "/api/token/verify/", map[string]string{"token": access + "x"}).want(t, 401, `{"detail":"Token is invalid or expired","code":"token_not_valid"}`)
		sjPost(t, plain, "/api/token/refresh/", map[string]string{"refresh": access}).want(t, 401, `{"detail":"Token has wrong type","code":"token_not_valid"}`)

		// The blacklist view finds the outstanding row obtain made.
		from, to = sjStep(func() {
			sjPost(t, plain, "/api/token/blacklist/", map[string]string{"refresh": refresh}).want(t, 200, `{}`)
		})
		want.blacklisted = append(want.blacklisted, sjBlacklisted{jti: r.JTI, from: from, to: to})
		check(t, "blacklist of an obtained refresh token")
		sjPost(t, plain, "/api/token/refresh/", map[string]string{"refresh": refresh}).want(t, 401, blacklistedBody)
		sjPost(t, plain, "/api/token/blacklist/", map[string]string{"refresh": refresh}).want(t, 401, blacklistedBody)
		// Without BLACKLIST_AFTER_ROTATION verify does not look.
		sjPost(t, plain, "/api/token/verify/", map[string]string{"token": refresh}).want(t, 200, `{}`)
		// Nor does authentication for access tokens.
		sjGet(t, plain, "/api/protected/", "Bearer "+access).want(t, 200, fmt.Sprintf(`{"user_id":%d,"username":"alice"}`, alice.ID))
		check(t, "refused refresh and blacklist")

		// A user whose name is not ASCII: DRF writes UTF-8, not \u escapes.
		_, jAccess := obtain(t, plain, "jürgen", "pässwörd ✓", jurgen)
		sjGet(t, plain, "/api/protected/", "Bearer "+jAccess).want(t, 200, fmt.Sprintf(`{"user_id":%d,"username":"jürgen"}`, jurgen.ID))
	})

	t.Run("sliding", func(t *testing.T) {
		var tok []string
		from, to := sjStep(func() {
			tok = sjPost(t, plain, "/api/token/sliding/", map[string]string{"username": "alice", "password": "alice password"}).match(t, 200, `\{"token":"`+sjTok+`"\}`)
		})
		raw, c := sjPayload(t, tok[0], "sliding", alice.ID)
		t.Logf("sliding obtain: payload %s", raw)
		if c.Iat < from || c.Iat > to || c.Exp != c.Iat+300 || c.RefreshExp != c.Iat+86400 {
			t.Errorf("sliding iat %d exp %d refresh_exp %d, obtained within [%d, %d]", c.Iat, c.Exp, c.RefreshExp, from, to)
		}
		want.outstanding = append(want.outstanding, sjOutstanding{
			userID: alice.ID, jti: c.JTI, token: tok[0], createdAt: c.Iat, expiresAt: c.Exp,
		})
		check(t, "sliding obtain")
		sjGet(t, plain, "/api/protected/", "Bearer "+tok[0]).want(t, 200, fmt.Sprintf(`{"user_id":%d,"username":"alice"}`, alice.ID))
		// Not accepted where only AccessToken is.
		sjGet(t, rot, "/api/protected/", "Bearer "+tok[0]).want(t, 401,
			`{"detail":"Given token not valid for any token type","code":"token_not_valid","messages":[{"token_class":"AccessToken","token_type":"access","message":"Token has wrong type"}]}`)
		renewed := sjPost(t, plain, "/api/token/sliding/refresh/", map[string]string{"token": tok[0]}).match(t, 200, `\{"token":"`+sjTok+`"\}`)
		raw, r := sjPayload(t, renewed[0], "sliding", alice.ID)
		t.Logf("sliding refresh: payload %s", raw)
		if r.JTI != c.JTI || r.RefreshExp != c.RefreshExp || r.Exp != r.Iat+300 {
			t.Errorf("renewed sliding token %+v, from %+v: want jti and refresh_exp kept", r, c)
		}
		check(t, "sliding refresh") // no row for the renewed token
	})

	t.Run("rotation with blacklist", func(t *testing.T) {
		refresh, access := obtain(t, rot, "alice", "alice password", alice)
		sjGet(t, rot, "/api/protected/", "Bearer "+access).want(t, 200, fmt.Sprintf(`{"user_id":%d,"username":"alice"}`, alice.ID))
		sjGet(t, rot, "/api/protected/", "Bearer "+refresh).want(t, 401, wrongTypeBody)
		sjPost(t, rot, "/api/token/verify/", map[string]string{"token": refresh}).want(t, 200, `{}`)

		var got []string
		from, to := sjStep(func() {
			got = sjPost(t, rot, "/api/token/refresh/", map[string]string{"refresh": refresh}).match(t, 200, `\{"access":"`+sjTok+`","refresh":"`+sjTok+`"\}`)
		})
		newAccess, newRefresh := got[0], got[1]
		rawA, a := sjPayload(t, newAccess, "access", alice.ID)
		rawR, r := sjPayload(t, newRefresh, "refresh", alice.ID)
		_, old := sjPayload(t, refresh, "refresh", alice.ID)
		t.Logf("rotating refresh: access payload  %s", rawA)
		t.Logf("rotating refresh: refresh payload %s", rawR)
		if r.JTI == old.JTI || r.Iat < from || r.Iat > to || r.Exp != r.Iat+86400 {
			t.Errorf("rotated refresh token %+v from %+v: want a new jti, iat and exp", r, old)
		}
		if a.Iat != old.Iat {
			t.Errorf("access iat %d, want the submitted refresh token's %d (copied before rotation)", a.Iat, old.Iat)
		}
		// The old token is blacklisted; 5.2.2 does not record the new one.
		want.blacklisted = append(want.blacklisted, sjBlacklisted{jti: old.JTI, from: from, to: to})
		check(t, "rotating refresh")

		sjPost(t, rot, "/api/token/refresh/", map[string]string{"refresh": refresh}).want(t, 401, blacklistedBody)
		sjPost(t, rot, "/api/token/verify/", map[string]string{"token": refresh}).want(t, 400, `{"non_field_errors":["Token is blacklisted"]}`)
		sjGet(t, rot, "/api/protected/", "Bearer "+access).want(t, 200, fmt.Sprintf(`{"user_id":%d,"username":"alice"}`, alice.ID))
		check(t, "second refresh with the same token")

		// Blacklisting the unrecorded rotated token records it: no user,
		// no created_at.
		from, to = sjStep(func() {
			sjPost(t, rot, "/api/token/blacklist/", map[string]string{"refresh": newRefresh}).want(t, 200, `{}`)
		})
		want.outstanding = append(want.outstanding, sjOutstanding{jti: r.JTI, token: newRefresh, expiresAt: r.Exp})
		want.blacklisted = append(want.blacklisted, sjBlacklisted{jti: r.JTI, from: from, to: to})
		check(t, "blacklist of a rotated refresh token")
		sjPost(t, rot, "/api/token/refresh/", map[string]string{"refresh": newRefresh}).want(t, 401, blacklistedBody)
		sjPost(t, rot, "/api/token/verify/", map[string]string{"token": newRefresh}).want(t, 400, `{"non_field_errors":["Token is blacklisted"]}`)
		sjPost(t, rot, "/api/token/verify/", map[string]string{"token": newAccess}).want(t, 200, `{}`)
		// The other server shares the database, so the blacklist too.
		sjPost(t, plain, "/api/token/refresh/", map[string]string{"refresh": newRefresh}).want(t, 401, blacklistedBody)
		check(t, "refused refreshes")
	})

	t.Run("concurrent", func(t *testing.T) {
		// Each goroutine logs in and uses its token, on both servers at
		// once: the servers are threaded, the database shared.
		const n = 16
		var wg sync.WaitGroup
		var mu sync.Mutex
		var refreshes []string
		for i := range n {
			s := []*SimpleJWTServer{plain, rot}[i%2]
			wg.Go(func() {
				resp, err := sjTry(sjRequest(s, "/api/token/", `{"username":"alice","password":"alice password"}`, ""))
				if err != nil {
					t.Error(err)
					return
				}
				pair := regexp.MustCompile(`^` + sjPairBody + `$`).FindStringSubmatch(resp.body)
				if resp.status != 200 || pair == nil {
					t.Errorf("concurrent obtain: %d %s", resp.status, resp.body)
					return
				}
				resp, err = sjTry(sjRequest(s, "/api/protected/", "", "Bearer "+pair[2]))
				if err != nil {
					t.Error(err)
					return
				}
				resp.want(t, 200, fmt.Sprintf(`{"user_id":%d,"username":"alice"}`, alice.ID))
				mu.Lock()
				refreshes = append(refreshes, pair[1])
				mu.Unlock()
			})
		}
		wg.Wait()
		var jtis []string
		for _, r := range refreshes {
			jtis = append(jtis, jti(t, r, "refresh"))
		}
		got := sjRead(t, b, db)
		if len(got.outstanding) != len(want.outstanding)+n {
			t.Fatalf("%d outstanding rows after %d concurrent logins, want %d", len(got.outstanding), n, len(want.outstanding)+n)
		}
		var recorded []string
		for _, o := range got.outstanding[len(want.outstanding):] {
			recorded = append(recorded, o.jti)
		}
		slices.Sort(jtis)
		slices.Sort(recorded)
		if !slices.Equal(jtis, recorded) {
			t.Errorf("outstanding jtis %v, want %v", recorded, jtis)
		}
	})
}

// TestSimpleJWTBlacklistSchema checks BlacklistSchema against the tables
// Django's migrate made: on SQLite the text sqlite_master keeps, on
// PostgreSQL the catalog of a schema made by Schema and BlacklistSchema
// against one Django migrated.
func TestSimpleJWTBlacklistSchema(t *testing.T) {
	for _, b := range sjBackends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			cfg := b.cfg(t)
			cfg.Secret = sjSecret
			cfg.FastHasher = true
			SetupSimpleJWT(t, cfg)
			django := b.open(t, cfg)
			var ours *sql.DB
			switch b.name {
			case "sqlite":
				path := filepath.Join(t.TempDir(), "ours.sqlite3")
				db, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)")
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = db.Close() })
				ours = db
			case "postgres":
				ours = b.open(t, SimpleJWTConfig{Postgres: Postgres(t)})
			}
			for _, stmt := range append(slices.Clone(Schema[b.name]), BlacklistSchema[b.name]...) {
				if _, err := ours.Exec(stmt); err != nil {
					t.Fatalf("%s: %v", stmt, err)
				}
			}
			describe := sjDescribeSQLite
			if b.name == "postgres" {
				describe = sjDescribePostgres
			}
			theirs := describe(t, django)
			t.Logf("token_blacklist tables as Django 3.2 migrated them on %s:\n%s", b.name, strings.Join(theirs, "\n"))
			if got := describe(t, ours); !slices.Equal(got, theirs) {
				t.Errorf("BlacklistSchema[%q] makes\n%s\nDjango made\n%s", b.name, strings.Join(got, "\n"), strings.Join(theirs, "\n"))
			}
			if b.name == "sqlite" {
				// The constants are sqlite_master's text itself.
				var texts []string
				for _, line := range theirs {
					if _, sql, ok := strings.Cut(line, " | "); ok && sql != "" {
						texts = append(texts, sql)
					}
				}
				want := slices.Sorted(slices.Values(BlacklistSchema["sqlite"]))
				if slices.Sort(texts); !slices.Equal(texts, want) {
					t.Errorf("sqlite_master holds\n%s\nBlacklistSchema[\"sqlite\"] is\n%s", strings.Join(texts, "\n"), strings.Join(want, "\n"))
				}
			}
			// Usable as Django uses them: a user, an outstanding token, its
			// blacklisting.
			for _, stmt := range []string{
				`INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined) VALUES ('', false, 'u', '', '', '', false, true, CURRENT_TIMESTAMP)`,
				`INSERT INTO token_blacklist_outstandingtoken (user_id, jti, token, created_at, expires_at) VALUES (1, 'j', 't', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)`,
				`INSERT INTO token_blacklist_blacklistedtoken (token_id, blacklisted_at) VALUES (1, CURRENT_TIMESTAMP)`,
			} {
				if _, err := ours.Exec(stmt); err != nil {
					t.Fatalf("%s: %v", stmt, err)
				}
			}
			if _, err := ours.Exec(`INSERT INTO token_blacklist_outstandingtoken (jti, token, expires_at) VALUES ('j', 't', CURRENT_TIMESTAMP)`); err == nil {
				t.Error("a second outstanding token with the same jti was accepted")
			}
		})
	}
}

// sjDescribeSQLite lists the token_blacklist entries of sqlite_master:
// type, name and the DDL text.
func sjDescribeSQLite(t testing.TB, db *sql.DB) []string {
	t.Helper()
	return sjLines(t, db, `SELECT type || ' ' || name || ' | ' || COALESCE(sql, '') FROM sqlite_master
		WHERE tbl_name LIKE 'token_blacklist%' ORDER BY type, name`)
}

// sjDescribePostgres lists what the catalog of the current schema holds
// of the token_blacklist tables, in a form that does not depend on the
// schema's name or the history of the table: columns in order (not by
// attnum, which keeps the gaps of dropped columns), constraints, indexes,
// sequences and their owners.
func sjDescribePostgres(t testing.TB, db *sql.DB) []string {
	t.Helper()
	var schema string
	if err := db.QueryRow(`SELECT current_schema()`).Scan(&schema); err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, q := range []string{
		`SELECT 'column ' || c.relname || ' ' || row_number() OVER (PARTITION BY c.relname ORDER BY a.attnum) || ' ' || a.attname || ' ' ||
			format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE ' NULL' END ||
			COALESCE(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), '') || CASE WHEN a.attidentity <> '' THEN ' IDENTITY ' || a.attidentity::text ELSE '' END
		FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
		LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
		WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' AND c.relname LIKE 'token\_blacklist\_%'
			AND a.attnum > 0 AND NOT a.attisdropped
		ORDER BY c.relname, a.attnum`,
		`SELECT 'constraint ' || conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)
		FROM pg_constraint WHERE connamespace = current_schema()::regnamespace AND conrelid::regclass::text LIKE 'token\_blacklist\_%'
		ORDER BY conrelid::regclass::text, conname`,
		`SELECT 'index ' || indexname || ' ' || indexdef FROM pg_indexes
		WHERE schemaname = current_schema() AND tablename LIKE 'token\_blacklist\_%' ORDER BY indexname`,
		`SELECT 'sequence ' || s.sequencename || ' ' || s.data_type::text || ' start ' || s.start_value || ' min ' || s.min_value ||
			' max ' || s.max_value || ' increment ' || s.increment_by || ' cycle ' || s.cycle || ' cache ' || s.cache_size ||
			' owned by ' || COALESCE((SELECT c.relname || '.' || a.attname FROM pg_depend dep
				JOIN pg_class c ON c.oid = dep.refobjid JOIN pg_attribute a ON a.attrelid = dep.refobjid AND a.attnum = dep.refobjsubid
				WHERE dep.objid = (quote_ident(s.schemaname) || '.' || quote_ident(s.sequencename))::regclass AND dep.deptype IN ('a', 'i')), '-')
		FROM pg_sequences s WHERE s.schemaname = current_schema() AND s.sequencename LIKE 'token\_blacklist\_%' ORDER BY s.sequencename`,
	} {
		lines = append(lines, sjLines(t, db, q)...)
	}
	for i, l := range lines {
		lines[i] = strings.ReplaceAll(l, schema+".", "")
	}
	return lines
}

func sjLines(t testing.TB, db *sql.DB, query string) []string {
	t.Helper()
	rows, err := db.Query(query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer func() { _ = rows.Close() }()
	var lines []string
	for rows.Next() {
		var l string
		if err := rows.Scan(&l); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, l)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

// TestSimpleJWTConfigEnviron pins how the config reaches the Python side,
// without Django.
func TestSimpleJWTConfigEnviron(t *testing.T) {
	t.Setenv("SIMPLE_JWT_ROTATE_REFRESH_TOKENS", "True") // the caller's: must not leak through
	t.Setenv("PYTHONPATH", "/elsewhere")
	env, err := SimpleJWTConfig{
		Secret: "k", SQLite: "/tmp/x.sqlite3", BlacklistAfterRotation: true,
		AccessLifetime: 1500 * time.Millisecond, RefreshLifetime: -time.Hour,
		TokenClasses: []string{"AccessToken", "SlidingToken"}, FastHasher: true,
	}.environ()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, kv := range env {
		if strings.HasPrefix(kv, "DJANGO_") || strings.HasPrefix(kv, "SIMPLE_JWT_") || strings.HasPrefix(kv, "PYTHON") {
			got = append(got, kv)
		}
	}
	want := []string{
		"PYTHONDONTWRITEBYTECODE=1",
		"PYTHONUNBUFFERED=1",
		"DJANGO_SECRET_KEY=k",
		"SIMPLE_JWT_ROTATE_REFRESH_TOKENS=False",
		"SIMPLE_JWT_BLACKLIST_AFTER_ROTATION=True",
		"DJANGO_DB_SQLITE=/tmp/x.sqlite3",
		"DJANGO_FAST_HASHER=1",
		"SIMPLE_JWT_ACCESS_TOKEN_LIFETIME=1.5",
		"SIMPLE_JWT_REFRESH_TOKEN_LIFETIME=-3600",
		"SIMPLE_JWT_AUTH_TOKEN_CLASSES=AccessToken,SlidingToken",
	}
	if !slices.Equal(got, want) {
		t.Errorf("environment\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Without the modules, the skip says what to install.
	if why := pythonLacks("jwtauth_no_such_module"); !strings.Contains(why, "python3-djangorestframework-simplejwt") {
		t.Errorf("pythonLacks: %q", why)
	}
	for _, bad := range []SimpleJWTConfig{
		{SQLite: "x"},
		{Secret: "k"},
		{Secret: "k", SQLite: "x", Postgres: "postgres://"},
	} {
		if _, err := bad.environ(); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}

// TestSimpleJWTStartFailure: a server that cannot come up fails the
// test with its log, here Django's complaint about the database.
func TestSimpleJWTStartFailure(t *testing.T) {
	if why := simpleJWTMissing.sqlite(); why != "" {
		Skip(t, why)
	}
	var buf bytes.Buffer
	ft := &fakeTB{TB: t, log: &buf}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer ft.runCleanups()
		StartSimpleJWT(ft, SimpleJWTConfig{Secret: "k", SQLite: filepath.Join(t.TempDir(), "missing", "db.sqlite3")})
	}()
	<-done
	if !ft.failed {
		t.Fatal("StartSimpleJWT did not fail for a database it cannot open")
	}
	if !strings.Contains(buf.String(), "exited before listening") || !strings.Contains(buf.String(), "unable to open database file") {
		t.Errorf("failure without the server's log:\n%s", buf.String())
	}
}

// TestSimpleJWTStop: SIGTERM stops the server at once, and cleanly.
func TestSimpleJWTStop(t *testing.T) {
	cfg := SimpleJWTConfig{Secret: sjSecret, SQLite: filepath.Join(t.TempDir(), "db.sqlite3"), FastHasher: true}
	SetupSimpleJWT(t, cfg)
	s := StartSimpleJWT(t, cfg)
	sjGet(t, s, "/api/protected/", "").want(t, 401, `{"detail":"Authentication credentials were not provided."}`)
	start := time.Now()
	if s.Stop() {
		t.Fatalf("the server had exited on its own:\n%s", s.Log())
	}
	// Stop kills after 10 s: a quick stop is SIGTERM's doing.
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Stop took %v", d)
	}
	if s.waitErr != nil {
		t.Errorf("exit after SIGTERM: %v, want status 0", s.waitErr)
	}
	if _, err := sjTry(sjRequest(s, "/api/protected/", "", "")); err == nil {
		t.Error("the server still answers after Stop")
	}
	if s.Stop() {
		t.Error("a second Stop reported an early exit")
	}
	if !strings.Contains(s.Log(), "listening on "+s.URL+"\n") || !strings.Contains(s.Log(), `"GET /api/protected/ HTTP/1.1" 401`) {
		t.Errorf("log without the listening line or the request:\n%s", s.Log())
	}
}

// sjChildDB names the variable that makes TestSimpleJWTParentDeath the
// child: the test binary run again, starting a server on that database.
const sjChildDB = "JWTAUTH_SIMPLEJWT_CHILD_DB"

// TestSimpleJWTParentDeath: a test binary killed mid-test (a timeout, a
// crash, ^C) leaves no server behind, with no cleanup run.
func TestSimpleJWTParentDeath(t *testing.T) {
	if db := os.Getenv(sjChildDB); db != "" {
		s := StartSimpleJWT(t, SimpleJWTConfig{Secret: sjSecret, SQLite: db, FastHasher: true})
		fmt.Println("child server " + s.URL)
		time.Sleep(time.Minute) // until the parent kills us
		return
	}
	cfg := SimpleJWTConfig{Secret: sjSecret, SQLite: filepath.Join(t.TempDir(), "db.sqlite3"), FastHasher: true}
	SetupSimpleJWT(t, cfg)
	child := exec.Command(os.Args[0], "-test.run=^TestSimpleJWTParentDeath$", "-test.count=1")
	child.Env = append(os.Environ(), sjChildDB+"="+cfg.SQLite)
	var log testkit.Buffer
	child.Stderr = &log
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = child.Process.Kill(); _ = child.Wait() })
	url := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			fmt.Fprintln(&log, sc.Text())
			if u, ok := strings.CutPrefix(sc.Text(), "child server "); ok {
				url <- u
			}
		}
	}()
	s := &SimpleJWTServer{}
	select {
	case s.URL = <-url:
	case <-time.After(simpleJWTStartTimeout + 10*time.Second):
		t.Fatalf("the child test started no server:\n%s", log.String())
	}
	sjGet(t, s, "/api/protected/", "").want(t, 401, `{"detail":"Authentication credentials were not provided."}`)
	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = child.Wait()
	// Not the process: orphaned, it may stay a zombie where nothing reaps
	// it. Its listening socket closes when it exits.
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, err := sjTry(sjRequest(s, "/api/protected/", "", ""))
		if err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server still answers 5 s after its parent was killed:\n%s", log.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// fakeTB records a failure instead of failing the test, so that a test can
// check how a helper fails.
type fakeTB struct {
	testing.TB
	log      *bytes.Buffer
	failed   bool
	cleanups []func()
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.failed = true
	fmt.Fprintf(f.log, format+"\n", args...)
	runtime.Goexit()
}
func (f *fakeTB) Errorf(format string, args ...any) {
	f.failed = true
	fmt.Fprintf(f.log, format+"\n", args...)
}
func (f *fakeTB) Logf(format string, args ...any) { fmt.Fprintf(f.log, format+"\n", args...) }
func (f *fakeTB) Failed() bool                    { return f.failed }
func (f *fakeTB) Cleanup(fn func())               { f.cleanups = append(f.cleanups, fn) }
func (f *fakeTB) runCleanups() {
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		f.cleanups[i]()
	}
}
