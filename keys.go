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
	"sync"

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
	errs := []error{checkRotation(s, fam)}
	if fam == hmacKey {
		if s.PrivateKey != nil || s.PublicKey != nil {
			return fmt.Errorf("jwtauth: %s takes SecretKey (JWT_SECRET_KEY), not PrivateKey or PublicKey", s.Algorithm)
		}
		if s.UserSecretKey == nil {
			errs = append(errs, checkSecret(s.SecretKey, s.Algorithm, "SecretKey (JWT_SECRET_KEY)"))
		} // else checked per user, when used
		return errors.Join(errs...)
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
	errs = append(errs, checkPublicKey(pub, s.Algorithm, "PublicKey (JWT_PUBLIC_KEY)"))
	return errors.Join(errs...)
}

// checkPublicKey refuses a public key of the wrong family, an RSA key too
// short, or an ECDSA key on the wrong curve for alg.
func checkPublicKey(pub crypto.PublicKey, alg, name string) error {
	if keyFamilyOf(pub) != algorithms[alg] {
		return fmt.Errorf("jwtauth: %s is a %s, which does not fit %s", name, keyName(pub), alg)
	}
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() < minRSABits {
			return fmt.Errorf("jwtauth: %s: the RSA key has %d bits; %s needs at least %d", name, k.N.BitLen(), alg, minRSABits)
		}
	case *ecdsa.PublicKey:
		want := map[string]elliptic.Curve{"ES256": elliptic.P256(), "ES384": elliptic.P384(), "ES512": elliptic.P521()}[alg]
		if k.Curve != want {
			return fmt.Errorf("jwtauth: %s: %s needs an ECDSA key on %s, not %s", name, alg, want.Params().Name, k.Curve.Params().Name)
		}
	}
	return nil
}

// maxPreviousKeys bounds the keys a token may be tried against: each costs
// a signature check, and a forged token is tried against them all.
const maxPreviousKeys = 3

// checkRotation checks KeyID and PreviousKeys.
func checkRotation(s Settings, fam keyFamily) error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf("jwtauth: "+format, args...)) }
	if s.UserSecretKey != nil && (s.KeyID != "" || len(s.PreviousKeys) > 0) {
		bad("KeyID and PreviousKeys rotate the shared key; with UserSecretKey (JWT_GET_USER_SECRET_KEY) each user's secret is rotated instead")
	}
	if len(s.PreviousKeys) > maxPreviousKeys {
		bad("PreviousKeys has %d keys; at most %d are kept, as every token may be tried against each", len(s.PreviousKeys), maxPreviousKeys)
	}
	ids := map[string]bool{}
	if s.KeyID != "" {
		if !isKeyID(s.KeyID) {
			bad("KeyID (JWT_KEY_ID) %q must be 1 to 64 printable ASCII characters, without quotes or backslashes", s.KeyID)
		}
		ids[s.KeyID] = true
	}
	for i, k := range s.PreviousKeys {
		name := fmt.Sprintf("PreviousKeys[%d]", i)
		if k.ID != "" {
			if !isKeyID(k.ID) {
				bad("%s.ID %q must be 1 to 64 printable ASCII characters, without quotes or backslashes", name, k.ID)
			}
			if ids[k.ID] {
				bad("%s.ID %q names another key too", name, k.ID)
			}
			ids[k.ID] = true
		}
		switch {
		case fam == hmacKey && k.PublicKey != nil:
			bad("%s: %s takes a Secret, not a PublicKey", name, s.Algorithm)
		case fam == hmacKey:
			errs = append(errs, checkSecret(k.Secret, s.Algorithm, name+".Secret (JWT_PREVIOUS_SECRET_KEYS)"))
		case k.Secret != "":
			bad("%s: %s takes a PublicKey, not a Secret", name, s.Algorithm)
		default:
			errs = append(errs, checkPublicKey(k.PublicKey, s.Algorithm, name+".PublicKey (JWT_PREVIOUS_PUBLIC_KEYS)"))
		}
	}
	return errors.Join(errs...)
}

