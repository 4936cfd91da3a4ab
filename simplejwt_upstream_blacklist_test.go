package jwtauth

// simplejwt's test_token_blacklist.py, ported (see
// simplejwt_upstream_test.go): what the views do with the blacklist, seen
// from the requests, and what they hand the blacklist.Store, which stands
// for simplejwt's OutstandingToken and BlacklistedToken tables (the rows
// themselves are sqlstore's, and its tests compare them with simplejwt's).
//
// Not ported from test_token_blacklist.py:
//
//   - TestTokenBlacklistFlushExpiredTokens.test_it_should_delete_any_expired_tokens:
//     flushexpiredtokens is a management command; blacklist.Memory drops
//     expired entries by itself (its own tests), sqlstore leaves the rows
//     to Django's command.
//   - TestPopulateJtiHexMigration, TestBigAutoFieldIDMigration: Django
//     migrations.
//   - TestTokenBlacklist.test_token_blacklist_old_django (5.5),
//     test_outstanding_token_and_blacklisted_token_expected_str (5.5):
//     Django's app config and the models' __str__.
//   - TestTokenBlacklist.test_outstanding_token_and_blacklisted_token_created_at,
//     test_outstanding_token_and_blacklisted_token_user and their
//     modified USER_ID_FIELD variants (5.5): they check the columns of an
//     existing row, which get_or_create leaves alone: the store's (sqlstore)
//     business. What the views hand the store is checked below, with
//     5.2.2's get_or_create defaults.

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/jwtauth-go/jwtauth/blacklist"
)

