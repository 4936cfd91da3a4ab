package jwtauth

import (
	"crypto"
	"errors"
	"fmt"
	"math"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jwtauth-go/jwtauth/internal/token"
	"github.com/jwtauth-go/jwtauth/throttle"
)

// FromEnv returns DRF-JWT's default settings overridden by the environment variables
// named after DRF-JWT's settings, read through lookup (os.LookupEnv, or a
// map in tests). An empty variable counts as unset. Every malformed value
// is reported, naming its variable but never showing a secret.
//
//	JWT_SECRET_KEY                 the HMAC secret
//	JWT_PRIVATE_KEY, JWT_PUBLIC_KEY   PEM text, or the path of a PEM file
//	JWT_KEY_ID                     the kid of new tokens (default: none)
//	JWT_PREVIOUS_SECRET_KEYS       retired HMAC secrets, separated by commas
//	JWT_PREVIOUS_PUBLIC_KEYS       retired public keys: PEM text or file, one
//	                               block per key
//	JWT_ALGORITHM                  HS256 (default), HS384, HS512, RS256, ..., EdDSA
//	JWT_EXPIRATION_DELTA           seconds ("300") or a Go duration ("5m")
//	JWT_REFRESH_EXPIRATION_DELTA   likewise (default 7 days)
//	JWT_LEEWAY                     likewise (default 0)
//	JWT_ALLOW_REFRESH              True or False (also 1/0, yes/no, on/off)
//	JWT_AUDIENCE, JWT_ISSUER       strings
//	JWT_AUTH_HEADER_PREFIX         JWT (default), Bearer, ...
//	JWT_AUTH_COOKIE                a cookie name; unset means no cookie
//	JWT_AUTH_COOKIE_SECURE         True (default) or False
//	JWT_AUTH_COOKIE_SAMESITE       Lax (default), Strict or None
//	JWT_USERNAME_FIELD             username (default), or email, ...
//	JWT_TOKEN_CACHE_SIZE           verified tokens to remember (default 0: off)
//	JWT_MAX_CONCURRENT_LOGINS      password checks at once (default 0: 4 per CPU)
//	JWT_LOGIN_THROTTLE_USER        login attempts per username, as DRF writes
//	                               rates ("5/min"); unset: no limit
//	JWT_LOGIN_THROTTLE_ADDR        login attempts per client address ("20/min")
//	JWT_CLIENT_IP_HEADER           the proxy's header with the client address
//	                               (X-Forwarded-For, X-Real-IP); unset: the peer
//	CSRF_TRUSTED_ORIGINS           origins allowed cookie-authenticated writes,
//	                               separated by commas or spaces (Django's name)
//
// JWT_DIALECT=simplejwt (default drf-jwt) selects simplejwt's dialect
// (Settings.SimpleJWT), whose settings are then read under simplejwt's
// names, as SIMPLE_JWT_<NAME>; DRF-JWT's variables for the same settings
// are then errors, pointing to simplejwt's:
//
//	SIMPLE_JWT_SIGNING_KEY         the HMAC secret (default DJANGO_SECRET_KEY,
//	                               as simplejwt defaults to SECRET_KEY), or
//	                               for RS*, ES*, PS* and EdDSA a PEM private key
//	SIMPLE_JWT_VERIFYING_KEY       a PEM public key
//	SIMPLE_JWT_ALGORITHM           HS256 (default), ...
//	SIMPLE_JWT_ACCESS_TOKEN_LIFETIME, SIMPLE_JWT_REFRESH_TOKEN_LIFETIME,
//	SIMPLE_JWT_SLIDING_TOKEN_LIFETIME, SIMPLE_JWT_SLIDING_TOKEN_REFRESH_LIFETIME,
//	SIMPLE_JWT_LEEWAY              seconds or a Go duration
//	SIMPLE_JWT_ROTATE_REFRESH_TOKENS, SIMPLE_JWT_BLACKLIST_AFTER_ROTATION,
//	SIMPLE_JWT_UPDATE_LAST_LOGIN, SIMPLE_JWT_CHECK_REVOKE_TOKEN   True or False
//	SIMPLE_JWT_AUTH_HEADER_TYPES   Bearer (default), or several: Bearer,JWT
//	SIMPLE_JWT_AUDIENCE, SIMPLE_JWT_ISSUER   strings
//	SIMPLE_JWT_USER_ID_FIELD       id (default)
//	SIMPLE_JWT_USER_ID_CLAIM       user_id (default)
//	SIMPLE_JWT_AUTH_TOKEN_CLASSES  AccessToken (default), or AccessToken,SlidingToken
//	                               (short names or rest_framework_simplejwt.tokens paths)
//
// SIMPLE_JWT_TOKEN_TYPE_CLAIM, SIMPLE_JWT_JTI_CLAIM and
// SIMPLE_JWT_SLIDING_TOKEN_REFRESH_EXP_CLAIM may only name their defaults
// (token_type, jti, refresh_exp): the type and id checks cannot be turned
// off. The variables of neither dialect (key rotation, the token cache and
// the login defences) are read in both.
//
// JWT_VERIFY and JWT_VERIFY_EXPIRATION may be True; False is an error,
// because no setting turns verification off. DRF-JWT's handler settings
// (JWT_PAYLOAD_HANDLER, ...) name Python functions: they are errors here,
// pointing to the Settings hook to set in Go instead.
func FromEnv(lookup func(key string) (string, bool)) (Settings, error) {
	s := defaultSettings()
	e := &envReader{lookup: lookup}
	get, fail, str, boolean, duration := e.get, e.fail, e.str, e.boolean, e.duration

	var simple bool
	switch v, _ := get("JWT_DIALECT"); strings.ToLower(v) {
	case "", "drf-jwt":
	case "simplejwt":
		simple = true
	default:
		fail("JWT_DIALECT", "want drf-jwt or simplejwt")
	}
	if simple {
		for _, name := range []string{"JWT_SECRET_KEY", "JWT_PRIVATE_KEY", "JWT_PUBLIC_KEY", "JWT_ALGORITHM", "JWT_EXPIRATION_DELTA",
			"JWT_LEEWAY", "JWT_AUDIENCE", "JWT_ISSUER", "JWT_AUTH_HEADER_PREFIX"} {
			if _, ok := get(name); ok {
				fail(name, "is DRF-JWT's: with JWT_DIALECT=simplejwt, set %s", simpleName[name])
			}
		}
		for _, name := range []string{"JWT_ALLOW_REFRESH", "JWT_REFRESH_EXPIRATION_DELTA", "JWT_AUTH_COOKIE"} {
			if _, ok := get(name); ok {
				fail(name, "is DRF-JWT's, and simplejwt has no such setting")
			}
		}
		s.SimpleJWT = simpleFromEnv(e, &s)
	}
	if v, ok := get("JWT_SECRET_KEY"); ok {
		s.Keys.Secret = Secret(v)
	}
	if v, ok := get("JWT_PRIVATE_KEY"); ok {
		s.Keys.Private = e.privateKey("JWT_PRIVATE_KEY", v)
	}
	e.publicKey("JWT_PUBLIC_KEY", &s.Keys.Public)
	str("JWT_KEY_ID", &s.Keys.ID)
	if v, ok := get("JWT_PREVIOUS_SECRET_KEYS"); ok {
		for _, k := range strings.Split(v, ",") {
			s.Keys.Previous = append(s.Keys.Previous, Keys{Secret: Secret(strings.TrimSpace(k))})
		}
	}
	if v, ok := get("JWT_PREVIOUS_PUBLIC_KEYS"); ok {
		data, err := pemValue(v)
		var keys []crypto.PublicKey
		if err == nil {
			keys, err = token.ParsePublicKeysPEM(data)
		}
		if err != nil {
			fail("JWT_PREVIOUS_PUBLIC_KEYS", "%v", err)
		}
		for _, k := range keys {
			s.Keys.Previous = append(s.Keys.Previous, Keys{Public: k})
		}
	}
	str("JWT_ALGORITHM", &s.Algorithm)
	duration("JWT_EXPIRATION_DELTA", &s.ExpirationDelta)
	duration("JWT_REFRESH_EXPIRATION_DELTA", &s.RefreshExpirationDelta)
	duration("JWT_LEEWAY", &s.Leeway)
	boolean("JWT_ALLOW_REFRESH", &s.AllowRefresh)
	str("JWT_AUDIENCE", &s.Audience)
	str("JWT_ISSUER", &s.Issuer)
	str("JWT_AUTH_HEADER_PREFIX", &s.AuthHeaderPrefix)
	str("JWT_AUTH_COOKIE", &s.AuthCookie)
	str("JWT_USERNAME_FIELD", &s.UsernameField)
	count := func(name string, dst *int) {
		if v, ok := get(name); ok {
			n, err := strconv.Atoi(v)
			if err != nil {
				fail(name, "want a whole number")
			}
			*dst = n
		}
	}
	count("JWT_TOKEN_CACHE_SIZE", &s.TokenCacheSize)
	count("JWT_MAX_CONCURRENT_LOGINS", &s.MaxConcurrentLogins)
	// Login throttling is not a DRF-JWT setting (DRF sets throttles per
	// view, off by default): either rate turns on the built-in throttle.
	var rates [2]throttle.Rate
	throttled := false
	for i, name := range []string{"JWT_LOGIN_THROTTLE_USER", "JWT_LOGIN_THROTTLE_ADDR"} {
		if v, ok := get(name); ok {
			r, err := throttle.ParseRate(v)
			if err != nil {
				fail(name, "%v", err)
			}
			rates[i], throttled = r, throttled || err == nil
		}
	}
	if throttled {
		if t, err := throttle.NewMemory(rates[0], rates[1]); err != nil {
			e.errs = append(e.errs, err)
		} else {
			s.LoginThrottle = t
		}
	}
	str("JWT_CLIENT_IP_HEADER", &s.ClientIPHeader)
	if v, ok := get("CSRF_TRUSTED_ORIGINS"); ok {
		s.TrustedOrigins = strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' })
	}
	secure := true
	boolean("JWT_AUTH_COOKIE_SECURE", &secure)
	s.AuthCookieInsecure = !secure
	if v, ok := get("JWT_AUTH_COOKIE_SAMESITE"); ok {
		switch strings.ToLower(v) {
		case "lax":
			s.AuthCookieSameSite = http.SameSiteLaxMode
		case "strict":
			s.AuthCookieSameSite = http.SameSiteStrictMode
		case "none":
			s.AuthCookieSameSite = http.SameSiteNoneMode
		default:
			fail("JWT_AUTH_COOKIE_SAMESITE", "want Lax, Strict or None")
		}
	}
	for _, name := range []string{"JWT_VERIFY", "JWT_VERIFY_EXPIRATION"} {
		on := true
		boolean(name, &on)
		if !on {
			fail(name, "verification cannot be turned off: a setting that disables it is how forged tokens get in (simplejwt 5.2.1); unset it")
		}
	}
	for name, field := range map[string]string{
		"JWT_ENCODE_HANDLER":               "nothing (tokens are signed with golang-jwt)",
		"JWT_DECODE_HANDLER":               "nothing (tokens are verified strictly)",
		"JWT_PAYLOAD_HANDLER":              "Settings.PayloadHandler",
		"JWT_PAYLOAD_GET_USER_ID_HANDLER":  "nothing (DRF-JWT never calls it)",
		"JWT_PAYLOAD_GET_USERNAME_HANDLER": "Settings.UsernameFromPayload",
		"JWT_RESPONSE_PAYLOAD_HANDLER":     "Settings.ResponsePayloadHandler",
		"JWT_GET_USER_SECRET_KEY":          "Settings.UserSecretKey",
	} {
		if _, ok := get(name); ok {
			fail(name, "names a Python function; in Go set %s", field)
		}
	}
	return s, errors.Join(e.errs...)
}

