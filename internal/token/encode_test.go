package token

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestMarshal: the claims come out as DRF-JWT's json.dumps writes them:
// its key order, then the extra claims by name, compact, non-ASCII and
// control characters escaped as Python escapes them.
func TestMarshal(t *testing.T) {
	for _, tt := range []struct {
		name string
		c    Claims
		want string
	}{
		{"DRF-JWT's payload", Claims{UserID: "1", Username: "admin", Email: "admin@example.com", ExpiresAt: time.Unix(1795414322, 0), OrigIssuedAt: time.Unix(1795414022, 0)},
			`{"user_id":1,"username":"admin","exp":1795414322,"email":"admin@example.com","orig_iat":1795414022}`},
		{"no user_id, no email: username, exp and email are always written", Claims{Username: "admin", ExpiresAt: time.Unix(1700000300, 0)},
			`{"username":"admin","exp":1700000300,"email":""}`},
		{"every field, then the extras by name", Claims{
			UserID: "1", Username: "admin", Email: "a@example.com", ExpiresAt: time.Unix(1700000300, 0), OrigIssuedAt: time.Unix(1699999000, 0),
			Audience: []string{"api"}, Issuer: "https://issuer.example", NotBefore: time.Unix(1699999990, 0), IssuedAt: time.Unix(1699999999, 0),
			Extra: map[string]any{"zeta": 1, "alpha": "a", "nested": map[string]any{"b": 1, "a": []any{true, nil}}, "token_type": "access"},
		}, `{"user_id":1,"username":"admin","exp":1700000300,"email":"a@example.com","orig_iat":1699999000,"aud":"api","iss":"https://issuer.example",` +
			`"nbf":1699999990,"iat":1699999999,"alpha":"a","nested":{"a":[true,null],"b":1},"token_type":"access","zeta":1}`},
		{"a UUID user_id is a string", Claims{UserID: "6f1c0c6e-2b0a-4c47-9f0e-3c1e5a7d9b21", Username: "u", ExpiresAt: time.Unix(1, 0)},
			`{"user_id":"6f1c0c6e-2b0a-4c47-9f0e-3c1e5a7d9b21","username":"u","exp":1,"email":""}`},
		{"a user_id with a leading zero is a string", Claims{UserID: "01", Username: "u", ExpiresAt: time.Unix(1, 0)},
			`{"user_id":"01","username":"u","exp":1,"email":""}`},
		{"a negative user_id is a number", Claims{UserID: "-5", Username: "u", ExpiresAt: time.Unix(1, 0)},
			`{"user_id":-5,"username":"u","exp":1,"email":""}`},
		{"several audiences are an array", Claims{Username: "u", ExpiresAt: time.Unix(1, 0), Audience: []string{"a", "b"}},
			`{"username":"u","exp":1,"email":"","aud":["a","b"]}`},
		// Python: json.dumps({"username": "jos\u00e9 \"q\" \\ \n\t\x01\x7f \U0001F600 \u2028 <&>/"}, separators=(",", ":"))
		{"Python's escaping", Claims{Username: "jos\u00e9 \"q\" \\ \n\t\x01\x7f \U0001F600 \u2028 <&>/", Email: "\b\f\r", ExpiresAt: time.Unix(1, 0)},
			`{"username":"jos\u00e9 \"q\" \\ \n\t\u0001\u007f \ud83d\ude00 \u2028 <&>/","exp":1,"email":"\b\f\r"}`},
		{"extra names are escaped too", Claims{Username: "u", ExpiresAt: time.Unix(1, 0), Extra: map[string]any{"\u00e9": 1}},
			`{"username":"u","exp":1,"email":"","\u00e9":1}`},
		// Python: json.dumps({"v": "jos\u00e9 \"q\" \\ \n\t\x01\x7f \U0001F600 \u2028 <&>/\b\f", "n": {"k\u00e9": ["\u00e9"]}}, separators=(",", ":"))
		{"extra values as Python writes them", Claims{Username: "u", ExpiresAt: time.Unix(1, 0), Extra: map[string]any{
			"v": "jos\u00e9 \"q\" \\ \n\t\x01\x7f \U0001F600 \u2028 <&>/\b\f", "n": map[string]any{"k\u00e9": []any{"\u00e9"}}}},
			`{"username":"u","exp":1,"email":"","n":{"k\u00e9":["\u00e9"]},"v":"jos\u00e9 \"q\" \\ \n\t\u0001\u007f \ud83d\ude00 \u2028 <&>/\b\f"}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.c.marshal()
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("\n got %s\nwant %s", got, tt.want)
			}
			if !json.Valid(got) {
				t.Errorf("not JSON: %s", got)
			}
		})
	}
}

// TestSignIsByteIdenticalToDRF: the DRF reference server's token
// (testdata/drf-reference-answers.md at the repository's root), made
// again from its claims and secret.
func TestSignIsByteIdenticalToDRF(t *testing.T) {
	const drfToken = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoxLCJ1c2VybmFtZSI6ImFkbWluIiwiZXhwIjoxNzk1NDE0MzIyLCJlbWFpbCI6ImFkbWluQGV4YW1wbGUuY29tIiwib3JpZ19pYXQiOjE3OTU0MTQwMjJ9.NFZ7Cn0AuPNbaoTglumTett7hLDLffLa-cqicQcHTYs"
	e := newEngine(t, drfSpec, secretKeys("reference-secret-that-is-long-enough-0123456789"), 0)
	c := Claims{UserID: "1", Username: "admin", Email: "admin@example.com", ExpiresAt: time.Unix(1795414322, 0), OrigIssuedAt: time.Unix(1795414022, 0)}
	got, err := e.Sign(&c, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got != drfToken {
		t.Errorf("\n got %s\nwant %s", got, drfToken)
	}
}

// TestMarshalRefusesReservedExtra: a claim that has a field of its own
// cannot also come from Extra, where it would be written twice.
func TestMarshalRefusesReservedExtra(t *testing.T) {
	e := newEngine(t, drfSpec, secretKeys(testSecret), 0)
	for _, name := range []string{"user_id", "username", "email", "exp", "orig_iat", "aud", "iss", "nbf", "iat"} {
		c := adminClaims()
		c.Extra = map[string]any{"scope": "read", name: "x"}
		if b, err := c.marshal(); err == nil || !strings.Contains(err.Error(), `"`+name+`"`) {
			t.Errorf("Extra[%q]: %s, %v", name, b, err)
		}
		if tok, err := e.Sign(&c, nil); err == nil {
			t.Errorf("Extra[%q]: signed %s", name, tok)
		}
	}
	// Claims decoded into Extra go back out through it.
	for _, name := range []string{"token_type", "sub", "jti", "Username", "scope"} {
		c := adminClaims()
		c.Extra = map[string]any{name: "x"}
		if _, err := c.marshal(); err != nil {
			t.Errorf("Extra[%q]: %v", name, err)
		}
	}
}

// TestMarshalRefusesUnencodable: an extra claim JSON cannot hold is an
// error naming it, not a broken token.
func TestMarshalRefusesUnencodable(t *testing.T) {
	for _, v := range []any{make(chan int), math.Inf(1), func() {}} {
		c := adminClaims()
		c.Extra = map[string]any{"bad": v}
		if b, err := c.marshal(); err == nil || !strings.Contains(err.Error(), `"bad"`) {
			t.Errorf("%T: %s, %v", v, b, err)
		}
	}
}

// TestMarshalRoundTrip: decodePayload reads back exactly what marshal
// writes.
func TestMarshalRoundTrip(t *testing.T) {
	c := Claims{
		UserID: "42", Username: "jos\u00e9\n\U0001F600", Email: "\"q\"@example.com", ExpiresAt: time.Unix(1700000300, 0), OrigIssuedAt: time.Unix(1699999000, 0),
		Audience: []string{"a", "b"}, Issuer: "iss", NotBefore: time.Unix(1699999990, 0), IssuedAt: time.Unix(1699999999, 0),
		Extra: map[string]any{"n": json.Number("-1.5e3"), "o": map[string]any{"k": []any{"v", json.Number("1"), nil, false}}, "token_type": "access", "sub": "s"},
	}
	b, err := c.marshal()
	if err != nil {
		t.Fatal(err)
	}
	var p payload
	if err := decodePayload(string(b), &p); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(p.Claims, c) {
		t.Errorf("\n got %+v\nwant %+v", p.Claims, c)
	}
}
