package jwtauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync/atomic"
	"time"
)

// Auth issues and verifies tokens and serves DRF-JWT's endpoints and
// middleware for one configuration. Build it once with New; it is safe for
// concurrent use, and only RotateKeys changes it.
type Auth struct {
	s         Settings // a private copy, defaults filled in; its keys are in keys
	store     UserStore
	keys      atomic.Pointer[keySet]
	challenge string      // the WWW-Authenticate value of every 401
	cache     *tokenCache // nil unless Settings.TokenCacheSize
	logins    loginSlots
	csrf      *http.CrossOriginProtection // nil without the auth cookie
}

// New checks s and returns an Auth that authenticates the users of store.
// Every configuration problem is reported here, all at once; none surfaces
// on a request. Changing s afterwards has no effect.
func New(s Settings, store UserStore) (*Auth, error) {
	s = s.withDefaults()
	err := s.validate()
	if store == nil {
		err = errors.Join(err, errors.New("jwtauth: New: the UserStore is nil"))
	}
	if err != nil {
		return nil, err
	}
	s.Authenticators = slices.Clone(s.Authenticators)
	s.PreviousKeys = slices.Clone(s.PreviousKeys)
	a := &Auth{
		s:         s,
		store:     store,
		challenge: s.AuthHeaderPrefix + ` realm="api"`,
	}
	a.keys.Store(newKeySet(s))
	// The keys live in a.keys alone, which RotateKeys replaces.
	a.s.SecretKey, a.s.PrivateKey, a.s.PublicKey, a.s.KeyID, a.s.PreviousKeys = "", nil, nil, "", nil
	a.logins = newLoginSlots(s)
	for i, other := range a.s.Authenticators {
		if b, ok := other.(basicAuth); ok {
			b.slots = a.logins
			a.s.Authenticators[i] = b
		}
	}
	if s.AuthCookie != "" {
		a.csrf = http.NewCrossOriginProtection()
		for _, o := range s.TrustedOrigins {
			_ = a.csrf.AddTrustedOrigin(o) // checked by validate
		}
	}
	if s.TokenCacheSize > 0 {
		a.cache = newTokenCache(s.TokenCacheSize, s.Leeway)
	}
	return a, nil
}

// IssueToken signs a new token for u with DRF-JWT's payload (user_id,
// username, exp, email, then orig_iat, aud and iss as configured), passed
// through Settings.PayloadHandler.
func (a *Auth) IssueToken(ctx context.Context, u User) (string, error) {
	return a.issue(ctx, u, time.Time{})
}

// issue signs a token for u; a non-zero origIAT replaces orig_iat, as
// refresh requires.
func (a *Auth) issue(ctx context.Context, u User, origIAT time.Time) (string, error) {
	now := a.s.Now().Truncate(time.Second)
	c := Claims{
		UserID:    u.ID,
		Username:  u.Username,
		Email:     u.Email,
		ExpiresAt: now.Add(a.s.ExpirationDelta),
	}
	switch a.s.UsernameField {
	case "username":
	case "email":
		c.Email = u.Username
	default:
		c.Extra = map[string]any{a.s.UsernameField: u.Username}
	}
	if a.s.AllowRefresh {
		c.OrigIssuedAt = now
	}
	if a.s.Audience != "" {
		c.Audience = []string{a.s.Audience}
	}
	c.Issuer = a.s.Issuer
	if a.s.PayloadHandler != nil {
		var err error
		if c, err = a.s.PayloadHandler(ctx, u, c); err != nil {
			return "", &storeError{fmt.Errorf("PayloadHandler: %w", err)}
		}
	}
	if !origIAT.IsZero() {
		c.OrigIssuedAt = origIAT
		// A refresh chain ends at orig_iat + RefreshExpirationDelta, and so
		// does the last token of it.
		if end := origIAT.Add(a.s.RefreshExpirationDelta); c.ExpiresAt.After(end) {
			c.ExpiresAt = end
		}
	}
	body, err := c.marshal()
	if err != nil {
		return "", err
	}
	ks := a.keys.Load()
	key, err := a.signingKey(ctx, ks, u)
	if err != nil {
		return "", err
	}
	signing := ks.header + "." + b64.EncodeToString(body)
	sig, err := ks.method.Sign(signing, key)
	if err != nil {
		return "", fmt.Errorf("jwtauth: signing: %w", err)
	}
	return signing + "." + b64.EncodeToString(sig), nil
}

func (a *Auth) signingKey(ctx context.Context, ks *keySet, u User) (any, error) {
	if a.s.UserSecretKey != nil {
		return a.userSecret(ctx, u)
	}
	if ks.signKey == nil {
		return nil, errors.New("jwtauth: no PrivateKey: this Auth only verifies tokens")
	}
	return ks.signKey, nil
}

// RotateKeys replaces the keys of a with those of s: SecretKey, PrivateKey,
// PublicKey, KeyID and PreviousKeys, checked as New checks them. The other
// fields of s are not read, except Algorithm, which must be empty or a's:
// the algorithm never changes. Requests under way finish with the keys they
// started with; the next ones use the new keys, and cached tokens are
// verified anew. A typical rotation moves SecretKey to PreviousKeys and sets
// a new SecretKey, on every service that shares the key.
func (a *Auth) RotateKeys(s Settings) error {
	if s.Algorithm != "" && s.Algorithm != a.s.Algorithm {
		return fmt.Errorf("jwtauth: RotateKeys: Algorithm %q is not %q; the algorithm of an Auth never changes", s.Algorithm, a.s.Algorithm)
	}
	k := a.s
	k.SecretKey, k.PrivateKey, k.PublicKey, k.KeyID = s.SecretKey, s.PrivateKey, s.PublicKey, s.KeyID
	k.PreviousKeys = slices.Clone(s.PreviousKeys)
	if err := checkKeys(k); err != nil {
		return err
	}
	a.keys.Store(newKeySet(k))
	return nil
}

func (a *Auth) userSecret(ctx context.Context, u User) ([]byte, error) {
	secret, err := a.s.UserSecretKey(ctx, u)
	if err == nil {
		err = checkSecret(secret, a.s.Algorithm, "the secret of UserSecretKey")
	}
	if err != nil {
		return nil, &storeError{fmt.Errorf("UserSecretKey: %w", err)}
	}
	return []byte(secret), nil
}
