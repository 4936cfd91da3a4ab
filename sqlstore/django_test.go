package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jwtauth-go/jwtauth"
	"github.com/jwtauth-go/jwtauth/internal/djangotest"
	"github.com/jwtauth-go/jwtauth/passwords"
	"github.com/jwtauth-go/jwtauth/sqlstore"
)

// djangoPolicy is Django 3.2's: pbkdf2_sha256 at 260,000 iterations, so
// that a hash the store writes is one Django would write, and a failed
// login costs what Django's does.
var djangoPolicy = passwords.Policy{Algorithm: "pbkdf2_sha256", PBKDF2Iterations: 260000}

// openDjango opens the SQLite database Django made (djangotest), with
// settings s.
func openDjango(t *testing.T, s sqlstore.Settings) (*djangotest.Database, *sqlstore.Store) {
	t.Helper()
	dj := djangotest.New(t)
	return dj, newStore(t, djangoDB(t, dj), s)
}

// djangoDB opens dj's SQLite file.
func djangoDB(t testing.TB, dj *djangotest.Database) *testDB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+dj.Path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return &testDB{"sqlite", db}
}

// djangoUser is what the store must return for u.
func djangoUser(u djangotest.User) jwtauth.User {
	return jwtauth.User{ID: u.ID.String(), Username: u.Username, Email: u.Email, IsActive: u.IsActive}
}

