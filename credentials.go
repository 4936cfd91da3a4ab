package jwtauth

import (
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"unicode/utf8"
)

// authFields splits an Authorization header value as DRF does (Python's
// bytes.split()): on runs of ASCII whitespace, dropping empty parts.
func authFields(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		switch r {
		case ' ', '\t', '\n', '\r', '\v', '\f':
			return true
		}
		return false
	})
}

// equalFoldASCII compares as DRF compares schemes: lower-casing ASCII only,
// so that no Unicode folding (the Kelvin sign, say) can match "k".
func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// schemeCredentials returns what follows scheme in the header value parts.
// found is false when the header is blank or names another scheme: the
// request is not for this authenticator. "<scheme>" alone and
// "<scheme> a b" are errors, noCreds and spaces.
func schemeCredentials(parts []string, scheme string, noCreds, spaces error) (cred string, found bool, err error) {
	if len(parts) == 0 || !equalFoldASCII(parts[0], scheme) {
		return "", false, nil
	}
	switch len(parts) {
	case 1:
		return "", false, noCreds
	case 2:
		return parts[1], true, nil
	}
	return "", false, spaces
}

// authorization returns the request's one Authorization header value. A
// second header is refused: which one a proxy or a framework reads differs,
// and ambiguity in credentials is an attack surface.
func authorization(r *http.Request) (string, error) {
	values := r.Header.Values("Authorization")
	switch len(values) {
	case 0:
		return "", nil
	case 1:
		return values[0], nil
	}
	return "", errDuplicateHeader
}

// jwtCredential finds the token of a request as DRF-JWT does: from the
// Authorization header with our prefix; when the header is absent or blank,
// from the auth cookie if one is configured. A header of another scheme
// hides the cookie and leaves the request to the next authenticator.
func (a *Auth) jwtCredential(r *http.Request) (token string, found bool, err error) {
	header, err := authorization(r)
	if err != nil {
		return "", false, err
	}
	parts := authFields(header)
	if len(parts) == 0 && a.s.AuthCookie != "" {
		if c, err := r.Cookie(a.s.AuthCookie); err == nil {
			return c.Value, true, nil
		}
		return "", false, nil
	}
	return schemeCredentials(parts, a.s.AuthHeaderPrefix, errNoToken, errTokenSpaces)
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
	header, err := authorization(r)
	if err != nil {
		return User{}, err
	}
	cred, found, err := schemeCredentials(authFields(header), "Basic", errBasicNoCreds, errBasicSpaces)
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
