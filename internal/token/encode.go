package token

import (
	"encoding/json"
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
		b = appendPyStrings(b, v)
	}
	return append(b, '}'), nil
}

// appendPyStrings appends the JSON text v with each of its strings
// written as Python's json.dumps writes them (non-ASCII and DEL as \u
// escapes, \b and \f by name), so that custom claims too are
// byte-identical with PyJWT's: encoding/json writes UTF-8 and \u0008.
// Outside strings, v is copied as it is.
func appendPyStrings(b, v []byte) []byte {
	for i := 0; i < len(v); i++ {
		if v[i] != '"' {
			b = append(b, v[i])
			continue
		}
		j := i + 1
		for v[j] != '"' {
			if v[j] == '\\' {
				j++
			}
			j++
		}
		var text string
		_ = json.Unmarshal(v[i:j+1], &text) // valid: encoding/json wrote it
		b = drf.AppendPyString(b, text)
		i = j
	}
	return b
}
