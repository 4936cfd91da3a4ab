package main

// Request bodies and field validation, as DRF's parsers and the Task
// serializer of seed 002 answer them. Not DRF's serializer machinery: just
// the three fields of a task, with DRF's messages.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// maxBody caps a request body: a task is a few hundred bytes.
const maxBody = 64 << 10

// value is one field of a request body as DRF's parsers leave it.
type value struct {
	kind kind
	text string // the string, or a JSON number as written
	typ  string // Python's name for kind other: bool, list, dict
}

type kind int

const (
	missing kind = iota
	null
	text
	number
	other
)

// httpError is an answer {"detail": msg} with its status.
type httpError struct {
	status int
	msg    string
}

func (e *httpError) Error() string { return e.msg }

// readBody reads a JSON, form or multipart body into its fields, as DRF's
// default parsers do. An empty body is an empty form, whatever its type.
// The errors are an *httpError or, for JSON that is not an object, a
// validationErrors.
func readBody(w http.ResponseWriter, r *http.Request) (map[string]value, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		return nil, &httpError{http.StatusRequestEntityTooLarge, "Request body is too large."}
	}
	if len(body) == 0 {
		return map[string]value{}, nil
	}
	ct := r.Header.Get("Content-Type")
	mt, params, _ := mime.ParseMediaType(ct)
	switch mt {
	case "application/json":
		return jsonFields(body)
	case "application/x-www-form-urlencoded":
		form, _ := url.ParseQuery(string(body)) // like Django, keep what parses
		return formFields(form), nil
	case "multipart/form-data":
		if params["boundary"] == "" {
			return nil, &httpError{http.StatusBadRequest, "Multipart form parse error - Invalid boundary in multipart: None"}
		}
		form, err := multipart.NewReader(bytes.NewReader(body), params["boundary"]).ReadForm(maxBody)
		if err != nil {
			return nil, &httpError{http.StatusBadRequest, "Multipart form parse error - " + err.Error()}
		}
		defer func() { _ = form.RemoveAll() }()
		return formFields(form.Value), nil
	}
	return nil, &httpError{http.StatusUnsupportedMediaType, fmt.Sprintf("Unsupported media type %q in request.", ct)}
}

// formFields keeps the last value of each name, as Django's QueryDict does.
func formFields(form map[string][]string) map[string]value {
	fields := make(map[string]value, len(form))
	for name, vs := range form {
		fields[name] = value{kind: text, text: vs[len(vs)-1]}
	}
	return fields
}

