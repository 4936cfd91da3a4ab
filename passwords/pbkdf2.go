package passwords

import (
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"hash"
	"strconv"
	"strings"
	"unicode/utf8"
)

// PBKDF2 as Django's PBKDF2PasswordHasher and PBKDF2SHA1PasswordHasher
// write it: "pbkdf2_sha256$<iterations>$<salt>$<base64 of the key>", the
// salt used as text, the key as long as the digest (32 or 20 bytes), the
// base64 standard and padded. The primitive is the standard library's
// crypto/pbkdf2 (golang.org/x/crypto/pbkdf2 is a wrapper around it that
// panics where it returns an error).

type pbkdf2Hash struct {
	algorithm  string
	iterations int
	salt       string
	key        []byte
}

func pbkdf2Digest(algorithm string) func() hash.Hash {
	if algorithm == pbkdf2SHA1 {
		return sha1.New
	}
	return sha256.New
}

func decodePBKDF2(encoded string, lim limits) (stored, error) {
	f := strings.Split(encoded, "$")
	if len(f) != 4 {
		return nil, fmt.Errorf("%w: %s: want 4 fields", ErrMalformed, f[0])
	}
	h := pbkdf2Hash{algorithm: f[0], salt: f[2]}
	n, ok := parseCanonical(f[1])
	if !ok {
		return nil, fmt.Errorf("%w: %s: bad iteration count", ErrMalformed, h.algorithm)
	}
	if n > lim.pbkdf2Iterations {
		return nil, fmt.Errorf("%w: %s: %d iterations, more than %d", ErrCostTooHigh, h.algorithm, n, lim.pbkdf2Iterations)
	}
	h.iterations = n
	if h.salt == "" {
		return nil, fmt.Errorf("%w: %s: empty salt", ErrMalformed, h.algorithm)
	}
	key, err := base64.StdEncoding.Strict().DecodeString(f[3])
	if err != nil || len(key) != pbkdf2Digest(h.algorithm)().Size() {
		return nil, fmt.Errorf("%w: %s: bad hash", ErrMalformed, h.algorithm)
	}
	h.key = key
	return h, nil
}

func (h pbkdf2Hash) matches(password string) (bool, error) {
	key, err := pbkdf2.Key(pbkdf2Digest(h.algorithm), password, []byte(h.salt), h.iterations, len(h.key))
	if err != nil {
		return false, err // only FIPS 140-only mode gets here
	}
	return subtle.ConstantTimeCompare(key, h.key) == 1, nil
}

// mustUpdate: Django re-hashes when the iteration count differs from its
// own, up or down, or when the salt carries under 128 bits (its length is
// counted in characters, as Python counts).
func (h pbkdf2Hash) mustUpdate(p Policy) bool {
	return h.iterations != p.PBKDF2Iterations || saltTooWeak(utf8.RuneCountInString(h.salt))
}

// harden runs the iterations the stored hash lacks, with its salt.
func (h pbkdf2Hash) harden(p Policy, password string) {
	if extra := p.PBKDF2Iterations - h.iterations; extra > 0 {
		_, _ = pbkdf2.Key(pbkdf2Digest(h.algorithm), password, []byte(h.salt), extra, len(h.key))
	}
}

// hashPBKDF2 encodes password with p's algorithm and iterations and salt.
func hashPBKDF2(p Policy, password, salt string) (string, error) {
	digest := pbkdf2Digest(p.Algorithm)
	key, err := pbkdf2.Key(digest, password, []byte(salt), p.PBKDF2Iterations, digest().Size())
	if err != nil {
		return "", err
	}
	return p.Algorithm + "$" + strconv.Itoa(p.PBKDF2Iterations) + "$" + salt + "$" + base64.StdEncoding.EncodeToString(key), nil
}
