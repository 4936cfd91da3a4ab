package jwtauth

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

// maxBodyBytes caps what the handlers read: a login or a token is a few
// hundred bytes.
const maxBodyBytes = 64 << 10

// value is one field of a request body, typed as DRF's parsers leave it.
type value struct {
	kind      valueKind
	text      string // a string, or a number as Python's str() writes it
	surrogate rune   // the first lone surrogate escape of a JSON string, if any
}

type valueKind int

const (
	missing valueKind = iota
	null
	text
	number
	other // bool, array, object
)

// readFields reads the body of r as DRF's default parsers do (JSON, form,
// multipart), answering DRF's errors for the rest: an empty body is an
// empty form whatever its type; any other type is a 415.
func readFields(w http.ResponseWriter, r *http.Request) (map[string]value, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		if errors.As(err, new(*http.MaxBytesError)) {
			return nil, &Error{Status: http.StatusRequestEntityTooLarge, Detail: "Request body is too large."}
		}
		return nil, &Error{Status: http.StatusBadRequest, Detail: "Malformed request."}
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
		q, _ := url.ParseQuery(string(body)) // like Django, keep what parses
		return formFields(q), nil
	case "multipart/form-data":
		return multipartFields(body, params["boundary"])
	}
	return nil, &Error{Status: http.StatusUnsupportedMediaType, Detail: fmt.Sprintf("Unsupported media type %q in request.", ct)}
}

func parseError(format string, args ...any) error {
	return &Error{Status: http.StatusBadRequest, Detail: fmt.Sprintf(format, args...)}
}

// jsonFields reads a JSON object. The parse error names the position, never
// the parser's internals.
func jsonFields(body []byte) (map[string]value, error) {
	if i := invalidUTF8At(body); i >= 0 {
		return nil, parseError("JSON parse error - Invalid UTF-8 at char %d", i)
	}
	// Check the syntax alone: numbers out of float64's range (1E400) are
	// valid JSON, which Python reads as inf.
	if err := json.Unmarshal(body, new(json.RawMessage)); err != nil {
		// Report the position as Python does: the 0-based index of the
		// offending character (the last one read), or the end of the input.
		char := len(body)
		var se *json.SyntaxError
		if errors.As(err, &se) && se.Error() != "unexpected end of JSON input" {
			char = min(max(int(se.Offset)-1, 0), len(body))
		}
		// Python counts characters, not bytes (the body is valid UTF-8).
		line := 1 + bytes.Count(body[:char], []byte("\n"))
		col := 1 + utf8.RuneCount(body[bytes.LastIndexByte(body[:char], '\n')+1:char])
		return nil, parseError("JSON parse error - Invalid JSON: line %d column %d (char %d)", line, col, utf8.RuneCount(body[:char]))
	}
	var probe any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	_ = dec.Decode(&probe) // cannot fail: the syntax is checked
	switch t := probe.(type) {
	case map[string]any:
	case nil:
		return nil, &ValidationError{Errors: []FieldError{{nonFieldErrors, "No data provided"}}}
	default:
		return nil, &ValidationError{Errors: []FieldError{{nonFieldErrors, "Invalid data. Expected a dictionary, but got " + pyTypeName(t, body) + "."}}}
	}
	fields := map[string]value{}
	// Python keeps the last of repeated names, and so does this.
	_ = members(body, func(name string, raw []byte) error {
		fields[name] = jsonValue(raw)
		return nil
	})
	return fields, nil
}

func jsonValue(raw []byte) value {
	switch c := raw[0]; {
	case c == 'n':
		return value{kind: null}
	case c == '"':
		var s string
		_ = json.Unmarshal(raw, &s)
		return value{kind: text, text: s, surrogate: loneSurrogate(raw)}
	case c == '-' || ('0' <= c && c <= '9'):
		return value{kind: number, text: pyNumber(string(raw))}
	}
	return value{kind: other}
}

// pyTypeName names the Python type json.loads gives a top-level value.
func pyTypeName(v any, raw []byte) string {
	switch v.(type) {
	case []any:
		return "list"
	case string:
		return "str"
	case bool:
		return "bool"
	}
	if bytes.ContainsAny(raw, ".eE") {
		return "float"
	}
	return "int"
}

// pyNumber writes a JSON number as Python's str() writes what json.loads
// made of it: integers exactly, floats in repr's shortest form.
func pyNumber(raw string) string {
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
	e := strconv.FormatFloat(f, 'e', -1, 64) // d.ddde±XX
	mant, exp, _ := strings.Cut(e, "e")
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

func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return -1
}

// formFields keeps the last value of each name, as Django's QueryDict does.
func formFields(q url.Values) map[string]value {
	fields := make(map[string]value, len(q))
	for name, vs := range q {
		fields[name] = value{kind: text, text: vs[len(vs)-1]}
	}
	return fields
}

// multipartFields reads the form fields of a multipart body; files are
// skipped, as the serializers ignore them.
func multipartFields(body []byte, boundary string) (map[string]value, error) {
	if boundary == "" {
		return nil, parseError("Multipart form parse error - Invalid boundary in multipart: None")
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
			return nil, parseError("Multipart form parse error - Invalid multipart body.")
		}
		data, err := io.ReadAll(part)
		if err != nil {
			return nil, parseError("Multipart form parse error - Invalid multipart body.")
		}
		if part.FormName() != "" && part.FileName() == "" {
			q.Add(part.FormName(), string(data))
		}
	}
	return formFields(q), nil
}

// charField validates a value as DRF's CharField (allow_blank=False,
// trim_whitespace as given) and returns it, or DRF's message.
func charField(v value, trim bool) (string, string) {
	switch v.kind {
	case missing:
		return "", "This field is required."
	case null:
		return "", "This field may not be null."
	case other:
		return "", "Not a valid string."
	}
	trimmed := strings.TrimFunc(v.text, isPySpace)
	switch {
	case trimmed == "":
		return "", "This field may not be blank."
	case strings.ContainsRune(v.text, 0):
		return "", "Null characters are not allowed."
	case v.surrogate != 0:
		return "", fmt.Sprintf("Surrogate characters are not allowed: U+%X.", v.surrogate)
	}
	if trim {
		return trimmed, ""
	}
	return v.text, ""
}

// isPySpace is Python's str.isspace, which str.strip() uses: Unicode
// White_Space plus the ASCII information separators.
func isPySpace(r rune) bool {
	return unicode.IsSpace(r) || (0x1c <= r && r <= 0x1f)
}
