package drf

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Kind is the type a parser gave a field.
type Kind int

// The kinds of Value.
const (
	Missing Kind = iota // not in the body
	Null                // JSON null
	String              // a JSON string or a form value
	Number              // a JSON number
	Other               // a JSON bool, array or object
)

// Value is one field of a request body, typed as DRF's parsers leave it.
type Value struct {
	Kind      Kind
	Text      string // a String, or a Number as Python's str() writes it
	Type      string // Python's type name of an Other: bool, list, dict
	Surrogate rune   // the first lone surrogate escape of a JSON string, if any
	// Items is what DRF's list fields iterate: the elements of a field's
	// JSON array, the keys of its JSON object (as Python iterates a dict),
	// every value a form gives the name, in order (QueryDict.getlist). An
	// item has no Items of its own.
	Items []Value
}

// Error is a request DRF refuses before any field is validated: a {"detail"}
// answer with Status, or, with NonField, a 400 {"non_field_errors": [Detail]}
// (JSON that is not an object).
type Error struct {
	Status   int
	Detail   string
	NonField bool
}

func (e *Error) Error() string { return e.Detail }

// Body is what DRF answers for e, with e.Status.
func (e *Error) Body() any {
	if e.NonField {
		return Object{{Name: "non_field_errors", Value: []string{e.Detail}}}
	}
	return Detail{Detail: e.Detail}
}

// ReadFields reads the body of r, at most limit bytes, as DRF's default
// parsers do (JSON, form, multipart). An empty body is an empty form
// whatever its type; any other type is a 415.
func ReadFields(w http.ResponseWriter, r *http.Request, limit int64) (map[string]Value, *Error) {
	fields, _, e := ReadRequest(w, r, limit)
	return fields, e
}

// ReadRequest is ReadFields, also reporting whether the body is HTML form
// input (DRF's html.is_html_input: a form or a multipart body, empty or
// not), which DRF's list fields read differently from JSON.
func ReadRequest(w http.ResponseWriter, r *http.Request, limit int64) (fields map[string]Value, form bool, e *Error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		if errors.As(err, new(*http.MaxBytesError)) {
			return nil, false, &Error{Status: http.StatusRequestEntityTooLarge, Detail: "Request body is too large."}
		}
		return nil, false, &Error{Status: http.StatusBadRequest, Detail: "Malformed request."}
	}
	ct := r.Header.Get("Content-Type")
	mt, params, _ := mime.ParseMediaType(ct)
	if len(body) == 0 {
		// DRF parses no empty body: request.data is an empty QueryDict
		// for a form's media type, an empty dict for any other.
		return map[string]Value{}, mt == "application/x-www-form-urlencoded" || mt == "multipart/form-data", nil
	}
	switch mt {
	case "application/json":
		fields, e = jsonFields(body)
		return fields, false, e
	case "application/x-www-form-urlencoded":
		q, _ := url.ParseQuery(string(body)) // like Django, keep what parses
		return formFields(q), true, nil
	case "multipart/form-data":
		fields, e = multipartFields(body, params["boundary"])
		return fields, true, e
	}
	return nil, false, &Error{Status: http.StatusUnsupportedMediaType, Detail: fmt.Sprintf("Unsupported media type %q in request.", ct)}
}

// jsonFields reads a JSON object; the last of repeated names wins, as in
// Python.
func jsonFields(body []byte) (map[string]Value, *Error) {
	if msg := SyntaxError(body); msg != "" {
		return nil, &Error{Status: http.StatusBadRequest, Detail: "JSON parse error - " + msg}
	}
	if trimmed := bytes.TrimLeft(body, " \t\r\n"); trimmed[0] != '{' {
		v := jsonValue(trimmed)
		typ := v.Type
		switch {
		case v.Kind == Null:
			return nil, &Error{Status: http.StatusBadRequest, Detail: "No data provided", NonField: true}
		case v.Kind == String:
			typ = "str"
		case v.Kind == Number && strings.ContainsAny(string(bytes.TrimSpace(trimmed)), ".eE"):
			typ = "float"
		case v.Kind == Number:
			typ = "int"
		}
		return nil, &Error{Status: http.StatusBadRequest, Detail: "Invalid data. Expected a dictionary, but got " + typ + ".", NonField: true}
	}
	fields := map[string]Value{}
	dec := json.NewDecoder(bytes.NewReader(body))
	_, _ = dec.Token() // {
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			break // not reached: the syntax is valid
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			break
		}
		name, _ := t.(string)
		fields[name] = jsonField(raw)
	}
	return fields, nil
}

