package main

// The tables of TestChecklistBlackBox (blackbox_test.go), one per server
// configuration, and what they are made of: tokens signed by hand with
// the secret the servers were given, never by the library.

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jwtauth-go/jwtauth/internal/testkit"
)

// bbRotatedSecret is the current secret of the rotation server, bbSecret
// its previous one.
const bbRotatedSecret = "the-rotated-secret-of-the-black-box-run-0123456789"

// The endpoints of the token views.
const (
	obtainPath  = "/api-token-auth/"
	verifyPath  = "/api-token-verify/"
	refreshPath = "/api-token-refresh/"
)

// week is the default JWT_REFRESH_EXPIRATION_DELTA, in seconds.
const week = 7 * 86400

func num(n int64) string { return strconv.FormatInt(n, 10) }

// login is admin's login body with password.
func login(password string) string { return loginJSON("admin", password) }

// signed is payload signed as the server signs, under DRF-JWT's header.
func signed(payload string) string { return hs256(testkit.DRFHeader, payload) }

// noCookie checks that an answer sets no cookie.
func noCookie(t *testing.T, a answer) {
	if sc := a.header.Values("Set-Cookie"); len(sc) != 0 {
		t.Errorf("Set-Cookie %q", sc)
	}
}

// bbFixture is what the tables are made of: admin's claims as of the
// start of the run, the tokens signed by hand from them, and the URL of
// row 11's listener.
type bbFixture struct {
	now       int64
	fut, past string // exp an hour ahead, and ten seconds ago
	good      string // admin's claims, exp fut, orig_iat now
	valid     string // good, signed as the server signs
	sigless   string // valid, its signature stripped
	swapped   string // valid's header and signature around another payload
	flipped   string // valid, its signature spelled another way
	pemPublic string // an Ed25519 public key in PEM, for key confusion
	// Tokens valid but for their user: inactive, unknown; and admin's,
	// expired.
	inactiveTok, ghostTok, expiredTok string
	jwksURL                           string
}

func newBBFixture(t *testing.T, jwksURL string) *bbFixture {
	t.Helper()
	f := &bbFixture{now: time.Now().Unix(), jwksURL: jwksURL}
	f.fut, f.past = num(f.now+3600), num(f.now-10)
	f.good = f.claims(`,"exp":` + f.fut + `,"orig_iat":` + num(f.now))
	f.valid = hs256(testkit.DRFHeader, f.good)
	f.sigless = f.valid[:strings.LastIndexByte(f.valid, '.')+1]
	parts := strings.Split(f.valid, ".")
	f.swapped = parts[0] + "." + b64(strings.Replace(f.good, `"admin"`, `"admon"`, 1)) + "." + parts[2]
	// The last character of a 32-byte MAC carries 4 bits and 2 unused
	// ones: flipping an unused one spells the same bytes another way.
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	i := strings.IndexByte(alphabet, f.valid[len(f.valid)-1])
	f.flipped = f.valid[:len(f.valid)-1] + string(alphabet[i^1])
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	f.pemPublic = string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	f.inactiveTok = signed(`{"user_id":2,"username":"inactive","email":"inactive@example.com","exp":` + f.fut + `,"orig_iat":` + num(f.now) + `}`)
	f.ghostTok = signed(`{"user_id":9,"username":"ghost","email":"ghost@example.com","exp":` + f.fut + `,"orig_iat":` + num(f.now) + `}`)
	f.expiredTok = signed(f.claims(`,"exp":` + f.past + `,"orig_iat":` + num(f.now-310)))
	return f
}

// claims is admin's payload with extra members appended.
func (f *bbFixture) claims(extra string) string {
	return `{"user_id":1,"username":"admin","email":"admin@example.com"` + extra + `}`
}

// signedHdr is admin's good claims under header, signed as the server signs.
func (f *bbFixture) signedHdr(header string) string { return hs256(header, f.good) }

// attacker is admin's good claims under header, MACed with the key the
// token's key-bearing members offer.
func (f *bbFixture) attacker(header string) string {
	return testkit.SignHS(sha256.New, attackerKey, header, f.good)
}

// withOrigIAT is a valid token of admin's with orig_iat as given.
func (f *bbFixture) withOrigIAT(origIAT string) string {
	return signed(f.claims(`,"exp":` + f.fut + `,"orig_iat":` + origIAT))
}

// audIss is a token of the audience-and-issuer server: admin's, with aud
// and iss as extra gives them, so that each row can leave out one.
func (f *bbFixture) audIss(extra string) string { return signed(f.claims(`,"exp":` + f.fut + extra)) }

// refreshed checks a refresh answer: a new token for the same user and
// the same orig_iat (row 54), its exp never past orig_iat + 7 days (row
// 59).
func (f *bbFixture) refreshed(origIAT int64) func(t *testing.T, a answer) {
	return func(t *testing.T, a answer) {
		c := issuedClaims(t, a.body)
		exp, _ := c["exp"].(float64)
		if c["user_id"] != 1.0 || c["username"] != "admin" || c["email"] != "admin@example.com" || c["orig_iat"] != float64(origIAT) {
			t.Errorf("refreshed claims %v, want user 1 admin and orig_iat %d unchanged", c, origIAT)
		}
		if end := origIAT + week; int64(exp) > end {
			t.Errorf("refreshed exp %v is past orig_iat + 7 days (%d)", exp, end)
		}
		if int64(exp) < f.now {
			t.Errorf("refreshed exp %v is already past", exp)
		}
	}
}

