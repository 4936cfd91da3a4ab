package jwtauth

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jwtauth-go/jwtauth/revoke"
)

// withRevocations turns revocation on with m, on the Auth's clock.
func withRevocations(m *revoke.Memory) func(*Settings) {
	return func(s *Settings) {
		s.Revocations = m
		if m.Now == nil && s.Now != nil {
			m.Now = s.Now
		}
	}
}

// withCache sets the token cache's size.
func withCache(n int) func(*Settings) { return func(s *Settings) { s.TokenCacheSize = n } }

// get sends a GET with header authorization through h.
func get(h http.Handler, authorization string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("GET", "/api/protected/", nil)
	if authorization != "" {
		r.Header.Set("Authorization", authorization)
	}
	return serveRecorded(h, r)
}

const blacklisted = "Token is blacklisted."

// TestRevoke: a revoked DRF-JWT token is refused at once by the
// middleware (the drf-jwt fork's 403), refresh and verify (400), cached or
// not; other tokens are not; a token minted without a jti (by Django, or
// before revocation was on) is revoked by the digest of its header and
// payload, and a token of another spelling is not the same token.
func TestRevoke(t *testing.T) {
	for _, cache := range []int{0, 64} {
		t.Run(fmt.Sprintf("cache=%d", cache), func(t *testing.T) {
			clock := newFixtureClock()
			m := revoke.NewMemory(0)
			a := newTestAuth(t, nil, withFixtureClock(clock), withAllowRefresh, withCache(cache), withRevocations(m))
			h := a.Handlers()
			view := a.Required(&protectedView{})
			tok, err := a.IssueToken(t.Context(), fixtureUser)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(tokenPayloadJSON(t, tok), `"jti":"`) {
				t.Errorf("with revocation on, a DRF-JWT token carries a jti: %s", tokenPayloadJSON(t, tok))
			}
			clock.Advance(time.Second)
			other, _ := a.IssueToken(t.Context(), fixtureUser)
			clock.Advance(time.Second) // a login of its own: same second, same family
			// Made by an Auth without revocation, as Django makes them.
			plain, _ := newTestAuth(t, nil, withFixtureClock(clock), withAllowRefresh).IssueToken(t.Context(), fixtureUser)
			for _, tk := range []string{tok, other, plain} {
				assertJSONResponse(t, get(view, "JWT "+tk), 200, protectedOK) // cached now, if the cache is on
			}
			for _, tk := range []string{tok, plain} {
				if err := a.Revoke(t.Context(), tk); err != nil {
					t.Fatalf("Revoke: %v", err)
				}
			}
			for _, tk := range []string{tok, plain} {
				rec := get(view, "JWT "+tk)
				assertJSONResponse(t, rec, http.StatusForbidden, detailBody(blacklisted))
				assertHeaderValue(t, rec, "WWW-Authenticate", "")
				assertJSONResponse(t, doJSON(h.Refresh, tokenRespBody(tk)), 400, nonFieldBody(blacklisted))
				assertJSONResponse(t, doJSON(h.Verify, tokenRespBody(tk)), 400, nonFieldBody(blacklisted))
				if _, _, err := a.VerifyToken(t.Context(), tk); !errors.Is(err, ErrInvalidToken) {
					t.Errorf("VerifyToken of a revoked token: %v, want ErrInvalidToken", err)
				}
			}
			assertJSONResponse(t, get(view, "JWT "+other), 200, protectedOK)
			if err := a.Revoke(t.Context(), "not.a.token"); !errors.Is(err, ErrInvalidToken) {
				t.Errorf("Revoke of garbage: %v", err)
			}
			clock.Advance(time.Hour)
			if err := a.Revoke(t.Context(), other); err != nil {
				t.Errorf("Revoke of an expired token: %v, want nil", err)
			}
		})
	}
}

