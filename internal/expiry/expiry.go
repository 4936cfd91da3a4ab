// Package expiry is a set of keys each held until a time, the earliest
// first in a heap, so that removing what has expired takes no scan. The
// bounded in-memory stores (the blacklist, the revocation list) are
// built on it.
package expiry

import (
	"container/heap"
	"iter"
	"maps"
	"math"
	"time"
)

// Set holds keys until times in Unix nanoseconds. The zero Set is empty
// and ready; it is not safe for concurrent use.
type Set struct {
	until map[string]int64
	order entries
}

// Has reports whether key is held, swept or not.
func (s *Set) Has(key string) bool {
	_, ok := s.until[key]
	return ok
}

// Until returns when key leaves, and whether it is held.
func (s *Set) Until(key string) (int64, bool) {
	u, ok := s.until[key]
	return u, ok
}

// Len returns how many keys are held.
func (s *Set) Len() int { return len(s.until) }

// Add holds key until until, or keeps it until the later of until and
// the time it is held until already: a key never leaves earlier than
// any Add of it asked. It reports whether that changed anything.
func (s *Set) Add(key string, until int64) bool {
	if s.until == nil {
		s.until = make(map[string]int64)
	}
	if old, ok := s.until[key]; ok && old >= until {
		return false
	}
	s.until[key] = until
	heap.Push(&s.order, entry{key, until})
	return true
}

// Sweep removes the keys whose time is now or before.
func (s *Set) Sweep(now int64) {
	for len(s.order) > 0 && s.order[0].until <= now {
		e := heap.Pop(&s.order).(entry)
		// A key extended by a later Add has a later entry in the heap
		// too: this one is stale.
		if s.until[e.key] == e.until {
			delete(s.until, e.key)
		}
	}
}

// Nanos is t in Unix nanoseconds, clamped to the years int64 holds (1678
// to 2262), so that an absurd expiry cannot wrap around and leave early.
func Nanos(t time.Time) int64 {
	switch {
	case t.Year() >= 2262:
		return math.MaxInt64
	case t.Year() <= 1678:
		return math.MinInt64
	}
	return t.UnixNano()
}

type entry struct {
	key   string
	until int64
}

// entries implements heap.Interface, the earliest first.
type entries []entry

func (h entries) Len() int           { return len(h) }
func (h entries) Less(i, j int) bool { return h[i].until < h[j].until }
func (h entries) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *entries) Push(x any)        { *h = append(*h, x.(entry)) }
func (h *entries) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = entry{} // let the key go
	*h = old[:len(old)-1]
	return e
}

// Keys returns the held keys, in no order.
func (s *Set) Keys() iter.Seq[string] {
	return maps.Keys(s.until)
}
