package redisstore

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/jwtauth-go/jwtauth/internal/expiry"
	"github.com/jwtauth-go/jwtauth/revoke"
)

// A revocation is kept in Redis as a member of a sorted set, its score the
// entry's Until in Unix milliseconds, and announced on a channel as
// "<seq> <score> <member>". A member is one of
//
//	i:<id>                 a token or a family, by id
//	u:<before>:<user>      every token of user issued before before
//
// with before in Unix nanoseconds (clamped as revoke.Memory clamps it). The
// kinds are distinct namespaces: no id entry reads as a user's, whatever
// the id holds. A user's member carries its Before, so that two entries
// of one user with different Befores are two members, each kept until its
// own Until, and applied to a revoke.Memory they merge as two Adds would
// (the later Before, the later Until). The score of a member already held
// only grows (ZADD GT): the later Until wins.

// encodeMember is the sorted-set member of e (whose Until is not in it).
func encodeMember(e revoke.Entry) string {
	if e.ID != "" {
		return "i:" + e.ID
	}
	return "u:" + strconv.FormatInt(expiry.Nanos(e.Before), 10) + ":" + e.User
}

// errEntry is the error of the decoders: the text they were given is not
// one this version of the package writes. It says nothing of the text,
// which holds ids and user keys.
var errEntry = errors.New("redisstore: not a revocation entry this version reads")

// decodeMember is the entry of a member, without its Until.
func decodeMember(m string) (revoke.Entry, error) {
	kind, rest, ok := strings.Cut(m, ":")
	if !ok {
		return revoke.Entry{}, errEntry
	}
	switch kind {
	case "i":
		if rest == "" {
			return revoke.Entry{}, errEntry
		}
		return revoke.Entry{ID: rest}, nil
	case "u":
		before, user, ok := strings.Cut(rest, ":")
		if !ok || user == "" {
			return revoke.Entry{}, errEntry
		}
		n, err := parseInt(before)
		// Only what encodeMember writes: a time outside expiry.Nanos's
		// years is one of its two clamps.
		if err != nil || expiry.Nanos(time.Unix(0, n)) != n {
			return revoke.Entry{}, errEntry
		}
		return revoke.Entry{User: user, Before: time.Unix(0, n)}, nil
	}
	return revoke.Entry{}, errEntry
}

// parseInt reads a decimal integer as encodeMember and the scripts write
// it: an optional minus sign and digits, nothing else (no plus sign, no
// leading zero), so that each number has one spelling and a member read
// and written again is the same member.
func parseInt(s string) (int64, error) {
	digits := strings.TrimPrefix(s, "-")
	if digits == "" || (digits[0] == '0' && (len(digits) > 1 || len(s) > 1)) {
		return 0, errEntry
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, errEntry
		}
	}
	return strconv.ParseInt(s, 10, 64)
}

// untilScore is e's Until as a score: Unix milliseconds, rounded up, so
// that Redis forgets an entry no earlier than a revoke.Memory would.
// The clamp of expiry.Nanos keeps it within 2^53, exact in a double.
func untilScore(until time.Time) int64 {
	n := expiry.Nanos(until)
	ms := n / 1e6
	if n%1e6 > 0 {
		ms++
	}
	return ms
}

// parseScore reads a score as Redis gives it back (ZSCAN formats doubles;
// the scores written are integers below 2^53, which it prints as such).
func parseScore(s string) (int64, error) {
	if n, err := parseInt(s); err == nil {
		return n, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, errEntry
	}
	return int64(f), nil
}

// withScore is the entry of member with the score as its Until.
func withScore(member string, score int64) (revoke.Entry, error) {
	e, err := decodeMember(member)
	if err != nil {
		return e, err
	}
	e.Until = time.UnixMilli(score)
	return e, nil
}

// encodeMessage is what addScript publishes for an entry: the sequence
// number the change took, the score and the member.
func encodeMessage(seq int64, score int64, member string) string {
	return strconv.FormatInt(seq, 10) + " " + strconv.FormatInt(score, 10) + " " + member
}

// decodeMessage reads a message of the channel: a positive sequence
// number, a score and a member.
func decodeMessage(msg string) (seq int64, e revoke.Entry, err error) {
	s, rest, ok := strings.Cut(msg, " ")
	if !ok {
		return 0, e, errEntry
	}
	score, member, ok := strings.Cut(rest, " ")
	if !ok {
		return 0, e, errEntry
	}
	seq, err = parseInt(s)
	if err != nil || seq <= 0 {
		return 0, e, errEntry
	}
	n, err := parseInt(score)
	if err != nil {
		return 0, e, errEntry
	}
	e, err = withScore(member, n)
	return seq, e, err
}
