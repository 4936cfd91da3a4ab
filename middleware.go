package jwtauth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
)

// Authenticator is an authentication scheme tried after JWT, like an entry
// of DRF's DEFAULT_AUTHENTICATION_CLASSES. Authenticate returns the user of
// a request that carries its credentials; an error wrapping
// ErrNoCredentials when the request carries none of its scheme, so the next
// one is tried; any other error to refuse the request at once. An *Error
// chooses the client's message; a sentinel gets DRF's message for it; any
// other error is a failure of the service (503).
type Authenticator interface {
	Authenticate(r *http.Request) (User, error)
}

// Authenticate authenticates r as DRF's authentication step does: the JWT
// from the Authorization header (or the auth cookie), else each of
// Settings.Authenticators in turn. It returns the user and, for a JWT, its
// claims; ErrNoCredentials when the request carries no credentials at all.
// The user is loaded from the UserStore on every call, so a deleted or
// disabled user loses access at once.
func (a *Auth) Authenticate(r *http.Request) (User, Claims, error) {
	var dst Claims
	u, hit, jwt, err := a.authenticate(r, &dst)
	switch {
	case err != nil || !jwt:
		return u, Claims{}, err
	case hit != nil:
		return u, hit.Clone(), nil
	}
	return u, dst.Clone(), nil
}

// authenticate is one request's way through authentication, each step in
// its file: the credential (credentials.go), its verification
// (verify.go), the user (store.go), a refusal logged (errors.go); or,
// without a JWT, the other authenticators (credentials.go). jwt says
// whether a token authenticated; its claims are then the cache's, hit,
// which must not be modified, or, when hit is nil, *dst.
func (a *Auth) authenticate(r *http.Request, dst *Claims) (u User, hit *Claims, jwt bool, err error) {
	tok, err := a.credential(r)
	switch {
	case err == nil:
		u, hit, err = a.authToken(r.Context(), tok, dst)
		return u, hit, true, err
	case errors.Is(err, errNotJWT):
		u, err = a.others(r)
	}
	return u, nil, false, err
}

// Required lets through only authenticated requests, with the user and
// claims in the request context (UserFromContext, ClaimsFromContext): DRF's
// IsAuthenticated. Others get a 401 with DRF's body and the
// WWW-Authenticate challenge, decided before next reads the body.
func (a *Auth) Required(next http.Handler) http.Handler {
	return a.middleware(next, false)
}

// ReadOnly lets anonymous GET, HEAD and OPTIONS requests through and
// requires authentication for every other method: DRF's
// IsAuthenticatedOrReadOnly. Bad credentials are refused on every method,
// as DRF authenticates before it checks permissions: a GET with an expired
// token is a 401, not an anonymous read.
func (a *Auth) ReadOnly(next http.Handler) http.Handler {
	return a.middleware(next, true)
}

func (a *Auth) middleware(next http.Handler, anonymousReads bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ac, err := a.authRequest(r)
		switch {
		case err == nil:
			r = r.WithContext(ac)
		case anonymousReads && errors.Is(err, ErrNoCredentials) && safeMethod(r.Method):
		default:
			a.fail(w, r, a.authFailure(err))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// authRequest authenticates r for the middleware, and returns the
// request context to go on with: one allocation, sized for what it holds,
// a pointer to the cache's claims or the claims of a cold verification. A
// panic in our code or in a Settings hook becomes an error answered 500,
// never a dropped connection.
func (a *Auth) authRequest(r *http.Request) (ac *authContext, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &panicError{p, debug.Stack()}
		}
	}()
	if !a.cached {
		// Every token is verified cold: write its claims where the
		// context keeps them, rather than copy them there.
		oc := &ownedClaims{authContext: authContext{Context: r.Context()}}
		u, _, jwt, err := a.authenticate(r, &oc.own)
		if err != nil {
			return nil, err
		}
		if oc.user = u; jwt {
			oc.claims = &oc.own
		}
		return &oc.authContext, nil
	}
	var dst Claims
	u, hit, jwt, err := a.authenticate(r, &dst)
	switch {
	case err != nil:
		return nil, err
	case !jwt || hit != nil:
		return &authContext{Context: r.Context(), user: u, claims: hit}, nil
	}
	oc := &ownedClaims{authContext: authContext{Context: r.Context(), user: u}, own: dst}
	oc.claims = &oc.own
	return &oc.authContext, nil
}

