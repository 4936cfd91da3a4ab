package passwords

import (
	"crypto/rand"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// The algorithm names, as Django writes them before the first "$".
const (
	pbkdf2SHA256 = "pbkdf2_sha256"
	pbkdf2SHA1   = "pbkdf2_sha1"
	argon2Name   = "argon2"
	bcryptSHA256 = "bcrypt_sha256"
	bcryptName   = "bcrypt"
	scryptName   = "scrypt"
)

// Errors. Verify wraps one of them when a stored hash cannot match; Hash and
// Validate wrap them when a policy or password cannot be hashed. None of
// their texts ever contains a password, a salt or a hash.
var (
	// ErrUnusable: the stored hash is empty or starts with "!", Django's
	// mark for a user without a usable password (set_unusable_password,
	// make_password(None)).
	ErrUnusable = errors.New("passwords: no usable password")
	// ErrUnknownAlgorithm: the hash names an algorithm or variant this
	// package does not compute (Django's md5, sha1, crypt and unsalted
	// hashers, argon2d, Argon2 version 1.0), or a policy names one.
	ErrUnknownAlgorithm = errors.New("passwords: unknown password hash algorithm")
	// ErrMalformed: the hash does not have the form its algorithm writes
	// (missing or extra fields, a bad number, bad base64, a wrong length).
	ErrMalformed = errors.New("passwords: malformed password hash")
	// ErrCostTooHigh: the hash's cost parameters are above the bounds this
	// package computes (see Policy), or a policy asks for such costs.
	ErrCostTooHigh = errors.New("passwords: password hash cost above the allowed bounds")
	// ErrPasswordUnsupported: the password cannot be hashed exactly. No
	// algorithm takes a NUL byte (PBKDF2's HMAC pads its key with zeros, C
	// bcrypt stops there; Django's forms refuse it), and plain bcrypt takes
	// at most 72 bytes (it would ignore the rest; bcrypt_sha256 has no such
	// limit).
	ErrPasswordUnsupported = errors.New("passwords: password not supported")
	// ErrInvalidPolicy: a Policy field is out of range. Errors from
	// Validate, Hash and Verify for a bad policy wrap it.
	ErrInvalidPolicy = errors.New("passwords: invalid policy")
)

// Policy says how new passwords are hashed and which stored hashes are
// weaker than wanted. The zero value means DefaultPolicy(), and so does the
// zero value of each field: Policy{Algorithm: "argon2"} is Argon2 with
// Django's Argon2 parameters.
//
// Whatever the policy, Verify accepts every algorithm, and refuses stored
// hashes whose costs exceed fixed bounds (ErrCostTooHigh) rather than spend
// seconds or gigabytes on them. Each bound is about ten times the work of
// Django's default for the algorithm, 1.5 to 4 s of one core of the CI
// machine, where Django's default takes 0.15 to 0.25 s (BenchmarkVerify):
//
//   - PBKDF2: at most 10,000,000 iterations, 6.7 times Django 6.1's
//     1,500,000. Django adds about 20% a release, so its default reaches
//     the bound around Django 8.
//   - Argon2: at most 1 GiB of memory (10 times Django's 100 MiB), at most
//     2 GiB of memory passes (time × memory, 10 times Django's 2 × 100 MiB)
//     and at most 255 lanes (golang.org/x/crypto/argon2 takes a uint8).
//   - bcrypt: cost at most 16, 16 times the work of Django's 12; bcrypt
//     itself allows 31, about 32 hours a hash here.
//   - scrypt: at most 256 MiB (128·N·r bytes, 8 times the 32 MiB that
//     OpenSSL, and so Django, allows by default) and N·r·p at most 2^23,
//     12.8 times Django's 2^14·8·5.
//
// A policy above these bounds is invalid: Hash never writes what Verify
// would refuse.
type Policy struct {
	// Algorithm for new hashes: "pbkdf2_sha256" (default), "pbkdf2_sha1",
	// "argon2", "bcrypt_sha256", "bcrypt" or "scrypt". A stored hash of
	// another algorithm is reported for upgrade by Verify.
	Algorithm string

	// PBKDF2Iterations for pbkdf2_sha256 and pbkdf2_sha1: default 1,500,000,
	// Django 6.1's PBKDF2PasswordHasher.iterations; every release has its
	// own (Django returns it). A service that shares its database with a
	// Django project should use that project's count: Django re-hashes on
	// login any hash whose count differs from its own, and so does Verify's
	// upgrade.
	PBKDF2Iterations int

	// Argon2Time, Argon2MemoryKiB and Argon2Threads for argon2 (Argon2id,
	// version 19, 16-byte hashes): default 2, 102400 (100 MiB) and 8,
	// Django's Argon2PasswordHasher time_cost, memory_cost and parallelism.
	Argon2Time, Argon2MemoryKiB, Argon2Threads uint32

	// BcryptCost for bcrypt_sha256 and bcrypt: default 12, Django's
	// BCryptSHA256PasswordHasher.rounds.
	BcryptCost int

	// ScryptN, ScryptR and ScryptP for scrypt: default 16384 (2^14), 8 and
	// 5, Django's ScryptPasswordHasher work_factor, block_size and
	// parallelism (parallelism was 1 before Django 5.1: see Django).
	ScryptN, ScryptR, ScryptP int
}

// DefaultPolicy returns the policy the zero Policy means: pbkdf2_sha256 at
// Django 6.1's 1,500,000 iterations, which every Django installation can
// verify without extra packages, and Django's own parameters for the other
// algorithms.
func DefaultPolicy() Policy {
	return Policy{
		Algorithm:        pbkdf2SHA256,
		PBKDF2Iterations: 1_500_000,
		Argon2Time:       2,
		Argon2MemoryKiB:  102400,
		Argon2Threads:    8,
		BcryptCost:       12,
		ScryptN:          1 << 14,
		ScryptR:          8,
		ScryptP:          5,
	}
}

// limits are the bounds on the costs of a stored hash (see Policy). The
// fuzz test uses smaller ones so that it explores formats, not CPU time.
type limits struct {
	pbkdf2Iterations int
	argon2MemoryKiB  uint64
	argon2Passes     uint64 // time × memory in KiB
	bcryptCost       int
	scryptBytes      uint64 // 128·N·r
	scryptWork       uint64 // N·r·p
}

var defaultLimits = limits{
	pbkdf2Iterations: 10_000_000,
	argon2MemoryKiB:  1 << 20,
	argon2Passes:     2 << 20,
	bcryptCost:       16,
	scryptBytes:      256 << 20,
	scryptWork:       1 << 23,
}

// maxEncodedLen bounds a stored hash. Django's password column holds 128
// characters; anything much longer was not written by a Django hasher.
const maxEncodedLen = 1024

// stored is a parsed, well-formed hash whose costs are within bounds.
type stored interface {
	// matches computes the hash of password and compares it in constant
	// time. A non-nil error means the password cannot be compared exactly
	// (ErrPasswordUnsupported); the work has been done all the same.
	matches(password string) (bool, error)
	// mustUpdate is Django's must_update for this algorithm's hasher
	// configured as p says.
	mustUpdate(p Policy) bool
	// harden is Django's harden_runtime: after a wrong password, it does
	// the work that separates this hash's cost from p's.
	harden(p Policy, password string)
}

// decoders parse each algorithm's encoded form, the "algorithm$" prefix
// included.
var decoders = map[string]func(encoded string, lim limits) (stored, error){
	pbkdf2SHA256: decodePBKDF2,
	pbkdf2SHA1:   decodePBKDF2,
	argon2Name:   decodeArgon2,
	bcryptSHA256: decodeBcrypt,
	bcryptName:   decodeBcrypt,
	scryptName:   decodeScrypt,
}

// djangoOnly names Django hashers this package does not compute, so that
// an error may name them. Other algorithm fields are not repeated in
// errors: a column holding a plain-text password has no "$" either.
var djangoOnly = map[string]bool{
	"md5": true, "sha1": true, "unsalted_md5": true, "unsalted_sha1": true, "crypt": true,
}

// Validate reports whether p, with its zero fields replaced by defaults, is
// a policy Hash can use. Its errors wrap ErrInvalidPolicy, and also
// ErrUnknownAlgorithm or ErrCostTooHigh when those are the reason.
func (p Policy) Validate() error {
	_, err := p.normalized()
	return err
}

// normalized returns p with defaults for its zero fields, or why it is
// invalid.
func (p Policy) normalized() (Policy, error) {
	d := DefaultPolicy()
	if p.Algorithm == "" {
		p.Algorithm = d.Algorithm
	}
	if p.PBKDF2Iterations == 0 {
		p.PBKDF2Iterations = d.PBKDF2Iterations
	}
	if p.Argon2Time == 0 {
		p.Argon2Time = d.Argon2Time
	}
	if p.Argon2MemoryKiB == 0 {
		p.Argon2MemoryKiB = d.Argon2MemoryKiB
	}
	if p.Argon2Threads == 0 {
		p.Argon2Threads = d.Argon2Threads
	}
	if p.BcryptCost == 0 {
		p.BcryptCost = d.BcryptCost
	}
	if p.ScryptN == 0 {
		p.ScryptN = d.ScryptN
	}
	if p.ScryptR == 0 {
		p.ScryptR = d.ScryptR
	}
	if p.ScryptP == 0 {
		p.ScryptP = d.ScryptP
	}
	lim := defaultLimits
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrInvalidPolicy}, args...)...))
	}
	tooHigh := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: %w: "+format, append([]any{ErrInvalidPolicy, ErrCostTooHigh}, args...)...))
	}
	if _, ok := decoders[p.Algorithm]; !ok {
		errs = append(errs, fmt.Errorf("%w: %w: Algorithm %q", ErrInvalidPolicy, ErrUnknownAlgorithm, p.Algorithm))
	}
	switch {
	case p.PBKDF2Iterations < 0:
		bad("PBKDF2Iterations %d is negative", p.PBKDF2Iterations)
	case p.PBKDF2Iterations > lim.pbkdf2Iterations:
		tooHigh("PBKDF2Iterations %d above %d", p.PBKDF2Iterations, lim.pbkdf2Iterations)
	}
	policyErr := func(err error) {
		switch {
		case err == nil:
		case errors.Is(err, ErrInvalidPolicy):
			errs = append(errs, err)
		default: // ErrCostTooHigh
			errs = append(errs, fmt.Errorf("%w: %w", ErrInvalidPolicy, err))
		}
	}
	policyErr(checkArgon2(p.Argon2Time, p.Argon2MemoryKiB, p.Argon2Threads, lim, ErrInvalidPolicy))
	switch {
	case p.BcryptCost < bcryptMinCost:
		bad("BcryptCost %d below %d", p.BcryptCost, bcryptMinCost)
	case p.BcryptCost > lim.bcryptCost:
		tooHigh("BcryptCost %d above %d", p.BcryptCost, lim.bcryptCost)
	}
	policyErr(checkScrypt(p.ScryptN, p.ScryptR, p.ScryptP, lim, ErrInvalidPolicy))
	if len(errs) > 0 {
		return Policy{}, errors.Join(errs...)
	}
	return p, nil
}

