// Package revoke takes tokens back before they expire: logout, "log out
// everywhere", and the refresh-token families that catch a stolen refresh
// token replayed (RFC 9700 §4.14.2). It is one contract for both of
// jwtauth's dialects.
//
// A revocation is an [Entry]: one token or one family by id, or every
// token of one user issued before an instant. The Auth asks [Store.Revoked]
// on every authenticated request, so a Store answers it from memory,
// without I/O; [Store.Generation] lets the Auth skip even that for a
// cached token nothing has been revoked since it was last checked.
//
// [Memory] is the built-in Store, for one process, bounded, each entry
// kept until the tokens it revokes have expired. redisstore's Revocations
// shares entries between the instances of a service through Redis while
// answering from a local Memory.
//
// The package imports only the standard library, so that a Store can be
// written and tested on its own.
package revoke