// TestRevokeFamily: revoking a DRF-JWT token revokes the tokens refreshed
// from the same login (its orig_iat), and only those.
func TestRevokeFamily(t *testing.T) {
	clock := newFixtureClock()
	a := newTestAuth(t, nil, withFixtureClock(clock), withAllowRefresh, withCache(64), withRevocations(revoke.NewMemory(0)))
	h, view := a.Handlers(), a.Required(&protectedView{})
	first, _ := a.IssueToken(t.Context(), fixtureUser)
	clock.Advance(time.Second)
	otherLogin, _ := a.IssueToken(t.Context(), fixtureUser)
	clock.Advance(time.Minute)
	rec := doJSON(h.Refresh, tokenRespBody(first))
	if rec.Code != 200 {
		t.Fatalf("refresh: %d %s", rec.Code, rec.Body)
	}
	refreshed := tokenFromBody(t, rec)
	assertJSONResponse(t, get(view, "JWT "+refreshed), 200, protectedOK)
	if err := a.Revoke(t.Context(), first); err != nil {
		t.Fatal(err)
	}
	assertJSONResponse(t, get(view, "JWT "+refreshed), 403, detailBody(blacklisted))
	assertJSONResponse(t, get(view, "JWT "+otherLogin), 200, protectedOK)
}

// TestRevokeUser: "log out everywhere" refuses every token of the user
// issued before it, in both dialects, whatever the token's kind, and
// none of another user's nor issued after.
func TestRevokeUser(t *testing.T) {
	for _, dialect := range []string{"drf-jwt", "simplejwt"} {
		t.Run(dialect, func(t *testing.T) {
			clock := newFixtureClock()
			tweaks := []func(*Settings){withFixtureClock(clock), withAllowRefresh, withCache(64), withRevocations(revoke.NewMemory(0))}
			scheme := "JWT "
			if dialect == "simplejwt" {
				tweaks[1] = withSimpleJWT(SimpleJWT{SlidingTokens: true})
				scheme = "Bearer "
			}
			a := newTestAuth(t, nil, tweaks...)
			view := a.Required(&protectedView{})
			var before []string
			for _, u := range []User{fixtureUser, fixtureAdmin} {
				tok, err := a.IssueToken(t.Context(), u)
				if err != nil {
					t.Fatal(err)
				}
				before = append(before, tok)
			}
			if dialect == "simplejwt" {
				_, body, _ := sjFlow{t, a.Handlers()}.post(a.Handlers().ObtainSliding, `{"username":"jpueblo","password":"password"}`)
				before = append(before, body["token"])
			}
			clock.Advance(time.Second)
			if err := a.RevokeUser(t.Context(), fixtureUser.ID); err != nil {
				t.Fatal(err)
			}
			clock.Advance(time.Second)
			after, _ := a.IssueToken(t.Context(), fixtureUser)
			for i, tok := range before {
				want := http.StatusForbidden
				if dialect == "simplejwt" {
					want = http.StatusUnauthorized
				}
				if i == 1 { // admin's
					want = 200
				}
				if rec := get(view, scheme+tok); rec.Code != want {
					t.Errorf("token %d issued before: %d %s, want %d", i, rec.Code, rec.Body, want)
				}
			}
			if rec := get(view, scheme+after); rec.Code != 200 {
				t.Errorf("token issued after: %d %s", rec.Code, rec.Body)
			}
		})
	}
	if err := newTestAuth(t, nil).RevokeUser(t.Context(), "1"); err == nil {
		t.Error("RevokeUser without Revocations succeeded")
	}
}

// TestRefreshReuseDRFJWT: a DRF-JWT token refreshed twice, past the
// grace, revokes every token of its login; within the grace, the
// client's own retry, it does not.
func TestRefreshReuseDRFJWT(t *testing.T) {
	clock := newFixtureClock()
	a := newTestAuth(t, nil, withFixtureClock(clock), withAllowRefresh, withCache(64), withRevocations(revoke.NewMemory(0)),
		func(s *Settings) { s.ReuseGrace = 5 * time.Second })
	h, view := a.Handlers(), a.Required(&protectedView{})
	stolen, _ := a.IssueToken(t.Context(), fixtureUser)
	clock.Advance(time.Minute)
	rec := doJSON(h.Refresh, tokenRespBody(stolen)) // the thief
	thief := tokenFromBody(t, rec)
	clock.Advance(5 * time.Second)
	retry := tokenFromBody(t, doJSON(h.Refresh, tokenRespBody(stolen))) // at the edge of the grace: a retry
	assertJSONResponse(t, get(view, "JWT "+retry), 200, protectedOK)
	clock.Advance(time.Second)
	assertJSONResponse(t, doJSON(h.Refresh, tokenRespBody(stolen)), 400, nonFieldBody(blacklisted)) // the victim, later
	for _, tok := range []string{stolen, thief, retry} {
		assertJSONResponse(t, get(view, "JWT "+tok), 403, detailBody(blacklisted))
	}
	clock.Advance(time.Second)
	fresh, _ := a.IssueToken(t.Context(), fixtureUser) // a new login is a new family
	assertJSONResponse(t, get(view, "JWT "+fresh), 200, protectedOK)
}