// errNUL refuses passwords with a NUL byte for every algorithm: PBKDF2 keys
// HMAC with the password, and HMAC pads keys with zeros, so "pw" and
// "pw\x00" would be one password; C bcrypt stops at a NUL. Django's and DRF's
// forms refuse NUL, so no real password has one.
var errNUL = fmt.Errorf("%w: contains a NUL byte", ErrPasswordUnsupported)

// Hash returns password hashed with the policy's algorithm, in Django's
// encoded form, with a random salt (22 characters of [a-zA-Z0-9], as
// Django's salt() makes them; bcrypt makes its own). An empty password is
// hashed like any other, as Django's make_password("") does. A password
// with a NUL byte, and for plain bcrypt one over 72 bytes, is an error
// wrapping ErrPasswordUnsupported.
func (p Policy) Hash(password string) (string, error) {
	p, err := p.normalized()
	if err != nil {
		return "", err
	}
	if strings.IndexByte(password, 0) >= 0 {
		return "", errNUL
	}
	switch p.Algorithm {
	case pbkdf2SHA256, pbkdf2SHA1:
		return hashPBKDF2(p, password, newSalt())
	case argon2Name:
		return hashArgon2(p, password, newSalt()), nil
	case bcryptSHA256, bcryptName:
		return hashBcrypt(p, password)
	default: // scrypt: normalized knows no other
		return hashScrypt(p, password, newSalt())
	}
}

