package jwtauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// TestCacheAgreesWithColdVerification runs every token of the strictness
// table through an Auth with the cache on, twice, and expects exactly what
// a cold verification answers, both times.
func TestCacheAgreesWithColdVerification(t *testing.T) {
	for _, tt := range strictnessCases() {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cold := newTestAuth(t, nil, tt.tweak)
			warm := newTestAuth(t, nil, func(s *Settings) {
				if tt.tweak != nil {
					tt.tweak(s)
				}
				s.TokenCacheSize = 8
			})
			_, _, want := cold.VerifyToken(context.Background(), tt.token)
			for i := range 2 {
				_, _, err := warm.VerifyToken(context.Background(), tt.token)
				if (err == nil) != (want == nil) || (want != nil && !errors.Is(err, tt.want)) {
					t.Fatalf("round %d: cached %v, cold %v", i, err, want)
				}
			}
		})
	}
}

// TestCacheRechecksWhatChanges: a cached token stops working when it
// expires, when its user is disabled, deleted or re-created, and when a
// per-user secret changes.
func TestCacheRechecksWhatChanges(t *testing.T) {
	ctx := context.Background()
	admin := fixtureAdmin
	newCase := func(t *testing.T, tweak func(*Settings)) (*Auth, *MemoryStore, *time.Time, string) {
		store := newFixtureStore(t)
		now := fixtureNow
		a := newTestAuth(t, store, func(s *Settings) {
			s.TokenCacheSize, s.Now = 16, func() time.Time { return now }
		}, tweak)
		tok, err := a.IssueToken(ctx, admin)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := a.VerifyToken(ctx, tok); err != nil || a.engine.CacheLen() != 1 {
			t.Fatalf("first verification: %v, %d cached", err, a.engine.CacheLen())
		}
		return a, store, &now, tok
	}
	t.Run("expiry", func(t *testing.T) {
		a, _, now, tok := newCase(t, func(s *Settings) { s.Leeway = 10 * time.Second })
		*now = now.Add(300*time.Second + 9*time.Second)
		if _, _, err := a.VerifyToken(ctx, tok); err != nil {
			t.Fatalf("within the leeway: %v", err)
		}
		*now = now.Add(time.Second)
		if _, _, err := a.VerifyToken(ctx, tok); !errors.Is(err, ErrExpiredToken) {
			t.Fatalf("at exp + leeway: %v", err)
		}
		if a.engine.CacheLen() != 0 {
			t.Errorf("the expired entry stayed")
		}
	})
	t.Run("user disabled", func(t *testing.T) {
		a, store, _, tok := newCase(t, nil)
		off := admin
		off.IsActive = false
		_ = store.AddUser(off, fixtureAdminPassword)
		if _, _, err := a.VerifyToken(ctx, tok); !errors.Is(err, ErrUserInactive) {
			t.Fatalf("%v", err)
		}
	})
	t.Run("user deleted", func(t *testing.T) {
		a, store, _, tok := newCase(t, nil)
		store.DeleteUser("admin")
		if _, _, err := a.VerifyToken(ctx, tok); !errors.Is(err, ErrUserNotFound) {
			t.Fatalf("%v", err)
		}
	})
	t.Run("user re-created", func(t *testing.T) {
		a, store, _, tok := newCase(t, nil)
		again := admin
		again.ID = "2"
		_ = store.AddUser(again, fixtureAdminPassword)
		if _, _, err := a.VerifyToken(ctx, tok); !errors.Is(err, ErrUserNotFound) {
			t.Fatalf("%v", err)
		}
	})
	t.Run("per-user secret changed", func(t *testing.T) {
		var mu sync.Mutex
		secret := Secret("first-secret-of-admin-0123456789abcdef")
		a, _, _, tok := newCase(t, func(s *Settings) {
			s.Keys.Secret = ""
			s.UserSecretKey = func(context.Context, User) (Secret, error) {
				mu.Lock()
				defer mu.Unlock()
				return secret, nil
			}
		})
		if _, _, err := a.VerifyToken(ctx, tok); err != nil {
			t.Fatalf("from the cache: %v", err)
		}
		mu.Lock()
		secret = "second-secret-of-admin-0123456789abcdef"
		mu.Unlock()
		if _, _, err := a.VerifyToken(ctx, tok); !errors.Is(err, errSignature) {
			t.Fatalf("after the change: %v", err)
		}
	})
	t.Run("claims handed out are copies", func(t *testing.T) {
		a, _, _, _ := newCase(t, func(s *Settings) {
			s.PayloadHandler = func(_ context.Context, _ User, c Claims) (Claims, error) {
				c.Extra = map[string]any{"scope": "read"}
				return c, nil
			}
		})
		tok, _ := a.IssueToken(ctx, admin)
		_, c1, _ := a.VerifyToken(ctx, tok)
		c1.Extra["scope"] = "admin"
		_, c2, _ := a.VerifyToken(ctx, tok)
		if c2.Extra["scope"] != "read" {
			t.Errorf("a caller's change reached the cache: %v", c2.Extra)
		}
	})
}

// TestCacheHeaderShortcut: the cache's short way to a token answers every
// header as the long way does.
func TestCacheHeaderShortcut(t *testing.T) {
	a := newTestAuth(t, nil, func(s *Settings) { s.TokenCacheSize = 16 })
	tok, err := a.IssueToken(context.Background(), fixtureAdmin)
	if err != nil {
		t.Fatal(err)
	}
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := UserFromContext(r.Context())
		c, _ := ClaimsFromContext(r.Context())
		fmt.Fprintf(w, "%s %d", u.Username, c.ExpiresAt.Unix())
	})
	h := a.Required(ok)
	for _, tc := range []struct {
		headers []string
		status  int
		body    string
	}{
		{[]string{"JWT " + tok}, 200, "admin 1700000300"}, // fills the cache
		{[]string{"JWT " + tok}, 200, "admin 1700000300"},
		{[]string{"jwt " + tok}, 200, "admin 1700000300"},
		{[]string{"JWT  " + tok}, 200, "admin 1700000300"},
		{[]string{"JWT\t" + tok}, 200, "admin 1700000300"},
		{[]string{"JWT " + tok + " x"}, 401, `{"detail":"Invalid Authorization header. Credentials string should not contain spaces."}`},
		{[]string{"JWT " + tok, "JWT " + tok}, 401, `{"detail":"Invalid Authorization header. Credentials string should not contain spaces."}`},
		{[]string{"Bearer " + tok}, 401, `{"detail":"Authentication credentials were not provided."}`},
		{[]string{"JWT" + tok}, 401, `{"detail":"Authentication credentials were not provided."}`},
		{[]string{"JWTx" + tok}, 401, `{"detail":"Authentication credentials were not provided."}`},
		{[]string{"JWX " + tok}, 401, `{"detail":"Authentication credentials were not provided."}`},
		{[]string{"JWT " + tok + "x"}, 401, `{"detail":"Error decoding signature."}`},
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		for _, v := range tc.headers {
			r.Header.Add("Authorization", v)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code != tc.status || rec.Body.String() != tc.body {
			t.Errorf("%q: %d %s, want %d %s", tc.headers, rec.Code, rec.Body, tc.status, tc.body)
		}
	}
}
