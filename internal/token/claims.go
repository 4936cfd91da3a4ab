package token

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jwtauth-go/jwtauth/internal/drf"
)

// Claims is a token's payload, decoded strictly: names match exactly, no
// name appears twice, and every claim below has the JSON type it must have.
// The root package documents it as jwtauth.Claims.
type Claims struct {
	// UserID is user_id in text form: "1" for DRF-JWT's integer keys, the
	// UUID for UUID keys. Empty when absent.
	UserID string
	// Username is the username claim. The user is looked up by it.
	Username string
	// Email is the email claim.
	Email string
	// ExpiresAt is exp, whole seconds; every accepted token has one.
	ExpiresAt time.Time
	// OrigIssuedAt is orig_iat, written when refresh is allowed and kept
	// unchanged across refreshes. Zero when absent or not an integer.
	OrigIssuedAt time.Time
	// Audience is aud, written when Settings.Audience is set.
	Audience []string
	// Issuer is iss, written when Settings.Issuer is set.
	Issuer string
	// NotBefore and IssuedAt are nbf and iat: never written by DRF-JWT,
	// checked when present (nbf must have passed). simplejwt writes iat.
	NotBefore, IssuedAt time.Time
	// TokenType is token_type: simplejwt's "access", "refresh" or
	// "sliding". DRF-JWT writes none, and refuses a token whose type is not
	// access.
	TokenType string
	// JTI is jti, the token's unique id: simplejwt writes a UUID4 as 32
	// hex digits, and its blacklist is keyed by it.
	JTI string
	// RefreshExpiresAt is refresh_exp, until when simplejwt's sliding
	// token may be renewed. Zero when absent.
	RefreshExpiresAt time.Time
	// Family is the family claim: the refresh-token family (the login) a
	// simplejwt token belongs to, written with revocation on, so that a
	// replayed refresh token revokes every token of its login. Empty when
	// absent.
	Family string
	// Extra holds every other claim, such as those of a PayloadHandler, or
	// the claim named by Settings.UsernameField when it is neither username
	// nor email. Numbers decode as json.Number.
	Extra map[string]any
}

// Clone returns a deep copy of c: the audience, the extra claims and every
// JSON object and array inside them are copied, so that changing the copy
// changes nothing that another request sees. Values of other types, which
// only a PayloadHandler puts there, are shared.
func (c *Claims) Clone() Claims {
	out := *c
	out.Audience = slices.Clone(c.Audience)
	if c.Extra != nil {
		out.Extra = make(map[string]any, len(c.Extra))
		for k, v := range c.Extra {
			out.Extra[k] = cloneJSON(v)
		}
	}
	return out
}

// cloneJSON copies the objects and arrays of a decoded JSON value.
func cloneJSON(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, x := range v {
			m[k] = cloneJSON(x)
		}
		return m
	case []any:
		s := make([]any, len(v))
		for i, x := range v {
			s[i] = cloneJSON(x)
		}
		return s
	}
	return v
}

// b64 is base64url without padding and with canonical trailing bits only
// (RFC 7515 §2), so that one token has one spelling.
var b64 = base64.RawURLEncoding.Strict()

// maxNumericDate is 9999-12-31T23:59:59Z: no real token goes further, and
// larger values would overflow time arithmetic.
const maxNumericDate = 253402300799

// payload is a decoded claims object with what is needed to validate it in
// PyJWT's order (iat, nbf, exp, iss, aud) before anything is trusted.
type payload struct {
	Claims
	hasExp, hasAud, hasIss bool
	hasTokenType           bool
	timeErr                error // a time claim that is not a NumericDate: malformed
	claimErr               error // a registered claim of the wrong type: invalid
	payloadErr             error // a DRF claim of the wrong type: invalid payload
}