// jsonFields reads a JSON object; the last of repeated names wins, as in
// Python.
func jsonFields(body []byte) (map[string]value, error) {
	if msg := jsonSyntax(body); msg != "" {
		return nil, &httpError{http.StatusBadRequest, "JSON parse error - " + msg}
	}
	if trimmed := bytes.TrimSpace(body); trimmed[0] != '{' {
		v := jsonValue(trimmed)
		typ := v.typ
		switch {
		case v.kind == null:
			return nil, validationErrors{{"non_field_errors", []string{"No data provided"}}}
		case v.kind == text:
			typ = "str"
		case v.kind == number && strings.ContainsAny(v.text, ".eE"):
			typ = "float"
		case v.kind == number:
			typ = "int"
		}
		return nil, validationErrors{{"non_field_errors", []string{"Invalid data. Expected a dictionary, but got " + typ + "."}}}
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(body, &members); err != nil {
		return nil, &httpError{http.StatusBadRequest, "JSON parse error - " + err.Error()} // not reached: the syntax is valid
	}
	fields := make(map[string]value, len(members))
	for name, raw := range members {
		fields[name] = jsonValue(raw)
	}
	return fields, nil
}

func jsonValue(raw []byte) value {
	switch raw[0] {
	case 'n':
		return value{kind: null}
	case '"':
		var s string
		_ = json.Unmarshal(raw, &s)
		return value{kind: text, text: s}
	case 't', 'f':
		return value{kind: other, typ: "bool"}
	case '[':
		return value{kind: other, typ: "list"}
	case '{':
		return value{kind: other, typ: "dict"}
	}
	return value{kind: number, text: string(raw)}
}

// jsonSyntax returns "" for valid JSON, else the error as Python's json
// module words it, which is what DRF answers: "Expecting property name
// enclosed in double quotes: line 5 column 1 (char 76)" for the trailing
// comma of seed 002's create_task.json.
func jsonSyntax(body []byte) string {
	if bytes.HasPrefix(body, []byte("\xef\xbb\xbf")) {
		return "Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 column 1 (char 0)"
	}
	for i := 0; i < len(body); {
		r, n := utf8.DecodeRune(body[i:])
		if r == utf8.RuneError && n == 1 {
			reason := "invalid continuation byte"
			if body[i] < 0xc2 || body[i] > 0xf4 {
				reason = "invalid start byte"
			}
			return fmt.Sprintf("'utf-8' codec can't decode byte 0x%02x in position %d: %s", body[i], i, reason)
		}
		i += n
	}
	var v any
	err := json.Unmarshal(body, &v)
	if err == nil {
		return ""
	}
	var se *json.SyntaxError
	if errors.As(err, &se) && int(se.Offset) >= len(body) {
		// The input ended early. Go does not say what it expected then;
		// a byte no JSON text can hold makes it say so.
		err = json.Unmarshal(append(bytes.Clone(body), 0), &v)
	}
	if !errors.As(err, &se) {
		return "Expecting value: line 1 column 1 (char 0)"
	}
	char := int(se.Offset) - 1 // Go counts the bad byte, Python points at it
	msg := "Expecting value"
	s := se.Error()
	if lit := nonFinite(body[max(char-1, 0):]); lit != "" && (strings.Contains(s, "beginning of value") || strings.Contains(s, "numeric literal")) {
		return fmt.Sprintf("Out of range float values are not JSON compliant: '%s'", lit)
	}
	switch {
	case strings.Contains(s, "beginning of object key string"):
		msg = "Expecting property name enclosed in double quotes"
	case strings.HasSuffix(s, "after object key"):
		msg = "Expecting ':' delimiter"
	case strings.Contains(s, "after object key:value pair"), strings.Contains(s, "after array element"):
		msg = "Expecting ',' delimiter"
	case strings.Contains(s, "after top-level value"):
		msg = "Extra data"
	case strings.Contains(s, "in string escape code"):
		msg = `Invalid \escape`
		char-- // Python points at the backslash
	case strings.Contains(s, "in string literal"):
		msg = "Invalid control character at"
	}
	// Python counts characters, not bytes.
	before := body[:min(max(char, 0), len(body))]
	line := 1 + bytes.Count(before, []byte("\n"))
	col := 1 + utf8.RuneCount(before[bytes.LastIndexByte(before, '\n')+1:])
	char = utf8.RuneCount(before)
	return fmt.Sprintf("%s: line %d column %d (char %d)", msg, line, col, char)
}

// nonFinite returns the literal NaN, Infinity or -Infinity that b starts
// with, after one byte (Go stops at the N or the I, which may follow a
// minus): Python's json module reads them, and DRF refuses them.
func nonFinite(b []byte) string {
	for _, lit := range []string{"-Infinity", "NaN", "Infinity"} {
		if bytes.HasPrefix(b, []byte(lit)) || (len(b) > 0 && bytes.HasPrefix(b[1:], []byte(lit))) {
			return lit
		}
	}
	return ""
}

// validationErrors is DRF's 400 body for a serializer: each failing
// field with its messages, in the serializer's field order.
type validationErrors []fieldErrors

type fieldErrors struct {
	field string
	msgs  []string
}

func (e validationErrors) Error() string { return "invalid fields" }

func (e *validationErrors) add(field string, msgs []string) {
	if len(msgs) > 0 {
		*e = append(*e, fieldErrors{field, msgs})
	}
}

// MarshalJSON writes {"title": ["..."], "due_to": ["..."]} in order.
func (e validationErrors) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range e {
		if i > 0 {
			b.WriteByte(',')
		}
		name, _ := marshalJSON(f.field)
		msgs, _ := marshalJSON(f.msgs)
		b.Write(name)
		b.WriteByte(':')
		b.Write(msgs)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// writeError answers an error of readBody.
func writeError(w http.ResponseWriter, err error) {
	var he *httpError
	var ve validationErrors
	switch {
	case errors.As(err, &he):
		writeJSON(w, he.status, detail{he.msg})
	case errors.As(err, &ve):
		writeJSON(w, http.StatusBadRequest, ve)
	default:
		writeJSON(w, http.StatusInternalServerError, detail{"A server error occurred."})
	}
}

// validTitle checks the title as a CharField(max_length=100): a string (or
// a number), trimmed, not blank, at most 100 characters, without NUL.
func validTitle(v value) (string, []string) {
	switch v.kind {
	case missing:
		return "", []string{"This field is required."}
	case null:
		return "", []string{"This field may not be null."}
	case other:
		return "", []string{"Not a valid string."}
	}
	s := strings.TrimSpace(v.text)
	if s == "" {
		return "", []string{"This field may not be blank."}
	}
	var msgs []string
	if utf8.RuneCountInString(s) > 100 {
		msgs = append(msgs, "Ensure this field has no more than 100 characters.")
	}
	if strings.ContainsRune(s, 0) {
		msgs = append(msgs, "Null characters are not allowed.")
	}
	return s, msgs
}

// isoDateTime is Django 3.2's datetime_re, which DRF's DateTimeField uses
// for ISO 8601 input; like Python's "$", it allows one final newline.
var isoDateTime = regexp.MustCompile(`^(\d{4})-(\d{1,2})-(\d{1,2})[T ](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:[.,](\d{1,6})\d{0,6})?)?(Z|[+-]\d{2}(?::?\d{2})?)?\n?$`)

const wrongDateTime = "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."

// validDateTime checks due_to as DRF's DateTimeField does with USE_TZ and
// TIME_ZONE "UTC": ISO 8601, seconds and zone optional (no zone means UTC),
// returned in UTC.
func validDateTime(v value) (time.Time, []string) {
	switch v.kind {
	case missing:
		return time.Time{}, []string{"This field is required."}
	case null:
		return time.Time{}, []string{"This field may not be null."}
	case number, other:
		return time.Time{}, []string{wrongDateTime}
	}
	m := isoDateTime.FindStringSubmatch(v.text)
	if m == nil {
		return time.Time{}, []string{wrongDateTime}
	}
	n := func(s string) int { i, _ := strconv.Atoi(s); return i }
	year, month, day, hour, minute, second := n(m[1]), n(m[2]), n(m[3]), n(m[4]), n(m[5]), n(m[6])
	micro := n((m[7] + "000000")[:6])
	// Python's datetime() refuses what Go's time.Date would normalise.
	daysIn := time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
	if year < 1 || month < 1 || month > 12 || day < 1 || day > daysIn || hour > 23 || minute > 59 || second > 59 {
		return time.Time{}, []string{wrongDateTime}
	}
	zone := time.UTC
	if tz := m[8]; tz != "" && tz != "Z" {
		offset := 60 * n(tz[1:3])
		if len(tz) > 3 {
			offset += n(tz[len(tz)-2:])
		}
		if offset >= 24*60 {
			return time.Time{}, []string{wrongDateTime}
		}
		if tz[0] == '-' {
			offset = -offset
		}
		zone = time.FixedZone(tz, offset*60)
	}
	t := time.Date(year, time.Month(month), day, hour, minute, second, micro*1000, zone).UTC()
	if t.Year() < 1 || t.Year() > 9999 {
		return time.Time{}, []string{"Datetime value out of range."}
	}
	return t, nil
}

// formatDateTime writes t as DRF does: ISO 8601 in UTC with a Z,
// microseconds only when there are some.
func formatDateTime(t time.Time) string {
	t = t.UTC()
	s := t.Format("2006-01-02T15:04:05")
	if us := t.Nanosecond() / 1000; us != 0 {
		s += fmt.Sprintf(".%06d", us)
	}
	return s + "Z"
}