// TestSimpleJWTUpstreamTokenBlacklist ports test_token_blacklist.py's
// checks that requests see.
func TestSimpleJWTUpstreamTokenBlacklist(t *testing.T) {
	refresh := sjToken(sjUpRefresh)
	blacklisted := sjUpDetail("Token is blacklisted")
	verifyRotation := SimpleJWT{BlacklistAfterRotation: true}
	runSJUpstream(t, []sjUpCase{
		{name: "TestTokenBlacklist.test_token_will_not_validate_if_blacklisted/not yet", steps: []sjUpStep{
			sjPost("refresh", sjUpField("refresh", refresh), 200, `{"access":"<{"token_type":"access","exp":1700000300,"iat":1700000000,"jti":"<uuid4>","user_id":"1"}>"}`),
		}},
		{name: "TestTokenBlacklist.test_token_will_not_validate_if_blacklisted", listed: []string{"r1"}, steps: []sjUpStep{
			sjPost("refresh", sjUpField("refresh", refresh), 401, blacklisted),
		}},
		// check_blacklist comes before Token.verify: a blacklisted token
		// says so before any other fault of its claims.
		{name: "TestTokenBlacklist.test_token_will_not_validate_if_blacklisted/before the type is checked", listed: []string{"r1"},
			steps: []sjUpStep{
				sjPost("refresh", sjUpField("refresh", sjToken(sjUpEdit(sjUpRefresh, `"refresh"`, `"access"`))), 401, blacklisted),
			}},
		{name: "TestTokenBlacklist.test_token_will_not_validate_if_blacklisted/at blacklist", listed: []string{"r1"}, steps: []sjUpStep{
			sjPost("blacklist", sjUpField("refresh", refresh), 401, blacklisted),
		}},
		{name: "TestTokenBlacklist.test_token_will_not_validate_if_blacklisted/a sliding token", listed: []string{"s1"}, steps: []sjUpStep{
			sjPost("sliding refresh", sjUpField("token", sjToken(sjUpSliding)), 401, blacklisted),
		}},
		{name: "TestTokenBlacklist.test_token_will_not_validate_if_blacklisted/a sliding token at the middleware", j: SimpleJWT{SlidingTokens: true}, listed: []string{"s1"}, steps: []sjUpStep{
			sjBearer(sjToken(sjUpSliding), 401, sjNotValid("Token has wrong type", "Token is blacklisted")),
		}},
		// The Python test's second token.blacklist() is no error
		// (get_or_create); through the view, RefreshToken() refuses the
		// token first.
		{name: "TestTokenBlacklist.test_tokens_can_be_manually_blacklisted", steps: []sjUpStep{
			sjPost("blacklist", sjUpField("refresh", refresh), 200, `{}`),
			sjPost("refresh", sjUpField("refresh", refresh), 401, blacklisted),
			sjPost("blacklist", sjUpField("refresh", refresh), 401, blacklisted),
		}},
		{name: "TestTokenBlacklist.test_tokens_can_be_manually_blacklisted/an obtained token", steps: []sjUpStep{
			sjPost("obtain", sjUpLogin, 200, sjUpObtained),
			sjPost("blacklist", `{"refresh":"{{0.refresh}}"}`, 200, `{}`),
			sjPost("refresh", `{"refresh":"{{0.refresh}}"}`, 401, blacklisted),
		}},
		// AccessToken has no BlacklistMixin: blacklisting its refresh token
		// leaves an access token good until its exp, and verify looks up
		// the access token's own jti.
		{name: "TestTokenBlacklist.test_access_tokens_are_not_added_to_outstanding_list/an access token outlives its refresh token", j: verifyRotation, steps: []sjUpStep{
			sjPost("obtain", sjUpLogin, 200, sjUpObtained),
			sjPost("blacklist", `{"refresh":"{{0.refresh}}"}`, 200, `{}`),
			sjGet(200, protectedOK, "Bearer {{0.access}}"),
			sjPost("verify", `{"token":"{{0.access}}"}`, 200, `{}`),
			sjPost("verify", `{"token":"{{0.refresh}}"}`, 400, `{"non_field_errors":["Token is blacklisted"]}`),
		}},
		// The blacklist view looks at no user, and a deleted user's
		// blacklisted token stays blacklisted, refused as such before the
		// user is looked up.
		{name: "TestTokenBlacklist.test_outstanding_token_with_deleted_user_and_modifed_user_id_field", steps: []sjUpStep{
			sjPost("blacklist", sjUpField("refresh", sjToken(sjUpEdit(sjUpRefresh, `"user_id":1`, `"user_id":99`))), 200, `{}`),
		}},
		{name: "TestTokenBlacklistFlushExpiredTokens.test_token_blacklist_will_not_be_removed_on_User_delete", listed: []string{"r1"}, steps: []sjUpStep{
			sjPost("refresh", sjUpField("refresh", sjToken(sjUpEdit(sjUpRefresh, `"user_id":1`, `"user_id":99`))), 401, blacklisted),
		}},

		{name: "TokenVerifySerializerShouldHonourBlacklist.test_token_verify_serializer_should_honour_blacklist_if_blacklisting_enabled", j: verifyRotation, listed: []string{"r1"}, steps: []sjUpStep{
			sjPost("verify", sjUpField("token", refresh), 400, `{"non_field_errors":["Token is blacklisted"]}`),
		}},
		{name: "TokenVerifySerializerShouldHonourBlacklist.test_token_verify_serializer_should_honour_blacklist_if_blacklisting_enabled/a sliding token", j: verifyRotation, listed: []string{"s1"}, steps: []sjUpStep{
			sjPost("verify", sjUpField("token", sjToken(sjUpSliding)), 400, `{"non_field_errors":["Token is blacklisted"]}`),
		}},
		{name: "TokenVerifySerializerShouldHonourBlacklist.test_token_verify_serializer_should_not_honour_blacklist_if_blacklisting_not_enabled", listed: []string{"r1"}, steps: []sjUpStep{
			sjPost("verify", sjUpField("token", refresh), 200, `{}`),
		}},
		{name: "TokenVerifySerializerShouldHonourBlacklist.test_token_verify_serializer_should_honour_blacklist_if_blacklisting_enabled/the token is checked first", j: verifyRotation, listed: []string{"r1"}, steps: []sjUpStep{
			sjPost("verify", sjUpField("token", sjToken(sjUpEdit(sjUpRefresh, "1700086400", "1699999999"))), 401, sjUpDetail(sjInvalid)),
		}},
	})
}

// sjUpRecorder is a blacklist.Store that records what it is handed, over
// an in-memory blacklist on the fixture clock.
type sjUpRecorder struct {
	*blacklist.Memory
	mu                       sync.Mutex
	outstanding, blacklisted []blacklist.Token
}

func (r *sjUpRecorder) Outstanding(ctx context.Context, t blacklist.Token) error {
	r.mu.Lock()
	r.outstanding = append(r.outstanding, t)
	r.mu.Unlock()
	return r.Memory.Outstanding(ctx, t)
}

func (r *sjUpRecorder) Blacklist(ctx context.Context, t blacklist.Token) error {
	r.mu.Lock()
	r.blacklisted = append(r.blacklisted, t)
	r.mu.Unlock()
	return r.Memory.Blacklist(ctx, t)
}

func (r *sjUpRecorder) records() (outstanding, blacklisted []blacklist.Token) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]blacklist.Token(nil), r.outstanding...), append([]blacklist.Token(nil), r.blacklisted...)
}

