package jwtauth

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/jwtauth-go/jwtauth/internal/drf"
)

// credential maps what the Authorization header holds for scheme to our
// errors: noCreds for "<scheme>" alone, spaces for "<scheme> a b", and
// found false when the request is not for this scheme.
func credential(h drf.Header, ok bool, scheme string, noCreds, spaces error) (cred string, found bool, err error) {
	if !ok {
		return "", false, errDuplicateHeader
	}
	cred, shape := h.Credentials(scheme)
	switch shape {
	case drf.NoCredentials:
		return "", false, noCreds
	case drf.HasSpaces:
		return "", false, spaces
	}
	return cred, shape == drf.Found, nil
}

// errNotJWT: the request carries no JWT, and is left to the other
// authenticators.
var errNotJWT = fmt.Errorf("%w: no JWT", ErrNoCredentials)

// credential reads the request's token, once, as DRF-JWT finds it: from
// the Authorization header with our prefix; when the header is absent or
// blank, from the auth cookie if one is configured. A header of another
// scheme hides the cookie and leaves the request to the other
// authenticators (errNotJWT). The usual request, one header of exactly
// "<prefix> <token>", is read without splitting it.
func (a *Auth) credential(r *http.Request) (string, error) {
	if a.s.SimpleJWT != nil {
		return a.bearer(r)
	}
	v := r.Header["Authorization"]
	if n := len(a.s.AuthHeaderPrefix); len(v) == 1 && len(v[0]) > n+1 && v[0][n] == ' ' &&
		drf.EqualFoldASCII(v[0][:n], a.s.AuthHeaderPrefix) && !drf.HasHeaderSpace(v[0][n+1:]) {
		return v[0][n+1:], nil
	}
	h, ok := drf.ParseAuthorization(r)
	if ok && h.N == 0 && a.s.AuthCookie != "" {
		return a.cookie(r)
	}
	tok, found, err := credential(h, ok, a.s.AuthHeaderPrefix, errNoToken, errTokenSpaces)
	if err == nil && !found {
		err = errNotJWT
	}
	return tok, err
}

// bearer reads the token as simplejwt's JWTAuthentication does: the
// header split on white space, its first part one of AuthHeaderTypes
// exactly (case included), else the request is left to the other
// authenticators; then exactly two parts. The usual request is read
// without splitting it.
func (a *Auth) bearer(r *http.Request) (string, error) {
	v := r.Header["Authorization"]
	types := a.s.SimpleJWT.AuthHeaderTypes
	if len(v) == 1 {
		for _, t := range types {
			if n := len(t); len(v[0]) > n+1 && v[0][n] == ' ' && v[0][:n] == t && !drf.HasHeaderSpace(v[0][n+1:]) {
				return v[0][n+1:], nil
			}
		}
	}
	if len(v) == 0 {
		return "", errNotJWT
	}
	if len(v) > 1 {
		// A WSGI server joins repeated headers with ", ": the first
		// decides whose they are, and they are more than two parts.
		v = v[:1]
	}
	h, _ := drf.ParseAuthorization(&http.Request{Header: http.Header{"Authorization": v}})
	switch {
	case h.N == 0 || !slices.Contains(types, h.First):
		return "", errNotJWT
	case h.N != 2 || len(r.Header["Authorization"]) > 1:
		return "", errBadAuthHeader
	}
	return h.Second, nil
}

// cookie reads the token of the auth cookie. Sent twice (a sibling
// subdomain can add its own), it is refused: Django would read the last
// copy and net/http the first, and which one is the victim's is unknown.
func (a *Auth) cookie(r *http.Request) (string, error) {
	cs := r.CookiesNamed(a.s.AuthCookie)
	switch {
	case len(cs) == 0:
		return "", errNotJWT
	case len(cs) > 1:
		return "", errDuplicateCookie
	}
	// A browser sends the cookie with requests other sites make it
	// send: unsafe methods must come from our own origin.
	if err := a.sameOrigin(r); err != nil {
		return "", err
	}
	return cs[0].Value, nil
}

