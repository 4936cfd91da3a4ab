package redisstore

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/jwtauth-go/jwtauth"
	"github.com/jwtauth-go/jwtauth/passwords"
	"github.com/jwtauth-go/jwtauth/revoke"
)

// BenchmarkMiddlewareRevocations is the root's BenchmarkMiddleware HS256
// rows with revocation off, on in memory and on through Redis, cold and
// cached, in one process and with the same 20,000 entries in the heap of
// every row (10,000 tokens and 10,000 users, none the benchmark's):
//
//	JWTAUTH_TEST_REDIS_URL=redis://... go test -run '^$' -bench BenchmarkMiddlewareRevocations -benchmem ./redisstore/
//
// Every row verifies the same token, one that carries a jti, so that the
// rows differ by the check alone.
func BenchmarkMiddlewareRevocations(b *testing.B) {
	c := newClient(b)
	r := newRevocations(b, c, newPrefix(b, c), RevocationsOptions{})
	mem := revoke.NewMemory(0)
	ctx := context.Background()
	until := time.Now().Add(time.Hour)
	for i := range 10_000 {
		id := strconv.Itoa(i + 100)
		for _, e := range []revoke.Entry{{ID: "revoked-" + id, Until: until}, {User: id, Before: time.Now(), Until: until}} {
			if err := mem.Add(ctx, e); err != nil {
				b.Fatal(err)
			}
			if err := r.Add(ctx, e); err != nil {
				b.Fatal(err)
			}
		}
	}
	waitInTouch(b, r)
	user := jwtauth.User{ID: "1", Username: "admin", Email: "admin@example.com", IsActive: true}
	store := &jwtauth.MemoryStore{Passwords: passwords.Policy{PBKDF2Iterations: 1}}
	if err := store.AddUser(user, "admin"); err != nil {
		b.Fatal(err)
	}
	auth := func(cache int, rs revoke.Store) *jwtauth.Auth {
		s := jwtauth.Settings{Keys: jwtauth.Keys{Secret: "benchmark-secret-0123456789abcdef-0123456789"},
			ExpirationDelta: 24 * time.Hour, TokenCacheSize: cache, Revocations: rs}
		a, err := jwtauth.New(s, store)
		if err != nil {
			b.Fatal(err)
		}
		return a
	}
	token, err := auth(0, mem).IssueToken(ctx, user)
	if err != nil {
		b.Fatal(err)
	}
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	for _, cache := range []int{0, 1024} {
		for _, row := range []struct {
			name string
			rs   revoke.Store
		}{{"off", nil}, {"memory", mem}, {"redis", r}} {
			name := "cold/" + row.name
			if cache > 0 {
				name = "cached/" + row.name
			}
			h := auth(cache, row.rs).Required(ok)
			b.Run(name, func(b *testing.B) {
				req := httptest.NewRequest(http.MethodGet, "/", nil)
				req.Header.Set("Authorization", "JWT "+token)
				w := &statusWriter{h: http.Header{}}
				for b.Loop() {
					w.status = 0
					h.ServeHTTP(w, req)
					if w.status != http.StatusOK {
						b.Fatalf("status %d", w.status)
					}
				}
			})
		}
	}
}

// statusWriter keeps the status and discards the rest, so that the
// harness costs every row the same and little.
type statusWriter struct {
	h      http.Header
	status int
}

func (w *statusWriter) Header() http.Header         { return w.h }
func (w *statusWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *statusWriter) WriteHeader(s int)           { w.status = s }
