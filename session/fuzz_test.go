package session

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/jwtauth-go/jwtauth"
)

// FuzzDecode: session data of any shape never panics the decoder, only a
// signature it verifies gets past it, and signed JSON is read as Python's
// json module reads it: everything encoding/json accepts (Python accepts
// more), with the same auth fields.
func FuzzDecode(f *testing.F) {
	f.Add("", []byte(`{}`))
	f.Add(".eJyrVirOzEvPTMnPzszLVLJSSi0pzy_KTlEAAGRhCFQ:1r31eq:AAAA", []byte(`{"_auth_user_id":"1","_auth_user_backend":"b","_auth_user_hash":"h"}`))
	db := &codec{keys: [][]byte{derivedKey(sha256.New, saltDB+"signer", testKey)}, keySHA1: derivedKey(sha1.New, saltDB+"signer", testKey),
		keyLegacyData: derivedKey(sha1.New, saltLegacyData, testKey), maxLen: maxDataLen}
	cookies := &codec{keys: [][]byte{derivedKey(sha256.New, saltCookies+"signer", testKey)}, maxAge: DefaultCookieAge, maxLen: maxCookieLen}
	f.Fuzz(func(t *testing.T, value string, payload []byte) {
		for _, c := range []*codec{db, cookies} {
			if _, err := c.decode(value, testNow); err != nil && !errors.Is(err, ErrInvalidSession) {
				t.Fatalf("decode(%q): %v is not ErrInvalidSession", value, err)
			}
		}
		for _, mode := range []compression{compressNever, compressAlways} {
			signed := testSigner{key: testKey, salt: saltDB, compress: mode}.sign(payload)
			d, err := db.decode(signed, testNow)
			if err != nil && !errors.Is(err, ErrInvalidSession) {
				t.Fatalf("%v is not ErrInvalidSession", err)
			}
			if err == nil && len(signed) > db.maxLen {
				t.Fatalf("decoded %d bytes past the bound", len(signed))
			}
			if len(signed) > db.maxLen || len(payload) > maxDecompressed {
				continue
			}
			var m map[string]any
			deep := strings.Count(string(payload), "[")+strings.Count(string(payload), "{") > maxJSONDepth
			if deep || !isASCII(payload) || json.Unmarshal(payload, &m) != nil || m == nil {
				continue
			}
			if err != nil {
				t.Fatalf("encoding/json reads %q, decode refuses it: %v", payload, err)
			}
			for key, got := range map[string]struct {
				v  string
				ok bool
			}{keyBackend: {d.backend, d.hasBackend}, keyHash: {d.hash, d.hasHash}} {
				want, isStr := m[key].(string)
				if got.ok != isStr || got.v != want {
					t.Fatalf("%s = %q (%t), encoding/json %q (%t)", key, got.v, got.ok, want, isStr)
				}
			}
			if want, isStr := m[keyUserID].(string); isStr && (!d.hasUserID || d.userID != want) {
				t.Fatalf("user id %q, encoding/json %q", d.userID, want)
			}
		}
	})
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// FuzzUnmaskCSRF: any token and cookie, through the sanitizing and
// unmasking of Django's CSRF check: no panic; a token that unmasks gives a
// secret of the alphabet that masks back to it; the comparison agrees
// with the secrets; and the whole check agrees with the comparison.
func FuzzUnmaskCSRF(f *testing.F) {
	f.Add(maskToken(testCSRFSecret, testCSRFMask), testCSRFSecret)
	users, u := testUsers(f)
	a := newTest(f, Settings{SecretKey: testKey, Engine: EngineSignedCookies, Users: users})
	session := "sessionid=" + testSigner{key: testKey, salt: saltCookies}.signJSON(f, loginSession(u["alice"], ModelBackend, testKey))
	f.Fuzz(func(t *testing.T, token, cookie string) {
		st, okT := csrfSecret(token)
		sc, okC := csrfSecret(cookie)
		for _, s := range []struct {
			tok    string
			secret [csrfSecretLen]byte
			ok     bool
		}{{token, st, okT}, {cookie, sc, okC}} {
			if !s.ok {
				continue
			}
			if strings.Trim(string(s.secret[:]), csrfChars) != "" {
				t.Fatalf("secret %q of %q is not of the alphabet", s.secret, s.tok)
			}
			if len(s.tok) == csrfTokenLen && maskToken(string(s.secret[:]), s.tok[:csrfSecretLen]) != s.tok {
				t.Fatalf("%q does not mask back", s.tok)
			}
			if len(s.tok) == csrfSecretLen && string(s.secret[:]) != s.tok {
				t.Fatalf("an unmasked %q is not its own secret", s.tok)
			}
		}
		match := tokensMatch(token, cookie)
		if match != (okT && okC && st == sc) || match != tokensMatch(cookie, token) {
			t.Fatalf("tokensMatch(%q, %q) = %t", token, cookie, match)
		}
		if strings.ContainsAny(cookie, ";\r\n\x00") || strings.ContainsAny(token, "\r\n\x00") || pyStrip(cookie) != cookie || strings.HasPrefix(cookie, `"`) {
			return // not what a Cookie or header line carries as is
		}
		r := request("POST", "http://example.com/", "", "Cookie", session+"; csrftoken="+cookie, "X-CSRFToken", token)
		_, err := a.Authenticate(r)
		var e *jwtauth.Error
		if match != (err == nil) || err != nil && (!errors.As(err, &e) || e.Detail != "CSRF Failed: "+reasonBadToken) {
			t.Fatalf("check(%q, %q) = %v, tokens match: %t", token, cookie, err, match)
		}
	})
}
