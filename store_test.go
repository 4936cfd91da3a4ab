package jwtauth

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/jwtauth-go/jwtauth/passwords"
)

// TestMemoryStore pins the UserStore contract on MemoryStore, as Django's
// ModelBackend behaves.
func TestMemoryStore(t *testing.T) {
	s := &MemoryStore{Passwords: passwords.Policy{PBKDF2Iterations: 1}}
	long := strings.Repeat("p", 72)
	for _, add := range []struct {
		u  User
		pw string
	}{
		{User{ID: "1", Username: "admin", Email: "admin@example.com", IsActive: true}, "admin"},
		{User{ID: "2", Username: "off", IsActive: false}, "off"},
		{User{ID: "3", Username: "nopw", IsActive: true}, ""},
		{User{ID: "4", Username: "long", IsActive: true}, long},
	} {
		if err := s.AddUser(add.u, add.pw); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	tests := []struct {
		name, user, pw string
		want           error
	}{
		{"right password", "admin", "admin", nil},
		{"wrong password", "admin", "Admin", ErrInvalidCredentials},
		{"password with a trailing space", "admin", "admin ", ErrInvalidCredentials},
		{"password with a NUL", "admin", "admin\x00", ErrInvalidCredentials},
		{"username in another case", "ADMIN", "admin", ErrInvalidCredentials},
		{"unknown user", "ghost", "admin", ErrInvalidCredentials},
		{"inactive user, right password", "off", "off", ErrInvalidCredentials},
		{"no usable password", "nopw", "", ErrInvalidCredentials},
		{"72-byte password", "long", long, nil},
		{"73 bytes: all of them count", "long", long + "x", ErrInvalidCredentials},
	}
	for _, tt := range tests {
		u, err := s.Authenticate(ctx, tt.user, tt.pw)
		if !errors.Is(err, tt.want) || (err == nil) != (tt.want == nil) {
			t.Errorf("%s: Authenticate = %v, want %v", tt.name, err, tt.want)
		}
		if err == nil && u.Username != tt.user {
			t.Errorf("%s: user %+v", tt.name, u)
		}
	}
	if u, err := s.UserByUsername(ctx, "off"); err != nil || u.IsActive || u.ID != "2" {
		t.Errorf("UserByUsername(inactive) = %+v, %v: inactive users are found", u, err)
	}
	if _, err := s.UserByUsername(ctx, "ghost"); !errors.Is(err, ErrUserNotFound) {
		t.Errorf("UserByUsername(unknown) = %v", err)
	}
	s.DeleteUser("admin")
	if _, err := s.UserByUsername(ctx, "admin"); !errors.Is(err, ErrUserNotFound) {
		t.Errorf("after DeleteUser: %v", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.Authenticate(cancelled, "long", long); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
	bcryptStore := &MemoryStore{Passwords: passwords.Policy{Algorithm: "bcrypt", BcryptCost: 4}}
	if err := bcryptStore.AddUser(User{Username: "x"}, long+"x"); !errors.Is(err, passwords.ErrPasswordUnsupported) {
		t.Errorf("AddUser of a password bcrypt would truncate: %v", err)
	}
	if err := s.AddUser(User{}, "pw"); err == nil {
		t.Error("AddUser accepted an empty username")
	}
}

// TestMemoryStoreConcurrent runs readers and writers together under -race.
func TestMemoryStoreConcurrent(t *testing.T) {
	var s MemoryStore
	s.Passwords = passwords.Policy{PBKDF2Iterations: 1}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := string(rune('a' + i))
			_ = s.AddUser(User{ID: name, Username: name, IsActive: true}, "pw")
			_, _ = s.Authenticate(context.Background(), name, "pw")
			_, _ = s.Authenticate(context.Background(), "ghost", "pw")
			_, _ = s.UserByUsername(context.Background(), name)
			s.DeleteUser(name)
		}()
	}
	wg.Wait()
}

// TestInactiveRightPasswordCostsAPolicyHash: an inactive user's right
// password is refused after as much work as a wrong one, also when the
// stored hash is cheaper than the policy's (a user hashed under an older
// policy, or by Django at its own default). Before, it cost only the
// stored hash: a disabled account answered faster for its right password.
func TestInactiveRightPasswordCostsAPolicyHash(t *testing.T) {
	const mib = 16
	store := &MemoryStore{Passwords: passwords.Policy{Algorithm: "pbkdf2_sha1", PBKDF2Iterations: 1}}
	inactive := User{ID: "9", Username: "gone", IsActive: false}
	if err := store.AddUser(inactive, "right"); err != nil {
		t.Fatal(err)
	}
	store.Passwords = passwords.Policy{Algorithm: "argon2", Argon2Time: 1, Argon2MemoryKiB: mib << 10, Argon2Threads: 1}
	for _, password := range []string{"right", "wrong"} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := store.Authenticate(t.Context(), "gone", password)
		runtime.ReadMemStats(&after)
		if !errors.Is(err, ErrInvalidCredentials) {
			t.Errorf("%s password: %v, want ErrInvalidCredentials", password, err)
		}
		if n := (after.TotalAlloc - before.TotalAlloc) / (mib << 20); n < 1 {
			t.Errorf("%s password of an inactive user: %d hashes of the policy, want at least one", password, n)
		}
	}
}
