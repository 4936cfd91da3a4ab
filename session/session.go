package session

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"net/http"
	"net/textproto"
	"slices"
	"strings"
	"time"

	"github.com/jwtauth-go/jwtauth"
)

// The engines Settings.Engine names, as in Django's SESSION_ENGINE.
const (
	EngineDB            = "django.contrib.sessions.backends.db"
	EngineSignedCookies = "django.contrib.sessions.backends.signed_cookies"
)

// The authentication backends whose get_user is ModelBackend's, and which
// of them admit inactive users.
const (
	ModelBackend                   = "django.contrib.auth.backends.ModelBackend"
	AllowAllUsersModelBackend      = "django.contrib.auth.backends.AllowAllUsersModelBackend"
	RemoteUserBackend              = "django.contrib.auth.backends.RemoteUserBackend"
	AllowAllUsersRemoteUserBackend = "django.contrib.auth.backends.AllowAllUsersRemoteUserBackend"
)

// Django's defaults for the settings of the same names.
const (
	DefaultCookieName     = "sessionid"
	DefaultCookieAge      = 1209600 * time.Second
	DefaultCSRFCookieName = "csrftoken"
	DefaultCSRFHeaderName = "X-CSRFToken"
)

// Store finds the session_data of a database session: the row of Django's
// django_session table whose session_key is key, if its expire_date is
// after now. Implementations must be safe for concurrent use and honour
// ctx; no error they return may show the key.
type Store interface {
	// Session returns the row's session_data, or an error wrapping
	// ErrNotFound when there is no such row or it has expired. Any other
	// error is a failure of the store: the request is answered 503.
	Session(ctx context.Context, key string, now time.Time) (data string, err error)
}

var (
	// ErrNotFound is what a Store answers for a key that names no
	// unexpired session.
	ErrNotFound = errors.New("session: no such session")

	// ErrInvalidSession: the request carries a session cookie that names
	// no session of an active user (bad signature, tampered, expired,
	// unknown backend, user gone or inactive, password changed, ...).
	// Django makes such a request anonymous, so the error wraps
	// jwtauth.ErrNoCredentials and the next authenticator is tried.
	ErrInvalidSession = fmt.Errorf("%w: invalid session", jwtauth.ErrNoCredentials)

	// ErrCSRF is the cause of every CSRF refusal, a *jwtauth.Error with
	// Status 403 and DRF's "CSRF Failed: ..." detail.
	ErrCSRF = errors.New("session: CSRF check failed")
)

// errNoCookie: the request carries no session cookie at all.
var errNoCookie = fmt.Errorf("%w: no session cookie", jwtauth.ErrNoCredentials)

// Finer reasons a session is refused, for errors.Is in tests and for the
// text a log record shows; none holds the cookie, the data or a key.
var (
	errBadKey    = fmt.Errorf("%w: the cookie is not a session key", ErrInvalidSession)
	errNoSession = fmt.Errorf("%w: no such session, or expired", ErrInvalidSession)
	errTooLong   = fmt.Errorf("%w: too long", ErrInvalidSession)
	errSignature = fmt.Errorf("%w: bad signature", ErrInvalidSession)
	errFormat    = fmt.Errorf("%w: malformed session data", ErrInvalidSession)
	errExpired   = fmt.Errorf("%w: the signed cookie has expired", ErrInvalidSession)
	errTooBig    = fmt.Errorf("%w: the session data decompresses too large", ErrInvalidSession)
	errNoUser    = fmt.Errorf("%w: no user logged in", ErrInvalidSession)
	errBackend   = fmt.Errorf("%w: the session's backend is not in Backends", ErrInvalidSession)
	errUserGone  = fmt.Errorf("%w: the session's user does not exist", ErrInvalidSession)
	errInactive  = fmt.Errorf("%w: the session's user is inactive", ErrInvalidSession)
	errAuthHash  = fmt.Errorf("%w: the session's auth hash does not match (password changed?)", ErrInvalidSession)
)

