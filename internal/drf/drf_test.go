package drf

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestSyntaxError pins Python's json module's messages, as the DRF
// reference server answered them (testdata/drf-reference-answers.md, A3).
func TestSyntaxError(t *testing.T) {
	tests := []struct{ body, want string }{
		{`{"username":"admin"}`, ""},
		{`1E400`, ""},
		{`{`, "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"},
		{`{"username": "admin",}`, "Expecting property name enclosed in double quotes: line 1 column 22 (char 21)"},
		{"{\n  \"due_to\": \"2016-10-18T19:12:01Z\",\n  \"person\": 1,\n  \"title\": \"Next one\",\n}\n", "Expecting property name enclosed in double quotes: line 5 column 1 (char 76)"},
		{`NaN`, "Out of range float values are not JSON compliant: 'NaN'"},
		{`{"username":"admin","password":NaN}`, "Out of range float values are not JSON compliant: 'NaN'"},
		{`{"a":-Infinity}`, "Out of range float values are not JSON compliant: '-Infinity'"},
		{`  `, "Expecting value: line 1 column 3 (char 2)"},
		{`{} x`, "Extra data: line 1 column 4 (char 3)"},
		{`{"a" 1}`, "Expecting ':' delimiter: line 1 column 6 (char 5)"},
		{`[1 2]`, "Expecting ',' delimiter: line 1 column 4 (char 3)"},
		{`{"username":"` + "\xff" + `"}`, "'utf-8' codec can't decode byte 0xff in position 13: invalid start byte"},
		{`{"username":"` + "\xe9" + `"}`, "'utf-8' codec can't decode byte 0xe9 in position 13: invalid continuation byte"},
		{"\xef\xbb\xbf{}", "Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 column 1 (char 0)"},
		{"{\"é\": 1,}", "Expecting property name enclosed in double quotes: line 1 column 9 (char 8)"},
	}
	for _, tt := range tests {
		if got := SyntaxError([]byte(tt.body)); got != tt.want {
			t.Errorf("SyntaxError(%q) = %q, want %q", tt.body, got, tt.want)
		}
	}
}

// FuzzSyntaxError: "" exactly for valid JSON, and never a panic.
func FuzzSyntaxError(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":1,}`, `{"a":"\q"}`, `NaN`, `-`, `{"a":-Infinity}`, "\xef\xbb\xbf{}", "{\"\xff\"}", `"\ud800"`, `[1,`, `{"a"`, "\n\n{,"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		msg := SyntaxError(body)
		// Python reads exactly the valid JSON in UTF-8, without a BOM.
		valid := json.Valid(body) && utf8.Valid(body) && !strings.HasPrefix(string(body), "\xef\xbb\xbf")
		if valid != (msg == "") {
			t.Fatalf("SyntaxError(%q) = %q", body, msg)
		}
	})
}

// TestPyNumber pins Python's str(json.loads(raw)) (reference answers A3).
func TestPyNumber(t *testing.T) {
	for raw, want := range map[string]string{
		"0": "0", "-0": "0", "12345678901234567890": "12345678901234567890", "1e2": "100.0", "1.0": "1.0",
		"1e20": "1e+20", "1e16": "1e+16", "1e15": "1000000000000000.0", "1e-7": "1e-07", "0.0001": "0.0001",
		"-0.0": "-0.0", "1E400": "inf", "-1E400": "-inf", "1.5": "1.5", "123.456e5": "12345600.0",
	} {
		if got := PyNumber(raw); got != want {
			t.Errorf("PyNumber(%s) = %s, want %s", raw, got, want)
		}
	}
}

// TestCharField pins DRF's CharField messages (spec §5).
func TestCharField(t *testing.T) {
	tests := []struct {
		v        Value
		trim     bool
		max      int
		want     string
		wantMsgs []string
	}{
		{Value{}, true, 0, "", []string{"This field is required."}},
		{Value{Kind: Null}, true, 0, "", []string{"This field may not be null."}},
		{Value{Kind: Other, Type: "list"}, true, 0, "", []string{"Not a valid string."}},
		{Value{Kind: String, Text: " \t\u00a0\u2003\x1f"}, true, 0, "", []string{"This field may not be blank."}},
		{Value{Kind: String, Text: "  "}, false, 0, "", []string{"This field may not be blank."}},
		{Value{Kind: String, Text: " admin "}, true, 0, "admin", nil},
		{Value{Kind: String, Text: " admin "}, false, 0, " admin ", nil},
		{Value{Kind: Number, Text: "0"}, true, 0, "0", nil},
		{Value{Kind: String, Text: "abc"}, true, 2, "", []string{"Ensure this field has no more than 2 characters."}},
		{Value{Kind: String, Text: "éé"}, true, 2, "éé", nil},
		{Value{Kind: String, Text: "a\x00b", Surrogate: 0xdfff}, true, 2, "", []string{"Ensure this field has no more than 2 characters.", "Null characters are not allowed.", "Surrogate characters are not allowed: U+DFFF."}},
	}
	for _, tt := range tests {
		got, msgs := CharField(tt.v, tt.trim, tt.max)
		if got != tt.want || !reflect.DeepEqual(msgs, tt.wantMsgs) {
			t.Errorf("CharField(%+v, %t, %d) = %q, %q; want %q, %q", tt.v, tt.trim, tt.max, got, msgs, tt.want, tt.wantMsgs)
		}
	}
}

