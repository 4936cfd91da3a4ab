package jwtauth

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"sync"

	"golang.org/x/crypto/bcrypt"
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

// MemoryStore is a UserStore held in memory, with bcrypt password hashes.
// It behaves like Django's default ModelBackend: usernames match exactly and
// inactive users cannot log in. The zero value is an empty store ready to
// use; it is safe for concurrent use.
type MemoryStore struct {
	// BcryptCost is the bcrypt cost for passwords added from now on; zero
	// means bcrypt.DefaultCost.
	BcryptCost int

	mu    sync.RWMutex
	users map[string]memoryUser
	dummy map[int][]byte // per cost: a hash to compare against for unknown users
}

type memoryUser struct {
	user User
	hash []byte // nil: no usable password
}

// AddUser adds u with password, replacing any user of the same username.
// An empty password gives the user no usable password: it can never log in.
// Passwords longer than 72 bytes are refused, because bcrypt would ignore
// the rest.
func (s *MemoryStore) AddUser(u User, password string) error {
	if u.Username == "" {
		return errors.New("jwtauth: MemoryStore.AddUser: empty username")
	}
	var hash []byte
	if password != "" {
		var err error
		hash, err = bcrypt.GenerateFromPassword([]byte(password), s.cost())
		if err != nil {
			return fmt.Errorf("jwtauth: MemoryStore.AddUser %q: %w", u.Username, err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.users == nil {
		s.users = make(map[string]memoryUser)
	}
	s.users[u.Username] = memoryUser{user: u, hash: hash}
	return nil
}

// DeleteUser removes the user with this username, if any.
func (s *MemoryStore) DeleteUser(username string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.users, username)
}

// UserByUsername implements UserStore.
func (s *MemoryStore) UserByUsername(ctx context.Context, username string) (User, error) {
	if err := ctx.Err(); err != nil {
		return User{}, err
	}
	s.mu.RLock()
	mu, ok := s.users[username]
	s.mu.RUnlock()
	if !ok {
		return User{}, ErrUserNotFound
	}
	return mu.user, nil
}

// Authenticate implements UserStore. Unknown users, users without a usable
// password and over-long passwords cost one bcrypt comparison, like a wrong
// password.
func (s *MemoryStore) Authenticate(ctx context.Context, username, password string) (User, error) {
	if err := ctx.Err(); err != nil {
		return User{}, err
	}
	s.mu.RLock()
	mu, ok := s.users[username]
	s.mu.RUnlock()
	hash := mu.hash
	if !ok || hash == nil || len(password) > 72 {
		ok = false
		hash = s.dummyHash()
	}
	match := bcrypt.CompareHashAndPassword(hash, []byte(password)) == nil
	if !ok || !match || !mu.user.IsActive {
		return User{}, ErrInvalidCredentials
	}
	return mu.user, nil
}

func (s *MemoryStore) cost() int {
	if s.BcryptCost == 0 {
		return bcrypt.DefaultCost
	}
	return s.BcryptCost
}

// dummyHash returns a hash of a random password at the store's cost, made
// once per cost, so that a failed lookup costs what a wrong password costs.
func (s *MemoryStore) dummyHash() []byte {
	cost := s.cost()
	s.mu.RLock()
	h := s.dummy[cost]
	s.mu.RUnlock()
	if h != nil {
		return h
	}
	pw := make([]byte, 16)
	_, _ = rand.Read(pw)
	h, err := bcrypt.GenerateFromPassword(pw, cost)
	if err != nil {
		// Only an invalid cost gets here; AddUser reports it to the caller.
		h, _ = bcrypt.GenerateFromPassword(pw, bcrypt.DefaultCost)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dummy == nil {
		s.dummy = make(map[int][]byte)
	}
	if old := s.dummy[cost]; old != nil {
		return old
	}
	s.dummy[cost] = h
	return h
}
