// Package drf holds the wire conventions of Django REST framework and of
// Python's json module that jwtauth and its examples reproduce: how DRF's
// parsers read a request body and its CharField validates a value, and how
// DRF and json.dumps write JSON. It keeps them in one place so that the
// library and the example servers answer alike.
package drf

import (
	"bytes"
	"encoding/json"
	"net/http"
)

// Marshal encodes v as DRF's JSONRenderer does: compact, UTF-8, with <, >
// and & left as they are.
func Marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// WriteJSON answers status with v as application/json.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	body, err := Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"detail":"A server error occurred."}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Del("Content-Length")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// Detail is the body of DRF's APIException: {"detail": "..."}.
type Detail struct {
	Detail string `json:"detail"`
}

// Object is a JSON object that keeps its members in order, as Python's
// dicts do.
type Object []Member

// Member is one name and value of an Object.
type Member struct {
	Name  string
	Value any
}

// MarshalJSON writes the members in order.
func (o Object) MarshalJSON() ([]byte, error) {
	b := []byte{'{'}
	for i, m := range o {
		if i > 0 {
			b = append(b, ',')
		}
		k, err := Marshal(m.Name)
		if err != nil {
			return nil, err
		}
		v, err := Marshal(m.Value)
		if err != nil {
			return nil, err
		}
		b = append(append(append(b, k...), ':'), v...)
	}
	return append(b, '}'), nil
}

// PK is a primary key in text form, written as Django writes it: a JSON
// number for an integer key, a string otherwise (a UUID).
type PK string

// MarshalJSON implements json.Marshaler.
func (p PK) MarshalJSON() ([]byte, error) {
	if IsDecimalInteger(string(p)) {
		return []byte(p), nil
	}
	return Marshal(string(p))
}

// IsDecimalInteger reports whether s is an integer as JSON writes one: an
// optional minus, then digits without a leading zero.
func IsDecimalInteger(s string) bool {
	d := s
	if len(d) > 0 && d[0] == '-' {
		d = d[1:]
	}
	if d == "" || (d[0] == '0' && len(d) > 1) {
		return false
	}
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return false
		}
	}
	return true
}

// AppendPyString appends s as a JSON string the way Python's json.dumps
// writes it by default: non-ASCII as \uXXXX (surrogate pairs above the
// BMP), <, > and & as they are.
func AppendPyString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for _, r := range s {
		switch {
		case r == '"':
			b = append(b, `\"`...)
		case r == '\\':
			b = append(b, `\\`...)
		case r == '\n':
			b = append(b, `\n`...)
		case r == '\r':
			b = append(b, `\r`...)
		case r == '\t':
			b = append(b, `\t`...)
		case r == '\b':
			b = append(b, `\b`...)
		case r == '\f':
			b = append(b, `\f`...)
		case r >= 0x20 && r < 0x7f:
			b = append(b, byte(r))
		default:
			units := []rune{r}
			if r > 0xffff {
				units = []rune{(r-0x10000)>>10 + 0xd800, (r-0x10000)&0x3ff + 0xdc00}
			}
			for _, u := range units {
				b = append(b, '\\', 'u', hex[u>>12&0xf], hex[u>>8&0xf], hex[u>>4&0xf], hex[u&0xf])
			}
		}
	}
	return append(b, '"')
}
