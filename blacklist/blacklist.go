// Package blacklist is the contract of simplejwt's token blacklist:
// outstanding and blacklisted refresh and sliding tokens, by jti.
package blacklist

import (
	"context"
	"time"
)

// Token is a refresh or sliding token as simplejwt's OutstandingToken row
// records it.
type Token struct {
	JTI       string    // the jti claim, unique
	UserID    string    // the user's primary key in text form; "" means NULL
	Token     string    // the whole encoded token
	CreatedAt time.Time // the iat; zero means NULL
	ExpiresAt time.Time // the exp
}

// Store holds outstanding and blacklisted tokens. Implementations are
// safe for concurrent use.
type Store interface {
	// Outstanding records t as issued; recording a jti twice is not an
	// error.
	Outstanding(ctx context.Context, t Token) error
	// Blacklist blacklists t, first recording it as outstanding when it is
	// not; blacklisting twice is not an error.
	Blacklist(ctx context.Context, t Token) error
	// Blacklisted reports whether the token with this jti is blacklisted.
	Blacklisted(ctx context.Context, jti string) (bool, error)
}
