package jwtauth

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestStoreFailuresLogOncePerInterval: a store that is down fails every
// request; the log gets one record per interval, the next carrying how
// many were held back, so an outage cannot flood it (before, 183,000
// records in a ten-second outage).
func TestStoreFailuresLogOncePerInterval(t *testing.T) {
	t.Parallel()
	logger, logs := newCaptureLogger()
	clock := newFixtureClock()
	a := newTestAuth(t, failingStore{errors.New("connection refused")}, withFixtureClock(clock), func(s *Settings) { s.Logger = logger })
	h := a.Required(&protectedView{})
	tok := hs256(fixtureTokenPayload)
	get := func() {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Authorization", "JWT "+tok)
		if rec := serveRecorded(h, r); rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
			t.Fatalf("store down: %d %v", rec.Code, rec.Header())
		}
	}
	for range 1000 {
		get()
	}
	if n := strings.Count(logs.String(), "jwtauth: store failed"); n != 1 {
		t.Fatalf("%d records for 1000 failures within the interval, want 1:\n%s", n, logs)
	}
	clock.Advance(failureLogInterval - time.Second)
	get()
	if n := strings.Count(logs.String(), "jwtauth: store failed"); n != 1 {
		t.Errorf("%d records before the interval is over, want 1", n)
	}
	clock.Advance(time.Second)
	get()
	if n := strings.Count(logs.String(), "jwtauth: store failed"); n != 2 || !strings.Contains(logs.String(), `"held_back":1000`) {
		t.Errorf("after the interval: %d records, want 2, the second with held_back=1000:\n%s", n, logs)
	}
}
