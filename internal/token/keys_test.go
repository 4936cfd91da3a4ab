package token

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jwtauth-go/jwtauth/internal/testkit"
)

var (
	testRSA1024 = sync.OnceValue(func() *rsa.PrivateKey { return must(rsa.GenerateKey(rand.Reader, 1024)) })
	testP384    = sync.OnceValue(func() *ecdsa.PrivateKey { return must(ecdsa.GenerateKey(elliptic.P384(), rand.Reader)) })
	testP521    = sync.OnceValue(func() *ecdsa.PrivateKey { return must(ecdsa.GenerateKey(elliptic.P521(), rand.Reader)) })
	testEd2     = sync.OnceValue(func() ed25519.PrivateKey {
		_, k, err := ed25519.GenerateKey(rand.Reader)
		return must(k, err)
	})
)

// TestCheckKeys: a few cases of each rule. The messages themselves are the
// root's TestNewRefusesMisconfiguration's, through New.
func TestCheckKeys(t *testing.T) {
	const s32 = "0123456789abcdef0123456789abcdef"
	hs := func(alg string) Spec { return Spec{Algorithm: alg} }
	userKeys := Spec{Algorithm: "HS256", UserKeys: true}
	secret := func(s string) Key { return Key{Secret: []byte(s)} }
	priv := func(k crypto.PrivateKey) Key { return Key{Private: k} }
	pub := func(k crypto.PublicKey) Key { return Key{Public: k} }
	tests := []struct {
		name string
		spec Spec
		keys Keys
		want []string // fragments of the error; none when accepted
	}{
		// The algorithm.
		{"HS256", hs("HS256"), Keys{Current: secret(s32)}, nil},
		{"none", hs("none"), Keys{Current: secret(s32)}, []string{`"none" is never accepted`}},
		{"NoNe", hs("NoNe"), Keys{Current: secret(s32)}, []string{"is never accepted"}},
		{"unknown", hs("HS257"), Keys{Current: secret(s32)}, []string{`"HS257" is not one of`}},
		{"empty", hs(""), Keys{Current: secret(s32)}, []string{`"" is not one of`}},
		{"lower case", hs("rs256"), Keys{Current: priv(testRSA())}, []string{`"rs256" is not one of`}},

		// HMAC secrets.
		{"HS256 with 31 bytes", hs("HS256"), Keys{Current: secret(s32[:31])}, []string{"has 31 bytes; HS256 needs at least 32"}},
		{"HS384 with 47 bytes", hs("HS384"), Keys{Current: secret(s32 + s32[:15])}, []string{"HS384 needs at least 48"}},
		{"HS384 with 48 bytes", hs("HS384"), Keys{Current: secret(s32 + s32[:16])}, nil},
		{"HS512 with 64 bytes", hs("HS512"), Keys{Current: secret(s32 + s32)}, nil},
		{"HS512 with 63 bytes", hs("HS512"), Keys{Current: secret(s32 + s32[:31])}, []string{"HS512 needs at least 64"}},
		{"no secret", hs("HS256"), Keys{}, []string{"is empty"}},
		{"4 distinct bytes", hs("HS256"), Keys{Current: secret(strings.Repeat("abcd", 8))}, []string{"fewer than 5 distinct"}},
		{"5 distinct bytes", hs("HS256"), Keys{Current: secret(strings.Repeat("abcde", 7))}, nil},
		{"a PEM block", hs("HS256"), Keys{Current: secret("  -----BEGIN PUBLIC KEY-----\n" + s32 + "\n-----END PUBLIC KEY-----")}, []string{"looks like a PEM or SSH key"}},
		{"an SSH key", hs("HS256"), Keys{Current: secret("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl")}, []string{"looks like a PEM or SSH key"}},
		{"a private key for HMAC", hs("HS256"), Keys{Current: Key{Secret: []byte(s32), Private: testRSA()}}, []string{"HS256 takes Keys.Secret"}},
		{"a public key for HMAC", hs("HS256"), Keys{Current: Key{Secret: []byte(s32), Public: testEd().Public()}}, []string{"HS256 takes Keys.Secret"}},
		{"user keys need no shared secret", userKeys, Keys{}, nil},

		// Asymmetric keys.
		{"RS256", hs("RS256"), Keys{Current: priv(testRSA())}, nil},
		{"RS256, public key alone", hs("RS256"), Keys{Current: pub(&testRSA().PublicKey)}, nil},
		{"RS256, both halves", hs("RS256"), Keys{Current: Key{Private: testRSA(), Public: &testRSA().PublicKey}}, nil},
		{"PS512", hs("PS512"), Keys{Current: priv(testRSA())}, nil},
		{"ES256 on P-256", hs("ES256"), Keys{Current: priv(testP256())}, nil},
		{"ES384 on P-384", hs("ES384"), Keys{Current: priv(testP384())}, nil},
		{"ES512 on P-521", hs("ES512"), Keys{Current: pub(&testP521().PublicKey)}, nil},
		{"EdDSA", hs("EdDSA"), Keys{Current: priv(testEd())}, nil},
		{"no key", hs("RS256"), Keys{}, []string{"RS256 needs Keys.Private (JWT_PRIVATE_KEY) or Keys.Public"}},
		{"a secret for RS256", hs("RS256"), Keys{Current: secret(s32)}, []string{"RS256 needs Keys.Private"}},
		{"an EC key for RS256", hs("RS256"), Keys{Current: priv(testP256())}, []string{"*ecdsa.PrivateKey, which does not fit RS256"}},
		{"an RSA public key for EdDSA", hs("EdDSA"), Keys{Current: pub(&testRSA().PublicKey)}, []string{"Keys.Public (JWT_PUBLIC_KEY) is a *rsa.PublicKey"}},
		{"P-256 for ES384", hs("ES384"), Keys{Current: priv(testP256())}, []string{"ES384 needs an ECDSA key on P-384, not P-256"}},
		{"P-521 for ES256", hs("ES256"), Keys{Current: pub(&testP521().PublicKey)}, []string{"ES256 needs an ECDSA key on P-256"}},
		{"1024-bit RSA", hs("RS256"), Keys{Current: priv(testRSA1024())}, []string{"1024 bits; RS256 needs at least 2048"}},
		{"the public half of another key", hs("EdDSA"), Keys{Current: Key{Private: testEd(), Public: testEd2().Public()}}, []string{"not the public half"}},
		{"user keys with RS256", Spec{Algorithm: "RS256", UserKeys: true}, Keys{Current: priv(testRSA())}, []string{"needs an HMAC algorithm"}},

		// Rotation.
		{"three previous keys", hs("HS256"), Keys{Current: secret(s32), Previous: []Key{secret(s32), secret(s32), secret(s32)}}, nil},
		{"four previous keys", hs("HS256"), Keys{Current: secret(s32), Previous: []Key{secret(s32), secret(s32), secret(s32), secret(s32)}}, []string{"Keys.Previous has 4 keys; at most 3"}},
		{"a retired private key", hs("RS256"), Keys{Current: priv(testRSA()), Previous: []Key{priv(testRSA())}}, []string{"Keys.Previous[0]: a retired key only verifies"}},
		{"a retired public key for HS256", hs("HS256"), Keys{Current: secret(s32), Previous: []Key{pub(&testRSA().PublicKey)}}, []string{"Keys.Previous[0]: HS256 takes a Secret"}},
		{"a retired secret for RS256", hs("RS256"), Keys{Current: priv(testRSA()), Previous: []Key{secret(s32)}}, []string{"Keys.Previous[0]: RS256 takes a Public key"}},
		{"a retired key of another family", hs("RS256"), Keys{Current: priv(testRSA()), Previous: []Key{pub(&testP256().PublicKey)}}, []string{"Keys.Previous[0].Public (JWT_PREVIOUS_PUBLIC_KEYS) is a *ecdsa.PublicKey"}},
		{"a weak retired secret", hs("HS256"), Keys{Current: secret(s32), Previous: []Key{secret(s32), secret("short")}}, []string{"Keys.Previous[1].Secret (JWT_PREVIOUS_SECRET_KEYS) has 5 bytes"}},
		{"an empty retired key", hs("HS256"), Keys{Current: secret(s32), Previous: []Key{{ID: "old"}}}, []string{"Keys.Previous[0].Secret (JWT_PREVIOUS_SECRET_KEYS) is empty"}},
		{"key IDs", hs("HS256"), Keys{Current: Key{ID: "2024-06", Secret: []byte(s32)}, Previous: []Key{{ID: strings.Repeat("k", 64), Secret: []byte(s32)}}}, nil},
		{"several unnamed retired keys", hs("HS256"), Keys{Current: Key{ID: "k", Secret: []byte(s32)}, Previous: []Key{secret(s32), secret(s32)}}, nil},
		{"a key ID with a quote", hs("HS256"), Keys{Current: Key{ID: `k"1`, Secret: []byte(s32)}}, []string{"Keys.ID (JWT_KEY_ID)"}},
		{"a key ID of 65 bytes", hs("HS256"), Keys{Current: Key{ID: strings.Repeat("k", 65), Secret: []byte(s32)}}, []string{"Keys.ID (JWT_KEY_ID)"}},
		{"a key ID not ASCII", hs("HS256"), Keys{Current: Key{ID: "cl\u00e9", Secret: []byte(s32)}}, []string{"Keys.ID (JWT_KEY_ID)"}},
		{"a retired key ID with a DEL", hs("HS256"), Keys{Current: secret(s32), Previous: []Key{{ID: "k\x7f", Secret: []byte(s32)}}}, []string{"Keys.Previous[0].ID"}},
		{"a key ID twice", hs("HS256"), Keys{Current: Key{ID: "k1", Secret: []byte(s32)}, Previous: []Key{{ID: "k1", Secret: []byte(s32)}}}, []string{`Keys.Previous[0].ID "k1" names another key too`}},
		{"a retired key ID twice", hs("HS256"), Keys{Current: secret(s32), Previous: []Key{{ID: "k1", Secret: []byte(s32)}, {ID: "k1", Secret: []byte(s32)}}}, []string{`Keys.Previous[1].ID "k1" names another key too`}},
		{"user keys with a key ID", userKeys, Keys{Current: Key{ID: "k1"}}, []string{"each user's secret is rotated instead"}},
		{"user keys with retired keys", userKeys, Keys{Previous: []Key{secret(s32)}}, []string{"each user's secret is rotated instead"}},

		// Every problem of the current and retired keys at once.
		{"problems together", hs("HS256"), Keys{Current: Key{ID: `"`, Secret: []byte("short-secret")}, Previous: []Key{secret("too-short-too")}},
			[]string{"Keys.ID (JWT_KEY_ID)", "Keys.Secret (JWT_SECRET_KEY) has 12 bytes", "Keys.Previous[0].Secret (JWT_PREVIOUS_SECRET_KEYS) has 13 bytes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkKeys(tt.spec, tt.keys)
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted; want %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%v\nlacks %q", err, w)
				}
			}
			for _, k := range append([]Key{tt.keys.Current}, tt.keys.Previous...) {
				if len(k.Secret) >= 8 && strings.Contains(err.Error(), string(k.Secret)) {
					t.Errorf("the error shows a secret: %v", err)
				}
			}
		})
	}
}