// TestRefreshReuseSimpleJWT: with rotation, a refresh token replayed
// after the grace revokes its family: every refresh and access token of
// that login, whether the rotated token was blacklisted or not; other
// logins keep working. The blacklist view logs a login out entirely.
func TestRefreshReuseSimpleJWT(t *testing.T) {
	for _, blacklistAfter := range []bool{false, true} {
		t.Run(fmt.Sprintf("BlacklistAfterRotation=%t", blacklistAfter), func(t *testing.T) {
			clock := newFixtureClock()
			a := newTestAuth(t, nil, withFixtureClock(clock), withCache(64), withRevocations(revoke.NewMemory(0)),
				withSimpleJWT(SimpleJWT{RotateRefreshTokens: true, BlacklistAfterRotation: blacklistAfter}),
				func(s *Settings) { s.ReuseGrace = -1 })
			f := sjFlow{t, a.Handlers()}
			view := a.Required(&protectedView{})
			login := `{"username":"jpueblo","password":"password"}`
			_, pair, _ := f.post(f.h.Obtain, login)
			clock.Advance(time.Second)
			_, other, _ := f.post(f.h.Obtain, login)
			if fam := jsonField(t, tokenPayloadJSON(t, pair["access"]), "family"); fam != jsonField(t, tokenPayloadJSON(t, pair["refresh"]), "jti") {
				t.Errorf("the login's access token names family %q, not its refresh token's jti", fam)
			}
			clock.Advance(time.Minute)
			st, rotated, body := f.post(f.h.Refresh, `{"refresh":"`+pair["refresh"]+`"}`)
			if st != 200 || rotated["refresh"] == "" {
				t.Fatalf("rotation: %d %s", st, body)
			}
			if fam := jsonField(t, tokenPayloadJSON(t, rotated["refresh"]), "family"); fam != jsonField(t, tokenPayloadJSON(t, pair["refresh"]), "jti") {
				t.Errorf("the rotated refresh token names family %q", fam)
			}
			for _, tok := range []string{pair["access"], rotated["access"]} {
				assertJSONResponse(t, get(view, "Bearer "+tok), 200, protectedOK)
			}
			clock.Advance(time.Second)
			st, _, body = f.post(f.h.Refresh, `{"refresh":"`+pair["refresh"]+`"}`)
			if want := `{"detail":"Token is blacklisted","code":"token_not_valid"}`; st != 401 || body != want {
				t.Errorf("replay: %d %s, want 401 %s", st, body, want)
			}
			for _, tok := range []string{pair["access"], rotated["access"]} {
				assertJSONResponse(t, get(view, "Bearer "+tok), 401, sjNotValid("Token is blacklisted"))
			}
			if st, _, body := f.post(f.h.Refresh, `{"refresh":"`+rotated["refresh"]+`"}`); st != 401 {
				t.Errorf("the family's newest refresh token: %d %s", st, body)
			}
			if st, _, body := f.post(f.h.Verify, `{"token":"`+rotated["access"]+`"}`); st != 401 {
				t.Errorf("verify of the family's access token: %d %s", st, body)
			}
			assertJSONResponse(t, get(view, "Bearer "+other["access"]), 200, protectedOK)

			// Logout through the blacklist view: the access token too.
			if st, _, body := f.post(f.h.Blacklist, `{"refresh":"`+other["refresh"]+`"}`); st != 200 {
				t.Fatalf("blacklist: %d %s", st, body)
			}
			assertJSONResponse(t, get(view, "Bearer "+other["access"]), 401, sjNotValid("Token is blacklisted"))
		})
	}
}

