package jwtauth

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/jwtauth-go/jwtauth/internal/drf"
)

// Claims is a token's payload, decoded strictly: names match exactly, no
// name appears twice, and every claim below has the JSON type it must have.
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
	// checked when present (nbf must have passed).
	NotBefore, IssuedAt time.Time
	// Extra holds every other claim, such as those of a PayloadHandler, or
	// the claim named by Settings.UsernameField when it is neither username
	// nor email. Numbers decode as json.Number.
	Extra map[string]any
}

// reservedClaims are written from Claims' fields, never from Extra.
var reservedClaims = map[string]bool{
	"user_id": true, "username": true, "email": true, "exp": true, "orig_iat": true,
	"aud": true, "iss": true, "nbf": true, "iat": true,
}

// b64 is base64url without padding and with canonical trailing bits only
// (RFC 7515 §2), so that one token has one spelling.
var b64 = base64.RawURLEncoding.Strict()

// maxNumericDate is 9999-12-31T23:59:59Z: no real token goes further, and
// larger values would overflow time arithmetic.
const maxNumericDate = 253402300799

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

// walkObject calls fn for each member of the JSON object data, in order. It
// refuses anything but exactly one object of valid UTF-8, and any name that
// appears twice (RFC 7515 §4, RFC 7519 §4), comparing names after escapes
// are decoded so that "\u0065xp" is exp.
func walkObject(data []byte, fn func(name string, raw []byte) error) error {
	if !utf8.Valid(data) || !json.Valid(data) {
		return errors.New("not UTF-8 JSON")
	}
	seen := make(map[string]bool, 8)
	return members(data, func(name string, raw []byte) error {
		if seen[name] {
			return fmt.Errorf("member %q appears twice", name)
		}
		seen[name] = true
		return fn(name, raw)
	})
}

// members calls fn for each member of data, valid JSON, in order.
func members(data []byte, fn func(name string, raw []byte) error) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, _ := dec.Token(); t != json.Delim('{') {
		return errors.New("not a JSON object")
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		name, _ := t.(string)
		if err := fn(name, raw); err != nil {
			return err
		}
	}
	return nil
}

// payload is a decoded claims object with what is needed to validate it in
// PyJWT's order (iat, nbf, exp, iss, aud) before anything is trusted.
type payload struct {
	Claims
	hasExp, hasAud, hasIss bool
	timeErr                error // a time claim that is not a NumericDate: malformed
	claimErr               error // a registered claim of the wrong type: invalid
	payloadErr             error // a DRF claim of the wrong type: invalid payload
}

// decodePayload decodes claims JSON strictly. It fails only when data is not
// one JSON object without duplicate names; wrong claim types are recorded
// for validate.
func decodePayload(data []byte) (*payload, error) {
	p := &payload{}
	err := walkObject(data, func(name string, raw []byte) error {
		var err error
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
			if !jsonString(raw, &p.Issuer) {
				p.claimErr = firstErr(p.claimErr, errors.New("iss is not a string"))
			}
		case "aud":
			p.hasAud = true
			if !audience(raw, &p.Audience) {
				p.claimErr = firstErr(p.claimErr, errors.New("aud is not a string or an array of strings"))
			}
		case "sub", "jti":
			var s string
			if !jsonString(raw, &s) {
				p.claimErr = firstErr(p.claimErr, fmt.Errorf("%s is not a string", name))
			}
			p.setExtra(name, s)
		case "user_id":
			if drf.IsDecimalInteger(string(raw)) {
				p.UserID = string(raw)
			} else if !jsonString(raw, &p.UserID) {
				p.payloadErr = firstErr(p.payloadErr, errors.New("user_id is not an integer or a string"))
			}
		case "username":
			if !jsonString(raw, &p.Username) {
				p.payloadErr = firstErr(p.payloadErr, errors.New("username is not a string"))
			}
		case "email":
			if !jsonString(raw, &p.Email) {
				p.payloadErr = firstErr(p.payloadErr, errors.New("email is not a string"))
			}
		case "orig_iat":
			// Anything but a positive integer is "missing", which only the
			// refresh endpoint cares about (DRF-JWT treats 0 as missing).
			if t, err := numericDate(raw); err == nil && t.Unix() > 0 && drf.IsDecimalInteger(string(raw)) {
				p.OrigIssuedAt = t
			}
		default:
			var v any
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.UseNumber()
			if err := dec.Decode(&v); err != nil {
				return err
			}
			p.setExtra(name, v)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return p, nil
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
func numericDate(raw []byte) (time.Time, error) {
	if len(raw) == 0 || (raw[0] != '-' && (raw[0] < '0' || raw[0] > '9')) {
		return time.Time{}, errors.New("time claim is not a JSON number")
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || math.Abs(f) > maxNumericDate {
		return time.Time{}, errors.New("time claim is out of range")
	}
	return time.Unix(int64(f), 0), nil
}

func jsonString(raw []byte, s *string) bool {
	return len(raw) > 0 && raw[0] == '"' && json.Unmarshal(raw, s) == nil
}

// audience reads aud: a string or an array of strings (RFC 7519 §4.1.3).
func audience(raw []byte, aud *[]string) bool {
	var s string
	if jsonString(raw, &s) {
		*aud = []string{s}
		return true
	}
	if len(raw) == 0 || raw[0] != '[' {
		return false
	}
	var items []json.RawMessage
	if json.Unmarshal(raw, &items) != nil {
		return false
	}
	out := make([]string, len(items))
	for i, it := range items {
		if !jsonString(it, &out[i]) {
			return false
		}
	}
	*aud = out
	return true
}
