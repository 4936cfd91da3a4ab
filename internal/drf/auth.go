package drf

import (
	"encoding/binary"
	"net/http"
	"strings"
	"unsafe"
)

// AuthorizationParts returns the request's Authorization header split as
// DRF's authentication classes split it (get_authorization_header().split():
// runs of ASCII whitespace, empty parts dropped). ok is false when the
// header is sent more than once: which copy a proxy or a framework reads
// differs, and ambiguity in credentials is an attack surface.
func AuthorizationParts(r *http.Request) (parts []string, ok bool) {
	values := r.Header.Values("Authorization")
	switch len(values) {
	case 0:
		return nil, true
	case 1:
		return strings.FieldsFunc(values[0], isHeaderSpace), true
	}
	return nil, false
}

func isHeaderSpace(r rune) bool { return r <= ' ' && headerSpace[r] }

// headerSpace is Python's bytes.split() white space, as a table: the hot
// path looks up every byte of a token, and tests c <= ' ' first.
var headerSpace = [' ' + 1]bool{' ': true, '\t': true, '\n': true, '\r': true, '\v': true, '\f': true}

// Shape says what an Authorization header holds for one scheme.
type Shape int

// The shapes Credentials reports, with the failures DRF names for them.
const (
	NotMine       Shape = iota // blank, or another scheme: try the next authenticator
	Found                      // "<keyword> <credentials>"
	NoCredentials              // "<keyword>" alone: "... No credentials provided."
	HasSpaces                  // "<keyword> a b": "... should not contain spaces."
)

// Credentials returns what follows keyword in parts, the keyword matched as
// DRF matches it: ASCII letters case-insensitively, and nothing else folded,
// so that no Unicode folding (the Kelvin sign for "k", say) can match.
func Credentials(parts []string, keyword string) (string, Shape) {
	if len(parts) == 0 || !EqualFoldASCII(parts[0], keyword) {
		return "", NotMine
	}
	switch len(parts) {
	case 1:
		return "", NoCredentials
	case 2:
		return parts[1], Found
	}
	return "", HasSpaces
}

// EqualFoldASCII compares as DRF compares schemes: ASCII letters
// case-insensitively, nothing else folded.
func EqualFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// Header is an Authorization header split as DRF splits it: its first two
// parts and how many there are, found without allocating.
type Header struct {
	First, Second string
	N             int
}

// ParseAuthorization is AuthorizationParts for the hot path: the same split,
// kept in a Header.
func ParseAuthorization(r *http.Request) (Header, bool) {
	values := r.Header["Authorization"] // the canonical key, looked up directly
	switch len(values) {
	case 0:
		return Header{}, true
	case 1:
	default:
		return Header{}, false
	}
	var h Header
	s := values[0]
	for {
		i := 0
		for i < len(s) && s[i] <= ' ' && headerSpace[s[i]] {
			i++
		}
		s = s[i:]
		if s == "" {
			return h, true
		}
		if h.N == 1 && !HasHeaderSpace(s) {
			// The usual end: a token and nothing after it. One
			// branch-free pass instead of the loop below.
			h.Second, h.N = s, 2
			return h, true
		}
		j := 0
		for j < len(s) && (s[j] > ' ' || !headerSpace[s[j]]) {
			j++
		}
		switch h.N {
		case 0:
			h.First = s[:j]
		case 1:
			h.Second = s[:j]
		}
		h.N++
		s = s[j:]
	}
}

// HasHeaderSpace reports whether s holds a byte that DRF splits a header
// on. It runs on every request's token, so it reads eight bytes at a
// time: white space is below 0x21, and a word with no byte below 0x21
// has none (the classic test for a byte less than n, exact for n <= 0x80,
// with bytes of 0x80 and above masked out); only a word that has one is
// looked at byte by byte.
func HasHeaderSpace(s string) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	// A read-only view of the string's bytes, for binary's loads, which
	// the compiler turns into one load a word where the machine allows.
	b := unsafe.Slice(unsafe.StringData(s), len(s))
	below := func(w uint64) uint64 { return (w - ones*0x21) &^ w & highs }
	i := 0
	for ; i+32 <= len(b); i += 32 {
		q := b[i : i+32 : i+32]
		if below(binary.LittleEndian.Uint64(q))|below(binary.LittleEndian.Uint64(q[8:]))|
			below(binary.LittleEndian.Uint64(q[16:]))|below(binary.LittleEndian.Uint64(q[24:])) != 0 &&
			hasHeaderSpaceSlow(s[i:i+32]) {
			return true
		}
	}
	for ; i+8 <= len(b); i += 8 {
		if below(binary.LittleEndian.Uint64(b[i:])) != 0 && hasHeaderSpaceSlow(s[i:i+8]) {
			return true
		}
	}
	return hasHeaderSpaceSlow(s[i:])
}

func hasHeaderSpaceSlow(s string) bool {
	var any uint8
	for i := 0; i < len(s); i++ {
		any |= headerSpaceByte[s[i]]
	}
	return any != 0
}

// headerSpaceByte is headerSpace as bytes over all 256 values, for
// branch-free scans.
var headerSpaceByte = func() (t [256]uint8) {
	for c, sp := range headerSpace {
		if sp {
			t[c] = 1
		}
	}
	return t
}()

// Credentials returns what follows keyword in h, as the function of that
// name does for parts.
func (h Header) Credentials(keyword string) (string, Shape) {
	if h.N == 0 || !EqualFoldASCII(h.First, keyword) {
		return "", NotMine
	}
	switch h.N {
	case 1:
		return "", NoCredentials
	case 2:
		return h.Second, Found
	}
	return "", HasSpaces
}
