package token

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzClaimsScanner holds the hand-written scanner that decodes every
// request's claims to encoding/json: it accepts exactly the single JSON
// objects of valid UTF-8 without a repeated name (after escapes) and
// without a lone surrogate escape, and reads the same members with the
// same values.
func FuzzClaimsScanner(f *testing.F) {
	for _, s := range []string{
		`{"user_id":1,"username":"admin","exp":1700000300,"email":"admin@example.com"}`,
		`{"a":[1,{"b":null}],"c":"\u00e9\ud83d\ude00\n","d":-0.5e+3}`, `{"a":1,"\u0061":2}`, `{"a":1}x`, `{"a":01}`,
		`{"a":"` + "\x01" + `"}`, `{"u":"admin\ud800"}`, `{"u":"admin\udbff"}`, `{"u":"admin\ufffd"}`, `{"u":"\udc00\ud800"}`, `{"u":"\\ud800"}`, `{"a":1.}`, `{"a":-}`, `{"a":tru}`, ` {} `, `[]`, `{"a":"\x"}`, `{"a":[1,]}`, "{\"a\":\"\xff\"}",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		var got [][2]string
		err := object(data, func(name, raw string) error {
			got = append(got, [2]string{name, raw})
			return nil
		})
		want, deep, werr := referenceObject(data)
		if deep {
			return // nested beyond maxDepth: we refuse what encoding/json reads
		}
		if (err == nil) != (werr == nil) {
			t.Fatalf("%q: scanner %v, encoding/json %v", data, err, werr)
		}
		if err != nil {
			return
		}
		if len(got) != len(want) {
			t.Fatalf("%q: %d members, encoding/json %d", data, len(got), len(want))
		}
		for i := range got {
			if got[i][0] != want[i][0] || got[i][1] != want[i][1] {
				t.Fatalf("%q: member %d is %q, encoding/json %q", data, i, got[i], want[i])
			}
			if s, ok := jsonString(got[i][1]); ok {
				var ref string
				if json.Unmarshal([]byte(got[i][1]), &ref) != nil || ref != s {
					t.Fatalf("%q: string %q reads %q, encoding/json %q", data, got[i][1], s, ref)
				}
			}
		}
	})
}

// referenceObject reads data with encoding/json as object should: the
// members, and whether nesting goes deeper than the scanner accepts.
func referenceObject(data string) (members [][2]string, deep bool, err error) {
	if !utf8.ValidString(data) || !json.Valid([]byte(data)) {
		return nil, false, errors.New("invalid")
	}
	if loneSurrogate(data) {
		return nil, false, errors.New("a lone surrogate")
	}
	depth, maxSeen := 0, 0
	d := json.NewDecoder(strings.NewReader(data))
	for {
		tok, err := d.Token()
		if err != nil {
			break
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
			maxSeen = max(maxSeen, depth)
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
	if maxSeen > maxDepth {
		return nil, true, nil
	}
	dec := json.NewDecoder(strings.NewReader(data))
	if tok, _ := dec.Token(); tok != json.Delim('{') {
		return nil, false, errors.New("not an object")
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, false, err
		}
		name := tok.(string)
		if seen[name] {
			return nil, false, errors.New("duplicate")
		}
		seen[name] = true
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, false, err
		}
		members = append(members, [2]string{name, string(raw)})
	}
	return members, false, nil
}

// loneSurrogate reports whether valid JSON text data holds a \u escape of
// a surrogate that is not half of a pair, which encoding/json reads as
// U+FFFD. Backslashes appear only in strings, so the escapes are read in
// order.
func loneSurrogate(data string) bool {
	hex := func(i int) rune {
		n, _ := strconv.ParseUint(data[i:i+4], 16, 32)
		return rune(n)
	}
	for i := 0; i < len(data); i++ {
		if data[i] != '\\' {
			continue
		}
		if data[i+1] != 'u' {
			i++
			continue
		}
		u := hex(i + 2)
		i += 5
		switch {
		case u >= 0xdc00 && u <= 0xdfff:
			return true
		case u >= 0xd800 && u <= 0xdbff:
			if !strings.HasPrefix(data[i+1:], `\u`) {
				return true
			}
			if lo := hex(i + 3); lo < 0xdc00 || lo > 0xdfff {
				return true
			}
			i += 6
		}
	}
	return false
}
