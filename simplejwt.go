package jwtauth

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/jwtauth-go/jwtauth/blacklist"
	"github.com/jwtauth-go/jwtauth/internal/drf"
)

// The docstrings of simplejwt's views, which DRF sends as OPTIONS
// "description".
const (
	obtainPairDoc     = "Takes a set of user credentials and returns an access and refresh JSON web\ntoken pair to prove the authentication of those credentials."
	refreshPairDoc    = "Takes a refresh type JSON web token and returns an access type JSON web\ntoken if the refresh token is valid."
	verifyUntypedDoc  = "Takes a token and indicates if it is valid.  This view provides no\ninformation about a token's fitness for a particular use."
	blacklistDoc      = "Takes a token and blacklists it. Must be used with the\n`rest_framework_simplejwt.token_blacklist` app installed."
	obtainSlidingDoc  = "Takes a set of user credentials and returns a sliding JSON web token to\nprove the authentication of those credentials."
	refreshSlidingDoc = "Takes a sliding JSON web token and returns a new, refreshed version if the\ntoken's refresh period has not expired."
)

// simpleHandlers are simplejwt's views (see Handlers).
func (a *Auth) simpleHandlers() Handlers {
	login := []string{a.s.UsernameField, "password"}
	return Handlers{
		Obtain:         &endpoint{a: a, name: "Token Obtain Pair", doc: obtainPairDoc, fields: login, run: a.obtainPair},
		Refresh:        &endpoint{a: a, name: "Token Refresh", doc: refreshPairDoc, fields: []string{"refresh"}, readOnly: []string{"access"}, run: a.refreshPair},
		Verify:         &endpoint{a: a, name: "Token Verify", doc: verifyUntypedDoc, fields: []string{"token"}, run: a.verifyUntyped},
		Blacklist:      &endpoint{a: a, name: "Token Blacklist", doc: blacklistDoc, fields: []string{"refresh"}, run: a.blacklistRefresh},
		ObtainSliding:  &endpoint{a: a, name: "Token Obtain Sliding", doc: obtainSlidingDoc, fields: login, run: a.obtainSliding},
		RefreshSliding: &endpoint{a: a, name: "Token Refresh Sliding", doc: refreshSlidingDoc, fields: []string{"token"}, run: a.refreshSliding},
	}
}

// simpleFormFailure is a token's refusal by simplejwt's views: 401
// {"detail", "code"}, "token_not_valid" for the token's own faults. Other
// errors (a store failure) are returned unchanged.
func simpleFormFailure(err error) error {
	if detail, code, _, ok := simpleMessage(err); ok {
		return &Error{Status: http.StatusUnauthorized, Detail: detail, Code: code, Err: err}
	}
	return err
}

// simpleLogin is login with simplejwt's refusal, for a wrong password, an
// unknown user and an inactive one alike.
func (a *Auth) simpleLogin(r *http.Request, f map[string]string) (User, error) {
	u, err := a.login(r, f)
	if errors.Is(err, ErrInvalidCredentials) || errors.Is(err, ErrUserInactive) {
		err = &Error{Status: http.StatusUnauthorized, Detail: "No active account found with the given credentials", Err: err}
	}
	return u, err
}

// newJTI is a jti as simplejwt writes it: a random UUID (version 4) as 32
// lower-case hex digits.
func newJTI() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand crashes the program instead)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return hex.EncodeToString(b[:])
}

// newClaims are the claims simplejwt's Token() starts a token of typ
// with, at now, for u (its for_user), passed through the PayloadHandler.
func (a *Auth) newClaims(ctx context.Context, u User, typ string, lifetime time.Duration, now time.Time) (Claims, error) {
	c := Claims{TokenType: typ, ExpiresAt: now.Add(lifetime), IssuedAt: now, JTI: newJTI(), UserID: u.ID, Issuer: a.s.Issuer}
	if a.s.Audience != "" {
		c.Audience = []string{a.s.Audience}
	}
	if a.s.SimpleJWT.UserIDClaim != defaultUserIDClaim {
		c.UserID = ""
		c.Extra = map[string]any{a.s.SimpleJWT.UserIDClaim: u.ID}
	}
	if a.s.SimpleJWT.CheckRevokeToken {
		if c.Extra == nil {
			c.Extra = map[string]any{}
		}
		c.Extra[revokeClaim] = passwordDigest(u)
	}
	if a.s.PayloadHandler == nil {
		return c, nil
	}
	if c.Extra == nil {
		c.Extra = map[string]any{} // so that the hook can add claims
	}
	c, err := a.s.PayloadHandler(ctx, u, c)
	if err != nil {
		return Claims{}, &storeError{fmt.Errorf("PayloadHandler: %w", err)}
	}
	return c, nil
}

