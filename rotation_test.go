package jwtauth

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/jwtauth-go/jwtauth/internal/testkit"
)

// The secrets of a rotation: k0 retired long ago (no ID), k1 retired last
// time (ID "k1"), k2 current (ID "k2"), and one nobody configured.
const (
	rotK0      = "retired-secret-zero-0123456789abcdefghij"
	rotK1      = "retired-secret-one-0123456789abcdefghijk"
	rotK2      = "current-secret-two-0123456789abcdefghijk"
	rotUnknown = "nobody-configured-this-0123456789abcdefgh"
)

// rotationToken is a token for jpueblo MACed with key under header.
func rotationToken(header, key string) string {
	return testkit.SignHS(sha256.New, key, header, fixtureTokenPayload)
}

// TestKeyRotationSelectsKeys (checklist row 71): a kid that names a key
// selects that key alone; every other token, Django's among them, is
// verified with the current key, then with the previous keys that have no
// ID. A kid is never anything but a name to compare.
func TestKeyRotationSelectsKeys(t *testing.T) {
	a := newTestAuth(t, newFixtureStore(t), func(s *Settings) {
		s.Keys.Secret, s.Keys.ID = rotK2, "k2"
		s.Keys.Previous = []Keys{{ID: "k1", Secret: rotK1}, {Secret: rotK0}}
	})
	const (
		ours    = `{"typ":"JWT","alg":"HS256","kid":"k2"}`
		kidK1   = `{"alg":"HS256","kid":"k1","typ":"JWT"}`
		kidZZ   = `{"alg":"HS256","kid":"zz"}`
		invalid = "Incorrect authentication credentials."
		badSig  = "Error decoding signature."
	)
	tests := []struct {
		name, token, refusal string // refusal: "" means 200
	}{
		{"our kid, current key", rotationToken(ours, rotK2), ""},
		{"no kid (DRF-JWT's header), current key", rotationToken(testkit.DRFHeader, rotK2), ""},
		{"no kid (PyJWT 2's header), current key", rotationToken(fixturePyJWT2Header, rotK2), ""},
		{"empty kid, current key", rotationToken(`{"alg":"HS256","kid":""}`, rotK2), ""},
		{"k1's kid, k1's key", rotationToken(kidK1, rotK1), ""},
		{"no kid, the unnamed previous key", rotationToken(testkit.DRFHeader, rotK0), ""},
		{"unknown kid, current key", rotationToken(kidZZ, rotK2), ""},
		{"unknown kid, the unnamed previous key", rotationToken(kidZZ, rotK0), ""},
		{"k1's kid, current key", rotationToken(kidK1, rotK2), badSig},
		{"k1's kid, the unnamed previous key", rotationToken(kidK1, rotK0), badSig},
		{"current kid, k1's key", rotationToken(ours, rotK1), badSig},
		{"no kid, k1's key: named keys need their kid", rotationToken(testkit.DRFHeader, rotK1), badSig},
		{"no kid, a key nobody configured", rotationToken(testkit.DRFHeader, rotUnknown), badSig},
		{"kid with path traversal, empty key", rotationToken(`{"alg":"HS256","kid":"../../../../dev/null"}`, ""), badSig},
		{"kid a number (PyJWT refuses it)", rotationToken(`{"alg":"HS256","kid":2}`, rotK2), invalid},
		{"kid null", rotationToken(`{"alg":"HS256","kid":null}`, rotK2), invalid},
		{"kid an object", rotationToken(`{"alg":"HS256","kid":{"id":"k2"}}`, rotK2), invalid},
	}
	h := a.Required(&protectedView{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/api/protected/", nil)
			r.Header.Set("Authorization", "JWT "+tt.token)
			rec := serveRecorded(h, r)
			if tt.refusal == "" {
				assertJSONResponse(t, rec, http.StatusOK, protectedOK)
				return
			}
			assert401(t, rec, `JWT realm="api"`, tt.refusal)
		})
	}
}

