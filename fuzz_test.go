package jwtauth

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"
	"github.com/jwtauth-go/jwtauth/internal/testkit"
)

// The fuzz targets run their seeds (f.Add and testdata/fuzz/<name>) as part
// of go test; .ci/run also fuzzes each for a bounded time.

// exactlyOneSentinel reports whether err is exactly one of the sentinels,
// with a cause DRF has a message for, or a store failure.
func exactlyOneSentinel(err error) bool {
	if errors.As(err, new(*storeError)) {
		return true
	}
	n := 0
	for _, s := range sentinels {
		if errors.Is(err, s) {
			n++
		}
	}
	return n == 1 && causeOf(err) != nil
}

// adminOnlyStore is the fixture store without jpueblo, so that admin is
// its one active user: a token a fuzz target sees accepted or issued must
// then be admin's, and a login must have carried pw-admin, where jpueblo's
// password is the word "password" that every login body carries as a name.
func adminOnlyStore(f *testing.F) *MemoryStore {
	s := newFixtureStore(f)
	s.DeleteUser(fixtureUser.Username)
	return s
}

// FuzzVerifyToken feeds arbitrary tokens; an accepted one must pass an
// independent check of shape, algorithm and MAC.
func FuzzVerifyToken(f *testing.F) {
	for _, s := range []string{
		hs256(`{"user_id":3,"username":"admin","exp":1700000300,"email":"admin@example.com"}`),
		drfToken, "abc123", "", "a.b.c", "..", strings.Repeat(".", 100), "eyJ.eyJ.", "i am not a correctly formed token",
	} {
		f.Add(s)
	}
	a := newTestAuth(f, nil)
	f.Fuzz(func(t *testing.T, token string) {
		u, _, err := a.VerifyToken(context.Background(), token)
		if err != nil {
			if !exactlyOneSentinel(err) {
				t.Fatalf("error %v is not exactly one sentinel", err)
			}
			return
		}
		parts := strings.Split(token, ".")
		if len(parts) != 3 || u.Username == "" {
			t.Fatalf("accepted %q", token)
		}
		dec := base64.RawURLEncoding.Strict()
		hdr, err1 := dec.DecodeString(parts[0])
		sig, err2 := dec.DecodeString(parts[2])
		var h map[string]any
		if err1 != nil || err2 != nil || json.Unmarshal(hdr, &h) != nil || h["alg"] != "HS256" || h["crit"] != nil {
			t.Fatalf("accepted a token with a bad header or encoding: %q", token)
		}
		if !hmac.Equal(testkit.MAC(sha256.New, fixtureSecret, parts[0]+"."+parts[1]), sig) {
			t.Fatalf("accepted a token whose MAC does not verify: %q", token)
		}
		// Our MAC and decoding stand in for golang-jwt's on the hot path:
		// golang-jwt, configured strictly, must accept what we accept.
		if _, err := strictParser.Parse(token, func(*jwt.Token) (any, error) { return []byte(fixtureSecret), nil }); err != nil {
			t.Fatalf("we accept %q, golang-jwt refuses it: %v", token, err)
		}
	})
}

// strictParser is golang-jwt configured as strictly as it goes, at fixtureNow.
var strictParser = jwt.NewParser(jwt.WithValidMethods([]string{"HS256"}), jwt.WithExpirationRequired(), jwt.WithIssuedAt(),
	jwt.WithStrictDecoding(), jwt.WithTimeFunc(func() time.Time { return fixtureNow }))

// FuzzSignedClaimsUser signs arbitrary claims JSON with the right key, to
// reach the user they name: a refusal is exactly one sentinel, and an
// accepted token is admin's, as its claims say. The claims themselves are
// held to golang-jwt's reading by internal/token's FuzzSignedClaims.
func FuzzSignedClaimsUser(f *testing.F) {
	for _, s := range []string{
		`{"user_id":3,"username":"admin","exp":1700000300,"email":"admin@example.com"}`,
		`{"username":"admin","exp":1700000300.5,"orig_iat":1699999999,"aud":"x"}`,
		`{"username":"ghost","USERNAME":"admin","exp":1700000300}`, `{"username":"inactive","exp":1700000300}`,
		`{"user_id":2,"username":"admin","exp":1700000300}`, `{"user_id":"3","username":"admin","exp":1700000300}`,
		`{"user_id":"03","username":"admin","exp":1700000300}`, `{"username":"Admin","exp":1700000300}`,
		`{"username":"admin ","exp":1700000300}`, `{"username":"","exp":1700000300}`, `{"exp":1700000300}`,
	} {
		f.Add([]byte(s))
	}
	a := newTestAuth(f, adminOnlyStore(f))
	f.Fuzz(func(t *testing.T, payload []byte) {
		u, c, err := a.VerifyToken(context.Background(), hs256(string(payload)))
		if err != nil {
			if !exactlyOneSentinel(err) {
				t.Fatalf("error %v is not exactly one sentinel", err)
			}
			return
		}
		if !json.Valid(payload) || u.Username != "admin" || c.Username != "admin" || !c.ExpiresAt.After(fixtureNow) || (c.UserID != "" && c.UserID != u.ID) {
			t.Fatalf("accepted %q: user %+v claims %+v", payload, u, c)
		}
	})
}

