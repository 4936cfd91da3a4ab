package jwtauth

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

// algorithms lists every algorithm we sign and verify with, and the key
// family it takes. golang-jwt provides the primitives.
var algorithms = map[string]keyFamily{
	"HS256": hmacKey, "HS384": hmacKey, "HS512": hmacKey,
	"RS256": rsaKey, "RS384": rsaKey, "RS512": rsaKey,
	"PS256": rsaKey, "PS384": rsaKey, "PS512": rsaKey,
	"ES256": ecKey, "ES384": ecKey, "ES512": ecKey,
	"EdDSA": edKey,
}

type keyFamily int

const (
	hmacKey keyFamily = iota + 1
	rsaKey
	ecKey
	edKey
)

// minRSABits follows NIST SP 800-57: smaller RSA keys are breakable.
const minRSABits = 2048

// minSecretDistinct mirrors Django's security.W009 check on SECRET_KEY.
const minSecretDistinct = 5

// checkKeys reports whether the keys fit the algorithm. It never prints a
// key.
func checkKeys(s Settings) error {
	fam, ok := algorithms[s.Algorithm]
	if !ok {
		if strings.EqualFold(s.Algorithm, "none") {
			return errors.New(`jwtauth: Algorithm (JWT_ALGORITHM) "none" is never accepted: unsigned tokens are forgeable`)
		}
		return fmt.Errorf("jwtauth: Algorithm (JWT_ALGORITHM) %q is not one of HS256, HS384, HS512, RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA", s.Algorithm)
	}
	if fam == hmacKey {
		if s.PrivateKey != nil || s.PublicKey != nil {
			return fmt.Errorf("jwtauth: %s takes SecretKey (JWT_SECRET_KEY), not PrivateKey or PublicKey", s.Algorithm)
		}
		if s.UserSecretKey != nil {
			return nil // checked per user, when used
		}
		return checkSecret(s.SecretKey, s.Algorithm)
	}
	if s.UserSecretKey != nil {
		return fmt.Errorf("jwtauth: UserSecretKey (JWT_GET_USER_SECRET_KEY) needs an HMAC algorithm, not %s", s.Algorithm)
	}
	if s.PrivateKey == nil && s.PublicKey == nil {
		return fmt.Errorf("jwtauth: %s needs PrivateKey (JWT_PRIVATE_KEY) or PublicKey (JWT_PUBLIC_KEY)", s.Algorithm)
	}
	pub := s.PublicKey
	if s.PrivateKey != nil {
		signer, ok := s.PrivateKey.(crypto.Signer)
		if !ok || keyFamilyOf(signer.Public()) != fam {
			return fmt.Errorf("jwtauth: PrivateKey (JWT_PRIVATE_KEY) is a %s, which does not fit %s", keyName(s.PrivateKey), s.Algorithm)
		}
		if pub == nil {
			pub = signer.Public()
		} else if eq, ok := pub.(interface{ Equal(crypto.PublicKey) bool }); !ok || !eq.Equal(signer.Public()) {
			return errors.New("jwtauth: PublicKey (JWT_PUBLIC_KEY) is not the public half of PrivateKey (JWT_PRIVATE_KEY)")
		}
	}
	if keyFamilyOf(pub) != fam {
		return fmt.Errorf("jwtauth: PublicKey (JWT_PUBLIC_KEY) is a %s, which does not fit %s", keyName(pub), s.Algorithm)
	}
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() < minRSABits {
			return fmt.Errorf("jwtauth: the RSA key has %d bits; %s needs at least %d", k.N.BitLen(), s.Algorithm, minRSABits)
		}
	case *ecdsa.PublicKey:
		want := map[string]elliptic.Curve{"ES256": elliptic.P256(), "ES384": elliptic.P384(), "ES512": elliptic.P521()}[s.Algorithm]
		if k.Curve != want {
			return fmt.Errorf("jwtauth: %s needs an ECDSA key on %s, not %s", s.Algorithm, want.Params().Name, k.Curve.Params().Name)
		}
	}
	return nil
}

