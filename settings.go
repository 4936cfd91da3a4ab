package jwtauth

import (
	"bytes"
	"context"
	"crypto"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/jwtauth-go/jwtauth/throttle"
)

// Settings configures an Auth. Each field is one of djangorestframework-jwt's
// JWT_AUTH settings (named in its comment, with the environment variable
// FromEnv reads), and the zero value of every field means DRF-JWT's default:
// Settings{SecretKey: k} is a complete configuration.
//
// DRF-JWT's JWT_VERIFY and JWT_VERIFY_EXPIRATION have no field: no setting
// turns a check off (FromEnv refuses a false value).
type Settings struct {
	// SecretKey is the HMAC key for HS256, HS384 and HS512 (JWT_SECRET_KEY),
	// used as its UTF-8 bytes, as Django does with its SECRET_KEY. It must
	// be at least as long as the hash: 32, 48 or 64 bytes.
	SecretKey Secret
	// PrivateKey signs tokens for the RS*, PS*, ES* and EdDSA algorithms
	// (JWT_PRIVATE_KEY): an *rsa.PrivateKey, *ecdsa.PrivateKey or
	// ed25519.PrivateKey. Without it the Auth only verifies tokens, and the
	// obtain and refresh handlers answer 500.
	PrivateKey crypto.PrivateKey
	// PublicKey verifies them (JWT_PUBLIC_KEY). Nil means PrivateKey's.
	PublicKey crypto.PublicKey
	// KeyID, when set, is written as kid in the header of new tokens
	// (JWT_KEY_ID), so that after a rotation their kid selects their key.
	// Unset, tokens carry no kid, as DRF-JWT's do.
	KeyID string
	// PreviousKeys are keys retired by a rotation, at most three: they
	// verify the tokens they signed until those expire, and sign nothing
	// (JWT_PREVIOUS_SECRET_KEYS, JWT_PREVIOUS_PUBLIC_KEYS). A token whose
	// kid names a key (KeyID or an ID here) is verified with that key
	// alone; any other token, such as Django's, which carry no kid, with
	// SecretKey or PublicKey, then with each previous key that has no ID.
	// Auth.RotateKeys changes the keys of a running Auth.
	PreviousKeys []VerificationKey
	// Algorithm signs new tokens and is the only one accepted
	// (JWT_ALGORITHM, default "HS256"). "none" is never accepted.
	Algorithm string
	// Leeway is the clock skew allowed on exp and nbf (JWT_LEEWAY, 0).
	Leeway time.Duration
	// ExpirationDelta is a token's lifetime (JWT_EXPIRATION_DELTA, 300 s).
	ExpirationDelta time.Duration
	// Audience, when set, is written to aud and required on every token; when
	// empty, a token carrying aud is refused (JWT_AUDIENCE).
	Audience string
	// Issuer, when set, is written to iss and required on every token
	// (JWT_ISSUER).
	Issuer string
	// AllowRefresh adds orig_iat to new tokens, which the refresh endpoint
	// needs (JWT_ALLOW_REFRESH, false).
	AllowRefresh bool
	// RefreshExpirationDelta is how long after orig_iat a token may still be
	// refreshed (JWT_REFRESH_EXPIRATION_DELTA, 7 days).
	RefreshExpirationDelta time.Duration
	// AuthHeaderPrefix is the scheme of the Authorization header, matched
	// case-insensitively, and of the WWW-Authenticate challenge
	// (JWT_AUTH_HEADER_PREFIX, "JWT"; "Bearer" is common).
	AuthHeaderPrefix string
	// AuthCookie, when set, names a cookie that carries the token when the
	// request has no Authorization header, and that the obtain, refresh and
	// verify handlers set (JWT_AUTH_COOKIE, off). The cookie is HttpOnly,
	// Secure and SameSite=Lax unless changed below.
	AuthCookie string
	// AuthCookieInsecure drops the Secure attribute, for development over
	// plain HTTP (JWT_AUTH_COOKIE_SECURE=False).
	AuthCookieInsecure bool
	// AuthCookieSameSite is the cookie's SameSite attribute
	// (JWT_AUTH_COOKIE_SAMESITE, default Lax).
	AuthCookieSameSite http.SameSite
	// TrustedOrigins are the other origins ("https://app.example.com")
	// allowed to send requests authenticated by the auth cookie with unsafe
	// methods (CSRF_TRUSTED_ORIGINS, Django's name for it). Any other
	// cross-site POST, PUT, PATCH or DELETE with the cookie is refused with
	// DRF's 403 "CSRF Failed: ...", and so is a cross-site login that would
	// set the cookie.
	TrustedOrigins []string
	// MaxConcurrentLogins bounds the password checks running at once
	// (obtain, and BasicAuthentication), so that a storm of logins cannot
	// starve the rest of the service: past it, a login waits up to a second,
	// then gets a 503 with Retry-After (JWT_MAX_CONCURRENT_LOGINS, default 0:
	// four per CPU).
	MaxConcurrentLogins int
	// LoginThrottle, when set, is asked before every password check (obtain,
	// and BasicAuthentication) whether the attempt may go on; a refused one
	// gets DRF's 429 "Request was throttled. Expected available in N
	// seconds." with Retry-After, and costs no hash. Nil, the default as in
	// DRF, throttles nothing. throttle.NewMemory builds the built-in one,
	// per username and per client address; FromEnv builds it from
	// JWT_LOGIN_THROTTLE_USER and JWT_LOGIN_THROTTLE_ADDR ("5/min").
	LoginThrottle throttle.Throttle
	// ClientIPHeader names the header from which LoginThrottle learns the
	// client's address, when the service is behind a reverse proxy:
	// "X-Forwarded-For" (its rightmost entry, the one the proxy appended;
	// entries left of it are the client's to choose and are ignored) or
	// "X-Real-IP". A request whose header holds no address there falls back
	// to the connection's address. Set it only if every request passes the
	// proxy, or clients choose their own address (JWT_CLIENT_IP_HEADER,
	// default empty: the connection's address, r.RemoteAddr).
	ClientIPHeader string
	// TokenCacheSize is how many verified tokens to remember, so that a
	// token seen again skips parsing and its signature check: the user is
	// still loaded and checked on every request, and a token never outlives
	// its exp in the cache (JWT_TOKEN_CACHE_SIZE, default 0: off). Each
	// entry holds a token and its claims, a few hundred bytes.
	TokenCacheSize int
	// UsernameField is the name of Django's USERNAME_FIELD: the obtain
	// endpoint's username field and the claim that repeats the username
	// (JWT_USERNAME_FIELD, default "username"; "email" for email logins).
	UsernameField string

	// PayloadHandler builds the claims of a new token (JWT_PAYLOAD_HANDLER).
	// It receives DRF-JWT's default claims for u and returns the claims to
	// sign; put custom claims in Claims.Extra. Nil keeps the defaults.
	PayloadHandler func(ctx context.Context, u User, c Claims) (Claims, error)
	// ResponsePayloadHandler builds the JSON body of a successful obtain,
	// refresh or verify (JWT_RESPONSE_PAYLOAD_HANDLER). Nil answers
	// {"token": token}.
	ResponsePayloadHandler func(token string, u User, r *http.Request) any
	// UsernameFromPayload returns the username a token authenticates
	// (JWT_PAYLOAD_GET_USERNAME_HANDLER). Nil returns c.Username.
	UsernameFromPayload func(c Claims) string
	// UserSecretKey, when set, returns the HMAC key of u's tokens instead of
	// SecretKey (JWT_GET_USER_SECRET_KEY): changing it invalidates every
	// token of that user, e.g. on a password change. The user is the one the
	// token's username names.
	UserSecretKey func(ctx context.Context, u User) (Secret, error)

	// Authenticators are further schemes tried in order when the request
	// carries no JWT, as DRF tries DEFAULT_AUTHENTICATION_CLASSES after
	// JSONWebTokenAuthentication (see BasicAuthentication).
	Authenticators []Authenticator
	// ErrorHandler answers every failure of the middleware and the
	// handlers. Nil means DefaultErrorHandler.
	ErrorHandler func(w http.ResponseWriter, r *http.Request, err error)
	// Logger receives failures of the service (a store down, a hook that
	// panicked) at Error level, and every refused login, token or request
	// at Debug level, by kind ("bad-credentials", "expired", ...) with the
	// username of a login and the first 8 hex digits of a token's SHA-256:
	// under slog's default level, attacks log nothing. Never a token, a
	// password or a secret. Nil means slog.Default().
	Logger *slog.Logger
	// Now is the clock; nil means the system's wall clock (time.Now, without
	// the monotonic reading nothing here needs). Tests set a fixed one.
	Now func() time.Time
}