// TestRefreshWithoutRotation: without rotation a simplejwt refresh
// token is meant to be used again and again: no reuse detection.
func TestRefreshWithoutRotation(t *testing.T) {
	clock := newFixtureClock()
	a := newTestAuth(t, nil, withFixtureClock(clock), withRevocations(revoke.NewMemory(0)), withSimpleJWT(SimpleJWT{}),
		func(s *Settings) { s.ReuseGrace = -1 })
	f := sjFlow{t, a.Handlers()}
	_, pair, _ := f.post(f.h.Obtain, `{"username":"jpueblo","password":"password"}`)
	for i := range 3 {
		clock.Advance(time.Minute)
		if st, _, body := f.post(f.h.Refresh, `{"refresh":"`+pair["refresh"]+`"}`); st != 200 {
			t.Fatalf("refresh %d: %d %s", i+1, st, body)
		}
	}
}

// TestBlacklistView: the drf-jwt fork's blacklist view, as its tests
// pin it: anonymous 401; a POST of nothing logs out the request's own
// token, 201 {"token"}, after which that token gets 403; a POST of
// another token revokes that one, twice without harm; a request
// authenticated otherwise must name one.
func TestBlacklistView(t *testing.T) {
	clock := newFixtureClock()
	store := newFixtureStore(t)
	a := newTestAuth(t, store, withFixtureClock(clock), withCache(64), withRevocations(revoke.NewMemory(0)),
		func(s *Settings) { s.Authenticators = []Authenticator{BasicAuthentication(store)} })
	if newTestAuth(t, nil).Handlers().Blacklist != nil {
		t.Error("a Blacklist view without Revocations")
	}
	h := a.Handlers().Blacklist
	view := a.Required(&protectedView{})
	post := func(authorization, body string) *httptest.ResponseRecorder {
		r := jsonBodyRequest("POST", "/api-token-blacklist/", body)
		if authorization != "" {
			r.Header.Set("Authorization", authorization)
		}
		return serveRecorded(h, r)
	}
	own, _ := a.IssueToken(t.Context(), fixtureUser)
	clock.Advance(time.Second)
	another, _ := a.IssueToken(t.Context(), fixtureUser)

	rec := post("", `{}`)
	assert401(t, rec, `JWT realm="api"`, "Authentication credentials were not provided.")
	rec = post("JWT "+own, ``)
	assertJSONResponse(t, rec, http.StatusCreated, tokenRespBody(own))
	assertHeaderValue(t, rec, "Cache-Control", "no-store")
	assertJSONResponse(t, get(view, "JWT "+own), 403, detailBody(blacklisted))
	assertJSONResponse(t, post("JWT "+own, ``), 403, detailBody(blacklisted))

	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("admin:"+fixtureAdminPassword))
	for range 2 {
		assertJSONResponse(t, post(basic, tokenRespBody(another)), http.StatusCreated, tokenRespBody(another))
	}
	assertJSONResponse(t, get(view, "JWT "+another), 403, detailBody(blacklisted))
	assertJSONResponse(t, post(basic, `{}`), 400, `{"token":["This field may not be null."]}`)
	assertJSONResponse(t, post(basic, `{"token":""}`), 400, `{"token":["This field may not be blank."]}`)
	assertJSONResponse(t, post(basic, `{"token":"garbage"}`), 400, nonFieldBody("Error decoding signature."))
	r := httptest.NewRequest("GET", "/api-token-blacklist/", nil)
	r.Header.Set("Authorization", basic)
	assertJSONResponse(t, serveRecorded(h, r), 405, detailBody(`Method "GET" not allowed.`))
	r = httptest.NewRequest("OPTIONS", "/api-token-blacklist/", nil)
	if rec := serveRecorded(h, r); rec.Code != 401 {
		t.Errorf("anonymous OPTIONS: %d, want 401 (the view requires authentication)", rec.Code)
	}
	r.Header.Set("Authorization", basic)
	if rec := serveRecorded(h, r); rec.Code != 200 || !strings.Contains(rec.Body.String(), `"token":{"type":"string","required":false,"read_only":false,"label":"Token"}`) {
		t.Errorf("OPTIONS: %d %s", rec.Code, rec.Body)
	}
}

