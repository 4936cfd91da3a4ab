package jwtauth

import (
	"context"
	"crypto/hmac"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/jwtauth-go/jwtauth/internal/drf"
	"github.com/jwtauth-go/jwtauth/passwords"
)

// User is an account as DRF-JWT sees it: the four columns of Django's
// auth_user that authentication reads.
type User struct {
	// ID is the primary key in its text form ("1", or a UUID). It is
	// written to the user_id claim as a JSON number when it is a decimal
	// integer and as a string otherwise, as DRF-JWT writes integer and UUID
	// keys.
	ID string
	// Username is the value of Django's USERNAME_FIELD: the username, or the
	// email address for an email-based user model.
	Username string
	// Email goes to the email claim; empty is written as "".
	Email string
	// IsActive is Django's is_active. Inactive users never authenticate.
	IsActive bool
	// PasswordHash is the stored password hash, in Django's encoding, to
	// which simplejwt's CHECK_REVOKE_TOKEN ties tokens
	// (SimpleJWT.CheckRevokeToken): a password change revokes them. Stores
	// fill it in; it never prints.
	PasswordHash Secret `json:"-"`
}

// UserStore finds users and checks their passwords. Implementations must be
// safe for concurrent use and honour ctx cancellation. Any error other than
// the documented sentinels means the store failed (a database is down, say):
// the request is answered 503, never with a credentials message.
type UserStore interface {
	// UserByUsername returns the user whose username is exactly username,
	// active or not. When there is none it returns an error wrapping
	// ErrUserNotFound.
	UserByUsername(ctx context.Context, username string) (User, error)

	// UserByID returns the user whose primary key, in its text form, is
	// id (a decimal integer, or a UUID as Django prints it), active or
	// not: simplejwt finds users by id. An id that cannot be a key, and a
	// key that names nobody, are errors wrapping ErrUserNotFound.
	UserByID(ctx context.Context, id string) (User, error)

	// Authenticate checks a password as Django's authenticate() does. It
	// returns the user when the password is right, and an error wrapping
	// ErrInvalidCredentials when the user is unknown or the password wrong,
	// doing the same hashing work in both cases so that response times do
	// not reveal which usernames exist. A store following Django's default
	// ModelBackend also answers ErrInvalidCredentials for an inactive user;
	// one that returns the inactive user instead lets the obtain endpoint
	// answer "User account is disabled." (AllowAllUsersModelBackend).
	Authenticate(ctx context.Context, username, password string) (User, error)
}

// MemoryStore is a UserStore held in memory, with passwords hashed in
// Django's formats (package passwords). It behaves like Django's default
// ModelBackend: usernames match exactly, inactive users cannot log in, and
// an unknown username costs the same hashing work as a wrong password. The
// zero value is an empty store ready to use; it is safe for concurrent use,
// and lookups take no lock.
type MemoryStore struct {
	// Passwords is the policy AddUser hashes with; the zero value is
	// passwords.DefaultPolicy(), Django's own default (pbkdf2_sha256 at its
	// current iteration count). Tests can afford a cheaper one.
	Passwords passwords.Policy

	mu    sync.Mutex                  // held by writers
	users atomic.Pointer[memoryUsers] // replaced whole on write
}

// memoryUsers are the users of a MemoryStore, by username and by ID.
type memoryUsers struct {
	byName map[string]memoryUser
	byID   map[string]memoryUser // the same users, by ID: one lookup either way
}

type memoryUser struct {
	user User
	hash string // Django-encoded; "!": no usable password
}

