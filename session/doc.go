// Package session is Django REST framework's SessionAuthentication for a
// Go service that shares a Django project's sessions: a browser logged in
// to the Django site (its admin, its login view) is logged in to the Go
// service too, with the same session cookie and the same CSRF rules.
// It only reads sessions; it never writes, renews or deletes one.
//
// Put the authenticator [New] returns in jwtauth's
// Settings.Authenticators, so that it is tried after JWT as DRF tries
// SessionAuthentication after the classes before it:
//
//	sa, err := session.New(session.Settings{
//		SecretKey: jwtauth.Secret(os.Getenv("DJANGO_SECRET_KEY")),
//		Store:     sessions, // reads django_session
//		Users:     users,
//	})
//	...
//	s.Authenticators = []jwtauth.Authenticator{sa}
//
// # What a request gets
//
// No session cookie: an error wrapping jwtauth.ErrNoCredentials, and the
// next authenticator is tried. A cookie that names no session of an active
// user is what Django makes of it, an anonymous request: an error
// wrapping [ErrInvalidSession], which wraps jwtauth.ErrNoCredentials, so
// the next authenticator is tried and no 401 of its own is answered. That
// covers a bad or tampered signature, truncated or malformed data, an
// expired session, a session without a logged-in user, an
// _auth_user_backend not in Settings.Backends, a user who no longer
// exists, an inactive user, and an _auth_user_hash that no longer matches
// the user's password column (the password changed). A failure of the
// [Store] or of the UserStore is a failure of the service (jwtauth answers
// 503). A session of an active user is the user, once the CSRF check
// passes.
//
// Inactive users: ModelBackend refuses them, AllowAllUsersModelBackend
// lets Django's request.user be one, and DRF's SessionAuthentication then
// refuses them itself ("if not user or not user.is_active: return None").
// So an inactive user's session is anonymous here whatever the backend.
//
// # CSRF
//
// As DRF does, the check applies only to a request the session
// authenticated, and only to methods other than GET, HEAD, OPTIONS and
// TRACE. It is Django 3.2's CsrfViewMiddleware.process_view, the version
// DRF's reference server here runs, and its refusals are DRF's 403
// {"detail": "CSRF Failed: <reason>"} as a *jwtauth.Error wrapping
// [ErrCSRF], with 3.2's reasons:
//
//   - over HTTPS (r.TLS, or Settings.SecureProxySSLHeader), the strict
//     Referer check: "Referer checking failed - no Referer.", "... -
//     Referer is malformed.", "... - Referer is insecure while host is
//     secure.", "... - <referer> does not match any trusted origins."; the
//     Referer's host must be the request's (r.Host, or
//     Settings.CSRFCookieDomain when set) or one of
//     Settings.TrustedOrigins;
//   - "CSRF cookie not set." without the CSRF cookie;
//   - "CSRF token missing or incorrect." unless the token, from the
//     csrfmiddlewaretoken field of a urlencoded or multipart POST body, or
//     else from the X-CSRFToken header, has the cookie's secret. Either
//     may be masked (64 characters) or not (32); the secrets are compared
//     in constant time.
//
// The body is read only for such a POST with a Content-Length, at most
// 2.5 MB of it (Django's DATA_UPLOAD_MAX_MEMORY_SIZE), and put back for
// the handler to read whole. The request's host is taken as allowed
// (ALLOWED_HOSTS = ["*"]): check hosts before this runs if you must.
// CSRF_USE_SESSIONS is not supported: the token is the cookie's.
//
// # Django versions
//
// Sessions are read as every Django from 3.1 to 6.0 writes them with its
// default JSON serializer (a project on PickleSerializer, gone in 5.0,
// cannot be read): the db
// engine's session_data (django.core.signing.dumps with salt
// "django.contrib.sessions.SessionStore", compressed when shorter: an
// optional "." and zlib, base64url, a base62 timestamp, an HMAC-SHA256
// signature keyed with SHA-256("django.contrib.sessions.SessionStore" +
// "signer" + SECRET_KEY)) and the signed_cookies engine's cookie (the
// same with salt "django.contrib.sessions.backends.signed_cookies", and
// SESSION_COOKIE_AGE as its max_age). Django 4.1 added SECRET_KEY_FALLBACKS
// to signing, and 4.1.8 to the _auth_user_hash check:
// Settings.SecretKeyFallbacks accepts both. Django 4.0 dropped what 3.2
// still read, which Settings.Legacy accepts: SHA-1 signatures, the
// pre-3.1 encoding, and the SHA-1 auth hash.
//
// CSRF answers differ from Django 4.0 on: 4.0 checks an unsafe
// request's Origin header, when it is sent, instead of its Referer
// ("Origin checking failed - <origin> does not match any trusted
// origins."), needs schemes in
// CSRF_TRUSTED_ORIGINS, and splits 3.2's "CSRF token missing or
// incorrect." into "CSRF token missing.", "CSRF token from POST
// incorrect.", "CSRF token from the 'X-Csrftoken' HTTP header has
// incorrect length." and the like, and "CSRF cookie has invalid
// characters." for a bad cookie; 4.1 stores the cookie unmasked (this
// package reads both forms). This package answers 3.2's messages and does
// not check Origin; a urlparse ValueError on the Referer, which 3.2 lets
// out as a 500, is 4.0's "Referer is malformed." here.
package session