// TestSimpleJWTUpstreamTokenBlacklistRecords ports the checks of
// test_token_blacklist.py and test_serializers.py on the OutstandingToken
// and BlacklistedToken rows, as what the views hand the store: simplejwt
// 5.2.2 writes an outstanding row in for_user (obtain) only, for refresh
// and sliding tokens, with the user, the token, created_at (the token's
// current_time) and expires_at (its exp); blacklist() get-or-creates the
// row with defaults token and expires_at alone (no user, no created_at).
func TestSimpleJWTUpstreamTokenBlacklistRecords(t *testing.T) {
	login := func(t *testing.T, h Handlers, view string) map[string]any {
		rec := doJSON(sjUpViews[view](h), sjUpLogin)
		m := map[string]any{}
		if err := jsonUnmarshal(rec.Body.Bytes(), &m); rec.Code != 200 || err != nil {
			t.Fatalf("%s: %d %s", view, rec.Code, rec.Body)
		}
		return m
	}
	setup := func(t *testing.T, j SimpleJWT) (*sjUpRecorder, *Auth) {
		rec := &sjUpRecorder{Memory: fixtureBlacklist()}
		j.Blacklist = rec
		return rec, newTestAuth(t, nil, withSimpleJWT(j))
	}
	want := func(t *testing.T, what string, got []blacklist.Token, want ...blacklist.Token) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s: %d records %+v, want %d %+v", what, len(got), got, len(want), want)
		}
		for i := range want {
			g, w := got[i], want[i]
			if g.JTI != w.JTI || g.UserID != w.UserID || g.Token != w.Token || !g.CreatedAt.Equal(w.CreatedAt) || !g.ExpiresAt.Equal(w.ExpiresAt) {
				t.Errorf("%s %d: %+v\nwant %+v", what, i, g, w)
			}
		}
	}
	jtiOf := func(t *testing.T, tok string) string { return jsonField(t, tokenPayloadJSON(t, tok), "jti") }

	t.Run("TestTokenBlacklist.test_refresh_tokens_are_added_to_outstanding_list", func(t *testing.T) {
		rec, a := setup(t, SimpleJWT{})
		pair := login(t, a.Handlers(), "obtain")
		r := pair["refresh"].(string)
		out, bl := rec.records()
		want(t, "outstanding", out, blacklist.Token{JTI: jtiOf(t, r), UserID: "1", Token: r, CreatedAt: fixtureNow, ExpiresAt: fixtureNow.Add(24 * time.Hour)})
		want(t, "blacklisted", bl)
	})
	t.Run("TestTokenBlacklist.test_sliding_tokens_are_added_to_outstanding_list", func(t *testing.T) {
		rec, a := setup(t, SimpleJWT{})
		tok := login(t, a.Handlers(), "sliding")["token"].(string)
		out, _ := rec.records()
		// expires_at is the token's exp, not its refresh_exp.
		want(t, "outstanding", out, blacklist.Token{JTI: jtiOf(t, tok), UserID: "1", Token: tok, CreatedAt: fixtureNow, ExpiresAt: fixtureNow.Add(5 * time.Minute)})
	})
	t.Run("TestTokenBlacklist.test_access_tokens_are_not_added_to_outstanding_list", func(t *testing.T) {
		rec, a := setup(t, SimpleJWT{})
		if _, err := a.IssueToken(t.Context(), fixtureUser); err != nil {
			t.Fatal(err)
		}
		out, _ := rec.records()
		want(t, "outstanding", out)
		pair := login(t, a.Handlers(), "obtain")
		out, _ = rec.records()
		if len(out) != 1 || out[0].JTI == jtiOf(t, pair["access"].(string)) {
			t.Errorf("outstanding %+v: want the refresh token's alone", out)
		}
		// Refresh without rotation writes an access token only.
		if r := doJSON(a.Handlers().Refresh, sjUpField("refresh", pair["refresh"].(string))); r.Code != 200 {
			t.Fatalf("refresh: %d %s", r.Code, r.Body)
		}
		if out, _ = rec.records(); len(out) != 1 {
			t.Errorf("outstanding after a refresh: %+v", out)
		}
	})
	t.Run("TestTokenRefreshSlidingSerializer.test_it_should_update_token_exp_claim_if_everything_ok/nothing recorded", func(t *testing.T) {
		rec, a := setup(t, SimpleJWT{})
		tok := login(t, a.Handlers(), "sliding")["token"].(string)
		if r := doJSON(a.Handlers().RefreshSliding, sjUpField("token", tok)); r.Code != 200 {
			t.Fatalf("sliding refresh: %d %s", r.Code, r.Body)
		}
		out, bl := rec.records()
		if len(out) != 1 || len(bl) != 0 {
			t.Errorf("outstanding %+v, blacklisted %+v: want the obtained token alone", out, bl)
		}
	})
	t.Run("TestTokenBlacklistSerializer.test_it_should_blacklist_refresh_token_if_everything_ok", func(t *testing.T) {
		rec, a := setup(t, SimpleJWT{})
		tok := sjToken(sjUpRefresh)
		if r := doJSON(a.Handlers().Blacklist, sjUpField("refresh", tok)); r.Code != 200 {
			t.Fatalf("blacklist: %d %s", r.Code, r.Body)
		}
		out, bl := rec.records()
		want(t, "outstanding", out)
		want(t, "blacklisted", bl, blacklist.Token{JTI: "r1", Token: tok, ExpiresAt: time.Unix(1700086400, 0)})
		if listed, err := rec.Blacklisted(t.Context(), "r1"); err != nil || !listed {
			t.Errorf("Blacklisted: %v %v", listed, err)
		}
	})
	t.Run("TestTokenBlacklist.test_tokens_can_be_manually_blacklisted/twice is no error", func(t *testing.T) {
		m := fixtureBlacklist()
		tok := blacklist.Token{JTI: "r1", Token: sjToken(sjUpRefresh), ExpiresAt: time.Unix(1700086400, 0)}
		for i := 0; i < 2; i++ {
			if err := m.Blacklist(t.Context(), tok); err != nil {
				t.Fatalf("Blacklist %d: %v", i, err)
			}
		}
		if listed, err := m.Blacklisted(t.Context(), "r1"); err != nil || !listed {
			t.Errorf("Blacklisted: %v %v", listed, err)
		}
	})

	// Rotation with BLACKLIST_AFTER_ROTATION: refresh.blacklist() of the old
	// token, then set_jti, set_exp, set_iat and str(refresh). 5.2.2 records
	// no outstanding row for the new token (the Python test counts one
	// OutstandingToken, the old token's, made by get_or_create); 5.5 added
	// refresh.outstand() (simplejwt #866).
	rotation := func(t *testing.T) (*sjUpRecorder, string, map[string]any) {
		rec, a := setup(t, SimpleJWT{RotateRefreshTokens: true, BlacklistAfterRotation: true})
		tok := sjToken(sjUpRefresh)
		r := doJSON(a.Handlers().Refresh, sjUpField("refresh", tok))
		m := map[string]any{}
		if err := jsonUnmarshal(r.Body.Bytes(), &m); r.Code != 200 || err != nil {
			t.Fatalf("refresh: %d %s", r.Code, r.Body)
		}
		return rec, tok, m
	}
	t.Run("TestTokenRefreshSerializer.test_it_should_blacklist_refresh_token_if_tokens_should_be_rotated_and_blacklisted/the old token", func(t *testing.T) {
		rec, tok, _ := rotation(t)
		_, bl := rec.records()
		want(t, "blacklisted", bl, blacklist.Token{JTI: "r1", Token: tok, ExpiresAt: time.Unix(1700086400, 0)})
	})
	// Deliberately simplejwt 5.5's (README, "Differences from simplejwt"):
	// 5.2 signs the rotated token without recording it
	// (OutstandingToken.objects.count() == 1 in its test); 5.5 records it,
	// and so do we, so that Django lists it and flushes it.
	for _, blacklisted := range []bool{true, false} {
		name := "TestTokenRefreshSerializer.test_it_should_return_refresh_token_if_tokens_should_be_rotated/the new token recorded as 5.5 does"
		if blacklisted {
			name = "TestTokenRefreshSerializer.test_it_should_blacklist_refresh_token_if_tokens_should_be_rotated_and_blacklisted/the new token recorded as 5.5 does"
		}
		t.Run(name, func(t *testing.T) {
			rec, a := setup(t, SimpleJWT{RotateRefreshTokens: true, BlacklistAfterRotation: blacklisted})
			r := doJSON(a.Handlers().Refresh, sjUpField("refresh", sjToken(sjUpRefresh)))
			m := map[string]string{}
			if err := jsonUnmarshal(r.Body.Bytes(), &m); r.Code != 200 || err != nil {
				t.Fatalf("refresh: %d %s", r.Code, r.Body)
			}
			out, _ := rec.records()
			want(t, "outstanding", out, blacklist.Token{JTI: jsonField(t, tokenPayloadJSON(t, m["refresh"]), "jti"), UserID: "1", Token: m["refresh"],
				CreatedAt: time.Unix(1700000000, 0), ExpiresAt: time.Unix(1700086400, 0)})
		})
	}
}