// others tries Settings.Authenticators in turn, for a request without a
// JWT, as DRF tries the rest of DEFAULT_AUTHENTICATION_CLASSES. The
// request's context carries the Auth's login guard, which
// BasicAuthentication finds there however it is wrapped.
func (a *Auth) others(r *http.Request) (User, error) {
	if len(a.s.Authenticators) == 0 {
		return User{}, ErrNoCredentials
	}
	orig := r
	r = r.WithContext(context.WithValue(r.Context(), loginsKey{}, a.logins))
	for _, other := range a.s.Authenticators {
		u, err := other.Authenticate(r)
		// An authenticator that reads the body (SessionAuthentication's
		// CSRF check reads a form's csrfmiddlewaretoken) puts a fresh
		// one on the request it was given: the handler must get it.
		orig.Body = r.Body
		if errors.Is(err, ErrNoCredentials) {
			continue
		}
		if err != nil {
			if _, _, ours := lookupMessage(err); !ours && !errors.As(err, new(*Error)) && !errors.As(err, new(*storeError)) {
				err = &storeError{err}
			}
			return User{}, err
		}
		if !u.IsActive {
			return User{}, ErrUserInactive
		}
		return u, nil
	}
	return User{}, ErrNoCredentials
}

// sameOrigin refuses a cross-site request with an unsafe method, as DRF's
// SessionAuthentication enforces CSRF, with net/http's CrossOriginProtection
// (Sec-Fetch-Site, then Origin against Host; Settings.TrustedOrigins
// allowed).
func (a *Auth) sameOrigin(r *http.Request) error {
	if a.csrf == nil || a.csrf.Check(r) == nil {
		return nil
	}
	msg := "CSRF Failed: cross-site request."
	if o := r.Header.Get("Origin"); o != "" {
		msg = fmt.Sprintf("CSRF Failed: Origin checking failed - %s does not match any trusted origins.", o)
	}
	return &Error{Status: http.StatusForbidden, Detail: msg, Err: errCrossSite}
}

// BasicAuthentication returns DRF's BasicAuthentication over store:
// "Authorization: Basic base64(username:password)", with DRF's messages. Put
// it in Settings.Authenticators to accept it after JWT, as DRF's tutorial
// chain does, wrapped in authenticators of your own if you like. Each
// request costs a password hash, and shares the Auth's bound on concurrent
// password checks (Settings.MaxConcurrentLogins) and its
// Settings.LoginThrottle: every request with Basic credentials is a login
// attempt. Called outside an Auth, it checks passwords under the default
// bound and no throttle.
func BasicAuthentication(store UserStore) Authenticator {
	return basicAuth{store: store}
}

type basicAuth struct{ store UserStore }

func (b basicAuth) Authenticate(r *http.Request) (User, error) {
	h, ok := drf.ParseAuthorization(r)
	cred, found, err := credential(h, ok, "Basic", errBasicNoCreds, errBasicSpaces)
	if !found {
		if err == nil {
			err = ErrNoCredentials
		}
		return User{}, err
	}
	raw, err := base64.StdEncoding.DecodeString(cred)
	if err != nil {
		return User{}, errBasicEncoding
	}
	// DRF decodes UTF-8 and falls back to Latin-1.
	text := string(raw)
	if !utf8.Valid(raw) {
		runes := make([]rune, len(raw))
		for i, c := range raw {
			runes[i] = rune(c)
		}
		text = string(runes)
	}
	// DRF partitions at the first colon: without one, the password is
	// empty and the credentials simply do not match.
	username, password, _ := strings.Cut(text, ":")
	u, err := loginsOf(r.Context()).run(r, username, func() (User, error) {
		return b.store.Authenticate(r.Context(), username, password)
	})
	if errors.Is(err, errTooManyLogins) || errors.Is(err, errThrottled) {
		return User{}, err
	}
	switch {
	case errors.Is(err, ErrInvalidCredentials):
		return User{}, errBasicInvalid
	case err != nil:
		return User{}, &storeError{err}
	case !u.IsActive:
		return User{}, errBasicInactive
	}
	return u, nil
}
