// Package passwords verifies and creates the password hashes Django writes
// into auth_user.password, so that a Go service can log in the users of a
// Django project, and Django the users the Go service creates.
//
// It reads pbkdf2_sha256, pbkdf2_sha1, argon2 (argon2id and argon2i,
// version 19), bcrypt_sha256, bcrypt and scrypt, each in the form Django's
// hasher of that name writes, and writes them too. A [Policy] says which
// algorithm and costs new hashes get; [Policy.Verify] checks a password and
// reports whether the stored hash should be re-hashed under the policy,
// exactly when Django's check_password would: another algorithm, or
// different costs (PBKDF2 iterations, Argon2 time, memory and lanes, bcrypt
// rounds, scrypt N, r and p, up or down), or a PBKDF2 or Argon2 salt of
// fewer than 128 bits.
//
// # The default
//
// New hashes are pbkdf2_sha256 at 1,500,000 iterations, Django 6.1's
// default hasher and count. Every Django installation verifies them without
// extra packages (argon2 needs argon2-cffi there, bcrypt the bcrypt
// package), and Django 6.1 finds them current: users created here are not
// re-hashed at their next Django login. A project on another Django release
// should use that release's policy, [Django]("4.2") say, or the two
// services re-hash each other's hashes on every login; [Policy.CheckDjango]
// says whether a release verifies a policy's hashes and finds them current
// (Django 3.2, for one, has no scrypt).
//
// # What is refused
//
// No stored hash makes Verify panic; a hash that cannot match gives ok
// false and an error wrapping [ErrUnusable] (empty, or Django's "!" mark of
// an unusable password), [ErrUnknownAlgorithm] (md5, sha1, crypt, argon2d,
// Argon2 1.0), [ErrMalformed] or [ErrCostTooHigh] (costs above the bounds
// listed under [Policy], refused before any hashing). Plain bcrypt ignores
// what follows a password's first 72 bytes, and Django's C bcrypt fails on
// a NUL byte: such passwords never match a bcrypt hash here and are not
// hashed with it ([ErrPasswordUnsupported]); bcrypt_sha256 takes any
// password. Comparisons are constant-time; the primitives are the standard
// library's and golang.org/x/crypto's.
//
// # Timing
//
// A failed login should take the same time whether the username exists,
// whether the user has a usable password, and whatever the stored hash.
// Verify does one hash at the policy's cost when the stored hash cannot
// match, and tops up a cheaper hash of the policy's algorithm after a wrong
// password, as Django does; a store calls [Policy.Waste] when the user does
// not exist.
package passwords