// TestDjangoDatabase logs in the users of a database made by Django, one
// per password hasher, through the store and its TokenAuthentication. With
// UpgradeHashes and UpdateLastLogin, the store re-hashes the passwords of
// the other hashers as Django 3.2 would, and writes last_login; Django
// then still logs those users in, and reads last_login. One store does
// both, so that each of Django's hashes is verified twice only, a wrong
// password first (it meets Django's hash, not the re-hash) and then the
// right one: at Django's costs, under the race detector, bcrypt's take
// seconds each.
func TestDjangoDatabase(t *testing.T) {
	t.Parallel()
	dj, store := openDjango(t, sqlstore.Settings{
		Passwords: djangoPolicy, UpgradeHashes: true, UpdateLastLogin: true,
		Now: func() time.Time { return testNow },
	})
	if len(dj.MissingHashers) > 0 {
		t.Logf("Django %s has no %v hasher: those formats are checked by the passwords package's committed vectors only", dj.Django, dj.MissingHashers)
	}
	token, err := store.TokenAuthentication(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	logins := map[string]string{} // the users the store logged in, and their passwords
	t.Run("users", func(t *testing.T) {
		for _, u := range dj.Users {
			t.Run(u.Username, func(t *testing.T) {
				t.Parallel()
				ctx := context.Background()
				if got, err := store.UserByUsername(ctx, u.Username); err != nil || hashless(got) != djangoUser(u) {
					t.Errorf("UserByUsername = %+v, %v; want %+v", got, err, djangoUser(u))
				}
				if got, err := store.UserByID(ctx, u.ID.String()); err != nil || hashless(got) != djangoUser(u) {
					t.Errorf("UserByID(%s) = %+v, %v; want %+v", u.ID, got, err, djangoUser(u))
				}
				if got, err := store.Authenticate(ctx, u.Username, "wrong password"); !errors.Is(err, jwtauth.ErrInvalidCredentials) {
					t.Errorf("%s: wrong password: %+v, %v; want ErrInvalidCredentials", u.Algorithm, got, err)
				}
				if u.Password != nil {
					got, err := store.Authenticate(ctx, u.Username, *u.Password)
					switch {
					case u.IsActive && (err != nil || hashless(got) != djangoUser(u)):
						t.Errorf("%s: right password: %+v, %v; want %+v", u.Algorithm, got, err, djangoUser(u))
					case !u.IsActive && !errors.Is(err, jwtauth.ErrInvalidCredentials):
						t.Errorf("inactive, right password: %+v, %v; want ErrInvalidCredentials", got, err)
					case u.IsActive:
						mu.Lock()
						logins[u.Username] = *u.Password
						mu.Unlock()
					}
				}
				if u.Token == "" {
					return
				}
				got, err := token.Authenticate(tokenRequest("Token " + u.Token))
				var e *jwtauth.Error
				switch {
				case u.IsActive && (err != nil || hashless(got) != djangoUser(u)):
					t.Errorf("token: %+v, %v; want %+v", got, err, djangoUser(u))
				case !u.IsActive && (!errors.As(err, &e) || e.Detail != "User inactive or deleted."):
					t.Errorf("token of an inactive user: %+v, %v", got, err)
				}
			})
		}
		t.Run("unknown user", func(t *testing.T) {
			t.Parallel()
			if got, err := store.Authenticate(context.Background(), "ghost", "pbkdf2-sha256 password"); !errors.Is(err, jwtauth.ErrInvalidCredentials) {
				t.Errorf("%+v, %v; want ErrInvalidCredentials", got, err)
			}
		})
	})

	// Django, after the store's logins.
	if len(logins) == 0 {
		t.Fatal("the store logged no one in: Django has nothing to check")
	}
	answers := dj.Check(t, logins)
	for username := range logins {
		a := answers[username]
		if !a.Authenticated || a.Algorithm != "pbkdf2_sha256" || a.LastLogin != "2026-11-23T06:07:08.123456+00:00" {
			t.Errorf("Django on %s after the store's login: %+v; want authenticated, pbkdf2_sha256, last_login %v", username, a, testNow)
		}
	}
}

// TestDjangoDatabaseVersion logs in users of the Django-made database with
// UpgradeHashes and DjangoVersion the release that made it (Debian's
// Django 3.2): the hashes that Django finds current, its own pbkdf2_sha256
// at its defaults, are left byte for byte as they are; the weaker ones,
// Django's pbkdf2_sha256 at 100,000 iterations and a hash of another hasher
// than its first (pbkdf2_sha1), are upgraded to what that release writes,
// which Django then accepts and finds current. So neither service
// re-hashes what the other wrote.
func TestDjangoDatabaseVersion(t *testing.T) {
	t.Parallel()
	dj := djangotest.New(t)
	d := djangoDB(t, dj)
	release, err := passwords.Django(dj.Django)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Django %s: pbkdf2_sha256 at %d iterations", dj.Django, release.PBKDF2Iterations)
	store := newStore(t, d, sqlstore.Settings{UpgradeHashes: true, DjangoVersion: dj.Django})
	current := []string{"pbkdf2_sha256"}
	weak := []string{djangotest.Weak, "pbkdf2_sha1"}
	isWeak := map[string]bool{djangotest.Weak: true, "pbkdf2_sha1": true}

	// Django's own verdict first, with wrong passwords so that it re-hashes
	// nothing.
	wrong := map[string]string{}
	for _, name := range append(current, weak...) {
		wrong[name] = "wrong password"
	}
	for name, a := range dj.Check(t, wrong) {
		if a.MustUpdate != isWeak[name] || a.Authenticated {
			t.Fatalf("Django on %s before: %+v; want must_update %v", name, a, isWeak[name])
		}
	}

	// login logs name in through the store, and returns the stored hash
	// before and after.
	right := map[string]string{}
	login := func(name string) (before, after string) {
		query := `SELECT password FROM auth_user WHERE username = ?`
		before = d.queryString(t, query, name)
		right[name] = *dj.User(t, name).Password
		if _, err := store.Authenticate(context.Background(), name, right[name]); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return before, d.queryString(t, query, name)
	}
	for _, name := range current {
		if before, after := login(name); after != before {
			t.Errorf("%s: Django's current hash was re-hashed: %.30s... -> %.30s...", name, before, after)
		}
	}
	prefix := fmt.Sprintf("pbkdf2_sha256$%d$", release.PBKDF2Iterations)
	for _, name := range weak {
		if before, after := login(name); after == before || !strings.HasPrefix(after, prefix) {
			t.Errorf("%s: %.30s... -> %.30s...; want a new %s hash", name, before, after, prefix)
		}
	}
	for name, a := range dj.Check(t, right) {
		if !a.Authenticated || a.MustUpdate || a.Algorithm != "pbkdf2_sha256" {
			t.Errorf("Django on %s after the store's login: %+v; want authenticated, pbkdf2_sha256, must_update false", name, a)
		}
	}
}
