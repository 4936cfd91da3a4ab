package passwords

import (
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/scrypt"
)

// scrypt as Django 4.0 and later's ScryptPasswordHasher writes it:
// "scrypt$<N>$<salt>$<r>$<p>$<base64 of the key>", the salt used as text,
// a 64-byte key in padded standard base64.

const scryptKeyLen = 64

type scryptHash struct {
	n, r, p int
	salt    string
	key     []byte
}

func decodeScrypt(encoded string, lim limits) (stored, error) {
	f := strings.Split(encoded, "$")
	if len(f) != 6 {
		return nil, fmt.Errorf("%w: scrypt: want 6 fields", ErrMalformed)
	}
	h := scryptHash{salt: f[2]}
	var okN, okR, okP bool
	h.n, okN = parseCanonical(f[1])
	h.r, okR = parseCanonical(f[3])
	h.p, okP = parseCanonical(f[4])
	if !okN || !okR || !okP {
		return nil, fmt.Errorf("%w: scrypt: bad parameters", ErrMalformed)
	}
	if err := checkScrypt(h.n, h.r, h.p, lim, ErrMalformed); err != nil {
		return nil, err
	}
	if h.salt == "" {
		return nil, fmt.Errorf("%w: scrypt: empty salt", ErrMalformed)
	}
	key, err := base64.StdEncoding.Strict().DecodeString(f[5])
	if err != nil || len(key) != scryptKeyLen {
		return nil, fmt.Errorf("%w: scrypt: bad hash", ErrMalformed)
	}
	h.key = key
	return h, nil
}

// checkScrypt checks N (a power of two above 1), r and p (at least 1) (an
// error wrapping invalid: ErrMalformed for a stored hash, ErrInvalidPolicy
// for a policy) and the memory and work they ask for against lim
// (ErrCostTooHigh).
func checkScrypt(n, r, p int, lim limits, invalid error) error {
	if n < 2 || n&(n-1) != 0 || r < 1 || p < 1 {
		return fmt.Errorf("%w: scrypt: N must be a power of 2 above 1, r and p at least 1", invalid)
	}
	// Each factor is below 2^60 (parseCanonical reads at most 18 digits),
	// so check them one at a time before multiplying.
	n64, r64, p64 := uint64(n), uint64(r), uint64(p)
	if n64 > lim.scryptWork || r64 > lim.scryptWork || p64 > lim.scryptWork ||
		n64*r64 > lim.scryptWork || n64*r64*p64 > lim.scryptWork {
		return fmt.Errorf("%w: scrypt: N·r·p = %d·%d·%d, more than %d", ErrCostTooHigh, n, r, p, lim.scryptWork)
	}
	if 128*n64*r64 > lim.scryptBytes {
		return fmt.Errorf("%w: scrypt: 128·N·r = %d bytes, more than %d", ErrCostTooHigh, 128*n64*r64, lim.scryptBytes)
	}
	return nil
}

func (h scryptHash) matches(password string) (bool, error) {
	key, err := scrypt.Key([]byte(password), []byte(h.salt), h.n, h.r, h.p, scryptKeyLen)
	if err != nil {
		return false, fmt.Errorf("%w: scrypt: %v", ErrMalformed, err) // checkScrypt leaves nothing for this
	}
	return subtle.ConstantTimeCompare(key, h.key) == 1, nil
}

// mustUpdate: Django re-hashes when N, r or p differ from its own; it does
// not check scrypt salts.
func (h scryptHash) mustUpdate(p Policy) bool {
	return h.n != p.ScryptN || h.r != p.ScryptR || h.p != p.ScryptP
}

// harden does a whole hash of the policy when the stored one is cheaper,
// as for Argon2 (Django does nothing).
func (h scryptHash) harden(p Policy, password string) {
	if uint64(h.n)*uint64(h.r)*uint64(h.p) < uint64(p.ScryptN)*uint64(p.ScryptR)*uint64(p.ScryptP) {
		p.waste(password)
	}
}

// hashScrypt encodes password with p's parameters and salt.
func hashScrypt(p Policy, password, salt string) (string, error) {
	key, err := scrypt.Key([]byte(password), []byte(salt), p.ScryptN, p.ScryptR, p.ScryptP, scryptKeyLen)
	if err != nil {
		return "", err
	}
	return "scrypt$" + strconv.Itoa(p.ScryptN) + "$" + salt + "$" + strconv.Itoa(p.ScryptR) + "$" +
		strconv.Itoa(p.ScryptP) + "$" + base64.StdEncoding.EncodeToString(key), nil
}
