package token

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/jwtauth-go/jwtauth/internal/testkit"
)

// The fixtures of the engine's tests: a secret, a fixed clock, the Spec
// the root package gives DRF-JWT's dialect, tokens made by hand
// (testkit.SignHS, never through Sign) and keys generated once per run.

// testSecret is the HS256 key of the tests.
const testSecret = "engine-tests-secret-0123456789-abcdefgh"

// otherSecret is a second valid HS256 key.
const otherSecret = "another-engine-secret-0123456789-abcdef"

// testNow is the fixed clock of the tests: 2023-11-14T22:13:20Z.
var testNow = time.Unix(1700000000, 0)

// drfSpec is what the root package asks of the engine by default.
var drfSpec = Spec{Algorithm: "HS256", Identity: "username", TokenType: "access"}

// secretKeys is a key set of one HMAC secret.
func secretKeys(secret string) Keys { return Keys{Current: Key{Secret: []byte(secret)}} }

func newEngine(t testing.TB, spec Spec, keys Keys, cacheSize int) *Engine {
	t.Helper()
	e, err := New(spec, keys, cacheSize)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// hs256 signs payload under DRF-JWT's header with testSecret.
func hs256(payload string) string {
	return testkit.SignHS(sha256.New, testSecret, testkit.DRFHeader, payload)
}

// verifyAt verifies tok at now without a cache hit or user keys in mind,
// returning the claims wherever the engine put them.
func verifyAt(e *Engine, tok string, now time.Time) (Claims, error) {
	var dst Claims
	hit, _, _, err := e.Verify(tok, now, &dst, nil)
	if hit != nil {
		return *hit, err
	}
	return dst, err
}

// tamper flips one bit of tok's signature.
func tamper(tok string) string {
	i := strings.LastIndexByte(tok, '.')
	sig, err := base64.RawURLEncoding.DecodeString(tok[i+1:])
	if err != nil || len(sig) == 0 {
		panic("tamper: no signature in " + tok)
	}
	sig[0] ^= 1
	return tok[:i+1] + base64.RawURLEncoding.EncodeToString(sig)
}

// finest returns the finest of the engine's errors that err wraps, nil for
// none.
func finest(err error) error {
	for _, e := range []error{ErrMalformed, ErrSignature, ErrPayload, ErrExpired, ErrInvalid} {
		if errors.Is(err, e) {
			return e
		}
	}
	return nil
}

// adminClaims are DRF-JWT's claims for admin, valid for 300 s at testNow.
func adminClaims() Claims {
	return Claims{UserID: "1", Username: "admin", Email: "admin@example.com", ExpiresAt: time.Unix(1700000300, 0)}
}

// Keys are generated once: an RSA key takes a while.
var (
	testRSA  = sync.OnceValue(func() *rsa.PrivateKey { return must(rsa.GenerateKey(rand.Reader, 2048)) })
	testP256 = sync.OnceValue(func() *ecdsa.PrivateKey { return must(ecdsa.GenerateKey(elliptic.P256(), rand.Reader)) })
	testEd   = sync.OnceValue(func() ed25519.PrivateKey {
		_, k, err := ed25519.GenerateKey(rand.Reader)
		return must(k, err)
	})
)

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestErrorClasses: a caller who asks only "is this token good" needs one
// errors.Is per class, so every finer error is invalid, and expiry is not.
func TestErrorClasses(t *testing.T) {
	for _, tt := range []struct {
		err              error
		invalid, expired bool
	}{
		{ErrInvalid, true, false},
		{ErrMalformed, true, false},
		{ErrSignature, true, false},
		{ErrPayload, true, false},
		{ErrExpired, false, true},
	} {
		if errors.Is(tt.err, ErrInvalid) != tt.invalid || errors.Is(tt.err, ErrExpired) != tt.expired {
			t.Errorf("%v: invalid %t, expired %t; want %t, %t", tt.err, errors.Is(tt.err, ErrInvalid), errors.Is(tt.err, ErrExpired), tt.invalid, tt.expired)
		}
	}
	finer := []error{ErrMalformed, ErrSignature, ErrPayload}
	for _, a := range finer {
		for _, b := range finer {
			if a != b && errors.Is(a, b) {
				t.Errorf("%v wraps %v: the root could not tell them apart", a, b)
			}
		}
	}
}

// TestSignVerifyRoundTrip: what Sign writes, Verify reads back unchanged,
// under the header DRF-JWT writes; golang-jwt verifies the signature, and
// an engine given only the public key verifies it too but cannot sign.
func TestSignVerifyRoundTrip(t *testing.T) {
	for _, tt := range []struct {
		alg  string
		keys Keys
		pub  crypto.PublicKey // nil for HMAC
	}{
		{"HS256", secretKeys(testSecret), nil},
		{"HS512", secretKeys(testSecret + testSecret), nil},
		{"RS256", Keys{Current: Key{Private: testRSA()}}, &testRSA().PublicKey},
		{"ES256", Keys{Current: Key{Private: testP256()}}, &testP256().PublicKey},
		{"EdDSA", Keys{Current: Key{Private: testEd()}}, testEd().Public()},
	} {
		t.Run(tt.alg, func(t *testing.T) {
			spec := drfSpec
			spec.Algorithm, spec.Audience, spec.Issuer = tt.alg, "api", "https://issuer.example"
			e := newEngine(t, spec, tt.keys, 0)
			c := adminClaims()
			c.Username = "jos\u00e9"
			c.OrigIssuedAt = time.Unix(1699999000, 0)
			c.Audience = []string{"api"}
			c.Issuer = "https://issuer.example"
			c.Extra = map[string]any{"scope": "read", "n": json.Number("3")}
			c.TokenType = "access"
			if !e.CanSign() {
				t.Fatal("CanSign is false with a signing key")
			}
			tok, err := e.Sign(&c, nil)
			if err != nil {
				t.Fatal(err)
			}
			hdr, _ := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[0])
			if want := `{"typ":"JWT","alg":"` + tt.alg + `"}`; string(hdr) != want {
				t.Errorf("header %s, want %s", hdr, want)
			}
			var dst Claims
			hit, secret, _, err := e.Verify(tok, testNow, &dst, nil)
			if err != nil || hit != nil || secret != nil {
				t.Fatalf("Verify: hit %v, secret %q, %v", hit, secret, err)
			}
			if !reflect.DeepEqual(dst, c) {
				t.Errorf("claims read back:\n got %+v\nwant %+v", dst, c)
			}
			var verifyKey any = tt.pub
			if tt.pub == nil {
				verifyKey = tt.keys.Current.Secret
			}
			_, err = jwt.Parse(tok, func(*jwt.Token) (any, error) { return verifyKey, nil },
				jwt.WithValidMethods([]string{tt.alg}), jwt.WithTimeFunc(func() time.Time { return testNow }))
			if err != nil {
				t.Errorf("golang-jwt refuses our token: %v", err)
			}
			if _, err := verifyAt(e, tamper(tok), testNow); !errors.Is(err, ErrSignature) {
				t.Errorf("a changed signature: %v", err)
			}
			if tt.pub == nil {
				return
			}
			v := newEngine(t, spec, Keys{Current: Key{Public: tt.pub}}, 0)
			if _, err := verifyAt(v, tok, testNow); err != nil {
				t.Errorf("the public key alone: %v", err)
			}
			if v.CanSign() {
				t.Error("CanSign is true with a public key alone")
			}
			if tok, err := v.Sign(&c, nil); err == nil {
				t.Errorf("signed %q without a private key", tok)
			}
		})
	}
}