// decodePayload decodes claims JSON strictly into *p. It fails only when
// data is not one JSON object without duplicate names; wrong claim types
// are recorded for validate. The strings of the claims are substrings of
// data.
func decodePayload(data string, p *payload) error {
	*p = payload{}
	err := object(data, func(name, raw string) error {
		var (
			err error
			ok  bool
		)
		switch name {
		case "exp":
			p.hasExp = true
			p.ExpiresAt, err = numericDate(raw)
			p.timeErr = firstErr(p.timeErr, err)
		case "nbf":
			p.NotBefore, err = numericDate(raw)
			p.timeErr = firstErr(p.timeErr, err)
		case "iat":
			p.IssuedAt, err = numericDate(raw)
			p.timeErr = firstErr(p.timeErr, err)
		case "iss":
			p.hasIss = true
			if p.Issuer, ok = jsonString(raw); !ok {
				p.claimErr = firstErr(p.claimErr, errors.New("iss is not a string"))
			}
		case "aud":
			p.hasAud = true
			if !audience(raw, &p.Audience) {
				p.claimErr = firstErr(p.claimErr, errors.New("aud is not a string or an array of strings"))
			}
		case "token_type":
			p.hasTokenType = true
			if p.TokenType, ok = jsonString(raw); !ok {
				p.claimErr = firstErr(p.claimErr, errors.New("token_type is not a string"))
			}
		case "jti":
			if p.JTI, ok = jsonString(raw); !ok {
				p.claimErr = firstErr(p.claimErr, errors.New("jti is not a string"))
			}
		case "family":
			if p.Family, ok = jsonString(raw); !ok {
				p.claimErr = firstErr(p.claimErr, errors.New("family is not a string"))
			}
		case "refresh_exp":
			p.RefreshExpiresAt, err = numericDate(raw)
			p.timeErr = firstErr(p.timeErr, err)
		case "sub":
			s, ok := jsonString(raw)
			if !ok {
				p.claimErr = firstErr(p.claimErr, fmt.Errorf("%s is not a string", name))
			}
			p.setExtra(name, s)
		case "user_id":
			if drf.IsDecimalInteger(raw) {
				p.UserID = raw
			} else if p.UserID, ok = jsonString(raw); !ok {
				p.payloadErr = firstErr(p.payloadErr, errors.New("user_id is not an integer or a string"))
			}
		case "username":
			if p.Username, ok = jsonString(raw); !ok {
				p.payloadErr = firstErr(p.payloadErr, errors.New("username is not a string"))
			}
		case "email":
			if p.Email, ok = jsonString(raw); !ok {
				p.payloadErr = firstErr(p.payloadErr, errors.New("email is not a string"))
			}
		case "orig_iat":
			// Anything but a positive integer is "missing", which only the
			// refresh endpoint cares about (DRF-JWT treats 0 as missing).
			if t, err := numericDate(raw); err == nil && t.Unix() > 0 && drf.IsDecimalInteger(raw) {
				p.OrigIssuedAt = t
			}
		default:
			var v any
			dec := json.NewDecoder(strings.NewReader(raw))
			dec.UseNumber()
			if err := dec.Decode(&v); err != nil {
				return err
			}
			p.setExtra(name, v)
		}
		return nil
	})
	if err != nil {
		*p = payload{}
	}
	return err
}

func (p *payload) setExtra(name string, v any) {
	if p.Extra == nil {
		p.Extra = make(map[string]any)
	}
	p.Extra[name] = v
}

func firstErr(old, new error) error {
	if old != nil {
		return old
	}
	return new
}

// numericDate reads a NumericDate (RFC 7519 §2): a JSON number of seconds,
// truncated toward zero as PyJWT's int() does. Strings, booleans and null are
// refused, unlike DRF-JWT.
func numericDate(raw string) (time.Time, error) {
	if len(raw) == 0 || (raw[0] != '-' && (raw[0] < '0' || raw[0] > '9')) {
		return time.Time{}, errors.New("time claim is not a JSON number")
	}
	if n, ok := smallInteger(raw); ok && n <= maxNumericDate {
		return time.Unix(n, 0), nil // DRF-JWT's whole seconds, without ParseFloat
	}
	f, err := strconv.ParseFloat(raw, 64)
	if err != nil || math.Abs(f) > maxNumericDate {
		return time.Time{}, errors.New("time claim is out of range")
	}
	return time.Unix(int64(f), 0), nil
}

// smallInteger reads raw, a JSON number, when it is a non-negative integer
// of at most 12 digits, without ParseFloat; the range is the caller's to
// check, as for any other spelling.
func smallInteger(raw string) (int64, bool) {
	if len(raw) > 12 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// jsonString returns the string a raw JSON value holds, if it is one.
func jsonString(raw string) (string, bool) {
	if len(raw) == 0 || raw[0] != '"' {
		return "", false
	}
	return unquote(raw), true
}

// audience reads aud: a string or an array of strings (RFC 7519 §4.1.3).
func audience(raw string, aud *[]string) bool {
	if s, ok := jsonString(raw); ok {
		*aud = []string{s}
		return true
	}
	if len(raw) == 0 || raw[0] != '[' {
		return false
	}
	p := scanner{s: raw, i: 1}
	out := []string{}
	if p.byte(']') {
		*aud = out
		return true
	}
	for {
		v, err := p.value(1)
		s, ok := jsonString(v)
		if err != nil || !ok {
			return false
		}
		out = append(out, s)
		if p.byte(']') {
			*aud = out
			return true
		}
		if !p.byte(',') {
			return false
		}
	}
}
