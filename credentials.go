package jwtauth

import (
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/jwtauth-go/jwtauth/internal/drf"
)

// credential maps what the Authorization header holds for scheme to our
// errors: noCreds for "<scheme>" alone, spaces for "<scheme> a b", and
// found false when the request is not for this scheme.
func credential(parts []string, ok bool, scheme string, noCreds, spaces error) (cred string, found bool, err error) {
	if !ok {
		return "", false, errDuplicateHeader
	}
	cred, shape := drf.Credentials(parts, scheme)
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
	parts, ok := drf.AuthorizationParts(r)
	if ok && len(parts) == 0 && a.s.AuthCookie != "" {
		if c, err := r.Cookie(a.s.AuthCookie); err == nil {
			return c.Value, true, nil
		}
		return "", false, nil
	}
	return credential(parts, ok, a.s.AuthHeaderPrefix, errNoToken, errTokenSpaces)
}

// BasicAuthentication returns DRF's BasicAuthentication over store:
// "Authorization: Basic base64(username:password)", with DRF's messages. Put
// it in Settings.Authenticators to accept it after JWT, as seed 000's
// DEFAULT_AUTHENTICATION_CLASSES do. Each request costs a password hash.
func BasicAuthentication(store UserStore) Authenticator {
	return basicAuth{store}
}

type basicAuth struct{ store UserStore }

func (b basicAuth) Authenticate(r *http.Request) (User, error) {
	parts, ok := drf.AuthorizationParts(r)
	cred, found, err := credential(parts, ok, "Basic", errBasicNoCreds, errBasicSpaces)
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
	u, err := b.store.Authenticate(r.Context(), username, password)
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
