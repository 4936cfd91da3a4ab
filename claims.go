package jwtauth

import "github.com/jwtauth-go/jwtauth/internal/token"

// Claims is a token's payload, decoded strictly: names match exactly, no
// name appears twice, and every claim has the JSON type it must have. Its
// fields:
//
//   - UserID: user_id in text form, "1" for DRF-JWT's integer keys, the
//     UUID for UUID keys; written as a JSON number when it is a decimal
//     integer.
//   - Username: the username claim, by which the user is looked up.
//   - Email: the email claim.
//   - ExpiresAt: exp, whole seconds; every accepted token has one.
//   - OrigIssuedAt: orig_iat, written when Settings.AllowRefresh is set
//     and kept across refreshes; zero when absent or not an integer.
//   - Audience and Issuer: aud and iss, written when Settings.Audience and
//     Settings.Issuer are set.
//   - NotBefore and IssuedAt: nbf and iat, never written by DRF-JWT,
//     checked when present (nbf must have passed).
//   - Extra: every other claim, such as those of a PayloadHandler, or the
//     claim named by Settings.UsernameField when it is neither username
//     nor email. Numbers decode as json.Number, objects as map[string]any.
//
// Clone returns a deep copy; the claims UserFromContext, ClaimsFromContext
// and VerifyToken return are copies already, the caller's to change.
type Claims = token.Claims