// jsonValue types one JSON value, without Items.
func jsonValue(raw []byte) Value {
	switch raw[0] {
	case 'n':
		return Value{Kind: Null}
	case '"':
		var s string
		_ = json.Unmarshal(raw, &s)
		return Value{Kind: String, Text: s, Surrogate: loneSurrogate(raw)}
	case 't', 'f':
		return Value{Kind: Other, Type: "bool"}
	case '[':
		return Value{Kind: Other, Type: "list"}
	case '{':
		return Value{Kind: Other, Type: "dict"}
	}
	return Value{Kind: Number, Text: PyNumber(string(bytes.TrimSpace(raw)))}
}

// jsonField is jsonValue with the Items of an array or an object, one
// level deep: an item's own Items stay empty, so that a body of nested
// arrays costs one pass, not one per level.
func jsonField(raw []byte) Value {
	v := jsonValue(raw)
	switch raw[0] {
	case '[':
		var elems []json.RawMessage
		_ = json.Unmarshal(raw, &elems) // the syntax is valid
		for _, e := range elems {
			v.Items = append(v.Items, jsonValue(bytes.TrimSpace(e)))
		}
	case '{':
		dec := json.NewDecoder(bytes.NewReader(raw))
		_, _ = dec.Token() // {
		seen := map[string]bool{}
		for dec.More() {
			t, err := dec.Token()
			if err != nil {
				break // not reached: the syntax is valid
			}
			if err := dec.Decode(new(json.RawMessage)); err != nil {
				break
			}
			// A repeated name is one key of the dict, where it first
			// appeared.
			if name, _ := t.(string); !seen[name] {
				seen[name] = true
				v.Items = append(v.Items, Value{Kind: String, Text: name})
			}
		}
	}
	return v
}

