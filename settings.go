package jwtauth

import (
	"bytes"
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jwtauth-go/jwtauth/blacklist"
	"github.com/jwtauth-go/jwtauth/internal/token"
	"github.com/jwtauth-go/jwtauth/revoke"
	"github.com/jwtauth-go/jwtauth/throttle"
)

// Settings configures an Auth. Each field is one of djangorestframework-jwt's
// JWT_AUTH settings (named in its comment, with the environment variable
// FromEnv reads), and the zero value of every field means DRF-JWT's default:
// Settings{Keys: jwtauth.Keys{Secret: k}} is a complete configuration.
//
// DRF-JWT's JWT_VERIFY and JWT_VERIFY_EXPIRATION have no field: no setting
// turns a check off (FromEnv refuses a false value).
//
// With SimpleJWT set, the Auth speaks djangorestframework-simplejwt's
// dialect instead; the fields shared with DRF-JWT then stand for
// simplejwt's settings of the same meaning (see SimpleJWT).
type Settings struct {
	// SimpleJWT, when set, makes the Auth a djangorestframework-simplejwt
	// peer: access, refresh and sliding tokens, users found by id,
	// simplejwt's endpoints, bodies and header, and its blacklist. Nil, the
	// default, is DRF-JWT's dialect.
	SimpleJWT *SimpleJWT
	// Revocations, when set, turns revocation on, in either dialect:
	// Auth.Revoke (logout) and Auth.RevokeUser ("log out everywhere")
	// take tokens back before they expire, a refresh token used twice
	// revokes its family (see ReuseGrace), and every token the middleware,
	// refresh and verify accept is checked against it, cached or not, with
	// no I/O. revoke.NewMemory serves one process; redisstore's
	// Revocations every instance of a service. New DRF-JWT tokens then
	// carry a jti, and simplejwt's a family claim, which PyJWT, DRF-JWT
	// and simplejwt ignore. Nil, the default, is off.
	Revocations revoke.Store
	// ReuseGrace is how long after its first use a refresh token may be
	// used again without revoking its family: a client's own retry of a
	// refresh whose answer it lost. Zero means 10 seconds; negative, no
	// grace.
	ReuseGrace time.Duration
	// Keys are the keys that sign and verify tokens: Keys.Secret for the
	// HMAC algorithms, Keys.Private and Keys.Public for the others, and
	// the keys retired by rotations (see Keys). Auth.RotateKeys changes
	// them on a running Auth.
	Keys Keys
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
	// and BasicAuthentication), once the attempt holds a login slot, whether
	// it may go on; a refused one
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
	// It receives DRF-JWT's default claims for u, with Claims.Extra ready
	// to take custom claims (c.Extra["role"] = "staff"), and returns the
	// claims to sign. Nil keeps the defaults. An error fails the login or
	// refresh with a 503.
	PayloadHandler func(ctx context.Context, u User, c Claims) (Claims, error)
	// ResponsePayloadHandler builds the JSON body of a successful obtain,
	// refresh or verify (JWT_RESPONSE_PAYLOAD_HANDLER). Nil answers
	// {"token": token}.
	ResponsePayloadHandler func(token string, u User, r *http.Request) any
	// UsernameFromPayload returns the username a token authenticates
	// (JWT_PAYLOAD_GET_USERNAME_HANDLER); an empty one is DRF-JWT's
	// "Invalid payload.", an error a 503. Nil returns c.Username.
	UsernameFromPayload func(ctx context.Context, c Claims) (string, error)
	// UserSecretKey, when set, returns the HMAC key of u's tokens instead of
	// Keys.Secret (JWT_GET_USER_SECRET_KEY): changing it invalidates every
	// token of that user, e.g. on a password change. The user is the one the
	// token's username names. A token naming no user is refused exactly as
	// one with a wrong signature, so forged tokens tell nothing of which
	// usernames exist.
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

// SimpleJWT holds the settings of djangorestframework-simplejwt's SIMPLE_JWT
// that DRF-JWT has no counterpart for; zero values are simplejwt's
// defaults. The rest are Settings' fields: Keys (SIGNING_KEY,
// VERIFYING_KEY), Algorithm (ALGORITHM), ExpirationDelta
// (ACCESS_TOKEN_LIFETIME, 5 minutes in both), Leeway, Audience, Issuer,
// UsernameField (the user model's USERNAME_FIELD, which the obtain views
// read) and the login defences. simplejwt's checks that can be turned off
// (TOKEN_TYPE_CLAIM and JTI_CLAIM set to None, CHECK_USER_IS_ACTIVE) are
// always on here, and its cookie-less transport has no AuthCookie;
// AllowRefresh, RefreshExpirationDelta, AuthHeaderPrefix,
// UsernameFromPayload and UserSecretKey are DRF-JWT's and must be unset.
type SimpleJWT struct {
	// RefreshTokenLifetime is a refresh token's lifetime
	// (REFRESH_TOKEN_LIFETIME, 1 day).
	RefreshTokenLifetime time.Duration
	// RotateRefreshTokens makes the refresh endpoint answer a new refresh
	// token too (ROTATE_REFRESH_TOKENS, false).
	RotateRefreshTokens bool
	// BlacklistAfterRotation blacklists a refresh token once it has been
	// rotated, and makes the verify endpoint refuse blacklisted tokens
	// (BLACKLIST_AFTER_ROTATION, false).
	BlacklistAfterRotation bool
	// UpdateLastLogin and UserIDField are UPDATE_LAST_LOGIN (false) and
	// USER_ID_FIELD ("id"), which FromEnv reads for the UserStore to
	// honour (sqlstore.Settings.UpdateLastLogin and IDColumn): the store
	// writes last_login and finds users by that column.
	UpdateLastLogin bool
	UserIDField     string
	// CheckRevokeToken ties every token to the password it was issued
	// under (CHECK_REVOKE_TOKEN, false; simplejwt 5.5): new tokens carry
	// hash_password, the MD5 of the user's stored hash, and a token whose
	// hash_password is not the present one is refused with "The user's
	// password has been changed.". The UserStore must fill in
	// User.PasswordHash.
	CheckRevokeToken bool
	// AuthHeaderTypes are the schemes of the Authorization header,
	// matched exactly, case included; the first is the WWW-Authenticate
	// challenge's (AUTH_HEADER_TYPES, "Bearer").
	AuthHeaderTypes []string
	// UserIDClaim is the claim holding the user's id (USER_ID_CLAIM,
	// "user_id"), read as a string or an integer and written as a string.
	// The user is found by it (UserStore.UserByID, USER_ID_FIELD).
	UserIDClaim string
	// SlidingTokens makes sliding tokens credentials beside access tokens
	// (AUTH_TOKEN_CLASSES with SlidingToken after AccessToken).
	SlidingTokens bool
	// SlidingTokenLifetime is a sliding token's exp
	// (SLIDING_TOKEN_LIFETIME, 5 minutes), SlidingTokenRefreshLifetime
	// its refresh_exp (SLIDING_TOKEN_REFRESH_LIFETIME, 1 day).
	SlidingTokenLifetime, SlidingTokenRefreshLifetime time.Duration
	// Blacklist holds outstanding and blacklisted refresh and sliding
	// tokens: sqlstore's over simplejwt's own tables, so that a token
	// blacklisted by the Django service is refused here and the other way
	// round. Nil means an in-memory blacklist of this process
	// (blacklist.NewMemory, on Settings.Now and Leeway). A Blacklist
	// failure is answered 503.
	Blacklist blacklist.Store
}

// Defaults of simplejwt's settings.
const (
	defaultRefreshTokenLifetime        = 24 * time.Hour
	defaultSlidingTokenLifetime        = 5 * time.Minute
	defaultSlidingTokenRefreshLifetime = 24 * time.Hour
	defaultAuthHeaderType              = "Bearer"
	defaultUserIDClaim                 = "user_id"
)

// withDefaults returns a copy of j with simplejwt's defaults filled in;
// the in-memory blacklist keeps time by s's clock and leeway (s's defaults
// filled in).
func (j SimpleJWT) withDefaults(s Settings) *SimpleJWT {
	if j.RefreshTokenLifetime == 0 {
		j.RefreshTokenLifetime = defaultRefreshTokenLifetime
	}
	if j.SlidingTokenLifetime == 0 {
		j.SlidingTokenLifetime = defaultSlidingTokenLifetime
	}
	if j.SlidingTokenRefreshLifetime == 0 {
		j.SlidingTokenRefreshLifetime = defaultSlidingTokenRefreshLifetime
	}
	if len(j.AuthHeaderTypes) == 0 {
		j.AuthHeaderTypes = []string{defaultAuthHeaderType}
	} else {
		j.AuthHeaderTypes = slices.Clone(j.AuthHeaderTypes)
	}
	if j.UserIDClaim == "" {
		j.UserIDClaim = defaultUserIDClaim
	}
	if j.UserIDField == "" {
		j.UserIDField = "id"
	}
	if j.Blacklist == nil {
		m := blacklist.NewMemory(0)
		m.Now, m.Leeway = s.Now, s.Leeway
		j.Blacklist = m
	}
	return &j
}

// validate reports the problems of j (defaults filled in) and of the
// DRF-JWT settings s sets that simplejwt has no use for.
func (j *SimpleJWT) validate(s Settings, bad func(format string, args ...any)) {
	for name, d := range map[string]time.Duration{
		"RefreshTokenLifetime": j.RefreshTokenLifetime, "SlidingTokenLifetime": j.SlidingTokenLifetime,
		"SlidingTokenRefreshLifetime": j.SlidingTokenRefreshLifetime,
	} {
		if d < 0 {
			bad("SimpleJWT.%s is negative", name)
		}
	}
	for _, t := range j.AuthHeaderTypes {
		if !isToken(t) {
			bad("SimpleJWT.AuthHeaderTypes (AUTH_HEADER_TYPES) %q must be one word without spaces, like Bearer", t)
		}
	}
	if j.UserIDClaim != defaultUserIDClaim && (!isToken(j.UserIDClaim) || token.Reserved(j.UserIDClaim)) {
		bad("SimpleJWT.UserIDClaim (USER_ID_CLAIM) %q must be a claim of its own, not a registered one", j.UserIDClaim)
	}
	if s.AllowRefresh {
		bad("AllowRefresh is DRF-JWT's: simplejwt refreshes with refresh tokens (SimpleJWT.RefreshTokenLifetime)")
	}
	if s.AuthHeaderPrefix != defaultAuthHeaderPrefix {
		bad("AuthHeaderPrefix is DRF-JWT's: set SimpleJWT.AuthHeaderTypes")
	}
	if s.AuthCookie != "" {
		bad("AuthCookie: simplejwt reads tokens from the Authorization header only")
	}
	if s.UsernameFromPayload != nil || s.UserSecretKey != nil {
		bad("UsernameFromPayload and UserSecretKey are DRF-JWT's: simplejwt finds the user by id")
	}
}

// Defaults of DRF-JWT's settings.
const (
	defaultAlgorithm              = "HS256"
	defaultExpirationDelta        = 300 * time.Second
	defaultRefreshExpirationDelta = 7 * 24 * time.Hour
	defaultAuthHeaderPrefix       = "JWT"
	defaultUsernameField          = "username"
)

// defaultSettings returns the settings with every default written out, as
// DRF-JWT documents them (the secret excepted: there is no safe default).
func defaultSettings() Settings {
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
	d := defaultSettings()
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
	if s.SimpleJWT != nil {
		s.SimpleJWT = s.SimpleJWT.withDefaults(s)
	}
	return s
}

// validate reports every problem of s (defaults filled in) at once, but
// those of the keys, which the token engine checks. Messages name the
// field and never show a key.
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
	if s.SimpleJWT != nil {
		s.SimpleJWT.validate(s, bad)
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

// Keys are the keys of an Auth (Settings.Keys, Auth.RotateKeys). They
// print redacted with every fmt verb, through encoding/json and through
// slog.
type Keys struct {
	// Secret is the HMAC key for HS256, HS384 and HS512 (JWT_SECRET_KEY),
	// used as its UTF-8 bytes, as Django does with its SECRET_KEY. It must
	// be at least as long as the hash: 32, 48 or 64 bytes.
	Secret Secret
	// Private signs tokens for the RS*, PS*, ES* and EdDSA algorithms
	// (JWT_PRIVATE_KEY): an *rsa.PrivateKey, *ecdsa.PrivateKey or
	// ed25519.PrivateKey. Without it the Auth only verifies tokens, and the
	// obtain and refresh handlers answer 500.
	Private crypto.PrivateKey
	// Public verifies them (JWT_PUBLIC_KEY). Nil means Private's.
	Public crypto.PublicKey
	// ID, when set, is written as kid in the header of new tokens
	// (JWT_KEY_ID), so that after a rotation their kid selects their key.
	// Unset, tokens carry no kid, as DRF-JWT's do.
	ID string
	// Previous are keys retired by rotations, at most three, each with
	// its ID (if its tokens carry one) and its Secret or Public key: they
	// verify the tokens they signed until those expire, and sign nothing
	// (JWT_PREVIOUS_SECRET_KEYS, JWT_PREVIOUS_PUBLIC_KEYS). A token whose
	// kid names a key (ID or an ID here) is verified with that key alone;
	// any other token, such as Django's, which carry no kid, with the
	// current key, then with each previous key that has no ID.
	Previous []Keys
}

// engineKeys converts k for the token engine, refusing what only the
// current key may have.
func (k Keys) engineKeys() (token.Keys, error) {
	out := token.Keys{Current: k.key()}
	for i, p := range k.Previous {
		if len(p.Previous) > 0 {
			return token.Keys{}, fmt.Errorf("jwtauth: Keys.Previous[%d] has Previous keys of its own; list every retired key in Keys.Previous", i)
		}
		out.Previous = append(out.Previous, p.key())
	}
	return out, nil
}

func (k Keys) key() token.Key {
	return token.Key{ID: k.ID, Secret: []byte(k.Secret), Private: k.Private, Public: k.Public}
}

// String prints the keys redacted.
func (k Keys) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "{ID:%q Secret:%s Private:%s Public:%s", k.ID, k.Secret.String(), keyKind(k.Private), keyKind(k.Public))
	if len(k.Previous) > 0 {
		b.WriteString(" Previous:[")
		for i, p := range k.Previous {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(p.String())
		}
		b.WriteByte(']')
	}
	b.WriteByte('}')
	return b.String()
}