// failingRevocations is a revocation store that cannot answer, as a
// shared one out of touch with its peers.
type failingRevocations struct{ revoke.Memory }

func (*failingRevocations) Revoked(revoke.Token) (bool, error) {
	return false, fmt.Errorf("out of touch: %w", revoke.ErrUnavailable)
}
func (*failingRevocations) Generation() uint64 { return 0 }
func (*failingRevocations) Add(context.Context, revoke.Entry) error {
	return errors.New("connection refused")
}

// TestRevocationsUnavailable: a store that cannot check is a 503 with
// Retry-After, never a pass and never a 500, cached token or not; a
// revocation it cannot record is not acknowledged.
func TestRevocationsUnavailable(t *testing.T) {
	for _, dialect := range []string{"drf-jwt", "simplejwt"} {
		t.Run(dialect, func(t *testing.T) {
			tweaks := []func(*Settings){withCache(64), func(s *Settings) { s.Revocations = &failingRevocations{} }}
			scheme := "JWT "
			if dialect == "simplejwt" {
				tweaks = append(tweaks, withSimpleJWT(SimpleJWT{}))
				scheme = "Bearer "
			}
			a := newTestAuth(t, nil, tweaks...)
			tok, _ := a.IssueToken(t.Context(), fixtureUser)
			for range 2 {
				rec := get(a.Required(&protectedView{}), scheme+tok)
				assertJSONResponse(t, rec, 503, detailBody("Service temporarily unavailable, try again later."))
				assertHeaderValue(t, rec, "Retry-After", "1")
			}
			if err := a.Revoke(t.Context(), tok); err == nil {
				t.Error("Revoke acknowledged what the store did not record")
			}
		})
	}
}

// TestRevokedNeverAccepted is the property: whatever the interleaving of
// requests and revocations, a token is never accepted by a request that
// starts after its Revoke returned, cached or not. Run it with -race.
func TestRevokedNeverAccepted(t *testing.T) {
	for _, cache := range []int{0, 8, 1024} { // 8: entries evicted and re-verified all the time
		t.Run(fmt.Sprintf("cache=%d", cache), func(t *testing.T) {
			m := revoke.NewMemory(0)
			a := newTestAuth(t, nil, withCache(cache), withRevocations(m), func(s *Settings) { s.Now = time.Now })
			const n = 64
			toks := make([]string, n)
			for i := range toks {
				var err error
				if toks[i], err = a.IssueToken(t.Context(), fixtureUser); err != nil {
					t.Fatal(err)
				}
			}
			var revoked [n]atomic.Bool
			var stop atomic.Bool
			var wg sync.WaitGroup
			var accepted, refused atomic.Int64
			for w := range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					rng := rand.New(rand.NewPCG(uint64(w), 1))
					r := httptest.NewRequest("GET", "/", nil)
					for !stop.Load() {
						i := rng.IntN(n)
						was := revoked[i].Load() // read before the request starts
						r.Header.Set("Authorization", "JWT "+toks[i])
						_, _, err := a.Authenticate(r)
						switch {
						case err == nil && was:
							t.Errorf("token %d accepted after its revocation returned", i)
							return
						case err == nil:
							accepted.Add(1)
						case errors.Is(err, errRevoked):
							refused.Add(1)
						default:
							t.Errorf("token %d: %v", i, err)
							return
						}
					}
				}()
			}
			for _, i := range rand.Perm(n) {
				time.Sleep(200 * time.Microsecond)
				if err := a.Revoke(t.Context(), toks[i]); err != nil {
					t.Fatal(err)
				}
				revoked[i].Store(true)
			}
			time.Sleep(time.Millisecond)
			stop.Store(true)
			wg.Wait()
			if accepted.Load() == 0 || refused.Load() == 0 {
				t.Errorf("the interleaving did not happen: %d accepted, %d refused", accepted.Load(), refused.Load())
			}
		})
	}
}