// Settings are the Django settings a session is read with, each named
// after Django's. Zero values are Django's defaults.
type Settings struct {
	// SecretKey is Django's SECRET_KEY (DJANGO_SECRET_KEY); required.
	SecretKey jwtauth.Secret
	// SecretKeyFallbacks is SECRET_KEY_FALLBACKS (Django 4.1+): sessions
	// signed, and auth hashes computed, under any of them are accepted
	// too, as Django 4.1.8 and later accept them.
	SecretKeyFallbacks []jwtauth.Secret
	// CookieName is SESSION_COOKIE_NAME; "" means "sessionid".
	CookieName string
	// Engine is SESSION_ENGINE: EngineDB (the default, for "") or
	// EngineSignedCookies. Django's cache engines keep sessions where a Go
	// service cannot read them, and are refused.
	Engine string
	// Store finds database sessions: required for EngineDB, and must be
	// nil for EngineSignedCookies.
	Store Store
	// CookieAge is SESSION_COOKIE_AGE (default 1209600 s, two weeks): how
	// old a signed_cookies session may be (signing.loads' max_age). A
	// database session's age is its row's expire_date, which Store checks.
	CookieAge time.Duration
	// Users finds the session's user by _auth_user_id; required.
	Users jwtauth.UserStore
	// Backends is AUTHENTICATION_BACKENDS, by dotted path; nil means
	// [ModelBackend]. A session whose _auth_user_backend is not one of
	// them is anonymous. Each backend's get_user is taken to be
	// ModelBackend's, which refuses inactive users, except for
	// AllowAllUsersModelBackend and AllowAllUsersRemoteUserBackend (DRF
	// still refuses those users: see the package documentation).
	Backends []string
	// Legacy accepts what Django 3.2 accepts and Django 4.0 no longer
	// does: SHA-1 signatures, the pre-3.1 session encoding and the SHA-1
	// _auth_user_hash, each under SecretKey only (3.2 has no fallbacks).
	// Off by default: turn it on only while sessions made by a Django
	// older than 3.1, or one with DEFAULT_HASHING_ALGORITHM = "sha1",
	// are still live.
	Legacy bool

	// CSRFCookieName is CSRF_COOKIE_NAME; "" means "csrftoken".
	CSRFCookieName string
	// CSRFHeaderName is CSRF_HEADER_NAME as an HTTP header name; "" means
	// "X-CSRFToken". Django's own form, "HTTP_X_CSRFTOKEN", is accepted.
	CSRFHeaderName string
	// CSRFCookieDomain is CSRF_COOKIE_DOMAIN; when set, an HTTPS request's
	// Referer must match it (with the port the server listens on, unless
	// 80 or 443) instead of the request's host.
	CSRFCookieDomain string
	// TrustedOrigins is CSRF_TRUSTED_ORIGINS: hosts an HTTPS request's
	// Referer may name besides the request's own. Django 3.2's form is a
	// host ("api.example.com", "example.com:8443") or a domain and its
	// subdomains (".example.com"); Django 4.0's form, with a scheme
	// ("https://api.example.com", "https://*.example.com"), is read as 4.0
	// reads it for the Referer: by its host.
	TrustedOrigins []string
	// SecureProxySSLHeader is SECURE_PROXY_SSL_HEADER, as an HTTP header
	// name and the value that means HTTPS, e.g. {"X-Forwarded-Proto",
	// "https"}; Django's "HTTP_X_FORWARDED_PROTO" form is accepted. When
	// the header is present it alone says whether the request is secure;
	// otherwise, and when this is zero, r.TLS does. Set it only behind a
	// proxy that always sets or strips the header.
	SecureProxySSLHeader [2]string

	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Bounds on what is read, so that no request costs more than a session can
// hold. Browsers keep cookies of at most 4096 bytes; Django's
// session_data column is unbounded, but a session is small.
const (
	maxCookieLen     = 8 << 10 // a signed_cookies cookie
	maxDataLen       = 1 << 20 // a database session's session_data
	maxDecompressed  = 4 << 20 // session JSON, once decompressed
	dataUploadMaxLen = 2621440 // Django's DATA_UPLOAD_MAX_MEMORY_SIZE: form bodies read for the CSRF token
)

// Django's salts: the signing salts of the two engines (the db engine's is
// its SessionStore's key_salt), the pre-3.1 encoding's, and
// get_session_auth_hash's.
const (
	saltDB         = "django.contrib.sessions.SessionStore"
	saltCookies    = "django.contrib.sessions.backends.signed_cookies"
	saltLegacyData = "django.contrib.sessionsSessionStore"
	saltAuthHash   = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"
)

// authenticator is DRF's SessionAuthentication over Django's session
// engine and auth backends, as Settings describe them.
type authenticator struct {
	codec    codec
	store    Store // nil for signed_cookies
	users    jwtauth.UserStore
	cookie   string
	backends map[string]bool // true: admits inactive users
	// authKeys are salted_hmac's keys of get_session_auth_hash, SHA-256
	// under SecretKey then each fallback; authKeySHA1 the legacy one under
	// SecretKey, nil unless Legacy.
	authKeys    [][]byte
	authKeySHA1 []byte
	csrf        csrfSettings
	now         func() time.Time
}

// New checks s and returns DRF's SessionAuthentication for it, to put in
// jwtauth's Settings.Authenticators. Every problem of s is reported at
// once; none shows a secret.
func New(s Settings) (jwtauth.Authenticator, error) {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("session: New: "+format, args...))
	}
	if s.SecretKey == "" {
		bad("SecretKey is empty")
	}
	for i, k := range s.SecretKeyFallbacks {
		if k == "" {
			bad("SecretKeyFallbacks[%d] is empty", i)
		}
	}
	if s.CookieName == "" {
		s.CookieName = DefaultCookieName
	}
	if !validCookieName(s.CookieName) {
		bad("CookieName %q is not a cookie name", s.CookieName)
	}
	switch s.Engine {
	case "", EngineDB:
		s.Engine = EngineDB
		if s.Store == nil {
			bad("the db engine needs a Store")
		}
	case EngineSignedCookies:
		if s.Store != nil {
			bad("the signed_cookies engine reads no Store: Store must be nil")
		}
	default:
		bad("Engine %q cannot be read: use %q or %q", s.Engine, EngineDB, EngineSignedCookies)
	}
	switch {
	case s.CookieAge == 0:
		s.CookieAge = DefaultCookieAge
	case s.CookieAge < 0:
		bad("CookieAge %s is negative", s.CookieAge)
	}
	if s.Users == nil {
		bad("Users is nil")
	}
	if s.Backends == nil {
		s.Backends = []string{ModelBackend}
	}
	if len(s.Backends) == 0 {
		bad("Backends is empty (Django refuses an empty AUTHENTICATION_BACKENDS)")
	}
	backends := make(map[string]bool, len(s.Backends))
	for i, b := range s.Backends {
		if !dottedPath(b) {
			bad("Backends[%d] %q is not a dotted path", i, b)
		}
		backends[b] = b == AllowAllUsersModelBackend || b == AllowAllUsersRemoteUserBackend
	}
	csrf, cerrs := newCSRFSettings(s)
	errs = append(errs, cerrs...)
	if s.Now == nil {
		s.Now = time.Now
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}

	keys := append([]jwtauth.Secret{s.SecretKey}, s.SecretKeyFallbacks...)
	a := &authenticator{
		store:    s.Store,
		users:    s.Users,
		cookie:   s.CookieName,
		backends: backends,
		csrf:     csrf,
		now:      s.Now,
	}
	salt := saltDB
	if s.Engine == EngineSignedCookies {
		salt = saltCookies
		a.codec.maxAge = s.CookieAge
		a.codec.maxLen = maxCookieLen
	} else {
		a.codec.maxLen = maxDataLen
	}
	for _, k := range keys {
		// Signer.signature: salted_hmac(salt + "signer", value, key).
		a.codec.keys = append(a.codec.keys, derivedKey(sha256.New, salt+"signer", k))
		a.authKeys = append(a.authKeys, derivedKey(sha256.New, saltAuthHash, k))
	}
	if s.Legacy {
		a.codec.keySHA1 = derivedKey(sha1.New, salt+"signer", s.SecretKey)
		a.authKeySHA1 = derivedKey(sha1.New, saltAuthHash, s.SecretKey)
		if s.Engine == EngineDB {
			// signed_cookies' load never tried the pre-3.1 encoding.
			a.codec.keyLegacyData = derivedKey(sha1.New, saltLegacyData, s.SecretKey)
		}
	}
	return a, nil
}