// simpleName is simplejwt's variable for a DRF-JWT one.
var simpleName = map[string]string{
	"JWT_SECRET_KEY": "SIMPLE_JWT_SIGNING_KEY", "JWT_PRIVATE_KEY": "SIMPLE_JWT_SIGNING_KEY",
	"JWT_PUBLIC_KEY": "SIMPLE_JWT_VERIFYING_KEY", "JWT_ALGORITHM": "SIMPLE_JWT_ALGORITHM",
	"JWT_EXPIRATION_DELTA": "SIMPLE_JWT_ACCESS_TOKEN_LIFETIME", "JWT_LEEWAY": "SIMPLE_JWT_LEEWAY",
	"JWT_AUDIENCE": "SIMPLE_JWT_AUDIENCE", "JWT_ISSUER": "SIMPLE_JWT_ISSUER",
	"JWT_AUTH_HEADER_PREFIX": "SIMPLE_JWT_AUTH_HEADER_TYPES",
}

// simpleFromEnv reads simplejwt's settings (see FromEnv) into s and the
// SimpleJWT it returns.
func simpleFromEnv(e *envReader, s *Settings) *SimpleJWT {
	j := &SimpleJWT{}
	get, fail, str, boolean, duration := e.get, e.fail, e.str, e.boolean, e.duration
	list := func(v string) []string {
		return strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' })
	}
	str("SIMPLE_JWT_ALGORITHM", &s.Algorithm)
	key, named := get("SIMPLE_JWT_SIGNING_KEY")
	if !named {
		key, named = get("DJANGO_SECRET_KEY")
	}
	switch {
	case !named:
	case strings.HasPrefix(s.Algorithm, "HS"):
		s.Keys.Secret = Secret(key)
	default:
		s.Keys.Private = e.privateKey("SIMPLE_JWT_SIGNING_KEY", key)
	}
	e.publicKey("SIMPLE_JWT_VERIFYING_KEY", &s.Keys.Public)
	duration("SIMPLE_JWT_ACCESS_TOKEN_LIFETIME", &s.ExpirationDelta)
	duration("SIMPLE_JWT_LEEWAY", &s.Leeway)
	str("SIMPLE_JWT_AUDIENCE", &s.Audience)
	str("SIMPLE_JWT_ISSUER", &s.Issuer)
	duration("SIMPLE_JWT_REFRESH_TOKEN_LIFETIME", &j.RefreshTokenLifetime)
	duration("SIMPLE_JWT_SLIDING_TOKEN_LIFETIME", &j.SlidingTokenLifetime)
	duration("SIMPLE_JWT_SLIDING_TOKEN_REFRESH_LIFETIME", &j.SlidingTokenRefreshLifetime)
	boolean("SIMPLE_JWT_ROTATE_REFRESH_TOKENS", &j.RotateRefreshTokens)
	boolean("SIMPLE_JWT_BLACKLIST_AFTER_ROTATION", &j.BlacklistAfterRotation)
	boolean("SIMPLE_JWT_UPDATE_LAST_LOGIN", &j.UpdateLastLogin)
	boolean("SIMPLE_JWT_CHECK_REVOKE_TOKEN", &j.CheckRevokeToken)
	if v, ok := get("SIMPLE_JWT_AUTH_HEADER_TYPES"); ok {
		j.AuthHeaderTypes = list(v)
	}
	str("SIMPLE_JWT_USER_ID_FIELD", &j.UserIDField)
	str("SIMPLE_JWT_USER_ID_CLAIM", &j.UserIDClaim)
	if v, ok := get("SIMPLE_JWT_AUTH_TOKEN_CLASSES"); ok {
		classes := list(v)
		for i, c := range classes {
			switch strings.TrimPrefix(c, "rest_framework_simplejwt.tokens.") {
			case "AccessToken":
				if i != 0 {
					fail("SIMPLE_JWT_AUTH_TOKEN_CLASSES", "AccessToken comes first")
				}
			case "SlidingToken":
				j.SlidingTokens = true
			default:
				fail("SIMPLE_JWT_AUTH_TOKEN_CLASSES", "want AccessToken, or AccessToken,SlidingToken")
			}
		}
		if len(classes) == 0 || strings.TrimPrefix(classes[0], "rest_framework_simplejwt.tokens.") != "AccessToken" {
			fail("SIMPLE_JWT_AUTH_TOKEN_CLASSES", "want AccessToken, or AccessToken,SlidingToken")
		}
	}
	for name, claim := range map[string]string{"SIMPLE_JWT_TOKEN_TYPE_CLAIM": "token_type", "SIMPLE_JWT_JTI_CLAIM": "jti",
		"SIMPLE_JWT_SLIDING_TOKEN_REFRESH_EXP_CLAIM": "refresh_exp"} {
		if v, ok := get(name); ok && v != claim {
			fail(name, "only %s is supported: a token's type and id are always checked, under simplejwt's default names", claim)
		}
	}
	for _, name := range []string{"SIMPLE_JWT_JWK_URL", "SIMPLE_JWT_JSON_ENCODER", "SIMPLE_JWT_TOKEN_USER_CLASS", "SIMPLE_JWT_USER_AUTHENTICATION_RULE"} {
		if _, ok := get(name); ok {
			fail(name, "is not supported")
		}
	}
	if v, ok := get("SIMPLE_JWT_CHECK_USER_IS_ACTIVE"); ok {
		if b, err := parseBool(v); err != nil || !b {
			fail("SIMPLE_JWT_CHECK_USER_IS_ACTIVE", "inactive users are always refused; unset it")
		}
	}
	return j
}

