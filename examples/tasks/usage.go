package main

import (
	"flag"
	"fmt"
)

// newFlagSet declares the flags into o; its Usage is usage's text.
func newFlagSet(o *options) *flag.FlagSet {
	fs := flag.NewFlagSet(progName(), flag.ExitOnError)
	fs.StringVar(&o.addr, "addr", "127.0.0.1:9000", "`host:port` to listen on (port 0: any free port)")
	fs.StringVar(&o.users, "users", "", "`FILE` of users: a JSON array of {\"id\", \"username\", \"password\", \"email\", \"is_active\"}\n(default: one demo user, admin, password admin)")
	fs.StringVar(&o.db, "db", "", "`DSN` of a Django database whose users to serve, read-only:\nsqlite:PATH (e.g. sqlite:db.sqlite3) or postgres://USER:PASSWORD@HOST/NAME")
	fs.Usage = func() { usage(fs) }
	return fs
}

// usage writes what -h shows to fs's output: the endpoints, the
// environment variables and the flags.
func usage(fs *flag.FlagSet) {
	fmt.Fprintf(fs.Output(), `Usage: %s [-addr host:port] [-users FILE | -db DSN]

The tutorial's tasks API: anyone reads, a JSON Web Token writes.

Endpoints:
  POST   /api-auth/          obtain a token: {"username": ..., "password": ...}
  POST   /api-token-blacklist/
                             log out (authenticated): the request's own token, or {"token": ...}
  GET    /tasks/             the tasks
  POST   /tasks/             a new task: {"title": ..., "due_to": ..., "person": USER_ID}
  GET    /tasks/{id}/        one task
  PUT    /tasks/{id}/        a task replaced (every field)
  PATCH  /tasks/{id}/        a task changed (the fields given)
  DELETE /tasks/{id}/        a task deleted
  GET    /users/             the users, each with the ids of their tasks
  POST   /users/             a new user, who cannot log in: {"username": ..., "tasks": [TASK_ID, ...]}
                             (the tasks given become theirs)
  GET    /users/{id}/        one user
  Every view also answers HEAD and OPTIONS; writes need "Authorization: JWT <token>".

Environment (DRF-JWT's settings; unset or empty means the default):
  JWT_SECRET_KEY                  the HMAC secret (default: a random one, with a warning)
  JWT_PRIVATE_KEY, JWT_PUBLIC_KEY PEM text, or the path of a PEM file
  JWT_KEY_ID                      the kid of new tokens (default: none)
  JWT_PREVIOUS_SECRET_KEYS        retired HMAC secrets, separated by commas
  JWT_PREVIOUS_PUBLIC_KEYS        retired public keys: PEM text or file
  JWT_ALGORITHM                   HS256 (default), HS384, HS512, RS256, ..., EdDSA
  JWT_EXPIRATION_DELTA            seconds ("300", the default) or a Go duration ("5m")
  JWT_REFRESH_EXPIRATION_DELTA    likewise (default 7 days)
  JWT_LEEWAY                      likewise (default 0)
  JWT_ALLOW_REFRESH               True or False (default)
  JWT_AUDIENCE, JWT_ISSUER        the aud and iss of tokens (default: none)
  JWT_AUTH_HEADER_PREFIX          JWT (default), Bearer, ...
  JWT_AUTH_COOKIE                 a cookie to carry the token (default: none)
  JWT_AUTH_COOKIE_SECURE          True (default) or False
  JWT_AUTH_COOKIE_SAMESITE        Lax (default), Strict or None
  JWT_USERNAME_FIELD              username (default), or email, ...
  JWT_TOKEN_CACHE_SIZE            verified tokens to remember (default 0: off)
  JWT_MAX_CONCURRENT_LOGINS       password checks at once (default 0: 4 per CPU)
  JWT_LOGIN_THROTTLE_USER         login attempts per username ("5/min"; default: no limit)
  JWT_LOGIN_THROTTLE_ADDR         login attempts per client address ("20/min")
  JWT_CLIENT_IP_HEADER            the proxy's header with the client address
                                  (X-Forwarded-For, X-Real-IP; default: the peer)
  JWT_VERIFY, JWT_VERIFY_EXPIRATION
                                  True only: verification cannot be turned off
  CSRF_TRUSTED_ORIGINS            origins allowed cookie-authenticated writes
  JWT_DIALECT                     drf-jwt only (examples/basic serves simplejwt)
  JWT_REDIS_URL                   redis://[:PASSWORD@]HOST:PORT/DB: revocations and the login
                                  throttle's budgets shared by every instance
                                  (default: this process's memory)
  JWT_REVOCATION_FAIL_OPEN        with Redis out of reach, answer from what this instance knows
                                  for this long (a Go duration; default 0: 503 at once)
  JWT_REVOCATION_MAX_STALENESS    how long an instance may go without hearing from Redis before
                                  it counts as out of reach (default 1s)

Flags:
`, fs.Name())
	fs.PrintDefaults()
}
