package jwtauth

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
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

// jwtCredential finds the token of a request as DRF-JWT does: from the
// Authorization header with our prefix; when the header is absent or blank,
// from the auth cookie if one is configured. A header of another scheme
// hides the cookie and leaves the request to the next authenticator.
func (a *Auth) jwtCredential(r *http.Request) (token string, found bool, err error) {
	h, ok := drf.ParseAuthorization(r)
	if ok && h.N == 0 && a.s.AuthCookie != "" {
		c, err := r.Cookie(a.s.AuthCookie)
		if err != nil {
			return "", false, nil
		}
		// A browser sends the cookie with requests other sites make it
		// send: unsafe methods must come from our own origin.
		if err := a.sameOrigin(r); err != nil {
			return "", false, err
		}
		return c.Value, true, nil
	}
	return credential(h, ok, a.s.AuthHeaderPrefix, errNoToken, errTokenSpaces)
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
	return &Error{Status: http.StatusForbidden, Detail: msg, Err: ErrCrossSiteRequest}
}

// quickCredential is the short way to the token of the usual request: one
// Authorization header, exactly "<prefix> <token>" with one space. It does
// not look for white space inside the token: a token that holds any fails
// verification as malformed, and only then does authenticate split the
// header as DRF does, to answer DRF's message for it.
func (a *Auth) quickCredential(r *http.Request) (string, bool) {
	v := r.Header["Authorization"]
	n := len(a.s.AuthHeaderPrefix)
	if len(v) != 1 || len(v[0]) <= n+1 || v[0][n] != ' ' || v[0][n+1] <= ' ' || !drf.EqualFoldASCII(v[0][:n], a.s.AuthHeaderPrefix) {
		return "", false
	}
	return v[0][n+1:], true
}

// cachedCredential returns the cache's claims for the token of a request
// that quickCredential reads. A cached token verified, so it holds no white
// space: the header has the two parts the long way would find.
func (a *Auth) cachedCredential(r *http.Request) (token string, c *Claims, secret []byte, ok bool) {
	if a.cache == nil {
		return "", nil, nil, false
	}
	if token, ok = a.quickCredential(r); !ok {
		return "", nil, nil, false
	}
	c, secret, ok = a.cache.get(token, a.keys.Load(), a.s.Now())
	return token, c, secret, ok
}

// BasicAuthentication returns DRF's BasicAuthentication over store:
// "Authorization: Basic base64(username:password)", with DRF's messages. Put
// it in Settings.Authenticators to accept it after JWT, as seed 000's
// DEFAULT_AUTHENTICATION_CLASSES do. Each request costs a password hash, and
// shares the Auth's bound on concurrent password checks
// (Settings.MaxConcurrentLogins) and its Settings.LoginThrottle: every
// request with Basic credentials is a login attempt.
func BasicAuthentication(store UserStore) Authenticator {
	return basicAuth{store: store}
}

type basicAuth struct {
	store UserStore
	slots loginSlots // the Auth's, bound by New
}

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
	u, err := b.slots.run(r, username, func() (User, error) {
		return b.store.Authenticate(r.Context(), username, password)
	})
	if errors.Is(err, ErrTooManyLogins) || errors.Is(err, ErrThrottled) {
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
