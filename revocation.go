package jwtauth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jwtauth-go/jwtauth/revoke"
)

// defaultReuseGrace is Settings.ReuseGrace's zero value: long enough for
// a client to retry a refresh whose answer it lost, short enough that a
// thief's replay is not mistaken for it.
const defaultReuseGrace = 10 * time.Second

// errNoRevocations is returned by Revoke and RevokeUser when
// Settings.Revocations is not set.
var errNoRevocations = errors.New("jwtauth: revocation is off (Settings.Revocations is nil)")

// Revoke takes tok back before it expires, "logging out": from now on the
// middleware, refresh and verify refuse it, cached or not, and with it
// every token of its refresh-token family, the tokens of the same login
// (simplejwt's family claim, or DRF-JWT's orig_iat). A simplejwt refresh
// or sliding token is blacklisted too, so that a Django service sharing
// the blacklist tables refuses it as well. tok must verify (an error
// wrapping ErrInvalidToken otherwise); an expired token needs no
// revocation and gets none. It needs Settings.Revocations; a failure of
// that store is returned as it is, and the token then is not revoked.
func (a *Auth) Revoke(ctx context.Context, tok string) error {
	if a.s.Revocations == nil {
		return errNoRevocations
	}
	var dst Claims
	hit, _, _, _, err := a.verifyClaims(ctx, tok, &dst)
	switch {
	case errors.Is(err, ErrExpiredToken):
		return nil
	case err != nil:
		return err
	}
	c := &dst
	if hit != nil {
		c = hit
	}
	if err := a.revokeClaims(ctx, c, tok); err != nil {
		return err
	}
	if j := a.s.SimpleJWT; j != nil && (c.TokenType == "refresh" || c.TokenType == "sliding") && c.JTI != "" {
		return a.blacklist(ctx, c, tok)
	}
	return nil
}

// RevokeUser takes back every token of the user whose primary key is id
// issued before now, "logging out everywhere": call it when a password
// changes or an account is compromised. Tokens issued in the same second
// are revoked too, since iat counts whole seconds: a login right after
// may have to be repeated a second later. With a Django blacklist that can
// (sqlstore's), every unexpired refresh and sliding token of the user is
// blacklisted there as well. It needs Settings.Revocations.
func (a *Auth) RevokeUser(ctx context.Context, id string) error {
	if a.s.Revocations == nil {
		return errNoRevocations
	}
	if id == "" {
		return errors.New("jwtauth: RevokeUser: no user id")
	}
	now := a.s.Now()
	e := revoke.Entry{User: id, Before: now, Until: now.Add(a.longestLife() + a.s.Leeway)}
	if err := a.s.Revocations.Add(ctx, e); err != nil {
		return fmt.Errorf("jwtauth: RevokeUser: %w", err)
	}
	if j := a.s.SimpleJWT; j != nil {
		if b, ok := j.Blacklist.(interface {
			BlacklistUser(ctx context.Context, userID string) error
		}); ok {
			if err := b.BlacklistUser(ctx, id); err != nil {
				return fmt.Errorf("jwtauth: RevokeUser: blacklist: %w", err)
			}
		}
	}
	return nil
}

// revokeClaims revokes the token of claims c, and its family.
func (a *Auth) revokeClaims(ctx context.Context, c *Claims, tok string) error {
	entries := []revoke.Entry{{ID: tokenID(c, tok), Until: c.ExpiresAt.Add(a.s.Leeway)}}
	if fam := a.familyOf(c); fam != "" {
		entries = append(entries, revoke.Entry{ID: fam, Until: a.familyUntil(c)})
	}
	for _, e := range entries {
		if err := a.s.Revocations.Add(ctx, e); err != nil {
			return &storeError{fmt.Errorf("revocations: %w", err)}
		}
	}
	return nil
}

// notRevoked refuses a verified token that is revoked: tok with claims c,
// of the user whose key is user. memo is the token's word in the cache:
// the revocation generation it was last found not revoked at, so that a
// cached token is looked up again only after something was revoked. A
// store that cannot tell is a failure of the service (503), never a pass.
func (a *Auth) notRevoked(c *Claims, tok, user string, memo *atomic.Uint64) error {
	// Read before the check: an entry added after this read changes the
	// generation, so the memo written below cannot hide it.
	g := a.s.Revocations.Generation()
	if g != 0 && memo != nil && memo.Load() == g {
		return nil
	}
	t := revoke.Token{ID: tokenID(c, tok), Family: a.familyOf(c), User: user, IssuedAt: a.issuedAt(c)}
	revoked, err := a.s.Revocations.Revoked(t)
	switch {
	case err != nil:
		return &storeError{fmt.Errorf("revocations: %w", err)}
	case revoked:
		return errRevoked
	}
	if g != 0 && memo != nil {
		memo.Store(g)
	}
	return nil
}