// envReader reads settings from the environment, keeping every problem,
// each naming its variable, for one error at the end.
type envReader struct {
	lookup func(string) (string, bool)
	errs   []error
}

// get returns a variable's value; an empty one counts as unset.
func (e *envReader) get(name string) (string, bool) {
	v, ok := e.lookup(name)
	return v, ok && v != ""
}

func (e *envReader) fail(name, format string, args ...any) {
	e.errs = append(e.errs, fmt.Errorf("jwtauth: %s: "+format, append([]any{name}, args...)...))
}

func (e *envReader) str(name string, dst *string) {
	if v, ok := e.get(name); ok {
		*dst = v
	}
}

func (e *envReader) boolean(name string, dst *bool) {
	if v, ok := e.get(name); ok {
		b, err := parseBool(v)
		if err != nil {
			e.fail(name, "%v", err)
		}
		*dst = b
	}
}

func (e *envReader) duration(name string, dst *time.Duration) {
	if v, ok := e.get(name); ok {
		d, err := parseSeconds(v)
		if err != nil {
			e.fail(name, "%v", err)
		}
		*dst = d
	}
}

// privateKey reads the PEM private key that v holds or names.
func (e *envReader) privateKey(name, v string) crypto.PrivateKey {
	data, err := pemValue(v)
	var k crypto.PrivateKey
	if err == nil {
		k, err = token.ParsePrivateKeyPEM(data)
	}
	if err != nil {
		e.fail(name, "%v", err)
	}
	return k
}

