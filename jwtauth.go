package jwtauth

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/jwtauth-go/jwtauth/internal/token"
)

// Auth issues and verifies tokens and serves DRF-JWT's endpoints and
// middleware for one configuration. Build it once with New; it is safe for
// concurrent use, and only RotateKeys changes it.
type Auth struct {
	s         Settings // a private copy, defaults filled in; its keys are the engine's
	store     UserStore
	engine    *token.Engine
	challenge string // the WWW-Authenticate value of every 401
	logins    *loginSlots
	storeLog  failureLog                  // store failures, logged at most once an interval
	cached    bool                        // Settings.TokenCacheSize > 0
	csrf      *http.CrossOriginProtection // nil without the auth cookie
	// decoy is the HMAC key a token naming no user is checked with, when
	// keys are per user: it fails as a forged token fails.
	decoy []byte
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
	keys, kerr := s.Keys.engineKeys()
	var engine *token.Engine
	if kerr == nil {
		engine, kerr = token.New(s.spec(), keys, s.TokenCacheSize)
	}
	if err = errors.Join(err, kerr); err != nil {
		return nil, err
	}
	s.Authenticators = slices.Clone(s.Authenticators)
	s.TrustedOrigins = slices.Clone(s.TrustedOrigins)
	s.Keys = Keys{} // the engine's from now on, which RotateKeys replaces
	scheme := s.AuthHeaderPrefix
	if s.SimpleJWT != nil {
		scheme = s.SimpleJWT.AuthHeaderTypes[0]
	}
	a := &Auth{
		s:         s,
		store:     store,
		engine:    engine,
		challenge: scheme + ` realm="api"`,
		logins:    newLoginSlots(s),
		cached:    s.TokenCacheSize > 0,
	}
	if s.UserSecretKey != nil {
		a.decoy = make([]byte, 64)
		_, _ = rand.Read(a.decoy) // never fails (crypto/rand crashes the program instead)
	}
	if s.AuthCookie != "" {
		a.csrf = http.NewCrossOriginProtection()
		for _, o := range s.TrustedOrigins {
			_ = a.csrf.AddTrustedOrigin(o) // checked by validate
		}
	}
	return a, nil
}

// spec is what the token engine checks, from s (defaults filled in).
func (s Settings) spec() token.Spec {
	spec := token.Spec{
		Algorithm: s.Algorithm,
		Leeway:    s.Leeway,
		Audience:  s.Audience,
		Issuer:    s.Issuer,
		TokenType: "access",
		UserKeys:  s.UserSecretKey != nil,
	}
	switch {
	case s.SimpleJWT != nil:
		// Which token_type a token must have depends on where it is used
		// (credentialClass, the endpoints), and the user is found by id.
		spec.SimpleJWT, spec.TokenType = true, ""
	case s.UsernameFromPayload == nil:
		spec.Identity = "username"
	}
	return spec
}

// Handlers are the endpoints of an Auth, each a DRF-JWT view: mount them
// on the URLs your clients use (DRF-JWT documents /api-token-auth/,
// /api-token-refresh/ and /api-token-verify/). Each answers every method
// itself (405 with Allow for all but POST and OPTIONS), so mount it for
// every method: mux.Handle, or chi's r.Handle, not r.Post.
type Handlers struct {
	// Obtain is obtain_jwt_token: a POST of the username
	// (Settings.UsernameField) and password, as JSON, form or multipart,
	// answered {"token": "..."}. Bad credentials get DRF's 400
	// {"non_field_errors": ["Unable to log in with provided credentials."]}.
	// An attempt that Settings.LoginThrottle refuses gets DRF's 429 before
	// any password is checked. The request's own credentials are ignored,
	// as DRF-JWT ignores them.
	Obtain http.Handler
	// Refresh is refresh_jwt_token: a POST of a valid, unexpired token
	// carrying orig_iat, answered with a new token of the same orig_iat,
	// while orig_iat + RefreshExpirationDelta has not passed.
	Refresh http.Handler
	// Verify is verify_jwt_token: a POST of a token, answered with the
	// same token when it is valid and its user active.
	Verify http.Handler

	// Blacklist, in DRF-JWT's dialect with Settings.Revocations, is the
	// drf-jwt fork's blacklist view, which examples/basic serves at
	// /api-token-blacklist/: an authenticated POST of {"token": ...}, or
	// of nothing to log out the request's own token, answered 201
	// {"token": ...} once the token and its family are revoked
	// (Auth.Revoke). The fork's GET, a list of every blacklisted token, is
	// not served. A revoked token is then refused by the middleware with
	// the fork's 403 {"detail": "Token is blacklisted."}, by refresh and
	// verify with 400 {"non_field_errors": ["Token is blacklisted."]}.
	//
	// ObtainSliding and RefreshSliding are simplejwt's; nil in DRF-JWT's
	// dialect. In simplejwt's, the endpoints are its views,
	// which simplejwt documents at /api/token/ (Obtain:
	// TokenObtainPairView, {"refresh", "access"}), /api/token/refresh/
	// (Refresh: TokenRefreshView, {"access"}, and a new "refresh" with
	// SimpleJWT.RotateRefreshTokens), /api/token/verify/ (Verify:
	// TokenVerifyView, {} for a valid token of any type) and
	// /api/token/blacklist/ (Blacklist: TokenBlacklistView, {} once the
	// refresh token is blacklisted); ObtainSliding and RefreshSliding are
	// TokenObtainSlidingView and TokenRefreshSlidingView, {"token"}. Their
	// refusals are simplejwt's 401 {"detail", "code"}. With
	// Settings.Revocations, Blacklist revokes the refresh token's family
	// as well, so that the access tokens of that login stop at once.
	Blacklist, ObtainSliding, RefreshSliding http.Handler
}

