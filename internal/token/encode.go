package token

import (
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/jwtauth-go/jwtauth/internal/drf"
)

// reservedClaims are written from Claims' fields, never from Extra.
var reservedClaims = map[string]bool{
	"user_id": true, "username": true, "email": true, "exp": true, "orig_iat": true,
	"aud": true, "iss": true, "nbf": true, "iat": true,
}

// marshal writes the claims in DRF-JWT's key order (user_id, username, exp,
// email, orig_iat, aud, iss), then the extra claims sorted by name, as
// compact JSON with non-ASCII escaped, as Python's json.dumps writes it.
func (c Claims) marshal() ([]byte, error) {
	b := []byte{'{'}
	sep := func(name string) {
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = append(drf.AppendPyString(b, name), ':')
	}
	str := func(s string) { b = drf.AppendPyString(b, s) }
	num := func(t time.Time) { b = strconv.AppendInt(b, t.Unix(), 10) }
	if c.UserID != "" {
		sep("user_id")
		if drf.IsDecimalInteger(c.UserID) {
			b = append(b, c.UserID...)
		} else {
			str(c.UserID)
		}
	}
	sep("username")
	str(c.Username)
	sep("exp")
	num(c.ExpiresAt)
	sep("email")
	str(c.Email)
	if !c.OrigIssuedAt.IsZero() {
		sep("orig_iat")
		num(c.OrigIssuedAt)
	}
	switch len(c.Audience) {
	case 0:
	case 1:
		sep("aud")
		str(c.Audience[0])
	default:
		sep("aud")
		b = append(b, '[')
		for i, a := range c.Audience {
			if i > 0 {
				b = append(b, ',')
			}
			str(a)
		}
		b = append(b, ']')
	}
	if c.Issuer != "" {
		sep("iss")
		str(c.Issuer)
	}
	if !c.NotBefore.IsZero() {
		sep("nbf")
		num(c.NotBefore)
	}
	if !c.IssuedAt.IsZero() {
		sep("iat")
		num(c.IssuedAt)
	}
	names := make([]string, 0, len(c.Extra))
	for name := range c.Extra {
		if reservedClaims[name] {
			return nil, fmt.Errorf("jwtauth: claim %q belongs in its Claims field, not in Extra", name)
		}
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		v, err := drf.Marshal(c.Extra[name])
		if err != nil {
			return nil, fmt.Errorf("jwtauth: claim %q: %w", name, err)
		}
		sep(name)
		b = append(b, v...)
	}
	return append(b, '}'), nil
}
