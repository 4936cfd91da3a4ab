package token

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// scanner reads one JSON text held in a string, as strictly as
// encoding/json validates (RFC 8259), without reflection and without
// allocating: what it returns are substrings of its input. It exists
// because the claims of every request are decoded here; encoding/json does
// the same job several times slower, and into a struct it would also match
// names case-insensitively.
type scanner struct {
	s string
	i int
}

// maxDepth bounds nesting in claims; no real token comes near it.
const maxDepth = 32

var errSyntax = errors.New("invalid JSON")

func (p *scanner) ws() {
	s, i := p.s, p.i // locals, which stay in registers
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	p.i = i
}

// byte consumes c, after white space.
func (p *scanner) byte(c byte) bool {
	p.ws()
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

// value consumes one JSON value and returns it as written.
func (p *scanner) value(depth int) (string, error) {
	p.ws()
	if p.i >= len(p.s) {
		return "", errSyntax
	}
	start := p.i
	var ok bool
	switch c := p.s[p.i]; {
	case c == '"':
		ok = p.str()
	case c == '-' || ('0' <= c && c <= '9'):
		ok = p.number()
	case c == 't':
		ok = p.literal("true")
	case c == 'f':
		ok = p.literal("false")
	case c == 'n':
		ok = p.literal("null")
	case c == '[' || c == '{':
		if depth >= maxDepth {
			return "", errors.New("JSON nested too deeply")
		}
		ok = p.composite(depth)
	}
	if !ok {
		return "", errSyntax
	}
	return p.s[start:p.i], nil
}

func (p *scanner) literal(lit string) bool {
	if strings.HasPrefix(p.s[p.i:], lit) {
		p.i += len(lit)
		return true
	}
	return false
}

// str consumes a string literal: no raw control characters, only JSON's
// escapes, no lone surrogate. The input is valid UTF-8, checked before.
func (p *scanner) str() bool {
	p.i++ // the opening quote
	for p.i < len(p.s) {
		s, i := p.s, p.i
		for i < len(s) && !strSpecial[s[i]] {
			i++
		}
		if p.i = i; i == len(s) {
			return false
		}
		switch c := p.s[p.i]; {
		case c == '"':
			p.i++
			return true
		case c < 0x20:
			return false
		case c == '\\':
			if p.i+1 >= len(p.s) {
				return false
			}
			switch p.s[p.i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				p.i += 2
			case 'u':
				u, ok := hex4(p.s, p.i+2)
				if !ok {
					return false
				}
				p.i += 6
				// A lone surrogate would decode to U+FFFD, so that
				// "admin\ud800" and "admin\ufffd" named one user where
				// PyJWT keeps them apart: refused, with every surrogate
				// that is not half of a pair.
				switch {
				case u >= 0xdc00 && u <= 0xdfff:
					return false
				case u >= 0xd800 && u <= 0xdbff:
					if !strings.HasPrefix(p.s[p.i:], `\u`) {
						return false
					}
					if lo, ok := hex4(p.s, p.i+2); !ok || lo < 0xdc00 || lo > 0xdfff {
						return false
					}
					p.i += 6
				}
			default:
				return false
			}
		default:
			p.i++
		}
	}
	return false
}

// hex4 reads the four hex digits of a \u escape at s[i:].
func hex4(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, h := range []byte(s[i : i+4]) {
		switch {
		case '0' <= h && h <= '9':
			h -= '0'
		case 'a' <= h && h <= 'f':
			h -= 'a' - 10
		case 'A' <= h && h <= 'F':
			h -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(h)
	}
	return r, true
}

// strSpecial marks the bytes a string literal cannot simply contain: the
// quote, the backslash and the control characters.
var strSpecial = func() (t [256]bool) {
	for c := range 0x20 {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return t
}()

// number consumes -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func (p *scanner) number() bool {
	if p.s[p.i] == '-' {
		p.i++
	}
	switch {
	case p.i < len(p.s) && p.s[p.i] == '0':
		p.i++
	case p.digits() == 0:
		return false
	}
	if p.i < len(p.s) && p.s[p.i] == '.' {
		p.i++
		if p.digits() == 0 {
			return false
		}
	}
	if p.i < len(p.s) && (p.s[p.i] == 'e' || p.s[p.i] == 'E') {
		p.i++
		if p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-') {
			p.i++
		}
		if p.digits() == 0 {
			return false
		}
	}
	return true
}

func (p *scanner) digits() int {
	s, i := p.s, p.i
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	n := i - p.i
	p.i = i
	return n
}

// composite consumes an array or an object, validating every member.
func (p *scanner) composite(depth int) bool {
	open := p.s[p.i]
	p.i++
	if open == '[' {
		if p.byte(']') {
			return true
		}
		for {
			if _, err := p.value(depth + 1); err != nil {
				return false
			}
			if p.byte(']') {
				return true
			}
			if !p.byte(',') {
				return false
			}
		}
	}
	return p.members(depth+1, func(string, string) error { return nil }) == nil
}

// members consumes the rest of an object whose '{' is consumed, calling fn
// with each name (escapes decoded) and raw value, in order.
func (p *scanner) members(depth int, fn func(name, raw string) error) error {
	if p.byte('}') {
		return nil
	}
	for {
		p.ws()
		if p.i >= len(p.s) || p.s[p.i] != '"' {
			return errSyntax
		}
		start := p.i
		if !p.str() {
			return errSyntax
		}
		name := unquote(p.s[start:p.i])
		if !p.byte(':') {
			return errSyntax
		}
		raw, err := p.value(depth)
		if err != nil {
			return err
		}
		if err := fn(name, raw); err != nil {
			return err
		}
		if p.byte('}') {
			return nil
		}
		if !p.byte(',') {
			return errSyntax
		}
	}
}

// unquote returns the text of a valid string literal: a substring when it
// has no escapes, which is the rule for DRF-JWT's claims.
func unquote(lit string) string {
	body := lit[1 : len(lit)-1]
	if strings.IndexByte(body, '\\') < 0 {
		return body
	}
	var s string
	_ = json.Unmarshal([]byte(lit), &s) // valid: scanned before
	return s
}

// object walks the JSON object that s must be, entirely: one object of
// valid UTF-8, no name twice (RFC 7515 §4, RFC 7519 §4; names compared
// after escapes are decoded, so "\u0065xp" is exp), nothing after it.
func object(s string, fn func(name, raw string) error) error {
	if !utf8.ValidString(s) {
		return errors.New("not UTF-8")
	}
	p := scanner{s: s}
	if !p.byte('{') {
		return errors.New("not a JSON object")
	}
	var seen names
	err := p.members(1, func(name, raw string) error {
		if !seen.add(name) {
			return fmt.Errorf("member %q appears twice", name)
		}
		return fn(name, raw)
	})
	if err != nil {
		return err
	}
	if p.ws(); p.i != len(p.s) {
		return errors.New("data after the JSON object")
	}
	return nil
}

// names is a set of member names, kept in an array while it is small, as
// claims objects are.
type names struct {
	few  [12]string
	n    int
	many map[string]bool
}

// add reports false when name is already in the set.
func (s *names) add(name string) bool {
	for _, x := range s.few[:s.n] {
		if x == name {
			return false
		}
	}
	if s.n < len(s.few) {
		s.few[s.n] = name
		s.n++
		return true
	}
	if s.many[name] {
		return false
	}
	if s.many == nil {
		s.many = make(map[string]bool)
	}
	s.many[name] = true
	return true
}