// TestCheckSecret: the check of per-user secrets names the setting it is
// given.
func TestCheckSecret(t *testing.T) {
	if err := CheckSecret([]byte(testSecret), "HS256", "the secret of user 1"); err != nil {
		t.Error(err)
	}
	for _, s := range []string{"", "short", strings.Repeat("ab", 32), "ssh-rsa " + testSecret} {
		err := CheckSecret([]byte(s), "HS256", "the secret of user 1")
		if err == nil || !strings.HasPrefix(err.Error(), "jwtauth: the secret of user 1 ") {
			t.Errorf("%q: %v", s, err)
		}
	}
}

// TestCandidates: a kid that names one of our keys selects it alone;
// otherwise, or without a kid, the current key is tried, then the retired
// keys that have no ID, as DRF-JWT's tokens carry none.
func TestCandidates(t *testing.T) {
	named := newKeySet(drfSpec, Keys{
		Current:  Key{ID: "k3", Secret: []byte("current")},
		Previous: []Key{{ID: "k2", Secret: []byte("named")}, {Secret: []byte("unnamed-1")}, {Secret: []byte("unnamed-2")}},
	})
	unnamed := newKeySet(drfSpec, Keys{Current: Key{Secret: []byte("current")}, Previous: []Key{{ID: "k1", Secret: []byte("named")}}})
	for _, tt := range []struct {
		ks   *keySet
		kid  string
		want string
	}{
		{named, "k3", "current"},
		{named, "k2", "named"},
		{named, "", "current unnamed-1 unnamed-2"},
		{named, "k1", "current unnamed-1 unnamed-2"},
		{named, "K3", "current unnamed-1 unnamed-2"},
		{unnamed, "", "current"},
		{unnamed, "k1", "named"},
		{unnamed, "k3", "current"},
	} {
		first, more := tt.ks.candidates(tt.kid)
		got := []string{string(first.key.([]byte))}
		for _, v := range more {
			got = append(got, string(v.key.([]byte)))
		}
		if strings.Join(got, " ") != tt.want {
			t.Errorf("kid %q: %q, want %q", tt.kid, got, tt.want)
		}
	}
}

