package expiry

import (
	"math"
	"testing"
	"time"
)

func TestSet(t *testing.T) {
	var s Set
	s.Add("a", 10)
	s.Add("b", 20)
	s.Add("a", 5)  // earlier: a stays until 10
	s.Add("b", 30) // later: b stays until 30
	tests := []struct {
		now  int64
		want map[string]bool
	}{
		{9, map[string]bool{"a": true, "b": true}},
		{10, map[string]bool{"a": false, "b": true}},
		{20, map[string]bool{"a": false, "b": true}}, // b's first entry is stale
		{30, map[string]bool{"a": false, "b": false}},
	}
	for _, tt := range tests {
		s.Sweep(tt.now)
		for k, want := range tt.want {
			if got := s.Has(k); got != want {
				t.Errorf("at %d: Has(%q) = %v, want %v", tt.now, k, got, want)
			}
		}
		n := 0
		for _, w := range tt.want {
			if w {
				n++
			}
		}
		if s.Len() != n {
			t.Errorf("at %d: Len() = %d, want %d", tt.now, s.Len(), n)
		}
	}
	if len(s.order) != 0 {
		t.Errorf("heap keeps %d entries after the last sweep", len(s.order))
	}
}

func TestNanos(t *testing.T) {
	if got := Nanos(time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)); got != math.MaxInt64 {
		t.Errorf("year 3000: %d", got)
	}
	if got := Nanos(time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC)); got != math.MinInt64 {
		t.Errorf("year 1000: %d", got)
	}
	if got := Nanos(time.Unix(5, 6)); got != 5_000_000_006 {
		t.Errorf("Unix(5, 6): %d", got)
	}
}