// Defaults of DRF-JWT's settings.
const (
	defaultAlgorithm              = "HS256"
	defaultExpirationDelta        = 300 * time.Second
	defaultRefreshExpirationDelta = 7 * 24 * time.Hour
	defaultAuthHeaderPrefix       = "JWT"
	defaultUsernameField          = "username"
)

// DefaultSettings returns the settings with every default written out, as
// DRF-JWT documents them (the secret excepted: there is no safe default).
func DefaultSettings() Settings {
	return Settings{
		Algorithm:              defaultAlgorithm,
		ExpirationDelta:        defaultExpirationDelta,
		RefreshExpirationDelta: defaultRefreshExpirationDelta,
		AuthHeaderPrefix:       defaultAuthHeaderPrefix,
		AuthCookieSameSite:     http.SameSiteLaxMode,
		UsernameField:          defaultUsernameField,
	}
}

// withDefaults fills the zero fields with DRF-JWT's defaults.
func (s Settings) withDefaults() Settings {
	d := DefaultSettings()
	if s.Algorithm == "" {
		s.Algorithm = d.Algorithm
	}
	if s.ExpirationDelta == 0 {
		s.ExpirationDelta = d.ExpirationDelta
	}
	if s.RefreshExpirationDelta == 0 {
		s.RefreshExpirationDelta = d.RefreshExpirationDelta
	}
	if s.AuthHeaderPrefix == "" {
		s.AuthHeaderPrefix = d.AuthHeaderPrefix
	}
	if s.AuthCookieSameSite == 0 || s.AuthCookieSameSite == http.SameSiteDefaultMode {
		s.AuthCookieSameSite = d.AuthCookieSameSite
	}
	if s.UsernameField == "" {
		s.UsernameField = d.UsernameField
	}
	if s.Logger == nil {
		s.Logger = slog.Default()
	}
	if s.Now == nil {
		s.Now = wallClock
	}
	if s.ErrorHandler == nil {
		s.ErrorHandler = DefaultErrorHandler
	}
	return s
}

