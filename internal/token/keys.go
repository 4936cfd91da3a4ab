package token

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
	"slices"
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

// Key is one key of a key set: an HMAC secret, or a private key (which
// signs, and whose public half verifies) or a public key alone. ID is the
// kid that names it; empty when its tokens carry none.
type Key struct {
	ID      string
	Secret  []byte
	Private crypto.PrivateKey
	Public  crypto.PublicKey
}

// Keys are what an engine signs and verifies with: the current key and
// the keys retired by rotations, which only verify.
type Keys struct {
	Current  Key
	Previous []Key
}

// checkKeys reports whether the keys fit the algorithm. It never prints a
// key. Its messages name the settings a user writes (Keys.Secret, and the
// environment variable), since they are what New reports.
func checkKeys(spec Spec, k Keys) error {
	fam, ok := algorithms[spec.Algorithm]
	if !ok {
		if strings.EqualFold(spec.Algorithm, "none") {
			return errors.New(`jwtauth: Algorithm (JWT_ALGORITHM) "none" is never accepted: unsigned tokens are forgeable`)
		}
		return fmt.Errorf("jwtauth: Algorithm (JWT_ALGORITHM) %q is not one of HS256, HS384, HS512, RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA", spec.Algorithm)
	}
	cur := k.Current
	errs := []error{checkRotation(spec, k, fam)}
	if fam == hmacKey {
		if cur.Private != nil || cur.Public != nil {
			return fmt.Errorf("jwtauth: %s takes Keys.Secret (JWT_SECRET_KEY), not Keys.Private or Keys.Public", spec.Algorithm)
		}
		if !spec.UserKeys {
			errs = append(errs, CheckSecret(cur.Secret, spec.Algorithm, "Keys.Secret (JWT_SECRET_KEY)"))
		} // else checked per user, when used
		return errors.Join(errs...)
	}
	if spec.UserKeys {
		return fmt.Errorf("jwtauth: UserSecretKey (JWT_GET_USER_SECRET_KEY) needs an HMAC algorithm, not %s", spec.Algorithm)
	}
	if cur.Private == nil && cur.Public == nil {
		return fmt.Errorf("jwtauth: %s needs Keys.Private (JWT_PRIVATE_KEY) or Keys.Public (JWT_PUBLIC_KEY)", spec.Algorithm)
	}
	pub := cur.Public
	if cur.Private != nil {
		signer, ok := cur.Private.(crypto.Signer)
		if !ok || keyFamilyOf(signer.Public()) != fam {
			return fmt.Errorf("jwtauth: Keys.Private (JWT_PRIVATE_KEY) is a %s, which does not fit %s", keyName(cur.Private), spec.Algorithm)
		}
		if pub == nil {
			pub = signer.Public()
		} else if eq, ok := pub.(interface{ Equal(crypto.PublicKey) bool }); !ok || !eq.Equal(signer.Public()) {
			return errors.New("jwtauth: Keys.Public (JWT_PUBLIC_KEY) is not the public half of Keys.Private (JWT_PRIVATE_KEY)")
		}
	}
	errs = append(errs, checkPublicKey(pub, spec.Algorithm, "Keys.Public (JWT_PUBLIC_KEY)"))
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

// checkRotation checks the key IDs and the previous keys.
func checkRotation(spec Spec, k Keys, fam keyFamily) error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf("jwtauth: "+format, args...)) }
	if spec.UserKeys && (k.Current.ID != "" || len(k.Previous) > 0) {
		bad("Keys.ID and Keys.Previous rotate the shared key; with UserSecretKey (JWT_GET_USER_SECRET_KEY) each user's secret is rotated instead")
	}
	if len(k.Previous) > maxPreviousKeys {
		bad("Keys.Previous has %d keys; at most %d are kept, as every token may be tried against each", len(k.Previous), maxPreviousKeys)
	}
	ids := map[string]bool{}
	if id := k.Current.ID; id != "" {
		if !isKeyID(id) {
			bad("Keys.ID (JWT_KEY_ID) %q must be 1 to 64 printable ASCII characters, without quotes or backslashes", id)
		}
		ids[id] = true
	}
	for i, p := range k.Previous {
		name := fmt.Sprintf("Keys.Previous[%d]", i)
		if p.ID != "" {
			if !isKeyID(p.ID) {
				bad("%s.ID %q must be 1 to 64 printable ASCII characters, without quotes or backslashes", name, p.ID)
			}
			if ids[p.ID] {
				bad("%s.ID %q names another key too", name, p.ID)
			}
			ids[p.ID] = true
		}
		switch {
		case p.Private != nil:
			bad("%s: a retired key only verifies: give its Public key, not its Private one", name)
		case fam == hmacKey && p.Public != nil:
			bad("%s: %s takes a Secret, not a Public key", name, spec.Algorithm)
		case fam == hmacKey:
			errs = append(errs, CheckSecret(p.Secret, spec.Algorithm, name+".Secret (JWT_PREVIOUS_SECRET_KEYS)"))
		case len(p.Secret) > 0:
			bad("%s: %s takes a Public key, not a Secret", name, spec.Algorithm)
		default:
			errs = append(errs, checkPublicKey(p.Public, spec.Algorithm, name+".Public (JWT_PREVIOUS_PUBLIC_KEYS)"))
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

// CheckSecret refuses HMAC keys that RFC 7518 §3.2 and RFC 8725 §3.5 call
// weak, and keys that look like a public key (the key-confusion attacks of
// CVE-2017-11424 and CVE-2022-29217). name is the setting, for the message.
func CheckSecret(secret []byte, alg, name string) error {
	min := map[string]int{"HS256": 32, "HS384": 48, "HS512": 64}[alg]
	switch {
	case len(secret) == 0:
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

// keySet is what New and Rotate prepare from the keys, once: requests
// read it through one atomic load.
type keySet struct {
	method  jwt.SigningMethod
	signKey any      // nil: this engine cannot sign (or, with user keys, is told each key)
	current verifier // the current key, named by its ID; no key with per-user secrets
	// previous are the previous keys; unnamed, those without ID.
	previous, unnamed []verifier
	// header is the header segment we write: DRF-JWT's, in PyJWT 1.x's
	// key order, or simplejwt's, in PyJWT 2's, with kid when the current
	// key has an ID.
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

// newKeySet prepares checked keys.
func newKeySet(spec Spec, k Keys) *keySet {
	alg := spec.Algorithm
	ks := &keySet{
		method: jwt.GetSigningMethod(alg),
		plain: [2]string{
			b64.EncodeToString([]byte(`{"typ":"JWT","alg":"` + alg + `"}`)),
			b64.EncodeToString([]byte(`{"alg":"` + alg + `","typ":"JWT"}`)),
		},
		current: verifier{id: k.Current.ID},
	}
	ks.header = ks.plain[0]
	switch {
	case spec.SimpleJWT && k.Current.ID != "":
		// PyJWT 2, which simplejwt runs on, sorts the header's names.
		ks.header = b64.EncodeToString([]byte(`{"alg":"` + alg + `","kid":"` + k.Current.ID + `","typ":"JWT"}`))
	case spec.SimpleJWT:
		ks.header = ks.plain[1]
	case k.Current.ID != "":
		ks.header = b64.EncodeToString([]byte(`{"typ":"JWT","alg":"` + alg + `","kid":"` + k.Current.ID + `"}`))
	}
	for _, p := range k.Previous {
		v := verifier{id: p.ID, key: p.Public}
		if len(p.Secret) > 0 {
			v.key = slices.Clone(p.Secret)
		}
		ks.previous = append(ks.previous, v)
		if v.id == "" {
			ks.unnamed = append(ks.unnamed, v)
		}
	}
	switch {
	case algorithms[alg] != hmacKey:
		pub := k.Current.Public
		if k.Current.Private != nil {
			ks.signKey = k.Current.Private
			if pub == nil {
				pub = k.Current.Private.(crypto.Signer).Public()
			}
		}
		ks.current.key = pub
	case !spec.UserKeys:
		secret := slices.Clone(k.Current.Secret)
		ks.signKey = secret
		ks.current.key = secret
	}
	ks.scratch = newScratchPool(alg, ks.current.key)
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

// ParsePrivateKeyPEM reads an unencrypted PKCS #8, PKCS #1 (RSA) or SEC 1
// (EC) private key.
func ParsePrivateKeyPEM(data []byte) (crypto.PrivateKey, error) {
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

// ParsePublicKeyPEM reads a PKIX or PKCS #1 (RSA) public key, or takes the
// key of a certificate.
func ParsePublicKeyPEM(data []byte) (crypto.PublicKey, error) {
	block, err := onePEMBlock(data)
	if err != nil {
		return nil, err
	}
	return publicKeyOf(block)
}

// ParsePublicKeysPEM reads every PEM block of data as ParsePublicKeyPEM
// reads one.
func ParsePublicKeysPEM(data []byte) ([]crypto.PublicKey, error) {
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
