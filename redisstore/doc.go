// Package redisstore keeps jwtauth's shared state in Redis, so that
// several instances of a service behind one load balancer enforce one set
// of limits rather than one each.
//
// For now it holds [Throttle], the login throttle of throttle.Memory with
// its budgets in Redis. The revocation list and the refresh-token
// families will join it.
//
// It is built on github.com/redis/rueidis, not go-redis, because the
// revocation check will run on every authenticated request: rueidis's
// RESP3 client-side caching lets it answer from memory, kept current by
// the server's invalidations, instead of a round trip per request. The
// core package does not import this one, so a service that does not use
// Redis does not depend on rueidis.
package redisstore