// AddUser adds u with password, replacing any user of the same username or
// the same ID. An empty password gives the user no usable password: it can
// never log in.
func (s *MemoryStore) AddUser(u User, password string) error {
	if u.Username == "" {
		return errors.New("jwtauth: MemoryStore.AddUser: empty username")
	}
	hash := "!"
	if password != "" {
		var err error
		if hash, err = s.Passwords.Hash(password); err != nil {
			return fmt.Errorf("jwtauth: MemoryStore.AddUser %q: %w", u.Username, err)
		}
	}
	s.update(func(m *memoryUsers) {
		m.delete(u.Username)
		if old, ok := m.byID[u.ID]; ok && u.ID != "" {
			m.delete(old.user.Username)
		}
		u.PasswordHash = Secret(hash)
		m.byName[u.Username] = memoryUser{u, hash}
		if u.ID != "" {
			m.byID[u.ID] = memoryUser{u, hash}
		}
	})
	return nil
}

// DeleteUser removes the user with this username, if any.
func (s *MemoryStore) DeleteUser(username string) {
	s.update(func(m *memoryUsers) { m.delete(username) })
}

func (m *memoryUsers) delete(username string) {
	if old, ok := m.byName[username]; ok {
		delete(m.byID, old.user.ID)
		delete(m.byName, username)
	}
}

// update applies change to a copy of the users and publishes it: adding
// users is rare, looking them up happens on every request.
func (s *MemoryStore) update(change func(*memoryUsers)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := &memoryUsers{byName: map[string]memoryUser{}, byID: map[string]memoryUser{}}
	if old := s.users.Load(); old != nil {
		maps.Copy(m.byName, old.byName)
		maps.Copy(m.byID, old.byID)
	}
	change(m)
	s.users.Store(m)
}

func (s *MemoryStore) find(username string) (memoryUser, bool) {
	m := s.users.Load()
	if m == nil {
		return memoryUser{}, false
	}
	mu, ok := m.byName[username]
	return mu, ok
}

// UserByID implements UserStore.
func (s *MemoryStore) UserByID(ctx context.Context, id string) (User, error) {
	if err := ctx.Err(); err != nil {
		return User{}, err
	}
	if m := s.users.Load(); m != nil {
		if mu, ok := m.byID[id]; ok {
			return mu.user, nil
		}
	}
	return User{}, ErrUserNotFound
}

// UserByUsername implements UserStore.
func (s *MemoryStore) UserByUsername(ctx context.Context, username string) (User, error) {
	if err := ctx.Err(); err != nil {
		return User{}, err
	}
	mu, ok := s.find(username)
	if !ok {
		return User{}, ErrUserNotFound
	}
	return mu.user, nil
}

// Authenticate implements UserStore. Unknown users and users without a
// usable password cost one hashing, like a wrong password.
func (s *MemoryStore) Authenticate(ctx context.Context, username, password string) (User, error) {
	if err := ctx.Err(); err != nil {
		return User{}, err
	}
	mu, found := s.find(username)
	if !found {
		s.Passwords.Waste(password)
		return User{}, ErrInvalidCredentials
	}
	// Verify does at least the policy's hash for every failure; a right
	// password of an inactive user is a failure too, and must not be
	// cheaper than a wrong one when the stored hash is.
	ok, upgrade, _ := s.Passwords.Verify(password, mu.hash)
	if !ok || !mu.user.IsActive {
		if ok && upgrade {
			s.Passwords.Waste(password)
		}
		return User{}, ErrInvalidCredentials
	}
	return mu.user, nil
}

// user loads and admits the user that verified claims c name: the step
// after verification, on every request, cached or not, so that a deleted
// or disabled account loses access at once. u is the user verification
// already loaded, if any (per-user secrets). With per-user secrets, the
// user's secret must still be the one the token verified with: a password
// change, say, cuts its tokens off.
func (a *Auth) user(ctx context.Context, c *Claims, secret []byte, loaded *User) (u User, err error) {
	if a.s.SimpleJWT != nil {
		return a.userByID(ctx, c)
	}
	if loaded != nil {
		u = *loaded
	} else {
		name, err := a.usernameOf(ctx, c)
		if err != nil {
			return User{}, err
		}
		// The store directly, not lookup: this runs on every request.
		if u, err = a.store.UserByUsername(ctx, name); err != nil {
			return User{}, lookupError(err)
		}
		if secret != nil {
			now, err := a.userSecret(ctx, u)
			if err != nil {
				return User{}, err
			}
			if !hmac.Equal(now, secret) {
				return User{}, fmt.Errorf("%w: the user's secret has changed", errSignature)
			}
		}
	}
	if err := admit(&u, c); err != nil {
		return User{}, err
	}
	return u, nil
}