// TestCharFieldValidators: the validators see the trimmed value and come
// before DRF's own, after the checks that stop validation.
func TestCharFieldValidators(t *testing.T) {
	var seen []string
	noX := func(s string) string {
		seen = append(seen, s)
		if strings.Contains(s, "x") {
			return "No x."
		}
		return ""
	}
	always := func(string) string { return "Always." }
	for _, tt := range []struct {
		v        Value
		want     string
		wantMsgs []string
	}{
		{Value{Kind: String, Text: " ok "}, "ok", nil},
		{Value{Kind: String, Text: " xy\x00 "}, "", []string{"No x.", "Ensure this field has no more than 2 characters.", "Null characters are not allowed."}},
		{Value{Kind: String, Text: "   "}, "", []string{"This field may not be blank."}},
		{Value{Kind: Null}, "", []string{"This field may not be null."}},
	} {
		got, msgs := CharField(tt.v, true, 2, noX)
		if got != tt.want || !reflect.DeepEqual(msgs, tt.wantMsgs) {
			t.Errorf("CharField(%+v) = %q, %q; want %q, %q", tt.v, got, msgs, tt.want, tt.wantMsgs)
		}
	}
	if want := []string{"ok", "xy\x00"}; !reflect.DeepEqual(seen, want) {
		t.Errorf("the validator saw %q, want %q", seen, want)
	}
	if _, msgs := CharField(Value{Kind: String, Text: "a"}, true, 0, always, always); !reflect.DeepEqual(msgs, []string{"Always.", "Always."}) {
		t.Errorf("two validators: %q", msgs)
	}
}

