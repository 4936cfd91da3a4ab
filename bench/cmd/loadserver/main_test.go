package main

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/jwtauth-go/jwtauth/bench"
)

// TestRoutes checks that /open/ answers without a token and that the
// protected routes answer the token and refuse it with a flipped signature,
// so that load.sh never measures a refusal.
func TestRoutes(t *testing.T) {
	mux, cache, err := newMux()
	if err != nil {
		t.Fatal(err)
	}
	get := func(path, auth string) int {
		r := httptest.NewRequest(http.MethodGet, path, nil)
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		return w.Code
	}
	good, bad := "JWT "+bench.Token, "JWT "+bench.FlipSignature(bench.Token)
	paths := []string{"/protected/"}
	if cache != "none" {
		paths = append(paths, "/protected-cached/")
	} else if code := get("/protected-cached/", good); code != http.StatusNotFound {
		t.Errorf("/protected-cached/ without a cache: %d, want 404", code)
	}
	if code := get("/open/", ""); code != http.StatusOK {
		t.Errorf("/open/ without a token: %d", code)
	}
	if code := get("/open/", good); code != http.StatusOK {
		t.Errorf("/open/ with the token: %d", code)
	}
	for _, p := range paths {
		for round := range 2 {
			if code := get(p, good); code != http.StatusOK {
				t.Errorf("%s round %d, the token: %d, want 200", p, round, code)
			}
			if code := get(p, bad); code != http.StatusUnauthorized {
				t.Errorf("%s round %d, flipped signature: %d, want 401", p, round, code)
			}
			if code := get(p, ""); code != http.StatusUnauthorized {
				t.Errorf("%s round %d, no token: %d, want 401", p, round, code)
			}
		}
	}
}

func TestRunRefusesNonLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", "10.0.0.1:0", ":0"} {
		if err := run(addr); err == nil {
			t.Errorf("run(%q) = nil", addr)
		}
	}
}