// derivedKey is the HMAC key salted_hmac derives: hash(key_salt + secret).
func derivedKey(newHash func() hash.Hash, salt string, secret jwtauth.Secret) []byte {
	h := newHash()
	h.Write([]byte(salt))
	h.Write([]byte(secret))
	return h.Sum(nil)
}

// Authenticate is DRF's SessionAuthentication.authenticate over Django's
// SessionMiddleware and AuthenticationMiddleware: the user of the
// request's session, then the CSRF check for an unsafe method.
func (a *authenticator) Authenticate(r *http.Request) (jwtauth.User, error) {
	raw, ok := cookieValue(r.Header, a.cookie)
	if !ok {
		return jwtauth.User{}, errNoCookie
	}
	ctx := r.Context()
	u, err := a.user(ctx, raw)
	if err != nil {
		return jwtauth.User{}, err
	}
	// DRF's own check, whatever the backend let through.
	if !u.IsActive {
		return jwtauth.User{}, errInactive
	}
	if err := a.csrf.check(r); err != nil {
		return jwtauth.User{}, err
	}
	return u, nil
}

// user is django.contrib.auth.get_user for the session the cookie value
// names: its user, active or not as the backend allows, or an error
// wrapping ErrInvalidSession for an anonymous request, or another error
// when a store failed.
func (a *authenticator) user(ctx context.Context, cookie string) (jwtauth.User, error) {
	data, err := a.load(ctx, cookie)
	if err != nil {
		return jwtauth.User{}, err
	}
	d, err := a.codec.decode(data, a.now())
	if err != nil {
		return jwtauth.User{}, err
	}
	if !d.hasUserID || !d.hasBackend {
		return jwtauth.User{}, errNoUser
	}
	allowInactive, ok := a.backends[d.backend]
	if !ok {
		return jwtauth.User{}, errBackend
	}
	u, err := a.users.UserByID(ctx, d.userID)
	switch {
	case errors.Is(err, jwtauth.ErrUserNotFound):
		return jwtauth.User{}, errUserGone
	case err != nil:
		return jwtauth.User{}, fmt.Errorf("session: user store: %w", err)
	case !u.IsActive && !allowInactive:
		return jwtauth.User{}, errInactive
	}
	if !d.hasHash || !a.hashMatches(d.hash, u.PasswordHash) {
		return jwtauth.User{}, errAuthHash
	}
	return u, nil
}

