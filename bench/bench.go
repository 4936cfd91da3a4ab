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

// CacheSize is the verified-token cache's size in the cached benchmarks.
const CacheSize = 4096

// CacheField names the Settings field that turns the cache on, for the
// reports.
const CacheField = "TokenCacheSize"

// NewAuth returns our jwtauth.Auth with DRF-JWT's default settings and
// Secret, over a MemoryStore holding User, with the verified-token cache on
// when cached is true.
func NewAuth(cached bool) (*jwtauth.Auth, error) {
	s := jwtauth.Settings{Keys: jwtauth.Keys{Secret: jwtauth.Secret(Secret)}}
	if cached {
		s.TokenCacheSize = CacheSize
	}
	store := &jwtauth.MemoryStore{}
	// No password: the user can never log in, and no bcrypt hash is made.
	if err := store.AddUser(User, ""); err != nil {
		return nil, err
	}
	return jwtauth.New(s, store)
}
