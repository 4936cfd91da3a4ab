package token

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestDecodePayload: what each claim decodes to, and which record a claim
// of the wrong type lands in (timeErr: malformed; claimErr: invalid;
// payloadErr: invalid payload), the first of each kept. Only claims that
// are not one JSON object without repeated names fail decoding.
func TestDecodePayload(t *testing.T) {
	unix := func(n int64) time.Time { return time.Unix(n, 0) }
	type errs struct{ time, claim, payload string } // fragments; "" for none
	tests := []struct {
		name string
		data string
		want payload // the error records are compared through errs
		errs errs
	}{
		{name: "DRF-JWT's payload", data: `{"user_id":1,"username":"admin","exp":1795414322,"email":"admin@example.com","orig_iat":1795414022}`,
			want: payload{Claims: Claims{UserID: "1", Username: "admin", Email: "admin@example.com", ExpiresAt: unix(1795414322), OrigIssuedAt: unix(1795414022)}, hasExp: true}},
		{name: "empty object", data: ` { } `},
		{name: "a UUID user_id", data: `{"user_id":"6f1c0c6e-2b0a-4c47-9f0e-3c1e5a7d9b21"}`, want: payload{Claims: Claims{UserID: "6f1c0c6e-2b0a-4c47-9f0e-3c1e5a7d9b21"}}},
		{name: "a negative user_id", data: `{"user_id":-3}`, want: payload{Claims: Claims{UserID: "-3"}}},
		{name: "user_id 1.0", data: `{"user_id":1.0}`, errs: errs{payload: "user_id is not an integer or a string"}},
		{name: "user_id 1e3", data: `{"user_id":1e3}`, errs: errs{payload: "user_id"}},
		{name: "user_id true", data: `{"user_id":true}`, errs: errs{payload: "user_id"}},
		{name: "username a number", data: `{"username":1}`, errs: errs{payload: "username is not a string"}},
		{name: "email null", data: `{"email":null}`, errs: errs{payload: "email is not a string"}},
		{name: "the first payload error is kept", data: `{"username":1,"email":2}`, errs: errs{payload: "username"}},
		{name: "exp a string", data: `{"exp":"1700000300"}`, want: payload{hasExp: true}, errs: errs{time: "not a JSON number"}},
		{name: "exp null", data: `{"exp":null}`, want: payload{hasExp: true}, errs: errs{time: "not a JSON number"}},
		{name: "nbf true", data: `{"nbf":true}`, errs: errs{time: "not a JSON number"}},
		{name: "iat an array", data: `{"iat":[]}`, errs: errs{time: "not a JSON number"}},
		{name: "exp 1e400", data: `{"exp":1e400}`, want: payload{hasExp: true}, errs: errs{time: "out of range"}},
		{name: "the first time error is kept", data: `{"exp":1e400,"nbf":"x"}`, want: payload{hasExp: true}, errs: errs{time: "out of range"}},
		{name: "exp a float, truncated", data: `{"exp":1700000300.9,"nbf":1699999999.5,"iat":1699999998.1}`,
			want: payload{Claims: Claims{ExpiresAt: unix(1700000300), NotBefore: unix(1699999999), IssuedAt: unix(1699999998)}, hasExp: true}},
		{name: "iss", data: `{"iss":"https://a"}`, want: payload{Claims: Claims{Issuer: "https://a"}, hasIss: true}},
		{name: "iss a number", data: `{"iss":1}`, want: payload{hasIss: true}, errs: errs{claim: "iss is not a string"}},
		{name: "aud a string", data: `{"aud":"api"}`, want: payload{Claims: Claims{Audience: []string{"api"}}, hasAud: true}},
		{name: "aud an array", data: `{"aud":[ "a" , "b" ]}`, want: payload{Claims: Claims{Audience: []string{"a", "b"}}, hasAud: true}},
		{name: "aud empty", data: `{"aud":[]}`, want: payload{Claims: Claims{Audience: []string{}}, hasAud: true}},
		{name: "aud a number", data: `{"aud":1}`, want: payload{hasAud: true}, errs: errs{claim: "aud is not a string or an array of strings"}},
		{name: "aud with a number", data: `{"aud":["a",1]}`, want: payload{hasAud: true}, errs: errs{claim: "aud"}},
		{name: "aud nested", data: `{"aud":[["a"]]}`, want: payload{hasAud: true}, errs: errs{claim: "aud"}},
		{name: "the first claim error is kept", data: `{"iss":1,"aud":2}`, want: payload{hasIss: true, hasAud: true}, errs: errs{claim: "iss"}},
		{name: "token_type", data: `{"token_type":"refresh"}`,
			want: payload{Claims: Claims{TokenType: "refresh"}, hasTokenType: true}},
		{name: "token_type a number", data: `{"token_type":1}`,
			want: payload{hasTokenType: true}, errs: errs{claim: "token_type is not a string"}},
		{name: "sub and jti", data: `{"sub":"s","jti":"j"}`, want: payload{Claims: Claims{JTI: "j", Extra: map[string]any{"sub": "s"}}}},
		{name: "jti a number", data: `{"jti":1}`, errs: errs{claim: "jti is not a string"}},
		{name: "family", data: `{"family":"f"}`, want: payload{Claims: Claims{Family: "f"}}},
		{name: "family a number", data: `{"family":1}`, errs: errs{claim: "family is not a string"}},
		{name: "refresh_exp", data: `{"refresh_exp":1700086400}`, want: payload{Claims: Claims{RefreshExpiresAt: time.Unix(1700086400, 0)}}},
		{name: "refresh_exp a string", data: `{"refresh_exp":"1700086400"}`, errs: errs{time: "time claim is not a JSON number"}},
		{name: "sub a number", data: `{"sub":1}`, want: payload{Claims: Claims{Extra: map[string]any{"sub": ""}}}, errs: errs{claim: "sub is not a string"}},
		{name: "orig_iat", data: `{"orig_iat":1699999999}`, want: payload{Claims: Claims{OrigIssuedAt: unix(1699999999)}}},
		// Anything but a positive integer is a missing orig_iat, not an error.
		{name: "orig_iat 0", data: `{"orig_iat":0}`},
		{name: "orig_iat negative", data: `{"orig_iat":-5}`},
		{name: "orig_iat a float", data: `{"orig_iat":1699999999.5}`},
		{name: "orig_iat a string", data: `{"orig_iat":"1699999999"}`},
		{name: "orig_iat out of range", data: `{"orig_iat":1e400}`},
		{name: "other claims, numbers as json.Number", data: `{"scope":"read","n":12,"o":{"a":[1,"x",null,true]}}`,
			want: payload{Claims: Claims{Extra: map[string]any{"scope": "read", "n": json.Number("12"), "o": map[string]any{"a": []any{json.Number("1"), "x", nil, true}}}}}},
		{name: "names are read after their escapes", data: `{"user\u006eame":"admin","\u0065xp":1700000300}`,
			want: payload{Claims: Claims{Username: "admin", ExpiresAt: unix(1700000300)}, hasExp: true}},
		{name: "names match exactly", data: `{"USERNAME":"admin","Exp":1}`, want: payload{Claims: Claims{Extra: map[string]any{"USERNAME": "admin", "Exp": json.Number("1")}}}},
		{name: "string escapes are decoded", data: `{"username":"jos\u00e9\n\ud83d\ude00"}`, want: payload{Claims: Claims{Username: "jos\u00e9\n\U0001F600"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p payload
			if err := decodePayload(tt.data, &p); err != nil {
				t.Fatal(err)
			}
			for _, r := range []struct {
				what string
				got  error
				want string
			}{{"timeErr", p.timeErr, tt.errs.time}, {"claimErr", p.claimErr, tt.errs.claim}, {"payloadErr", p.payloadErr, tt.errs.payload}} {
				if (r.got != nil) != (r.want != "") || (r.got != nil && !strings.Contains(r.got.Error(), r.want)) {
					t.Errorf("%s %v, want %q", r.what, r.got, r.want)
				}
			}
			p.timeErr, p.claimErr, p.payloadErr = nil, nil, nil
			if !reflect.DeepEqual(p, tt.want) {
				t.Errorf("\n got %+v\nwant %+v", p, tt.want)
			}
		})
	}
}

// TestDecodePayloadFails: claims that are not one JSON object of valid
// UTF-8 without a repeated name fail, and leave nothing behind.
func TestDecodePayloadFails(t *testing.T) {
	for _, data := range []string{
		``, `[]`, `"x"`, `{"exp":1}x`, `{"exp":1,"exp":2}`, `{"exp":1,"\u0065xp":2}`, `{"username":"a","username":"a"}`,
		"{\"username\":\"\xff\"}", `{"username":"\ud800"}`, `{"a":01}`, `{"a":1,}`, `{"a":[1,]}`, `{"a":NaN}`,
	} {
		p := payload{Claims: Claims{Username: "stale"}, hasExp: true}
		if err := decodePayload(data, &p); err == nil {
			t.Errorf("%q: decoded to %+v", data, p)
		} else if !reflect.DeepEqual(p, payload{}) {
			t.Errorf("%q: %v, and left %+v", data, err, p)
		}
	}
}

// TestNumericDate: a JSON number of seconds, truncated toward zero as
// PyJWT's int() does, up to 9999-12-31T23:59:59Z either way; no other JSON
// type.
func TestNumericDate(t *testing.T) {
	for _, tt := range []struct {
		raw  string
		want int64
		err  string // a fragment; "" when accepted
	}{
		{"0", 0, ""},
		{"1700000300", 1700000300, ""},
		{"253402300799", 253402300799, ""},
		{"253402300800", 0, "out of range"},
		{"999999999999", 0, "out of range"},
		{"1000000000000", 0, "out of range"},
		{"1e12", 0, "out of range"},
		{"1E12", 0, "out of range"},
		{"2.534023007e11", 253402300700, ""},
		{"1700000300.9", 1700000300, ""},
		{"17000003009e-1", 1700000300, ""},
		{"-1.5", -1, ""},
		{"-0.5", 0, ""},
		{"-0", 0, ""},
		{"-1700000000", -1700000000, ""},
		{"-253402300799", -253402300799, ""},
		{"-253402300800", 0, "out of range"},
		{"1e400", 0, "out of range"},
		{"-1e400", 0, "out of range"},
		{"1e-400", 0, ""},
		{`"1700000300"`, 0, "not a JSON number"},
		{"true", 0, "not a JSON number"},
		{"null", 0, "not a JSON number"},
		{"[]", 0, "not a JSON number"},
		{"", 0, "not a JSON number"},
	} {
		got, err := numericDate(tt.raw)
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("%s: %v", tt.raw, err)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("%s: %v, %v; want an error containing %q", tt.raw, got, err, tt.err)
		case tt.err == "" && (got.Unix() != tt.want || got.Nanosecond() != 0):
			t.Errorf("%s: %d.%09d, want %d", tt.raw, got.Unix(), got.Nanosecond(), tt.want)
		}
	}
}

