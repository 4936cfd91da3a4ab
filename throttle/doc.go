// Package throttle limits login attempts, so that a password cannot be
// guessed at the speed a service can hash: DRF's throttles, for the logins
// of github.com/jwtauth-go/jwtauth. A [Throttle] is asked about every
// attempt before its password is checked; jwtauth answers a refusal with
// DRF's 429 "Request was throttled. Expected available in N seconds." and
// Retry-After: N, before any password is hashed.
//
// [Memory] is the built-in one: a budget per username and one per client
// address, kept in this process, with rates written as DRF writes them
// ("5/min", read by [ParseRate]). jwtauth.FromEnv builds it from
// JWT_LOGIN_THROTTLE_USER and JWT_LOGIN_THROTTLE_ADDR. Several instances of
// a service that must share their budgets implement [Throttle] over a
// store they share.
//
// The package does not depend on jwtauth: a Throttle is told only what an
// [Attempt] holds, so that one can be written and tested on its own.
package throttle
