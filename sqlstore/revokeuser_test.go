package sqlstore_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jwtauth-go/jwtauth"
	"github.com/jwtauth-go/jwtauth/revoke"
	"github.com/jwtauth-go/jwtauth/sqlstore"
)

// TestRevokeUserBlacklist: Auth.RevokeUser, with the store's Blacklist as
// SimpleJWT.Blacklist, blacklists in the tables every refresh and sliding
// token the user obtained, and no other user's: another service sharing
// only the tables, as a Django one does, without this one's revocation
// list, then refuses the user's tokens ("Token is blacklisted") and still
// refreshes the other user's.
func TestRevokeUserBlacklist(t *testing.T) {
	forEachDB(t, func(t *testing.T, d *testDB) {
		d.exec(t, blacklistSchema[d.dialect]...)
		ids := map[string]string{}
		for _, name := range []string{"alice", "bob"} {
			ids[name] = d.addUser(t, name, name+"@example.com", true, hash(t, testPolicy, name+" password"))
		}
		store := newStore(t, d, sqlstore.Settings{})
		bl, err := store.Blacklist(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		newAuth := func(revocations revoke.Store) *jwtauth.Auth {
			a, err := jwtauth.New(jwtauth.Settings{
				Keys:        jwtauth.Keys{Secret: "a-secret-the-two-services-share-0123456789abcdef"},
				Revocations: revocations,
				SimpleJWT:   &jwtauth.SimpleJWT{Blacklist: bl, SlidingTokens: true},
			}, store)
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
		a := newAuth(revoke.NewMemory(0))
		h, other := a.Handlers(), newAuth(nil).Handlers()

		type token struct {
			user, kind, tok string // kind "refresh" or "sliding"
		}
		var tokens []token
		for _, name := range []string{"alice", "bob"} {
			login := `{"username":"` + name + `","password":"` + name + ` password"}`
			for range 2 {
				tokens = append(tokens, token{name, "refresh", post(t, h.Obtain, login, 200)["refresh"]})
			}
			tokens = append(tokens, token{name, "sliding", post(t, h.ObtainSliding, login, 200)["token"]})
		}
		if n := count(t, d, "token_blacklist_outstandingtoken"); n != len(tokens) {
			t.Fatalf("%d outstanding rows, want %d", n, len(tokens))
		}

		if err := a.RevokeUser(context.Background(), ids["alice"]); err != nil {
			t.Fatal(err)
		}
		rows, err := d.db.Query(`SELECT CAST(o.user_id AS TEXT), b.blacklisted_at IS NOT NULL FROM token_blacklist_outstandingtoken o
			LEFT JOIN token_blacklist_blacklistedtoken b ON b.token_id = o.id`)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = rows.Close() }()
		for rows.Next() {
			var user string
			var blacklisted bool
			if err := rows.Scan(&user, &blacklisted); err != nil {
				t.Fatal(err)
			}
			if blacklisted != (user == ids["alice"]) {
				t.Errorf("a token of user %s: blacklisted %v", user, blacklisted)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}

		for _, tok := range tokens {
			view, field := other.Refresh, "refresh"
			if tok.kind == "sliding" {
				view, field = other.RefreshSliding, "token"
			}
			body, _ := json.Marshal(map[string]string{field: tok.tok})
			if tok.user == "alice" {
				if got := post(t, view, string(body), 401)["detail"]; got != "Token is blacklisted" {
					t.Errorf("the other service refreshes alice's %s token: detail %q", tok.kind, got)
				}
				continue
			}
			post(t, view, string(body), 200)
		}
	})
}

// post sends body as JSON to view, wants the status want, and returns
// the answer's string members.
func post(t *testing.T, view http.Handler, body string, want int) map[string]string {
	t.Helper()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	view.ServeHTTP(rec, req)
	var answer map[string]any
	if rec.Code != want || json.Unmarshal(rec.Body.Bytes(), &answer) != nil {
		t.Fatalf("POST %s: %d %s; want %d", body, rec.Code, rec.Body, want)
	}
	out := map[string]string{}
	for k, v := range answer {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out
}
