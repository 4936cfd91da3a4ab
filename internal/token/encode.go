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
	"token_type": true, "jti": true, "refresh_exp": true, "family": true,
}

// Reserved reports whether name is a claim the engine reads into a Claims
// field: a dialect's own claims must have other names.
func Reserved(name string) bool { return reservedClaims[name] }

// writer appends claims to a JSON object as Python's json.dumps writes
// them: compact, with non-ASCII escaped.
type writer struct{ b []byte }

func (w *writer) name(name string) {
	if len(w.b) > 1 {
		w.b = append(w.b, ',')
	}
	w.b = append(drf.AppendPyString(w.b, name), ':')
}

func (w *writer) str(name, s string) {
	w.name(name)
	w.b = drf.AppendPyString(w.b, s)
}

func (w *writer) date(name string, t time.Time) {
	w.name(name)
	w.b = strconv.AppendInt(w.b, t.Unix(), 10)
}

// optional writes the claims that are written only when set, in the order
// given.
func (w *writer) optional(c *Claims, names ...string) {
	for _, n := range names {
		switch n {
		case "aud":
			w.audience(c.Audience)
		case "iss", "token_type", "jti", "username", "email", "family":
			if v := c.text(n); v != "" {
				w.str(n, v)
			}
		case "nbf", "iat", "orig_iat", "refresh_exp":
			if t := c.date(n); !t.IsZero() {
				w.date(n, t)
			}
		}
	}
}

func (c *Claims) text(name string) string {
	switch name {
	case "iss":
		return c.Issuer
	case "token_type":
		return c.TokenType
	case "jti":
		return c.JTI
	case "username":
		return c.Username
	case "email":
		return c.Email
	case "family":
		return c.Family
	}
	return ""
}

func (c *Claims) date(name string) time.Time {
	switch name {
	case "nbf":
		return c.NotBefore
	case "iat":
		return c.IssuedAt
	case "orig_iat":
		return c.OrigIssuedAt
	case "refresh_exp":
		return c.RefreshExpiresAt
	}
	return time.Time{}
}

func (w *writer) audience(aud []string) {
	switch len(aud) {
	case 0:
	case 1:
		w.str("aud", aud[0])
	default:
		w.name("aud")
		w.b = append(w.b, '[')
		for i, a := range aud {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			w.b = drf.AppendPyString(w.b, a)
		}
		w.b = append(w.b, ']')
	}
}

// marshalSimpleJWT writes the claims in simplejwt's order: token_type,
// exp, iat, jti, refresh_exp, user_id (always a string, as simplejwt 5.5
// writes it), then username and email when a PayloadHandler set them, the
// extra claims sorted by name, and aud and iss, which simplejwt adds as it
// encodes.
func (c Claims) marshalSimpleJWT() ([]byte, error) {
	w := &writer{b: []byte{'{'}}
	w.optional(&c, "token_type")
	w.date("exp", c.ExpiresAt)
	w.optional(&c, "iat", "jti", "refresh_exp")
	if c.UserID != "" {
		w.str("user_id", c.UserID)
	}
	w.optional(&c, "username", "email", "nbf", "orig_iat", "family")
	if err := w.extra(c.Extra); err != nil {
		return nil, err
	}
	w.optional(&c, "aud", "iss")
	return append(w.b, '}'), nil
}

// marshal writes the claims in DRF-JWT's key order (user_id, username, exp,
// email, orig_iat, aud, iss), then ours when set (jti, family), then the extra claims sorted by name, as
// compact JSON with non-ASCII escaped, as Python's json.dumps writes it.
func (c Claims) marshal() ([]byte, error) {
	w := &writer{b: []byte{'{'}}
	if c.UserID != "" {
		w.name("user_id")
		if drf.IsDecimalInteger(c.UserID) {
			w.b = append(w.b, c.UserID...)
		} else {
			w.b = drf.AppendPyString(w.b, c.UserID)
		}
	}
	w.str("username", c.Username)
	w.date("exp", c.ExpiresAt)
	w.str("email", c.Email)
	w.optional(&c, "orig_iat", "aud", "iss", "nbf", "iat", "token_type", "jti", "refresh_exp", "family")
	if err := w.extra(c.Extra); err != nil {
		return nil, err
	}
	return append(w.b, '}'), nil
}

// extra writes the extra claims, sorted by name.
func (w *writer) extra(extra map[string]any) error {
	names := make([]string, 0, len(extra))
	for name := range extra {
		if reservedClaims[name] {
			return fmt.Errorf("jwtauth: claim %q belongs in its Claims field, not in Extra", name)
		}
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		v, err := drf.Marshal(extra[name])
		if err != nil {
			return fmt.Errorf("jwtauth: claim %q: %w", name, err)
		}
		w.name(name)
		w.b = appendPyStrings(w.b, v)
	}
	return nil
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
