package drf

import (
	"context"
	"fmt"
	"net/http"
	"unicode/utf8"

	"github.com/jwtauth-go/jwtauth"
	idrf "github.com/jwtauth-go/jwtauth/internal/drf"
)

// The refusals of TokenAuthentication: DRF's message for each, and one of
// jwtauth's sentinels for errors.Is.
var (
	errTokenNoCreds = tokenError("Invalid token header. No credentials provided.",
		fmt.Errorf("%w: token: no credentials after the keyword", jwtauth.ErrInvalidCredentials))
	errTokenSpaces = tokenError("Invalid token header. Token string should not contain spaces.",
		fmt.Errorf("%w: token: credentials contain spaces", jwtauth.ErrInvalidCredentials))
	// A WSGI server joins repeated headers with ", ", so DRF sees spaces.
	errTokenDuplicate = tokenError("Invalid token header. Token string should not contain spaces.",
		fmt.Errorf("%w: token: more than one Authorization header", jwtauth.ErrInvalidCredentials))
	errTokenEncoding = tokenError("Invalid token header. Token string should not contain invalid characters.",
		fmt.Errorf("%w: token: key is not UTF-8", jwtauth.ErrInvalidCredentials))
	errTokenUnknown = tokenError("Invalid token.",
		fmt.Errorf("%w: token: no such key", jwtauth.ErrInvalidToken))
	errTokenInactive = tokenError("User inactive or deleted.",
		fmt.Errorf("%w: token", jwtauth.ErrUserInactive))
)

func tokenError(detail string, err error) *jwtauth.Error {
	return &jwtauth.Error{Status: http.StatusUnauthorized, Detail: detail, Err: err}
}

// TokenAuthentication returns DRF's TokenAuthentication over lookup:
// "Authorization: Token <key>", the keyword matched as DRF matches it
// (ASCII letters in any case), the key given to lookup, which returns the
// key's user, or found false when no user has that key. Put it in
// jwtauth.Settings.Authenticators, after JWT as in DRF's
// DEFAULT_AUTHENTICATION_CLASSES. sqlstore's Store.TokenAuthentication is
// this over DRF's authtoken_token table; a map of keys does for a few
// fixed clients.
//
// A request without a Token header is left to the next authenticator
// (jwtauth.ErrNoCredentials). A bad header, a key lookup does not find and
// an inactive user are refused with a *jwtauth.Error carrying DRF's 401
// message: "Invalid token header. No credentials provided.", "... Token
// string should not contain spaces.", "... should not contain invalid
// characters." (a key that is not UTF-8, which lookup never sees),
// "Invalid token.", "User inactive or deleted.". A second Authorization
// header is refused as DRF refuses the two joined. An error from lookup is
// returned as it is: jwtauth answers it 503, a failure of the service,
// never a credentials message.
//
// The key is a credential: lookup must not log it, and should compare it
// in constant time where it compares it itself.
func TokenAuthentication(lookup func(ctx context.Context, key string) (u jwtauth.User, found bool, err error)) jwtauth.Authenticator {
	return tokenAuth{lookup}
}

type tokenAuth struct {
	lookup func(ctx context.Context, key string) (jwtauth.User, bool, error)
}

func (a tokenAuth) Authenticate(r *http.Request) (jwtauth.User, error) {
	parts, ok := idrf.AuthorizationParts(r)
	if !ok {
		return jwtauth.User{}, errTokenDuplicate
	}
	key, shape := idrf.Credentials(parts, "Token")
	switch shape {
	case idrf.NotMine:
		return jwtauth.User{}, jwtauth.ErrNoCredentials
	case idrf.NoCredentials:
		return jwtauth.User{}, errTokenNoCreds
	case idrf.HasSpaces:
		return jwtauth.User{}, errTokenSpaces
	}
	if !utf8.ValidString(key) {
		return jwtauth.User{}, errTokenEncoding
	}
	u, found, err := a.lookup(r.Context(), key)
	switch {
	case err != nil:
		return jwtauth.User{}, err
	case !found:
		return jwtauth.User{}, errTokenUnknown
	case !u.IsActive:
		return jwtauth.User{}, errTokenInactive
	}
	return u, nil
}
