package bench

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestPeersVerify checks that every middleware BenchmarkPeers measures
// really verifies: the good token reaches the handler, which finds the user
// and answers 200; the same token with one signature bit flipped, or no
// token at all, is refused with a 4xx before the handler runs.
func TestPeersVerify(t *testing.T) {
	for _, p := range peers(t) {
		t.Run(p.name, func(t *testing.T) {
			if p.skip != "" {
				t.Skip(p.skip)
			}
			cases := []struct {
				name string
				req  *http.Request
				ok   bool
			}{
				{"good token", p.request(p.token), true},
				{"flipped signature", p.request(FlipSignature(p.token)), false},
				{"no token", httptest.NewRequest(http.MethodGet, path, nil), false},
			}
			for _, c := range cases {
				// Twice through the same handler, as the benchmark does, so
				// that a cache cannot turn a refusal into a success.
				for round := range 2 {
					rec := newRecorder()
					rec.reset()
					p.handler.ServeHTTP(rec.ResponseRecorder, c.req)
					switch {
					case c.ok && rec.Code != http.StatusOK:
						t.Errorf("%s, round %d: got %d %q, want 200", c.name, round, rec.Code, rec.Body)
					case !c.ok && (rec.Code < 400 || rec.Code > 499):
						t.Errorf("%s, round %d: got %d %q, want a 4xx", c.name, round, rec.Code, rec.Body)
					}
				}
			}
		})
	}
}

// TestFlipSignature checks the bad token differs from the good one in the
// signature only, and that the fixtures are what the README says.
func TestFlipSignature(t *testing.T) {
	bad := FlipSignature(Token)
	if bad == Token || len(bad) != len(Token) {
		t.Fatalf("FlipSignature(Token) = %q", bad)
	}
	if i := len(Token) - 43; bad[:i] != Token[:i] {
		t.Fatalf("FlipSignature changed more than the signature")
	}
	if len(Secret) < 32 {
		t.Fatalf("Secret is %d bytes, want at least 32", len(Secret))
	}
}