// admit checks that u, found for a valid token, may authenticate now.
func admit(u *User, c *Claims) error {
	// A token names one account: a user re-created under the same
	// username does not inherit the old account's tokens.
	if c.UserID != "" && u.ID != "" && c.UserID != u.ID {
		return fmt.Errorf("%w: user_id does not match", ErrUserNotFound)
	}
	if !u.IsActive {
		return ErrUserInactive
	}
	return nil
}

// userByID is user for simplejwt: the user whose id the claims hold,
// active.
func (a *Auth) userByID(ctx context.Context, c *Claims) (User, error) {
	id := a.userIDOf(c)
	if id == "" {
		return User{}, errNoUserID
	}
	u, err := a.store.UserByID(ctx, id)
	switch {
	case err != nil:
		return User{}, lookupError(err)
	case !u.IsActive:
		return User{}, ErrUserInactive
	}
	return u, a.samePassword(c, u)
}

// revokeClaim is simplejwt's REVOKE_TOKEN_CLAIM.
const revokeClaim = "hash_password"

// passwordDigest is the value of revokeClaim for u: the MD5 of the stored
// hash in upper-case hex, as simplejwt writes it. MD5 is simplejwt's
// choice; it only has to change when the hash does.
func passwordDigest(u User) string {
	sum := md5.Sum([]byte(u.PasswordHash))
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

// samePassword refuses, with SimpleJWT.CheckRevokeToken, a token issued
// under another password than u's present one.
func (a *Auth) samePassword(c *Claims, u User) error {
	if !a.s.SimpleJWT.CheckRevokeToken {
		return nil
	}
	if v, _ := c.Extra[revokeClaim].(string); v == "" || !hmac.Equal([]byte(v), []byte(passwordDigest(u))) {
		return errPasswordChanged
	}
	return nil
}

// userIDOf returns the user id claims c hold (SimpleJWT.UserIDClaim), a
// string or an integer; "" when there is none.
func (a *Auth) userIDOf(c *Claims) string {
	name := a.s.SimpleJWT.UserIDClaim
	if name == defaultUserIDClaim {
		return c.UserID
	}
	switch v := c.Extra[name].(type) {
	case string:
		return v
	case json.Number:
		if drf.IsDecimalInteger(string(v)) {
			return string(v)
		}
	}
	return ""
}

// usernameOf returns the username claims c name, by
// Settings.UsernameFromPayload if set; an empty one is an invalid payload.
func (a *Auth) usernameOf(ctx context.Context, c *Claims) (string, error) {
	if a.s.UsernameFromPayload == nil {
		return c.Username, nil // the engine requires it
	}
	name, err := a.s.UsernameFromPayload(ctx, *c)
	switch {
	case err != nil:
		return "", &storeError{fmt.Errorf("UsernameFromPayload: %w", err)}
	case name == "":
		return "", fmt.Errorf("%w: no username", errPayload)
	}
	return name, nil
}

// lookup loads a user, telling "no such user" (ErrUserNotFound) from a
// store failure (*storeError). The username is never empty: the engine or
// usernameOf refused such claims.
func (a *Auth) lookup(ctx context.Context, username string) (User, error) {
	u, err := a.store.UserByUsername(ctx, username)
	if err != nil {
		return User{}, lookupError(err)
	}
	return u, nil
}

// lookupError is a lookup's failure: ErrUserNotFound, or a *storeError.
func lookupError(err error) error {
	if errors.Is(err, ErrUserNotFound) {
		return ErrUserNotFound
	}
	return &storeError{err}
}