// FuzzAuthorizationHeader: a token is returned only for "<prefix> <one
// field>", prefix matched ASCII-case-insensitively, never with whitespace.
func FuzzAuthorizationHeader(f *testing.F) {
	for _, s := range []string{"JWT abc", "jwt abc", "JWT", "JWT a b", "Bearer x", "JWT\tabc", "  JWT   abc  ", "JWTabc", "ＪWT abc", "\u212aWT abc", ""} {
		f.Add(s)
	}
	a := newTestAuth(f, nil)
	f.Fuzz(func(t *testing.T, header string) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Authorization", header)
		token, err := a.credential(r)
		if errors.Is(err, errNotJWT) {
			return
		}
		if err != nil {
			if !errors.Is(err, errInvalidHeader) {
				t.Fatalf("error %v is not errInvalidHeader", err)
			}
			return
		}
		// DRF splits the header's bytes, on ASCII white space only: a
		// no-break space is part of the token (which then fails to decode).
		fields := strings.FieldsFunc(header, func(r rune) bool { return r < utf8.RuneSelf && strings.ContainsRune(" \t\r\n\v\f", r) })
		if len(fields) != 2 || !strings.EqualFold(fields[0], "JWT") || fields[1] != token || strings.ContainsAny(token, " \t\r\n\v\f") {
			t.Fatalf("header %q gave token %q", header, token)
		}
	})
}

// FuzzObtainHandler posts arbitrary bodies: never a 5xx, always JSON, never
// the password echoed, and a token only for the real credentials.
func FuzzObtainHandler(f *testing.F) {
	for _, s := range []struct{ body, ct string }{
		{`{"username":"admin","password":"pw-admin"}`, "application/json"},
		{`{"username":"admin","password":"wrong-pw"}`, "application/json"},
		{`username=admin&password=pw-admin`, "application/x-www-form-urlencoded"},
		{`{`, "application/json"}, {`[]`, "application/json"}, {`null`, "application/json"}, {`{"username":"\ud800"}`, "application/json"},
		{"--b\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\nadmin\r\n--b--\r\n", "multipart/form-data; boundary=b"},
		{`x`, "text/plain"}, {`x`, ""}, {"", "application/json"},
	} {
		f.Add([]byte(s.body), s.ct)
	}
	h := newTestAuth(f, adminOnlyStore(f)).Handlers().Obtain
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		r.Header.Set("Content-Type", contentType)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		switch rec.Code {
		case 200, 400, 413, 415:
		default:
			t.Fatalf("status %d for %q (%q): %s", rec.Code, body, contentType, rec.Body)
		}
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("body is not JSON: %q", rec.Body)
		}
		if bytes.Contains(rec.Body.Bytes(), []byte("pw-admin")) {
			t.Fatalf("the password is in the body: %s", rec.Body)
		}
		if rec.Code == 200 && !bytes.Contains(body, []byte("pw-admin")) {
			t.Fatalf("a token without the password: %q", body)
		}
	})
}

// FuzzVerifyRefreshHandlers posts arbitrary token bodies to verify and
// refresh: never a 5xx, and a 200 only for a token that verifies.
func FuzzVerifyRefreshHandlers(f *testing.F) {
	good := hs256(`{"user_id":3,"username":"admin","exp":1700000300,"orig_iat":1699999999}`)
	for _, s := range []string{`{"token":"` + good + `"}`, `{"token":" ` + good + ` "}`, `{"token":null}`, `{"token":1}`, `{}`, `token=abc`, `{"token":"a.b.c"}`} {
		f.Add([]byte(s))
	}
	a := newTestAuth(f, nil)
	handlers := []http.Handler{a.Handlers().Verify, a.Handlers().Refresh}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, h := range handlers {
			for _, ct := range []string{"application/json", "application/x-www-form-urlencoded", multipartType} {
				r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
				r.Header.Set("Content-Type", ct)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, r)
				if rec.Code >= 500 || !json.Valid(rec.Body.Bytes()) {
					t.Fatalf("status %d body %q for %q", rec.Code, rec.Body, body)
				}
				if rec.Code == 200 {
					var out struct{ Token string }
					_ = json.Unmarshal(rec.Body.Bytes(), &out)
					if _, _, err := a.VerifyToken(context.Background(), out.Token); err != nil {
						t.Fatalf("answered a token that does not verify: %v", err)
					}
				}
			}
		}
	})
}

