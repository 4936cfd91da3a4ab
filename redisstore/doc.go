// Package redisstore keeps jwtauth's shared state in Redis, so that
// several instances of a service behind one load balancer enforce one set
// of limits and one revocation list rather than one each.
//
// It holds [Throttle], the login throttle of throttle.Memory with its
// budgets in Redis, and [Revocations], a revoke.Store whose entries every
// instance shares.
//
// The revocation check runs on every authenticated request, so it must
// not wait on Redis. Revocations keeps a full replica of the revocation
// list in each instance (a revoke.Memory), fed by Redis pub/sub and
// checked against a sequence number, and answers every check from it.
// A per-key client-side cache (RESP3 tracking, which rueidis offers)
// would not do: each token is seen for the first time once, and a cache
// knows nothing of a key before its first read, so every new token, and
// every token the cache evicted, would cost a round trip. A replica
// needs none, and it is affordable because the revocation list is small:
// it holds only the tokens (and users) revoked, each no longer than the
// tokens it revokes live.
//
// It is built on github.com/redis/rueidis: a RESP3 client whose commands
// from concurrent requests are pipelined on shared connections without
// a pool to size, as the Throttle's scripts are, and whose Receive keeps
// the subscription, resubscribing after a reconnection. Its client-side
// caching is not used. The core package does not import this one, so a
// service that does not use Redis does not depend on rueidis.
package redisstore
