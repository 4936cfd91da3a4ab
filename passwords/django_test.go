package passwords

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"

	"github.com/jwtauth-go/jwtauth/internal/djangotest"
)

// The tests in this file hold the package to Django: hashes Django wrote
// (testdata/django_vectors.json, from make_vectors.py, and literals from
// Django's own test suite) must verify here, and hashes written here must
// verify in Django.

// vectorFile is testdata/django_vectors.json, written by make_vectors.py.
type vectorFile struct {
	Django   string `json:"django"`
	Defaults struct {
		PBKDF2Iterations int    `json:"pbkdf2_iterations"`
		Argon2Time       uint32 `json:"argon2_time_cost"`
		Argon2Memory     uint32 `json:"argon2_memory_cost"`
		Argon2Threads    uint32 `json:"argon2_parallelism"`
		BcryptRounds     int    `json:"bcrypt_rounds"`
		ScryptN          int    `json:"scrypt_n"`
		ScryptR          int    `json:"scrypt_r"`
		ScryptP          int    `json:"scrypt_p"`
	} `json:"defaults"`
	Vectors []struct {
		Algorithm        string `json:"algorithm"`
		Params           string `json:"params"`
		Password         string `json:"password"`
		Encoded          string `json:"encoded"`
		Producer         string `json:"producer"`
		OK               *bool  `json:"ok"`
		Wrong            string `json:"wrong"`
		WrongOK          *bool  `json:"wrong_ok"`
		MustUpdate       *bool  `json:"must_update"`
		HasherMustUpdate *bool  `json:"hasher_must_update"`
	} `json:"vectors"`
}

// policyFor returns Django's default configuration of vf's release, with
// algorithm preferred.
func (vf *vectorFile) policyFor(algorithm string) Policy {
	d := vf.Defaults
	return Policy{
		Algorithm:        algorithm,
		PBKDF2Iterations: d.PBKDF2Iterations,
		Argon2Time:       d.Argon2Time,
		Argon2MemoryKiB:  d.Argon2Memory,
		Argon2Threads:    d.Argon2Threads,
		BcryptCost:       d.BcryptRounds,
		ScryptN:          d.ScryptN, // zero where Django has no scrypt: ours then
		ScryptR:          d.ScryptR,
		ScryptP:          d.ScryptP,
	}
}

func loadVectors(t testing.TB) *vectorFile {
	t.Helper()
	b, err := os.ReadFile("testdata/django_vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var vf vectorFile
	if err := json.Unmarshal(b, &vf); err != nil {
		t.Fatal(err)
	}
	if len(vf.Vectors) == 0 {
		t.Fatal("no vectors")
	}
	return &vf
}

// TestDjangoVectors checks every hash Django wrote in
// testdata/django_vectors.json: the password verifies, a wrong one does not,
// and upgrade is what Django's check_password decides (must_update) and what
// the vector's own hasher decides when preferred (hasher_must_update).
func TestDjangoVectors(t *testing.T) {
	t.Parallel()
	vf := loadVectors(t)
	t.Logf("vectors from Django %s", vf.Django)
	// Policies whose Verify does little more than one hash: costly under
	// the race detector. A wrong password costs the stored hash and then
	// one hash of the policy, which for wrongPolicy is a cheap Argon2
	// (no harden: no vector is cheaper than it).
	cheapPolicy := cheap[pbkdf2SHA256]
	wrongPolicy := Policy{Algorithm: argon2Name, Argon2Time: 1, Argon2MemoryKiB: 8, Argon2Threads: 1}
	for _, v := range vf.Vectors {
		name := v.Algorithm + "/" + v.Params + "/" + v.Password
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if _, supported := decoders[v.Algorithm]; !supported {
				ok, up, err := cheapPolicy.Verify(v.Password, v.Encoded)
				if ok || up || !errors.Is(err, ErrUnknownAlgorithm) {
					t.Fatalf("Verify = %v, %v, %v; want false, false, ErrUnknownAlgorithm", ok, up, err)
				}
				return
			}
			if v.OK != nil && !*v.OK {
				t.Fatal("Django did not verify its own vector")
			}
			defaultPolicy := vf.policyFor(pbkdf2SHA256)
			if v.Algorithm == bcryptName && len(v.Password) > bcryptMaxLen {
				// Django truncates to 72 bytes; we refuse.
				ok, up, err := defaultPolicy.Verify(v.Password, v.Encoded)
				if ok || up || !errors.Is(err, ErrPasswordUnsupported) {
					t.Fatalf("Verify = %v, %v, %v; want false, false, ErrPasswordUnsupported", ok, up, err)
				}
				if v.WrongOK == nil || !*v.WrongOK {
					t.Errorf("Django no longer accepts %q (the first 72 bytes and more): update this test", v.Wrong)
				}
				return
			}
			ok, up, err := defaultPolicy.Verify(v.Password, v.Encoded)
			if !ok || err != nil {
				t.Fatalf("Verify = %v, %v, %v; want a match", ok, up, err)
			}
			if v.MustUpdate != nil && up != *v.MustUpdate {
				t.Errorf("upgrade under Django %s's defaults = %v, Django's must_update = %v", vf.Django, up, *v.MustUpdate)
			}
			// What Verify would say under the vector's own hasher, without
			// hashing again.
			ownPolicy, err := vf.policyFor(v.Algorithm).normalized()
			if err != nil {
				t.Fatal(err)
			}
			s, _, err := decode(v.Encoded, defaultLimits)
			if err != nil {
				t.Fatal(err)
			}
			if up := s.mustUpdate(ownPolicy); v.HasherMustUpdate != nil && up != *v.HasherMustUpdate {
				t.Errorf("upgrade under %s at Django %s's defaults = %v, the hasher's must_update = %v", v.Algorithm, vf.Django, up, *v.HasherMustUpdate)
			}
			if ok, up, err := wrongPolicy.Verify(v.Wrong, v.Encoded); ok || up || err != nil {
				t.Errorf("Verify(wrong) = %v, %v, %v; want false, false, nil", ok, up, err)
			}
			if v.WrongOK != nil && *v.WrongOK {
				t.Errorf("Django accepts the wrong password %q", v.Wrong)
			}
		})
	}
}