// accessFrom is simplejwt's refresh.access_token: every claim of the
// refresh token r but its type, exp and jti, which are the access
// token's own; iat too, which the access token has of its own (now) only
// when r has none. With revocation on, it names r's family.
func (a *Auth) accessFrom(r *Claims, now time.Time) Claims {
	c := r.Clone()
	c.TokenType, c.ExpiresAt, c.JTI = "access", now.Add(a.s.ExpirationDelta), newJTI()
	if c.IssuedAt.IsZero() {
		c.IssuedAt = now
	}
	if a.s.Revocations != nil {
		c.Family = a.familyOf(r) // so that revoking the family stops it too
	}
	return c
}

// sign signs c, and, for a refresh or sliding token, records it as
// outstanding.
func (a *Auth) sign(ctx context.Context, c *Claims, u User) (string, error) {
	tok, err := a.engine.Sign(c, nil)
	if err != nil || c.TokenType == "access" {
		return tok, err
	}
	err = a.s.SimpleJWT.Blacklist.Outstanding(ctx, blacklist.Token{JTI: c.JTI, UserID: u.ID, Token: tok, CreatedAt: c.IssuedAt, ExpiresAt: c.ExpiresAt})
	if err != nil {
		return "", &storeError{fmt.Errorf("blacklist: %w", err)}
	}
	return tok, nil
}

// blacklist blacklists the refresh token tok of claims c, as simplejwt's
// blacklist() does: recorded as outstanding if it was not, with neither
// user nor creation time then.
func (a *Auth) blacklist(ctx context.Context, c *Claims, tok string) error {
	if err := a.s.SimpleJWT.Blacklist.Blacklist(ctx, blacklist.Token{JTI: c.JTI, Token: tok, ExpiresAt: c.ExpiresAt}); err != nil {
		return &storeError{fmt.Errorf("blacklist: %w", err)}
	}
	return nil
}

// now is the time of a new token: whole seconds, as simplejwt writes
// them.
func (a *Auth) now() time.Time { return a.s.Now().Truncate(time.Second) }

func (a *Auth) obtainPair(r *http.Request, f map[string]string) (reply, error) {
	ctx := r.Context()
	u, err := a.simpleLogin(r, f)
	if err != nil {
		return reply{}, err
	}
	now := a.now()
	refresh, err := a.newClaims(ctx, u, "refresh", a.s.SimpleJWT.RefreshTokenLifetime, now)
	if err != nil {
		return reply{}, err
	}
	rt, err := a.sign(ctx, &refresh, u)
	if err != nil {
		return reply{}, err
	}
	access := a.accessFrom(&refresh, now)
	at, err := a.sign(ctx, &access, u)
	if err != nil {
		return reply{}, err
	}
	return reply{body: drf.Object{{Name: "refresh", Value: rt}, {Name: "access", Value: at}}}, nil
}

// typed verifies tok as a token of class cl, not revoked, returning a
// copy of its claims. A token refused only for being blacklisted comes
// with its claims, for the refresh view's reuse detection.
func (a *Auth) typed(ctx context.Context, tok string, cl tokenClass) (Claims, error) {
	var dst Claims
	hit, _, memo, _, err := a.verifyClaims(ctx, tok, &dst)
	if err != nil {
		return Claims{}, err
	}
	c := &dst
	if hit != nil {
		c = hit
	}
	if a.s.Revocations != nil {
		if err := a.notRevoked(c, tok, a.userIDOf(c), memo); err != nil {
			return Claims{}, err
		}
	}
	if err := a.checkClass(ctx, c, cl); err != nil {
		if errors.Is(err, errBlacklisted) {
			return c.Clone(), err
		}
		return Claims{}, err
	}
	return c.Clone(), nil
}

// activeOwner refuses a refresh whose token names a user that no longer
// exists or is inactive, as simplejwt 5.4 does (before, a disabled user
// kept refreshing: CVE-2024-22513). A token without a user id names
// nobody to check.
func (a *Auth) activeOwner(ctx context.Context, c *Claims) (User, error) {
	id := a.userIDOf(c)
	if id == "" {
		return User{}, nil
	}
	u, err := a.store.UserByID(ctx, id)
	switch {
	case err != nil && !errors.Is(err, ErrUserNotFound):
		return User{}, &storeError{err}
	case err != nil || !u.IsActive:
		if err == nil {
			err = ErrUserInactive
		}
		return User{}, &Error{Status: http.StatusUnauthorized, Detail: "No active account found for the given token.", Err: err}
	}
	return u, a.samePassword(c, u)
}

