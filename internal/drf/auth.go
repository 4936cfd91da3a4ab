package drf

import (
	"net/http"
	"strings"
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

func isHeaderSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\r', '\v', '\f':
		return true
	}
	return false
}

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
	if len(parts) == 0 || !equalFoldASCII(parts[0], keyword) {
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

func equalFoldASCII(a, b string) bool {
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