// load returns the session data the cookie value names: the cookie itself
// for signed_cookies, the row's session_data for db.
func (a *authenticator) load(ctx context.Context, cookie string) (string, error) {
	// SessionBase._validate_session_key: shorter keys name no session.
	if len(cookie) < 8 {
		return "", errBadKey
	}
	if a.store == nil {
		return cookie, nil
	}
	if !sessionKey(cookie) {
		return "", errBadKey
	}
	data, err := a.store.Session(ctx, cookie, a.now())
	switch {
	case errors.Is(err, ErrNotFound):
		return "", errNoSession
	case err != nil:
		return "", &storeError{msg: "session: store: " + strings.ReplaceAll(err.Error(), cookie, "[REDACTED]"), err: err}
	}
	return data, nil
}

// storeError is a Store's failure, its text cleared of the session key in
// case the store's error quoted it.
type storeError struct {
	msg string
	err error
}

func (e *storeError) Error() string { return e.msg }
func (e *storeError) Unwrap() error { return e.err }

// sessionKey reports whether k can be a key of Django's db engine, which
// makes 32 characters of [a-z0-9] (VALID_KEY_CHARS) and keeps at most 40
// (the session_key column).
func sessionKey(k string) bool {
	if len(k) > 40 {
		return false
	}
	for i := 0; i < len(k); i++ {
		if c := k[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// hashMatches compares the session's _auth_user_hash with
// get_session_auth_hash of the password column, in constant time, under
// SecretKey, then each fallback (Django 4.1.8+), then, with Legacy, 3.2's
// SHA-1 variant.
func (a *authenticator) hashMatches(got string, password jwtauth.Secret) bool {
	if got == "" { // Django: "session_hash and ..."
		return false
	}
	ok := false
	for _, k := range a.authKeys {
		ok = hexHMACEqual(sha256.New, k, password, got) || ok
	}
	if a.authKeySHA1 != nil {
		ok = hexHMACEqual(sha1.New, a.authKeySHA1, password, got) || ok
	}
	return ok
}

// hexHMACEqual reports, in constant time, whether want is the hex HMAC
// of msg under key, as Django's hexdigest writes it.
func hexHMACEqual(newHash func() hash.Hash, key []byte, msg jwtauth.Secret, want string) bool {
	m := hmac.New(newHash, key)
	m.Write([]byte(msg))
	var sum [sha256.Size]byte
	var hx [2 * sha256.Size]byte
	n := hex.Encode(hx[:], m.Sum(sum[:0]))
	return hmac.Equal(hx[:n], []byte(want))
}

// validCookieName: a token of RFC 6265's cookie-name.
func validCookieName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`()<>@,;:\"/[]?={}`, c) >= 0 {
			return false
		}
	}
	return true
}

// dottedPath: a Python import path of a class, "package.module.Class".
func dottedPath(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) < 2 {
		return false
	}
	return !slices.ContainsFunc(parts, func(p string) bool {
		if p == "" || p[0] >= '0' && p[0] <= '9' {
			return true
		}
		return strings.ContainsFunc(p, func(r rune) bool {
			return !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
		})
	})
}

// headerName turns a setting naming a header, as an HTTP header name or as
// Django's META key ("HTTP_X_CSRFTOKEN"), into the canonical HTTP name.
func headerName(s string) (string, bool) {
	if rest, ok := strings.CutPrefix(s, "HTTP_"); ok {
		s = strings.ReplaceAll(rest, "_", "-")
	}
	if !validCookieName(s) { // an HTTP token, as a cookie name is
		return "", false
	}
	return textproto.CanonicalMIMEHeaderKey(s), true
}
