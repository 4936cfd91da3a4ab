package passwords

import (
	"errors"
	"runtime"
	"strings"
	"testing"
)

// cheap are policies whose hashes take a millisecond or less, one per
// algorithm, for tests that hash a lot.
var cheap = map[string]Policy{
	pbkdf2SHA256: {Algorithm: pbkdf2SHA256, PBKDF2Iterations: 1000},
	pbkdf2SHA1:   {Algorithm: pbkdf2SHA1, PBKDF2Iterations: 1000},
	argon2Name:   {Algorithm: argon2Name, Argon2Time: 1, Argon2MemoryKiB: 64, Argon2Threads: 2},
	bcryptSHA256: {Algorithm: bcryptSHA256, BcryptCost: 4},
	bcryptName:   {Algorithm: bcryptName, BcryptCost: 4},
	scryptName:   {Algorithm: scryptName, ScryptN: 16, ScryptR: 2, ScryptP: 1},
}

var algorithms = []string{pbkdf2SHA256, pbkdf2SHA1, argon2Name, bcryptSHA256, bcryptName, scryptName}

// testPasswords are the passwords make_vectors.py hashes: ASCII, empty,
// a space, non-ASCII, spaces inside and around, 100 bytes, CJK.
var testPasswords = []string{
	"admin",
	"",
	" ",
	"pässwörd",
	"  correct horse  battery staple ",
	"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" + strings.Repeat("ü", 19),
	"日本語のパスワード",
}

// TestRoundTrip hashes each test password with each algorithm and verifies
// it back.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	for _, algorithm := range algorithms {
		p := cheap[algorithm]
		for _, password := range testPasswords {
			t.Run(algorithm+"/"+password, func(t *testing.T) {
				t.Parallel()
				encoded, err := p.Hash(password)
				if algorithm == bcryptName && len(password) > bcryptMaxLen {
					if !errors.Is(err, ErrPasswordUnsupported) {
						t.Fatalf("Hash = %q, %v; want ErrPasswordUnsupported", encoded, err)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if !strings.HasPrefix(encoded, algorithm+"$") {
					t.Errorf("Hash = %q, want the prefix %s$", encoded, algorithm)
				}
				if ok, up, err := p.Verify(password, encoded); !ok || up || err != nil {
					t.Errorf("Verify = %v, %v, %v; want true, false, nil", ok, up, err)
				}
				if ok, up, err := p.Verify(password+"x", encoded); ok || up || err != nil {
					t.Errorf("Verify(wrong) = %v, %v, %v; want false, false, nil", ok, up, err)
				}
				again, err := p.Hash(password)
				if err != nil || again == encoded {
					t.Errorf("a second Hash = %q, %v: want another salt", again, err)
				}
			})
		}
	}
}

// TestHashForm checks what Hash writes against the form Django writes.
func TestHashForm(t *testing.T) {
	t.Parallel()
	tests := []struct {
		policy Policy
		prefix string
		fields int
	}{
		{Policy{PBKDF2Iterations: 1000}, "pbkdf2_sha256$1000$", 4},
		{cheap[pbkdf2SHA1], "pbkdf2_sha1$1000$", 4},
		{cheap[argon2Name], "argon2$argon2id$v=19$m=64,t=1,p=2$", 6},
		{cheap[bcryptSHA256], "bcrypt_sha256$$2b$04$", 5},
		{cheap[bcryptName], "bcrypt$$2b$04$", 5},
		{cheap[scryptName], "scrypt$16$", 6},
	}
	for _, tt := range tests {
		encoded, err := tt.policy.Hash("pässwörd")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(encoded, tt.prefix) || strings.Count(encoded, "$")+1 != tt.fields || len(encoded) >= 128 {
			t.Errorf("Hash = %q, want %s... in %d fields, under Django's 128 characters", encoded, tt.prefix, tt.fields)
		}
	}
	salt := newSalt()
	if len(salt) != saltLen || strings.Trim(salt, saltChars) != "" || saltTooWeak(len(salt)) {
		t.Errorf("newSalt() = %q", salt)
	}
	if !saltTooWeak(saltLen - 1) {
		t.Error("a 21-character salt carries 128 bits?")
	}
}