// isKeyID reports whether id is a kid we write and match: short printable
// ASCII that JSON writes without escapes.
func isKeyID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// checkSecret refuses HMAC keys that RFC 7518 §3.2 and RFC 8725 §3.5 call
// weak, and keys that look like a public key (the key-confusion attacks of
// CVE-2017-11424 and CVE-2022-29217).
func checkSecret(secret Secret, alg, name string) error {
	min := map[string]int{"HS256": 32, "HS384": 48, "HS512": 64}[alg]
	switch {
	case secret == "":
		return fmt.Errorf("jwtauth: %s is empty; %s needs at least %d random bytes", name, alg, min)
	case len(secret) < min:
		return fmt.Errorf("jwtauth: %s has %d bytes; %s needs at least %d", name, len(secret), alg, min)
	case distinctBytes(string(secret)) < minSecretDistinct:
		return fmt.Errorf("jwtauth: %s has fewer than %d distinct characters: it is not random", name, minSecretDistinct)
	case looksLikePublicKey(string(secret)):
		return fmt.Errorf("jwtauth: %s looks like a PEM or SSH key; HMAC keys must be random secrets", name)
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

// keySet is what New and RotateKeys prepare from the keys of the settings,
// once: requests read it through one atomic load.
type keySet struct {
	method  jwt.SigningMethod
	signKey any      // nil: this Auth cannot issue tokens
	current verifier // SecretKey or PublicKey, named by KeyID; no key with per-user secrets
	// previous are the PreviousKeys; unnamed, those without ID.
	previous, unnamed []verifier
	// header is the header segment we write: DRF-JWT's, in PyJWT 1.x's
	// key order, with kid when KeyID is set.
	header string
	// plain are header segments that need no decoding: DRF-JWT's and
	// PyJWT 2's, which Django services write today, without kid.
	plain   [2]string
	scratch *sync.Pool // of *scratch, with an HMAC keyed with the current key
}

// verifier is a verification key and the kid that names it.
type verifier struct {
	id  string
	key any // []byte for HMAC, else a public key
}

// newKeySet prepares the keys of checked settings.
func newKeySet(s Settings) *keySet {
	ks := &keySet{
		method: jwt.GetSigningMethod(s.Algorithm),
		plain: [2]string{
			b64.EncodeToString([]byte(`{"typ":"JWT","alg":"` + s.Algorithm + `"}`)),
			b64.EncodeToString([]byte(`{"alg":"` + s.Algorithm + `","typ":"JWT"}`)),
		},
		current: verifier{id: s.KeyID},
	}
	ks.header = ks.plain[0]
	if s.KeyID != "" {
		ks.header = b64.EncodeToString([]byte(`{"typ":"JWT","alg":"` + s.Algorithm + `","kid":"` + s.KeyID + `"}`))
	}
	for _, k := range s.PreviousKeys {
		v := verifier{id: k.ID, key: k.PublicKey}
		if k.Secret != "" {
			v.key = []byte(k.Secret)
		}
		ks.previous = append(ks.previous, v)
		if v.id == "" {
			ks.unnamed = append(ks.unnamed, v)
		}
	}
	switch {
	case algorithms[s.Algorithm] != hmacKey:
		pub := s.PublicKey
		if s.PrivateKey != nil {
			ks.signKey = s.PrivateKey
			if pub == nil {
				pub = s.PrivateKey.(crypto.Signer).Public()
			}
		}
		ks.current.key = pub
	case s.UserSecretKey == nil:
		ks.signKey = []byte(s.SecretKey)
		ks.current.key = []byte(s.SecretKey)
	}
	ks.scratch = newScratchPool(s.Algorithm, ks.current.key)
	return ks
}

// candidates returns the keys a token with header kid (empty if none) may
// be verified with: the key kid names alone, else the current key and the
// previous keys without ID. A kid is only ever compared with our IDs.
func (ks *keySet) candidates(kid string) (first *verifier, more []verifier) {
	if kid != "" {
		if kid == ks.current.id {
			return &ks.current, nil
		}
		for i := range ks.previous {
			if ks.previous[i].id == kid {
				return &ks.previous[i], nil
			}
		}
	}
	return &ks.current, ks.unnamed
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
	return publicKeyOf(block)
}

// parsePublicKeysPEM reads every PEM block of data as parsePublicKeyPEM
// reads one.
func parsePublicKeysPEM(data []byte) ([]crypto.PublicKey, error) {
	var keys []crypto.PublicKey
	for {
		block, rest := pem.Decode(data)
		if block == nil {
			break
		}
		k, err := publicKeyOf(block)
		if err != nil {
			return nil, fmt.Errorf("PEM block %d: %w", len(keys)+1, err)
		}
		keys, data = append(keys, k), rest
	}
	if len(keys) == 0 || len(bytes.TrimSpace(data)) != 0 {
		return nil, errors.New("want PEM blocks and nothing else")
	}
	return keys, nil
}

func publicKeyOf(block *pem.Block) (crypto.PublicKey, error) {
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