// TestDjangoTestSuiteVectors checks hashes that Django's own test suite
// (tests/auth_tests/test_hashers.py) asserts make_password returns, or that
// check_password accepts.
func TestDjangoTestSuiteVectors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, password, encoded string
		err                     error // nil: the password matches
	}{
		{"pbkdf2_sha256", "lètmein", "pbkdf2_sha256$600000$seasalt$OAXyhAQ/4ZDA9V5RMExt3C1OwQdUpLZ99vm1McFlLRA=", nil},
		{"pbkdf2_sha256 low level", "lètmein", "pbkdf2_sha256$600000$seasalt2$OSllgFdJjYQjb0RfMzrx8u0XYl4Fkt+wKpI1yq4lZlo=", nil},
		{"pbkdf2_sha1", "lètmein", "pbkdf2_sha1$600000$seasalt2$2CLsaL1MZhq6JOG6QOHtVbiopHE=", nil},
		{"scrypt", "lètmein", "scrypt$16384$seasalt$8$1$Qj3+9PPyRjSJIebHnG81TMjsqtaIGxNQG/aEB/NYafTJ7tibgfYz71m0ldQESkXFRkdVCBhhY8mx7rQwite/Pw==", nil},
		{"argon2i with version", "secret", "argon2$argon2i$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q", nil},
		{"argon2id version upgrade", "secret", "argon2$argon2id$v=19$m=102400,t=2,p=8$Y041dExhNkljRUUy$TMa6A8fPJhCAUXRhJXCXdw", nil},
		// Argon2 1.0, which golang.org/x/crypto/argon2 does not compute.
		{"argon2i without version", "secret", "argon2$argon2i$m=8,t=1,p=1$c29tZXNhbHQ$gwQOXSNhxiOxPOA0+PY10P9QFO4NAYysnqRt1GSQLE55m+2GYDt9FEjPMHhP2Cuf0nOEXXMocVrsJAtNSsKyfg", ErrUnknownAlgorithm},
		{"md5", "lètmein", "md5$seasalt$3f86d0d3d465b7b458c231bf3555c0e3", ErrUnknownAlgorithm},
		{"unsalted_md5", "lètmein", "88a434c88cca4e900f7874cd98123f43", ErrUnknownAlgorithm},
		{"unsalted_sha1", "lètmein", "sha1$$6d138ca3ae545631b3abd71a4f076ce759c5700b", ErrUnknownAlgorithm},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := cheap[pbkdf2SHA256] // wastes little on the hashes refused
			ok, _, err := p.Verify(tt.password, tt.encoded)
			if tt.err != nil {
				if ok || !errors.Is(err, tt.err) {
					t.Fatalf("Verify = %v, %v; want false, %v", ok, err, tt.err)
				}
				return
			}
			if !ok || err != nil {
				t.Fatalf("Verify = %v, %v; want a match", ok, err)
			}
			if ok, _, err := p.Verify(tt.password+"z", tt.encoded); ok || err != nil {
				t.Fatalf("Verify(wrong) = %v, %v; want false, nil", ok, err)
			}
		})
	}
}

