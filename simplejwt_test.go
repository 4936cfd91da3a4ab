package jwtauth

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jwtauth-go/jwtauth/blacklist"
	"github.com/jwtauth-go/jwtauth/internal/testkit"
)

// simplejwt's answers, as a running simplejwt 5.2.2 gives them.
const (
	sjInvalid       = "Token is invalid or expired"
	sjNoActive      = `{"detail":"No active account found with the given credentials"}`
	sjBadHeader     = `{"detail":"Authorization header must contain two space-delimited values","code":"bad_authorization_header"}`
	sjNotProvided   = `{"detail":"Authentication credentials were not provided."}`
	sjUserNotFound  = `{"detail":"User not found","code":"user_not_found"}`
	sjUserInactive  = `{"detail":"User is inactive","code":"user_inactive"}`
	sjNoUserID      = `{"detail":"Token contained no recognizable user identification","code":"token_not_valid"}`
	sjChallenge     = `Bearer realm="api"`
	sjTestJTI       = "0123456789abcdef0123456789abcdef"
	sjAccessPayload = `{"token_type":"access","exp":1700000300,"iat":1700000000,"jti":"` + sjTestJTI + `","user_id":1}`
)

// sjNotValid is the middleware's refusal of a token, with the reason of
// each token class tried.
func sjNotValid(msgs ...string) string {
	b := `{"detail":"Given token not valid for any token type","code":"token_not_valid","messages":[`
	classes := []string{`"token_class":"AccessToken","token_type":"access"`, `"token_class":"SlidingToken","token_type":"sliding"`}
	for i, m := range msgs {
		if i > 0 {
			b += ","
		}
		b += `{` + classes[i] + `,"message":"` + m + `"}`
	}
	return b + `]}`
}

// sjToken signs payload as simplejwt does (PyJWT 2's header), with the
// fixture secret, by hand.
func sjToken(payload string) string {
	return testkit.SignHS(sha256.New, fixtureSecret, fixturePyJWT2Header, payload)
}

// withSimpleJWT selects simplejwt's dialect with j.
func withSimpleJWT(j SimpleJWT) func(*Settings) {
	return func(s *Settings) { s.SimpleJWT = &j }
}