// TestVerifyMalformed feeds Verify hashes that cannot match: each gives ok
// false, upgrade false and the sentinel, and none panics.
func TestVerifyMalformed(t *testing.T) {
	t.Parallel()
	const b64key32 = "OAXyhAQ/4ZDA9V5RMExt3C1OwQdUpLZ99vm1McFlLRA="
	const bcryptData = "$2b$04$tt1HuWwNl7DJD1u.iXze.eYNmFV.ACQe5uru" // first 45 of 60 characters
	bcryptHash := "bcrypt$$2b$04$tt1HuWwNl7DJD1u.iXze.eYNmFV.ACQe5urup/9z1uyB4nc5LbNEG"
	scryptKey := "Qj3+9PPyRjSJIebHnG81TMjsqtaIGxNQG/aEB/NYafTJ7tibgfYz71m0ldQESkXFRkdVCBhhY8mx7rQwite/Pw=="
	tests := []struct {
		name, encoded string
		want          error
	}{
		{"empty", "", ErrUnusable},
		{"unusable", "!", ErrUnusable},
		{"unusable random", "!abc", ErrUnusable},
		{"unusable like make_password(None)", "!" + strings.Repeat("x", 40), ErrUnusable},
		{"unusable before a valid hash", "!pbkdf2_sha256$1000$seasalt$" + b64key32, ErrUnusable},
		{"no dollar", "plaintext password", ErrMalformed},
		{"too long", "pbkdf2_sha256$1000$" + strings.Repeat("s", 2000) + "$" + b64key32, ErrMalformed},
		{"unknown", "lolcat$salt$hash", ErrUnknownAlgorithm},
		{"md5", "md5$seasalt$3f86d0d3d465b7b458c231bf3555c0e3", ErrUnknownAlgorithm},
		{"sha1", "sha1$seasalt$cff36ea83f5706ce9aa7454e63e431fc726b2dc8", ErrUnknownAlgorithm},
		{"crypt", "crypt$$ab1Hv2Lg7ltQo", ErrUnknownAlgorithm},
		{"upper case algorithm", "PBKDF2_SHA256$1000$seasalt$" + b64key32, ErrUnknownAlgorithm},
		{"algorithm only", "pbkdf2_sha256$", ErrMalformed},
		{"pbkdf2 letters for iterations", "pbkdf2_sha256$abc$salt$hash", ErrMalformed},
		{"pbkdf2 three fields", "pbkdf2_sha256$1000$seasalt", ErrMalformed},
		{"pbkdf2 five fields", "pbkdf2_sha256$1000$seasalt$" + b64key32 + "$", ErrMalformed},
		{"pbkdf2 zero iterations", "pbkdf2_sha256$0$seasalt$" + b64key32, ErrMalformed},
		{"pbkdf2 negative iterations", "pbkdf2_sha256$-1000$seasalt$" + b64key32, ErrMalformed},
		{"pbkdf2 plus sign", "pbkdf2_sha256$+1000$seasalt$" + b64key32, ErrMalformed},
		{"pbkdf2 leading zero", "pbkdf2_sha256$01000$seasalt$" + b64key32, ErrMalformed},
		{"pbkdf2 space", "pbkdf2_sha256$ 1000$seasalt$" + b64key32, ErrMalformed},
		{"pbkdf2 underscore", "pbkdf2_sha256$1_000$seasalt$" + b64key32, ErrMalformed},
		{"pbkdf2 overflowing iterations", "pbkdf2_sha256$99999999999999999999999$seasalt$" + b64key32, ErrMalformed},
		{"pbkdf2 huge iterations", "pbkdf2_sha256$10000001$seasalt$" + b64key32, ErrCostTooHigh},
		{"pbkdf2 empty salt", "pbkdf2_sha256$1000$$" + b64key32, ErrMalformed},
		{"pbkdf2 bad base64", "pbkdf2_sha256$1000$seasalt$!!!notbase64!!!", ErrMalformed},
		{"pbkdf2 unpadded base64", "pbkdf2_sha256$1000$seasalt$" + strings.TrimRight(b64key32, "="), ErrMalformed},
		{"pbkdf2 url base64", "pbkdf2_sha256$1000$seasalt$" + strings.ReplaceAll(b64key32, "/", "_"), ErrMalformed},
		{"pbkdf2 empty hash", "pbkdf2_sha256$1000$seasalt$", ErrMalformed},
		{"pbkdf2 short hash", "pbkdf2_sha256$1000$seasalt$" + b64key32[:20] + "==", ErrMalformed},
		{"pbkdf2_sha1 with a sha256-long hash", "pbkdf2_sha1$1000$seasalt$" + b64key32, ErrMalformed},
		{"argon2 truncated", "argon2$argon2id$v=19$m=102400,t=2,p=8$Y041dExhNkljRUUy", ErrMalformed},
		{"argon2 variety only", "argon2$argon2id", ErrMalformed},
		{"argon2 empty", "argon2$", ErrMalformed},
		{"argon2 unknown variety", "argon2$argon2x$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q", ErrMalformed},
		{"argon2d", "argon2$argon2d$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q", ErrUnknownAlgorithm},
		{"argon2 version 16", "argon2$argon2i$v=16$m=8,t=1,p=1$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q", ErrUnknownAlgorithm},
		{"argon2 version 20", "argon2$argon2i$v=20$m=8,t=1,p=1$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q", ErrMalformed},
		{"argon2 params out of order", "argon2$argon2i$v=19$t=1,m=8,p=1$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q", ErrMalformed},
		{"argon2 extra param", "argon2$argon2i$v=19$m=8,t=1,p=1,k=2$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q", ErrMalformed},
		{"argon2 negative", "argon2$argon2i$v=19$m=-8,t=1,p=1$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q", ErrMalformed},
		{"argon2 m over 32 bits", "argon2$argon2i$v=19$m=4294967296,t=1,p=1$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q", ErrMalformed},
		{"argon2 m=99999999", "argon2$argon2id$v=19$m=99999999,t=2,p=8$Y041dExhNkljRUUy$TMa6A8fPJhCAUXRhJXCXdw", ErrCostTooHigh},
		{"argon2 1 GiB and a KiB", "argon2$argon2id$v=19$m=1048577,t=1,p=1$Y041dExhNkljRUUy$TMa6A8fPJhCAUXRhJXCXdw", ErrCostTooHigh},
		{"argon2 too many passes", "argon2$argon2id$v=19$m=102400,t=21,p=8$Y041dExhNkljRUUy$TMa6A8fPJhCAUXRhJXCXdw", ErrCostTooHigh},
		{"argon2 t=4294967295", "argon2$argon2id$v=19$m=8,t=4294967295,p=1$Y041dExhNkljRUUy$TMa6A8fPJhCAUXRhJXCXdw", ErrCostTooHigh},
		{"argon2 256 lanes", "argon2$argon2id$v=19$m=4096,t=1,p=256$Y041dExhNkljRUUy$TMa6A8fPJhCAUXRhJXCXdw", ErrCostTooHigh},
		{"argon2 t=0", "argon2$argon2id$v=19$m=64,t=0,p=1$Y041dExhNkljRUUy$TMa6A8fPJhCAUXRhJXCXdw", ErrMalformed},
		{"argon2 p=0", "argon2$argon2id$v=19$m=64,t=1,p=0$Y041dExhNkljRUUy$TMa6A8fPJhCAUXRhJXCXdw", ErrMalformed},
		{"argon2 m below 8 a lane", "argon2$argon2id$v=19$m=15,t=1,p=2$Y041dExhNkljRUUy$TMa6A8fPJhCAUXRhJXCXdw", ErrMalformed},
		{"argon2 short salt", "argon2$argon2id$v=19$m=64,t=1,p=1$c2FsdA$TMa6A8fPJhCAUXRhJXCXdw", ErrMalformed},
		{"argon2 short hash", "argon2$argon2id$v=19$m=64,t=1,p=1$Y041dExhNkljRUUy$TMa6", ErrMalformed},
		{"argon2 padded base64", "argon2$argon2id$v=19$m=64,t=1,p=1$Y041dExhNkljRUUy$TMa6A8fPJhCAUXRhJXCXdw==", ErrMalformed},
		{"argon2 bad base64", "argon2$argon2id$v=19$m=64,t=1,p=1$Y041dExh*kljRUUy$TMa6A8fPJhCAUXRhJXCXdw", ErrMalformed},
		{"argon2 non-canonical base64", "argon2$argon2id$v=19$m=64,t=1,p=1$Y041dExhNkljRUUz$TMa6A8fPJhCAUXRhJXCXdx", ErrMalformed},
		{"bcrypt empty", "bcrypt$", ErrMalformed},
		{"bcrypt truncated", "bcrypt$" + bcryptData, ErrMalformed},
		{"bcrypt without its dollar", "bcrypt" + bcryptHash[len("bcrypt$"):], ErrMalformed},
		{"bcrypt one character more", bcryptHash + "x", ErrMalformed},
		{"bcrypt cost 31", strings.Replace(bcryptHash, "$04$", "$31$", 1), ErrCostTooHigh},
		{"bcrypt cost 17", strings.Replace(bcryptHash, "$04$", "$17$", 1), ErrCostTooHigh},
		{"bcrypt cost 32", strings.Replace(bcryptHash, "$04$", "$32$", 1), ErrMalformed},
		{"bcrypt cost 03", strings.Replace(bcryptHash, "$04$", "$03$", 1), ErrMalformed},
		{"bcrypt cost 4", strings.Replace(bcryptHash, "$04$", "$4$", 1), ErrMalformed},
		{"bcrypt version 2x", strings.Replace(bcryptHash, "$2b$", "$2x$", 1), ErrMalformed},
		{"bcrypt version 3", strings.Replace(bcryptHash, "$2b$", "$3b$", 1), ErrMalformed},
		{"bcrypt bad character", strings.Replace(bcryptHash, ".iX", "!iX", 1), ErrMalformed},
		{"bcrypt non-canonical salt", "bcrypt$$2b$04$tt1HuWwNl7DJD1u.iXze.fYNmFV.ACQe5urup/9z1uyB4nc5LbNEG", ErrMalformed},
		{"bcrypt non-canonical hash", bcryptHash[:len(bcryptHash)-1] + "H", ErrMalformed},
		{"bcrypt_sha256 one dollar", "bcrypt_sha256$2b$04$789LHS8YxWWl8ncEERlgHe5oFtXo1s/d5Ock9CQwAONyL0sENp3Pu", ErrMalformed},
		{"scrypt truncated", "scrypt$16384$seasalt$8$1", ErrMalformed},
		{"scrypt N not a power of two", "scrypt$16383$seasalt$8$1$" + scryptKey, ErrMalformed},
		{"scrypt N=1", "scrypt$1$seasalt$8$1$" + scryptKey, ErrMalformed},
		{"scrypt N=0", "scrypt$0$seasalt$8$1$" + scryptKey, ErrMalformed},
		{"scrypt r=0", "scrypt$16384$seasalt$0$1$" + scryptKey, ErrMalformed},
		{"scrypt p=-1", "scrypt$16384$seasalt$8$-1$" + scryptKey, ErrMalformed},
		{"scrypt N=2^20 r=8", "scrypt$1048576$seasalt$8$1$" + scryptKey, ErrCostTooHigh},
		{"scrypt N=2^59", "scrypt$576460752303423488$seasalt$8$1$" + scryptKey, ErrCostTooHigh},
		{"scrypt huge r", "scrypt$2$seasalt$999999999999999999$1$" + scryptKey, ErrCostTooHigh},
		{"scrypt huge p", "scrypt$16384$seasalt$8$999999999$" + scryptKey, ErrCostTooHigh},
		{"scrypt empty salt", "scrypt$16384$$8$1$" + scryptKey, ErrMalformed},
		{"scrypt short hash", "scrypt$16384$seasalt$8$1$" + b64key32, ErrMalformed},
		{"scrypt bad base64", "scrypt$16384$seasalt$8$1$" + scryptKey[:80] + "*" + scryptKey[81:], ErrMalformed},
	}
	p := Policy{PBKDF2Iterations: 1} // Verify also wastes one hash of the policy
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ok, up, err := p.Verify("lètmein", tt.encoded)
			if ok || up || !errors.Is(err, tt.want) {
				t.Fatalf("Verify = %v, %v, %v; want false, false, %v", ok, up, err, tt.want)
			}
			for _, s := range []string{"lètmein", "seasalt", b64key32[:12], scryptKey[:12]} {
				if strings.Contains(err.Error(), s) {
					t.Errorf("error %q shows %q", err, s)
				}
			}
		})
	}
}

