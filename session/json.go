package session

import (
	"bytes"
	"strings"
	"unicode/utf16"
)

// Keys of the session dict that contrib.auth writes on login.
const (
	keyUserID  = "_auth_user_id"      // SESSION_KEY
	keyBackend = "_auth_user_backend" // BACKEND_SESSION_KEY
	keyHash    = "_auth_user_hash"    // HASH_SESSION_KEY
)

// maxJSONDepth bounds nesting as Python's recursion limit bounds
// json.loads (about a thousand levels).
const maxJSONDepth = 1000

// parseSession reads the session JSON as Django's JSONSerializer does,
// json.loads(data.decode("latin-1")), and keeps the fields that say who
// is logged in. It accepts exactly what Python's json module accepts,
// NaN and Infinity included, so that a session Django can read is never
// refused for a value it stores elsewhere; a top level that is not an
// object is no session. Keys are compared exactly, the last of a
// repeated key winning, as in a Python dict.
func parseSession(b []byte) (sessionData, error) {
	p := jsonParser{b: b}
	var d sessionData
	p.ws()
	if !p.eat('{') {
		return sessionData{}, errFormat
	}
	p.ws()
	if !p.eat('}') {
		for {
			if p.peek() != '"' {
				return sessionData{}, errFormat
			}
			key, ok := p.str()
			if !ok {
				return sessionData{}, errFormat
			}
			p.ws()
			if !p.eat(':') {
				return sessionData{}, errFormat
			}
			p.ws()
			var v string
			var isStr, isInt bool
			switch key {
			case keyUserID, keyBackend, keyHash:
				v, isStr, isInt, ok = p.scalar()
			default:
				ok = p.skip(1)
			}
			if !ok {
				return sessionData{}, errFormat
			}
			switch key {
			case keyUserID:
				// pk.to_python takes the text Django writes, and an
				// integer as an AutoField would.
				d.hasUserID = isStr || isInt
				d.userID = keep(v, d.hasUserID)
			case keyBackend:
				d.backend, d.hasBackend = keep(v, isStr), isStr
			case keyHash:
				d.hash, d.hasHash = keep(v, isStr), isStr
			}
			p.ws()
			if p.eat('}') {
				break
			}
			if !p.eat(',') {
				return sessionData{}, errFormat
			}
			p.ws()
		}
	}
	p.ws()
	if p.i != len(p.b) {
		return sessionData{}, errFormat
	}
	return d, nil
}

// keep is v when it is the field's value, "" when the value is of a type
// the field cannot have.
func keep(v string, ok bool) string {
	if ok {
		return v
	}
	return ""
}

// jsonParser walks JSON as Python's json module reads it.
type jsonParser struct {
	b []byte
	i int
}

func (p *jsonParser) peek() byte {
	if p.i < len(p.b) {
		return p.b[p.i]
	}
	return 0
}

func (p *jsonParser) eat(c byte) bool {
	if p.peek() == c && p.i < len(p.b) {
		p.i++
		return true
	}
	return false
}

// ws skips json's WHITESPACE, [ \t\n\r]*.
func (p *jsonParser) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *jsonParser) lit(s string) bool {
	if bytes.HasPrefix(p.b[p.i:], []byte(s)) {
		p.i += len(s)
		return true
	}
	return false
}

// scalar reads a value whose text matters: a string, or an integer
// literal, whose text it returns; any other value is skipped.
func (p *jsonParser) scalar() (v string, isStr, isInt, ok bool) {
	switch c := p.peek(); {
	case c == '"':
		v, ok = p.str()
		return v, ok, false, ok
	case c == '-' || c >= '0' && c <= '9':
		start := p.i
		integer, ok := p.number()
		return string(p.b[start:p.i]), false, ok && integer, ok
	}
	return "", false, false, p.skip(1)
}