// defaultCases are asked of the server with the default settings and
// refresh on, whose users are admin and an inactive user.
func (f *bbFixture) defaultCases() []bbCase {
	cases := []bbCase{
		// 2.1 Token parsing, on the protected view.
		{name: "row 01 alg none, empty signature", req: withJWT(unsigned(`{"typ":"JWT","alg":"none"}`, f.good)), status: 401, body: detail(msgIncorrect)},
		{name: "row 02 alg None", req: withJWT(unsigned(`{"typ":"JWT","alg":"None"}`, f.good)), status: 401, body: detail(msgIncorrect)},
		{name: "row 02 alg NONE", req: withJWT(unsigned(`{"typ":"JWT","alg":"NONE"}`, f.good)), status: 401, body: detail(msgIncorrect)},
		{name: "row 02 alg nOnE", req: withJWT(unsigned(`{"typ":"JWT","alg":"nOnE"}`, f.good)), status: 401, body: detail(msgIncorrect)},
		{name: "row 03 alg none with a valid HS256 MAC", req: withJWT(f.signedHdr(`{"typ":"JWT","alg":"none"}`)), status: 401, body: detail(msgIncorrect)},
		{name: "row 04 alg hs256 with the right MAC", req: withJWT(f.signedHdr(`{"typ":"JWT","alg":"hs256"}`)), status: 401, body: detail(msgIncorrect)},
		{name: "row 04 alg HS256 with a trailing space", req: withJWT(f.signedHdr(`{"typ":"JWT","alg":"HS256 "}`)), status: 401, body: detail(msgIncorrect)},
		{name: "row 05 HS512 with the right secret", req: withJWT(testkit.SignHS(sha512.New, bbSecret, `{"typ":"JWT","alg":"HS512"}`, f.good)), status: 401, body: detail(msgIncorrect)},
		{name: "row 05 HS384 with the right secret", req: withJWT(testkit.SignHS(sha512.New384, bbSecret, `{"typ":"JWT","alg":"HS384"}`, f.good)), status: 401, body: detail(msgIncorrect)},
		{name: "row 06 RS256 header, HMAC keyed with a public-key PEM", req: withJWT(testkit.SignHS(sha256.New, f.pemPublic, `{"typ":"JWT","alg":"RS256"}`, f.good)), status: 401, body: detail(msgIncorrect)},
		{name: "row 06 HS256 keyed with a public-key PEM", req: withJWT(testkit.SignHS(sha256.New, f.pemPublic, testkit.DRFHeader, f.good)), status: 401, body: detail(msgDecoding)},
		{name: "row 07 wrong secret", req: withJWT(testkit.SignHS(sha256.New, "another-secret-another-secret-another", testkit.DRFHeader, f.good)), status: 401, body: detail(msgDecoding)},
		{name: "row 07 empty-key MAC", req: withJWT(testkit.SignHS(sha256.New, "", testkit.DRFHeader, f.good)), status: 401, body: detail(msgDecoding)},
		{name: "row 07 signature stripped", req: withJWT(f.sigless), status: 401, body: detail(msgDecoding)},
		{name: "row 07 payload swapped after signing", req: withJWT(f.swapped), status: 401, body: detail(msgDecoding)},
		{name: "row 08 alg missing", req: withJWT(f.signedHdr(`{"typ":"JWT"}`)), status: 401, body: detail(msgIncorrect)},
		{name: "row 08 alg not a string", req: withJWT(f.signedHdr(`{"typ":"JWT","alg":256}`)), status: 401, body: detail(msgIncorrect)},
		{name: "row 08 header an array", req: withJWT(f.signedHdr(`["HS256"]`)), status: 401, body: detail(msgDecoding)},
		{name: "row 08 header not JSON", req: withJWT(f.signedHdr(`{alg:HS256}`)), status: 401, body: detail(msgDecoding)},
		{name: "row 09 crit naming an extension", req: withJWT(f.signedHdr(`{"typ":"JWT","alg":"HS256","crit":["exp"],"exp":1}`)), status: 401, body: detail(msgIncorrect)},
		{name: "row 09 crit empty", req: withJWT(f.signedHdr(`{"typ":"JWT","alg":"HS256","crit":[]}`)), status: 401, body: detail(msgIncorrect)},
		// A lookup of these kid values would give the empty key or the
		// attacker's: tokens MACed with those fail.
		{name: "row 10 kid with path traversal, MAC with the empty key", req: withJWT(testkit.SignHS(sha256.New, "", `{"typ":"JWT","alg":"HS256","kid":"../../../../../../dev/null"}`, f.good)), status: 401, body: detail(msgDecoding)},
		{name: "row 10 kid with SQL, MAC with the key it would select", req: withJWT(testkit.SignHS(sha256.New, attackerKey, `{"typ":"JWT","alg":"HS256","kid":"x' UNION SELECT '`+attackerKey+`' --"}`, f.good)), status: 401, body: detail(msgDecoding)},
		// kid is not read at all: with the server's own MAC it changes nothing.
		{name: "row 10 kid with path traversal, MAC with the server's secret", req: withJWT(f.signedHdr(`{"typ":"JWT","alg":"HS256","kid":"../../../../../../dev/null"}`)), status: 200, body: protectedOK},
		{name: "row 11 jku pointing at a listener", req: withJWT(f.attacker(`{"typ":"JWT","alg":"HS256","jku":"` + f.jwksURL + `"}`)), status: 401, body: detail(msgDecoding)},
		{name: "row 11 x5u pointing at a listener", req: withJWT(f.attacker(`{"typ":"JWT","alg":"HS256","x5u":"` + f.jwksURL + `"}`)), status: 401, body: detail(msgDecoding)},
		{name: "row 11 embedded jwk", req: withJWT(f.attacker(`{"typ":"JWT","alg":"HS256","jwk":{"kty":"oct","k":"` + b64(attackerKey) + `"}}`)), status: 401, body: detail(msgDecoding)},
		{name: "row 11 x5c", req: withJWT(f.attacker(`{"typ":"JWT","alg":"HS256","x5c":["` + base64.StdEncoding.EncodeToString([]byte(f.pemPublic)) + `"]}`)), status: 401, body: detail(msgDecoding)},
		{name: "row 11 jku and x5u with RS256", req: withJWT(f.attacker(`{"typ":"JWT","alg":"RS256","jku":"` + f.jwksURL + `","x5u":"` + f.jwksURL + `"}`)), status: 401, body: detail(msgIncorrect)},
		{name: "row 11 jku on verify", req: postJSON(verifyPath, tokenJSON(f.attacker(`{"typ":"JWT","alg":"HS256","jku":"`+f.jwksURL+`"}`))), status: 400, body: nonField(msgDecoding)},
		{name: "row 11 x5u on refresh", req: postJSON(refreshPath, tokenJSON(f.attacker(`{"typ":"JWT","alg":"HS256","x5u":"`+f.jwksURL+`"}`))), status: 400, body: nonField(msgDecoding)},
		{name: "row 13 character outside base64url", req: withJWT(strings.Replace(f.valid, ".", ".!", 1)), status: 401, body: detail(msgDecoding)},
		{name: "row 13 padding", req: withJWT(strings.Replace(f.valid, ".", "=.", 1)), status: 401, body: detail(msgDecoding)},
		{name: "row 13 standard alphabet", req: withJWT(strings.NewReplacer("-", "+", "_", "/").Replace(f.valid) + "+/"), status: 401, body: detail(msgDecoding)},
		{name: "row 13 flipped trailing bits", req: withJWT(f.flipped), status: 401, body: detail(msgDecoding)},
		{name: "row 14 header with trailing garbage", req: withJWT(f.signedHdr(testkit.DRFHeader + "x")), status: 401, body: detail(msgDecoding)},
		{name: "row 14 header with a BOM", req: withJWT(f.signedHdr("\ufeff" + testkit.DRFHeader)), status: 401, body: detail(msgDecoding)},
		{name: "row 14 payload not JSON", req: withJWT(signed(`{"exp":}`)), status: 401, body: detail(msgDecoding)},
		{name: "row 14 payload a JSON array", req: withJWT(signed(`[1]`)), status: 401, body: detail(msgDecoding)},
		{name: "row 14 payload with trailing garbage", req: withJWT(signed(f.good + `{}`)), status: 401, body: detail(msgDecoding)},
		{name: "row 14 payload with a BOM", req: withJWT(signed("\ufeff" + f.good)), status: 401, body: detail(msgDecoding)},
		{name: "row 15 raw JSON instead of a JWS", req: withJWT(f.good), status: 401, body: detail(msgDecoding)},
		{name: "row 15 two segments", req: withJWT(f.valid[:strings.LastIndexByte(f.valid, '.')]), status: 401, body: detail(msgDecoding)},
		{name: "row 15 five segments (JWE)", req: withJWT(f.valid + ".e30.e30"), status: 401, body: detail(msgDecoding)},
		{name: "row 15 non-ASCII", req: withJWT(f.valid + "é"), status: 401, body: detail(msgDecoding)},
		{name: "row 16 duplicate alg, HS256 then none", req: withJWT(f.signedHdr(`{"alg":"HS256","alg":"none"}`)), status: 401, body: detail(msgDecoding)},
		{name: "row 16 duplicate exp, future then past", req: withJWT(signed(f.claims(`,"exp":` + f.fut + `,"exp":1`))), status: 401, body: detail(msgDecoding)},
		{name: "row 17 EXP does not stand for exp", req: withJWT(signed(f.claims(`,"EXP":` + f.fut))), status: 401, body: detail(msgIncorrect)},
		{name: "row 17 USERNAME does not override username", req: withJWT(signed(`{"user_id":9,"username":"ghost","USERNAME":"admin","exp":` + f.fut + `}`)), status: 401, body: detail(msgInvalidSig)},
		{name: "row 18 exp a numeric string", req: withJWT(signed(f.claims(`,"exp":"` + f.fut + `"`))), status: 401, body: detail(msgDecoding)},
		{name: "row 18 exp a float in the future", req: withJWT(signed(f.claims(`,"exp":` + f.fut + `.75`))), status: 200, body: protectedOK},
		{name: "row 18 exp 1e400", req: withJWT(signed(f.claims(`,"exp":1e400`))), status: 401, body: detail(msgDecoding)},
		{name: "row 18 exp 1e300", req: withJWT(signed(f.claims(`,"exp":1e300`))), status: 401, body: detail(msgDecoding)},
		{name: "row 18 exp 0", req: withJWT(signed(f.claims(`,"exp":0`))), status: 401, body: detail(msgExpired)},
		{name: "row 18 exp negative", req: withJWT(signed(f.claims(`,"exp":-5`))), status: 401, body: detail(msgExpired)},
		{name: "row 18 exp null", req: withJWT(signed(f.claims(`,"exp":null`))), status: 401, body: detail(msgDecoding)},
		{name: "row 18 exp Infinity", req: withJWT(signed(f.claims(`,"exp":Infinity`))), status: 401, body: detail(msgDecoding)},
		{name: "row 18 exp true", req: withJWT(signed(f.claims(`,"exp":true`))), status: 401, body: detail(msgDecoding)},
		{name: "row 18 exp absent", req: withJWT(signed(f.claims(``))), status: 401, body: detail(msgIncorrect)},
		{name: "row 19 exp now-10 s", req: withJWT(f.expiredTok), status: 401, body: detail(msgExpired)},
		{name: "row 21 nbf in the future", req: withJWT(signed(f.claims(`,"exp":` + f.fut + `,"nbf":` + num(f.now+1800)))), status: 401, body: detail(msgIncorrect)},
		{name: "row 21 nbf in the past", req: withJWT(signed(f.claims(`,"exp":` + f.fut + `,"nbf":` + num(f.now-60)))), status: 200, body: protectedOK},
		{name: "row 21 iat in the future is recorded, not refused", req: withJWT(signed(f.claims(`,"exp":` + f.fut + `,"iat":` + num(f.now+1800)))), status: 200, body: protectedOK},
		{name: "row 21 iat not a number", req: withJWT(signed(f.claims(`,"exp":` + f.fut + `,"iat":"abc"`))), status: 401, body: detail(msgDecoding)},
		{name: "row 22 aud a string, no audience configured", req: withJWT(signed(f.claims(`,"exp":` + f.fut + `,"aud":"x"`))), status: 401, body: detail(msgIncorrect)},
		{name: "row 22 aud an array, no audience configured", req: withJWT(signed(f.claims(`,"exp":` + f.fut + `,"aud":["x"]`))), status: 401, body: detail(msgIncorrect)},
		{name: "row 22 aud empty, no audience configured", req: withJWT(signed(f.claims(`,"exp":` + f.fut + `,"aud":[]`))), status: 401, body: detail(msgIncorrect)},
		{name: "row 25 username missing", req: withJWT(signed(`{"user_id":1,"exp":` + f.fut + `}`)), status: 401, body: detail(msgPayload)},
		{name: "row 25 username unknown", req: withJWT(f.ghostTok), status: 401, body: detail(msgInvalidSig)},
		{name: "row 25 username a number", req: withJWT(signed(`{"user_id":1,"username":1,"exp":` + f.fut + `}`)), status: 401, body: detail(msgPayload)},
		{name: "row 25 username null", req: withJWT(signed(`{"user_id":1,"username":null,"exp":` + f.fut + `}`)), status: 401, body: detail(msgPayload)},
		{name: "row 25 user_id of another account", req: withJWT(signed(`{"user_id":2,"username":"admin","exp":` + f.fut + `}`)), status: 401, body: detail(msgInvalidSig)},
		{name: "row 26 user inactive", req: withJWT(f.inactiveTok), status: 401, body: detail(msgDisabled)},

		// 2.2 Transport.
		{name: "row 27 no header, no cookie", req: get(), status: 401, body: detail(msgNotProvided)},
		{name: "row 28 Bearer on a JWT server", req: get("Authorization", "Bearer "+f.valid), status: 401, body: detail(msgNotProvided)},
		{name: "row 28 unknown scheme Digest", req: get("Authorization", "Digest abc"), status: 401, body: detail(msgNotProvided)},
		// This server also takes HTTP Basic (seed 000's chain), so Basic
		// is one of its schemes, answered as DRF's BasicAuthentication.
		{name: "row 28 Basic is this server's second scheme", req: get("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("admin:wrong-password"))), status: 401, body: detail(msgBasic)},
		{name: "row 28 Basic with the right password", req: get("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("admin:"+bbAdminPW))), status: 200, body: protectedOK},
		{name: "row 29 prefix jwt", req: get("Authorization", "jwt "+f.valid), status: 200, body: protectedOK},
		{name: "row 29 prefix Jwt", req: get("Authorization", "Jwt "+f.valid), status: 200, body: protectedOK},
		{name: "row 30 two spaces", req: get("Authorization", "JWT  "+f.valid), status: 200, body: protectedOK},
		{name: "row 30 a tab", req: get("Authorization", "JWT\t"+f.valid), status: 200, body: protectedOK},
		{name: "row 31 JWT a b", req: get("Authorization", "JWT a b"), status: 401, body: detail(msgSpaces)},
		{name: "row 31 JWT alone", req: get("Authorization", "JWT"), status: 401, body: detail(msgNoCreds)},
		{name: "row 31 JWT glued to the token", req: get("Authorization", "JWT"+f.valid), status: 401, body: detail(msgNotProvided)},
		{name: "row 32 two headers, valid first", req: get("Authorization", "JWT "+f.valid, "Authorization", "Bearer x"), status: 401, body: detail(msgSpaces)},
		{name: "row 32 two headers, valid second", req: get("Authorization", "Bearer x", "Authorization", "JWT "+f.valid), status: 401, body: detail(msgSpaces)},
		{name: "row 32 the same valid header twice", req: get("Authorization", "JWT "+f.valid, "Authorization", "JWT "+f.valid), status: 401, body: detail(msgSpaces)},
		{name: "row 34 cookie only, cookie mode off", req: get("Cookie", "jwt="+f.valid+"; __Host-jwt="+f.valid), status: 401, body: detail(msgNotProvided)},
		{name: "row 35 token in the query string", req: request{method: "GET", target: "/api/protected/?token=" + f.valid}, status: 401, body: detail(msgNotProvided)},
		{name: "row 35 jwt in the query string", req: request{method: "GET", target: "/api/protected/?jwt=" + f.valid + "&Authorization=JWT%20" + f.valid}, status: 401, body: detail(msgNotProvided)},
		{name: "row 36 lower-case header name", req: get("authorization", "JWT "+f.valid), status: 200, body: protectedOK},
		{name: "row 36 upper-case header name", req: get("AUTHORIZATION", "JWT "+f.valid), status: 200, body: protectedOK},
		{name: "row 36 non-ASCII bytes in the value", req: get("Authorization", "JWT tökén"), status: 401, body: detail(msgDecoding)},
		{name: "row 36 bytes that are not UTF-8 in the value", req: get("Authorization", "JWT \xff\xfe"+f.valid), status: 401, body: detail(msgDecoding)},

		// 2.3 Handlers.
		{name: "row 39 wrong password", req: postJSON(obtainPath, login("wrong-password")), status: 400, body: nonField(msgUnable)},
		{name: "row 39 unknown user", req: postJSON(obtainPath, loginJSON("ghost", bbAdminPW)), status: 400, body: nonField(msgUnable)},
		{name: "row 39 inactive user, right password", req: postJSON(obtainPath, loginJSON("inactive", bbInactivePW)), status: 400, body: nonField(msgUnable)},
		{name: "row 39 right password", req: postJSON(obtainPath, login(bbAdminPW)), status: 200, body: tokenAnswer, more: noCookie},
		{name: "row 41 missing username", req: postJSON(obtainPath, `{"password":"`+bbAdminPW+`"}`), status: 400, body: `{"username":["This field is required."]}`},
		{name: "row 41 missing password", req: postJSON(obtainPath, `{"username":"admin"}`), status: 400, body: `{"password":["This field is required."]}`},
		{name: "row 41 both missing", req: postJSON(obtainPath, `{}`), status: 400, body: bothRequired},
		{name: "row 41 blank username", req: postJSON(obtainPath, loginJSON("   ", bbAdminPW)), status: 400, body: `{"username":["This field may not be blank."]}`},
		{name: "row 41 blank password", req: postJSON(obtainPath, login("")), status: 400, body: `{"password":["This field may not be blank."]}`},
		{name: "row 41 null username", req: postJSON(obtainPath, `{"username":null,"password":"`+bbAdminPW+`"}`), status: 400, body: `{"username":["This field may not be null."]}`},
		{name: "row 41 object username", req: postJSON(obtainPath, `{"username":{"a":1},"password":"`+bbAdminPW+`"}`), status: 400, body: `{"username":["Not a valid string."]}`},
		{name: "row 41 array password", req: postJSON(obtainPath, `{"username":"admin","password":["`+bbAdminPW+`"]}`), status: 400, body: `{"password":["Not a valid string."]}`},
		{name: "row 42 malformed JSON", req: postJSON(obtainPath, `{`), status: 400, body: detail("JSON parse error - Expecting property name enclosed in double quotes: line 1 column 2 (char 1)")},
		{name: "row 42 JSON with trailing garbage", req: postJSON(obtainPath, `{} x`), status: 400, body: detail("JSON parse error - Extra data: line 1 column 4 (char 3)")},
		// Python's parser gives up on the depth; so does Go's, somewhere.
		{name: "row 42 20 000-deep nesting", req: postJSON(obtainPath, `{"username":`+strings.Repeat("[", 20000)), status: 400, body: `{"detail":"JSON parse error - `, prefix: true},
		// 100 000 bytes of nesting are over the 64 KiB body cap, which
		// answers first.
		{name: "row 42 100 000-deep nesting", req: postJSON(obtainPath, strings.Repeat("[", 100000)), status: 413, body: detail(msgTooLarge)},
		{name: "row 43 form urlencoded", req: postRaw(obtainPath, "application/x-www-form-urlencoded", "username=admin&password="+bbAdminPW), status: 200, body: tokenAnswer},
		{name: "row 43 multipart", req: postRaw(obtainPath, "multipart/form-data; boundary=XYZ", "--XYZ\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\nadmin\r\n--XYZ\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\n"+bbAdminPW+"\r\n--XYZ--\r\n"), status: 200, body: tokenAnswer},
		{name: "row 44 JSON sent as text/plain", req: postRaw(obtainPath, "text/plain", login(bbAdminPW)), status: 415, body: detail(`Unsupported media type "text/plain" in request.`)},
		{name: "row 44 JSON without a content type", req: postRaw(obtainPath, "", login(bbAdminPW)), status: 415, body: detail(`Unsupported media type "" in request.`)},
		{name: "row 44 no content type, empty body", req: postRaw(obtainPath, "", ""), status: 400, body: bothRequired},
		{name: "row 46 body of 100 KiB", req: postJSON(obtainPath, login(strings.Repeat("x", 100<<10))), status: 413, body: detail(msgTooLarge)},
		{name: "row 47 password with a trailing space", req: postJSON(obtainPath, login(bbAdminPW+" ")), status: 400, body: nonField(msgUnable)},
		{name: "row 47 password in upper case", req: postJSON(obtainPath, login(strings.ToUpper(bbAdminPW))), status: 400, body: nonField(msgUnable)},
		{name: "row 47 password with a NUL", req: postJSON(obtainPath, `{"username":"admin","password":"`+bbAdminPW+`\u0000"}`), status: 400, body: `{"password":["Null characters are not allowed."]}`},
		{name: "row 49 username Admin", req: postJSON(obtainPath, loginJSON("Admin", bbAdminPW)), status: 400, body: nonField(msgUnable)},
		{name: "row 49 username with a Cyrillic a", req: postJSON(obtainPath, loginJSON("\u0430dmin", bbAdminPW)), status: 400, body: nonField(msgUnable)},
		{name: "row 49 username in fullwidth letters", req: postJSON(obtainPath, loginJSON("ａｄｍｉｎ", bbAdminPW)), status: 400, body: nonField(msgUnable)},
		{name: "row 50 extra fields ignored", req: postJSON(obtainPath, `{"username":"admin","password":"`+bbAdminPW+`","is_superuser":true,"user_id":99,"exp":1,"orig_iat":1}`), status: 200, body: tokenAnswer,
			more: func(t *testing.T, a answer) {
				c := issuedClaims(t, a.body)
				exp, _ := c["exp"].(float64)
				orig, _ := c["orig_iat"].(float64)
				// The jti is the server's own (revocation is on): 128 random
				// bits, 22 characters of base64url.
				jti, _ := c["jti"].(string)
				if len(c) != 6 || c["user_id"] != 1.0 || c["username"] != "admin" || c["email"] != "admin@example.com" || int64(exp) < f.now+300 || int64(orig) < f.now || len(jti) != 22 {
					t.Errorf("claims %v, want exactly user_id 1, username, email, a fresh exp and orig_iat, and a jti", c)
				}
			}},
		{name: "row 53 verify valid", req: postJSON(verifyPath, tokenJSON(f.valid)), status: 200, body: tokenJSON(f.valid)},
		{name: "row 53 verify garbage", req: postJSON(verifyPath, tokenJSON("abc")), status: 400, body: nonField(msgDecoding)},
		{name: "row 53 verify empty", req: postJSON(verifyPath, tokenJSON("")), status: 400, body: `{"token":["This field may not be blank."]}`},
		{name: "row 53 verify null", req: postJSON(verifyPath, `{"token":null}`), status: 400, body: `{"token":["This field may not be null."]}`},
		{name: "row 53 verify a number", req: postJSON(verifyPath, `{"token":123}`), status: 400, body: nonField(msgDecoding)},
		{name: "row 53 verify expired", req: postJSON(verifyPath, tokenJSON(f.expiredTok)), status: 400, body: nonField(msgExpired)},
		{name: "row 53 verify alg none", req: postJSON(verifyPath, tokenJSON(unsigned(`{"typ":"JWT","alg":"none"}`, f.good))), status: 400, body: nonField(msgInvalidTok)},
		{name: "row 53 verify aud, none configured", req: postJSON(verifyPath, tokenJSON(signed(f.claims(`,"exp":`+f.fut+`,"aud":"x"`)))), status: 400, body: nonField(msgInvalidTok)},
		{name: "row 53 verify nbf in the future", req: postJSON(verifyPath, tokenJSON(signed(f.claims(`,"exp":`+f.fut+`,"nbf":`+num(f.now+1800))))), status: 400, body: nonField(msgInvalidTok)},
		{name: "row 53 verify unknown user", req: postJSON(verifyPath, tokenJSON(f.ghostTok)), status: 400, body: nonField(msgNoUser)},
		{name: "row 53 verify crit", req: postJSON(verifyPath, tokenJSON(f.signedHdr(`{"typ":"JWT","alg":"HS256","crit":["exp"],"exp":1}`))), status: 400, body: nonField(msgInvalidTok)},
		// A line break cannot travel inside a header; in a body it can.
		{name: "row 13 verify CR LF inside the token", req: postJSON(verifyPath, tokenJSON(strings.Replace(f.valid, ".", ".\r\n", 1))), status: 400, body: nonField(msgDecoding)},

		// 2.4 Refresh.
		{name: "row 54 refresh valid", req: postJSON(refreshPath, tokenJSON(f.valid)), status: 200, body: tokenAnswer, more: f.refreshed(f.now)},
		{name: "row 55 refresh expired, orig_iat inside the window", req: postJSON(refreshPath, tokenJSON(f.expiredTok)), status: 400, body: nonField(msgExpired)},
		{name: "row 56 refresh orig_iat older than the window", req: postJSON(refreshPath, tokenJSON(f.withOrigIAT(num(f.now-week-3600)))), status: 400, body: nonField(msgRefreshExp)},
		{name: "row 57 refresh orig_iat missing", req: postJSON(refreshPath, tokenJSON(signed(f.claims(`,"exp":`+f.fut)))), status: 400, body: nonField(msgOrigIAT)},
		{name: "row 57 refresh orig_iat 0", req: postJSON(refreshPath, tokenJSON(f.withOrigIAT("0"))), status: 400, body: nonField(msgOrigIAT)},
		{name: "row 57 refresh orig_iat null", req: postJSON(refreshPath, tokenJSON(f.withOrigIAT("null"))), status: 400, body: nonField(msgOrigIAT)},
		{name: "row 57 refresh orig_iat a string", req: postJSON(refreshPath, tokenJSON(f.withOrigIAT(`"abc"`))), status: 400, body: nonField(msgOrigIAT)},
		{name: "row 57 refresh orig_iat a digit string", req: postJSON(refreshPath, tokenJSON(f.withOrigIAT(`"`+num(f.now)+`"`))), status: 400, body: nonField(msgOrigIAT)},
		{name: "row 58 refresh orig_iat in the future", req: postJSON(refreshPath, tokenJSON(f.withOrigIAT(num(f.now+1800)))), status: 400, body: nonField(msgInvalidTok)},
		{name: "row 59 refresh near the end of the window: exp capped", req: postJSON(refreshPath, tokenJSON(f.withOrigIAT(num(f.now-week+100)))), status: 200, body: tokenAnswer,
			more: func(t *testing.T, a answer) {
				f.refreshed(f.now-week+100)(t, a)
				if exp := issuedClaims(t, a.body)["exp"]; exp != float64(f.now+100) {
					t.Errorf("exp %v, want orig_iat + 7 days = %d", exp, f.now+100)
				}
			}},
		{name: "row 60 refresh for an inactive user", req: postJSON(refreshPath, tokenJSON(f.inactiveTok)), status: 400, body: nonField(msgDisabled)},
		{name: "row 60 refresh for an unknown user", req: postJSON(refreshPath, tokenJSON(f.ghostTok)), status: 400, body: nonField(msgNoUser)},
		{name: "row 61 refresh alg none", req: postJSON(refreshPath, tokenJSON(unsigned(`{"typ":"JWT","alg":"none"}`, f.good))), status: 400, body: nonField(msgInvalidTok)},
		{name: "row 61 refresh wrong secret", req: postJSON(refreshPath, tokenJSON(testkit.SignHS(sha256.New, "another-secret-another-secret-another", testkit.DRFHeader, f.good))), status: 400, body: nonField(msgDecoding)},
		{name: "row 61 refresh aud, none configured", req: postJSON(refreshPath, tokenJSON(signed(f.claims(`,"exp":`+f.fut+`,"orig_iat":`+num(f.now)+`,"aud":"x"`)))), status: 400, body: nonField(msgInvalidTok)},
		{name: "row 61 refresh nbf in the future", req: postJSON(refreshPath, tokenJSON(signed(f.claims(`,"exp":`+f.fut+`,"orig_iat":`+num(f.now)+`,"nbf":`+num(f.now+1800))))), status: 400, body: nonField(msgInvalidTok)},
		{name: "row 61 refresh crit", req: postJSON(refreshPath, tokenJSON(f.signedHdr(`{"typ":"JWT","alg":"HS256","crit":["exp"],"exp":1}`))), status: 400, body: nonField(msgInvalidTok)},

		// 2.5 Cookies and CSRF.
		{name: "row 63 default settings: obtain sets no cookie", req: postJSON(obtainPath, login(bbAdminPW)), status: 200, body: tokenAnswer, more: noCookie},
		{name: "row 63 default settings: a cross-site login is an API client's", req: postRaw(obtainPath, "application/x-www-form-urlencoded", "username=admin&password="+bbAdminPW, "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"), status: 200, body: tokenAnswer, more: noCookie},
	}
	for _, path := range []string{obtainPath, verifyPath, refreshPath} {
		for _, method := range []string{"GET", "PUT"} {
			cases = append(cases, bbCase{name: "row 45 " + method + " " + path, req: request{method: method, target: path, header: []string{"Content-Type", "application/json"}, body: login(bbAdminPW)},
				status: 405, body: detail(`Method "` + method + `" not allowed.`)})
		}
	}
	if !testing.Short() { // the multi-megabyte rows
		cases = append(cases,
			bbCase{name: "row 12 600 KB junk token", req: withJWT(strings.Repeat("eyJhbGciOi", 60000)), status: 401, body: detail(msgDecoding), fast: true},
			bbCase{name: "row 12 500 000 dots", req: withJWT(strings.Repeat(".", 500000)), status: 401, body: detail(msgDecoding), fast: true},
			bbCase{name: "row 12 2 MiB header", req: bigHeader(2 << 20), status: 431, body: "431 Request Header Fields Too Large", fast: true},
			// Just over 1 MiB (net/http allows 4 KiB of slack): the cap is
			// MaxHeaderBytes, not something larger.
			bbCase{name: "row 37 header just over 1 MiB", req: bigHeader(1<<20 + 8<<10), status: 431, body: "431 Request Header Fields Too Large", fast: true},
			bbCase{name: "row 46 10 MiB password", req: postJSON(obtainPath, login(strings.Repeat("p", 10<<20))), status: 413, body: detail(msgTooLarge), fast: true},
			bbCase{name: "row 46 2 MiB token in a verify body", req: postJSON(verifyPath, tokenJSON(strings.Repeat("eyJhbGciOi", 200<<10))), status: 413, body: detail(msgTooLarge), fast: true},
		)
	}
	return append(cases,
		bbCase{name: "row 39 failed logins are byte-identical", custom: byteIdenticalFailures},
		bbCase{name: "row 74 two concurrent refreshes of one token", custom: f.concurrentRefreshes},
		bbCase{name: "row 59 refresh chain keeps orig_iat", custom: f.refreshChain},
	)
}

// audienceIssuerCases are asked of the server with JWT_AUDIENCE=api and
// JWT_ISSUER=https://a, whose one user is admin.
func (f *bbFixture) audienceIssuerCases() []bbCase {
	return []bbCase{
		{name: "row 23 aud missing, api configured", req: withJWT(f.audIss(`,"iss":"https://a"`)), status: 401, body: detail(msgIncorrect)},
		{name: "row 23 aud api", req: withJWT(f.audIss(`,"aud":"api","iss":"https://a"`)), status: 200, body: protectedOK},
		{name: "row 23 aud [x, api]", req: withJWT(f.audIss(`,"aud":["x","api"],"iss":"https://a"`)), status: 200, body: protectedOK},
		{name: "row 23 aud ap", req: withJWT(f.audIss(`,"aud":"ap","iss":"https://a"`)), status: 401, body: detail(msgIncorrect)},
		{name: "row 23 aud API", req: withJWT(f.audIss(`,"aud":"API","iss":"https://a"`)), status: 401, body: detail(msgIncorrect)},
		{name: "row 23 aud 5", req: withJWT(f.audIss(`,"aud":5,"iss":"https://a"`)), status: 401, body: detail(msgIncorrect)},
		{name: "row 24 iss missing, issuer configured", req: withJWT(f.audIss(`,"aud":"api"`)), status: 401, body: detail(msgIncorrect)},
		{name: "row 24 iss exact", req: withJWT(f.audIss(`,"aud":"api","iss":"https://a"`)), status: 200, body: protectedOK},
		{name: "row 24 iss with a slash more", req: withJWT(f.audIss(`,"aud":"api","iss":"https://a/"`)), status: 401, body: detail(msgIncorrect)},
		{name: "row 24 iss a substring", req: withJWT(f.audIss(`,"aud":"api","iss":"https://"`)), status: 401, body: detail(msgIncorrect)},
		{name: "row 24 the server's own tokens carry aud and iss", req: postJSON(obtainPath, login(bbAdminPW)), status: 200, body: tokenAnswer,
			more: func(t *testing.T, a answer) {
				if c := issuedClaims(t, a.body); c["aud"] != "api" || c["iss"] != "https://a" {
					t.Errorf("claims %v, want aud api and iss https://a", c)
				}
			}},
	}
}

// cookieCases are asked of the server in cookie mode (JWT_AUTH_COOKIE,
// with a trusted origin), whose one user is admin.
func (f *bbFixture) cookieCases() []bbCase {
	return []bbCase{
		{name: "row 33 header valid, cookie garbage", req: get("Authorization", "JWT "+f.valid, "Cookie", "__Host-jwt=garbage"), status: 200, body: protectedOK},
		{name: "row 33 header invalid, cookie valid: no fallback", req: get("Authorization", "JWT abc123", "Cookie", "__Host-jwt="+f.valid), status: 401, body: detail(msgDecoding)},
		{name: "row 33 cookie only, cookie mode on", req: get("Cookie", "__Host-jwt="+f.valid), status: 200, body: protectedOK},
		{name: "row 64 cookie attributes", req: postJSON(obtainPath, login(bbAdminPW)), status: 200, body: tokenAnswer,
			more: func(t *testing.T, a answer) {
				sc := a.header.Values("Set-Cookie")
				if len(sc) != 1 {
					t.Fatalf("Set-Cookie %q, want one", sc)
				}
				c, err := http.ParseSetCookie(sc[0])
				if err != nil {
					t.Fatal(err)
				}
				var token struct{ Token string }
				_ = json.Unmarshal([]byte(a.body), &token)
				if c.Name != "__Host-jwt" || c.Value != token.Token || !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteLaxMode ||
					c.Path != "/" || c.Domain != "" || c.MaxAge != 300 {
					t.Errorf("Set-Cookie %q: want __Host-jwt=<the token>; HttpOnly; Secure; SameSite=Lax; Path=/; Max-Age=300", sc[0])
				}
			}},
		{name: "row 65 cookie, cross-site POST", req: request{"POST", "/api/protected/", []string{"Cookie", "__Host-jwt=" + f.valid, "Sec-Fetch-Site", "cross-site"}, ""}, status: 403, body: detail(msgCSRF)},
		{name: "row 65 cookie, same-site DELETE", req: request{"DELETE", "/api/protected/", []string{"Cookie", "__Host-jwt=" + f.valid, "Sec-Fetch-Site", "same-site"}, ""}, status: 403, body: detail(msgCSRF)},
		{name: "row 65 cookie, foreign Origin", req: request{"PUT", "/api/protected/", []string{"Cookie", "__Host-jwt=" + f.valid, "Origin", "https://evil.example"}, ""}, status: 403,
			body: detail("CSRF Failed: Origin checking failed - https://evil.example does not match any trusted origins.")},
		// Past the CSRF check, the view answers its 405 (it allows GET).
		{name: "row 65 cookie, same-origin POST passes", req: request{"POST", "/api/protected/", []string{"Cookie", "__Host-jwt=" + f.valid, "Sec-Fetch-Site", "same-origin"}, ""}, status: 405, body: detail(`Method "POST" not allowed.`)},
		{name: "row 65 cookie, trusted origin passes", req: request{"POST", "/api/protected/", []string{"Cookie", "__Host-jwt=" + f.valid, "Sec-Fetch-Site", "cross-site", "Origin", "https://app.example.com"}, ""}, status: 405, body: detail(`Method "POST" not allowed.`)},
		{name: "row 65 cookie, cross-site GET is safe", req: get("Cookie", "__Host-jwt="+f.valid, "Sec-Fetch-Site", "cross-site"), status: 200, body: protectedOK},
		{name: "row 65 header, cross-site POST is not CSRF", req: request{"POST", "/api/protected/", []string{"Authorization", "JWT " + f.valid, "Sec-Fetch-Site", "cross-site"}, ""}, status: 405, body: detail(`Method "POST" not allowed.`)},
		{name: "row 66 cross-site form login", req: postRaw(obtainPath, "application/x-www-form-urlencoded", "username=admin&password="+bbAdminPW, "Sec-Fetch-Site", "cross-site"), status: 403, body: detail(msgCSRF), more: noCookie},
		{name: "row 66 cross-site form refresh", req: postRaw(refreshPath, "application/x-www-form-urlencoded", "token="+f.valid, "Sec-Fetch-Site", "cross-site"), status: 403, body: detail(msgCSRF), more: noCookie},
		{name: "row 66 foreign Origin login", req: postRaw(obtainPath, "application/x-www-form-urlencoded", "username=admin&password="+bbAdminPW, "Origin", "https://evil.example"), status: 403,
			body: detail("CSRF Failed: Origin checking failed - https://evil.example does not match any trusted origins."), more: noCookie},
		// Two copies (one tossed in from a sibling subdomain): Django would
		// read the last, net/http the first; refused either way.
		{name: "row 67 two cookies, garbage first", req: get("Cookie", "__Host-jwt=garbage; __Host-jwt="+f.valid), status: 401, body: detail("Incorrect authentication credentials.")},
		{name: "row 67 two cookies, valid first", req: get("Cookie", "__Host-jwt="+f.valid+"; __Host-jwt=garbage"), status: 401, body: detail("Incorrect authentication credentials.")},
		{name: "row 68 verify reads the body, not the cookie", req: postJSON(verifyPath, `{}`, "Cookie", "__Host-jwt="+f.valid), status: 400, body: `{"token":["This field is required."]}`, more: noCookie},
		{name: "row 68 refresh reads the body, not the cookie", req: postJSON(refreshPath, `{}`, "Cookie", "__Host-jwt="+f.valid), status: 400, body: `{"token":["This field is required."]}`, more: noCookie},
	}
}

// rotationCases are asked, in order, of the server with a rotated secret
// (bbSecret kept as the previous one) and a login throttle of 2/min per
// username.
func (f *bbFixture) rotationCases() []bbCase {
	fresh := testkit.SignHS(sha256.New, bbRotatedSecret, testkit.DRFHeader, f.good)
	return []bbCase{
		{name: "row 71 token of the current key", req: withJWT(fresh), status: 200, body: `{"user_id":1,"username":"admin"}`},
		{name: "row 71 token of the retired key", req: withJWT(f.valid), status: 200, body: `{"user_id":1,"username":"admin"}`},
		{name: "row 71 retired key, kid naming no key", req: withJWT(hs256(`{"typ":"JWT","alg":"HS256","kid":"../../etc/passwd"}`, f.good)), status: 200, body: `{"user_id":1,"username":"admin"}`},
		{name: "row 71 a key never configured", req: withJWT(f.attacker(testkit.DRFHeader)), status: 401, body: detail(msgDecoding)},
		{name: "row 71 kid not a string", req: withJWT(testkit.SignHS(sha256.New, bbRotatedSecret, `{"typ":"JWT","alg":"HS256","kid":7}`, f.good)), status: 401, body: detail("Incorrect authentication credentials.")},
		{name: "row 71 refresh of a retired key's token: a new one of the current key", req: postJSON(refreshPath, tokenJSON(f.valid)), status: 200, body: `{"token":"`, prefix: true,
			more: func(t *testing.T, a answer) {
				var out struct{ Token string }
				_ = json.Unmarshal([]byte(a.body), &out)
				dot := max(strings.LastIndexByte(out.Token, '.'), 0)
				if out.Token[dot:] != "."+base64.RawURLEncoding.EncodeToString(testkit.MAC(sha256.New, bbRotatedSecret, out.Token[:dot])) {
					t.Errorf("the refreshed token is not signed with the current key: %s", out.Token)
				}
			}},
		{name: "row 51 first wrong password", req: postJSON(obtainPath, login("wrong-password")), status: 400, body: nonField(msgUnable)},
		{name: "row 51 second wrong password", req: postJSON(obtainPath, login("wrong-password")), status: 400, body: nonField(msgUnable)},
		{name: "row 51 third attempt throttled", req: postJSON(obtainPath, login("wrong-password")), status: 429, body: throttledPrefix, prefix: true, more: throttledWait},
		{name: "row 51 the right password, throttled too", req: postJSON(obtainPath, login(bbAdminPW)), status: 429, body: throttledPrefix, prefix: true, more: throttledWait},
		{name: "row 51 throttled over HTTP Basic too", req: get("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("admin:"+bbAdminPW))), status: 429, body: throttledPrefix, prefix: true, more: throttledWait},
		{name: "row 51 another username is not", req: postJSON(obtainPath, loginJSON("ghost", "x")), status: 400, body: nonField(msgUnable)},
	}
}

// byteIdenticalFailures is row 39: the three failed logins are the same
// bytes, headers included (Date aside), on obtain and on HTTP Basic.
func byteIdenticalFailures(t *testing.T, s *basicServer) {
	basic := func(user, password string) request {
		return get("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(user+":"+password)))
	}
	for _, group := range [][]bbCase{
		{
			{req: postJSON(obtainPath, login("wrong-password")), status: 400, body: nonField(msgUnable)},
			{req: postJSON(obtainPath, loginJSON("ghost", bbAdminPW)), status: 400, body: nonField(msgUnable)},
			{req: postJSON(obtainPath, loginJSON("inactive", bbInactivePW)), status: 400, body: nonField(msgUnable)},
		},
		{
			{req: basic("admin", "wrong-password"), status: 401, body: detail(msgBasic)},
			{req: basic("ghost", bbAdminPW), status: 401, body: detail(msgBasic)},
			{req: basic("inactive", bbInactivePW), status: 401, body: detail(msgBasic)},
		},
	} {
		var first string
		for i, c := range group {
			a := c.run(t, s)
			a.header.Del("Date")
			var b strings.Builder
			fmt.Fprintf(&b, "%d\n", a.status)
			_ = a.header.Write(&b)
			b.WriteString(a.body)
			if i == 0 {
				first = b.String()
			} else if b.String() != first {
				t.Errorf("%s %s: answer\n%s\ndiffers from the wrong password's\n%s", c.req.method, c.req.target, b.String(), first)
			}
		}
	}
}

// concurrentRefreshes is row 74: two refreshes of one token at once both
// succeed (the server keeps no state to race on) and keep its orig_iat.
func (f *bbFixture) concurrentRefreshes(t *testing.T, s *basicServer) {
	c := bbCase{req: postJSON(refreshPath, tokenJSON(f.valid)), status: 200, body: tokenAnswer, more: f.refreshed(f.now)}
	var answers [2]answer
	var errs [2]error
	var wg sync.WaitGroup
	for i := range answers {
		wg.Go(func() { answers[i], errs[i] = s.do(c.req) })
	}
	wg.Wait()
	for i := range answers {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		c.check(t, answers[i])
	}
}

// refreshChain is row 59: a chain of refreshes keeps orig_iat.
func (f *bbFixture) refreshChain(t *testing.T, s *basicServer) {
	tok := f.valid
	for range 3 {
		a := bbCase{req: postJSON(refreshPath, tokenJSON(tok)), status: 200, body: tokenAnswer, more: f.refreshed(f.now)}.run(t, s)
		var out struct{ Token string }
		_ = json.Unmarshal([]byte(a.body), &out)
		tok = out.Token
	}
}