// Handlers returns the endpoints of a.
func (a *Auth) Handlers() Handlers {
	if a.s.SimpleJWT != nil {
		return a.simpleHandlers()
	}
	h := Handlers{
		Obtain:  &endpoint{a: a, name: "Obtain Json Web Token", doc: obtainDoc, fields: []string{a.s.UsernameField, "password"}, run: a.obtain},
		Refresh: &endpoint{a: a, name: "Refresh Json Web Token", doc: refreshDoc, fields: []string{"token"}, run: a.refresh},
		Verify:  &endpoint{a: a, name: "Verify Json Web Token", doc: verifyDoc, fields: []string{"token"}, run: a.verify},
	}
	if a.s.Revocations != nil {
		h.Blacklist = &endpoint{a: a, name: "Blacklist List", fields: []string{"token"}, optional: "token", authenticated: true, run: a.blacklistToken}
	}
	return h
}

// IssueToken signs a new token for u with DRF-JWT's payload (user_id,
// username, exp, email, then orig_iat, aud and iss as configured), passed
// through Settings.PayloadHandler.
//
// In simplejwt's dialect it signs an access token for u, as simplejwt's
// AccessToken.for_user does.
func (a *Auth) IssueToken(ctx context.Context, u User) (string, error) {
	if a.s.SimpleJWT != nil {
		c, err := a.newClaims(ctx, u, "access", a.s.ExpirationDelta, a.now())
		if err != nil {
			return "", err
		}
		return a.engine.Sign(&c, nil)
	}
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
	if a.s.Revocations != nil {
		c.JTI = newShortJTI() // what Revoke and reuse detection know it by
	}
	if a.s.Audience != "" {
		c.Audience = []string{a.s.Audience}
	}
	c.Issuer = a.s.Issuer
	if a.s.PayloadHandler != nil {
		if c.Extra == nil {
			c.Extra = map[string]any{} // so that the hook can add claims
		}
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
	var key []byte
	if a.s.UserSecretKey != nil {
		var err error
		if key, err = a.userSecret(ctx, u); err != nil {
			return "", err
		}
	}
	return a.engine.Sign(&c, key)
}

// RotateKeys replaces the keys of a with k, checked as New checks them:
// the algorithm never changes. Requests under way finish with the keys
// they started with; the next ones use the new keys, and cached tokens are
// verified anew. A typical rotation moves the current key to k.Previous
// and sets a new one, on every service that shares the key.
func (a *Auth) RotateKeys(k Keys) error {
	keys, err := k.engineKeys()
	if err != nil {
		return err
	}
	return a.engine.Rotate(keys)
}

// userSecret returns u's HMAC key, by Settings.UserSecretKey.
func (a *Auth) userSecret(ctx context.Context, u User) ([]byte, error) {
	secret, err := a.s.UserSecretKey(ctx, u)
	if err == nil {
		err = token.CheckSecret([]byte(secret), a.s.Algorithm, "the secret of UserSecretKey")
	}
	if err != nil {
		return nil, &storeError{fmt.Errorf("UserSecretKey: %w", err)}
	}
	return []byte(secret), nil
}