// skip passes over one value at nesting depth.
func (p *jsonParser) skip(depth int) bool {
	if depth > maxJSONDepth {
		return false
	}
	switch c := p.peek(); {
	case c == '"':
		_, ok := p.str()
		return ok
	case c == '{', c == '[':
		end := byte('}')
		if c == '[' {
			end = ']'
		}
		p.i++
		p.ws()
		if p.eat(end) {
			return true
		}
		for {
			if c == '{' {
				if p.peek() != '"' {
					return false
				}
				if _, ok := p.str(); !ok {
					return false
				}
				p.ws()
				if !p.eat(':') {
					return false
				}
				p.ws()
			}
			if !p.skip(depth + 1) {
				return false
			}
			p.ws()
			if p.eat(end) {
				return true
			}
			if !p.eat(',') {
				return false
			}
			p.ws()
		}
	case c == 'n':
		return p.lit("null")
	case c == 't':
		return p.lit("true")
	case c == 'f':
		return p.lit("false")
	case c == 'N':
		return p.lit("NaN")
	case c == 'I':
		return p.lit("Infinity")
	case c == '-' && p.i+1 < len(p.b) && p.b[p.i+1] == 'I':
		p.i++
		return p.lit("Infinity")
	case c == '-' || c >= '0' && c <= '9':
		_, ok := p.number()
		return ok
	}
	return false
}

// number reads json's NUMBER_RE, (-?(?:0|[1-9]\d*))(\.\d+)?([eE][-+]?\d+)?,
// and says whether it was an integer (no fraction, no exponent).
func (p *jsonParser) number() (integer, ok bool) {
	p.eat('-')
	switch c := p.peek(); {
	case c == '0':
		p.i++
	case c >= '1' && c <= '9':
		p.digits()
	default:
		return false, false
	}
	integer = true
	if p.peek() == '.' && p.i+1 < len(p.b) && isDigit(p.b[p.i+1]) {
		p.i++
		p.digits()
		integer = false
	}
	if c := p.peek(); c == 'e' || c == 'E' {
		j := p.i + 1
		if j < len(p.b) && (p.b[j] == '+' || p.b[j] == '-') {
			j++
		}
		if j < len(p.b) && isDigit(p.b[j]) {
			p.i = j
			p.digits()
			integer = false
		}
	}
	return integer, true
}

func (p *jsonParser) digits() {
	for p.i < len(p.b) && isDigit(p.b[p.i]) {
		p.i++
	}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// str reads a string as json's strict scanstring does: no control
// characters, the escapes of JSON, \u surrogate pairs joined and lone
// surrogates kept (as U+FFFD, which Go strings cannot hold otherwise).
// Bytes are characters of Latin-1, as Django's loads decodes them.
func (p *jsonParser) str() (string, bool) {
	p.i++ // the opening quote
	var b strings.Builder
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			return b.String(), true
		case c < 0x20:
			return "", false
		case c == '\\':
			if p.i+1 >= len(p.b) {
				return "", false
			}
			e := p.b[p.i+1]
			p.i += 2
			switch e {
			case '"', '\\', '/':
				b.WriteByte(e)
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				r, ok := p.hex4()
				if !ok {
					return "", false
				}
				if utf16.IsSurrogate(r) && r < 0xdc00 && p.i+1 < len(p.b) && p.b[p.i] == '\\' && p.b[p.i+1] == 'u' {
					save := p.i
					p.i += 2
					if r2, ok := p.hex4(); ok && r2 >= 0xdc00 && r2 <= 0xdfff {
						r = utf16.DecodeRune(r, r2)
					} else {
						p.i = save
					}
				}
				b.WriteRune(r)
			default:
				return "", false
			}
		case c < 0x80:
			b.WriteByte(c)
			p.i++
		default:
			b.WriteRune(rune(c)) // Latin-1
			p.i++
		}
	}
	return "", false
}

func (p *jsonParser) hex4() (rune, bool) {
	if p.i+4 > len(p.b) {
		return 0, false
	}
	var r rune
	for _, c := range p.b[p.i : p.i+4] {
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(d)
	}
	p.i += 4
	return r, true
}
