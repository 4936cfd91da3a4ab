package passwords

import (
	"fmt"
	"strings"
)

// djangoRelease is what a Django feature release's hashers write by
// default, read from its django/contrib/auth/hashers.py (and said again in
// its release notes). Only two numbers move between releases: PBKDF2's
// iterations, raised at every release, and scrypt's parallelism. Argon2
// (time 2, memory 102,400 KiB, 8 lanes, argon2id since Django 3.2),
// bcrypt (12 rounds) and scrypt's N (2^14) and r (8) are the same in all
// of them.
type djangoRelease struct {
	version    string
	iterations int // PBKDF2PasswordHasher.iterations, also PBKDF2SHA1's
	scryptP    int // ScryptPasswordHasher.parallelism; 0: no ScryptPasswordHasher
}

// djangoReleases are the releases this package knows, oldest first: from
// 3.2, the first whose must_update rules are the ones this package
// follows (Argon2id, salts of 128 bits), to the newest whose defaults are
// settled; Django 6.2's count may still change before its release.
var djangoReleases = []djangoRelease{
	{"3.2", 260_000, 0}, // scrypt arrived in Django 4.0
	{"4.0", 320_000, 1},
	{"4.1", 390_000, 1},
	{"4.2", 600_000, 1},
	{"5.0", 720_000, 1},
	{"5.1", 870_000, 5}, // scrypt's parallelism raised to follow OWASP
	{"5.2", 1_000_000, 5},
	{"6.0", 1_200_000, 5},
	{"6.1", 1_500_000, 5},
}

// djangoDefaultHashers are the algorithms of the hashers every release
// here lists in its default PASSWORD_HASHERS, scrypt's aside (from Django
// 4.0). Plain bcrypt is not among them: Django ships BCryptPasswordHasher
// but has left it out of the default list since Django 2.1, so that a
// project verifies plain bcrypt hashes only if it added the hasher.
var djangoDefaultHashers = map[string]bool{pbkdf2SHA256: true, pbkdf2SHA1: true, argon2Name: true, bcryptSHA256: true}

// djangoReleaseOf returns the release named by version, "X.Y" or
// "X.Y.Z" as django.get_version() writes a final release: a patch release
// keeps its feature release's defaults.
func djangoReleaseOf(version string) (djangoRelease, error) {
	feature := version
	if i := strings.LastIndexByte(version, '.'); i > 0 && strings.Count(version, ".") == 2 {
		if patch := version[i+1:]; patch != "" && len(patch) <= 4 && strings.Trim(patch, "0123456789") == "" {
			feature = version[:i]
		}
	}
	for _, r := range djangoReleases {
		if r.version == feature {
			return r, nil
		}
	}
	known := make([]string, len(djangoReleases))
	for i, r := range djangoReleases {
		known[i] = r.version
	}
	return djangoRelease{}, fmt.Errorf("passwords: unknown Django release %q: known are %s (or one of their patch releases, such as %s.1)",
		version, strings.Join(known, ", "), known[len(known)-1])
}

// policy is the release's PASSWORD_HASHERS[0] default, PBKDF2-SHA256, with
// the parameters of its other hashers; the scrypt fields stay zero when
// the release has no scrypt.
func (r djangoRelease) policy() Policy {
	p := Policy{
		Algorithm:        pbkdf2SHA256,
		PBKDF2Iterations: r.iterations,
		Argon2Time:       2,
		Argon2MemoryKiB:  102400,
		Argon2Threads:    8,
		BcryptCost:       12,
	}
	if r.scryptP != 0 {
		p.ScryptN, p.ScryptR, p.ScryptP = 1<<14, 8, r.scryptP
	}
	return p
}

// Django returns the policy Django of release version writes by default:
// pbkdf2_sha256 (its PASSWORD_HASHERS[0]) at that release's iteration
// count, with that release's parameters for the other algorithms (the
// scrypt fields zero before Django 4.0, which has no scrypt). A service
// sharing its database with that Django, and this policy, finds Django's
// new hashes current and writes hashes Django finds current: neither
// re-hashes the other's users at login.
//
// version is a release from 3.2 to 6.1, as "4.2" or as
// django.get_version() writes a patch release, "4.2.11"; any other is an
// error that lists the releases known. To prefer another algorithm, as a
// project whose PASSWORD_HASHERS starts with another hasher does, set
// Algorithm on the result; [Policy.CheckDjango] says whether that release
// verifies it.
func Django(version string) (Policy, error) {
	r, err := djangoReleaseOf(version)
	if err != nil {
		return Policy{}, err
	}
	return r.policy(), nil
}

// CheckDjango reports whether Django of release version (read as [Django]
// reads it), with the hasher of p's algorithm first in PASSWORD_HASHERS,
// verifies the hashes p writes and finds them current: nil if so, else an
// error that says why. Under a policy it refuses, a store that upgrades
// hashes would fight that Django: each re-hashing at login what the other
// wrote, or, worse, writing hashes that Django cannot verify, whose users
// can then no longer log in there.
//
// The release must list a hasher of p's algorithm in its default
// PASSWORD_HASHERS (scrypt from Django 4.0 on; plain bcrypt in none of
// them), and p's costs for that algorithm must be the release's own (see
// Django). Whether the Django side has the Python packages of argon2
// (argon2-cffi) and bcrypt_sha256 (bcrypt) is not known here.
func (p Policy) CheckDjango(version string) error {
	r, err := djangoReleaseOf(version)
	if err != nil {
		return err
	}
	p, err = p.normalized()
	if err != nil {
		return err
	}
	switch {
	case p.Algorithm == scryptName && r.scryptP == 0:
		return fmt.Errorf("passwords: Django %s cannot verify scrypt hashes: Django 4.0 added ScryptPasswordHasher", r.version)
	case p.Algorithm != scryptName && !djangoDefaultHashers[p.Algorithm]:
		return fmt.Errorf("passwords: Django %s does not verify %s hashes by default: BCryptPasswordHasher is not in its PASSWORD_HASHERS (bcrypt_sha256 is)", r.version, p.Algorithm)
	}
	d := r.policy()
	var ours, theirs string
	switch p.Algorithm {
	case pbkdf2SHA256, pbkdf2SHA1:
		ours, theirs = fmt.Sprintf("%d iterations", p.PBKDF2Iterations), fmt.Sprintf("%d iterations", d.PBKDF2Iterations)
	case argon2Name:
		ours = fmt.Sprintf("time %d, memory %d KiB, %d lanes", p.Argon2Time, p.Argon2MemoryKiB, p.Argon2Threads)
		theirs = fmt.Sprintf("time %d, memory %d KiB, %d lanes", d.Argon2Time, d.Argon2MemoryKiB, d.Argon2Threads)
	case bcryptSHA256:
		ours, theirs = fmt.Sprintf("cost %d", p.BcryptCost), fmt.Sprintf("cost %d", d.BcryptCost)
	default: // scrypt
		ours, theirs = fmt.Sprintf("N=%d, r=%d, p=%d", p.ScryptN, p.ScryptR, p.ScryptP), fmt.Sprintf("N=%d, r=%d, p=%d", d.ScryptN, d.ScryptR, d.ScryptP)
	}
	if ours != theirs {
		return fmt.Errorf("passwords: Django %s writes %s at %s, the policy at %s: each side would re-hash the other's hashes at every login",
			r.version, p.Algorithm, theirs, ours)
	}
	return nil
}