// SyntaxError returns "" for a body Python's json module reads, else the
// error as that module words it, which DRF sends after "JSON parse error - ":
// "Expecting property name enclosed in double quotes: line 5 column 1 (char
// 76)" for a trailing comma, say.
func SyntaxError(body []byte) string {
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
	// Check the syntax only: numbers beyond float64 (1E400) are valid JSON,
	// which Python reads as inf.
	err := json.Unmarshal(body, new(json.RawMessage))
	if err == nil {
		return ""
	}
	var se *json.SyntaxError
	if errors.As(err, &se) && int(se.Offset) >= len(body) {
		// The input ended early. Go does not say what it expected then;
		// a byte no JSON text can hold makes it say so.
		err = json.Unmarshal(append(bytes.Clone(body), 0), new(json.RawMessage))
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
	return fmt.Sprintf("%s: line %d column %d (char %d)", msg, line, col, utf8.RuneCount(before))
}

// nonFinite returns the literal NaN, Infinity or -Infinity that b starts
// with, after at most one byte (Go stops at the N or the I, which may
// follow a minus): Python's json module reads them, and DRF refuses them.
func nonFinite(b []byte) string {
	for _, lit := range []string{"-Infinity", "NaN", "Infinity"} {
		if bytes.HasPrefix(b, []byte(lit)) || (len(b) > 0 && bytes.HasPrefix(b[1:], []byte(lit))) {
			return lit
		}
	}
	return ""
}

// PyNumber writes a JSON number as Python's str() writes what json.loads
// made of it: integers exactly, floats in repr's shortest form ("100.0" for
// 1e2, "1e+20", "inf" for 1E400).
func PyNumber(raw string) string {
	if !strings.ContainsAny(raw, ".eE") {
		if strings.TrimLeft(raw, "-0") == "" {
			return "0"
		}
		return raw
	}
	f, _ := strconv.ParseFloat(raw, 64)
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	mant, exp, _ := strings.Cut(strconv.FormatFloat(f, 'e', -1, 64), "e")
	x, _ := strconv.Atoi(exp)
	if -4 <= x && x < 16 {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	sign := "+"
	if x < 0 {
		sign, x = "-", -x
	}
	return fmt.Sprintf("%se%s%02d", mant, sign, x)
}

// loneSurrogate returns the first \uD800-\uDFFF escape of a JSON string
// literal that is not half of a pair: Go's decoder replaces it silently,
// Python keeps it and DRF refuses it.
func loneSurrogate(raw []byte) rune {
	s := string(raw)
	for i := 0; i+6 <= len(s); i++ {
		if s[i] != '\\' {
			continue
		}
		if s[i+1] != 'u' {
			i++ // skip the escaped character
			continue
		}
		r, err := strconv.ParseUint(s[i+2:i+6], 16, 32)
		if err != nil || r < 0xd800 || r > 0xdfff {
			i += 5
			continue
		}
		if r < 0xdc00 && i+12 <= len(s) && s[i+6] == '\\' && s[i+7] == 'u' {
			if lo, err := strconv.ParseUint(s[i+8:i+12], 16, 32); err == nil && lo >= 0xdc00 && lo <= 0xdfff {
				i += 11
				continue
			}
		}
		return rune(r)
	}
	return 0
}

// formFields keeps the last value of each name as its Text, as Django's
// QueryDict does, and every value in Items.
func formFields(q url.Values) map[string]Value {
	fields := make(map[string]Value, len(q))
	for name, vs := range q {
		items := make([]Value, len(vs))
		for i, s := range vs {
			items[i] = Value{Kind: String, Text: s}
		}
		fields[name] = Value{Kind: String, Text: vs[len(vs)-1], Items: items}
	}
	return fields
}

// multipartFields reads the form fields of a multipart body; files are
// skipped, as the serializers ignore them.
func multipartFields(body []byte, boundary string) (map[string]Value, *Error) {
	if boundary == "" {
		return nil, &Error{Status: http.StatusBadRequest, Detail: "Multipart form parse error - Invalid boundary in multipart: None"}
	}
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	q := url.Values{}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			// No further boundary: like Django, what was read is the form
			// (a body without any boundary is an empty form).
			break
		}
		if err != nil {
			return nil, &Error{Status: http.StatusBadRequest, Detail: "Multipart form parse error - Invalid multipart body."}
		}
		data, err := io.ReadAll(part)
		if err != nil {
			return nil, &Error{Status: http.StatusBadRequest, Detail: "Multipart form parse error - Invalid multipart body."}
		}
		if part.FormName() != "" && part.FileName() == "" {
			q.Add(part.FormName(), string(data))
		}
	}
	return formFields(q), nil
}

// CharField validates v as DRF's CharField (allow_blank=False, max_length
// when maxLength > 0, trim_whitespace as given) and returns the value, or
// DRF's messages for it. The validators, each returning a message or "",
// run first on the (trimmed) value, as DRF runs a model field's validators
// before its own.
func CharField(v Value, trim bool, maxLength int, validators ...func(string) string) (string, []string) {
	switch v.Kind {
	case Missing:
		return "", []string{"This field is required."}
	case Null:
		return "", []string{"This field may not be null."}
	case Other:
		return "", []string{"Not a valid string."}
	}
	s := v.Text
	trimmed := strings.TrimFunc(s, isPySpace)
	if trimmed == "" {
		return "", []string{"This field may not be blank."}
	}
	if trim {
		s = trimmed
	}
	var msgs []string
	for _, valid := range validators {
		if msg := valid(s); msg != "" {
			msgs = append(msgs, msg)
		}
	}
	if maxLength > 0 && utf8.RuneCountInString(s) > maxLength {
		msgs = append(msgs, fmt.Sprintf("Ensure this field has no more than %d characters.", maxLength))
	}
	if strings.ContainsRune(s, 0) {
		msgs = append(msgs, "Null characters are not allowed.")
	}
	if v.Surrogate != 0 {
		msgs = append(msgs, fmt.Sprintf("Surrogate characters are not allowed: U+%X.", v.Surrogate))
	}
	if msgs != nil {
		return "", msgs
	}
	return s, nil
}

// isPySpace is Python's str.isspace, which str.strip() uses: Unicode
// White_Space plus the ASCII information separators.
func isPySpace(r rune) bool {
	return unicode.IsSpace(r) || (0x1c <= r && r <= 0x1f)
}