// TestKeyIDSelection: the same rule, seen through Verify, and the kid
// Sign writes.
func TestKeyIDSelection(t *testing.T) {
	const s0, s1, s2 = "retired-unnamed-0123456789-abcdefgh", "retired-named-k1-0123456789-abcdefg", testSecret
	e := newEngine(t, drfSpec, Keys{
		Current:  Key{ID: "k2", Secret: []byte(s2)},
		Previous: []Key{{ID: "k1", Secret: []byte(s1)}, {Secret: []byte(s0)}},
	}, 0)
	const body = `{"username":"admin","exp":1700000300}`
	kid := func(id string) string { return `{"typ":"JWT","alg":"HS256","kid":"` + id + `"}` }
	for _, tt := range []struct {
		name, header, key string
		want              error
	}{
		{"kid k1, its key", kid("k1"), s1, nil},
		{"kid k1, the current key", kid("k1"), s2, ErrSignature},
		{"kid k1, an unnamed key", kid("k1"), s0, ErrSignature},
		{"kid k2, the current key", kid("k2"), s2, nil},
		{"kid k2, k1's key", kid("k2"), s1, ErrSignature},
		{"no kid, the current key", testkit.DRFHeader, s2, nil},
		{"no kid, an unnamed key", testkit.DRFHeader, s0, nil},
		{"no kid, a named retired key", testkit.DRFHeader, s1, ErrSignature},
		{"an unknown kid, the current key", kid("k9"), s2, nil},
		{"an unknown kid, an unnamed key", kid("k9"), s0, nil},
		{"an unknown kid, a named retired key", kid("k9"), s1, ErrSignature},
		{"a kid by escapes", `{"alg":"HS256","kid":"\u006b1"}`, s1, nil},
	} {
		if _, err := verifyAt(e, testkit.SignHS(sha256.New, tt.key, tt.header, body), testNow); finest(err) != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
	c := adminClaims()
	tok, err := e.Sign(&c, nil)
	if err != nil {
		t.Fatal(err)
	}
	hdr, _ := base64.RawURLEncoding.DecodeString(tok[:strings.IndexByte(tok, '.')])
	if want := kid("k2"); string(hdr) != want {
		t.Errorf("header %s, want %s", hdr, want)
	}
}

// TestKeysAreCopied: the engine keeps its own copy of every secret, so a
// caller who wipes or reuses the buffer changes nothing.
func TestKeysAreCopied(t *testing.T) {
	cur, old := []byte(testSecret), []byte(otherSecret)
	e := newEngine(t, drfSpec, Keys{Current: Key{Secret: cur}, Previous: []Key{{Secret: old}}}, 0)
	clear(cur)
	clear(old)
	for _, key := range []string{testSecret, otherSecret} {
		if _, err := verifyAt(e, testkit.SignHS(sha256.New, key, testkit.DRFHeader, `{"username":"admin","exp":1700000300}`), testNow); err != nil {
			t.Errorf("after the caller's buffers were wiped: %v", err)
		}
	}
	c := adminClaims()
	if tok, _ := e.Sign(&c, nil); tok != hs256(`{"user_id":1,"username":"admin","exp":1700000300,"email":"admin@example.com"}`) {
		t.Errorf("Sign used the wiped buffer: %s", tok)
	}
}

// TestParsePEM: the key formats the settings and the environment take.
func TestParsePEM(t *testing.T) {
	block := func(typ string, der []byte) []byte { return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}) }
	rsaKey, ecKey, edKey := testRSA(), testP256(), testEd()
	pkcs8 := func(k any) []byte { return block("PRIVATE KEY", must(x509.MarshalPKCS8PrivateKey(k))) }
	pkix := func(k any) []byte { return block("PUBLIC KEY", must(x509.MarshalPKIXPublicKey(k))) }
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1<<31, 0)}
	cert := block("CERTIFICATE", must(x509.CreateCertificate(rand.Reader, tmpl, tmpl, edKey.Public(), edKey)))
	type equaler interface{ Equal(crypto.PublicKey) bool }

	for _, tt := range []struct {
		name string
		pem  []byte
		want crypto.PublicKey // the public half of the key read; nil: refused
		err  string
	}{
		{"PKCS #8 RSA", pkcs8(rsaKey), &rsaKey.PublicKey, ""},
		{"PKCS #8 EC", pkcs8(ecKey), &ecKey.PublicKey, ""},
		{"PKCS #8 Ed25519", pkcs8(edKey), edKey.Public(), ""},
		{"PKCS #1 RSA", block("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rsaKey)), &rsaKey.PublicKey, ""},
		{"SEC 1 EC", block("EC PRIVATE KEY", must(x509.MarshalECPrivateKey(ecKey))), &ecKey.PublicKey, ""},
		{"encrypted", block("ENCRYPTED PRIVATE KEY", []byte{1}), nil, `type "ENCRYPTED PRIVATE KEY" is not an unencrypted private key`},
		{"a public key", pkix(&rsaKey.PublicKey), nil, `type "PUBLIC KEY"`},
		{"two keys", append(pkcs8(ecKey), pkcs8(edKey)...), nil, "more than one PEM block"},
		{"no PEM", []byte("not a key"), nil, "no PEM block found"},
	} {
		k, err := ParsePrivateKeyPEM(tt.pem)
		if tt.want == nil {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("private, %s: %v, want %q", tt.name, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("private, %s: %v", tt.name, err)
		} else if !k.(crypto.Signer).Public().(equaler).Equal(tt.want) {
			t.Errorf("private, %s: another key", tt.name)
		}
	}

	for _, tt := range []struct {
		name string
		pem  []byte
		want crypto.PublicKey
		err  string
	}{
		{"PKIX RSA", pkix(&rsaKey.PublicKey), &rsaKey.PublicKey, ""},
		{"PKIX EC", pkix(&ecKey.PublicKey), &ecKey.PublicKey, ""},
		{"PKCS #1 RSA", block("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(&rsaKey.PublicKey)), &rsaKey.PublicKey, ""},
		{"a certificate", cert, edKey.Public(), ""},
		{"a private key", pkcs8(edKey), nil, `type "PRIVATE KEY" is not a public key`},
		{"trailing text", append(pkix(&ecKey.PublicKey), "junk"...), nil, "more than one PEM block"},
	} {
		k, err := ParsePublicKeyPEM(tt.pem)
		if tt.want == nil {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("public, %s: %v, want %q", tt.name, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("public, %s: %v", tt.name, err)
		} else if !k.(equaler).Equal(tt.want) {
			t.Errorf("public, %s: another key", tt.name)
		}
	}

	keys, err := ParsePublicKeysPEM(append(append(pkix(&rsaKey.PublicKey), '\n'), cert...))
	if err != nil || len(keys) != 2 || !keys[0].(equaler).Equal(&rsaKey.PublicKey) || !keys[1].(equaler).Equal(edKey.Public()) {
		t.Errorf("two public keys: %v, %v", keys, err)
	}
	for _, tt := range []struct {
		name string
		pem  []byte
		err  string
	}{
		{"none", nil, "want PEM blocks and nothing else"},
		{"trailing text", append(pkix(&rsaKey.PublicKey), "junk"...), "want PEM blocks and nothing else"},
		{"a private key second", append(pkix(&rsaKey.PublicKey), pkcs8(edKey)...), "PEM block 2:"},
	} {
		if keys, err := ParsePublicKeysPEM(tt.pem); err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("public keys, %s: %v, %v; want %q", tt.name, keys, err, tt.err)
		}
	}
}