// GoString prints the keys redacted.
func (k Keys) GoString() string { return "jwtauth.Keys" + k.String() }

// Format prints the keys redacted, whatever the verb: %d or %x would
// otherwise print the key material of a struct.
func (k Keys) Format(f fmt.State, verb rune) { redactedFormat(f, verb, k) }

// LogValue logs the keys redacted.
func (k Keys) LogValue() slog.Value { return slog.StringValue(k.String()) }

// MarshalJSON writes the keys redacted, as a JSON string.
func (k Keys) MarshalJSON() ([]byte, error) { return json.Marshal(k.String()) }

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

// Format prints the secret redacted, whatever the verb (%d, %x and %q
// too).
func (s Secret) Format(f fmt.State, verb rune) { redactedFormat(f, verb, s) }

// LogValue implements slog.LogValuer without revealing the secret.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalJSON writes the secret redacted, so that a struct holding one
// can be logged as JSON or sent to a client without leaking it.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// redactedFormat writes v's GoString for %#v, its String quoted for %q,
// and its String for every other verb.
func redactedFormat(f fmt.State, verb rune, v interface {
	fmt.Stringer
	fmt.GoStringer
}) {
	switch {
	case verb == 'v' && f.Flag('#'):
		_, _ = io.WriteString(f, v.GoString())
	case verb == 'q':
		_, _ = io.WriteString(f, strconv.Quote(v.String()))
	default:
		_, _ = io.WriteString(f, v.String())
	}
}