// TestIssueWritesKeyID: with KeyID, new tokens carry it as kid, and a
// verifier that knows nothing of kids (golang-jwt here, PyJWT in Django)
// still accepts them.
func TestIssueWritesKeyID(t *testing.T) {
	a := newTestAuth(t, newFixtureStore(t), func(s *Settings) { s.Keys.Secret, s.Keys.ID = rotK2, "2026-11" })
	token, err := a.IssueToken(t.Context(), fixtureUser)
	if err != nil {
		t.Fatal(err)
	}
	if want := rotationToken(`{"typ":"JWT","alg":"HS256","kid":"2026-11"}`, rotK2); token != want {
		t.Errorf("token\n%s, want\n%s", token, want)
	}
	parsed, err := jwt.Parse(token, func(*jwt.Token) (any, error) { return []byte(rotK2), nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithTimeFunc(func() time.Time { return fixtureNow }))
	if err != nil || parsed.Header["kid"] != "2026-11" {
		t.Errorf("golang-jwt: %v, kid %v", err, parsed.Header["kid"])
	}
}

// TestRotateKeys: RotateKeys changes the keys of a running Auth, checked
// as New checks them; a token cached under the old keys is verified anew,
// so a key withdrawn stops working at once (issue 6: an entry never
// outlives a key change).
func TestRotateKeys(t *testing.T) {
	for _, cache := range []int{0, 16} {
		t.Run(fmt.Sprintf("cache %d", cache), func(t *testing.T) {
			a := newTestAuth(t, newFixtureStore(t), func(s *Settings) { s.Keys.Secret, s.TokenCacheSize = rotK1, cache })
			h := a.Required(&protectedView{})
			get := func(token string) *httptest.ResponseRecorder {
				r := httptest.NewRequest(http.MethodGet, "/api/protected/", nil)
				r.Header.Set("Authorization", "JWT "+token)
				return serveRecorded(h, r)
			}
			old, err := a.IssueToken(t.Context(), fixtureUser)
			if err != nil {
				t.Fatal(err)
			}
			assertJSONResponse(t, get(old), http.StatusOK, protectedOK)

			// k1 withdrawn outright: its tokens are refused, cached or not.
			if err := a.RotateKeys(Keys{Secret: rotK2}); err != nil {
				t.Fatal(err)
			}
			assert401(t, get(old), `JWT realm="api"`, "Error decoding signature.")
			if _, _, err := a.VerifyToken(t.Context(), old); !errors.Is(err, errSignature) {
				t.Errorf("VerifyToken(old) = %v, want errSignature", err)
			}
			fresh, err := a.IssueToken(t.Context(), fixtureUser)
			if err != nil {
				t.Fatal(err)
			}
			if fresh != rotationToken(testkit.DRFHeader, rotK2) {
				t.Errorf("a token issued after the rotation is not signed with the new key: %s", fresh)
			}
			assertJSONResponse(t, get(fresh), http.StatusOK, protectedOK)

			// k1 kept as a previous key: its tokens verify again.
			if err := a.RotateKeys(Keys{Secret: rotK2, Previous: []Keys{{Secret: rotK1}}}); err != nil {
				t.Fatal(err)
			}
			assertJSONResponse(t, get(old), http.StatusOK, protectedOK)
			assertJSONResponse(t, get(fresh), http.StatusOK, protectedOK)

			// Refused rotations change nothing.
			// The algorithm is not among Keys: it never changes.
			for _, bad := range []Keys{
				{Secret: "too-short"},
				{Secret: rotK2, Previous: []Keys{{Secret: rotK0}, {Secret: rotK0}, {Secret: rotK0}, {Secret: rotK1}}},
				{Private: fixtureRSAKeys().key},
				{Secret: rotK2, Previous: []Keys{{Secret: rotK1, Previous: []Keys{{Secret: rotK0}}}}},
			} {
				if err := a.RotateKeys(bad); err == nil {
					t.Errorf("RotateKeys(%v) succeeded", bad)
				}
			}
			assertJSONResponse(t, get(old), http.StatusOK, protectedOK)
			assertJSONResponse(t, get(fresh), http.StatusOK, protectedOK)
		})
	}
}

// TestRotateKeysRSA: an RS512 signing key replaced, its public key kept
// among PreviousKeys; a token of a key never configured stays refused.
func TestRotateKeysRSA(t *testing.T) {
	keys := fixtureRSAKeys()
	a := newTestAuth(t, newFixtureStore(t), func(s *Settings) {
		s.Keys.Secret, s.Algorithm, s.Keys.Private = "", "RS512", keys.key
	})
	old := handMadeRS512TokenRaw(t, keys.key, fixtureTokenPayload)
	if _, _, err := a.VerifyToken(t.Context(), old); err != nil {
		t.Fatalf("before the rotation: %v", err)
	}
	if err := a.RotateKeys(Keys{Private: keys.other, Previous: []Keys{{Public: &keys.key.PublicKey}}}); err != nil {
		t.Fatal(err)
	}
	fresh := handMadeRS512TokenRaw(t, keys.other, fixtureTokenPayload)
	for _, token := range []string{old, fresh} {
		if _, _, err := a.VerifyToken(t.Context(), token); err != nil {
			t.Errorf("after the rotation: %v", err)
		}
	}
	if err := a.RotateKeys(Keys{Private: keys.other}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.VerifyToken(t.Context(), old); !errors.Is(err, errSignature) {
		t.Errorf("the withdrawn key's token: %v, want errSignature", err)
	}
	if err := a.RotateKeys(Keys{Secret: rotK2}); err == nil {
		t.Error("RotateKeys accepted an HMAC secret for RS512")
	}
}

// TestRotateKeysUnderLoad (checklist row 73): requests, issues and
// rotations at once. Both keys stay accepted throughout, so every request
// succeeds; -race checks the rest.
func TestRotateKeysUnderLoad(t *testing.T) {
	for _, cache := range []int{0, 16} {
		t.Run(fmt.Sprintf("cache %d", cache), func(t *testing.T) {
			a := newTestAuth(t, newFixtureStore(t), func(s *Settings) {
				s.Keys.Secret, s.Keys.Previous, s.TokenCacheSize = rotK1, []Keys{{Secret: rotK2}}, cache
			})
			h := a.Required(&protectedView{})
			tokens := []string{rotationToken(testkit.DRFHeader, rotK1), rotationToken(testkit.DRFHeader, rotK2)}
			ctx, stop := context.WithCancel(t.Context())
			var rotations sync.WaitGroup
			rotations.Go(func() {
				for i := 0; ctx.Err() == nil; i++ {
					cur, prev := rotK1, rotK2
					if i%2 == 1 {
						cur, prev = prev, cur
					}
					if err := a.RotateKeys(Keys{Secret: Secret(cur), Previous: []Keys{{Secret: Secret(prev)}}}); err != nil {
						t.Error(err)
						return
					}
				}
			})
			var clients sync.WaitGroup
			for g := range 4 {
				clients.Go(func() {
					for i := range 300 {
						r := httptest.NewRequest(http.MethodGet, "/api/protected/", nil)
						r.Header.Set("Authorization", "JWT "+tokens[(g+i)%2])
						if rec := serveRecorded(h, r); rec.Code != http.StatusOK {
							t.Errorf("status %d: %s", rec.Code, rec.Body)
							return
						}
						issued, err := a.IssueToken(context.Background(), fixtureUser)
						if err != nil {
							t.Error(err)
							return
						}
						if _, _, err := a.VerifyToken(context.Background(), issued); err != nil {
							t.Errorf("a token issued during rotations: %v", err)
							return
						}
					}
				})
			}
			clients.Wait()
			stop()
			rotations.Wait()
		})
	}
}