// TestNewRefuses: New returns no engine for keys that do not fit.
func TestNewRefuses(t *testing.T) {
	for _, tt := range []struct {
		name string
		spec Spec
		keys Keys
	}{
		{"no secret", drfSpec, Keys{}},
		{"alg none", Spec{Algorithm: "none"}, secretKeys(testSecret)},
		{"RSA key for HS256", drfSpec, Keys{Current: Key{Private: testRSA()}}},
	} {
		if e, err := New(tt.spec, tt.keys, 8); e != nil || err == nil {
			t.Errorf("%s: New returned %v, %v", tt.name, e, err)
		}
	}
}

// TestRotate: after a rotation the new key signs, the retired key still
// verifies what it signed until it is dropped, and keys that do not fit
// are refused without touching the keys in use.
func TestRotate(t *testing.T) {
	oldKey, newKey := Key{Secret: []byte(testSecret)}, Key{Secret: []byte(otherSecret)}
	e := newEngine(t, drfSpec, Keys{Current: oldKey}, 0)
	c := adminClaims()
	tokOld, err := e.Sign(&c, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Rotate(Keys{Current: newKey, Previous: []Key{oldKey}}); err != nil {
		t.Fatal(err)
	}
	tokNew, err := e.Sign(&c, nil)
	if err != nil {
		t.Fatal(err)
	}
	onlyNew := newEngine(t, drfSpec, Keys{Current: newKey}, 0)
	onlyOld := newEngine(t, drfSpec, Keys{Current: oldKey}, 0)
	for _, tt := range []struct {
		name string
		e    *Engine
		tok  string
		want error
	}{
		{"the retired key verifies its token", e, tokOld, nil},
		{"the new key verifies its token", e, tokNew, nil},
		{"the new key signed", onlyNew, tokNew, nil},
		{"the old key did not sign", onlyOld, tokNew, ErrSignature},
	} {
		if _, err := verifyAt(tt.e, tt.tok, testNow); finest(err) != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
	for _, bad := range []Keys{
		secretKeys("short"),
		{Current: Key{Private: testRSA()}},
		{Current: newKey, Previous: []Key{oldKey, oldKey, oldKey, oldKey}},
	} {
		if err := e.Rotate(bad); err == nil {
			t.Errorf("Rotate accepted %v", bad)
		}
	}
	if _, err := verifyAt(e, tokOld, testNow); err != nil {
		t.Errorf("a refused rotation changed the keys: %v", err)
	}
	if err := e.Rotate(Keys{Current: newKey}); err != nil {
		t.Fatal(err)
	}
	if _, err := verifyAt(e, tokOld, testNow); !errors.Is(err, ErrSignature) {
		t.Errorf("the dropped key still verifies: %v", err)
	}
	if _, err := verifyAt(e, tokNew, testNow); err != nil {
		t.Errorf("the current key: %v", err)
	}
}

// TestUserKeys: with per-user keys the key function gets the claims,
// decoded but not trusted, and answers with the key to check the MAC
// with; its error is returned as it is, and the key that verified is
// returned for the caller to compare later.
func TestUserKeys(t *testing.T) {
	spec := drfSpec
	spec.UserKeys = true
	e := newEngine(t, spec, Keys{}, 0)
	if !e.CanSign() {
		t.Error("CanSign is false with user keys")
	}
	userKey := []byte(testSecret)
	c := adminClaims()
	tok, err := e.Sign(&c, userKey)
	if err != nil {
		t.Fatal(err)
	}
	if tok != hs256(`{"user_id":1,"username":"admin","exp":1700000300,"email":"admin@example.com"}`) {
		t.Errorf("Sign did not use the user's key: %s", tok)
	}
	// An empty key would make an HMAC anyone can compute.
	for _, none := range [][]byte{nil, {}} {
		if tok, err := e.Sign(&c, none); err == nil {
			t.Errorf("signed %q with the user key %#v", tok, none)
		}
	}
	storeDown := errors.New("store down")
	expired := hs256(`{"username":"admin","exp":1699999999}`)
	for _, tt := range []struct {
		name      string
		tok       string
		key       func(*Claims) ([]byte, error)
		want      error // the finest error, or exactly storeDown
		called    bool  // the key function is called
		badFields bool  // and it changes the claims it is given
	}{
		{name: "the user's key", tok: tok, key: func(*Claims) ([]byte, error) { return userKey, nil }, called: true},
		{name: "another user's key", tok: tok, key: func(*Claims) ([]byte, error) { return []byte(otherSecret), nil }, want: ErrSignature, called: true},
		{name: "forged: the claims are still read, the MAC refused", tok: testkit.SignHS(sha256.New, otherSecret, testkit.DRFHeader, `{"user_id":1,"username":"admin","exp":1700000300,"email":"admin@example.com"}`),
			key: func(*Claims) ([]byte, error) { return userKey, nil }, want: ErrSignature, called: true},
		{name: "the key function's error", tok: tok, key: func(*Claims) ([]byte, error) { return nil, storeDown }, want: storeDown, called: true},
		{name: "expired: asked, then refused", tok: expired, key: func(*Claims) ([]byte, error) { return userKey, nil }, want: ErrExpired, called: true},
		{name: "malformed: never asked", tok: "a.b", key: nil, want: ErrMalformed},
		{name: "claims not JSON: never asked", tok: testkit.SignHS(sha256.New, testSecret, testkit.DRFHeader, `{"username":`), key: nil, want: ErrMalformed},
		{name: "a change to the claims it is given stays there", tok: tok, key: func(c *Claims) ([]byte, error) {
			c.Username, c.Extra = "mallory", map[string]any{"admin": true}
			return userKey, nil
		}, called: true, badFields: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got *Claims
			key := func(c *Claims) ([]byte, error) {
				if tt.key == nil {
					t.Fatal("the key function was called")
				}
				cp := *c
				got = &cp
				return tt.key(c)
			}
			var dst Claims
			hit, secret, _, err := e.Verify(tt.tok, testNow, &dst, key)
			if tt.want == storeDown {
				if err != storeDown {
					t.Fatalf("err %v, want the key function's error as it is", err)
				}
			} else if finest(err) != tt.want {
				t.Fatalf("err %v, want %v", err, tt.want)
			}
			if hit != nil {
				t.Errorf("a cache hit without a cache")
			}
			if tt.called != (got != nil) {
				t.Fatalf("key function called: %t, want %t", got != nil, tt.called)
			}
			if got != nil && (got.Username != "admin" || got.ExpiresAt.IsZero()) {
				t.Errorf("the key function got %+v", got)
			}
			if err != nil {
				if secret != nil || dst.Username != "" {
					t.Errorf("a refusal returned secret %q, claims %+v", secret, dst)
				}
				return
			}
			if string(secret) != string(userKey) {
				t.Errorf("secret %q, want the user's key", secret)
			}
			if dst.Username != "admin" || dst.Extra != nil {
				t.Errorf("claims %+v: the key function's changes reached them", dst)
			}
		})
	}
}

// TestUserKeyMustNotBeEmpty: a key function that answers an empty key
// (a user without a secret) refuses the token rather than check a MAC
// that anyone can compute.
func TestUserKeyMustNotBeEmpty(t *testing.T) {
	e, err := New(Spec{Algorithm: "HS256", Identity: "username", UserKeys: true}, Keys{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	tok := testkit.SignHS(sha256.New, "", testkit.DRFHeader, `{"username":"u","exp":1700000300}`)
	var dst Claims
	_, _, _, err = e.Verify(tok, time.Unix(1700000000, 0), &dst, func(*Claims) ([]byte, error) { return nil, nil })
	if !errors.Is(err, ErrSignature) {
		t.Errorf("a token MACed with an empty key: %v, want ErrSignature", err)
	}
}

// TestCacheKeepsItsOwnCopy: changing the claims a cold verification wrote
// to dst changes nothing a later cache hit returns.
func TestCacheKeepsItsOwnCopy(t *testing.T) {
	e, err := New(Spec{Algorithm: "HS256", Identity: "username"}, Keys{Current: Key{Secret: []byte("cache-copy-secret-0123456789-abcdefgh")}}, 4)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := e.Sign(&Claims{Username: "u", ExpiresAt: time.Unix(1700000300, 0), Audience: nil, Extra: map[string]any{"n": map[string]any{"k": "v"}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1700000000, 0)
	var dst Claims
	if hit, _, _, err := e.Verify(tok, now, &dst, nil); err != nil || hit != nil {
		t.Fatalf("cold: %v %v", hit, err)
	}
	dst.Extra["n"].(map[string]any)["k"] = "changed"
	dst.Extra["x"] = 1
	hit, _, _, err := e.Verify(tok, now, &Claims{}, nil)
	if err != nil || hit == nil {
		t.Fatalf("no hit: %v", err)
	}
	if hit.Extra["n"].(map[string]any)["k"] != "v" || hit.Extra["x"] != nil {
		t.Errorf("the cache entry changed with dst: %v", hit.Extra)
	}
}
