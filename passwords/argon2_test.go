package passwords

import (
	"encoding/base64"
	"strings"
	"testing"
)

// djangoArgon2 is a hash Django 3.2 wrote for "admin" (at make_vectors.py's
// cheap parameters).
const djangoArgon2 = "argon2$argon2id$v=19$m=64,t=1,p=2$c2ZEZjd3SjlkTnVQVU5iQ2ZtbXNSeA$P+qNADRxd55QxlzCJI1RSQ"

// TestArgon2LeadingZeros: libargon2, which Django verifies with, reads
// "m=064" as 64, and the hash covers the number, not its spelling.
func TestArgon2LeadingZeros(t *testing.T) {
	t.Parallel()
	encoded := strings.Replace(djangoArgon2, "m=64,t=1,p=2", "m=064,t=01,p=002", 1)
	if ok, _, err := cheap[argon2Name].Verify("admin", encoded); !ok || err != nil {
		t.Errorf("Verify = %v, %v; want a match", ok, err)
	}
}

// TestArgon2MustUpdate checks the parts of Django's rule the vectors do not
// reach: the hash length and the salt length, counted in bytes.
func TestArgon2MustUpdate(t *testing.T) {
	t.Parallel()
	p, _ := cheap[argon2Name].normalized()
	for _, tt := range []struct {
		name   string
		salt   string
		keyLen int
		want   bool
	}{
		{"Django's form", strings.Repeat("s", 22), 16, false},
		{"a 32-byte hash", strings.Repeat("s", 22), 32, true},
		{"a 21-byte salt", strings.Repeat("s", 21), 16, true},
		{"11 characters, 22 bytes", strings.Repeat("ü", 11), 16, false},
	} {
		h := argon2Hash{id: true, time: 1, memory: 64, lanes: 2, salt: []byte(tt.salt), key: make([]byte, tt.keyLen)}
		h.key = h.derive("pässwörd")
		encoded := "argon2$argon2id$v=19$m=64,t=1,p=2$" + base64.RawStdEncoding.EncodeToString(h.salt) + "$" + base64.RawStdEncoding.EncodeToString(h.key)
		if ok, up, err := p.Verify("pässwörd", encoded); !ok || up != tt.want || err != nil {
			t.Errorf("%s: Verify = %v, %v, %v; want true, %v, nil", tt.name, ok, up, err, tt.want)
		}
	}
}
