package passwords

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// bcrypt as Django's BCryptSHA256PasswordHasher and BCryptPasswordHasher
// write it: the algorithm, "$", then the 60 characters of a modular-crypt
// bcrypt hash, "bcrypt_sha256$$2b$12$<22 characters of salt><31 of hash>".
// bcrypt_sha256 hashes the lower-case hex SHA-256 of the password (64
// bytes), so any password fits; plain bcrypt hashes the password itself,
// and only passwords bcrypt takes whole (72 bytes at most, no NUL) are
// hashed or compared here.

const (
	bcryptMinCost = bcrypt.MinCost // 4
	bcryptMaxLen  = 72
	// bcryptChars is bcrypt's base64 alphabet.
	bcryptChars = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
)

type bcryptHash struct {
	sha256 bool
	cost   int
	data   []byte // the 60-character modular-crypt hash
}

func decodeBcrypt(encoded string, lim limits) (stored, error) {
	algorithm, data, _ := strings.Cut(encoded, "$")
	h := bcryptHash{sha256: algorithm == bcryptSHA256, data: []byte(data)}
	// "$2b$" (what Python's bcrypt writes), "$2a$" and "$2y$" (which it
	// also reads); two digits of cost, "$", then 53 characters.
	if len(data) != 60 || data[0] != '$' || data[1] != '2' || !strings.ContainsRune("aby", rune(data[2])) ||
		data[3] != '$' || !isDigit(data[4]) || !isDigit(data[5]) || data[6] != '$' {
		return nil, fmt.Errorf("%w: %s: not a bcrypt hash", ErrMalformed, algorithm)
	}
	for i := 7; i < len(data); i++ {
		if strings.IndexByte(bcryptChars, data[i]) < 0 {
			return nil, fmt.Errorf("%w: %s: bad character", ErrMalformed, algorithm)
		}
	}
	// The last character of the salt (16 bytes in 22 characters) and of the
	// hash (23 bytes in 31) carry unused low bits. bcrypt writes them as
	// zeros and re-encodes the salt when it hashes, so a hash with other
	// bits never compares equal in Django; x/crypto would compare the
	// characters as stored.
	if strings.IndexByte(bcryptChars, data[7+21])&15 != 0 || strings.IndexByte(bcryptChars, data[59])&3 != 0 {
		return nil, fmt.Errorf("%w: %s: non-canonical base64", ErrMalformed, algorithm)
	}
	h.cost = int(data[4]-'0')*10 + int(data[5]-'0')
	switch {
	case h.cost < bcryptMinCost || h.cost > bcrypt.MaxCost:
		return nil, fmt.Errorf("%w: %s: cost %d", ErrMalformed, algorithm, h.cost)
	case h.cost > lim.bcryptCost:
		return nil, fmt.Errorf("%w: %s: cost %d, more than %d", ErrCostTooHigh, algorithm, h.cost, lim.bcryptCost)
	}
	return h, nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// bcryptInput returns what bcrypt hashes for password: its hex SHA-256 for
// bcrypt_sha256, else the password itself, or an error wrapping
// ErrPasswordUnsupported when bcrypt cannot take it whole.
func bcryptInput(sha bool, password string) ([]byte, error) {
	if sha {
		sum := sha256.Sum256([]byte(password))
		return []byte(hex.EncodeToString(sum[:])), nil
	}
	switch {
	case len(password) > bcryptMaxLen:
		return nil, fmt.Errorf("%w: longer than %d bytes", ErrPasswordUnsupported, bcryptMaxLen)
	case strings.IndexByte(password, 0) >= 0:
		return nil, fmt.Errorf("%w: contains a NUL byte", ErrPasswordUnsupported)
	}
	return []byte(password), nil
}

// matches compares in constant time (bcrypt.CompareHashAndPassword does).
// A password plain bcrypt cannot take costs the same work, its first 72
// bytes compared and the result discarded, and never matches.
func (h bcryptHash) matches(password string) (bool, error) {
	in, err := bcryptInput(h.sha256, password)
	if err != nil {
		_ = bcrypt.CompareHashAndPassword(h.data, []byte(password[:min(len(password), bcryptMaxLen)]))
		return false, err
	}
	return bcrypt.CompareHashAndPassword(h.data, in) == nil, nil
}

// mustUpdate: Django re-hashes when the cost differs from its rounds.
func (h bcryptHash) mustUpdate(p Policy) bool {
	return h.cost != p.BcryptCost
}

// harden hashes again at the stored cost, as Django does, until the work
// equals one hash at the policy's cost: 2^(policy − stored) − 1 more times.
func (h bcryptHash) harden(p Policy, password string) {
	if p.BcryptCost <= h.cost {
		return
	}
	in, err := bcryptInput(h.sha256, password)
	if err != nil {
		in = []byte(password[:min(len(password), bcryptMaxLen)])
	}
	for i := (1 << (p.BcryptCost - h.cost)) - 1; i > 0; i-- {
		_ = bcrypt.CompareHashAndPassword(h.data, in)
	}
}

// hashBcrypt encodes password with p's algorithm and cost, under a "$2b$"
// prefix as Python's bcrypt writes: x/crypto writes "$2a$", the same
// algorithm for every input taken here (the two differ only for passwords
// over 255 bytes in OpenBSD's old code).
func hashBcrypt(p Policy, password string) (string, error) {
	in, err := bcryptInput(p.Algorithm == bcryptSHA256, password)
	if err != nil {
		return "", err
	}
	data, err := bcrypt.GenerateFromPassword(in, p.BcryptCost)
	if err != nil {
		return "", err
	}
	data[2] = 'b'
	return p.Algorithm + "$" + string(data), nil
}

// wasteBcrypt hashes password at p's cost and throws the result away.
func wasteBcrypt(p Policy, password string) {
	in, err := bcryptInput(p.Algorithm == bcryptSHA256, password)
	if err != nil {
		in = []byte(password[:min(len(password), bcryptMaxLen)])
	}
	_, _ = bcrypt.GenerateFromPassword(in, p.BcryptCost)
}