// panicError is a recovered panic: answered 500 and logged with its stack.
type panicError struct {
	value any
	stack []byte
}

func (e *panicError) Error() string { return fmt.Sprintf("jwtauth: panic: %v\n%s", e.value, e.stack) }

// safeMethod is DRF's SAFE_METHODS: exact, upper-case, TRACE excluded.
func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// fail answers err through the ErrorHandler, after setting the headers an
// *Error implies, which a custom ErrorHandler need not know about: a 401
// carries the challenge of the first authenticator, JWT, whichever scheme
// failed, as DRF does; an error with a RetryAfter carries Retry-After in
// whole seconds, rounded up, as DRF sends an exception's wait.
// Failures that are not the client's (a store down, a hook failing) are
// logged; the error texts come from the store and our hooks, never from the
// request's credentials.
func (a *Auth) fail(w http.ResponseWriter, r *http.Request, err error) {
	var e *Error
	switch {
	case errors.As(err, &e):
		if errors.Is(err, errInvalidHeader) || errors.Is(err, errCrossSite) {
			logRefusal(r.Context(), a.s.Logger, "jwtauth: request refused", err, slog.String("method", r.Method), slog.String("path", r.URL.Path))
		}
		if e.Status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", a.challenge)
		}
		if e.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.FormatInt(ceilSeconds(e.RetryAfter), 10))
		}
	case errors.As(err, new(*storeError)):
		if held, ok := a.storeLog.due(a.s.Now()); ok {
			a.s.Logger.ErrorContext(r.Context(), "jwtauth: store failed", "method", r.Method, "path", r.URL.Path, "err", err, "held_back", held)
		}
	default:
		a.s.Logger.ErrorContext(r.Context(), "jwtauth: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	a.s.ErrorHandler(w, r, err)
}

// authContext carries the authenticated user of a request, and the claims
// of its token (nil for other schemes). It is the context itself rather than
// a context.WithValue, so that a request costs one allocation for it, not
// two.
type authContext struct {
	context.Context
	user   User
	claims *Claims // never modified: ClaimsFromContext hands out copies
}

// ownedClaims is an authContext with room for the claims it points to.
type ownedClaims struct {
	authContext
	own Claims
}

// ctxKey is the key of an authContext among context values.
type ctxKey struct{}

// Value returns the authContext itself for ctxKey, and the parent's values
// otherwise.
func (c *authContext) Value(key any) any {
	if key == (ctxKey{}) {
		return c
	}
	return c.Context.Value(key)
}

// NewContext returns ctx carrying u and c as the middleware stores them, so
// handlers can be tested without tokens.
func NewContext(ctx context.Context, u User, c Claims) context.Context {
	oc := &ownedClaims{authContext: authContext{Context: ctx, user: u}, own: c.Clone()}
	oc.claims = &oc.own
	return &oc.authContext
}

// UserFromContext returns the authenticated user of a request that passed
// Required or ReadOnly; ok is false for anonymous requests.
func UserFromContext(ctx context.Context) (u User, ok bool) {
	if ac, ok := ctx.Value(ctxKey{}).(*authContext); ok {
		return ac.user, true
	}
	return User{}, false
}

// ClaimsFromContext returns the claims of the token that authenticated the
// request; ok is false for anonymous requests and for other schemes (Basic).
func ClaimsFromContext(ctx context.Context) (c Claims, ok bool) {
	if ac, ok := ctx.Value(ctxKey{}).(*authContext); ok && ac.claims != nil {
		return ac.claims.Clone(), true
	}
	return Claims{}, false
}
