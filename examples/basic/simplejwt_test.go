package main

import (
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jwtauth-go/jwtauth/internal/demotest"
	"github.com/jwtauth-go/jwtauth/internal/djangotest"
	"github.com/jwtauth-go/jwtauth/internal/testkit"
)

// sjSecret is the key both sides share, as Django's SECRET_KEY.
const sjSecret = "a-django-secret-key-shared-by-both-sides-0123456789"

// sjPair is what the obtain views answer.
type sjPair struct{ Refresh, Access string }

// peers are the Django service (simplejwt 5.2.2, Debian's) and
// examples/basic with JWT_DIALECT=simplejwt, over one database.
type peers struct {
	django, ours string
	db           *sql.DB
}

// startPeers migrates a database with Django, creates its users (alice,
// and bob who is inactive) and starts both servers on it, rotating and
// blacklisting after rotation, sliding tokens credentials too.
func startPeers(t *testing.T, cfg djangotest.SimpleJWTConfig, ourDSN string, db *sql.DB) peers {
	t.Helper()
	cfg.Secret, cfg.Rotate, cfg.BlacklistAfterRotation = sjSecret, true, true
	cfg.TokenClasses = []string{"AccessToken", "SlidingToken"}
	djangotest.SetupSimpleJWT(t, cfg,
		djangotest.SimpleJWTAccount{Username: "alice", Password: "alice-password-1", Email: "alice@example.com"},
		djangotest.SimpleJWTAccount{Username: "bob", Password: "bob-password-1", Inactive: true})
	dj := djangotest.StartSimpleJWT(t, cfg)
	s := startBasic(t, buildBasic(t), "examples/basic, simplejwt", []string{
		"JWT_DIALECT=simplejwt", "DJANGO_SECRET_KEY=" + sjSecret,
		"SIMPLE_JWT_ROTATE_REFRESH_TOKENS=True", "SIMPLE_JWT_BLACKLIST_AFTER_ROTATION=True",
		"SIMPLE_JWT_AUTH_TOKEN_CLASSES=rest_framework_simplejwt.tokens.AccessToken,rest_framework_simplejwt.tokens.SlidingToken",
	}, "-db", ourDSN)
	s.ready(t)
	t.Cleanup(func() { s.stop(t) })
	return peers{django: dj.URL, ours: "http://" + s.addr, db: db}
}

func (p peers) obtain(t *testing.T, base string) sjPair {
	t.Helper()
	a := demotest.Do(t, "POST", base+"/api/token/", `{"username":"alice","password":"alice-password-1"}`, "Content-Type", "application/json")
	var pair sjPair
	if err := json.Unmarshal([]byte(a.Body), &pair); a.Status != 200 || err != nil || pair.Access == "" || pair.Refresh == "" {
		t.Fatalf("obtain from %s: %d %s", base, a.Status, a.Body)
	}
	return pair
}

// refresh posts a refresh token to base's refresh view.
func refresh(t *testing.T, base, token string) demotest.Answer {
	return demotest.Do(t, "POST", base+"/api/token/refresh/", `{"refresh":"`+token+`"}`, "Content-Type", "application/json")
}

// count counts the rows of a query.
func (p peers) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := p.db.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// jti is the jti claim of a token.
func jti(t *testing.T, token string) string {
	t.Helper()
	return payload(t, token)["jti"].(string)
}

// TestSimpleJWTPeers: a Go service and a Django service with simplejwt,
// sharing a secret and a database (SQLite, then PostgreSQL), are one
// system: each accepts the other's access tokens and refuses its refresh
// tokens as credentials, each refuses a refresh token the other
// blacklisted or rotated, the tables hold what simplejwt writes, and both
// answer the same requests with the same bytes.
func TestSimpleJWTPeers(t *testing.T) {
	t.Parallel()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		path := t.TempDir() + "/db.sqlite3"
		db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		simpleJWTPeers(t, startPeers(t, djangotest.SimpleJWTConfig{SQLite: path}, "sqlite:"+path, db), "?")
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		dsn := djangotest.Postgres(t)
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		simpleJWTPeers(t, startPeers(t, djangotest.SimpleJWTConfig{Postgres: dsn}, dsn, db), "$1")
	})
}

