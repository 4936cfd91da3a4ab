// Package bench holds what the peer benchmarks (peers_test.go) and the load
// server (cmd/loadserver) share: one DRF-JWT-shaped HS256 token, its secret,
// the user it names, and a jwtauth.Auth that accepts it.
//
// The package is its own Go module so that the peer libraries it measures
// never appear in the root go.mod. See README.md beside it.
package bench

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"reflect"
	"strings"

	"github.com/jwtauth-go/jwtauth"
)

// Secret is the HMAC key every library verifies with: 40 bytes, more than
// HS256's 32.
const Secret = "bench-secret-k3y-0123456789-abcdefghijkl"

// Expiry is the token's exp: 2100-01-01T00:00:00Z, so the token never
// expires during a run and stays byte-identical from run to run.
const Expiry = 4102444800

// Header is the JOSE header DRF-JWT (PyJWT 1.x) writes, byte for byte.
const Header = `{"typ":"JWT","alg":"HS256"}`

// Payload is DRF-JWT's default payload for the user below, in DRF-JWT's
// order.
const Payload = `{"user_id":1,"username":"admin","exp":4102444800,"email":"admin@example.com"}`

// Issuer and Audience are set only for auth0/go-jwt-middleware v2, whose
// validator.New refuses to run without both. PayloadWithAudience is the
// payload DRF-JWT writes when JWT_AUDIENCE and JWT_ISSUER are set.
const (
	Issuer              = "https://bench.example/"
	Audience            = "bench"
	PayloadWithAudience = `{"user_id":1,"username":"admin","exp":4102444800,"email":"admin@example.com","aud":"bench","iss":"https://bench.example/"}`
)

// Username is the username the token names.
const Username = "admin"

// Token is the HS256 token of Header and Payload signed with Secret.
var Token = Sign(Header, Payload)

// TokenWithAudience is the token of Header and PayloadWithAudience.
var TokenWithAudience = Sign(Header, PayloadWithAudience)

// User is the account Token names, as the MemoryStore holds it.
var User = jwtauth.User{ID: "1", Username: Username, Email: "admin@example.com", IsActive: true}

// Sign returns the compact HS256 JWS of header and payload (JSON texts, used
// as they are) under Secret.
func Sign(header, payload string) string {
	enc := base64.RawURLEncoding
	input := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(payload))
	mac := hmac.New(sha256.New, []byte(Secret))
	mac.Write([]byte(input))
	return input + "." + enc.EncodeToString(mac.Sum(nil))
}

// FlipSignature returns token with one bit of the first signature byte
// flipped: the same length, canonical base64url, and a signature that no
// key verifies. It returns token unchanged when it has no decodable
// signature.
func FlipSignature(token string) string {
	i := strings.LastIndexByte(token, '.')
	if i < 0 {
		return token
	}
	sig, err := base64.RawURLEncoding.DecodeString(token[i+1:])
	if err != nil || len(sig) == 0 {
		return token
	}
	sig[0] ^= 0x01
	return token[:i+1] + base64.RawURLEncoding.EncodeToString(sig)
}

// ErrNoCache reports that this version of jwtauth has no verified-token
// cache (issue 6, item 2) that EnableVerifiedTokenCache knows how to turn on.
var ErrNoCache = errors.New("bench: this jwtauth has no verified-token cache setting yet")

// CacheSize is the cache size EnableVerifiedTokenCache asks for when the
// setting is a size.
const CacheSize = 4096

// EnableVerifiedTokenCache turns on jwtauth's verified-token cache in s and
// reports whether it could.
//
// TODO(issue 6, item 2): once the cache setting is settled (since commit
// 56ab0a8 it is Settings.TokenCacheSize), replace the body with the one
// assignment, `s.TokenCacheSize = CacheSize; return true`, and CacheField's
// with its name, so that a renamed setting breaks the build instead of
// silently skipping the cached benchmark. Until then, so that this module
// builds against a jwtauth with or without the cache, it looks for an
// exported Settings field whose name contains "Cache" and sets it: true for
// a bool, CacheSize for an integer. Any other shape (a struct, a pointer, a
// func) is not guessed at.
func EnableVerifiedTokenCache(s *jwtauth.Settings) bool {
	i := cacheFieldIndex()
	if i < 0 {
		return false
	}
	f := reflect.ValueOf(s).Elem().Field(i)
	switch f.Kind() {
	case reflect.Bool:
		f.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		f.SetInt(CacheSize)
	default: // an unsigned integer, as cacheFieldIndex checked
		f.SetUint(CacheSize)
	}
	return true
}

// CacheField names the Settings field EnableVerifiedTokenCache sets, or ""
// when there is none, so that the reports can say which setting was
// measured.
func CacheField() string {
	i := cacheFieldIndex()
	if i < 0 {
		return ""
	}
	return reflect.TypeFor[jwtauth.Settings]().Field(i).Name
}

// cacheFieldIndex returns the index of the first exported Settings field
// whose name contains "Cache" and whose type is a bool or an integer, or -1.
func cacheFieldIndex() int {
	t := reflect.TypeFor[jwtauth.Settings]()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() || !strings.Contains(f.Name, "Cache") {
			continue
		}
		switch f.Type.Kind() {
		case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			return i
		}
	}
	return -1
}

// NewAuth returns our jwtauth.Auth with DRF-JWT's default settings and
// Secret, over a MemoryStore holding User, with the verified-token cache on
// when cached is true. It returns ErrNoCache when cached is true and the
// cache cannot be turned on.
func NewAuth(cached bool) (*jwtauth.Auth, error) {
	s := jwtauth.Settings{SecretKey: jwtauth.Secret(Secret)}
	if cached && !EnableVerifiedTokenCache(&s) {
		return nil, ErrNoCache
	}
	store := &jwtauth.MemoryStore{}
	// No password: the user can never log in, and no bcrypt hash is made.
	if err := store.AddUser(User, ""); err != nil {
		return nil, err
	}
	return jwtauth.New(s, store)
}
