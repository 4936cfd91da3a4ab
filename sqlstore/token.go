package sqlstore

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jwtauth-go/jwtauth"
	"github.com/jwtauth-go/jwtauth/drf"
)

// maxKeyLength is the length of authtoken_token.key, varchar(40): a longer
// key cannot be stored, so it is not looked up.
const maxKeyLength = 40

// TokenAuthentication returns DRF's TokenAuthentication
// (drf.TokenAuthentication) over the store's database: "Authorization:
// Token <key>", the keyword matched
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
	return drf.TokenAuthentication(func(ctx context.Context, key string) (jwtauth.User, bool, error) {
		return lookupToken(ctx, s.s.Timeout, stmt, key)
	}), nil
}

// lookupToken returns the user of key, found false when no row has it.
func lookupToken(ctx context.Context, timeout time.Duration, stmt *sql.Stmt, key string) (jwtauth.User, bool, error) {
	// No such key can be stored (and PostgreSQL would refuse a NUL with an
	// error): DRF's answer for a key that is not there.
	if utf8.RuneCountInString(key) > maxKeyLength || strings.IndexByte(key, 0) >= 0 {
		return jwtauth.User{}, false, nil
	}
	row, found, err := queryRow(ctx, timeout, stmt, "token lookup", key)
	// The key must match exactly, as on PostgreSQL and SQLite: MySQL's
	// default collations ignore case and trailing spaces.
	if err != nil || !found || subtle.ConstantTimeCompare([]byte(row.secret), []byte(key)) != 1 {
		return jwtauth.User{}, false, err
	}
	return row.user, true, nil
}
