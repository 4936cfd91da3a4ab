package session

import (
	"bytes"
	"compress/zlib"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"hash"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jwtauth-go/jwtauth"
	"github.com/jwtauth-go/jwtauth/passwords"
)

// The test signer: Django's signing.dumps and the pre-3.1 encoding,
// written from the spec (docs: django-sessions.md), not from the code
// under test, so that each checks the other.

const (
	testKey     jwtauth.Secret = "test-secret-key-of-a-django-project-0123456789abcdef"
	testOldKey  jwtauth.Secret = "the-key-before-the-last-rotation-0123456789abcdefghij"
	testWrong   jwtauth.Secret = "a-key-this-project-never-had-0123456789abcdefghijklmn"
	testSignedT int64          = 1700000000
)

// testNow is when the tests read sessions: a minute after they were signed.
var testNow = time.Unix(testSignedT+60, 0)

type compression int

const (
	compressAuto   compression = iota // as Django: only when shorter
	compressNever                     // compress=False
	compressAlways                    // even when longer (Django never does)
)

// testSigner signs as TimestampSigner(key, salt).sign_object does.
type testSigner struct {
	key      jwtauth.Secret
	salt     string
	sha1     bool // Django 3.2's legacy algorithm
	ts       int64
	compress compression
}

func (s testSigner) saltedKey(newHash func() hash.Hash) []byte {
	h := newHash()
	h.Write([]byte(s.salt + "signer" + string(s.key)))
	return h.Sum(nil)
}

func (s testSigner) sign(payload []byte) string {
	b64 := base64.RawURLEncoding.EncodeToString(payload)
	if s.compress != compressNever {
		var z bytes.Buffer
		w := zlib.NewWriter(&z)
		w.Write(payload)
		w.Close()
		if s.compress == compressAlways || z.Len() < len(payload)-1 {
			b64 = "." + base64.RawURLEncoding.EncodeToString(z.Bytes())
		}
	}
	ts := s.ts
	if ts == 0 {
		ts = testSignedT
	}
	value := b64 + ":" + b62Encode(ts)
	return value + ":" + s.signature(value)
}

func (s testSigner) signature(value string) string {
	newHash := sha256.New
	if s.sha1 {
		newHash = sha1.New
	}
	m := hmac.New(newHash, s.saltedKey(newHash))
	m.Write([]byte(value))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (s testSigner) signJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return s.sign(b)
}

func b62Encode(n int64) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b []byte
	for n > 0 {
		b = append([]byte{base62[n%62]}, b...)
		n /= 62
	}
	if neg {
		return "-" + string(b)
	}
	return string(b)
}

// legacyEncode is SessionBase._legacy_encode, the pre-3.1 format.
func legacyEncode(key jwtauth.Secret, serialized []byte) string {
	k := sha1.Sum([]byte("django.contrib.sessionsSessionStore" + string(key)))
	m := hmac.New(sha1.New, k[:])
	m.Write(serialized)
	return base64.StdEncoding.EncodeToString(append([]byte(hex.EncodeToString(m.Sum(nil))+":"), serialized...))
}

// authHash is get_session_auth_hash (sha256) or 3.2's legacy one (sha1).
func authHash(key jwtauth.Secret, password jwtauth.Secret, legacy bool) string {
	newHash := sha256.New
	if legacy {
		newHash = sha1.New
	}
	h := newHash()
	h.Write([]byte("django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash" + string(key)))
	m := hmac.New(newHash, h.Sum(nil))
	m.Write([]byte(password))
	return hex.EncodeToString(m.Sum(nil))
}

// loginSession is the dict contrib.auth.login writes.
func loginSession(u jwtauth.User, backend string, key jwtauth.Secret) map[string]any {
	return map[string]any{
		"_auth_user_id":      u.ID,
		"_auth_user_backend": backend,
		"_auth_user_hash":    authHash(key, u.PasswordHash, false),
	}
}

// memStore is an in-memory django_session table.
type memStore struct {
	mu   sync.Mutex
	rows map[string]memRow
	err  error // every lookup fails with it, when set
}

type memRow struct {
	data    string
	expires time.Time
}

func (s *memStore) put(key, data string, expires time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rows == nil {
		s.rows = map[string]memRow{}
	}
	s.rows[key] = memRow{data, expires}
}

func (s *memStore) Session(ctx context.Context, key string, now time.Time) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return "", s.err
	}
	row, ok := s.rows[key]
	if !ok || !row.expires.After(now) {
		return "", ErrNotFound
	}
	return row.data, nil
}

// failingUsers is a UserStore whose database is down.
type failingUsers struct{ jwtauth.UserStore }

var errDatabaseDown = errors.New("database down")

func (failingUsers) UserByID(context.Context, string) (jwtauth.User, error) {
	return jwtauth.User{}, errDatabaseDown
}

// fixedUsers holds users with the password columns the Django vectors
// were computed from, which MemoryStore (it hashes passwords itself)
// cannot be given.
type fixedUsers struct {
	jwtauth.UserStore
	users map[string]jwtauth.User
}

func (f fixedUsers) UserByID(_ context.Context, id string) (jwtauth.User, error) {
	if u, ok := f.users[id]; ok {
		return u, nil
	}
	return jwtauth.User{}, jwtauth.ErrUserNotFound
}

// testUsers is a MemoryStore with alice (1, active), bob (2, inactive)
// and carol (a UUID key, active), hashed cheaply.
func testUsers(t testing.TB) (*jwtauth.MemoryStore, map[string]jwtauth.User) {
	t.Helper()
	store := &jwtauth.MemoryStore{Passwords: passwords.Policy{PBKDF2Iterations: 1}}
	users := map[string]jwtauth.User{}
	for _, u := range []jwtauth.User{
		{ID: "1", Username: "alice", IsActive: true},
		{ID: "2", Username: "bob", IsActive: false},
		{ID: "8b5d4c1e-2f3a-4b6c-9d7e-0f1a2b3c4d5e", Username: "carol", IsActive: true},
	} {
		if err := store.AddUser(u, "password of "+u.Username); err != nil {
			t.Fatal(err)
		}
		got, err := store.UserByID(context.Background(), u.ID)
		if err != nil {
			t.Fatal(err)
		}
		users[u.Username] = got
	}
	return store, users
}

// newTest builds an authenticator over s, failing the test on error.
func newTest(t testing.TB, s Settings) *authenticator {
	t.Helper()
	if s.Now == nil {
		s.Now = func() time.Time { return testNow }
	}
	a, err := New(s)
	if err != nil {
		t.Fatal(err)
	}
	return a.(*authenticator)
}

// request is a request with the cookies and headers given as name, value
// pairs ("Cookie" adds to the Cookie header).
func request(method, target string, body string, headers ...string) *http.Request {
	var r *http.Request
	if body == "" {
		r = httptest.NewRequest(method, target, nil)
	} else {
		r = httptest.NewRequest(method, target, bytes.NewBufferString(body))
	}
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Add(headers[i], headers[i+1])
	}
	return r
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }

// maskToken is _mask_cipher_secret with a chosen mask.
func maskToken(secret, mask string) string {
	const chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	cipher := make([]byte, len(secret))
	for i := range cipher {
		cipher[i] = chars[(strings.IndexByte(chars, secret[i])+strings.IndexByte(chars, mask[i]))%len(chars)]
	}
	return mask + string(cipher)
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
