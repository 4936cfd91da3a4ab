package passwords

import (
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"testing"
)

// djangoDefaults are the defaults of each Django release as its own
// django/contrib/auth/hashers.py sets them at the release's tag, and as its
// release notes say ("The default iteration count for the PBKDF2 password
// hasher is increased from ... to ..."; Django 5.1's: "The default
// parallelism of the ScryptPasswordHasher is increased from 1 to 5").
var djangoDefaults = []struct {
	version    string
	iterations int
	scryptP    int // 0: no ScryptPasswordHasher (Django 4.0 added it)
}{
	{"3.2", 260000, 0},
	{"4.0", 320000, 1},
	{"4.1", 390000, 1},
	{"4.2", 600000, 1},
	{"5.0", 720000, 1},
	{"5.1", 870000, 5},
	{"5.2", 1000000, 5},
	{"6.0", 1200000, 5},
	{"6.1", 1500000, 5},
}

// fakeHash is a well-formed hash of algorithm with params (the fields
// between the algorithm and the key, "$"-separated, a 22-character salt
// among them) and a key of n zero bytes: what must_update reads, without
// the cost of hashing at a release's defaults.
func fakeHash(t *testing.T, algorithm, params string, n int) stored {
	t.Helper()
	encoded := algorithm + "$" + params + "$" + base64.StdEncoding.EncodeToString(make([]byte, n))
	s, _, err := decode(encoded, defaultLimits)
	if err != nil {
		t.Fatalf("%s: %v", encoded, err)
	}
	return s
}

// TestDjangoReleases checks each release's policy against Django's own
// numbers, that the release finds its hashes current (CheckDjango, and
// must_update false on a hash at its defaults) and every other release
// does not, and which algorithms it verifies.
func TestDjangoReleases(t *testing.T) {
	t.Parallel()
	const salt = "abcdefghijklmnopqrstuv" // 22 characters: 131 bits, as Django's
	for i, tt := range djangoDefaults {
		t.Run(tt.version, func(t *testing.T) {
			t.Parallel()
			p, err := Django(tt.version)
			if err != nil {
				t.Fatal(err)
			}
			want := Policy{Algorithm: "pbkdf2_sha256", PBKDF2Iterations: tt.iterations,
				Argon2Time: 2, Argon2MemoryKiB: 102400, Argon2Threads: 8, BcryptCost: 12}
			if tt.scryptP != 0 {
				want.ScryptN, want.ScryptR, want.ScryptP = 16384, 8, tt.scryptP
			}
			if p != want {
				t.Errorf("Django(%q) = %+v; want %+v", tt.version, p, want)
			}
			if patch, err := Django(tt.version + ".11"); patch != p || err != nil {
				t.Errorf("Django(%q) = %+v, %v; want the feature release's", tt.version+".11", patch, err)
			}
			if err := p.Validate(); err != nil {
				t.Errorf("Validate: %v", err)
			}

			// Which algorithms the release verifies and finds current at
			// its own parameters.
			for _, algorithm := range algorithms {
				q := p
				q.Algorithm = algorithm
				err := q.CheckDjango(tt.version)
				switch ok := algorithm != "bcrypt" && (algorithm != "scrypt" || tt.scryptP != 0); {
				case ok && err != nil:
					t.Errorf("%s: CheckDjango: %v", algorithm, err)
				case !ok && err == nil:
					t.Errorf("%s: CheckDjango = nil; want an error", algorithm)
				}
			}
			for _, other := range djangoDefaults {
				if err := p.CheckDjango(other.version); (err == nil) != (other.version == tt.version) {
					t.Errorf("CheckDjango(%q) = %v", other.version, err)
				}
			}

			// Django's must_update, as Verify reports it: false for a hash
			// at the release's defaults; true at any other release's count,
			// lower or higher.
			s := fakeHash(t, "pbkdf2_sha256", strconv.Itoa(tt.iterations)+"$"+salt, 32)
			if s.mustUpdate(p) {
				t.Errorf("a pbkdf2_sha256 hash at %d iterations: must_update under the release's policy", tt.iterations)
			}
			for j, other := range djangoDefaults {
				s := fakeHash(t, "pbkdf2_sha1", strconv.Itoa(other.iterations)+"$"+salt, 20)
				if got := s.mustUpdate(p); got != (j != i) {
					t.Errorf("a pbkdf2_sha1 hash at Django %s's %d iterations: must_update = %v", other.version, other.iterations, got)
				}
			}
			if tt.scryptP != 0 {
				q := p
				q.Algorithm = "scrypt"
				for _, sp := range []int{1, 5} {
					s := fakeHash(t, "scrypt", "16384$"+salt+"$8$"+strconv.Itoa(sp), 64)
					if got := s.mustUpdate(q); got != (sp != tt.scryptP) {
						t.Errorf("a scrypt hash at p=%d: must_update = %v", sp, got)
					}
				}
			}
		})
	}
}