func simpleJWTPeers(t *testing.T, p peers, param string) {
	protected := func(base, token string) demotest.Answer {
		return demotest.Do(t, "GET", base+"/api/protected/", "", "Authorization", "Bearer "+token)
	}
	theirs, ours := p.obtain(t, p.django), p.obtain(t, p.ours)
	alice := `{"user_id":1,"username":"alice"}`

	sliding := func(base string) string {
		a := demotest.Do(t, "POST", base+"/api/token/sliding/", `{"username":"alice","password":"alice-password-1"}`)
		var body struct{ Token string }
		if err := json.Unmarshal([]byte(a.Body), &body); a.Status != 200 || err != nil || body.Token == "" {
			t.Fatalf("sliding obtain from %s: %d %s", base, a.Status, a.Body)
		}
		return body.Token
	}
	theirSliding, ourSliding := sliding(p.django), sliding(p.ours)

	t.Run("sliding tokens open either side, and renew there", func(t *testing.T) {
		for _, c := range []struct{ name, base, token string }{{"Django's on ours", p.ours, theirSliding}, {"ours on Django", p.django, ourSliding}} {
			if a := protected(c.base, c.token); a.Status != 200 || a.Body != alice {
				t.Errorf("%s: %d %s", c.name, a.Status, a.Body)
			}
			a := demotest.Do(t, "POST", c.base+"/api/token/sliding/refresh/", `{"token":"`+c.token+`"}`)
			var body struct{ Token string }
			if err := json.Unmarshal([]byte(a.Body), &body); a.Status != 200 || err != nil || jti(t, body.Token) != jti(t, c.token) {
				t.Errorf("%s: renewed: %d %s", c.name, a.Status, a.Body)
			}
		}
	})

	t.Run("access tokens open either side", func(t *testing.T) {
		for _, c := range []struct{ name, base, token string }{
			{"Django's on ours", p.ours, theirs.Access}, {"ours on Django", p.django, ours.Access},
			{"ours on ours", p.ours, ours.Access}, {"Django's on Django", p.django, theirs.Access},
		} {
			if a := protected(c.base, c.token); a.Status != 200 || a.Body != alice {
				t.Errorf("%s: %d %s", c.name, a.Status, a.Body)
			}
		}
		for _, tok := range []string{theirs.Access, theirs.Refresh, ours.Access, ours.Refresh} {
			if a := demotest.Do(t, "POST", p.django+"/api/token/verify/", `{"token":"`+tok+`"}`, "Content-Type", "application/json"); a.Status != 200 || a.Body != `{}` {
				t.Errorf("Django's verify: %d %s", a.Status, a.Body)
			}
		}
	})

	// The same request to both sides gets the same status and bytes.
	t.Run("same answers", func(t *testing.T) {
		json := []string{"Content-Type", "application/json"}
		now := time.Now().Unix()
		signed := func(claims string) string {
			return testkit.SignHS(sha256.New, sjSecret, `{"alg":"HS256","typ":"JWT"}`, fmt.Sprintf(claims, now))
		}
		noExp := signed(`{"token_type":"access","iat":%d,"jti":"0123456789abcdef0123456789abcdef","user_id":1}`)
		futureIAT := signed(`{"token_type":"access","exp":99999999999,"iat":%d9,"jti":"0123456789abcdef0123456789abcdef","user_id":1}`)
		noExpRefresh := signed(`{"token_type":"refresh","iat":%d,"jti":"0123456789abcdef0123456789abcdef","user_id":1}`)
		noUser := signed(`{"token_type":"access","exp":99999999999,"iat":%d,"jti":"0123456789abcdef0123456789abcdef"}`)
		unknownUser := signed(`{"token_type":"access","exp":99999999999,"iat":%d,"jti":"0123456789abcdef0123456789abcdef","user_id":99}`)
		inactiveUser := signed(`{"token_type":"access","exp":99999999999,"iat":%d,"jti":"0123456789abcdef0123456789abcdef","user_id":2}`)
		for _, c := range []struct {
			name, method, path, body string
			header                   []string
		}{
			{"a refresh token as credential (Django's)", "GET", "/api/protected/", "", []string{"Authorization", "Bearer " + theirs.Refresh}},
			{"a refresh token as credential (ours)", "GET", "/api/protected/", "", []string{"Authorization", "Bearer " + ours.Refresh}},
			{"no credentials", "GET", "/api/protected/", "", nil},
			{"three parts", "GET", "/api/protected/", "", []string{"Authorization", "Bearer a b"}},
			{"lower-case bearer", "GET", "/api/protected/", "", []string{"Authorization", "bearer " + ours.Access}},
			{"a forged token", "GET", "/api/protected/", "", []string{"Authorization", "Bearer " + ours.Access + "x"}},
			{"wrong password", "POST", "/api/token/", `{"username":"alice","password":"nope"}`, json},
			{"inactive user", "POST", "/api/token/", `{"username":"bob","password":"bob-password-1"}`, json},
			{"no fields", "POST", "/api/token/", `{}`, json},
			{"refresh with an access token", "POST", "/api/token/refresh/", `{"refresh":"` + theirs.Access + `"}`, json},
			{"refresh with garbage", "POST", "/api/token/refresh/", `{"refresh":"x.y.z"}`, json},
			{"refresh without a field", "POST", "/api/token/refresh/", `{}`, json},
			{"verify garbage", "POST", "/api/token/verify/", `{"token":"nope"}`, json},
			{"blacklist an access token", "POST", "/api/token/blacklist/", `{"refresh":"` + ours.Access + `"}`, json},
			{"blacklist without a field", "POST", "/api/token/blacklist/", `{}`, json},
			{"GET on obtain", "GET", "/api/token/", "", nil},
			{"OPTIONS on obtain", "OPTIONS", "/api/token/", "", nil},
			{"OPTIONS on refresh", "OPTIONS", "/api/token/refresh/", "", nil},
			{"OPTIONS on verify", "OPTIONS", "/api/token/verify/", "", nil},
			{"OPTIONS on blacklist", "OPTIONS", "/api/token/blacklist/", "", nil},
			{"OPTIONS on sliding obtain", "OPTIONS", "/api/token/sliding/", "", nil},
			{"OPTIONS on sliding refresh", "OPTIONS", "/api/token/sliding/refresh/", "", nil},
			{"sliding obtain, wrong password", "POST", "/api/token/sliding/", `{"username":"alice","password":"nope"}`, json},
			{"sliding refresh with a refresh token", "POST", "/api/token/sliding/refresh/", `{"token":"` + theirs.Refresh + `"}`, json},
			{"obtain as a form", "POST", "/api/token/", "username=alice&password=nope", []string{"Content-Type", "application/x-www-form-urlencoded"}},
			{"obtain, malformed JSON", "POST", "/api/token/", `{"username":`, json},
			{"obtain, a number as password", "POST", "/api/token/", `{"username":"alice","password":1}`, json},
			{"obtain, blank username", "POST", "/api/token/", `{"username":" ","password":"x"}`, json},
			{"refresh, null", "POST", "/api/token/refresh/", `{"refresh":null}`, json},
			{"verify, a list", "POST", "/api/token/verify/", `["token"]`, json},
			{"no exp", "GET", "/api/protected/", "", []string{"Authorization", "Bearer " + noExp}},
			{"issued in the future", "GET", "/api/protected/", "", []string{"Authorization", "Bearer " + futureIAT}},
			{"refresh, no exp", "POST", "/api/token/refresh/", `{"refresh":"` + noExpRefresh + `"}`, json},
			{"verify, no exp", "POST", "/api/token/verify/", `{"token":"` + noExp + `"}`, json},
			{"no user id", "GET", "/api/protected/", "", []string{"Authorization", "Bearer " + noUser}},
			{"unknown user", "GET", "/api/protected/", "", []string{"Authorization", "Bearer " + unknownUser}},
			{"inactive user", "GET", "/api/protected/", "", []string{"Authorization", "Bearer " + inactiveUser}},
		} {
			header := c.header
			dj := demotest.Do(t, c.method, p.django+c.path, c.body, header...)
			us := demotest.Do(t, c.method, p.ours+c.path, c.body, header...)
			if dj.Status != us.Status || dj.Body != us.Body || dj.Header.Get("WWW-Authenticate") != us.Header.Get("WWW-Authenticate") {
				t.Errorf("%s:\n Django %d %s (%q)\n ours   %d %s (%q)", c.name, dj.Status, dj.Body, dj.Header.Get("WWW-Authenticate"),
					us.Status, us.Body, us.Header.Get("WWW-Authenticate"))
			}
		}
	})

	blacklisted := `{"detail":"Token is blacklisted","code":"token_not_valid"}`
	outstanding := func(token string) int {
		return p.count(t, `SELECT count(*) FROM token_blacklist_outstandingtoken WHERE jti = `+param, jti(t, token))
	}
	isBlacklisted := func(token string) int {
		return p.count(t, `SELECT count(*) FROM token_blacklist_blacklistedtoken b JOIN token_blacklist_outstandingtoken o ON b.token_id = o.id WHERE o.jti = `+param, jti(t, token))
	}

	t.Run("blacklisted on one side, refused on the other", func(t *testing.T) {
		for _, c := range []struct{ name, by, at string }{{"by Django", p.django, p.ours}, {"by us", p.ours, p.django}} {
			pair := p.obtain(t, c.by)
			if a := demotest.Do(t, "POST", c.by+"/api/token/blacklist/", `{"refresh":"`+pair.Refresh+`"}`, "Content-Type", "application/json"); a.Status != 200 || a.Body != `{}` {
				t.Fatalf("%s: blacklist: %d %s", c.name, a.Status, a.Body)
			}
			if a := refresh(t, c.at, pair.Refresh); a.Status != 401 || a.Body != blacklisted {
				t.Errorf("%s: refresh on the other side: %d %s", c.name, a.Status, a.Body)
			}
			if a := demotest.Do(t, "POST", c.at+"/api/token/verify/", `{"token":"`+pair.Refresh+`"}`, "Content-Type", "application/json"); a.Status != 400 || a.Body != `{"non_field_errors":["Token is blacklisted"]}` {
				t.Errorf("%s: verify on the other side: %d %s", c.name, a.Status, a.Body)
			}
			if n := isBlacklisted(pair.Refresh); n != 1 {
				t.Errorf("%s: %d blacklisted rows, want 1", c.name, n)
			}
		}
	})

	t.Run("rotation on one side, reuse refused on the other", func(t *testing.T) {
		for _, c := range []struct{ name, by, at string }{{"by Django", p.django, p.ours}, {"by us", p.ours, p.django}} {
			pair := p.obtain(t, c.by)
			if n := outstanding(pair.Refresh); n != 1 {
				t.Errorf("%s: %d outstanding rows for the refresh token of a login, want 1", c.name, n)
			}
			a := refresh(t, c.by, pair.Refresh)
			var rotated sjPair
			if err := json.Unmarshal([]byte(a.Body), &rotated); a.Status != 200 || err != nil || rotated.Refresh == "" || !strings.HasPrefix(a.Body, `{"access":`) {
				t.Fatalf("%s: refresh: %d %s", c.name, a.Status, a.Body)
			}
			if n := isBlacklisted(pair.Refresh); n != 1 {
				t.Errorf("%s: %d blacklisted rows for the rotated token, want 1", c.name, n)
			}
			// simplejwt 5.2 records no outstanding row for the new refresh
			// token of a rotation; 5.5 does, and so do we.
			want := 0
			if c.by == p.ours {
				want = 1
			}
			if n := outstanding(rotated.Refresh); n != want {
				t.Errorf("%s: %d outstanding rows for the new refresh token, want %d", c.name, n, want)
			}
			if a := refresh(t, c.at, pair.Refresh); a.Status != 401 || a.Body != blacklisted {
				t.Errorf("%s: the rotated token on the other side: %d %s", c.name, a.Status, a.Body)
			}
			if a := refresh(t, c.at, rotated.Refresh); a.Status != 200 {
				t.Errorf("%s: the new refresh token on the other side: %d %s", c.name, a.Status, a.Body)
			}
		}
		// Ours are Django's rows: the user, the token, its times.
		var user sql.NullInt64
		var token string
		q := `SELECT user_id, token FROM token_blacklist_outstandingtoken WHERE jti = ` + param
		if err := p.db.QueryRow(q, jti(t, ours.Refresh)).Scan(&user, &token); err != nil || user.Int64 != 1 || token != ours.Refresh {
			t.Errorf("our outstanding row: user %v, token %.20s..., %v", user, token, err)
		}
	})
}
