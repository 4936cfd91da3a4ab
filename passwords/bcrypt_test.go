package passwords

import (
	"errors"
	"strings"
	"testing"
)

// djangoBcrypt is a hash Django 3.2 wrote for "admin" (at make_vectors.py's
// cost 4).
const djangoBcrypt = "bcrypt$$2b$04$tt1HuWwNl7DJD1u.iXze.eYNmFV.ACQe5urup/9z1uyB4nc5LbNEG"

// TestBcryptLimits: plain bcrypt takes at most 72 bytes and no NUL, both in
// Hash and in Verify, and never compares a truncated password;
// bcrypt_sha256 takes any length (no algorithm takes a NUL: TestNUL).
func TestBcryptLimits(t *testing.T) {
	t.Parallel()
	p := cheap[bcryptName]
	for _, password := range []string{strings.Repeat("x", 73), strings.Repeat("ü", 37)} {
		if encoded, err := p.Hash(password); encoded != "" || !errors.Is(err, ErrPasswordUnsupported) {
			t.Errorf("Hash(%d bytes) = %q, %v; want ErrPasswordUnsupported", len(password), encoded, err)
		}
		if encoded, err := cheap[bcryptSHA256].Hash(password); err != nil {
			t.Errorf("bcrypt_sha256 Hash(%d bytes): %v", len(password), err)
		} else if ok, _, err := cheap[bcryptSHA256].Verify(password, encoded); !ok || err != nil {
			t.Errorf("bcrypt_sha256 Verify(%d bytes) = %v, %v", len(password), ok, err)
		}
	}
	long := strings.Repeat("x", 72)
	encoded, err := p.Hash(long)
	if err != nil {
		t.Fatal(err)
	}
	if ok, _, err := p.Verify(long, encoded); !ok || err != nil {
		t.Errorf("Verify(72 bytes) = %v, %v; want a match", ok, err)
	}
	// bcrypt itself would take this password: its first 72 bytes match.
	if ok, up, err := p.Verify(long+"yz", encoded); ok || up || !errors.Is(err, ErrPasswordUnsupported) {
		t.Errorf("Verify(74 bytes) = %v, %v, %v; want false, false, ErrPasswordUnsupported", ok, up, err)
	}
	if ok, _, err := p.Verify("admin\x00", djangoBcrypt); ok || !errors.Is(err, ErrPasswordUnsupported) {
		t.Errorf("Verify(NUL) = %v, %v; want false, ErrPasswordUnsupported", ok, err)
	}
}

// TestNUL: no algorithm takes a password with a NUL byte. For PBKDF2 it
// matters most: HMAC pads its key with zeros, so "pw\x00" would verify
// against the hash of "pw".
func TestNUL(t *testing.T) {
	t.Parallel()
	for name, p := range cheap {
		if encoded, err := p.Hash("a\x00b"); encoded != "" || !errors.Is(err, ErrPasswordUnsupported) {
			t.Errorf("%s: Hash(NUL) = %q, %v", name, encoded, err)
		}
		encoded, err := p.Hash("admin")
		if err != nil {
			t.Fatal(err)
		}
		for _, pw := range []string{"admin\x00", "admin\x00\x00", "\x00admin"} {
			if ok, _, err := p.Verify(pw, encoded); ok || !errors.Is(err, ErrPasswordUnsupported) {
				t.Errorf("%s: Verify(%q) = %v, %v; want false, ErrPasswordUnsupported", name, pw, ok, err)
			}
		}
	}
}

// TestBcryptVersions: Python's bcrypt reads $2a$, $2b$ and $2y$ alike, and
// so does Verify; Hash writes $2b$ as Python's bcrypt does.
func TestBcryptVersions(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"$2a$", "$2b$", "$2y$"} {
		encoded := strings.Replace(djangoBcrypt, "$2b$", v, 1)
		if ok, _, err := cheap[bcryptName].Verify("admin", encoded); !ok || err != nil {
			t.Errorf("%s: Verify = %v, %v; want a match", v, ok, err)
		}
	}
	encoded, err := cheap[bcryptSHA256].Hash("admin")
	if err != nil || !strings.HasPrefix(encoded, "bcrypt_sha256$$2b$04$") {
		t.Errorf("Hash = %q, %v", encoded, err)
	}
}

// TestBcryptHarden: a wrong password against a cheaper bcrypt hash tops up
// the work and is still a plain wrong password.
func TestBcryptHarden(t *testing.T) {
	t.Parallel()
	p := Policy{Algorithm: bcryptName, BcryptCost: 6}
	if ok, up, err := p.Verify("wrong", djangoBcrypt); ok || up || err != nil {
		t.Errorf("Verify(wrong) = %v, %v, %v; want false, false, nil", ok, up, err)
	}
	if ok, up, err := p.Verify("admin", djangoBcrypt); !ok || !up || err != nil {
		t.Errorf("Verify = %v, %v, %v; want true, true, nil", ok, up, err)
	}
}