// TestDjangoUnknownRelease: releases before 3.2, after 6.1 and anything
// that is not a release are errors that list the releases known.
func TestDjangoUnknownRelease(t *testing.T) {
	t.Parallel()
	for _, version := range []string{"", "3.1", "2.2.28", "6.2", "7.0", "4", "4.2.", "4.2.x", "4.2rc1", "4.2.1.1", " 4.2", "v4.2", "4.2.-1", "4.2.+1", "04.2"} {
		p, err := Django(version)
		if err == nil || p != (Policy{}) {
			t.Errorf("Django(%q) = %+v, %v; want an error", version, p, err)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, strconv.Quote(version)) || !strings.Contains(msg, "3.2, 4.0, 4.1, 4.2, 5.0, 5.1, 5.2, 6.0, 6.1") {
			t.Errorf("Django(%q): %v; want the version and the releases known", version, err)
		}
		if checked := DefaultPolicy().CheckDjango(version); checked == nil || checked.Error() != err.Error() {
			t.Errorf("CheckDjango(%q) = %v; want Django's error", version, checked)
		}
	}
}

// TestCheckDjango: a policy Django cannot verify, or whose hashes it would
// re-hash, is refused with the reason; the zero fields of a policy are
// DefaultPolicy's, not the release's.
func TestCheckDjango(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		version string
		policy  Policy
		want    string // in the error; "" for none
	}{
		{"3.2", Policy{Algorithm: "scrypt"}, "Django 3.2 cannot verify scrypt hashes: Django 4.0 added ScryptPasswordHasher"},
		{"3.2.25", Policy{Algorithm: "scrypt", ScryptP: 1}, "Django 3.2 cannot verify scrypt"},
		{"4.0", Policy{Algorithm: "scrypt"}, "Django 4.0 writes scrypt at N=16384, r=8, p=1, the policy at N=16384, r=8, p=5"},
		{"4.2", Policy{Algorithm: "scrypt", ScryptP: 1}, ""},
		{"5.1", Policy{Algorithm: "scrypt"}, ""},
		{"5.1", Policy{Algorithm: "scrypt", ScryptN: 1 << 15}, "N=32768"},
		{"6.1", Policy{Algorithm: "bcrypt"}, "Django 6.1 does not verify bcrypt hashes by default: BCryptPasswordHasher is not in its PASSWORD_HASHERS"},
		{"3.2", Policy{Algorithm: "bcrypt_sha256"}, ""},
		{"3.2", Policy{Algorithm: "bcrypt_sha256", BcryptCost: 13}, "at cost 12, the policy at cost 13"},
		{"3.2", Policy{Algorithm: "argon2"}, ""},
		{"4.2", Policy{Algorithm: "argon2", Argon2MemoryKiB: 65536}, "memory 102400 KiB"},
		{"3.2", Policy{}, "Django 3.2 writes pbkdf2_sha256 at 260000 iterations, the policy at 1500000 iterations: each side would re-hash"},
		{"3.2", Policy{Algorithm: "pbkdf2_sha1", PBKDF2Iterations: 260000}, ""},
		{"3.2", Policy{PBKDF2Iterations: 100000}, "the policy at 100000 iterations"},
		{"6.1", Policy{}, ""},
		{"6.1", DefaultPolicy(), ""},
		{"5.2", Policy{PBKDF2Iterations: -1}, "PBKDF2Iterations -1 is negative"},
		{"1.11", Policy{}, `unknown Django release "1.11"`},
	} {
		err := tt.policy.CheckDjango(tt.version)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%+v.CheckDjango(%q): %v", tt.policy, tt.version, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%+v.CheckDjango(%q) = %v; want an error with %q", tt.policy, tt.version, err, tt.want)
		}
	}
	if err := (Policy{PBKDF2Iterations: -1}).CheckDjango("5.2"); !errors.Is(err, ErrInvalidPolicy) {
		t.Errorf("an invalid policy: %v; want ErrInvalidPolicy", err)
	}
}

// TestDefaultPolicyIsNewestRelease: the zero Policy is the newest release
// known, so that the package's documentation ("Django 6.1's") and Django
// agree.
func TestDefaultPolicyIsNewestRelease(t *testing.T) {
	t.Parallel()
	newest := djangoDefaults[len(djangoDefaults)-1].version
	if p, err := Django(newest); p != DefaultPolicy() || err != nil {
		t.Errorf("Django(%q) = %+v, %v; DefaultPolicy() = %+v", newest, p, err, DefaultPolicy())
	}
}
