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
			Extra:     map[string]any{"zeta": 1, "alpha": "a", "nested": map[string]any{"b": 1, "a": []any{true, nil}}},
			TokenType: "access", JTI: "0123456789abcdef0123456789abcdef",
		}, `{"user_id":1,"username":"admin","exp":1700000300,"email":"a@example.com","orig_iat":1699999000,"aud":"api","iss":"https://issuer.example",` +
			`"nbf":1699999990,"iat":1699999999,"token_type":"access","jti":"0123456789abcdef0123456789abcdef","alpha":"a","nested":{"a":[true,null],"b":1},"zeta":1}`},
		{"with revocation on: the jti, then the family", Claims{UserID: "1", Username: "admin", Email: "a@example.com", ExpiresAt: time.Unix(1700000300, 0), JTI: "j", Family: "f"},
			`{"user_id":1,"username":"admin","exp":1700000300,"email":"a@example.com","jti":"j","family":"f"}`},
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
	for _, name := range []string{"sub", "Username", "scope"} {
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
		Extra:     map[string]any{"n": json.Number("-1.5e3"), "o": map[string]any{"k": []any{"v", json.Number("1"), nil, false}}, "sub": "s"},
		TokenType: "access", JTI: "j", RefreshExpiresAt: time.Unix(1700086400, 0),
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

// TestSimpleJWTEncoding: a simplejwt engine writes PyJWT 2's header
// (names sorted) and simplejwt's claim order, user_id as a string (5.5),
// custom claims after it and aud and iss last, as simplejwt adds them when
// it encodes; what it writes reads back the same.
func TestSimpleJWTEncoding(t *testing.T) {
	spec := drfSpec
	spec.SimpleJWT, spec.TokenType, spec.Identity, spec.Audience, spec.Issuer = true, "", "", "api", "https://issuer.example"
	for _, tc := range []struct {
		name   string
		keyID  string
		claims Claims
		header string
		want   string
	}{
		{"access", "", Claims{TokenType: "access", ExpiresAt: time.Unix(1700000300, 0), IssuedAt: time.Unix(1700000000, 0), JTI: "0123456789abcdef0123456789abcdef", UserID: "1",
			Audience: []string{"api"}, Issuer: "https://issuer.example"},
			`{"alg":"HS256","typ":"JWT"}`,
			`{"token_type":"access","exp":1700000300,"iat":1700000000,"jti":"0123456789abcdef0123456789abcdef","user_id":"1","aud":"api","iss":"https://issuer.example"}`},
		{"sliding, with a kid and custom claims", "k1", Claims{TokenType: "sliding", ExpiresAt: time.Unix(1700000300, 0), IssuedAt: time.Unix(1700000000, 0), JTI: "j", RefreshExpiresAt: time.Unix(1700086400, 0),
			UserID: "6f1c0c6e-2b0a-4c47-9f0e-3c1e5a7d9b21", Username: "admin", Extra: map[string]any{"role": "staff"}, Audience: []string{"api"}, Issuer: "https://issuer.example"},
			`{"alg":"HS256","kid":"k1","typ":"JWT"}`,
			`{"token_type":"sliding","exp":1700000300,"iat":1700000000,"jti":"j","refresh_exp":1700086400,"user_id":"6f1c0c6e-2b0a-4c47-9f0e-3c1e5a7d9b21","username":"admin","role":"staff","aud":"api","iss":"https://issuer.example"}`},
		{"refresh of a family, with a custom claim", "", Claims{TokenType: "refresh", ExpiresAt: time.Unix(1700086400, 0), IssuedAt: time.Unix(1700000000, 0), JTI: "j2", UserID: "1",
			Family: "j1", Extra: map[string]any{"role": "staff"}, Audience: []string{"api"}, Issuer: "https://issuer.example"},
			`{"alg":"HS256","typ":"JWT"}`,
			`{"token_type":"refresh","exp":1700086400,"iat":1700000000,"jti":"j2","user_id":"1","family":"j1","role":"staff","aud":"api","iss":"https://issuer.example"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			keys := secretKeys(testSecret)
			keys.Current.ID = tc.keyID
			e := newEngine(t, spec, keys, 0)
			tok, err := e.Sign(&tc.claims, nil)
			if err != nil {
				t.Fatal(err)
			}
			parts := strings.Split(tok, ".")
			header, _ := b64.DecodeString(parts[0])
			payload, _ := b64.DecodeString(parts[1])
			if string(header) != tc.header || string(payload) != tc.want {
				t.Errorf("header %s\n payload %s\nwant %s\n      %s", header, payload, tc.header, tc.want)
			}
			got, err := verifyAt(e, tok, time.Unix(1700000100, 0))
			if err != nil || !reflect.DeepEqual(got, tc.claims) {
				t.Errorf("read back: %+v, %v\nwant %+v", got, err, tc.claims)
			}
		})
	}
}
