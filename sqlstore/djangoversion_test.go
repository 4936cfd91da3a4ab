package sqlstore_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jwtauth-go/jwtauth/passwords"
	"github.com/jwtauth-go/jwtauth/sqlstore"
)

// TestDjangoVersion: with DjangoVersion, the zero Passwords is that
// release's own policy (passwords.Django): a hash of another algorithm is
// upgraded to what that release writes, and that hash is then left alone,
// as Django leaves it. (Two releases only, the cheapest: each release's
// policy is the passwords package's to test, and hashing at hundreds of
// thousands of iterations is slow under the race detector.)
func TestDjangoVersion(t *testing.T) {
	for _, version := range []string{"3.2", "4.0.10"} {
		t.Run(version, func(t *testing.T) {
			t.Parallel()
			want, err := passwords.Django(version)
			if err != nil {
				t.Fatal(err)
			}
			d := openSQLite(t)
			old := hash(t, passwords.Policy{Algorithm: "bcrypt_sha256", BcryptCost: 4}, "password")
			id := d.addUser(t, "user", "", true, old)
			ctx := context.Background()
			store, err := sqlstore.New(ctx, d.db, sqlstore.Settings{Dialect: d.dialect, UpgradeHashes: true, DjangoVersion: version})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = store.Close() })
			if _, err := store.Authenticate(ctx, "user", "password"); err != nil {
				t.Fatal(err)
			}
			upgraded := d.queryString(t, `SELECT password FROM auth_user WHERE id = ?`, id)
			if prefix := fmt.Sprintf("pbkdf2_sha256$%d$", want.PBKDF2Iterations); !strings.HasPrefix(upgraded, prefix) {
				t.Fatalf("after login: %.30s...; want a %s hash", upgraded, prefix)
			}
			if _, err := store.Authenticate(ctx, "user", "password"); err != nil {
				t.Fatal(err)
			}
			if again := d.queryString(t, `SELECT password FROM auth_user WHERE id = ?`, id); again != upgraded {
				t.Errorf("the release's own hash was upgraded again: %.30s...", again)
			}
		})
	}
}

// TestDjangoVersionPolicies: with UpgradeHashes, New refuses a Passwords
// policy whose hashes the release cannot verify or would re-hash at every
// login; without UpgradeHashes the store writes no hash, and any valid
// policy goes. An unknown release is refused either way, naming the ones
// known.
func TestDjangoVersionPolicies(t *testing.T) {
	t.Parallel()
	d := openSQLite(t)
	for _, tt := range []struct {
		name    string
		version string
		upgrade bool
		policy  passwords.Policy
		want    string // in New's error; "" for none
	}{
		{"scrypt on 3.2", "3.2", true, passwords.Policy{Algorithm: "scrypt"}, "Django 3.2 cannot verify scrypt hashes"},
		{"scrypt on 3.2, no upgrades", "3.2", false, passwords.Policy{Algorithm: "scrypt"}, ""},
		{"scrypt on 4.0 at its parameters", "4.0.10", true, passwords.Policy{Algorithm: "scrypt", ScryptP: 1}, ""},
		{"scrypt on 4.0 at 5.1's parameters", "4.0", true, passwords.Policy{Algorithm: "scrypt"}, "p=5"},
		{"plain bcrypt", "4.2", true, passwords.Policy{Algorithm: "bcrypt"}, "BCryptPasswordHasher"},
		{"argon2 on 3.2", "3.2", true, passwords.Policy{Algorithm: "argon2"}, ""},
		{"bcrypt_sha256 on 3.2", "3.2", true, passwords.Policy{Algorithm: "bcrypt_sha256"}, ""},
		{"Django 6.1's count on 3.2", "3.2", true, passwords.DefaultPolicy(), "Django 3.2 writes pbkdf2_sha256 at 260000 iterations, the policy at 1500000"},
		{"Django 6.1's count on 3.2, no upgrades", "3.2", false, passwords.DefaultPolicy(), ""},
		{"the release's own", "5.2", true, passwords.Policy{PBKDF2Iterations: 1000000}, ""},
		{"scrypt without DjangoVersion", "", true, passwords.Policy{Algorithm: "scrypt"}, ""},
		{"Django 2.2", "2.2", false, passwords.Policy{}, `sqlstore: DjangoVersion: passwords: unknown Django release "2.2": known are 3.2,`},
		{"not a version", "latest", true, passwords.Policy{}, `unknown Django release "latest"`},
		{"an invalid policy", "3.2", true, passwords.Policy{BcryptCost: 3}, "sqlstore: Passwords:"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			store, err := sqlstore.New(context.Background(), d.db, sqlstore.Settings{
				Dialect: d.dialect, DjangoVersion: tt.version, UpgradeHashes: tt.upgrade, Passwords: tt.policy,
			})
			if err == nil {
				_ = store.Close()
			}
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("New: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("New: %v; want an error with %q", err, tt.want)
			}
		})
	}
}