// djangoPython is Debian's interpreter, with python3-django, python3-argon2
// and python3-bcrypt; JWTAUTH_DJANGO_PYTHON names another one (a virtual
// environment with a newer Django, say).
func djangoPython() string {
	if p := os.Getenv("JWTAUTH_DJANGO_PYTHON"); p != "" {
		return p
	}
	return "/usr/bin/python3"
}

// djangoCheck reads [[password, wrong, encoded], ...] on standard input and
// writes Django's verdicts: check_password for both passwords, and the
// must_update of the hash's own hasher at Django's defaults. Asked nothing,
// it writes those defaults.
const djangoCheck = `
import json, sys
import django
from django.conf import settings
names = ["PBKDF2PasswordHasher", "PBKDF2SHA1PasswordHasher", "Argon2PasswordHasher",
         "BCryptSHA256PasswordHasher", "BCryptPasswordHasher", "ScryptPasswordHasher"]
import django.contrib.auth.hashers as h
settings.configure(PASSWORD_HASHERS=["django.contrib.auth.hashers." + n for n in names if hasattr(h, n)])
django.setup()
import argon2, bcrypt
out = {"django": django.get_version(), "scrypt": hasattr(h, "ScryptPasswordHasher"), "results": []}
a2, bc = h.get_hasher("argon2"), h.get_hasher("bcrypt_sha256")
out["defaults"] = {"pbkdf2_iterations": h.get_hasher("pbkdf2_sha256").iterations,
    "argon2_time_cost": a2.time_cost, "argon2_memory_cost": a2.memory_cost,
    "argon2_parallelism": a2.parallelism, "bcrypt_rounds": bc.rounds}
if out["scrypt"]:
    s = h.get_hasher("scrypt")
    out["defaults"].update(scrypt_n=s.work_factor, scrypt_r=s.block_size, scrypt_p=s.parallelism)
for password, wrong, encoded in json.load(sys.stdin):
    out["results"].append({"ok": h.check_password(password, encoded),
        "wrong_ok": h.check_password(wrong, encoded),
        "must_update": h.identify_hasher(encoded).must_update(encoded)})
json.dump(out, sys.stdout)
`

type djangoAnswer struct {
	Django  string `json:"django"`
	Scrypt  bool   `json:"scrypt"`
	Results []struct {
		OK         bool `json:"ok"`
		WrongOK    bool `json:"wrong_ok"`
		MustUpdate bool `json:"must_update"`
	} `json:"results"`
	vectorFile // its Defaults
}

// askDjango runs djangoCheck over checks, or skips the test when Django
// cannot be run (fails it under JWTAUTH_REQUIRE_DJANGO=1: djangotest.Skip).
func askDjango(t *testing.T, checks [][3]string) *djangoAnswer {
	t.Helper()
	python := djangoPython()
	if _, err := os.Stat(python); err != nil {
		djangotest.Skip(t, fmt.Sprintf("no %s: install Debian's python3-django python3-argon2 python3-bcrypt to check that Django verifies our hashes", python))
	}
	if out, err := exec.Command(python, "-c", "import django, argon2, bcrypt").CombinedOutput(); err != nil {
		djangotest.Skip(t, fmt.Sprintf("%s cannot import Django, argon2-cffi and bcrypt (install Debian's python3-django python3-argon2 python3-bcrypt): %v\n%s", python, err, out))
	}
	if checks == nil {
		checks = [][3]string{}
	}
	in, err := json.Marshal(checks)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, "-c", djangoCheck)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", python, err, stderr.String())
	}
	var a djangoAnswer
	if err := json.Unmarshal(out, &a); err != nil || len(a.Results) != len(checks) {
		t.Fatalf("Django's answer %s: %v", out, err)
	}
	return &a
}

