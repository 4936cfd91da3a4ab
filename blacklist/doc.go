// Package blacklist is simplejwt's token blacklist
// (rest_framework_simplejwt.token_blacklist) for Go services: a refresh or
// sliding token is recorded as outstanding when it is issued, blacklisted
// when it is logged out or rotated away, and refused while it is
// blacklisted. Access tokens are never recorded nor checked, as in
// simplejwt: blacklisting a refresh token leaves the access tokens already
// made from it valid until they expire.
//
// [Store] is the contract. [Memory] is the built-in one, kept in this
// process and bounded; a service that shares simplejwt's tables with
// Django uses sqlstore's Store.Blacklist instead, so that a token Django
// blacklists is refused here and the other way round.
//
// The package imports only the standard library, so that a Store can be
// written and tested on its own.
package blacklist