// TestUpgrade checks Django's must_update rules where the vectors do not
// reach: changes in each direction, and the algorithm.
func TestUpgrade(t *testing.T) {
	t.Parallel()
	hash := func(p Policy) string {
		t.Helper()
		encoded, err := p.Hash("pässwörd")
		if err != nil {
			t.Fatal(err)
		}
		return encoded
	}
	tests := []struct {
		name    string
		written Policy
		policy  Policy
		want    bool
	}{
		{"same pbkdf2", cheap[pbkdf2SHA256], cheap[pbkdf2SHA256], false},
		{"fewer iterations", Policy{PBKDF2Iterations: 1000}, Policy{PBKDF2Iterations: 1001}, true},
		{"more iterations, as Django", Policy{PBKDF2Iterations: 1001}, Policy{PBKDF2Iterations: 1000}, true},
		{"sha1 under sha256", cheap[pbkdf2SHA1], Policy{PBKDF2Iterations: 1000}, true},
		{"sha256 under sha1", Policy{PBKDF2Iterations: 1000}, cheap[pbkdf2SHA1], true},
		{"pbkdf2 under argon2", Policy{PBKDF2Iterations: 1000}, cheap[argon2Name], true},
		{"same argon2", cheap[argon2Name], cheap[argon2Name], false},
		{"argon2 time", cheap[argon2Name], Policy{Algorithm: argon2Name, Argon2Time: 2, Argon2MemoryKiB: 64, Argon2Threads: 2}, true},
		{"argon2 memory", cheap[argon2Name], Policy{Algorithm: argon2Name, Argon2Time: 1, Argon2MemoryKiB: 128, Argon2Threads: 2}, true},
		{"argon2 lanes", cheap[argon2Name], Policy{Algorithm: argon2Name, Argon2Time: 1, Argon2MemoryKiB: 64, Argon2Threads: 1}, true},
		{"same bcrypt_sha256", cheap[bcryptSHA256], cheap[bcryptSHA256], false},
		{"bcrypt cost up", cheap[bcryptSHA256], Policy{Algorithm: bcryptSHA256, BcryptCost: 5}, true},
		{"bcrypt under bcrypt_sha256", cheap[bcryptName], cheap[bcryptSHA256], true},
		{"bcrypt_sha256 under bcrypt", cheap[bcryptSHA256], cheap[bcryptName], true},
		{"same scrypt", cheap[scryptName], cheap[scryptName], false},
		{"scrypt N", cheap[scryptName], Policy{Algorithm: scryptName, ScryptN: 32, ScryptR: 2, ScryptP: 1}, true},
		{"scrypt r", cheap[scryptName], Policy{Algorithm: scryptName, ScryptN: 16, ScryptR: 1, ScryptP: 1}, true},
		{"scrypt p", cheap[scryptName], Policy{Algorithm: scryptName, ScryptN: 16, ScryptR: 2, ScryptP: 2}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			encoded := hash(tt.written)
			ok, up, err := tt.policy.Verify("pässwörd", encoded)
			if !ok || err != nil || up != tt.want {
				t.Errorf("Verify = %v, %v, %v; want true, %v, nil", ok, up, err, tt.want)
			}
			if ok, up, err := tt.policy.Verify("wrong", encoded); ok || up || err != nil {
				t.Errorf("Verify(wrong) = %v, %v, %v; want false, false, nil: never upgrade a wrong password", ok, up, err)
			}
		})
	}
}

