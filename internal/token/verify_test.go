package token

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/jwtauth-go/jwtauth/internal/testkit"
)

// TestShape: the compact serialisation is judged before anything is
// decoded.
func TestShape(t *testing.T) {
	long := strings.Repeat("a", MaxLen-4) + ".b.c"
	for _, tt := range []struct {
		name   string
		tok    string
		d1, d2 int
		err    string // a fragment; "" when accepted
	}{
		{"three segments", "a.b.c", 1, 3, ""},
		{"three empty segments", "..", 0, 1, ""},
		{"MaxLen", long, MaxLen - 4, MaxLen - 2, ""},
		{"MaxLen + 1", "a" + long, 0, 0, "length 8193"},
		{"empty", "", 0, 0, "length 0"},
		{"one segment", "abc", 0, 0, "1 segments"},
		{"two segments", "a.b", 0, 0, "2 segments"},
		{"four segments", "a.b.c.d", 0, 0, "4 segments"},
		{"dots only", "....", 0, 0, "5 segments"},
		{"LF", "a.b.c\n", 0, 0, "line break"},
		{"CR", "a.b\r.c", 0, 0, "line break"},
	} {
		d1, d2, err := shape(tt.tok)
		switch {
		case tt.err == "" && (err != nil || d1 != tt.d1 || d2 != tt.d2):
			t.Errorf("%s: %d, %d, %v; want %d, %d", tt.name, d1, d2, err, tt.d1, tt.d2)
		case tt.err != "" && (finest(err) != ErrMalformed || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("%s: %v, want malformed, %q", tt.name, err, tt.err)
		}
	}
}

// TestHeader: the header must be a JSON object whose alg is exactly the
// configured one, without crit, whose typ, if any, is JWT and whose kid,
// if any, a string. Every other member is ignored, never followed.
func TestHeader(t *testing.T) {
	e := newEngine(t, drfSpec, secretKeys(testSecret), 0)
	const body = `{"username":"admin","exp":1700000300}`
	for _, tt := range []struct {
		header string
		want   error  // the finest error
		msg    string // and a fragment of it
	}{
		{testkit.DRFHeader, nil, ""},
		{`{"alg":"HS256","typ":"JWT"}`, nil, ""},
		{`{"alg":"HS256"}`, nil, ""},
		{` { "alg" : "HS256" , "typ" : "jwt" } `, nil, ""},
		{`{"alg":"HS256","kid":"unknown"}`, nil, ""},
		{`{"alg":"HS256","jku":"https://evil.example/k","x5u":"https://evil.example/c","jwk":{"kty":"oct","k":"AA"},"x5c":["AA"]}`, nil, ""},
		{`{"alg":"HS256","cty":"JWT","custom":[1,{"a":null}]}`, nil, ""},
		{`{"alg":"HS256","typ":"at+jwt"}`, ErrInvalid, "typ is not JWT"},
		{`{"alg":"HS256","typ":null}`, ErrInvalid, "typ is not JWT"},
		{`{"alg":"HS256","kid":1}`, ErrInvalid, "kid is not a string"},
		{`{"alg":"HS256","kid":null}`, ErrInvalid, "kid is not a string"},
		{`{"alg":"HS256","crit":["exp"]}`, ErrInvalid, "crit header"},
		{`{"alg":"HS256","crit":[]}`, ErrInvalid, "crit header"},
		{`{}`, ErrInvalid, "alg is not HS256"},
		{`{"typ":"JWT"}`, ErrInvalid, "alg is not HS256"},
		{`{"alg":"none"}`, ErrInvalid, "alg is not HS256"},
		{`{"alg":"hs256"}`, ErrInvalid, "alg is not HS256"},
		{`{"alg":"HS256 "}`, ErrInvalid, "alg is not HS256"},
		{`{"alg":"HS512"}`, ErrInvalid, "alg is not HS256"},
		{`{"alg":["HS256"]}`, ErrInvalid, "alg is not HS256"},
		{`{"alg":null}`, ErrInvalid, "alg is not HS256"},
		{`{"ALG":"HS256"}`, ErrInvalid, "alg is not HS256"},
		{`{"alg":"none","crit":["b64"],"typ":1}`, ErrInvalid, "alg is not HS256"},
		{`{"alg":"HS256","alg":"HS256"}`, ErrMalformed, `"alg" appears twice`},
		{`{"alg":"HS256","\u0061lg":"none"}`, ErrMalformed, "appears twice"},
		{`[]`, ErrMalformed, "not a JSON object"},
		{`"HS256"`, ErrMalformed, "not a JSON object"},
		{`{"alg":"HS256"}x`, ErrMalformed, "data after"},
		{`{"alg":"HS256",}`, ErrMalformed, "header"},
		{"{\"alg\":\"HS256\",\"x\":\"\xff\"}", ErrMalformed, "not UTF-8"},
		{``, ErrMalformed, "header"},
	} {
		_, err := verifyAt(e, testkit.SignHS(sha256.New, testSecret, tt.header, body), testNow)
		if finest(err) != tt.want || (err != nil && !strings.Contains(err.Error(), tt.msg)) {
			t.Errorf("%s: %v; want %v, %q", tt.header, err, tt.want, tt.msg)
		}
	}
}

// TestCheckHeaderKid: the kid comes back decoded, for comparison with our
// key IDs only.
func TestCheckHeaderKid(t *testing.T) {
	e := newEngine(t, drfSpec, secretKeys(testSecret), 0)
	for _, tt := range []struct {
		header, kid string
	}{
		{`{"alg":"HS256"}`, ""},
		{`{"alg":"HS256","kid":"k1"}`, "k1"},
		{`{"alg":"HS256","kid":"\u006b1"}`, "k1"},
		{`{"alg":"HS256","kid":"../../etc/passwd"}`, "../../etc/passwd"},
		{`{"kid":"","alg":"HS256"}`, ""},
	} {
		if kid, err := e.checkHeader([]byte(tt.header)); err != nil || kid != tt.kid {
			t.Errorf("%s: kid %q, %v; want %q", tt.header, kid, err, tt.kid)
		}
	}
}

// TestSignatureAndEncoding: one token has one spelling, every segment is
// decoded before the header is judged (as PyJWT does), and the MAC is
// checked before the claims are read.
func TestSignatureAndEncoding(t *testing.T) {
	e := newEngine(t, drfSpec, secretKeys(testSecret), 0)
	const body = `{"username":"admin","exp":1700000300}`
	good := hs256(body)
	parts := strings.Split(good, ".")
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	last := parts[2][len(parts[2])-1]
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	// A 32-byte MAC ends in a character with two unused bits.
	flipped := parts[2][:len(parts[2])-1] + string(alphabet[strings.IndexByte(alphabet, last)^1])
	for _, tt := range []struct {
		name string
		tok  string
		want error
	}{
		{"good", good, nil},
		{"another key", testkit.SignHS(sha256.New, otherSecret, testkit.DRFHeader, body), ErrSignature},
		{"an HS512 MAC under an HS256 header", testkit.SignHS(sha512.New, testSecret, testkit.DRFHeader, body), ErrSignature},
		{"an HS512 header on an HS256 engine", testkit.SignHS(sha512.New, testSecret, `{"typ":"JWT","alg":"HS512"}`, body), ErrInvalid},
		{"a changed MAC", tamper(good), ErrSignature},
		{"an empty signature", parts[0] + "." + parts[1] + ".", ErrSignature},
		{"a truncated MAC", parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(sig[:31]), ErrSignature},
		{"non-canonical trailing bits", parts[0] + "." + parts[1] + "." + flipped, ErrMalformed},
		{"padding", good + "=", ErrMalformed},
		{"the standard alphabet", parts[0] + "." + parts[1] + "." + base64.RawStdEncoding.EncodeToString(append([]byte{0xfb, 0xff}, sig[2:]...)), ErrMalformed},
		{"a space inside", parts[0] + "." + parts[1] + ". " + parts[2], ErrMalformed},
		{"a header not base64", "!" + good, ErrMalformed},
		{"claims not base64", parts[0] + ".!" + parts[1] + "." + parts[2], ErrMalformed},
		{"alg none, signature not base64: decoding first", testkit.SignHS(sha256.New, testSecret, `{"alg":"none"}`, body) + "!", ErrMalformed},
		{"claims not JSON, right MAC", testkit.SignHS(sha256.New, testSecret, testkit.DRFHeader, `{"username":`), ErrMalformed},
		{"claims not JSON, wrong MAC: the MAC first", testkit.SignHS(sha256.New, otherSecret, testkit.DRFHeader, `{"username":`), ErrSignature},
	} {
		if _, err := verifyAt(e, tt.tok, testNow); finest(err) != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
}

// TestValidate: the claims are checked in PyJWT's order (time claims'
// types, nbf, exp, the other registered claims' types, iss, aud), then
// token_type and the dialect's claims; exp is required.
func TestValidate(t *testing.T) {
	leeway := func(d time.Duration) func(*Spec) { return func(s *Spec) { s.Leeway = d } }
	issuer := func(s *Spec) { s.Issuer = "https://a" }
	audience := func(s *Spec) { s.Audience = "api" }
	noTokenType := func(s *Spec) { s.TokenType = "" }
	noIdentity := func(s *Spec) { s.Identity = "" }
	for _, tt := range []struct {
		name   string
		tweak  func(*Spec)
		claims string // inside the object, after the username
		want   error  // the finest error
		msg    string
	}{
		// exp, now being 1700000000.
		{"exp in a second", nil, `,"exp":1700000001`, nil, ""},
		{"exp now", nil, `,"exp":1700000000`, ErrExpired, ""},
		{"exp a fraction after now", nil, `,"exp":1700000000.9`, ErrExpired, ""},
		{"exp missing", nil, ``, ErrInvalid, "exp is missing"},
		{"exp within the leeway", leeway(10 * time.Second), `,"exp":1699999991`, nil, ""},
		{"exp at the end of the leeway", leeway(10 * time.Second), `,"exp":1699999990`, ErrExpired, ""},

		// nbf.
		{"nbf now", nil, `,"exp":1700000300,"nbf":1700000000`, nil, ""},
		{"nbf in a second", nil, `,"exp":1700000300,"nbf":1700000001`, ErrInvalid, "not valid before nbf"},
		{"nbf within the leeway", leeway(10 * time.Second), `,"exp":1700000300,"nbf":1700000010`, nil, ""},
		{"nbf beyond the leeway", leeway(10 * time.Second), `,"exp":1700000300,"nbf":1700000011`, ErrInvalid, "nbf"},
		{"nbf before exp: an expired token not yet valid", nil, `,"exp":1,"nbf":1700000001`, ErrInvalid, "nbf"},

		// The types of the time claims come first.
		{"exp a string", nil, `,"exp":"1700000300"`, ErrMalformed, "not a JSON number"},
		{"exp a string, nbf in the future", nil, `,"exp":"x","nbf":1800000000`, ErrMalformed, ""},
		{"iat a string on an expired token", nil, `,"exp":1,"iat":"x"`, ErrMalformed, ""},
		{"iat in the future is recorded, not refused", nil, `,"exp":1700000300,"iat":1800000000`, nil, ""},

		// Expiry before the other claims.
		{"expired, iss a number", nil, `,"exp":1,"iss":1`, ErrExpired, ""},
		{"expired, a wrong aud", audience, `,"exp":1,"aud":"other"`, ErrExpired, ""},
		{"expired, email a number", nil, `,"exp":1,"email":1`, ErrExpired, ""},
		{"iss a number", nil, `,"exp":1700000300,"iss":1`, ErrInvalid, "iss is not a string"},

		// iss.
		{"iss expected, missing", issuer, `,"exp":1700000300`, ErrInvalid, `iss is not "https://a"`},
		{"iss expected, another", issuer, `,"exp":1700000300,"iss":"https://b"`, ErrInvalid, "iss is not"},
		{"iss expected, right", issuer, `,"exp":1700000300,"iss":"https://a"`, nil, ""},
		{"iss not expected, present", nil, `,"exp":1700000300,"iss":"https://b"`, nil, ""},

		// aud.
		{"aud not expected, present", nil, `,"exp":1700000300,"aud":"api"`, ErrInvalid, "no audience is configured"},
		{"aud not expected, empty", nil, `,"exp":1700000300,"aud":[]`, ErrInvalid, "no audience is configured"},
		{"aud expected, right", audience, `,"exp":1700000300,"aud":"api"`, nil, ""},
		{"aud expected, among others", audience, `,"exp":1700000300,"aud":["x","api"]`, nil, ""},
		{"aud expected, another", audience, `,"exp":1700000300,"aud":"x"`, ErrInvalid, `aud does not name "api"`},
		{"aud expected, another case", audience, `,"exp":1700000300,"aud":"API"`, ErrInvalid, "aud does not name"},
		{"aud expected, missing", audience, `,"exp":1700000300`, ErrInvalid, "aud does not name"},
		{"aud a number", audience, `,"exp":1700000300,"aud":1`, ErrInvalid, "aud is not a string"},

		// token_type: a refresh token is no credential.
		{"token_type access", nil, `,"exp":1700000300,"token_type":"access"`, nil, ""},
		{"token_type refresh", nil, `,"exp":1700000300,"token_type":"refresh"`, ErrInvalid, `token_type is not "access"`},
		{"token_type empty", nil, `,"exp":1700000300,"token_type":""`, ErrInvalid, "token_type is not"},
		{"token_type a number", nil, `,"exp":1700000300,"token_type":1`, ErrInvalid, "token_type is not a string"},
		{"token_type not expected", noTokenType, `,"exp":1700000300,"token_type":"refresh"`, nil, ""},

		// The dialect's claims.
		{"email a number", nil, `,"exp":1700000300,"email":1`, ErrPayload, "email is not a string"},
		{"user_id a float", nil, `,"exp":1700000300,"user_id":1.5`, ErrPayload, "user_id"},
		{"a refresh token naming no user is refused as a refresh token", nil, `,"exp":1700000300,"token_type":"refresh","email":1`, ErrInvalid, "token_type"},
		{"no identity: email a number", noIdentity, `,"exp":1700000300,"email":1`, ErrPayload, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			spec := drfSpec
			if tt.tweak != nil {
				tt.tweak(&spec)
			}
			e := newEngine(t, spec, secretKeys(testSecret), 0)
			dst := Claims{Username: "untouched"}
			_, _, _, err := e.Verify(hs256(`{"username":"admin"`+tt.claims+`}`), testNow, &dst, nil)
			if finest(err) != tt.want || (err != nil && !strings.Contains(err.Error(), tt.msg)) {
				t.Fatalf("%v; want %v, %q", err, tt.want, tt.msg)
			}
			if want := map[bool]string{true: "untouched", false: "admin"}[err != nil]; dst.Username != want {
				t.Errorf("claims %+v", dst)
			}
		})
	}
}

// TestIdentity: with Identity "username" the claims must name a user by
// a non-empty username; without, the caller finds the user its own way.
func TestIdentity(t *testing.T) {
	noIdentity := drfSpec
	noIdentity.Identity = ""
	for _, tt := range []struct {
		name   string
		spec   Spec
		claims string
		want   error
	}{
		{"a username", drfSpec, `{"username":"admin","exp":1700000300}`, nil},
		{"no username", drfSpec, `{"user_id":1,"exp":1700000300}`, ErrPayload},
		{"an empty username", drfSpec, `{"username":"","exp":1700000300}`, ErrPayload},
		{"username a number", drfSpec, `{"username":1,"exp":1700000300}`, ErrPayload},
		{"username null", drfSpec, `{"username":null,"exp":1700000300}`, ErrPayload},
		{"USERNAME", drfSpec, `{"USERNAME":"admin","exp":1700000300}`, ErrPayload},
		{"no username, expired: expiry first", drfSpec, `{"exp":1}`, ErrExpired},
		{"no identity, no username", noIdentity, `{"user_id":1,"exp":1700000300}`, nil},
		{"no identity, an empty username", noIdentity, `{"username":"","exp":1700000300}`, nil},
		{"no identity, username a number: still the wrong type", noIdentity, `{"username":1,"exp":1700000300}`, ErrPayload},
	} {
		e := newEngine(t, tt.spec, secretKeys(testSecret), 0)
		if _, err := verifyAt(e, hs256(tt.claims), testNow); finest(err) != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
}

// The fuzz targets run their seeds (f.Add and testdata/fuzz/<name>) as part
// of go test; .ci/run also fuzzes each for a bounded number of inputs.

// oneClass reports whether err is a refusal the root package can answer
// with exactly one of its sentinels: expired or invalid, never both, with
// at most one finer cause.
func oneClass(err error) bool {
	if errors.Is(err, ErrInvalid) == errors.Is(err, ErrExpired) {
		return false
	}
	n := 0
	for _, c := range []error{ErrMalformed, ErrSignature, ErrPayload} {
		if errors.Is(err, c) {
			n++
		}
	}
	return n <= 1
}

// goStrict is golang-jwt configured as strictly as it goes, at testNow.
// goFutureIat is the same without the iat check: an iat in the future is
// recorded, not refused, as PyJWT 1.x (DRF-JWT's) does.
var (
	goStrict    = jwt.NewParser(append(goOptions, jwt.WithIssuedAt())...)
	goFutureIat = jwt.NewParser(goOptions...)
	goOptions   = []jwt.ParserOption{jwt.WithValidMethods([]string{"HS256"}), jwt.WithExpirationRequired(),
		jwt.WithStrictDecoding(), jwt.WithTimeFunc(func() time.Time { return testNow })}
)

// FuzzSignedClaims signs arbitrary claims JSON with the right key, to reach
// claim validation. Whatever we accept, golang-jwt configured strictly must
// accept too, with the same claims.
func FuzzSignedClaims(f *testing.F) {
	for _, s := range []string{
		`{"user_id":1,"username":"admin","exp":1700000300,"email":"admin@example.com"}`,
		`{"username":"admin","exp":1700000300.5,"orig_iat":1699999999,"aud":"x"}`,
		`{"username":"admin","exp":"1700000300"}`, `{"username":"admin","exp":null}`, `{"username":"admin","exp":1e400}`,
		`{"username":"admin","exp":1700000300,"exp":1}`, `{"username":"ghost","USERNAME":"admin","exp":1700000300}`,
		`{"username":"admin","exp":1700000300,"nbf":1700000001}`, `[]`, `{}`, `{"username":"admin","exp":1700000300}x`,
		`{"username":"admin","exp":1700000300,"iat":1800000000}`, `{"username":"admin","exp":1700000300,"iat":1699999999}`,
	} {
		f.Add([]byte(s))
	}
	e := newEngine(f, drfSpec, secretKeys(testSecret), 0)
	f.Fuzz(func(t *testing.T, payload []byte) {
		token := hs256(string(payload))
		var c Claims
		hit, secret, _, err := e.Verify(token, testNow, &c, nil)
		if err != nil {
			if !oneClass(err) {
				t.Fatalf("error %v is not exactly one of invalid and expired", err)
			}
			return
		}
		if hit != nil || secret != nil || !json.Valid(payload) || c.Username == "" || !c.ExpiresAt.After(testNow) {
			t.Fatalf("accepted %q: hit %v, secret %q, claims %+v", payload, hit, secret, c)
		}
		mc, parser := jwt.MapClaims{}, goStrict
		if c.IssuedAt.After(testNow) {
			parser = goFutureIat
		}
		if _, err := parser.ParseWithClaims(token, mc, func(*jwt.Token) (any, error) { return []byte(testSecret), nil }); err != nil {
			t.Fatalf("we accept %q, golang-jwt refuses it: %v", payload, err)
		}
		if mc["username"] != c.Username {
			t.Fatalf("claims differ: golang-jwt read username %v, we %q", mc["username"], c.Username)
		}
		if exp, _ := mc.GetExpirationTime(); exp == nil || exp.Unix() != c.ExpiresAt.Unix() {
			t.Fatalf("claims differ: golang-jwt read exp %v, we %v", exp, c.ExpiresAt)
		}
	})
}

// FuzzSignedHeader signs a valid payload under arbitrary JOSE headers: an
// accepted header is an object whose alg is exactly HS256, without crit.
func FuzzSignedHeader(f *testing.F) {
	for _, s := range []string{testkit.DRFHeader, `{"alg":"HS256"}`, `{"alg":"none"}`, `{"alg":"HS256","crit":["b64"]}`,
		`{"alg":"HS256","alg":"none"}`, `{"alg":"HS256","typ":"at+jwt"}`, `{"alg":"HS256","kid":"../../x"}`, `[]`} {
		f.Add([]byte(s))
	}
	e := newEngine(f, drfSpec, secretKeys(testSecret), 0)
	const payload = `{"user_id":1,"username":"admin","exp":1700000300}`
	f.Fuzz(func(t *testing.T, header []byte) {
		_, err := verifyAt(e, testkit.SignHS(sha256.New, testSecret, string(header), payload), testNow)
		if err != nil {
			if !oneClass(err) {
				t.Fatalf("error %v is not exactly one of invalid and expired", err)
			}
			return
		}
		var h map[string]any
		if json.Unmarshal(header, &h) != nil || h["alg"] != "HS256" || h["crit"] != nil {
			t.Fatalf("accepted header %q", header)
		}
	})
}