// publicKey reads the PEM public key that the variable holds or names.
func (e *envReader) publicKey(name string, dst *crypto.PublicKey) {
	if v, ok := e.get(name); ok {
		data, err := pemValue(v)
		if err == nil {
			*dst, err = token.ParsePublicKeyPEM(data)
		}
		if err != nil {
			e.fail(name, "%v", err)
		}
	}
}

func parseBool(v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "1", "yes", "on":
		return true, nil
	case "false", "0", "no", "off":
		return false, nil
	}
	return false, errors.New("want True or False")
}

// parseSeconds reads a number of seconds, as DRF-JWT's timedelta settings
// are usually written, or a Go duration.
func parseSeconds(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		if math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > math.MaxInt64/float64(time.Second) {
			return 0, errors.New("out of range")
		}
		return time.Duration(f * float64(time.Second)), nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, errors.New(`want seconds ("300") or a Go duration ("5m")`)
	}
	return d, nil
}

// pemValue takes PEM text as it is, and anything else as a file to read.
func pemValue(v string) ([]byte, error) {
	if strings.Contains(v, "-----BEGIN") {
		return []byte(v), nil
	}
	data, err := os.ReadFile(v)
	if err != nil {
		return nil, errors.New("not PEM text, and not a readable file")
	}
	return data, nil
}