// TestPolicy checks defaults and the validation of each field.
func TestPolicy(t *testing.T) {
	t.Parallel()
	zero, err := Policy{}.normalized()
	if err != nil || zero != DefaultPolicy() {
		t.Errorf("Policy{} means %+v, %v; want DefaultPolicy()", zero, err)
	}
	partial, _ := Policy{Algorithm: argon2Name}.normalized()
	if d := DefaultPolicy(); partial.Argon2MemoryKiB != d.Argon2MemoryKiB || partial.PBKDF2Iterations != d.PBKDF2Iterations {
		t.Errorf("Policy{Algorithm: argon2} means %+v", partial)
	}
	for _, algorithm := range algorithms {
		if err := (Policy{Algorithm: algorithm}).Validate(); err != nil {
			t.Errorf("%s with defaults: %v", algorithm, err)
		}
	}
	tests := []struct {
		name   string
		policy Policy
		want   error
	}{
		{"unknown algorithm", Policy{Algorithm: "md5"}, ErrUnknownAlgorithm},
		{"upper case algorithm", Policy{Algorithm: "PBKDF2_SHA256"}, ErrUnknownAlgorithm},
		{"negative iterations", Policy{PBKDF2Iterations: -1}, ErrInvalidPolicy},
		{"iterations above the bound", Policy{PBKDF2Iterations: 10_000_001}, ErrCostTooHigh},
		{"argon2 memory above the bound", Policy{Argon2MemoryKiB: 1<<20 + 1}, ErrCostTooHigh},
		{"argon2 passes above the bound", Policy{Argon2Time: 21}, ErrCostTooHigh},
		{"argon2 256 threads", Policy{Argon2Threads: 256, Argon2MemoryKiB: 4096}, ErrCostTooHigh},
		{"argon2 memory below 8 KiB a lane", Policy{Argon2MemoryKiB: 63}, ErrInvalidPolicy},
		{"bcrypt cost 3", Policy{BcryptCost: 3}, ErrInvalidPolicy},
		{"bcrypt cost 17", Policy{BcryptCost: 17}, ErrCostTooHigh},
		{"scrypt N not a power of two", Policy{ScryptN: 1000}, ErrInvalidPolicy},
		{"scrypt negative p", Policy{ScryptP: -1}, ErrInvalidPolicy},
		{"scrypt 512 MiB", Policy{ScryptN: 1 << 19}, ErrCostTooHigh},
	}
	for _, tt := range tests {
		err := tt.policy.Validate()
		if !errors.Is(err, tt.want) || !errors.Is(err, ErrInvalidPolicy) || errors.Is(err, ErrMalformed) {
			t.Errorf("%s: Validate() = %v, want %v", tt.name, err, tt.want)
		}
		if encoded, err := tt.policy.Hash("pässwörd"); encoded != "" || !errors.Is(err, tt.want) {
			t.Errorf("%s: Hash = %q, %v; want %v", tt.name, encoded, err, tt.want)
		}
		if ok, up, err := tt.policy.Verify("admin", "pbkdf2_sha256$1000$OAJVNvkGOOxqnXwCPioTFd$zsUPSG9J3gqmin7izn3zrY10pCPsVYBZVgvkidGEm9E="); ok || up || !errors.Is(err, tt.want) {
			t.Errorf("%s: Verify = %v, %v, %v; want false, false, %v", tt.name, ok, up, err, tt.want)
		}
		tt.policy.Waste("admin") // does nothing, and does not panic
	}
}

