package sqlstore_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/jwtauth-go/jwtauth"
	"github.com/jwtauth-go/jwtauth/passwords"
	"github.com/jwtauth-go/jwtauth/sqlstore"
)

// contractUser is a user of the behavioural suite. An empty Password
// means no usable password.
type contractUser struct {
	Username, Email string
	IsActive        bool
	Password        string
}

var contractUsers = []contractUser{
	{"alice", "alice@example.com", true, "alice password"},
	{"inactive", "inactive@example.com", false, "inactive password"},
	{"nopassword", "nopassword@example.com", true, ""},
	{"jürgen", "", true, "pässwörd ✓"},
}

// storeMaker returns a store holding users, and their IDs by username.
type storeMaker func(t *testing.T, users []contractUser) (jwtauth.UserStore, map[string]string)

// testStoreContract is the behaviour every UserStore shares, as
// jwtauth.UserStore's documentation states it: the same suite for
// MemoryStore and for sqlstore on each database.
func testStoreContract(t *testing.T, newStore storeMaker) {
	store, ids := newStore(t, contractUsers)
	user := func(name string) jwtauth.User {
		for _, u := range contractUsers {
			if u.Username == name {
				return jwtauth.User{ID: ids[name], Username: u.Username, Email: u.Email, IsActive: u.IsActive}
			}
		}
		t.Fatalf("no contract user %q", name)
		return jwtauth.User{}
	}
	ctx := context.Background()

	t.Run("UserByUsername", func(t *testing.T) {
		for _, tc := range []struct {
			name, username string
			want           string // a username, or "" for ErrUserNotFound
		}{
			{"found", "alice", "alice"},
			{"inactive found", "inactive", "inactive"},
			{"without usable password found", "nopassword", "nopassword"},
			{"non-ASCII", "jürgen", "jürgen"},
			{"missing", "ghost", ""},
			{"exact case", "Alice", ""},
			{"no trimming", " alice", ""},
			{"empty", "", ""},
			{"NUL", "alice\x00", ""},
			{"invalid UTF-8", "j\xfcrgen", ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				u, err := store.UserByUsername(ctx, tc.username)
				if tc.want == "" {
					if !errors.Is(err, jwtauth.ErrUserNotFound) || u != (jwtauth.User{}) {
						t.Errorf("UserByUsername(%q) = %+v, %v; want ErrUserNotFound", tc.username, u, err)
					}
					return
				}
				if want := user(tc.want); err != nil || hashless(u) != want {
					t.Errorf("UserByUsername(%q) = %+v, %v; want %+v", tc.username, u, err, want)
				}
				// The stored hash, for CHECK_REVOKE_TOKEN: Django's
				// encoding, "!..." for an unusable password.
				if h := string(u.PasswordHash); !strings.Contains(h, "$") && !strings.HasPrefix(h, "!") {
					t.Errorf("UserByUsername(%q): PasswordHash is not a stored hash", tc.username)
				}
			})
		}
	})

	t.Run("Authenticate", func(t *testing.T) {
		for _, tc := range []struct {
			name, username, password string
			want                     string // a username, or "" for ErrInvalidCredentials
		}{
			{"right password", "alice", "alice password", "alice"},
			{"non-ASCII", "jürgen", "pässwörd ✓", "jürgen"},
			{"wrong password", "alice", "alice passwort", ""},
			{"password case", "alice", "Alice password", ""},
			{"password not trimmed", "alice", "alice password ", ""},
			{"empty password", "alice", "", ""},
			{"unknown user", "ghost", "alice password", ""},
			{"username case", "ALICE", "alice password", ""},
			{"inactive, right password", "inactive", "inactive password", ""},
			{"inactive, wrong password", "inactive", "wrong", ""},
			{"unusable password, empty", "nopassword", "", ""},
			{"unusable password, !", "nopassword", "!", ""},
			{"NUL in username", "alice\x00", "alice password", ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				u, err := store.Authenticate(ctx, tc.username, tc.password)
				if tc.want == "" {
					if !errors.Is(err, jwtauth.ErrInvalidCredentials) || u != (jwtauth.User{}) {
						t.Errorf("Authenticate(%q) = %+v, %v; want ErrInvalidCredentials", tc.username, u, err)
					}
					if err != nil && tc.password != "" && strings.Contains(err.Error(), tc.password) {
						t.Errorf("the error shows the password: %v", err)
					}
					return
				}
				if want := user(tc.want); err != nil || hashless(u) != want {
					t.Errorf("Authenticate(%q) = %+v, %v; want %+v", tc.username, u, err, want)
				}
			})
		}
	})

	t.Run("cancelled context", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		calls := map[string]func() (jwtauth.User, error){
			"UserByUsername":         func() (jwtauth.User, error) { return store.UserByUsername(cctx, "alice") },
			"UserByUsername unknown": func() (jwtauth.User, error) { return store.UserByUsername(cctx, "ghost") },
			"Authenticate":           func() (jwtauth.User, error) { return store.Authenticate(cctx, "alice", "alice password") },
			"Authenticate unknown":   func() (jwtauth.User, error) { return store.Authenticate(cctx, "ghost", "x") },
		}
		for name, call := range calls {
			u, err := call()
			if !errors.Is(err, context.Canceled) || isCredentialsAnswer(err) || u != (jwtauth.User{}) {
				t.Errorf("%s with a cancelled context = %+v, %v; want context.Canceled, not a credentials answer", name, u, err)
			}
		}
	})
}

// isCredentialsAnswer reports whether err would be answered as the
// client's fault: what a database failure must never be.
func isCredentialsAnswer(err error) bool {
	return errors.Is(err, jwtauth.ErrInvalidCredentials) || errors.Is(err, jwtauth.ErrUserNotFound)
}

func TestContractMemoryStore(t *testing.T) {
	t.Parallel()
	testStoreContract(t, func(t *testing.T, users []contractUser) (jwtauth.UserStore, map[string]string) {
		s := &jwtauth.MemoryStore{Passwords: passwords.Policy{PBKDF2Iterations: 1}}
		ids := map[string]string{}
		for i, u := range users {
			id := strconv.Itoa(i + 1)
			ids[u.Username] = id
			if err := s.AddUser(jwtauth.User{ID: id, Username: u.Username, Email: u.Email, IsActive: u.IsActive}, u.Password); err != nil {
				t.Fatal(err)
			}
		}
		return s, ids
	})
}

func TestContractSQL(t *testing.T) {
	forEachDB(t, func(t *testing.T, d *testDB) {
		testStoreContract(t, func(t *testing.T, users []contractUser) (jwtauth.UserStore, map[string]string) {
			ids := map[string]string{}
			for _, u := range users {
				ids[u.Username] = d.addUser(t, u.Username, u.Email, u.IsActive, hash(t, testPolicy, u.Password))
			}
			return newStore(t, d, sqlstore.Settings{}), ids
		})
	})
}

// hashless is u without its stored hash, to compare with the fixtures.
func hashless(u jwtauth.User) jwtauth.User {
	u.PasswordHash = ""
	return u
}
