package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
)

// detail is DRF's error body: {"detail": "..."}.
type detail struct {
	Detail string `json:"detail"`
}

// pk is a primary key in text form, written as a JSON number when it is a
// decimal integer (Django's AutoField) and as a string otherwise (a UUID).
type pk string

// MarshalJSON implements json.Marshaler.
func (p pk) MarshalJSON() ([]byte, error) {
	if isDecimalInteger(string(p)) {
		return []byte(p), nil
	}
	return json.Marshal(string(p))
}

// isDecimalInteger reports whether s is an integer as JSON writes one:
// an optional minus, and digits without a leading zero.
func isDecimalInteger(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if s == "" || (s[0] == '0' && len(s) > 1) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// metadata is DRF's answer to OPTIONS, without the "actions" DRF adds for
// users allowed to write.
func metadata(name string) any {
	return struct {
		Name        string   `json:"name"`
		Description string   `json:"description"`
		Renders     []string `json:"renders"`
		Parses      []string `json:"parses"`
	}{name, "", []string{"application/json", "text/html"}, []string{"application/json", "application/x-www-form-urlencoded", "multipart/form-data"}}
}

// marshalJSON encodes v as DRF's JSONRenderer does: compact, with <, > and
// & as they are, no trailing newline.
func marshalJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// writeJSON answers status with v as application/json.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := marshalJSON(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"detail":"A server error occurred."}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
