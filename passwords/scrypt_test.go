package passwords

import (
	"errors"
	"testing"
)

// TestScryptBounds checks the bounds at their edges: Django's defaults and
// the largest accepted hashes are computed, one step more is refused.
func TestScryptBounds(t *testing.T) {
	t.Parallel()
	lim := defaultLimits
	for _, tt := range []struct {
		n, r, p int
		want    error
	}{
		{1 << 14, 8, 5, nil},            // Django 5.1 and later
		{1 << 14, 8, 1, nil},            // Django 4.0 to 5.0
		{1 << 18, 8, 1, nil},            // 256 MiB
		{1 << 19, 8, 1, ErrCostTooHigh}, // 512 MiB
		{1 << 18, 8, 4, nil},            // N·r·p = 2^23
		{1 << 18, 8, 5, ErrCostTooHigh},
		{2, 1 << 20, 4, nil},
		{2, 1 << 21, 1, ErrCostTooHigh}, // 256 MiB and more
		{1 << 62, 1 << 62, 1 << 62, ErrCostTooHigh},
		{3, 8, 1, ErrMalformed},
		{1, 8, 1, ErrMalformed},
		{16, 0, 1, ErrMalformed},
		{16, 8, 0, ErrMalformed},
	} {
		if err := checkScrypt(tt.n, tt.r, tt.p, lim, ErrMalformed); !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
			t.Errorf("checkScrypt(%d, %d, %d) = %v, want %v", tt.n, tt.r, tt.p, err, tt.want)
		}
	}
}