// TestReadFields covers each parser and DRF's answers to what none of them
// takes.
func TestReadFields(t *testing.T) {
	post := func(ct, body string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		if ct != "" {
			r.Header.Set("Content-Type", ct)
		}
		return r
	}
	tests := []struct {
		name   string
		r      *http.Request
		fields map[string]Value
		err    *Error
	}{
		{"empty body of any type", post("text/plain", ""), map[string]Value{}, nil},
		{"json", post("application/json; charset=utf-8", `{"a":"x","a":"y","n":1e2,"b":true,"z":null,"s":"\ud800"}`),
			map[string]Value{"a": {Kind: String, Text: "y"}, "n": {Kind: Number, Text: "100.0"}, "b": {Kind: Other, Type: "bool"}, "z": {Kind: Null}, "s": {Kind: String, Text: "\ufffd", Surrogate: 0xd800}}, nil},
		{"json list", post("application/json", `[1]`), nil, &Error{400, "Invalid data. Expected a dictionary, but got list.", true}},
		{"json int", post("application/json", ` 7 `), nil, &Error{400, "Invalid data. Expected a dictionary, but got int.", true}},
		{"json null", post("application/json", `null`), nil, &Error{400, "No data provided", true}},
		{"json invalid", post("application/json", `{`), nil, &Error{400, "JSON parse error - Expecting property name enclosed in double quotes: line 1 column 2 (char 1)", false}},
		{"json list and dict: elements one level deep, and keys once each", post("application/json", `{"l":[1, "x", null, [2], {}], "d":{"b":1,"a":2,"b":3}, "e":[]}`),
			map[string]Value{
				"l": {Kind: Other, Type: "list", Items: []Value{{Kind: Number, Text: "1"}, {Kind: String, Text: "x"}, {Kind: Null}, {Kind: Other, Type: "list"}, {Kind: Other, Type: "dict"}}},
				"d": {Kind: Other, Type: "dict", Items: []Value{{Kind: String, Text: "b"}, {Kind: String, Text: "a"}}},
				"e": {Kind: Other, Type: "list"},
			}, nil},
		{"form, last value wins", post("application/x-www-form-urlencoded", "a=x&a=y"), map[string]Value{"a": {Kind: String, Text: "y", Items: []Value{{Kind: String, Text: "x"}, {Kind: String, Text: "y"}}}}, nil},
		{"multipart", post("multipart/form-data; boundary=B", "--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--B\r\nContent-Disposition: form-data; name=\"f\"; filename=\"f.txt\"\r\n\r\nfile\r\n--B--\r\n"),
			map[string]Value{"a": {Kind: String, Text: "x", Items: []Value{{Kind: String, Text: "x"}}}}, nil},
		{"multipart without boundary", post("multipart/form-data", "x"), nil, &Error{400, "Multipart form parse error - Invalid boundary in multipart: None", false}},
		{"multipart garbage", post("multipart/form-data; boundary=B", "garbage"), map[string]Value{}, nil},
		{"text/plain", post("text/plain; charset=utf-8", "a=b"), nil, &Error{415, `Unsupported media type "text/plain; charset=utf-8" in request.`, false}},
		{"no content type", post("", "a=b"), nil, &Error{415, `Unsupported media type "" in request.`, false}},
		{"too large", post("application/json", `{"a":"`+strings.Repeat("x", 100)+`"}`), nil, &Error{413, "Request body is too large.", false}},
	}
	for _, tt := range tests {
		limit := int64(1 << 16)
		if tt.name == "too large" {
			limit = 64
		}
		fields, err := ReadFields(httptest.NewRecorder(), tt.r, limit)
		if tt.err != nil {
			if err == nil || *err != *tt.err {
				t.Errorf("%s: err = %#v, want %#v", tt.name, err, tt.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(fields, tt.fields) {
			t.Errorf("%s: %#v, %v; want %#v", tt.name, fields, err, tt.fields)
		}
	}
}

// TestReadRequestForm: DRF reads a form and a multipart body as HTML
// input, JSON and an empty body of another type not (reference server:
// POST /users/ with an empty JSON body wants both fields, with an empty
// form only the username).
func TestReadRequestForm(t *testing.T) {
	for _, tt := range []struct {
		ct, body string
		form     bool
	}{
		{"application/json", `{}`, false},
		{"application/json", ``, false},
		{"", ``, false},
		{"application/x-www-form-urlencoded", `a=1`, true},
		{"application/x-www-form-urlencoded", ``, true},
		{"multipart/form-data; boundary=B", ``, true},
		{"multipart/form-data; boundary=B", "--B--\r\n", true},
	} {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tt.body))
		r.Header.Set("Content-Type", tt.ct)
		if _, form, e := ReadRequest(httptest.NewRecorder(), r, 1<<10); e != nil || form != tt.form {
			t.Errorf("%q %q: form %t, %v; want %t", tt.ct, tt.body, form, e, tt.form)
		}
	}
}

// TestRendering pins DRF's and Python's JSON output.
func TestRendering(t *testing.T) {
	b, _ := Marshal(Object{{"b", "<&>"}, {"a", PK("1")}, {"u", PK("4bd2e8a2")}, {"é", []string{}}})
	if want := `{"b":"<&>","a":1,"u":"4bd2e8a2","é":[]}`; string(b) != want {
		t.Errorf("Marshal = %s, want %s", b, want)
	}
	if got, want := string(AppendPyString(nil, "José <&> \"\\\n\x01😀")), `"Jos\u00e9 <&> \"\\\n\u0001\ud83d\ude00"`; got != want {
		t.Errorf("AppendPyString = %s, want %s", got, want)
	}
	for s, want := range map[string]bool{"1": true, "-12": true, "0": true, "01": false, "-": false, "": false, "1.0": false, "1e3": false, "a": false} {
		if IsDecimalInteger(s) != want {
			t.Errorf("IsDecimalInteger(%q) != %t", s, want)
		}
	}
	rec := httptest.NewRecorder()
	rec.Header().Set("Content-Length", "99")
	WriteJSON(rec, 404, Detail{"Not found."})
	if rec.Code != 404 || rec.Body.String() != `{"detail":"Not found."}` || rec.Header().Get("Content-Type") != "application/json" || rec.Header().Get("Content-Length") != "" {
		t.Errorf("WriteJSON: %d %v %s", rec.Code, rec.Header(), rec.Body)
	}
}

// FuzzHasHeaderSpace holds the word-at-a-time scan to the byte-at-a-time
// one.
func FuzzHasHeaderSpace(f *testing.F) {
	for _, s := range []string{"", "abc", "eyJhbGciOiJIUzI1NiJ9.e30.sig", "abcdefg h", "abcdefgh\x0b", "\x80\x81\xa0 ", "\xff\xff\xff\xff\xff\xff\xff\xff\xff", "\x21\x21\x21\x21\x21\x21\x21\x20"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := HasHeaderSpace(s), hasHeaderSpaceSlow(s); got != want {
			t.Fatalf("HasHeaderSpace(%q) = %v, want %v", s, got, want)
		}
	})
}

// TestReadFieldsNestedArrays: Items go one level deep, so a field of
// deeply nested arrays is read in one pass rather than one per level.
func TestReadFieldsNestedArrays(t *testing.T) {
	const depth = 5000
	body := `{"a":` + strings.Repeat("[", depth) + strings.Repeat("]", depth) + `}`
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	allocs := testing.AllocsPerRun(1, func() {
		r.Body = io.NopCloser(strings.NewReader(body))
		fields, err := ReadFields(httptest.NewRecorder(), r, 1<<16)
		if a := fields["a"]; err != nil || a.Type != "list" || len(a.Items) != 1 || a.Items[0].Items != nil {
			t.Fatalf("%+v, %v", a, err)
		}
	})
	// Decoding each level again would allocate for every one of them.
	if allocs > depth/10 {
		t.Errorf("%.0f allocations for %d nested arrays", allocs, depth)
	}
}
