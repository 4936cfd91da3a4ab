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
	var (
		dst Claims
		u   User
		c   *Claims
		err error
	)
	if token, cached, secret, ok := a.cachedCredential(r); ok {
		if u, c, err = a.cachedUser(r.Context(), cached, secret); err != nil {
			err = a.refused(r.Context(), token, err)
		}
	} else {
		u, c, err = a.authenticate(r, &dst)
	}
	if err != nil || c == nil {
		return u, Claims{}, err
	}
	return u, c.clone(), nil
}

// authenticate is Authenticate after the cache's short way
// (cachedCredential) has found nothing: the claims, nil for other schemes,
// are *dst or the cache's (see authToken), and must not be modified.
func (a *Auth) authenticate(r *http.Request, dst *Claims) (User, *Claims, error) {
	quick, ok := a.quickCredential(r)
	var quickErr error
	if ok {
		u, c, err := a.checkToken(r.Context(), quick, dst)
		if !errors.Is(err, ErrMalformedToken) {
			if err != nil {
				err = a.refused(r.Context(), quick, err)
			}
			return u, c, err
		}
		// Perhaps the header was not "<prefix> <token>": DRF's split
		// decides, below.
		quickErr = err
	}
	token, found, err := a.jwtCredential(r)
	switch {
	case err != nil:
		return User{}, nil, err
	case found && ok && token == quick:
		return User{}, nil, a.refused(r.Context(), quick, quickErr)
	case found:
		return a.authToken(r.Context(), token, dst)
	}
	for _, other := range a.s.Authenticators {
		u, err := other.Authenticate(r)
		if errors.Is(err, ErrNoCredentials) {
			continue
		}
		if err != nil {
			if _, _, ours := lookupMessage(err); !ours && !errors.As(err, new(*Error)) && !errors.As(err, new(*storeError)) {
				err = &storeError{err}
			}
			return User{}, nil, err
		}
		if !u.IsActive {
			return User{}, nil, ErrUserInactive
		}
		return u, nil, nil
	}
	return User{}, nil, ErrNoCredentials
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
		ac, u, c, err := a.authRequest(r)
		switch {
		case err == nil:
			ac.user, ac.claims = u, c
			r = r.WithContext(ac)
		case anonymousReads && errors.Is(err, ErrNoCredentials) && safeMethod(r.Method):
		default:
			a.fail(w, r, authFailure(err))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// authRequest authenticates r for the middleware. One allocation for the
// context, sized for what it holds: a pointer to the cache's claims, or the
// claims of a cold verification, written in place. A panic in our code or
// in a Settings hook becomes an error answered 500, never a dropped
// connection.
func (a *Auth) authRequest(r *http.Request) (ac *authContext, u User, c *Claims, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &panicError{p, debug.Stack()}
		}
	}()
	if token, cached, secret, ok := a.cachedCredential(r); ok {
		ac = &authContext{Context: r.Context()}
		if u, c, err = a.cachedUser(r.Context(), cached, secret); err != nil {
			err = a.refused(r.Context(), token, err)
		}
		return ac, u, c, err
	}
	oc := &ownedClaims{authContext: authContext{Context: r.Context()}}
	u, c, err = a.authenticate(r, &oc.own)
	return &oc.authContext, u, c, err
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
		if errors.Is(err, ErrInvalidHeader) || errors.Is(err, ErrCrossSiteRequest) {
			logRefusal(r.Context(), a.s.Logger, "jwtauth: request refused", err, slog.String("method", r.Method), slog.String("path", r.URL.Path))
		}
		if e.Status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", a.challenge)
		}
		if e.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.FormatInt(ceilSeconds(e.RetryAfter), 10))
		}
	case errors.As(err, new(*ValidationError)):
	case errors.As(err, new(*storeError)):
		a.s.Logger.ErrorContext(r.Context(), "jwtauth: user store failed", "method", r.Method, "path", r.URL.Path, "err", err)
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
	oc := &ownedClaims{authContext: authContext{Context: ctx, user: u}, own: c.clone()}
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
		return ac.claims.clone(), true
	}
	return Claims{}, false
}