// validate reports every problem of s (defaults filled in) at once. Messages
// name the field and never show a key.
func (s Settings) validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("jwtauth: "+format, args...))
	}
	if s.ExpirationDelta < 0 {
		bad("ExpirationDelta (JWT_EXPIRATION_DELTA) is negative")
	}
	if s.RefreshExpirationDelta < 0 {
		bad("RefreshExpirationDelta (JWT_REFRESH_EXPIRATION_DELTA) is negative")
	}
	if s.Leeway < 0 {
		bad("Leeway (JWT_LEEWAY) is negative")
	}
	if s.TokenCacheSize < 0 {
		bad("TokenCacheSize (JWT_TOKEN_CACHE_SIZE) is negative")
	}
	if s.MaxConcurrentLogins < 0 {
		bad("MaxConcurrentLogins (JWT_MAX_CONCURRENT_LOGINS) is negative")
	}
	if m, ok := s.LoginThrottle.(*throttle.Memory); ok && m == nil {
		bad("LoginThrottle is a nil *throttle.Memory: build it with throttle.NewMemory")
	}
	if h := s.ClientIPHeader; h != "" && (!isToken(h) || strings.EqualFold(h, "Forwarded")) {
		bad("ClientIPHeader (JWT_CLIENT_IP_HEADER) %q must name a header holding addresses, like X-Forwarded-For or X-Real-IP (RFC 7239's Forwarded is not read)", h)
	}
	for _, o := range s.TrustedOrigins {
		if err := http.NewCrossOriginProtection().AddTrustedOrigin(o); err != nil {
			bad("TrustedOrigins (CSRF_TRUSTED_ORIGINS): %v", err)
		}
	}
	if (strings.HasPrefix(s.AuthCookie, "__Host-") || strings.HasPrefix(s.AuthCookie, "__Secure-")) && s.AuthCookieInsecure {
		bad("AuthCookie %q: browsers keep a __Host- or __Secure- cookie only with the Secure attribute", s.AuthCookie)
	}
	if !isToken(s.AuthHeaderPrefix) {
		bad("AuthHeaderPrefix (JWT_AUTH_HEADER_PREFIX) %q must be one word without spaces, like JWT or Bearer", s.AuthHeaderPrefix)
	}
	if s.AuthCookie != "" && !isToken(s.AuthCookie) {
		bad("AuthCookie (JWT_AUTH_COOKIE) %q is not a valid cookie name", s.AuthCookie)
	}
	if s.AuthCookieSameSite == http.SameSiteNoneMode && s.AuthCookieInsecure {
		bad("AuthCookieSameSite None needs the Secure attribute: browsers drop the cookie otherwise")
	}
	if !isToken(s.UsernameField) {
		bad("UsernameField (JWT_USERNAME_FIELD) %q is not a field name", s.UsernameField)
	}
	if err := checkKeys(s); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// isToken reports whether s is a non-empty RFC 9110 token: what an auth