var multipartType = func() string {
	w := multipart.NewWriter(nil)
	_ = w.SetBoundary("fuzzboundary")
	return w.FormDataContentType()
}()

// FuzzBearerHeader: in simplejwt's dialect a token is returned only for
// "<type> <one field>", the type one of AuthHeaderTypes exactly (case
// included), split on ASCII white space as simplejwt splits the header's
// bytes; a header of another type is not ours.
func FuzzBearerHeader(f *testing.F) {
	for _, s := range []string{"Bearer abc", "bearer abc", "Bearer", "Bearer a b", "JWT x", "Bearer\tabc", "  Bearer   abc  ", "Bearerabc", "Ｂearer abc", ""} {
		f.Add(s)
	}
	a := newTestAuth(f, nil, withSimpleJWT(SimpleJWT{AuthHeaderTypes: []string{"Bearer", "JWT"}}))
	f.Fuzz(func(t *testing.T, header string) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Authorization", header)
		token, err := a.credential(r)
		fields := strings.FieldsFunc(header, func(r rune) bool { return r < utf8.RuneSelf && strings.ContainsRune(" \t\r\n\v\f", r) })
		ours := len(fields) > 0 && (fields[0] == "Bearer" || fields[0] == "JWT")
		switch {
		case errors.Is(err, errNotJWT):
			if ours {
				t.Fatalf("header %q is ours, but was left to others", header)
			}
		case errors.Is(err, errBadAuthHeader):
			if !ours || len(fields) == 2 {
				t.Fatalf("header %q refused as not two values", header)
			}
		case err != nil:
			t.Fatalf("header %q: %v", header, err)
		case !ours || len(fields) != 2 || fields[1] != token:
			t.Fatalf("header %q gave token %q", header, token)
		}
	})
}

// FuzzSimpleJWTClaims: any claims signed with the key, through simplejwt's
// middleware, are admitted only as an access token with a jti naming the
// one active user by id, and are otherwise refused with a 401 in
// simplejwt's shape: never a 500 nor a panic.
func FuzzSimpleJWTClaims(f *testing.F) {
	for _, s := range []string{
		`{"token_type":"access","exp":1700000300,"iat":1700000000,"jti":"j","user_id":3}`,
		`{"token_type":"access","exp":1700000300,"jti":"j","user_id":"3"}`,
		`{"token_type":"refresh","exp":1700000300,"jti":"j","user_id":3}`,
		`{"token_type":"access","exp":1700000300,"user_id":3}`, `{"exp":1700000300,"jti":"j","user_id":3}`,
		`{"token_type":"access","exp":1700000300,"jti":"j","user_id":2}`, `{"token_type":"access","exp":1700000300,"jti":"j"}`,
		`{"token_type":"access","exp":1700000300,"jti":"j","user_id":"03"}`, `{"token_type":"access","exp":1700000300,"jti":"j","user_id":3.0}`,
		`{"token_type":"sliding","exp":1700000300,"jti":"j","user_id":3,"refresh_exp":"x"}`,
	} {
		f.Add([]byte(s))
	}
	a := newTestAuth(f, adminOnlyStore(f), withSimpleJWT(SimpleJWT{SlidingTokens: true}))
	h := a.Required(&protectedView{})
	f.Fuzz(func(t *testing.T, payload []byte) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Authorization", "Bearer "+sjToken(string(payload)))
		rec := serveRecorded(h, r)
		switch rec.Code {
		case http.StatusOK:
			var c struct {
				TokenType string `json:"token_type"`
				JTI       any    `json:"jti"`
			}
			if err := json.Unmarshal(payload, &c); err != nil || (c.TokenType != "access" && c.TokenType != "sliding") || c.JTI == nil ||
				rec.Body.String() != `{"user_id":3,"username":"admin"}` {
				t.Fatalf("admitted %q: %s", payload, rec.Body)
			}
		case http.StatusUnauthorized:
			var body struct{ Detail, Code string }
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Detail == "" || body.Code == "" {
				t.Fatalf("refused %q with %s", payload, rec.Body)
			}
		default:
			t.Fatalf("%q: %d %s", payload, rec.Code, rec.Body)
		}
	})
}
