package redisstore

import (
	"math"
	"testing"
	"time"

	"github.com/jwtauth-go/jwtauth/internal/expiry"
	"github.com/jwtauth-go/jwtauth/revoke"
)

// TestEntryEncoding: members and messages read back as the entries they
// were made of; id and user entries never read as each other; the texts
// this version does not write are errors.
func TestEntryEncoding(t *testing.T) {
	t.Parallel()
	until := time.UnixMilli(1700000000123)
	for _, e := range []revoke.Entry{
		{ID: "jti-1", Until: until},
		{ID: "u:0:looks-like-a-user", Until: until},
		{ID: "with spaces and : colons", Until: until},
		{User: "7", Before: time.Unix(0, 1700000000123456789), Until: until},
		{User: "i:not-an-id", Before: time.Unix(0, -5), Until: until},
		{User: "user with: colons", Before: time.Time{}, Until: until}, // clamped
		{User: "late", Before: time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC), Until: until},
	} {
		m := encodeMember(e)
		got, err := withScore(m, untilScore(e.Until))
		if err != nil {
			t.Errorf("%q: %v", m, err)
			continue
		}
		if got.ID != e.ID || got.User != e.User || expiry.Nanos(got.Before) != expiry.Nanos(e.Before) || !got.Until.Equal(e.Until) {
			t.Errorf("%q read as %+v, want %+v", m, got, e)
		}
		seq, got2, err := decodeMessage(encodeMessage(42, untilScore(e.Until), m))
		if err != nil || seq != 42 || encodeMember(got2) != m || !got2.Until.Equal(e.Until) {
			t.Errorf("message of %q: %d, %+v, %v", m, seq, got2, err)
		}
	}
	for _, m := range []string{"", "i:", "i", "x:id", "u:1:", "u:1", "u::user", "u:01:user", "u:+1:user", "u:-0:user", "u:1e3:user", "u:99999999999999999999:user"} {
		if e, err := decodeMember(m); err == nil {
			t.Errorf("member %q read as %+v", m, e)
		}
	}
	for _, msg := range []string{"", "1", "1 2", "0 2 i:x", "-1 2 i:x", "x 2 i:x", "1 x i:x", "1 2 x:x", "1  i:x", "01 2 i:x"} {
		if _, e, err := decodeMessage(msg); err == nil {
			t.Errorf("message %q read as %+v", msg, e)
		}
	}
	for in, want := range map[string]int64{"1700000000123": 1700000000123, "1.7e+12": 1700000000000, "-5": -5} {
		if got, err := parseScore(in); err != nil || got != want {
			t.Errorf("parseScore(%q) = %d, %v", in, got, err)
		}
	}
	for _, in := range []string{"inf", "nan", "1.5", "1e300", ""} {
		if got, err := parseScore(in); err == nil {
			t.Errorf("parseScore(%q) = %d", in, got)
		}
	}
	// Rounded up: Redis forgets no earlier than a revoke.Memory.
	if got := untilScore(time.UnixMilli(5).Add(time.Nanosecond)); got != 6 {
		t.Errorf("untilScore(5 ms + 1 ns) = %d", got)
	}
	if got := untilScore(time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)); got != int64(math.MaxInt64)/1e6+1 || got > 1<<53 {
		t.Errorf("untilScore(9999) = %d, want the clamp, exact in a double", got)
	}
}

// FuzzDecodeEntry: the channel's messages (and so the set's members)
// never panic the decoder, and what it reads writes back as the same text:
// one spelling per entry, so that instances agree on which member is
// which.
func FuzzDecodeEntry(f *testing.F) {
	f.Add("1 1700000000000 i:jti")
	f.Add("4294967297 1700000000000 u:1700000000123456789:42")
	f.Add("9 -1 u:-9223372036854775808:user: with colons")
	f.Fuzz(func(t *testing.T, msg string) {
		seq, e, err := decodeMessage(msg)
		if err != nil {
			return
		}
		if seq <= 0 || (e.ID == "") == (e.User == "") {
			t.Fatalf("%q read as %d, %+v", msg, seq, e)
		}
		again := encodeMessage(seq, e.Until.UnixMilli(), encodeMember(e))
		if again != msg {
			t.Fatalf("%q read and written again as %q", msg, again)
		}
	})
}
