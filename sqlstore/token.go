package sqlstore

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/jwtauth-go/jwtauth"
	"github.com/jwtauth-go/jwtauth/internal/drf"
)

// The failures of TokenAuthentication, each one of jwtauth's sentinels
// for errors.Is, with DRF's message for it.
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

// maxKeyLength is the length of authtoken_token.key, varchar(40): a longer
// key cannot be stored, so it is not looked up.
const maxKeyLength = 40

// TokenAuthentication returns DRF's TokenAuthentication over the store's
// database: "Authorization: Token <key>", the keyword matched
// case-insensitively, the key looked up in Settings.TokenTable (DRF's
// authtoken_token: key, user_id) joined to the user table. Put it in
// jwtauth.Settings.Authenticators to accept the tokens a Django service
// handed out, after JWT as in DRF's DEFAULT_AUTHENTICATION_CLASSES.
//
// A request without a Token header is left to the next authenticator
// (jwtauth.ErrNoCredentials). A bad header, an unknown key or an inactive
// user is refused with a *jwtauth.Error carrying DRF's 401 message ("Invalid
// token header. No credentials provided.", "... should not contain
// spaces.", "... should not contain invalid characters.", "Invalid
// token.", "User inactive or deleted."); a second Authorization header is
// refused as DRF refuses the two joined. A failure of the database is
// returned as such, and answered 503.
//
// The statement is prepared here, so a missing table is reported now;
// Store.Close closes it.
func (s *Store) TokenAuthentication(ctx context.Context) (jwtauth.Authenticator, error) {
	q := s.q
	stmt, err := s.prepare(ctx, "token lookup", fmt.Sprintf("SELECT %s FROM %s t JOIN %s u ON u.%s = t.%s WHERE t.%s = %s",
		s.userColumns("u.", "t."+q.ident("key")), q.ident(s.s.TokenTable), q.ident(s.s.Table),
		q.ident(s.s.IDColumn), q.ident("user_id"), q.ident("key"), q.placeholder(1)))
	if err != nil {
		return nil, err
	}
	return tokenAuth{stmt}, nil
}

type tokenAuth struct{ stmt *sql.Stmt }

func (a tokenAuth) Authenticate(r *http.Request) (jwtauth.User, error) {
	parts, ok := drf.AuthorizationParts(r)
	if !ok {
		return jwtauth.User{}, errTokenDuplicate
	}
	key, shape := drf.Credentials(parts, "Token")
	switch shape {
	case drf.NotMine:
		return jwtauth.User{}, jwtauth.ErrNoCredentials
	case drf.NoCredentials:
		return jwtauth.User{}, errTokenNoCreds
	case drf.HasSpaces:
		return jwtauth.User{}, errTokenSpaces
	}
	if !utf8.ValidString(key) {
		return jwtauth.User{}, errTokenEncoding
	}
	// No such key can be stored (and PostgreSQL would refuse a NUL with an
	// error): DRF's answer for a key that is not there.
	if utf8.RuneCountInString(key) > maxKeyLength || strings.IndexByte(key, 0) >= 0 {
		return jwtauth.User{}, errTokenUnknown
	}
	row, found, err := queryRow(r.Context(), a.stmt, "token lookup", key)
	switch {
	case err != nil:
		return jwtauth.User{}, err
	// The key must match exactly, as on PostgreSQL and SQLite: MySQL's
	// default collations ignore case and trailing spaces.
	case !found || subtle.ConstantTimeCompare([]byte(row.secret), []byte(key)) != 1:
		return jwtauth.User{}, errTokenUnknown
	case !row.user.IsActive:
		return jwtauth.User{}, errTokenInactive
	}
	return row.user, nil
}