func (a *Auth) refreshPair(r *http.Request, f map[string]string) (reply, error) {
	ctx := r.Context()
	c, err := a.typed(ctx, f["refresh"], refreshClass)
	if a.s.Revocations != nil && a.s.SimpleJWT.RotateRefreshTokens && (err == nil || errors.Is(err, errBlacklisted)) {
		// Rotated, a refresh token is used once; without rotation, for
		// every access token. One blacklisted by its rotation and sent
		// again is the replay families are for.
		if serr := a.spend(ctx, &c, f["refresh"]); serr != nil {
			return reply{}, serr
		}
	}
	if err != nil {
		return reply{}, err
	}
	u, err := a.activeOwner(ctx, &c)
	if err != nil {
		return reply{}, err
	}
	now := a.now()
	access := a.accessFrom(&c, now)
	at, err := a.sign(ctx, &access, u)
	if err != nil {
		return reply{}, err
	}
	body := drf.Object{{Name: "access", Value: at}}
	j := a.s.SimpleJWT
	if !j.RotateRefreshTokens {
		return reply{body: body}, nil
	}
	if j.BlacklistAfterRotation {
		if err := a.blacklist(ctx, &c, f["refresh"]); err != nil {
			return reply{}, err
		}
	}
	if a.s.Revocations != nil {
		c.Family = a.familyOf(&c)
	}
	c.JTI, c.ExpiresAt, c.IssuedAt = newJTI(), now.Add(j.RefreshTokenLifetime), now
	rt, err := a.sign(ctx, &c, u)
	if err != nil {
		return reply{}, err
	}
	return reply{body: append(body, drf.Member{Name: "refresh", Value: rt})}, nil
}

func (a *Auth) verifyUntyped(r *http.Request, f map[string]string) (reply, error) {
	ctx := r.Context()
	c, err := a.typed(ctx, f["token"], untypedClass)
	if err != nil {
		return reply{}, err
	}
	if a.s.SimpleJWT.BlacklistAfterRotation {
		if err := a.notBlacklisted(ctx, c.JTI); err != nil {
			if errors.Is(err, errBlacklisted) {
				err = fieldErrors(err, FieldError{nonFieldErrors, []string{"Token is blacklisted"}})
			}
			return reply{}, err
		}
	}
	return reply{body: drf.Object{}}, nil
}

func (a *Auth) blacklistRefresh(r *http.Request, f map[string]string) (reply, error) {
	ctx := r.Context()
	c, err := a.typed(ctx, f["refresh"], refreshClass)
	if err != nil {
		return reply{}, err
	}
	if err := a.blacklist(ctx, &c, f["refresh"]); err != nil {
		return reply{}, err
	}
	if a.s.Revocations != nil {
		// A logout: the access tokens of the login go with it.
		if err := a.revokeClaims(ctx, &c, f["refresh"]); err != nil {
			return reply{}, err
		}
	}
	return reply{body: drf.Object{}}, nil
}

func (a *Auth) obtainSliding(r *http.Request, f map[string]string) (reply, error) {
	ctx := r.Context()
	u, err := a.simpleLogin(r, f)
	if err != nil {
		return reply{}, err
	}
	now := a.now()
	c, err := a.newClaims(ctx, u, "sliding", a.s.SimpleJWT.SlidingTokenLifetime, now)
	if err != nil {
		return reply{}, err
	}
	c.RefreshExpiresAt = now.Add(a.s.SimpleJWT.SlidingTokenRefreshLifetime)
	tok, err := a.sign(ctx, &c, u)
	if err != nil {
		return reply{}, err
	}
	return reply{body: drf.Object{{Name: "token", Value: tok}}}, nil
}

func (a *Auth) refreshSliding(r *http.Request, f map[string]string) (reply, error) {
	ctx := r.Context()
	c, err := a.typed(ctx, f["token"], slidingClass)
	if err != nil {
		return reply{}, err
	}
	now := a.s.Now()
	switch {
	case c.RefreshExpiresAt.IsZero():
		return reply{}, errNoRefreshExp
	case !now.Before(c.RefreshExpiresAt.Add(a.s.Leeway)):
		return reply{}, errRefreshExpiredS
	}
	if _, err := a.activeOwner(ctx, &c); err != nil {
		return reply{}, err
	}
	now = now.Truncate(time.Second)
	c.ExpiresAt, c.IssuedAt = now.Add(a.s.SimpleJWT.SlidingTokenLifetime), now
	// The same jti: simplejwt renews a sliding token in place, and its
	// outstanding record with it.
	tok, err := a.engine.Sign(&c, nil)
	if err != nil {
		return reply{}, err
	}
	return reply{body: drf.Object{{Name: "token", Value: tok}}}, nil
}