// TestDjangoVerifiesOurHashes hashes the test passwords with each algorithm
// and asks Django whether they verify, whether a wrong password does not,
// and whether hashes written at Django's own defaults are current for it
// (no must_update), so that users hashed here are not re-hashed there.
func TestDjangoVerifiesOurHashes(t *testing.T) {
	t.Parallel()
	django := askDjango(t, nil)
	t.Logf("Django %s", django.Django)
	type check struct {
		name, password string
		policy         Policy
		current        bool // Django's must_update must be false
	}
	var checks []check
	for _, algorithm := range algorithms {
		if algorithm == scryptName && !django.Scrypt {
			t.Logf("Django %s has no ScryptPasswordHasher (Django 4.0 added it): scrypt not checked", django.Django)
			continue
		}
		for _, password := range testPasswords {
			if algorithm == bcryptName && len(password) > bcryptMaxLen {
				continue // Hash refuses it
			}
			checks = append(checks, check{algorithm + "/cheap/" + password, password, cheap[algorithm], false})
		}
		checks = append(checks, check{algorithm + "/django-defaults", "pässwörd", django.policyFor(algorithm), true})
	}
	checks = append(checks, check{"DefaultPolicy", "pässwörd", DefaultPolicy(), DefaultPolicy().PBKDF2Iterations == django.Defaults.PBKDF2Iterations})

	// The hashes at Django's defaults take seconds each under the race
	// detector: they are made at once, on every core.
	ask := make([][3]string, len(checks))
	errs := make([]error, len(checks))
	var wg sync.WaitGroup
	for i, c := range checks {
		wg.Go(func() {
			encoded, err := c.policy.Hash(c.password)
			ask[i], errs[i] = [3]string{c.password, c.password + "!", encoded}, err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("%s: %v", checks[i].name, err)
		}
	}
	answer := askDjango(t, ask)
	for i, c := range checks {
		r := answer.Results[i]
		if !r.OK || r.WrongOK {
			t.Errorf("%s: Django's check_password gives %v for the password and %v for a wrong one: %s", c.name, r.OK, r.WrongOK, ask[i][2])
		}
		if c.current && r.MustUpdate {
			t.Errorf("%s: Django would re-hash %s", c.name, ask[i][2])
		}
	}
}

// TestDjangoReleasePolicy holds Django(release) to the Django installed:
// its defaults are that Django's own, that Django verifies the hashes it
// writes and finds them current (must_update false, so that it does not
// re-hash them at the next login), and CheckDjango refuses scrypt exactly
// when that Django has no ScryptPasswordHasher.
func TestDjangoReleasePolicy(t *testing.T) {
	t.Parallel()
	django := askDjango(t, nil)
	p, err := Django(django.Django)
	if err != nil {
		t.Fatalf("Django %s: %v (a release to add to djangoReleases?)", django.Django, err)
	}
	if want := django.policyFor(pbkdf2SHA256); p != want {
		t.Errorf("Django(%q) = %+v; that Django's defaults are %+v", django.Django, p, want)
	}
	scrypt := p
	scrypt.Algorithm = scryptName
	if err := scrypt.CheckDjango(django.Django); (err == nil) != django.Scrypt {
		t.Errorf("scrypt: CheckDjango = %v, and Django %s has ScryptPasswordHasher: %v", err, django.Django, django.Scrypt)
	}

	sha1 := p
	sha1.Algorithm = pbkdf2SHA1
	var ask [][3]string
	for _, q := range []Policy{p, sha1} {
		if err := q.CheckDjango(django.Django); err != nil {
			t.Errorf("%s: CheckDjango: %v", q.Algorithm, err)
		}
		encoded, err := q.Hash("pässwörd")
		if err != nil {
			t.Fatal(err)
		}
		ask = append(ask, [3]string{"pässwörd", "pässwörd!", encoded})
	}
	for i, r := range askDjango(t, ask).Results {
		if !r.OK || r.WrongOK || r.MustUpdate {
			t.Errorf("Django %s on %s: check_password %v, for a wrong password %v, must_update %v; want true, false, false",
				django.Django, ask[i][2], r.OK, r.WrongOK, r.MustUpdate)
		}
	}
}
