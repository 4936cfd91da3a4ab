package main

import (
	"flag"
	"fmt"
)

// newFlagSet declares the flags into o; its Usage is usage's text.
func newFlagSet(o *options) *flag.FlagSet {
	fs := flag.NewFlagSet(progName(), flag.ExitOnError)
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8000", "`host:port` to listen on (port 0: any free port)")
	fs.StringVar(&o.users, "users", "", "`FILE` of users: a JSON array of {\"id\", \"username\", \"password\", \"email\", \"is_active\", \"token\"},\n"+
		"token being the user's DRF token key, if any\n(default: one demo user, admin, password admin, token "+demoTokenKey+")")
	fs.StringVar(&o.db, "db", "", "`DSN` of a Django database whose users and DRF tokens to serve, read-only:\nsqlite:PATH (e.g. sqlite:db.sqlite3) or postgres://USER:PASSWORD@HOST/NAME")
	fs.StringVar(&o.userTable, "user-table", "", "`TABLE` of the users in -db, for a custom AUTH_USER_MODEL (default auth_user)")
	fs.StringVar(&o.usernameColumn, "username-column", "", "`COLUMN` of the username in -user-table (default JWT_USERNAME_FIELD's, username)")
	fs.StringVar(&o.userIDColumn, "user-id-column", "", "`COLUMN` of the primary key in -user-table (default SIMPLE_JWT_USER_ID_FIELD's, id)")
	fs.Usage = func() { usage(fs) }
	return fs
}

// usage writes what -h shows to fs's output: the endpoints, the
// environment variables and the flags.
func usage(fs *flag.FlagSet) {
	fmt.Fprintf(fs.Output(), `Usage: %s [-addr host:port] [-users FILE | -db DSN [-user-table TABLE ...]]

djangorestframework-jwt's endpoints and one protected view, authenticating
with JSON Web Tokens, then (with -db) the Django site's sessions, then DRF
Token, then HTTP Basic; with JWT_DIALECT=simplejwt,
djangorestframework-simplejwt's.

Endpoints (each obtain, refresh and verify path also matches longer paths):
  POST /api-token-auth/       obtain a token: {"username": ..., "password": ...}
  POST /api-token-refresh/    a fresh token for a token: {"token": ...}
                              (with JWT_ALLOW_REFRESH=True)
  POST /api-token-verify/     the token back if it is valid: {"token": ...}
  POST /api-token-blacklist/  log out (authenticated): the request's own token, or {"token": ...};
                              it and the tokens refreshed from its login are refused from then on
  POST /auth-jwt/             obtain, as the tutorial names it
  POST /jwt-auth/             obtain, as the tutorial's curl call names it
  POST /auth-jwt-refresh/     refresh, as the tutorial names it
  POST /auth-jwt-verify/      verify, as the tutorial names it
  GET  /api/protected/        the authenticated user: {"user_id": 1, "username": "admin"}
                              (also HEAD and OPTIONS)

Endpoints with JWT_DIALECT=simplejwt (exact paths):
  POST /api/token/            a pair: {"username": ..., "password": ...} -> {"refresh", "access"}
  POST /api/token/refresh/    an access token for a refresh token: {"refresh": ...}
                              (and a new refresh token with SIMPLE_JWT_ROTATE_REFRESH_TOKENS=True)
  POST /api/token/verify/     {} if the token is valid: {"token": ...}
  POST /api/token/blacklist/  log out: blacklists a refresh token, {"refresh": ...}, and
                              revokes the access tokens of its login
  POST /api/token/sliding/    a sliding token: {"username": ..., "password": ...}
  POST /api/token/sliding/refresh/
                              a renewed sliding token: {"token": ...}
  GET  /api/protected/        as above, with "Authorization: Bearer <access token>"

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
  JWT_DIALECT                     drf-jwt (default) or simplejwt
  JWT_REDIS_URL                   redis://[:PASSWORD@]HOST:PORT/DB: revocations and the login
                                  throttle's budgets shared by every instance
                                  (default: this process's memory)
  JWT_REVOCATION_FAIL_OPEN        with Redis out of reach, answer from what this instance knows
                                  for this long (a Go duration; default 0: 503 at once)
  JWT_REVOCATION_MAX_STALENESS    how long an instance may go without hearing from Redis before
                                  it counts as out of reach (default 1s)

Environment of the Django site's session login (with -db; see package session):
  DJANGO_SECRET_KEY               the site's SECRET_KEY: without it, no session login
  DJANGO_SECRET_KEY_FALLBACKS     retired SECRET_KEYs, separated by commas
  SESSION_ENGINE                  django.contrib.sessions.backends.db (default) or ...signed_cookies
  SESSION_COOKIE_NAME, SESSION_COOKIE_AGE
                                  sessionid, 1209600 (defaults)
  AUTHENTICATION_BACKENDS         django.contrib.auth.backends.ModelBackend (default)
  CSRF_COOKIE_NAME, CSRF_HEADER_NAME, CSRF_COOKIE_DOMAIN
                                  csrftoken, HTTP_X_CSRFTOKEN, none (defaults)
  SECURE_PROXY_SSL_HEADER         behind a TLS proxy: HTTP_X_FORWARDED_PROTO,https
  DJANGO_SESSION_LEGACY           True to read Django 3.2's SHA-1 and pre-3.1 sessions

Environment with JWT_DIALECT=simplejwt (simplejwt's settings, in place of
DRF-JWT's for the key, algorithm, lifetimes, leeway, aud, iss and header):
  SIMPLE_JWT_SIGNING_KEY          the HMAC secret, or a PEM private key (default: DJANGO_SECRET_KEY)
  SIMPLE_JWT_VERIFYING_KEY        a PEM public key
  SIMPLE_JWT_ALGORITHM            HS256 (default), ...
  SIMPLE_JWT_ACCESS_TOKEN_LIFETIME, SIMPLE_JWT_REFRESH_TOKEN_LIFETIME
                                  seconds or a Go duration (defaults 5 min, 1 day)
  SIMPLE_JWT_SLIDING_TOKEN_LIFETIME, SIMPLE_JWT_SLIDING_TOKEN_REFRESH_LIFETIME
                                  likewise (defaults 5 min, 1 day)
  SIMPLE_JWT_LEEWAY               likewise (default 0)
  SIMPLE_JWT_ROTATE_REFRESH_TOKENS, SIMPLE_JWT_BLACKLIST_AFTER_ROTATION,
  SIMPLE_JWT_UPDATE_LAST_LOGIN, SIMPLE_JWT_CHECK_REVOKE_TOKEN
                                  True or False (default)
  SIMPLE_JWT_AUTH_HEADER_TYPES    Bearer (default), or a list: Bearer,JWT
  SIMPLE_JWT_AUDIENCE, SIMPLE_JWT_ISSUER
                                  the aud and iss of tokens (default: none)
  SIMPLE_JWT_USER_ID_FIELD        the users' primary key column (default id)
  SIMPLE_JWT_USER_ID_CLAIM        user_id (default)
  SIMPLE_JWT_AUTH_TOKEN_CLASSES   AccessToken (default), or AccessToken,SlidingToken
  SIMPLE_JWT_TOKEN_TYPE_CLAIM, SIMPLE_JWT_JTI_CLAIM, SIMPLE_JWT_SLIDING_TOKEN_REFRESH_EXP_CLAIM
                                  their defaults only (token_type, jti, refresh_exp)
  SIMPLE_JWT_CHECK_USER_IS_ACTIVE True only: inactive users are always refused

Flags:
`, fs.Name())
	fs.PrintDefaults()
}