// checkSecret refuses HMAC keys that RFC 7518 §3.2 and RFC 8725 §3.5 call
// weak, and keys that look like a public key (the key-confusion attacks of
// CVE-2017-11424 and CVE-2022-29217).
func checkSecret(secret Secret, alg string) error {
	min := map[string]int{"HS256": 32, "HS384": 48, "HS512": 64}[alg]
	switch {
	case secret == "":
		return fmt.Errorf("jwtauth: SecretKey (JWT_SECRET_KEY) is empty; %s needs at least %d random bytes", alg, min)
	case len(secret) < min:
		return fmt.Errorf("jwtauth: SecretKey (JWT_SECRET_KEY) has %d bytes; %s needs at least %d", len(secret), alg, min)
	case distinctBytes(string(secret)) < minSecretDistinct:
		return fmt.Errorf("jwtauth: SecretKey (JWT_SECRET_KEY) has fewer than %d distinct characters: it is not random", minSecretDistinct)
	case looksLikePublicKey(string(secret)):
		return errors.New("jwtauth: SecretKey (JWT_SECRET_KEY) looks like a PEM or SSH key; HMAC keys must be random secrets")
	}
	return nil
}

func distinctBytes(s string) int {
	var seen [256]bool
	n := 0
	for i := 0; i < len(s); i++ {
		if !seen[s[i]] {
			seen[s[i]] = true
			n++
		}
	}
	return n
}

func looksLikePublicKey(s string) bool {
	s = strings.TrimSpace(s)
	for _, p := range []string{"-----BEGIN", "ssh-rsa ", "ssh-ed25519 ", "ssh-dss ", "ecdsa-sha2-"} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

func keyFamilyOf(k crypto.PublicKey) keyFamily {
	switch k.(type) {
	case *rsa.PublicKey:
		return rsaKey
	case *ecdsa.PublicKey:
		return ecKey
	case ed25519.PublicKey:
		return edKey
	}
	return 0
}

func keyName(k any) string {
	if k == nil {
		return "nil key"
	}
	return fmt.Sprintf("%T", k)
}

// signer holds what New prepares once for signing and verifying.
type signer struct {
	method    jwt.SigningMethod
	signKey   any    // nil: this Auth cannot issue tokens
	verifyKey any    // nil for HMAC with per-user secrets
	header    string // DRF-JWT's header segment, which we write
	altHeader string // PyJWT 2's, which Django services write today
}

// newSigner prepares the keys of checked settings.
func newSigner(s Settings) signer {
	sg := signer{
		method: jwt.GetSigningMethod(s.Algorithm),
		// DRF-JWT's header, in PyJWT 1.x's key order.
		header:    b64.EncodeToString([]byte(`{"typ":"JWT","alg":"` + s.Algorithm + `"}`)),
		altHeader: b64.EncodeToString([]byte(`{"alg":"` + s.Algorithm + `","typ":"JWT"}`)),
	}
	if algorithms[s.Algorithm] == hmacKey {
		if s.UserSecretKey == nil {
			sg.signKey = []byte(s.SecretKey)
			sg.verifyKey = []byte(s.SecretKey)
		}
		return sg
	}
	pub := s.PublicKey
	if s.PrivateKey != nil {
		sg.signKey = s.PrivateKey
		if pub == nil {
			pub = s.PrivateKey.(crypto.Signer).Public()
		}
	}
	sg.verifyKey = pub
	return sg
}

// parsePrivateKeyPEM reads an unencrypted PKCS #8, PKCS #1 (RSA) or SEC 1
// (EC) private key.
func parsePrivateKeyPEM(data []byte) (crypto.PrivateKey, error) {
	block, err := onePEMBlock(data)
	if err != nil {
		return nil, err
	}
	switch block.Type {
	case "PRIVATE KEY":
		return x509.ParsePKCS8PrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		return x509.ParsePKCS1PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		return x509.ParseECPrivateKey(block.Bytes)
	}
	return nil, fmt.Errorf("a PEM block of type %q is not an unencrypted private key", block.Type)
}

// parsePublicKeyPEM reads a PKIX or PKCS #1 (RSA) public key, or takes the
// key of a certificate.
func parsePublicKeyPEM(data []byte) (crypto.PublicKey, error) {
	block, err := onePEMBlock(data)
	if err != nil {
		return nil, err
	}
	switch block.Type {
	case "PUBLIC KEY":
		return x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		return x509.ParsePKCS1PublicKey(block.Bytes)
	case "CERTIFICATE":
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, err
		}
		return cert.PublicKey, nil
	}
	return nil, fmt.Errorf("a PEM block of type %q is not a public key", block.Type)
}

func onePEMBlock(data []byte) (*pem.Block, error) {
	block, rest := pem.Decode(data)
	if block == nil {
		return nil, errors.New("no PEM block found")
	}
	if len(bytes.TrimSpace(rest)) != 0 {
		return nil, errors.New("more than one PEM block")
	}
	return block, nil
}