// String prints the settings with keys redacted.
func (s Settings) String() string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "{Algorithm:%s Keys:%s", s.Algorithm, s.Keys.String())
	fmt.Fprintf(&b, " Leeway:%s ExpirationDelta:%s Audience:%q Issuer:%q AllowRefresh:%t RefreshExpirationDelta:%s",
		s.Leeway, s.ExpirationDelta, s.Audience, s.Issuer, s.AllowRefresh, s.RefreshExpirationDelta)
	fmt.Fprintf(&b, " AuthHeaderPrefix:%q AuthCookie:%q UsernameField:%q", s.AuthHeaderPrefix, s.AuthCookie, s.UsernameField)
	fmt.Fprintf(&b, " LoginThrottle:%s ClientIPHeader:%q", throttleKind(s.LoginThrottle), s.ClientIPHeader)
	if s.Revocations != nil {
		fmt.Fprintf(&b, " Revocations:%T ReuseGrace:%s", s.Revocations, s.ReuseGrace)
	}
	if j := s.SimpleJWT; j != nil {
		fmt.Fprintf(&b, " SimpleJWT:{RefreshTokenLifetime:%s RotateRefreshTokens:%t BlacklistAfterRotation:%t AuthHeaderTypes:%q UserIDClaim:%q SlidingTokens:%t CheckRevokeToken:%t Blacklist:%T}",
			j.RefreshTokenLifetime, j.RotateRefreshTokens, j.BlacklistAfterRotation, j.AuthHeaderTypes, j.UserIDClaim, j.SlidingTokens, j.CheckRevokeToken, j.Blacklist)
	}
	b.WriteByte('}')
	return b.String()
}

// GoString prints the settings with keys redacted.
func (s Settings) GoString() string { return "jwtauth.Settings" + s.String() }

// Format prints the settings with keys redacted, whatever the verb.
func (s Settings) Format(f fmt.State, verb rune) { redactedFormat(f, verb, s) }

// LogValue logs the settings with keys redacted.
func (s Settings) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalJSON writes the settings as their redacted String, a JSON
// string: the hooks cannot be written, and the keys must not be.
func (s Settings) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

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
