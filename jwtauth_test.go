package jwtauth

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/jwtauth-go/jwtauth/internal/testkit"
)

// The DRF reference server (testdata/drf-reference-answers.md) issued
// drfToken for its admin (id 1) with drfSecret at drfNow, JWT_ALLOW_REFRESH
// on.
const (
	drfSecret = "reference-secret-that-is-long-enough-0123456789"
	drfToken  = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoxLCJ1c2VybmFtZSI6ImFkbWluIiwiZXhwIjoxNzk1NDE0MzIyLCJlbWFpbCI6ImFkbWluQGV4YW1wbGUuY29tIiwib3JpZ19pYXQiOjE3OTU0MTQwMjJ9.NFZ7Cn0AuPNbaoTglumTett7hLDLffLa-cqicQcHTYs"
	drfNow    = 1795414022
)

// TestIssueTokenIsByteIdenticalToDRF: same settings, secret, user and clock
// as the DRF reference server gives the very token it issued.
func TestIssueTokenIsByteIdenticalToDRF(t *testing.T) {
	// The reference server numbered its admin 1, where the fixture store
	// gives 1 to DRF-JWT's jpueblo: admin is re-numbered for this test.
	referenceAdmin := fixtureAdmin
	referenceAdmin.ID = "1"
	reference := newFixtureStore(t)
	addFixtureUser(t, reference, referenceAdmin, fixtureAdminPassword)
	a := newTestAuth(t, reference, func(s *Settings) {
		s.Keys.Secret, s.AllowRefresh, s.Now = drfSecret, true, func() time.Time { return time.Unix(drfNow, 0) }
	})
	got, err := a.IssueToken(context.Background(), referenceAdmin)
	if err != nil {
		t.Fatal(err)
	}
	if got != drfToken {
		t.Errorf("IssueToken:\n got %s\nwant %s", got, drfToken)
	}
	u, c, err := a.VerifyToken(context.Background(), drfToken)
	if err != nil || u.Username != "admin" || c.OrigIssuedAt.Unix() != drfNow || c.ExpiresAt.Unix() != drfNow+300 {
		t.Errorf("VerifyToken(DRF's token) = %+v, %+v, %v", u, c, err)
	}
}