// spend records the use of the refresh token tok (claims c) for the
// family's reuse detection (RFC 9700 §4.14.2): a refresh token used
// again, longer than Settings.ReuseGrace after its first use, has been
// stolen, by whoever used it first or by whoever uses it now; the whole
// family is revoked, which stops both.
func (a *Auth) spend(ctx context.Context, c *Claims, tok string) error {
	now := a.s.Now()
	id := tokenID(c, tok)
	first, err := a.s.Revocations.Use(ctx, id, now, c.ExpiresAt.Add(a.s.Leeway))
	if err != nil {
		return &storeError{fmt.Errorf("revocations: %w", err)}
	}
	if !now.After(first.Add(a.reuseGrace())) {
		return nil // the first use, or the client's own retry
	}
	fam := a.familyOf(c)
	if fam == "" {
		fam = id
	}
	if err := a.s.Revocations.Add(ctx, revoke.Entry{ID: fam, Until: a.familyUntil(c)}); err != nil {
		return &storeError{fmt.Errorf("revocations: %w", err)}
	}
	a.s.Logger.WarnContext(ctx, "jwtauth: a refresh token was used twice: its family is revoked",
		tokenTag(tok), "first_use", first.UTC().Format(time.RFC3339))
	return errReplayed
}

// reuseGrace is Settings.ReuseGrace with its default.
func (a *Auth) reuseGrace() time.Duration {
	switch g := a.s.ReuseGrace; {
	case g == 0:
		return defaultReuseGrace
	case g < 0:
		return 0
	default:
		return g
	}
}

// newShortJTI is the jti of a DRF-JWT token: 128 random bits, as many
// as a UUID's, in base64url, 22 characters against a UUID's 32 hex
// digits. Every byte of a token is hashed and decoded on each cold
// request, and the ten saved keep a usual DRF-JWT token within the
// SHA-256 blocks it took without a jti.
func newShortJTI() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand crashes the program instead)
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// tokenID is what a token is revoked by: its jti, or a digest of its
// signing input, header and payload as signed. Never of the signature:
// an ECDSA signature has more than one valid form, while the signing
// input of a verified token has one (the engine refuses non-canonical
// base64).
func tokenID(c *Claims, tok string) string {
	if c.JTI != "" {
		return c.JTI
	}
	sum := sha256.Sum256([]byte(tok[:strings.LastIndexByte(tok, '.')]))
	return "sha256:" + base64.RawURLEncoding.EncodeToString(sum[:])
}

// familyOf is the refresh-token family of c, "" for none. In simplejwt's
// dialect it is the family claim, else the jti of a refresh or sliding
// token (the first of its family; a sliding token keeps its jti when
// renewed). In DRF-JWT's, every token refreshed from one login shares
// its orig_iat: the family is the user and that instant.
func (a *Auth) familyOf(c *Claims) string {
	if a.s.SimpleJWT != nil {
		switch {
		case c.Family != "":
			return c.Family
		case c.TokenType == "refresh" || c.TokenType == "sliding":
			return c.JTI
		}
		return ""
	}
	if c.OrigIssuedAt.IsZero() {
		return ""
	}
	who := c.UserID
	if who == "" {
		who = "username:" + c.Username
	}
	return "orig_iat:" + who + ":" + strconv.FormatInt(c.OrigIssuedAt.Unix(), 10)
}

// familyUntil is when every token of c's family has expired: the end of
// DRF-JWT's refresh window plus a token's lifetime, or, for simplejwt,
// a lifetime from now (no member is issued after the family is revoked).
func (a *Auth) familyUntil(c *Claims) time.Time {
	if a.s.SimpleJWT == nil && !c.OrigIssuedAt.IsZero() {
		return c.OrigIssuedAt.Add(a.s.RefreshExpirationDelta + a.s.ExpirationDelta + a.s.Leeway)
	}
	return a.s.Now().Add(a.longestLife() + a.s.Leeway)
}

// issuedAt is when c was issued, as "log out everywhere" compares it:
// its iat; else, for DRF-JWT, which writes none, orig_iat (the login,
// earlier than any refresh), else its exp less a token's lifetime.
func (a *Auth) issuedAt(c *Claims) time.Time {
	switch {
	case !c.IssuedAt.IsZero():
		return c.IssuedAt
	case !c.OrigIssuedAt.IsZero():
		return c.OrigIssuedAt
	}
	life := a.s.ExpirationDelta
	if j := a.s.SimpleJWT; j != nil {
		switch c.TokenType {
		case "refresh":
			life = j.RefreshTokenLifetime
		case "sliding":
			life = j.SlidingTokenLifetime
		}
	}
	return c.ExpiresAt.Add(-life)
}

// longestLife bounds how long after its issue a token (or, for DRF-JWT,
// a token refreshed from a login) is valid.
func (a *Auth) longestLife() time.Duration {
	if j := a.s.SimpleJWT; j != nil {
		return max(a.s.ExpirationDelta, j.RefreshTokenLifetime, j.SlidingTokenLifetime)
	}
	if a.s.AllowRefresh {
		return a.s.RefreshExpirationDelta + a.s.ExpirationDelta
	}
	return a.s.ExpirationDelta
}