// claimsFixture is claims with JSON objects and arrays nested in Extra.
func claimsFixture() Claims {
	return Claims{
		Username: "admin", ExpiresAt: time.Unix(1700000300, 0), Audience: []string{"a", "b"},
		Extra: map[string]any{
			"scope": "read",
			"m":     map[string]any{"k": []any{map[string]any{"x": json.Number("1")}, "s"}},
			"list":  []any{"a", []any{"b"}},
		},
	}
}

// TestClone: a clone shares no audience, map or slice with its original,
// at any depth, in either direction.
func TestClone(t *testing.T) {
	change := func(c *Claims) {
		c.Audience[0] = "changed"
		c.Extra["scope"] = "write"
		c.Extra["new"] = true
		m := c.Extra["m"].(map[string]any)
		m["added"] = 1
		m["k"].([]any)[0].(map[string]any)["x"] = "changed"
		m["k"].([]any)[1] = "changed"
		c.Extra["list"].([]any)[1].([]any)[0] = "changed"
	}
	orig := claimsFixture()
	clone := orig.Clone()
	if !reflect.DeepEqual(clone, orig) {
		t.Fatalf("clone %+v differs from %+v", clone, orig)
	}
	change(&clone)
	if !reflect.DeepEqual(orig, claimsFixture()) {
		t.Errorf("changing the clone changed the original: %+v", orig)
	}
	orig, clone = claimsFixture(), claimsFixture()
	cl := orig.Clone()
	change(&orig)
	if !reflect.DeepEqual(cl, clone) {
		t.Errorf("changing the original changed the clone: %+v", cl)
	}

	if c := (&Claims{}).Clone(); !reflect.DeepEqual(c, Claims{}) {
		t.Errorf("a clone of empty claims is %+v", c)
	}
	// What a PayloadHandler puts there besides JSON values is shared, as
	// documented: Clone cannot know how to copy it.
	n := 1
	p := Claims{Extra: map[string]any{"p": &n}}
	if p.Clone().Extra["p"] != any(&n) {
		t.Error("a pointer in Extra was copied")
	}
}

// TestCloneUnderRace: clones of one set of claims changed at once, as
// requests given the same cached claims do (run with -race).
func TestCloneUnderRace(t *testing.T) {
	shared := claimsFixture()
	done := make(chan error)
	for range 4 {
		go func() {
			c := shared.Clone()
			c.Extra["m"].(map[string]any)["k"].([]any)[0].(map[string]any)["x"] = "mine"
			c.Audience[1] = "mine"
			var err error
			if shared.Extra["m"].(map[string]any)["k"].([]any)[0].(map[string]any)["x"] != json.Number("1") {
				err = errors.New("a clone's change reached the original")
			}
			done <- err
		}()
	}
	for range 4 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