// Verify reports whether password matches encoded, and whether encoded
// should be re-hashed with the policy: Django's must_update, which is true
// for another algorithm than the policy's and for costs or a salt that
// differ from what the policy would write (see each algorithm's rules in the
// package documentation). upgrade is only ever true together with ok.
//
// A malformed, truncated, unknown, empty or unusable ("!"-prefixed) hash
// never matches; err then says why (wrapping ErrUnusable,
// ErrUnknownAlgorithm, ErrMalformed or ErrCostTooHigh) and ok is false;
// callers treat it as a wrong password. So do they a password plain bcrypt
// cannot take (ErrPasswordUnsupported) and an invalid policy
// (ErrInvalidPolicy, which Validate reports up front). A wrong password is
// ok false with a nil err.
//
// Every failure costs at least one hash of the policy, so that the time a
// failed login takes tells nothing of the account: when the stored hash
// cannot match, or is of another algorithm, Verify does the work of Waste
// as well; after a wrong password against a cheaper hash of the policy's
// algorithm it does the difference (Django's harden_runtime; for Argon2
// and scrypt, whose work does not split, a whole hash of the policy). A
// successful check may cost less: it proves the password.
func (p Policy) Verify(password, encoded string) (ok, upgrade bool, err error) {
	return p.verify(password, encoded, defaultLimits)
}

