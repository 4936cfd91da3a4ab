package passwords_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/jwtauth-go/jwtauth/passwords"
)

// A store hashes new passwords with its policy, verifies logins, and
// re-hashes on a successful login when Verify says so.
func Example() {
	// A small iteration count keeps the example fast; the zero Policy means
	// Django 6.1's 1,500,000.
	p := passwords.Policy{PBKDF2Iterations: 1000}
	encoded, err := p.Hash("s3cret-pa55")
	if err != nil {
		panic(err)
	}
	fmt.Println(strings.Join(strings.Split(encoded, "$")[:2], "$"), "+ salt + hash")

	ok, upgrade, err := p.Verify("s3cret-pa55", encoded)
	fmt.Println(ok, upgrade, err)
	ok, upgrade, err = p.Verify("wrong", encoded)
	fmt.Println(ok, upgrade, err)

	// A hash Django 3.2 wrote, at its 260,000 iterations: the password
	// matches, and the hash is due for the policy's count.
	ok, upgrade, err = p.Verify("admin", "pbkdf2_sha256$260000$3xNbiVWmTO7RPXdknDfNlP$HjPWMRHMzYroSoREEwp8qZMb0IWpeg9fyqFGD9boNH8=")
	fmt.Println(ok, upgrade, err)

	// A user without a usable password (Django's set_unusable_password).
	ok, _, err = p.Verify("", "!Kx2JvWpbYq0dBn3TzR8sLmVa5cFh9GeUoXiN4yQ1")
	fmt.Println(ok, errors.Is(err, passwords.ErrUnusable))
	// Output:
	// pbkdf2_sha256$1000 + salt + hash
	// true false <nil>
	// false false <nil>
	// true true <nil>
	// false true
}

// A service beside a Django 3.2 project writes what Django 3.2 writes, so
// that neither re-hashes the other's users, and learns that Django 3.2
// cannot verify scrypt.
func ExampleDjango() {
	p, err := passwords.Django("3.2.25") // django.get_version()
	if err != nil {
		panic(err)
	}
	fmt.Println(p.Algorithm, p.PBKDF2Iterations, p.CheckDjango("3.2"))

	p.Algorithm = "scrypt"
	fmt.Println(p.CheckDjango("3.2"))
	// Output:
	// pbkdf2_sha256 260000 <nil>
	// passwords: Django 3.2 cannot verify scrypt hashes: Django 4.0 added ScryptPasswordHasher
}
