package session

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/jwtauth-go/jwtauth"
)

// FromEnv returns the Settings that the environment variables named after
// Django's settings give, read through lookup (os.LookupEnv, or a map in
// tests); Store and Users are the caller's to set. An empty variable
// counts as unset; every malformed value is reported, naming its variable
// but never showing a key.
//
//	DJANGO_SECRET_KEY            SECRET_KEY
//	DJANGO_SECRET_KEY_FALLBACKS  SECRET_KEY_FALLBACKS, separated by commas
//	SESSION_COOKIE_NAME          sessionid (default)
//	SESSION_ENGINE               django.contrib.sessions.backends.db (default)
//	                             or django.contrib.sessions.backends.signed_cookies
//	SESSION_COOKIE_AGE           seconds (default 1209600)
//	AUTHENTICATION_BACKENDS      dotted paths, separated by commas
//	                             (default django.contrib.auth.backends.ModelBackend)
//	CSRF_COOKIE_NAME             csrftoken (default)
//	CSRF_HEADER_NAME             HTTP_X_CSRFTOKEN (default), as Django writes it
//	CSRF_COOKIE_DOMAIN           none (default)
//	CSRF_TRUSTED_ORIGINS         hosts or origins, separated by commas or spaces
//	SECURE_PROXY_SSL_HEADER      the header and its value, as "HTTP_X_FORWARDED_PROTO,https"
//	DJANGO_SESSION_LEGACY        True to accept Django 3.2's SHA-1 and pre-3.1
//	                             formats (default False; see Settings.Legacy)
func FromEnv(lookup func(string) (string, bool)) (Settings, error) {
	var s Settings
	var errs []error
	get := func(name string) (string, bool) {
		v, ok := lookup(name)
		return v, ok && v != ""
	}
	fail := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("session: %s: "+format, append([]any{name}, args...)...))
	}
	list := func(v string) []string {
		return strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' })
	}
	if v, ok := get("DJANGO_SECRET_KEY"); ok {
		s.SecretKey = jwtauth.Secret(v)
	}
	if v, ok := get("DJANGO_SECRET_KEY_FALLBACKS"); ok {
		// Keys hold no commas in practice (get_random_secret_key's
		// alphabet has none); spaces around them are not part of them.
		for _, k := range strings.Split(v, ",") {
			s.SecretKeyFallbacks = append(s.SecretKeyFallbacks, jwtauth.Secret(strings.TrimSpace(k)))
		}
	}
	if v, ok := get("SESSION_COOKIE_NAME"); ok {
		s.CookieName = v
	}
	if v, ok := get("SESSION_ENGINE"); ok {
		s.Engine = v
	}
	if v, ok := get("SESSION_COOKIE_AGE"); ok {
		n, err := strconv.ParseFloat(v, 64)
		if err != nil || n <= 0 || math.IsInf(n, 0) || n > math.MaxInt64/float64(time.Second) {
			fail("SESSION_COOKIE_AGE", "want a positive number of seconds")
		}
		s.CookieAge = time.Duration(n * float64(time.Second))
	}
	if v, ok := get("AUTHENTICATION_BACKENDS"); ok {
		s.Backends = list(v)
	}
	if v, ok := get("CSRF_COOKIE_NAME"); ok {
		s.CSRFCookieName = v
	}
	if v, ok := get("CSRF_HEADER_NAME"); ok {
		s.CSRFHeaderName = v
	}
	if v, ok := get("CSRF_COOKIE_DOMAIN"); ok {
		s.CSRFCookieDomain = v
	}
	if v, ok := get("CSRF_TRUSTED_ORIGINS"); ok {
		s.TrustedOrigins = list(v)
	}
	if v, ok := get("SECURE_PROXY_SSL_HEADER"); ok {
		name, value, found := strings.Cut(v, ",")
		if !found || strings.TrimSpace(name) == "" || strings.TrimSpace(value) == "" {
			fail("SECURE_PROXY_SSL_HEADER", `want the header and its value, as "HTTP_X_FORWARDED_PROTO,https"`)
		}
		s.SecureProxySSLHeader = [2]string{strings.TrimSpace(name), strings.TrimSpace(value)}
	}
	if v, ok := get("DJANGO_SESSION_LEGACY"); ok {
		switch strings.ToLower(v) {
		case "true", "1", "yes", "on":
			s.Legacy = true
		case "false", "0", "no", "off":
		default:
			fail("DJANGO_SESSION_LEGACY", "want True or False")
		}
	}
	return s, errors.Join(errs...)
}
