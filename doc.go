// Package jwtauth is JSON Web Token authentication for net/http services,
// compatible with djangorestframework-jwt (DRF-JWT): the same obtain,
// refresh and verify endpoints, JSON bodies, status codes, messages,
// headers and settings, and tokens that a Django service sharing the secret
// accepts, and whose tokens this package accepts. With [Settings.SimpleJWT]
// it speaks djangorestframework-simplejwt's dialect instead: access,
// refresh and sliding tokens, users found by id, simplejwt's views and its
// blacklist (see [SimpleJWT]).
//
// # Quick start
//
// Build one [Auth] from [Settings] and a [UserStore], then mount its
// [Handlers] and wrap your own handlers with its middleware:
//
//	s, err := jwtauth.FromEnv(os.LookupEnv) // JWT_SECRET_KEY, JWT_AUTH_HEADER_PREFIX, ...
//	if err != nil {
//		log.Fatal(err)
//	}
//	store := &jwtauth.MemoryStore{}
//	_ = store.AddUser(jwtauth.User{ID: "1", Username: "admin", IsActive: true}, "s3cret-pa55")
//	a, err := jwtauth.New(s, store)
//	if err != nil {
//		log.Fatal(err)
//	}
//	h := a.Handlers()
//	mux := http.NewServeMux()
//	mux.Handle("/api-token-auth/", h.Obtain)
//	mux.Handle("/api-token-refresh/", h.Refresh)
//	mux.Handle("/api-token-verify/", h.Verify)
//	mux.Handle("/api/profile/", a.Required(profile))
//
// Inside profile, [UserFromContext] returns the user and [ClaimsFromContext]
// the token's claims. [Auth.Required] is DRF's IsAuthenticated;
// [Auth.ReadOnly] is IsAuthenticatedOrReadOnly. Both have the shape
// func(http.Handler) http.Handler, so they plug into chi's Use and With as
// they are.
//
// # Settings and environment
//
// Each field of [Settings] is one of DRF-JWT's JWT_AUTH settings, and its
// zero value is DRF-JWT's default: HS256, a 300-second lifetime, the JWT
// header prefix, refresh off with a 7-day window, no cookie.
// [FromEnv] reads the same settings from environment variables named as in
// Django (JWT_SECRET_KEY, JWT_EXPIRATION_DELTA, ...). [New] checks the whole
// configuration and reports every problem at once; nothing is checked
// later on a request. DRF-JWT's JWT_VERIFY and JWT_VERIFY_EXPIRATION have
// no equivalent: no setting turns verification off.
//
// # Tokens
//
// New tokens carry DRF-JWT's payload (user_id, username, exp, email, then
// orig_iat, aud and iss as configured) under the header
// {"typ":"JWT","alg":"HS256"}, written byte for byte as DRF-JWT writes
// them. Verification is strict (RFC 8725): the token is at most 8 KiB of the
// base64url alphabet in three canonical segments; its alg must be the
// configured one (never none, never taken from the token, nor any key);
// crit is refused; exp is required and must be a number; aud is refused
// when no audience is configured; claims are decoded case-sensitively and a
// claim that appears twice is refused. The user named by the token is
// loaded from the UserStore on every request, so a deleted or disabled
// account loses access at once.
//
// Keys rotate without logging anyone out: [Keys].Previous keeps up to
// three retired keys that still verify their tokens, Keys.ID writes a kid
// that selects among them, and [Auth.RotateKeys] swaps the keys of a
// running service.
//
// # Errors
//
// Every refused credential wraps one of six sentinels ([ErrNoCredentials],
// [ErrInvalidCredentials], [ErrUserNotFound], [ErrUserInactive],
// [ErrInvalidToken], [ErrExpiredToken]), usable with errors.Is; other
// refusals are an [*Error] whose Status says why (429, 503, 403). Clients
// see DRF's messages only: {"detail": "..."} with a 401 and
// WWW-Authenticate: JWT realm="api" from the middleware,
// {"non_field_errors": [...]} or field errors with a 400 from the
// handlers, both as an [*Error]. A
// failing UserStore gives a 503 and a log record, never a credentials
// message. Settings.ErrorHandler can observe or replace every answer;
// [DefaultErrorHandler] writes DRF's.
//
// # Security
//
// Secrets, passwords and tokens are never logged nor written to a
// response; [Secret], [Keys] and [Settings] print redacted, with every fmt
// verb, through encoding/json and through slog. Refused logins and
// tokens are logged at Debug level, by kind, for an operator who turns
// that level on for Settings.Logger. HMAC secrets shorter
// than the hash, or that look like a public key, are refused. Login does
// the same hashing work for unknown users as for wrong passwords, and at
// most Settings.MaxConcurrentLogins password checks run at once.
// Settings.LoginThrottle, off by default as in DRF, limits login attempts
// per username and per client address ([throttle.NewMemory]) with DRF's 429
// before any password is hashed. The auth
// cookie, when configured, is HttpOnly, Secure and SameSite=Lax, and the
// requests it authenticates with unsafe methods must come from the
// service's own origin (net/http's CrossOriginProtection), as must the
// logins that set it.
//
// # Compatibility with DRF-JWT
//
// The deliberate differences (exp required, passwords not trimmed, 400
// instead of DRF-JWT's server errors, refresh chains capped at
// orig_iat + the refresh window, ...) are listed in the README with the
// reason for each.
package jwtauth
