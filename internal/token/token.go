// Package token is the token engine of jwtauth: parsing with a strict JSON
// scanner, signature checks over a key set that rotates, signing, and the
// verified-token cache. It takes a token and a time and returns claims or
// one of its errors; it knows nothing of users, HTTP or logs, which are
// the root package's. golang-jwt provides the signature primitives.
//
// It is internal because everything a user needs of it is reached through
// jwtauth.Auth, and jwtauth.Claims is its Claims: kept out of sight, the
// engine can change shape for a new dialect without breaking anyone.
package token

import (
	"errors"
	"fmt"
	"sync/atomic"
	"time"
)

// The engine's errors. Every refusal wraps ErrInvalid or ErrExpired; the
// finer ones wrap ErrInvalid, so that a caller who asks only "is this
// token good" needs one test, and the root package can still answer each
// with DRF's message for it.
var (
	// ErrInvalid is any reason to refuse a token but its expiry.
	ErrInvalid = errors.New("jwtauth: invalid token")
	// ErrExpired is a token whose exp has passed (leeway included).
	ErrExpired = errors.New("jwtauth: token has expired")
	// ErrMalformed is a token that is not a compact JWS with JSON header
	// and claims, or whose time claims are not JSON numbers.
	ErrMalformed = fmt.Errorf("%w: malformed", ErrInvalid)
	// ErrSignature is a signature that no allowed key verifies.
	ErrSignature = fmt.Errorf("%w: bad signature", ErrInvalid)
	// ErrPayload is a valid token whose claims do not name a user as the
	// dialect requires (DRF's "Invalid payload.").
	ErrPayload = fmt.Errorf("%w: invalid payload", ErrInvalid)
	// ErrNoExp is a token without exp, which every dialect requires
	// (simplejwt says "Token has no 'exp' claim").
	ErrNoExp = fmt.Errorf("%w: exp is missing", ErrInvalid)
)

// MaxLen bounds the work done on unauthenticated input. DRF-JWT tokens
// are a few hundred bytes; 8 KiB leaves room for custom claims.
const MaxLen = 8 << 10

// Spec is what an engine checks besides the signature: one dialect's
// claims and one service's settings.
type Spec struct {
	// Algorithm is the only algorithm accepted, and the one that signs.
	Algorithm string
	// Leeway is the clock skew allowed on exp and nbf.
	Leeway time.Duration
	// Audience, when set, must be in aud; when empty, aud is refused.
	Audience string
	// Issuer, when set, must be iss.
	Issuer string
	// Identity is the claim that must hold a non-empty string naming the
	// user ("username" for DRF-JWT); empty when the caller finds the user
	// its own way.
	Identity string
	// TokenType, when a token carries a token_type claim, is the value it
	// must have: a credential is an access token, never a refresh token.
	TokenType string
	// UserKeys means each user's tokens have an HMAC key of their own,
	// which the caller finds from the claims (see Verify).
	UserKeys bool
	// SimpleJWT writes tokens as djangorestframework-simplejwt does: its
	// header and its claim order; and refuses an iat in the future, as
	// PyJWT 2 does under simplejwt. What a token must carry for simplejwt
	// (token_type, jti) depends on where it is used, which the caller
	// checks.
	SimpleJWT bool
}

// Engine signs and verifies the tokens of one Spec. It is safe for
// concurrent use; Rotate replaces its keys atomically.
type Engine struct {
	spec  Spec
	keys  atomic.Pointer[keySet]
	cache *cache // nil: off
}

// New checks spec and keys, and returns an engine remembering up to
// cacheSize verified tokens (0: none).
func New(spec Spec, keys Keys, cacheSize int) (*Engine, error) {
	if err := checkKeys(spec, keys); err != nil {
		return nil, err
	}
	e := &Engine{spec: spec}
	e.keys.Store(newKeySet(spec, keys))
	if cacheSize > 0 {
		e.cache = newCache(cacheSize, spec.Leeway)
	}
	return e, nil
}

// Rotate replaces the keys, checked as New checks them. Verifications
// under way finish with the keys they started with; cached tokens are
// verified anew.
func (e *Engine) Rotate(keys Keys) error {
	if err := checkKeys(e.spec, keys); err != nil {
		return err
	}
	e.keys.Store(newKeySet(e.spec, keys))
	return nil
}

// CanSign reports whether the engine has a key to sign with.
func (e *Engine) CanSign() bool { return e.keys.Load().signKey != nil || e.spec.UserKeys }

// Sign writes c under the current key's header and signs it, with
// userKey when the spec has user keys.
func (e *Engine) Sign(c *Claims, userKey []byte) (string, error) {
	marshal := c.marshal
	if e.spec.SimpleJWT {
		marshal = c.marshalSimpleJWT
	}
	body, err := marshal()
	if err != nil {
		return "", err
	}
	ks := e.keys.Load()
	key := ks.signKey
	if e.spec.UserKeys {
		// Checked here: a nil []byte stored in key would not be nil, and
		// would sign with an empty HMAC key.
		if len(userKey) == 0 {
			return "", errors.New("jwtauth: no user key to sign with")
		}
		key = userKey
	}
	if key == nil {
		return "", errors.New("jwtauth: no private key: this Auth only verifies tokens")
	}
	signing := ks.header + "." + b64.EncodeToString(body)
	sig, err := ks.method.Sign(signing, key)
	if err != nil {
		return "", fmt.Errorf("jwtauth: signing: %w", err)
	}
	return signing + "." + b64.EncodeToString(sig), nil
}

// Verify checks tok at now: its shape, header, signature and claims. On
// a cache hit it returns the cache's claims (shared: never modify them);
// otherwise nil, with the claims written to dst, which never escapes, so
// that a caller can keep it on its stack. With user keys, key is called
// with the claims, decoded but not yet trusted, for the HMAC key of the
// user they name; an error from it is returned as it is, and the key used
// is returned, for the caller to compare with the user's key on later
// requests. memo, nil without a cache, is a word the caller may keep
// with the token's cache entry, from one request of it to the next.
func (e *Engine) Verify(tok string, now time.Time, dst *Claims, key func(*Claims) ([]byte, error)) (hit *Claims, secret []byte, memo *atomic.Uint64, err error) {
	ks := e.keys.Load()
	if e.cache != nil {
		if ce, ok := e.cache.get(tok, ks, now); ok {
			return ce.claims, ce.secret, &ce.memo, nil
		}
	}
	if secret, err = e.verify(ks, tok, now, dst, key); err != nil {
		return nil, nil, nil, err
	}
	if e.cache != nil {
		// A deep copy: the caller may change dst, the entry is shared.
		c := dst.Clone()
		ce := &cacheEntry{token: tok, claims: &c, secret: secret, keys: ks}
		e.cache.put(ce, now)
		return nil, secret, &ce.memo, nil
	}
	return nil, secret, nil, nil
}

// CacheLen returns how many verified tokens the cache holds.
func (e *Engine) CacheLen() int {
	if e.cache == nil {
		return 0
	}
	return e.cache.len()
}
