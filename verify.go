package jwtauth

import (
	"context"
	"crypto/hmac"
	"errors"
	"fmt"
	"sync/atomic"
)

// VerifyToken checks token as the middleware does and returns the user it
// authenticates and its claims: signature, algorithm and claims (see
// Claims), then the user, re-loaded from the store, must exist and be
// active. Errors wrap the sentinels (ErrExpiredToken, ErrInvalidToken,
// ...); a store failure is returned as it is.
func (a *Auth) VerifyToken(ctx context.Context, tok string) (User, Claims, error) {
	var dst Claims
	u, hit, err := a.authToken(ctx, tok, &dst)
	if err != nil {
		return User{}, Claims{}, err
	}
	if hit != nil {
		return u, hit.Clone(), nil
	}
	return u, dst.Clone(), nil
}

// authToken is the way of a token from the engine to an admitted user:
// verify (here), then the user (store.go), not revoked (revocation.go), a
// refusal logged (errors.go).
// The claims are the cache's, hit, which must not be modified, or, when
// hit is nil, *dst.
func (a *Auth) authToken(ctx context.Context, tok string, dst *Claims) (u User, hit *Claims, err error) {
	hit, secret, memo, loaded, err := a.verifyClaims(ctx, tok, dst)
	if err == nil {
		c := dst
		if hit != nil {
			c = hit
		}
		if a.s.SimpleJWT != nil {
			err = a.credentialClass(ctx, c)
		}
		if err == nil {
			u, err = a.user(ctx, c, secret, loaded)
		}
		if err == nil && a.s.Revocations != nil {
			err = a.notRevoked(c, tok, u.ID, memo)
		}
	}
	if err != nil {
		return User{}, nil, a.refused(ctx, tok, err)
	}
	return u, hit, nil
}

// verifyClaims hands tok to the token engine (see token.Engine.Verify for
// hit, dst and memo). With per-user secrets, the engine asks for the key of the
// user the claims name: that user is loaded here, and returned so that it
// is not loaded twice.
func (a *Auth) verifyClaims(ctx context.Context, tok string, dst *Claims) (hit *Claims, secret []byte, memo *atomic.Uint64, loaded *User, err error) {
	if a.s.UserSecretKey == nil {
		hit, secret, memo, err = a.engine.Verify(tok, a.s.Now(), dst, nil)
		return hit, secret, memo, nil, err
	}
	k := &userKey{a: a, ctx: ctx}
	if hit, secret, memo, err = a.engine.Verify(tok, a.s.Now(), dst, k.key); err != nil {
		return nil, nil, nil, nil, err
	}
	if hit == nil && hmac.Equal(secret, a.decoy) {
		// Only a forgery could have matched the decoy: it is random and
		// never leaves the process.
		return nil, nil, nil, nil, fmt.Errorf("%w: no such user", errSignature)
	}
	return hit, secret, memo, k.user, nil
}

// userKey finds the HMAC key of the user some claims name, remembering
// the user. A token naming no user is checked with a decoy key, and so
// refused as any forged token is: "Error decoding signature.", never
// "User doesn't exist.", so that forgeries tell nothing of which
// usernames exist.
type userKey struct {
	a    *Auth
	ctx  context.Context
	user *User
}

func (k *userKey) key(c *Claims) ([]byte, error) {
	name, err := k.a.usernameOf(k.ctx, c)
	if err != nil {
		return nil, err
	}
	u, err := k.a.lookup(k.ctx, name)
	if errors.Is(err, ErrUserNotFound) {
		return k.a.decoy, nil
	}
	if err != nil {
		return nil, err
	}
	k.user = &u
	return k.a.userSecret(k.ctx, u)
}

// tokenClass is one of simplejwt's token classes: its name, as the
// middleware's "messages" give it, and its token_type.
type tokenClass struct{ class, typ string }

var (
	accessClass  = tokenClass{"AccessToken", "access"}
	slidingClass = tokenClass{"SlidingToken", "sliding"}
	refreshClass = tokenClass{"RefreshToken", "refresh"}
	// untypedClass is any type: simplejwt's verify view.
	untypedClass = tokenClass{"UntypedToken", ""}
)

// credentialClasses are the token classes that authenticate a request
// (simplejwt's AUTH_TOKEN_CLASSES), in the order they are tried.
func (a *Auth) credentialClasses() []tokenClass {
	if a.s.SimpleJWT.SlidingTokens {
		return accessOrSliding
	}
	return accessOnly
}

// The credential classes, allocated once: they are read on every request.
var (
	accessOnly      = []tokenClass{accessClass}
	accessOrSliding = []tokenClass{accessClass, slidingClass}
)

// credentialClass admits verified claims c as a credential of one of
// credentialClasses, or returns each class's refusal (*classesError).
func (a *Auth) credentialClass(ctx context.Context, c *Claims) error {
	if c.TokenType == "access" && c.JTI != "" {
		return nil // the usual credential, admitted by the first class
	}
	classes := a.credentialClasses()
	var errs []error
	for _, cl := range classes {
		err := a.checkClass(ctx, c, cl)
		if err == nil {
			return nil
		}
		if !errors.Is(err, ErrInvalidToken) {
			return err // the blacklist failed
		}
		errs = append(errs, err)
	}
	return &classesError{classes: classes, errs: errs}
}

// checkClass is what a simplejwt token class checks of a verified token
// besides the engine: an id, for the classes the blacklist covers that it
// is not blacklisted, and its type.
func (a *Auth) checkClass(ctx context.Context, c *Claims, cl tokenClass) error {
	if c.JTI == "" {
		// Before the blacklist, which is keyed by it: simplejwt looks it
		// up first and answers 500.
		return errNoID
	}
	if cl == refreshClass || cl == slidingClass {
		// Before the type, as simplejwt's BlacklistMixin checks it.
		if err := a.notBlacklisted(ctx, c.JTI); err != nil {
			return err
		}
	}
	switch {
	case cl.typ == "":
	case c.TokenType == "":
		return errNoType
	case c.TokenType != cl.typ:
		return errWrongType
	}
	return nil
}

// notBlacklisted refuses the token of jti if it is blacklisted; a
// blacklist that cannot answer is a failure of the service (503), never a
// pass nor a refusal.
func (a *Auth) notBlacklisted(ctx context.Context, jti string) error {
	listed, err := a.s.SimpleJWT.Blacklist.Blacklisted(ctx, jti)
	switch {
	case err != nil:
		return &storeError{fmt.Errorf("blacklist: %w", err)}
	case listed:
		return errBlacklisted
	}
	return nil
}