// TestSimpleJWTMiddleware: the middleware answers as simplejwt's
// JWTAuthentication does, body for body: the access tokens of both
// simplejwt releases (user_id an integer in 5.2, a string in 5.5), the
// header type matched exactly, each refusal with its detail and code.
func TestSimpleJWTMiddleware(t *testing.T) {
	bl := fixtureBlacklist()
	if err := bl.Blacklist(context.Background(), blacklist.Token{JTI: "listed", ExpiresAt: fixtureNow.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	sliding := `{"token_type":"sliding","exp":1700000300,"iat":1700000000,"jti":"` + sjTestJTI + `","refresh_exp":1700086400,"user_id":1}`
	for _, tc := range []struct {
		name   string
		j      SimpleJWT
		header []string
		status int
		body   string
	}{
		{"5.2 access token, integer user_id", SimpleJWT{}, []string{"Bearer " + sjToken(sjAccessPayload)}, 200, protectedOK},
		{"5.5 access token, string user_id", SimpleJWT{}, []string{"Bearer " + sjToken(strings.Replace(sjAccessPayload, `"user_id":1`, `"user_id":"1"`, 1))}, 200, protectedOK},
		{"no header", SimpleJWT{}, nil, 401, sjNotProvided},
		{"bearer in lower case is not ours", SimpleJWT{}, []string{"bearer " + sjToken(sjAccessPayload)}, 401, sjNotProvided},
		{"JWT is not ours by default", SimpleJWT{}, []string{"JWT " + sjToken(sjAccessPayload)}, 401, sjNotProvided},
		{"a second header type", SimpleJWT{AuthHeaderTypes: []string{"Bearer", "JWT"}}, []string{"JWT " + sjToken(sjAccessPayload)}, 200, protectedOK},
		{"Bearer alone", SimpleJWT{}, []string{"Bearer"}, 401, sjBadHeader},
		{"three parts", SimpleJWT{}, []string{"Bearer a b"}, 401, sjBadHeader},
		{"tab separated", SimpleJWT{}, []string{"Bearer\t" + sjToken(sjAccessPayload)}, 200, protectedOK},
		{"two headers", SimpleJWT{}, []string{"Bearer " + sjToken(sjAccessPayload), "Bearer x"}, 401, sjBadHeader},
		{"bad signature", SimpleJWT{}, []string{"Bearer " + sjToken(sjAccessPayload) + "x"}, 401, sjNotValid(sjInvalid)},
		{"expired", SimpleJWT{}, []string{"Bearer " + sjToken(strings.Replace(sjAccessPayload, "1700000300", "1700000000", 1))}, 401, sjNotValid(sjInvalid)},
		{"no exp", SimpleJWT{}, []string{"Bearer " + sjToken(strings.Replace(sjAccessPayload, `"exp":1700000300,`, "", 1))}, 401, sjNotValid("Token has no 'exp' claim")},
		{"issued in the future (PyJWT 2 refuses it)", SimpleJWT{}, []string{"Bearer " + sjToken(strings.Replace(sjAccessPayload, `"iat":1700000000`, `"iat":1700000001`, 1))}, 401, sjNotValid(sjInvalid)},
		{"refresh token", SimpleJWT{}, []string{"Bearer " + sjToken(strings.Replace(sjAccessPayload, `"access"`, `"refresh"`, 1))}, 401, sjNotValid("Token has wrong type")},
		{"no token_type (a DRF-JWT token with a jti)", SimpleJWT{}, []string{"Bearer " + sjToken(`{"user_id":1,"username":"jpueblo","exp":1700000300,"jti":"x"}`)}, 401, sjNotValid("Token has no type")},
		{"no jti (a DRF-JWT token)", SimpleJWT{}, []string{"Bearer " + sjToken(`{"user_id":1,"username":"jpueblo","exp":1700000300,"email":""}`)}, 401, sjNotValid("Token has no id")},
		{"sliding token, not accepted", SimpleJWT{}, []string{"Bearer " + sjToken(sliding)}, 401, sjNotValid("Token has wrong type")},
		{"sliding token, accepted", SimpleJWT{SlidingTokens: true}, []string{"Bearer " + sjToken(sliding)}, 200, protectedOK},
		{"refresh token, sliding accepted", SimpleJWT{SlidingTokens: true}, []string{"Bearer " + sjToken(strings.Replace(sjAccessPayload, `"access"`, `"refresh"`, 1))}, 401, sjNotValid("Token has wrong type", "Token has wrong type")},
		{"blacklisted sliding token", SimpleJWT{SlidingTokens: true, Blacklist: bl}, []string{"Bearer " + sjToken(strings.Replace(sliding, sjTestJTI, "listed", 1))}, 401, sjNotValid("Token has wrong type", "Token is blacklisted")},
		{"no user_id", SimpleJWT{}, []string{"Bearer " + sjToken(`{"token_type":"access","exp":1700000300,"jti":"x"}`)}, 401, sjNoUserID},
		{"unknown user", SimpleJWT{}, []string{"Bearer " + sjToken(strings.Replace(sjAccessPayload, `"user_id":1`, `"user_id":99`, 1))}, 401, sjUserNotFound},
		{"not an id", SimpleJWT{}, []string{"Bearer " + sjToken(strings.Replace(sjAccessPayload, `"user_id":1`, `"user_id":"abc"`, 1))}, 401, sjUserNotFound},
		{"inactive user", SimpleJWT{}, []string{"Bearer " + sjToken(strings.Replace(sjAccessPayload, `"user_id":1`, `"user_id":2`, 1))}, 401, sjUserInactive},
		{"a user id claim of another name", SimpleJWT{UserIDClaim: "uid"}, []string{"Bearer " + sjToken(`{"token_type":"access","exp":1700000300,"jti":"x","uid":"1"}`)}, 200, protectedOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newTestAuth(t, nil, withSimpleJWT(tc.j))
			r := httptest.NewRequest("GET", "/api/protected/", nil)
			for _, h := range tc.header {
				r.Header.Add("Authorization", h)
			}
			rec := serveRecorded(a.Required(&protectedView{}), r)
			assertJSONResponse(t, rec, tc.status, tc.body)
			if got := rec.Header().Get("WWW-Authenticate"); (tc.status == 401) != (got == sjChallenge) {
				t.Errorf("WWW-Authenticate %q", got)
			}
		})
	}
}

// sjFlow drives simplejwt's endpoints of one Auth.
type sjFlow struct {
	t *testing.T
	h Handlers
}

func (f sjFlow) post(h http.Handler, body string) (int, map[string]string, string) {
	f.t.Helper()
	rec := doJSON(h, body)
	m := map[string]string{}
	_ = jsonUnmarshal(rec.Body.Bytes(), &m)
	return rec.Code, m, rec.Body.String()
}

// TestSimpleJWTEndpoints: obtain, refresh (with and without rotation),
// verify, blacklist and the sliding views answer simplejwt's bodies, and
// the tokens they write are simplejwt's, in its claim order.
func TestSimpleJWTEndpoints(t *testing.T) {
	bl := fixtureBlacklist()
	a := newTestAuth(t, nil, withSimpleJWT(SimpleJWT{RotateRefreshTokens: true, BlacklistAfterRotation: true, Blacklist: bl}))
	f := sjFlow{t, a.Handlers()}
	login := `{"username":"jpueblo","password":"password"}`

	st, pair, body := f.post(f.h.Obtain, login)
	if st != 200 || !strings.HasPrefix(body, `{"refresh":"`) || pair["access"] == "" {
		t.Fatalf("obtain: %d %s", st, body)
	}
	refresh := tokenPayloadJSON(t, pair["refresh"])
	jti := jsonField(t, refresh, "jti")
	if want := `{"token_type":"refresh","exp":1700086400,"iat":1700000000,"jti":"` + jti + `","user_id":"1"}`; refresh != want || len(jti) != 32 || jti[12] != '4' {
		t.Errorf("refresh token %s, want %s (a uuid4 as 32 hex digits)", refresh, want)
	}
	access := tokenPayloadJSON(t, pair["access"])
	if ajti := jsonField(t, access, "jti"); access != `{"token_type":"access","exp":1700000300,"iat":1700000000,"jti":"`+ajti+`","user_id":"1"}` || ajti == jti {
		t.Errorf("access token %s", access)
	}
	if !strings.HasPrefix(pair["access"], fixtureB64([]byte(fixturePyJWT2Header))+".") {
		t.Errorf("header of %s, want PyJWT 2's", pair["access"])
	}
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Authorization", "Bearer "+pair["access"])
	assertJSONResponse(t, serveRecorded(a.Required(&protectedView{}), r), 200, protectedOK)

	for _, tc := range []struct {
		name   string
		h      http.Handler
		body   string
		status int
		want   string // exact, or "" to check only the status
	}{
		{"obtain, wrong password", f.h.Obtain, `{"username":"jpueblo","password":"wrong"}`, 401, sjNoActive},
		{"obtain, inactive user", f.h.Obtain, `{"username":"inactive","password":"inactivepw"}`, 401, sjNoActive},
		{"obtain, no fields", f.h.Obtain, `{}`, 400, `{"username":["This field is required."],"password":["This field is required."]}`},
		{"refresh, no field", f.h.Refresh, `{}`, 400, `{"refresh":["This field is required."]}`},
		{"refresh with an access token", f.h.Refresh, `{"refresh":"` + pair["access"] + `"}`, 401, `{"detail":"Token has wrong type","code":"token_not_valid"}`},
		{"refresh with garbage", f.h.Refresh, `{"refresh":"x.y.z"}`, 401, `{"detail":"Token is invalid or expired","code":"token_not_valid"}`},
		{"verify an access token", f.h.Verify, `{"token":"` + pair["access"] + `"}`, 200, `{}`},
		{"verify a refresh token", f.h.Verify, `{"token":"` + pair["refresh"] + `"}`, 200, `{}`},
		{"verify a token without jti", f.h.Verify, `{"token":"` + sjToken(`{"token_type":"access","exp":1700000300,"user_id":1}`) + `"}`, 401, `{"detail":"Token has no id","code":"token_not_valid"}`},
		{"blacklist an access token", f.h.Blacklist, `{"refresh":"` + pair["access"] + `"}`, 401, `{"detail":"Token has wrong type","code":"token_not_valid"}`},
		{"blacklist a token without jti", f.h.Blacklist, `{"refresh":"` + sjToken(`{"token_type":"refresh","exp":1700000300,"user_id":1}`) + `"}`, 401, `{"detail":"Token has no id","code":"token_not_valid"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := doJSON(tc.h, tc.body)
			assertJSONResponse(t, rec, tc.status, tc.want)
			if got := rec.Header().Get("WWW-Authenticate"); (tc.status == 401) != (got == sjChallenge) {
				t.Errorf("WWW-Authenticate %q", got)
			}
		})
	}

	// Rotation: a new refresh token, the old one blacklisted.
	st, rot, body := f.post(f.h.Refresh, `{"refresh":"`+pair["refresh"]+`"}`)
	if st != 200 || !strings.HasPrefix(body, `{"access":"`) || rot["refresh"] == "" || rot["refresh"] == pair["refresh"] {
		t.Fatalf("refresh with rotation: %d %s", st, body)
	}
	if got := tokenPayloadJSON(t, rot["access"]); jsonField(t, got, "iat") != "1700000000" || jsonField(t, got, "token_type") != "access" {
		t.Errorf("access token from a refresh: %s", got)
	}
	if listed, _ := bl.Blacklisted(context.Background(), jti); !listed {
		t.Error("the rotated refresh token is not blacklisted")
	}
	blacklisted := `{"detail":"Token is blacklisted","code":"token_not_valid"}`
	for _, tc := range []struct {
		name   string
		h      http.Handler
		body   string
		status int
		want   string
	}{
		{"the old refresh token again", f.h.Refresh, `{"refresh":"` + pair["refresh"] + `"}`, 401, blacklisted},
		{"verify the old refresh token", f.h.Verify, `{"token":"` + pair["refresh"] + `"}`, 400, `{"non_field_errors":["Token is blacklisted"]}`},
		{"blacklist the old one", f.h.Blacklist, `{"refresh":"` + pair["refresh"] + `"}`, 401, blacklisted},
		{"blacklist the new one", f.h.Blacklist, `{"refresh":"` + rot["refresh"] + `"}`, 200, `{}`},
		{"refresh with the new one, now blacklisted", f.h.Refresh, `{"refresh":"` + rot["refresh"] + `"}`, 401, blacklisted},
	} {
		t.Run(tc.name, func(t *testing.T) { assertJSONResponse(t, doJSON(tc.h, tc.body), tc.status, tc.want) })
	}
}

// TestSimpleJWTSliding: a sliding token is obtained, renewed with its jti
// and refresh_exp kept, and refused once refresh_exp has passed.
func TestSimpleJWTSliding(t *testing.T) {
	clock := newFixtureClock()
	a := newTestAuth(t, nil, withFixtureClock(clock), withSimpleJWT(SimpleJWT{SlidingTokens: true}))
	f := sjFlow{t, a.Handlers()}
	st, m, body := f.post(f.h.ObtainSliding, `{"username":"jpueblo","password":"password"}`)
	if st != 200 {
		t.Fatalf("obtain sliding: %d %s", st, body)
	}
	c := tokenPayloadJSON(t, m["token"])
	jti := jsonField(t, c, "jti")
	if want := `{"token_type":"sliding","exp":1700000300,"iat":1700000000,"jti":"` + jti + `","refresh_exp":1700086400,"user_id":"1"}`; c != want {
		t.Errorf("sliding token %s\nwant %s", c, want)
	}
	clock.Advance(time.Minute)
	st, m2, body := f.post(f.h.RefreshSliding, `{"token":"`+m["token"]+`"}`)
	if got := tokenPayloadJSON(t, m2["token"]); st != 200 || got != `{"token_type":"sliding","exp":1700000360,"iat":1700000060,"jti":"`+jti+`","refresh_exp":1700086400,"user_id":"1"}` {
		t.Errorf("refresh sliding: %d %s", st, body)
	}
	clock.Set(time.Unix(1700086400, 0))
	late := sjToken(`{"token_type":"sliding","exp":1700090000,"iat":1700000060,"jti":"x","refresh_exp":1700086400,"user_id":1}`)
	assertJSONResponse(t, doJSON(f.h.RefreshSliding, `{"token":"`+late+`"}`), 401, `{"detail":"Token 'refresh_exp' claim has expired","code":"token_not_valid"}`)
	none := sjToken(`{"token_type":"sliding","exp":1700090000,"jti":"x","user_id":1}`)
	assertJSONResponse(t, doJSON(f.h.RefreshSliding, `{"token":"`+none+`"}`), 401, `{"detail":"Token has no 'refresh_exp' claim","code":"token_not_valid"}`)
}

// TestSimpleJWTRefreshChecksTheUser: a refresh token of a user since
// disabled or deleted refreshes nothing (simplejwt 5.4; CVE-2024-22513).
func TestSimpleJWTRefreshChecksTheUser(t *testing.T) {
	store := newFixtureStore(t)
	a := newTestAuth(t, store, withSimpleJWT(SimpleJWT{}))
	for _, id := range []string{"2", "99"} {
		tok := sjToken(`{"token_type":"refresh","exp":1700086400,"iat":1700000000,"jti":"j` + id + `","user_id":` + id + `}`)
		assertJSONResponse(t, doJSON(a.Handlers().Refresh, `{"refresh":"`+tok+`"}`), 401, `{"detail":"No active account found for the given token."}`)
	}
}

// TestSimpleJWTBlacklistFailure: a blacklist that cannot answer is a 503,
// never "Token is blacklisted" and never a pass.
func TestSimpleJWTBlacklistFailure(t *testing.T) {
	a := newTestAuth(t, nil, withSimpleJWT(SimpleJWT{Blacklist: brokenBlacklist{}}))
	tok := sjToken(`{"token_type":"refresh","exp":1700086400,"iat":1700000000,"jti":"j","user_id":1}`)
	for name, h := range map[string]http.Handler{"refresh": a.Handlers().Refresh, "blacklist": a.Handlers().Blacklist} {
		rec := doJSON(h, `{"refresh":"`+tok+`"}`)
		if rec.Code != 503 || rec.Header().Get("Retry-After") == "" {
			t.Errorf("%s: %d %s", name, rec.Code, rec.Body)
		}
	}
	if rec := doJSON(a.Handlers().Obtain, `{"username":"jpueblo","password":"password"}`); rec.Code != 503 {
		t.Errorf("obtain, the outstanding token not recorded: %d %s", rec.Code, rec.Body)
	}
}

type brokenBlacklist struct{}

var errBrokenBlacklist = errors.New("the blacklist is down")

func (brokenBlacklist) Outstanding(context.Context, blacklist.Token) error { return errBrokenBlacklist }
func (brokenBlacklist) Blacklist(context.Context, blacklist.Token) error   { return errBrokenBlacklist }
func (brokenBlacklist) Blacklisted(context.Context, string) (bool, error) {
	return false, errBrokenBlacklist
}

// TestSimpleJWTSettingsRefused: DRF-JWT's settings that simplejwt has no
// use for are refused at New, with a message naming them.
func TestSimpleJWTSettingsRefused(t *testing.T) {
	for _, tc := range []struct {
		name  string
		tweak func(*Settings)
		want  string
	}{
		{"AllowRefresh", func(s *Settings) { s.AllowRefresh = true }, "AllowRefresh"},
		{"AuthHeaderPrefix", func(s *Settings) { s.AuthHeaderPrefix = "Bearer" }, "AuthHeaderPrefix"},
		{"AuthCookie", func(s *Settings) { s.AuthCookie = "jwt" }, "AuthCookie"},
		{"a header type with a space", func(s *Settings) { s.SimpleJWT.AuthHeaderTypes = []string{"Bearer x"} }, "AuthHeaderTypes"},
		{"a registered claim as the user id", func(s *Settings) { s.SimpleJWT.UserIDClaim = "exp" }, "UserIDClaim"},
		{"a negative lifetime", func(s *Settings) { s.SimpleJWT.RefreshTokenLifetime = -time.Second }, "RefreshTokenLifetime"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := Settings{Keys: Keys{Secret: fixtureSecret}, SimpleJWT: &SimpleJWT{}}
			tc.tweak(&s)
			if _, err := New(s, newFixtureStore(t)); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New: %v, want an error naming %s", err, tc.want)
			}
		})
	}
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// jsonField is the text of one member of a JSON object: a string's
// contents, or a number as written.
func jsonField(t testing.TB, object, name string) string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(object), &m); err != nil {
		t.Fatal(err)
	}
	return strings.Trim(string(m[name]), `"`)
}