// TestIssueTokenPayload pins the payload bytes (spec §2.1 examples) and checks
// each token with a plain HMAC verification done here.
func TestIssueTokenPayload(t *testing.T) {
	jp := User{ID: "1", Username: "jpueblo", Email: "jpueblo@example.com", IsActive: true}
	tests := []struct {
		name  string
		tweak func(*Settings)
		user  User
		want  string
	}{
		{"defaults", nil, jp, `{"user_id":1,"username":"jpueblo","exp":1700000300,"email":"jpueblo@example.com"}`},
		{"refresh, audience, issuer", func(s *Settings) { s.AllowRefresh, s.Audience, s.Issuer = true, "my_aud", "example.com" }, jp,
			`{"user_id":1,"username":"jpueblo","exp":1700000300,"email":"jpueblo@example.com","orig_iat":1700000000,"aud":"my_aud","iss":"example.com"}`},
		{"email user model", func(s *Settings) { s.UsernameField = "email" }, User{ID: "1", Username: "jpueblo@example.com", Email: "jpueblo@example.com"},
			`{"user_id":1,"username":"jpueblo@example.com","exp":1700000300,"email":"jpueblo@example.com"}`},
		{"other USERNAME_FIELD", func(s *Settings) { s.UsernameField = "phone" }, User{ID: "7", Username: "+3312345", Email: ""},
			`{"user_id":7,"username":"+3312345","exp":1700000300,"email":"","phone":"+3312345"}`},
		{"UUID key", nil, User{ID: "4bd2e8a2-9a3e-4d41-a1b3-3f2f4c0e2b1a", Username: "u"},
			`{"user_id":"4bd2e8a2-9a3e-4d41-a1b3-3f2f4c0e2b1a","username":"u","exp":1700000300,"email":""}`},
		{"non-ASCII escaped, HTML characters kept, as json.dumps", nil, User{ID: "1", Username: "José <&> 😀", Email: "a\"b\\c"},
			`{"user_id":1,"username":"Jos\u00e9 <&> \ud83d\ude00","exp":1700000300,"email":"a\"b\\c"}`},
		{"expiration delta", func(s *Settings) { s.ExpirationDelta = time.Hour }, jp, `{"user_id":1,"username":"jpueblo","exp":1700003600,"email":"jpueblo@example.com"}`},
		{"payload handler adds a claim", func(s *Settings) {
			s.PayloadHandler = func(_ context.Context, u User, c Claims) (Claims, error) {
				c.Extra = map[string]any{"scope": "read", "level": 3}
				return c, nil
			}
		}, jp, `{"user_id":1,"username":"jpueblo","exp":1700000300,"email":"jpueblo@example.com","level":3,"scope":"read"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newTestAuth(t, nil, tt.tweak)
			tok, err := a.IssueToken(context.Background(), tt.user)
			if err != nil {
				t.Fatal(err)
			}
			want := hs256(tt.want)
			if tok != want {
				h, p, _ := strings.Cut(tok, ".")
				p, _, _ = strings.Cut(p, ".")
				hb, _ := base64.RawURLEncoding.DecodeString(h)
				pb, _ := base64.RawURLEncoding.DecodeString(p)
				t.Errorf("token header %s payload %s\nwant payload %s", hb, pb, tt.want)
			}
		})
	}
}

// TestHandMadeDRFTokenAccepted: a token built the way DRF-JWT builds it, by
// hand, verifies and decodes to its claims.
func TestHandMadeDRFTokenAccepted(t *testing.T) {
	a := newTestAuth(t, nil)
	tok := hs256(`{"user_id":3,"username":"admin","exp":1700000300,"email":"admin@example.com","orig_iat":1699999000,"scope":"x"}`)
	u, c, err := a.VerifyToken(context.Background(), tok)
	if err != nil {
		t.Fatal(err)
	}
	if u.ID != "3" || c.UserID != "3" || c.Username != "admin" || c.Email != "admin@example.com" ||
		c.ExpiresAt.Unix() != 1700000300 || c.OrigIssuedAt.Unix() != 1699999000 || c.Extra["scope"] != "x" {
		t.Errorf("got user %+v claims %+v", u, c)
	}
}

// TestGolangJWTAgreesWithOurTokens: golang-jwt, configured strictly,
// accepts what we issue and reads the same claims.
func TestGolangJWTAgreesWithOurTokens(t *testing.T) {
	a := newTestAuth(t, nil, func(s *Settings) { s.AllowRefresh = true })
	tok, err := a.IssueToken(context.Background(), fixtureAdmin)
	if err != nil {
		t.Fatal(err)
	}
	mc := jwt.MapClaims{}
	_, err = jwt.NewParser(jwt.WithValidMethods([]string{"HS256"}), jwt.WithExpirationRequired(), jwt.WithTimeFunc(func() time.Time { return fixtureNow }), jwt.WithStrictDecoding()).
		ParseWithClaims(tok, mc, func(*jwt.Token) (any, error) { return []byte(fixtureSecret), nil })
	if err != nil {
		t.Fatal(err)
	}
	if mc["username"] != "admin" || mc["user_id"] != 3.0 || mc["exp"] != 1700000300.0 || mc["orig_iat"] != 1700000000.0 {
		t.Errorf("golang-jwt read %v", mc)
	}
}

// strictnessCase is one row of the strictness table.
type strictnessCase struct {
	name  string
	token string
	tweak func(*Settings)
	want  error // nil: accepted
}

// strictnessCases are tokens that each break exactly one rule of a valid
// token, with the sentinel that rule maps to.
func strictnessCases() []strictnessCase {
	const (
		good   = `{"user_id":3,"username":"admin","exp":1700000300,"email":"admin@example.com"}`
		future = "1700000300"
	)
	pl := func(extra string) string {
		return `{"user_id":3,"username":"admin","email":"admin@example.com"` + extra + `}`
	}
	hdr := func(h string) string { return testkit.SignHS(sha256.New, fixtureSecret, h, good) }
	goodTok := hs256(good)
	sigless := goodTok[:strings.LastIndexByte(goodTok, '.')+1]
	enc := base64.RawURLEncoding.EncodeToString

	return []strictnessCase{
		{"valid", goodTok, nil, nil},
		// Algorithm policy (security.md rows 1-6).
		{"alg none, empty signature", enc([]byte(`{"typ":"JWT","alg":"none"}`)) + "." + enc([]byte(good)) + ".", nil, ErrInvalidToken},
		{"alg None", enc([]byte(`{"alg":"None"}`)) + "." + enc([]byte(good)) + ".", nil, ErrInvalidToken},
		{"alg NONE with a valid MAC", hdr(`{"alg":"NONE"}`), nil, ErrInvalidToken},
		{"alg none with a valid MAC", hdr(`{"alg":"none"}`), nil, ErrInvalidToken},
		{"alg hs256 lower case", hdr(`{"typ":"JWT","alg":"hs256"}`), nil, ErrInvalidToken},
		{"alg with trailing space", hdr(`{"typ":"JWT","alg":"HS256 "}`), nil, ErrInvalidToken},
		{"HS512 with the right secret", testkit.SignHS(sha512.New, fixtureSecret, `{"typ":"JWT","alg":"HS512"}`, good), nil, ErrInvalidToken},
		{"HS384 with the right secret", testkit.SignHS(sha512.New384, fixtureSecret, `{"typ":"JWT","alg":"HS384"}`, good), nil, ErrInvalidToken},
		{"RS256 header, HMAC signature", hdr(`{"typ":"JWT","alg":"RS256"}`), nil, ErrInvalidToken},
		{"alg missing", hdr(`{"typ":"JWT"}`), nil, ErrInvalidToken},
		{"alg not a string", hdr(`{"typ":"JWT","alg":256}`), nil, ErrInvalidToken},
		{"alg null", hdr(`{"typ":"JWT","alg":null}`), nil, ErrInvalidToken},
		// Header members (rows 8-11).
		{"crit naming an extension", hdr(`{"typ":"JWT","alg":"HS256","crit":["exp"],"exp":1}`), nil, ErrInvalidToken},
		{"crit empty", hdr(`{"typ":"JWT","alg":"HS256","crit":[]}`), nil, ErrInvalidToken},
		{"typ of another kind of token", hdr(`{"typ":"at+jwt","alg":"HS256"}`), nil, ErrInvalidToken},
		{"typ not a string", hdr(`{"typ":1,"alg":"HS256"}`), nil, ErrInvalidToken},
		{"typ jwt lower case is JWT", hdr(`{"typ":"jwt","alg":"HS256"}`), nil, nil},
		{"no typ", hdr(`{"alg":"HS256"}`), nil, nil},
		{"kid with path traversal is never read", hdr(`{"alg":"HS256","kid":"../../../../dev/null"}`), nil, nil},
		{"kid pointing at an empty key, MAC with the empty key", testkit.SignHS(sha256.New, "", `{"alg":"HS256","kid":"/dev/null"}`, good), nil, errSignature},
		{"embedded jwk with the attacker's key", testkit.SignHS(sha256.New, "attacker-key-attacker-key-attacker-key", `{"alg":"HS256","jwk":{"kty":"oct","k":"YXR0YWNrZXIta2V5"}}`, good), nil, errSignature},
		{"jku pointing elsewhere", testkit.SignHS(sha256.New, "attacker-key-attacker-key-attacker-key", `{"alg":"HS256","jku":"http://127.0.0.1:1/jwks"}`, good), nil, errSignature},
		{"header duplicate alg", hdr(`{"alg":"HS256","alg":"none"}`), nil, errMalformed},
		{"header is an array", hdr(`["HS256"]`), nil, errMalformed},
		{"header is not JSON", hdr(`{alg:HS256}`), nil, errMalformed},
		{"header with a BOM", hdr("\ufeff" + testkit.DRFHeader), nil, errMalformed},
		{"header with trailing garbage", hdr(testkit.DRFHeader + "x"), nil, errMalformed},
		// Signature (row 7).
		{"wrong secret", testkit.SignHS(sha256.New, "another-secret-another-secret-another", testkit.DRFHeader, good), nil, errSignature},
		{"empty-key MAC", testkit.SignHS(sha256.New, "", testkit.DRFHeader, good), nil, errSignature},
		{"signature stripped", sigless, nil, errSignature},
		{"payload swapped after signing", func() string {
			h, rest, _ := strings.Cut(goodTok, ".")
			_, sig, _ := strings.Cut(rest, ".")
			return h + "." + enc([]byte(strings.Replace(good, "admin", "admon", 1))) + "." + sig
		}(), nil, errSignature},
		{"bad signature and expired: signature reported", testkit.SignHS(sha256.New, "another-secret-another-secret-another", testkit.DRFHeader, pl(`,"exp":1`)), nil, errSignature},
		// Shape, charset, base64 (rows 12-15).
		{"empty", "", nil, errMalformed},
		{"one segment", "abc123", nil, errMalformed},
		{"two segments", strings.Join(strings.Split(goodTok, ".")[:2], "."), nil, errMalformed},
		{"four segments", goodTok + ".x", nil, errMalformed},
		{"five segments (JWE)", "a.b.c.d.e", nil, errMalformed},
		{"500 000 dots", strings.Repeat(".", 500000), nil, errMalformed},
		{"9 KiB of junk", strings.Repeat("a", 9<<10), nil, errMalformed},
		{"raw JSON instead of a JWS", good, nil, errMalformed},
		{"padding", strings.Replace(goodTok, ".", "=.", 1), nil, errMalformed},
		{"standard alphabet", strings.NewReplacer("-", "+", "_", "/").Replace(goodTok) + "+/", nil, errMalformed},
		{"space inside", strings.Replace(goodTok, ".", ". ", 1), nil, errMalformed},
		{"newline inside the signature", goodTok[:len(goodTok)-4] + "\n" + goodTok[len(goodTok)-4:], nil, errMalformed},
		{"non-ASCII", goodTok + "é", nil, errMalformed},
		{"non-canonical trailing bits", flipLastBits(goodTok), nil, errMalformed},
		// Payload JSON (rows 14, 16, 17).
		{"payload is an array", hs256(`[1]`), nil, errMalformed},
		{"payload is not JSON", hs256(`{"exp":}`), nil, errMalformed},
		{"payload with trailing garbage", hs256(good + `{}`), nil, errMalformed},
		{"payload with a BOM", hs256("\ufeff" + good), nil, errMalformed},
		{"payload not UTF-8", hs256(pl(`,"exp":1700000300,"x":"` + "\xff" + `"`)), nil, errMalformed},
		{"duplicate exp, future then past", hs256(pl(`,"exp":1700000300,"exp":1`)), nil, errMalformed},
		{"duplicate username", hs256(`{"username":"ghost","username":"admin","exp":1700000300}`), nil, errMalformed},
		{"duplicate through an escape", hs256(pl(`,"exp":1700000300,"\u0065xp":1`)), nil, errMalformed},
		{"EXP does not stand for exp", hs256(pl(`,"EXP":1700000300`)), nil, ErrInvalidToken},
		{"USERNAME does not override username", hs256(`{"user_id":9,"username":"ghost","USERNAME":"admin","exp":1700000300}`), nil, ErrUserNotFound},
		// exp (rows 18-20).
		{"exp missing", hs256(pl(``)), nil, ErrInvalidToken},
		{"exp a numeric string", hs256(pl(`,"exp":"` + future + `"`)), nil, errMalformed},
		{"exp null", hs256(pl(`,"exp":null`)), nil, errMalformed},
		{"exp true", hs256(pl(`,"exp":true`)), nil, errMalformed},
		{"exp an array", hs256(pl(`,"exp":[1700000300]`)), nil, errMalformed},
		{"exp an object", hs256(pl(`,"exp":{}`)), nil, errMalformed},
		{"exp 1e400", hs256(pl(`,"exp":1e400`)), nil, errMalformed},
		{"exp 1e300", hs256(pl(`,"exp":1e300`)), nil, errMalformed},
		{"exp -1e300", hs256(pl(`,"exp":-1e300`)), nil, errMalformed},
		{"exp 0", hs256(pl(`,"exp":0`)), nil, ErrExpiredToken},
		{"exp negative", hs256(pl(`,"exp":-5`)), nil, ErrExpiredToken},
		{"exp now−10 s", hs256(pl(`,"exp":1699999990`)), nil, ErrExpiredToken},
		{"exp == now is expired (RFC 7519 §4.1.4)", hs256(pl(`,"exp":1700000000`)), nil, ErrExpiredToken},
		{"exp now+1", hs256(pl(`,"exp":1700000001`)), nil, nil},
		{"exp a float in the future", hs256(pl(`,"exp":1700000300.75`)), nil, nil},
		{"exp 1e10 (year 2286)", hs256(pl(`,"exp":1e10`)), nil, nil},
		{"exp now−30, leeway 30 s", hs256(pl(`,"exp":1699999970`)), func(s *Settings) { s.Leeway = 30 * time.Second }, ErrExpiredToken},
		{"exp now−29, leeway 30 s", hs256(pl(`,"exp":1699999971`)), func(s *Settings) { s.Leeway = 30 * time.Second }, nil},
		// One range for every spelling of a NumericDate: up to
		// 9999-12-31T23:59:59Z, as a digit string or a float.
		{"exp 253402300799, the last second of 9999", hs256(pl(`,"exp":253402300799`)), nil, nil},
		{"exp 253402300800 as digits", hs256(pl(`,"exp":253402300800`)), nil, errMalformed},
		{"exp 999999999999 as digits", hs256(pl(`,"exp":999999999999`)), nil, errMalformed},
		{"exp 1e12", hs256(pl(`,"exp":1e12`)), nil, errMalformed},
		{"exp 253402300800.0", hs256(pl(`,"exp":253402300800.0`)), nil, errMalformed},
		// nbf and iat (row 21).
		{"nbf in the future", hs256(pl(`,"exp":1700000300,"nbf":1700000001`)), nil, ErrInvalidToken},
		{"nbf now", hs256(pl(`,"exp":1700000300,"nbf":1700000000`)), nil, nil},
		{"nbf in the future within leeway", hs256(pl(`,"exp":1700000300,"nbf":1700000010`)), func(s *Settings) { s.Leeway = 10 * time.Second }, nil},
		{"nbf a string", hs256(pl(`,"exp":1700000300,"nbf":"1"`)), nil, errMalformed},
		{"iat in the future is recorded, not refused", hs256(pl(`,"exp":1700000300,"iat":1800000000`)), nil, nil},
		{"iat a string", hs256(pl(`,"exp":1700000300,"iat":"abc"`)), nil, errMalformed},
		{"iat null", hs256(pl(`,"exp":1700000300,"iat":null`)), nil, errMalformed},
		// A lone surrogate escape decodes to U+FFFD: "admin\ud800",
		// "admin\udbff" and "admin\ufffd" would name one user, where
		// PyJWT keeps them apart. Refused; a pair is a character.
		{"username with a lone high surrogate", hs256(`{"user_id":3,"username":"admin\ud800","exp":1700000300}`), nil, errMalformed},
		{"username with a lone low surrogate", hs256(`{"user_id":3,"username":"admin\udbff","exp":1700000300}`), nil, errMalformed},
		{"surrogates in the wrong order", hs256(`{"user_id":3,"username":"admin\udc00\ud800","exp":1700000300}`), nil, errMalformed},
		{"lone surrogate in a custom claim", hs256(pl(`,"exp":1700000300,"x":["\ud83d"]`)), nil, errMalformed},
		{"lone surrogate in a claim name", hs256(pl(`,"exp":1700000300,"\ud800":1`)), nil, errMalformed},
		{"a surrogate pair is a character", hs256(pl(`,"exp":1700000300,"x":"\ud83d\ude00"`)), nil, nil},
		{"U+FFFD itself names no one else", hs256(`{"user_id":3,"username":"admin\ufffd","exp":1700000300}`), nil, ErrUserNotFound},
		// A token that is not an access token is no credential (RFC 8725
		// §3.12): simplejwt's refresh token carries a username once the
		// Django side adds one, lives a day and outlives its blacklisting.
		{"token_type refresh", hs256(pl(`,"exp":1700000300,"token_type":"refresh","jti":"a1"`)), nil, ErrInvalidToken},
		{"token_type sliding", hs256(pl(`,"exp":1700000300,"token_type":"sliding"`)), nil, ErrInvalidToken},
		{"token_type Access", hs256(pl(`,"exp":1700000300,"token_type":"Access"`)), nil, ErrInvalidToken},
		{"token_type not a string", hs256(pl(`,"exp":1700000300,"token_type":1`)), nil, ErrInvalidToken},
		{"token_type null", hs256(pl(`,"exp":1700000300,"token_type":null`)), nil, ErrInvalidToken},
		{"token_type access", hs256(pl(`,"exp":1700000300,"token_type":"access"`)), nil, nil},
		{"expired refresh token: expiry reported", hs256(pl(`,"exp":1,"token_type":"refresh"`)), nil, ErrExpiredToken},
		// aud and iss (rows 22-24).
		{"aud string, none configured", hs256(pl(`,"exp":1700000300,"aud":"x"`)), nil, ErrInvalidToken},
		{"aud array, none configured", hs256(pl(`,"exp":1700000300,"aud":["x"]`)), nil, ErrInvalidToken},
		{"aud empty array, none configured", hs256(pl(`,"exp":1700000300,"aud":[]`)), nil, ErrInvalidToken},
		{"aud missing, api configured", hs256(pl(`,"exp":1700000300`)), withAud, ErrInvalidToken},
		{"aud api", hs256(pl(`,"exp":1700000300,"aud":"api"`)), withAud, nil},
		{"aud [x, api]", hs256(pl(`,"exp":1700000300,"aud":["x","api"]`)), withAud, nil},
		{"aud ap", hs256(pl(`,"exp":1700000300,"aud":"ap"`)), withAud, ErrInvalidToken},
		{"aud API", hs256(pl(`,"exp":1700000300,"aud":"API"`)), withAud, ErrInvalidToken},
		{"aud 5", hs256(pl(`,"exp":1700000300,"aud":5`)), withAud, ErrInvalidToken},
		{"aud [api, 5]", hs256(pl(`,"exp":1700000300,"aud":["api",5]`)), withAud, ErrInvalidToken},
		{"expired and wrong aud: expiry reported", hs256(pl(`,"exp":1,"aud":"x"`)), nil, ErrExpiredToken},
		{"iss missing, issuer configured", hs256(pl(`,"exp":1700000300`)), withIss, ErrInvalidToken},
		{"iss exact", hs256(pl(`,"exp":1700000300,"iss":"https://a"`)), withIss, nil},
		{"iss with a slash more", hs256(pl(`,"exp":1700000300,"iss":"https://a/"`)), withIss, ErrInvalidToken},
		{"iss a substring", hs256(pl(`,"exp":1700000300,"iss":"https://"`)), withIss, ErrInvalidToken},
		{"iss a number", hs256(pl(`,"exp":1700000300,"iss":1`)), nil, ErrInvalidToken},
		{"iss ignored when not configured", hs256(pl(`,"exp":1700000300,"iss":"anyone"`)), nil, nil},
		{"sub a number", hs256(pl(`,"exp":1700000300,"sub":1`)), nil, ErrInvalidToken},
		{"jti an object", hs256(pl(`,"exp":1700000300,"jti":{}`)), nil, ErrInvalidToken},
		// DRF claims (row 25-26).
		{"username missing", hs256(`{"user_id":1,"exp":1700000300}`), nil, errPayload},
		{"username empty", hs256(`{"user_id":1,"username":"","exp":1700000300}`), nil, errPayload},
		{"username null", hs256(`{"user_id":1,"username":null,"exp":1700000300}`), nil, errPayload},
		{"username a number", hs256(`{"user_id":1,"username":1,"exp":1700000300}`), nil, errPayload},
		{"email null (upstream test 11, with exp)", hs256(`{"email":null,"exp":1700000300}`), nil, errPayload},
		{"email null without exp: exp is checked first", hs256(`{"email":null}`), nil, ErrInvalidToken},
		{"user_id a float", hs256(`{"user_id":1.5,"username":"admin","exp":1700000300}`), nil, errPayload},
		{"user_id absent is fine", hs256(`{"username":"admin","exp":1700000300}`), nil, nil},
		{"user_id of another account", hs256(`{"user_id":2,"username":"admin","exp":1700000300}`), nil, ErrUserNotFound},
		{"user_id as a string of the right id", hs256(`{"user_id":"3","username":"admin","exp":1700000300}`), nil, nil},
		{"unknown user", hs256(`{"user_id":9,"username":"ghost","exp":1700000300}`), nil, ErrUserNotFound},
		{"inactive user", hs256(`{"user_id":2,"username":"inactive","exp":1700000300}`), nil, ErrUserInactive},
		{"username hook", hs256(`{"user_id":3,"username":"x","login":"admin","exp":1700000300}`), func(s *Settings) {
			s.UsernameFromPayload = func(_ context.Context, c Claims) (string, error) { l, _ := c.Extra["login"].(string); return l, nil }
		}, nil},
	}
}

// TestVerifyTokenStrictness: each row breaks exactly one rule of a valid
// token; the error must be the sentinel that rule maps to.
func TestVerifyTokenStrictness(t *testing.T) {
	tests := strictnessCases()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := newTestAuth(t, nil, tt.tweak)
			u, c, err := a.VerifyToken(context.Background(), tt.token)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("VerifyToken: err = %v, want %v", err, tt.want)
			}
			if err != nil && (u != User{} || c.Username != "" || c.Extra != nil) {
				t.Errorf("an error came with a user or claims: %+v %+v", u, c)
			}
			if err == nil && u.Username != "admin" {
				t.Errorf("user = %+v", u)
			}
			if err != nil && causeOf(err) != tt.want {
				t.Errorf("err %v is %v, not only %v", err, causeOf(err), tt.want)
			}
		})
	}
}

// sentinels are the exported sentinels: every refusal wraps exactly one.
var sentinels = []error{ErrNoCredentials, ErrInvalidCredentials, ErrUserNotFound, ErrUserInactive, ErrInvalidToken, ErrExpiredToken}

// causes are the finest causes of a refusal, finer before the sentinels
// they wrap, as DRF's messages tell them apart.
var causes = []error{errMalformed, errSignature, errPayload, errMissingOrigIAT, errRefreshExpired, errInvalidHeader,
	ErrNoCredentials, ErrExpiredToken, ErrInvalidToken, ErrUserNotFound, ErrUserInactive, ErrInvalidCredentials}

// causeOf returns the finest cause err wraps, nil for none.
func causeOf(err error) error {
	for _, c := range causes {
		if errors.Is(err, c) {
			return c
		}
	}
	return nil
}

func withAud(s *Settings) { s.Audience = "api" }
func withIss(s *Settings) { s.Issuer = "https://a" }

// flipLastBits changes the unused low bits of the signature's last
// character: the same bytes, spelled another way.
func flipLastBits(tok string) string {
	last := tok[len(tok)-1]
	i := strings.IndexByte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", last)
	// A 32-byte signature ends in a character carrying 4 data bits and 2
	// unused ones.
	return tok[:len(tok)-1] + string("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[i^1])
}

// TestUserSecretKey: a per-user secret verifies that user's tokens, and
// changing it cuts them off (upstream test_authentication 8).
func TestUserSecretKey(t *testing.T) {
	var mu sync.Mutex
	secrets := map[string]Secret{"admin": "admin-secret-admin-secret-admin-secret-0001"}
	a := newTestAuth(t, nil, func(s *Settings) {
		s.Keys.Secret = ""
		s.UserSecretKey = func(_ context.Context, u User) (Secret, error) {
			mu.Lock()
			defer mu.Unlock()
			if sec, ok := secrets[u.Username]; ok {
				return sec, nil
			}
			return "", errors.New("no secret column for this user")
		}
	})
	ctx := context.Background()
	admin := fixtureAdmin
	tok, err := a.IssueToken(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	if want := testkit.SignHS(sha256.New, string(secrets["admin"]), testkit.DRFHeader, `{"user_id":3,"username":"admin","exp":1700000300,"email":"admin@example.com"}`); tok != want {
		t.Errorf("token not signed with the user's secret")
	}
	if _, _, err := a.VerifyToken(ctx, tok); err != nil {
		t.Fatalf("fresh token: %v", err)
	}
	if _, _, err := a.VerifyToken(ctx, hs256(`{"user_id":3,"username":"admin","exp":1700000300}`)); !errors.Is(err, errSignature) {
		t.Errorf("token signed with the global secret: %v", err)
	}
	if _, _, err := a.VerifyToken(ctx, testkit.SignHS(sha256.New, "x", testkit.DRFHeader, `{"user_id":9,"username":"ghost","exp":1700000300}`)); !errors.Is(err, errSignature) || errors.Is(err, ErrUserNotFound) {
		t.Errorf("unknown user: %v, want a bad signature, as for any forged token", err)
	}
	var se *storeError
	if _, _, err := a.VerifyToken(ctx, testkit.SignHS(sha256.New, "x", testkit.DRFHeader, `{"user_id":2,"username":"inactive","exp":1700000300}`)); !errors.As(err, &se) {
		t.Errorf("hook failure: %v, want a store error", err)
	}
	mu.Lock()
	secrets["admin"] = "rotated-after-password-change-0123456789abc"
	mu.Unlock()
	if _, _, err := a.VerifyToken(ctx, tok); !errors.Is(err, errSignature) {
		t.Errorf("after the secret changed: %v", err)
	}
	mu.Lock()
	secrets["admin"] = "short"
	mu.Unlock()
	if _, err := a.IssueToken(ctx, admin); !errors.As(err, &se) {
		t.Errorf("a weak per-user secret must not sign: %v", err)
	}
}

// TestAsymmetricAlgorithms signs and verifies with every public-key
// algorithm, and refuses a token signed by another key.
func TestAsymmetricAlgorithms(t *testing.T) {
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	rsaOther, _ := rsa.GenerateKey(rand.Reader, 2048)
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	p521, _ := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	p256b, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	_, edOther, _ := ed25519.GenerateKey(rand.Reader)
	tests := []struct {
		alg        string
		key, other any
	}{
		{"RS256", rsaKey, rsaOther}, {"RS384", rsaKey, rsaOther}, {"RS512", rsaKey, rsaOther},
		{"PS256", rsaKey, rsaOther}, {"PS384", rsaKey, rsaOther}, {"PS512", rsaKey, rsaOther},
		{"ES256", p256, p256b}, {"ES384", p384, nil}, {"ES512", p521, nil},
		{"EdDSA", ed, edOther},
	}
	admin := fixtureAdmin
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.alg, func(t *testing.T) {
			t.Parallel()
			a := newTestAuth(t, nil, func(s *Settings) { s.Keys.Secret, s.Algorithm, s.Keys.Private = "", tt.alg, tt.key })
			tok, err := a.IssueToken(ctx, admin)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := a.VerifyToken(ctx, tok); err != nil {
				t.Fatalf("own token: %v", err)
			}
			// A verify-only Auth with the public key accepts it too.
			pub := tt.key.(crypto.Signer).Public()
			v := newTestAuth(t, nil, func(s *Settings) { s.Keys.Secret, s.Algorithm, s.Keys.Public = "", tt.alg, pub })
			if _, _, err := v.VerifyToken(ctx, tok); err != nil {
				t.Fatalf("public-key Auth: %v", err)
			}
			if _, err := v.IssueToken(ctx, admin); err == nil {
				t.Error("a verify-only Auth issued a token")
			}
			if tt.other != nil {
				o := newTestAuth(t, nil, func(s *Settings) { s.Keys.Secret, s.Algorithm, s.Keys.Private = "", tt.alg, tt.other })
				forged, _ := o.IssueToken(ctx, admin)
				if _, _, err := a.VerifyToken(ctx, forged); !errors.Is(err, errSignature) {
					t.Errorf("token of another key: %v", err)
				}
			}
			// HMAC keyed with the public key, header switched to HS256:
			// the key-confusion attack.
			der, _ := x509.MarshalPKIXPublicKey(pub)
			pemPub := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
			confused := testkit.SignHS(sha256.New, pemPub, testkit.DRFHeader, `{"user_id":3,"username":"admin","exp":1700000300}`)
			if _, _, err := a.VerifyToken(ctx, confused); !errors.Is(err, ErrInvalidToken) {
				t.Errorf("HS256 token keyed with the public key: %v", err)
			}
		})
	}
}

// TestUnexpectedFailuresAre500AndLogged: a PayloadHandler that puts a
// registered claim in Extra is a programming error: a 500 without details,
// and a log record; a PayloadHandler that fails is the service's failure: a
// 503.
func TestUnexpectedFailuresAre500AndLogged(t *testing.T) {
	for _, tt := range []struct {
		name   string
		hook   func(context.Context, User, Claims) (Claims, error)
		status int
		body   string
		log    string
	}{
		{"reserved claim in Extra", func(_ context.Context, _ User, c Claims) (Claims, error) {
			c.Extra = map[string]any{"exp": 1}
			return c, nil
		}, 500, `{"detail":"A server error occurred."}`, `"msg":"jwtauth: request failed"`},
		{"hook error", func(context.Context, User, Claims) (Claims, error) {
			return Claims{}, errors.New("profile service down")
		}, 503, `{"detail":"Service temporarily unavailable, try again later."}`, `"msg":"jwtauth: store failed"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var logs strings.Builder
			a := newTestAuth(t, nil, func(s *Settings) {
				s.PayloadHandler = tt.hook
				s.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
			})
			rec := httptest.NewRecorder()
			req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"username":"admin","password":"pw-admin"}`))
			req.Header.Set("Content-Type", "application/json")
			a.Handlers().Obtain.ServeHTTP(rec, req)
			if rec.Code != tt.status || rec.Body.String() != tt.body {
				t.Errorf("%d %s", rec.Code, rec.Body)
			}
			if !strings.Contains(logs.String(), tt.log) || strings.Contains(logs.String(), "pw-admin") {
				t.Errorf("log: %s", logs.String())
			}
		})
	}
}
