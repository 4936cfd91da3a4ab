package jwtauth

import (
	"testing"
	"time"
)

// TestWallClock: the default clock reads the same wall clock as time.Now,
// to the microsecond, and never ahead of it.
func TestWallClock(t *testing.T) {
	for range 1000 {
		before := time.Now().Truncate(time.Microsecond)
		got := wallClock()
		after := time.Now()
		if got.Before(before) || got.After(after) {
			t.Fatalf("wallClock() = %v, not within [%v, %v]", got, before, after)
		}
	}
}
