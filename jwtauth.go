package jwtauth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Auth issues and verifies tokens and serves DRF-JWT's endpoints and
// middleware for one configuration. Build it once with New; it is immutable
// and safe for concurrent use.
type Auth struct {
	s         Settings // a private copy, defaults filled in
	store     UserStore
	sg        signer
	challenge string // the WWW-Authenticate value of every 401
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
	return &Auth{
		s:         s,
		store:     store,
		sg:        newSigner(s),
		challenge: s.AuthHeaderPrefix + ` realm="api"`,
	}, nil
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

// maxTokenLen bounds the work done on unauthenticated input. DRF-JWT tokens
// are a few hundred bytes; 8 KiB leaves room for custom claims.
const maxTokenLen = 8 << 10

// VerifyToken checks token as the middleware does and returns the user it
// authenticates and its claims: signature, algorithm and claims (see
// Claims), then the user, re-loaded from the store, must exist and be
// active. Errors wrap the sentinels (ErrExpiredToken, ErrMalformedToken,
// ...); a store failure is returned as it is.
func (a *Auth) VerifyToken(ctx context.Context, token string) (User, Claims, error) {
	signing, hdr, body, sig, err := splitToken(token)
	if err != nil {
		return User{}, Claims{}, err
	}
	if err := a.checkHeader(hdr); err != nil {
		return User{}, Claims{}, err
	}
	var (
		p      *payload
		u      User
		loaded bool
		key    = a.sg.verifyKey
	)
	if a.s.UserSecretKey != nil {
		// The key depends on the user: read the claims before the
		// signature, strictly, and take the user the token names.
		if p, err = decodePayload(body); err != nil {
			return User{}, Claims{}, fmt.Errorf("%w: claims: %v", ErrMalformedToken, err)
		}
		if u, err = a.lookup(ctx, a.usernameOf(p.Claims)); err != nil {
			return User{}, Claims{}, err
		}
		if key, err = a.userSecret(ctx, u); err != nil {
			return User{}, Claims{}, err
		}
		loaded = true
	}
	if err := a.sg.method.Verify(signing, sig, key); err != nil {
		return User{}, Claims{}, fmt.Errorf("%w: %v", ErrInvalidSignature, err)
	}
	if p == nil {
		if p, err = decodePayload(body); err != nil {
			return User{}, Claims{}, fmt.Errorf("%w: claims: %v", ErrMalformedToken, err)
		}
	}
	if err := a.validate(p); err != nil {
		return User{}, Claims{}, err
	}
	if p.payloadErr != nil {
		return User{}, Claims{}, fmt.Errorf("%w: %v", ErrInvalidPayload, p.payloadErr)
	}
	name := a.usernameOf(p.Claims)
	if name == "" {
		return User{}, Claims{}, fmt.Errorf("%w: no username", ErrInvalidPayload)
	}
	if !loaded {
		if u, err = a.lookup(ctx, name); err != nil {
			return User{}, Claims{}, err
		}
	}
	// A token names one account: a user re-created under the same
	// username does not inherit the old account's tokens.
	if p.UserID != "" && u.ID != "" && p.UserID != u.ID {
		return User{}, Claims{}, fmt.Errorf("%w: user_id does not match", ErrUserNotFound)
	}
	if !u.IsActive {
		return User{}, Claims{}, ErrUserInactive
	}
	return u, p.Claims, nil
}

// splitToken checks the compact serialisation before anything is decoded:
// bounded length, the base64url alphabet, exactly three segments, each
// canonical unpadded base64url.
func splitToken(token string) (signing string, hdr, body, sig []byte, err error) {
	if len(token) == 0 || len(token) > maxTokenLen {
		return "", nil, nil, nil, fmt.Errorf("%w: length %d", ErrMalformedToken, len(token))
	}
	dots := 0
	for i := 0; i < len(token); i++ {
		c := token[i]
		switch {
		case c == '.':
			dots++
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_':
		default:
			return "", nil, nil, nil, fmt.Errorf("%w: byte %#x at %d", ErrMalformedToken, c, i)
		}
	}
	if dots != 2 {
		return "", nil, nil, nil, fmt.Errorf("%w: %d segments", ErrMalformedToken, dots+1)
	}
	h, rest, _ := strings.Cut(token, ".")
	b, s, _ := strings.Cut(rest, ".")
	if hdr, err = b64.DecodeString(h); err == nil {
		if body, err = b64.DecodeString(b); err == nil {
			sig, err = b64.DecodeString(s)
		}
	}
	if err != nil {
		return "", nil, nil, nil, fmt.Errorf("%w: base64: %v", ErrMalformedToken, err)
	}
	return token[:len(h)+1+len(b)], hdr, body, sig, nil
}

// checkHeader accepts a JOSE header only if its alg is exactly the
// configured algorithm, it has no crit (we support no extension, RFC 7515
// §4.1.11), and its typ, if any, is JWT. Key-bearing members (kid, jku, jwk,
// x5u, x5c) are never read.
func (a *Auth) checkHeader(hdr []byte) error {
	var alg, typ string
	var hasAlg, badAlg, hasTyp, badTyp, crit bool
	err := walkObject(hdr, func(name string, raw []byte) error {
		switch name {
		case "alg":
			hasAlg, badAlg = true, !jsonString(raw, &alg)
		case "typ":
			hasTyp, badTyp = true, !jsonString(raw, &typ)
		case "crit":
			crit = true
		}
		return nil
	})
	switch {
	case err != nil:
		return fmt.Errorf("%w: header: %v", ErrMalformedToken, err)
	case !hasAlg || badAlg || alg != a.s.Algorithm:
		return fmt.Errorf("%w: alg is not %s", ErrInvalidToken, a.s.Algorithm)
	case crit:
		return fmt.Errorf("%w: crit header", ErrInvalidToken)
	case hasTyp && (badTyp || !strings.EqualFold(typ, "JWT")):
		return fmt.Errorf("%w: typ is not JWT", ErrInvalidToken)
	}
	return nil
}

// validate checks the claims in PyJWT's order (nbf, exp, iss, aud), so that
// an expired token with a wrong audience reports expiry, as DRF-JWT does.
// Unlike DRF-JWT, exp is required and must be a number.
func (a *Auth) validate(p *payload) error {
	now := a.s.Now()
	switch {
	case p.timeErr != nil:
		return fmt.Errorf("%w: %v", ErrMalformedToken, p.timeErr)
	case !p.NotBefore.IsZero() && now.Add(a.s.Leeway).Before(p.NotBefore):
		return fmt.Errorf("%w: not valid before nbf", ErrInvalidToken)
	case !p.hasExp:
		return fmt.Errorf("%w: exp is missing", ErrInvalidToken)
	case !now.Before(p.ExpiresAt.Add(a.s.Leeway)):
		return ErrExpiredToken
	case p.claimErr != nil:
		return fmt.Errorf("%w: %v", ErrInvalidToken, p.claimErr)
	case a.s.Issuer != "" && (!p.hasIss || p.Issuer != a.s.Issuer):
		return fmt.Errorf("%w: iss is not %q", ErrInvalidToken, a.s.Issuer)
	case a.s.Audience == "" && p.hasAud:
		return fmt.Errorf("%w: aud present but no audience is configured", ErrInvalidToken)
	case a.s.Audience != "" && !slices.Contains(p.Audience, a.s.Audience):
		return fmt.Errorf("%w: aud does not name %q", ErrInvalidToken, a.s.Audience)
	}
	return nil
}

func (a *Auth) usernameOf(c Claims) string {
	if a.s.UsernameFromPayload != nil {
		return a.s.UsernameFromPayload(c)
	}
	return c.Username
}

// lookup loads a user, telling "no such user" (ErrUserNotFound) from a
// store failure (*storeError).
func (a *Auth) lookup(ctx context.Context, username string) (User, error) {
	if username == "" {
		return User{}, fmt.Errorf("%w: empty username", ErrUserNotFound)
	}
	u, err := a.store.UserByUsername(ctx, username)
	switch {
	case errors.Is(err, ErrUserNotFound):
		return User{}, ErrUserNotFound
	case err != nil:
		return User{}, &storeError{err}
	}
	return u, nil
}