// TestWaste runs Waste for each algorithm, with passwords plain bcrypt
// refuses too.
func TestWaste(t *testing.T) {
	t.Parallel()
	for _, algorithm := range algorithms {
		for _, password := range []string{"", "admin", strings.Repeat("x", 100), "a\x00b"} {
			cheap[algorithm].Waste(password)
		}
	}
}

// fuzzLimits keep the fuzzer from spending its time in valid but costly
// hashes: the parsers are the same whatever the bounds.
var fuzzLimits = limits{
	pbkdf2Iterations: 1000,
	argon2MemoryKiB:  1024,
	argon2Passes:     2048,
	bcryptCost:       5,
	scryptBytes:      1 << 20,
	scryptWork:       1 << 12,
}

// FuzzVerify checks that no stored hash or password makes Verify panic,
// and that a failure is always reported as a sentinel.
func FuzzVerify(f *testing.F) {
	for _, s := range []string{
		"",
		"!",
		"pbkdf2_sha256$1000$OAJVNvkGOOxqnXwCPioTFd$zsUPSG9J3gqmin7izn3zrY10pCPsVYBZVgvkidGEm9E=",
		"pbkdf2_sha1$1000$6sCcGTeoFyCwOkkkm4d7IN$ZleaM6+dMjpp5tZAw1MJi9pU+Gw=",
		"argon2$argon2id$v=19$m=64,t=1,p=2$c2ZEZjd3SjlkTnVQVU5iQ2ZtbXNSeA$P+qNADRxd55QxlzCJI1RSQ",
		"argon2$argon2i$v=19$m=512,t=2,p=2$cVBlRk9qZnJIcjViZ2JVOHVUeVhDeA$j5mJzjLLcL44xSGWhYtb1g",
		"argon2$argon2i$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q",
		"argon2$argon2i$m=8,t=1,p=1$c29tZXNhbHQ$gwQOXSNhxiOxPOA0+PY10P9QFO4NAYysnqRt1GSQLE55m+2GYDt9FEjPMHhP2Cuf0nOEXXMocVrsJAtNSsKyfg",
		"bcrypt_sha256$$2b$04$789LHS8YxWWl8ncEERlgHe5oFtXo1s/d5Ock9CQwAONyL0sENp3Pu",
		"bcrypt$$2b$04$tt1HuWwNl7DJD1u.iXze.eYNmFV.ACQe5urup/9z1uyB4nc5LbNEG",
		"scrypt$16$2WCsHnpaKnQgFgrpZHdnRW$2$1$dBe2YeCjy8eJgFi098iah6wzT38ie0kVgP7014OGoqDe7QIUoi/+iLmKe5GV7rC/3Fy4wO9hMjB27qYjNclvwQ==",
		"md5$seasalt$3f86d0d3d465b7b458c231bf3555c0e3",
		"88a434c88cca4e900f7874cd98123f43",
	} {
		f.Add("admin", s)
	}
	p := cheap[pbkdf2SHA256]
	sentinels := []error{ErrUnusable, ErrUnknownAlgorithm, ErrMalformed, ErrCostTooHigh, ErrPasswordUnsupported}
	f.Fuzz(func(t *testing.T, password, encoded string) {
		ok, up, err := p.verify(password, encoded, fuzzLimits)
		if up && !ok {
			t.Fatalf("upgrade without a match: %q", encoded)
		}
		if err == nil {
			return
		}
		if ok {
			t.Fatalf("a match and an error %v: %q", err, encoded)
		}
		for _, s := range sentinels {
			if errors.Is(err, s) {
				return
			}
		}
		t.Fatalf("error %v wraps no sentinel: %q", err, encoded)
	})
}