func (p Policy) verify(password, encoded string, lim limits) (ok, upgrade bool, err error) {
	p, err = p.normalized()
	if err != nil {
		return false, false, err
	}
	s, algorithm, err := decode(encoded, lim)
	if err == nil && strings.IndexByte(password, 0) >= 0 {
		err = errNUL
	}
	if err != nil {
		p.waste(password)
		return false, false, err
	}
	ok, err = s.matches(password)
	if err != nil {
		p.waste(password)
		return false, false, err
	}
	sameAlgorithm := algorithm == p.Algorithm
	upgrade = !sameAlgorithm || s.mustUpdate(p)
	if !ok {
		// A failure costs at least one hash of the policy, whatever was
		// stored: a cheaper hash of its algorithm does the difference
		// (harden), a hash of another one, which cannot, the whole.
		switch {
		case !sameAlgorithm:
			p.waste(password)
		case upgrade:
			s.harden(p, password)
		}
		return false, false, nil
	}
	return true, upgrade, nil
}

// decode identifies encoded's algorithm and parses it.
func decode(encoded string, lim limits) (stored, string, error) {
	if encoded == "" || strings.HasPrefix(encoded, "!") {
		return nil, "", ErrUnusable
	}
	if len(encoded) > maxEncodedLen {
		return nil, "", fmt.Errorf("%w: longer than %d bytes", ErrMalformed, maxEncodedLen)
	}
	algorithm, _, found := strings.Cut(encoded, "$")
	if !found {
		// Ancient Django wrote unsalted MD5 as 32 hex digits alone.
		if len(encoded) == 32 {
			return nil, "", fmt.Errorf("%w: unsalted_md5", ErrUnknownAlgorithm)
		}
		return nil, "", fmt.Errorf("%w: no algorithm", ErrMalformed)
	}
	dec, known := decoders[algorithm]
	if !known {
		if djangoOnly[algorithm] {
			return nil, "", fmt.Errorf("%w: %s", ErrUnknownAlgorithm, algorithm)
		}
		return nil, "", ErrUnknownAlgorithm
	}
	s, err := dec(encoded, lim)
	if err != nil {
		return nil, "", err
	}
	return s, algorithm, nil
}

// Waste does the hashing work of one Verify against a hash of the policy,
// for a user that does not exist, so that failed logins cost the same
// whether or not the username exists (Django's ModelBackend does this). It
// does nothing for an invalid policy.
func (p Policy) Waste(password string) {
	p, err := p.normalized()
	if err != nil {
		return
	}
	p.waste(password)
}

// wasteSalt stands in for a random salt: the result is thrown away.
const wasteSalt = "wastewastewastewastewa"

// waste is Waste for a normalized policy.
func (p Policy) waste(password string) {
	switch p.Algorithm {
	case pbkdf2SHA256, pbkdf2SHA1:
		_, _ = hashPBKDF2(p, password, wasteSalt)
	case argon2Name:
		_ = hashArgon2(p, password, wasteSalt)
	case bcryptSHA256, bcryptName:
		wasteBcrypt(p, password)
	default:
		_, _ = hashScrypt(p, password, wasteSalt)
	}
}

// saltChars is Django's RANDOM_STRING_CHARS.
const saltChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// saltLen is the length of Django's salts: ceil(128 / log2(62)), the
// fewest characters of saltChars that carry 128 bits.
const saltLen = 22

// newSalt returns a random salt as Django's BasePasswordHasher.salt() makes
// one: saltLen characters drawn uniformly from saltChars.
func newSalt() string {
	b := make([]byte, 0, saltLen)
	var buf [32]byte
	for len(b) < saltLen {
		_, _ = rand.Read(buf[:]) // never fails (crypto/rand, Go 1.24+)
		for _, c := range buf {
			// 248 = 4·62: rejecting bytes above keeps the draw uniform.
			if c < 248 && len(b) < saltLen {
				b = append(b, saltChars[c%62])
			}
		}
	}
	return string(b)
}

// saltTooWeak is Django's must_update_salt: whether a salt of n characters
// of saltChars carries fewer than 128 bits.
func saltTooWeak(n int) bool {
	return float64(n)*math.Log2(float64(len(saltChars))) < 128
}

// parseCanonical parses a positive decimal written as Python's "%d" writes
// it: digits only, no sign, no leading zero. Django's PBKDF2 and scrypt
// hashers re-encode the numbers and compare whole strings, so any other
// spelling never matches there.
func parseCanonical(s string) (int, bool) {
	if s == "" || s[0] == '0' || len(s) > 18 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}
