package revoke

import (
	"hash/maphash"
	"sync/atomic"
)

// filterBits is the size of a Memory's filter: 128 KiB, so that the
// filter stays in a core's cache where 100,000 entries of each kind would
// not. Full, with 200,000 keys, about one check in six still takes the
// lock; with a few thousand, one in a hundred.
const filterBits = 1 << 20

// filter answers most checks of a Memory without its lock: one bit per
// key held, by a seeded hash, set by Add, and never cleared, so that a
// clear bit means for certain that the key is not held, and a set one
// that it may be. Keys that leave keep their bits until Memory rebuilds
// the filter from the keys still held.
type filter struct {
	seed  maphash.Seed
	words []atomic.Uint64
}

func newFilter() *filter {
	return &filter{seed: maphash.MakeSeed(), words: make([]atomic.Uint64, filterBits/64)}
}

func (f *filter) bit(key string) (word int, mask uint64) {
	h := maphash.String(f.seed, key) & (filterBits - 1)
	return int(h / 64), 1 << (h % 64)
}

// add sets key's bit.
func (f *filter) add(key string) {
	w, m := f.bit(key)
	f.words[w].Or(m)
}

// mayHold reports whether key's bit is set.
func (f *filter) mayHold(key string) bool {
	w, m := f.bit(key)
	return f.words[w].Load()&m != 0
}
