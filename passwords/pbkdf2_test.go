package passwords

import (
	"strings"
	"testing"
)

// TestPBKDF2SaltEntropy checks Django's salt rule: 22 characters of its
// alphabet carry 128 bits, 21 do not, and characters are counted as Python
// counts them, not as bytes.
func TestPBKDF2SaltEntropy(t *testing.T) {
	t.Parallel()
	p := cheap[pbkdf2SHA256]
	for _, tt := range []struct {
		salt string
		want bool
	}{
		{strings.Repeat("a", 22), false},
		{strings.Repeat("a", 21), true},
		{"iodizedsalt", true},
		{strings.Repeat("ü", 21), true}, // 42 bytes, 21 characters
		{strings.Repeat("ü", 22), false},
	} {
		encoded, err := hashPBKDF2(p, "pässwörd", tt.salt)
		if err != nil {
			t.Fatal(err)
		}
		if ok, up, err := p.Verify("pässwörd", encoded); !ok || up != tt.want || err != nil {
			t.Errorf("salt %q: Verify = %v, %v, %v; want true, %v, nil", tt.salt, ok, up, err, tt.want)
		}
	}
}

// TestPBKDF2Harden checks that a wrong password against a cheaper hash of
// the policy's algorithm is still a plain wrong password.
func TestPBKDF2Harden(t *testing.T) {
	t.Parallel()
	encoded, _ := hashPBKDF2(Policy{Algorithm: pbkdf2SHA1, PBKDF2Iterations: 10}, "pässwörd", newSalt())
	p := Policy{Algorithm: pbkdf2SHA1, PBKDF2Iterations: 1000}
	if ok, up, err := p.Verify("wrong", encoded); ok || up || err != nil {
		t.Errorf("Verify(wrong) = %v, %v, %v; want false, false, nil", ok, up, err)
	}
	if ok, up, err := p.Verify("pässwörd", encoded); !ok || !up || err != nil {
		t.Errorf("Verify = %v, %v, %v; want true, true, nil", ok, up, err)
	}
}