// BenchmarkVerify verifies a hash at Django's default parameters for each
// algorithm (DefaultPolicy's), the password right.
func BenchmarkVerify(b *testing.B) {
	for _, algorithm := range algorithms {
		b.Run(algorithm, func(b *testing.B) {
			p := Policy{Algorithm: algorithm}
			encoded, err := p.Hash("correct horse battery staple")
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if ok, _, err := p.Verify("correct horse battery staple", encoded); !ok || err != nil {
					b.Fatal(ok, err)
				}
			}
		})
	}
}

// TestFailuresCostAPolicyHash: whatever the stored hash (another
// algorithm, a cheaper one of the policy's, unusable, malformed, unknown)
// and whatever the failure, Verify does at least one hash of the policy, so
// that a failed login's time tells nothing of the account. Work is counted
// by the memory the policy's Argon2 allocates (16 MiB a hash), which no
// other hash here comes near; a success may cost less.
func TestFailuresCostAPolicyHash(t *testing.T) {
	const mib = 16
	policy := Policy{Algorithm: "argon2", Argon2Time: 1, Argon2MemoryKiB: mib << 10, Argon2Threads: 1}
	stored := map[string]string{}
	for name, p := range map[string]Policy{
		"pbkdf2_sha256":  {PBKDF2Iterations: 1000},
		"pbkdf2_sha1":    {Algorithm: "pbkdf2_sha1", PBKDF2Iterations: 1000},
		"bcrypt_sha256":  {Algorithm: "bcrypt_sha256", BcryptCost: 4},
		"bcrypt":         {Algorithm: "bcrypt", BcryptCost: 4},
		"scrypt":         {Algorithm: "scrypt", ScryptN: 1 << 4, ScryptR: 8, ScryptP: 1},
		"cheaper argon2": {Algorithm: "argon2", Argon2Time: 1, Argon2MemoryKiB: 64, Argon2Threads: 1},
		"the policy's":   policy,
	} {
		h, err := p.Hash("right")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		stored[name] = h
	}
	stored["unusable"] = "!Zx1pc5Yd0V0XcmC3A7sWc5SbQqWqDNR3cF7fHiaB"
	stored["empty"] = ""
	stored["malformed"] = "pbkdf2_sha256$x$y"
	stored["unknown algorithm"] = "md5$salt$0123456789abcdef0123456789abcdef"
	hashes := func(f func()) uint64 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		f()
		runtime.ReadMemStats(&after)
		return (after.TotalAlloc - before.TotalAlloc) / (mib << 20)
	}
	for name, encoded := range stored {
		for _, password := range []string{"wrong", "right\x00"} {
			var ok bool
			n := hashes(func() { ok, _, _ = policy.Verify(password, encoded) })
			if ok || n < 1 {
				t.Errorf("%s, password %q: ok %v after %d hashes of the policy, want a failure after at least one", name, password, ok, n)
			}
		}
	}
	if n := hashes(func() { policy.Verify("right", stored["pbkdf2_sha1"]) }); n != 0 {
		t.Errorf("a success against a cheaper hash did %d policy hashes; it may cost less", n)
	}
}
