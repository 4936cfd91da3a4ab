package passwords

import (
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2 as Django's Argon2PasswordHasher writes it: "argon2" followed by
// argon2-cffi's encoding, "argon2$argon2id$v=19$m=102400,t=2,p=8$<salt>$<hash>",
// salt and hash in unpadded standard base64. Django verifies with
// argon2-cffi, which reads what libargon2's decoder reads; so does this
// file:
//
//   - the variety: argon2id (Django 3.2 and later write it) or argon2i
//     (older Django, through argon2-cffi's default); argon2d is refused with
//     ErrUnknownAlgorithm, golang.org/x/crypto/argon2 does not compute it;
//   - the version: "v=19" (0x13). Without "v=", libargon2 reads version
//     1.0 (0x10), which argon2-cffi before 16.0 wrote and Django still
//     verifies; x/crypto implements only 1.3, so such hashes and "v=16" are
//     refused with ErrUnknownAlgorithm;
//   - "m=,t=,p=" in that order, decimal; m at least 8·p, t and p at least
//     1; a salt of at least 8 bytes and a hash of at least 4 (libargon2's
//     minimums).

// argon2HashLen is argon2-cffi's DEFAULT_HASH_LENGTH, what Django writes.
const argon2HashLen = 16

type argon2Hash struct {
	id                  bool // argon2id, else argon2i
	time, memory, lanes uint32
	salt, key           []byte
}

func decodeArgon2(encoded string, lim limits) (stored, error) {
	f := strings.Split(encoded, "$")
	var variety, version, params, salt, key string
	switch len(f) {
	case 6:
		variety, version, params, salt, key = f[1], f[2], f[3], f[4], f[5]
	case 5:
		variety, params, salt, key = f[1], f[2], f[3], f[4]
	default:
		return nil, fmt.Errorf("%w: argon2: want 5 or 6 fields", ErrMalformed)
	}
	var h argon2Hash
	switch variety {
	case "argon2id":
		h.id = true
	case "argon2i":
	case "argon2d":
		return nil, fmt.Errorf("%w: argon2d", ErrUnknownAlgorithm)
	default:
		return nil, fmt.Errorf("%w: argon2: unknown variety", ErrMalformed)
	}
	m, t, p, ok := parseArgon2Params(params)
	if !ok {
		return nil, fmt.Errorf("%w: argon2: bad parameters", ErrMalformed)
	}
	switch version {
	case "v=19":
	case "", "v=16":
		return nil, fmt.Errorf("%w: argon2 version 1.0 (v=16)", ErrUnknownAlgorithm)
	default:
		return nil, fmt.Errorf("%w: argon2: bad version", ErrMalformed)
	}
	if err := checkArgon2(t, m, p, lim, ErrMalformed); err != nil {
		return nil, err
	}
	h.time, h.memory, h.lanes = t, m, p
	var err error
	if h.salt, err = base64.RawStdEncoding.Strict().DecodeString(salt); err != nil || len(h.salt) < 8 {
		return nil, fmt.Errorf("%w: argon2: bad salt", ErrMalformed)
	}
	if h.key, err = base64.RawStdEncoding.Strict().DecodeString(key); err != nil || len(h.key) < 4 {
		return nil, fmt.Errorf("%w: argon2: bad hash", ErrMalformed)
	}
	return h, nil
}

// parseArgon2Params reads "m=<m>,t=<t>,p=<p>". Like libargon2, it takes
// leading zeros.
func parseArgon2Params(s string) (m, t, p uint32, ok bool) {
	f := strings.Split(s, ",")
	if len(f) != 3 {
		return 0, 0, 0, false
	}
	var v [3]uint32
	for i, name := range []string{"m=", "t=", "p="} {
		digits, found := strings.CutPrefix(f[i], name)
		if !found || digits == "" || strings.TrimLeft(digits, "0123456789") != "" {
			return 0, 0, 0, false
		}
		n, err := strconv.ParseUint(digits, 10, 32)
		if err != nil {
			return 0, 0, 0, false
		}
		v[i] = uint32(n)
	}
	return v[0], v[1], v[2], true
}

// checkArgon2 checks time, memory (KiB) and lanes against libargon2's
// minimums (an error wrapping invalid: ErrMalformed for a stored hash,
// ErrInvalidPolicy for a policy) and lim (ErrCostTooHigh).
func checkArgon2(t, m, p uint32, lim limits, invalid error) error {
	switch {
	case t < 1 || p < 1:
		return fmt.Errorf("%w: argon2: time and parallelism must be at least 1", invalid)
	case p > 255:
		return fmt.Errorf("%w: argon2: %d lanes, more than 255", ErrCostTooHigh, p)
	case uint64(m) < 8*uint64(p):
		return fmt.Errorf("%w: argon2: memory below 8 KiB a lane", invalid)
	case uint64(m) > lim.argon2MemoryKiB:
		return fmt.Errorf("%w: argon2: %d KiB of memory, more than %d", ErrCostTooHigh, m, lim.argon2MemoryKiB)
	case uint64(t)*uint64(m) > lim.argon2Passes:
		return fmt.Errorf("%w: argon2: %d passes over %d KiB, more than %d KiB in all", ErrCostTooHigh, t, m, lim.argon2Passes)
	}
	return nil
}

func (h argon2Hash) derive(password string) []byte {
	if h.id {
		return argon2.IDKey([]byte(password), h.salt, h.time, h.memory, uint8(h.lanes), uint32(len(h.key)))
	}
	return argon2.Key([]byte(password), h.salt, h.time, h.memory, uint8(h.lanes), uint32(len(h.key)))
}

func (h argon2Hash) matches(password string) (bool, error) {
	return subtle.ConstantTimeCompare(h.derive(password), h.key) == 1, nil
}

// mustUpdate: Django compares argon2-cffi's Parameters (variety, version,
// hash length, time, memory, lanes) with its own, and checks that the salt
// carries 128 bits (its length counted in bytes).
func (h argon2Hash) mustUpdate(p Policy) bool {
	return !h.id || len(h.key) != argon2HashLen ||
		h.time != p.Argon2Time || h.memory != p.Argon2MemoryKiB || h.lanes != p.Argon2Threads ||
		saltTooWeak(len(h.salt))
}

// harden does a whole hash of the policy when the stored one is cheaper:
// Argon2's runtime does not split into a difference of work (Django does
// nothing, and a cheaper hash then fails faster).
func (h argon2Hash) harden(p Policy, password string) {
	if uint64(h.time)*uint64(h.memory) < uint64(p.Argon2Time)*uint64(p.Argon2MemoryKiB) {
		p.waste(password)
	}
}

// hashArgon2 encodes password as Argon2id with p's parameters and salt
// (its text bytes, as Django passes salt.encode()).
func hashArgon2(p Policy, password, salt string) string {
	h := argon2Hash{id: true, time: p.Argon2Time, memory: p.Argon2MemoryKiB, lanes: p.Argon2Threads, salt: []byte(salt)}
	h.key = make([]byte, argon2HashLen)
	key := h.derive(password)
	return fmt.Sprintf("argon2$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, h.memory, h.time, h.lanes,
		base64.RawStdEncoding.EncodeToString(h.salt), base64.RawStdEncoding.EncodeToString(key))
}