// scheme or a cookie name may be.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

// VerificationKey is a key retired by a rotation (Settings.PreviousKeys).
type VerificationKey struct {
	// ID is the kid of the tokens it signed; empty when they carry none.
	ID string
	// Secret is the key for HS256, HS384 and HS512.
	Secret Secret
	// PublicKey is the key for the other algorithms.
	PublicKey crypto.PublicKey
}

// String prints the key redacted.
func (k VerificationKey) String() string {
	return fmt.Sprintf("{ID:%q Secret:%s PublicKey:%s}", k.ID, k.Secret, keyKind(k.PublicKey))
}

// GoString prints the key redacted.
func (k VerificationKey) GoString() string { return "jwtauth.VerificationKey" + k.String() }

// LogValue logs the key redacted.
func (k VerificationKey) LogValue() slog.Value { return slog.StringValue(k.String()) }

// Secret is key material that never prints: fmt and slog show a fixed
// placeholder, so a Settings value can be logged without leaking it.
type Secret string

const redacted = "[REDACTED]"

// String implements fmt.Stringer without revealing the secret.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString implements fmt.GoStringer without revealing the secret.
func (s Secret) GoString() string { return fmt.Sprintf("jwtauth.Secret(%q)", s.String()) }

// LogValue implements slog.LogValuer without revealing the secret.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// String prints the settings with keys redacted.
func (s Settings) String() string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "{Algorithm:%s SecretKey:%s PrivateKey:%s PublicKey:%s KeyID:%q PreviousKeys:%v", s.Algorithm, s.SecretKey, keyKind(s.PrivateKey), keyKind(s.PublicKey), s.KeyID, s.PreviousKeys)
	fmt.Fprintf(&b, " Leeway:%s ExpirationDelta:%s Audience:%q Issuer:%q AllowRefresh:%t RefreshExpirationDelta:%s",
		s.Leeway, s.ExpirationDelta, s.Audience, s.Issuer, s.AllowRefresh, s.RefreshExpirationDelta)
	fmt.Fprintf(&b, " AuthHeaderPrefix:%q AuthCookie:%q UsernameField:%q", s.AuthHeaderPrefix, s.AuthCookie, s.UsernameField)
	fmt.Fprintf(&b, " LoginThrottle:%s ClientIPHeader:%q}", throttleKind(s.LoginThrottle), s.ClientIPHeader)
	return b.String()
}

// GoString prints the settings with keys redacted.
func (s Settings) GoString() string { return "jwtauth.Settings" + s.String() }

// LogValue logs the settings with keys redacted.
func (s Settings) LogValue() slog.Value { return slog.StringValue(s.String()) }

func keyKind(k any) string {
	if k == nil {
		return "none"
	}
	return fmt.Sprintf("%T(%s)", k, redacted)
}

// throttleKind shows the built-in throttle's rates, and only the type of
// any other: its String is not ours to trust with secrets.
func throttleKind(t throttle.Throttle) string {
	if m, ok := t.(*throttle.Memory); ok && m != nil {
		return m.String()
	}
	if t == nil {
		return "none"
	}
	return fmt.Sprintf("%T", t)
}
