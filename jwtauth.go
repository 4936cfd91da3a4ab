package jwtauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"
)

// Auth issues and verifies tokens and serves DRF-JWT's endpoints and
// middleware for one configuration. Build it once with New; it is immutable
// and safe for concurrent use.
type Auth struct {
	s         Settings // a private copy, defaults filled in
	store     UserStore
	sg        signer
	challenge string      // the WWW-Authenticate value of every 401
	scratch   *sync.Pool  // of *scratch
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
	a := &Auth{
		s:         s,
		store:     store,
		sg:        newSigner(s),
		challenge: s.AuthHeaderPrefix + ` realm="api"`,
	}
	a.scratch = newScratchPool(s, a.sg.verifyKey)
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
	key, err := a.signingKey(ctx, u)
	if err != nil {
		return "", err
	}
	signing := a.sg.header + "." + b64.EncodeToString(body)
	sig, err := a.sg.method.Sign(signing, key)
	if err != nil {
		return "", fmt.Errorf("jwtauth: signing: %w", err)
	}
	return signing + "." + b64.EncodeToString(sig), nil
}

func (a *Auth) signingKey(ctx context.Context, u User) (any, error) {
	if a.s.UserSecretKey != nil {
		return a.userSecret(ctx, u)
	}
	if a.sg.signKey == nil {
		return nil, errors.New("jwtauth: no PrivateKey: this Auth only verifies tokens")
	}
	return a.sg.signKey, nil
}

func (a *Auth) userSecret(ctx context.Context, u User) ([]byte, error) {
	secret, err := a.s.UserSecretKey(ctx, u)
	if err == nil {
		err = checkSecret(secret, a.s.Algorithm)
	}
	if err != nil {
		return nil, &storeError{fmt.Errorf("UserSecretKey: %w", err)}
	}
	return []byte(secret), nil
}