// TestSimpleJWTCheckRevokeToken: with CheckRevokeToken, tokens carry the
// MD5 of the stored hash in upper-case hex, as simplejwt 5.5 writes it,
// and a password change refuses them, on the middleware and on refresh.
func TestSimpleJWTCheckRevokeToken(t *testing.T) {
	store := newFixtureStore(t)
	a := newTestAuth(t, store, withSimpleJWT(SimpleJWT{CheckRevokeToken: true}))
	f := sjFlow{t, a.Handlers()}
	_, pair, body := f.post(f.h.Obtain, `{"username":"jpueblo","password":"password"}`)
	u, _ := store.UserByID(context.Background(), "1")
	sum := md5.Sum([]byte(u.PasswordHash))
	if got := jsonField(t, tokenPayloadJSON(t, pair["access"]), "hash_password"); got != strings.ToUpper(hex.EncodeToString(sum[:])) {
		t.Fatalf("hash_password %q (%s)", got, body)
	}
	protected := func() *httptest.ResponseRecorder {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Authorization", "Bearer "+pair["access"])
		return serveRecorded(a.Required(&protectedView{}), r)
	}
	assertJSONResponse(t, protected(), 200, protectedOK)
	addFixtureUser(t, store, fixtureUser, "a new password")
	changed := `{"detail":"The user's password has been changed.","code":"password_changed"}`
	assertJSONResponse(t, protected(), 401, changed)
	assertJSONResponse(t, doJSON(f.h.Refresh, `{"refresh":"`+pair["refresh"]+`"}`), 401, changed)
	// A token without the claim is refused too.
	assertJSONResponse(t, func() *httptest.ResponseRecorder {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Authorization", "Bearer "+sjToken(sjAccessPayload))
		return serveRecorded(a.Required(&protectedView{}), r)
	}(), 401, changed)
}

// fixtureBlacklist is an in-memory blacklist on the fixture clock.
func fixtureBlacklist() *blacklist.Memory {
	bl := blacklist.NewMemory(0)
	bl.Now = func() time.Time { return fixtureNow }
	return bl
}
