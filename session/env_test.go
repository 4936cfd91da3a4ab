package session

import (
	"strings"
	"testing"
	"time"
)

// TestFromEnv: Django's settings from the environment, each malformed one
// named, no key ever shown.
func TestFromEnv(t *testing.T) {
	for _, tc := range []struct {
		name  string
		env   map[string]string
		check func(Settings) bool
		err   string
	}{
		{"nothing", nil, func(s Settings) bool { return s.SecretKey == "" && s.Engine == "" && !s.Legacy }, ""},
		{"all", map[string]string{
			"DJANGO_SECRET_KEY": "k-0123456789", "DJANGO_SECRET_KEY_FALLBACKS": "old-1, old-2", "SESSION_COOKIE_NAME": "sid",
			"SESSION_ENGINE": EngineSignedCookies, "SESSION_COOKIE_AGE": "3600", "AUTHENTICATION_BACKENDS": ModelBackend + "," + AllowAllUsersModelBackend,
			"CSRF_COOKIE_NAME": "csrf", "CSRF_HEADER_NAME": "HTTP_X_XSRF_TOKEN", "CSRF_COOKIE_DOMAIN": ".example.com",
			"CSRF_TRUSTED_ORIGINS": "https://a.example.com api.example.com", "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO, https",
			"DJANGO_SESSION_LEGACY": "True",
		}, func(s Settings) bool {
			return s.SecretKey == "k-0123456789" && len(s.SecretKeyFallbacks) == 2 && s.SecretKeyFallbacks[1] == "old-2" && s.CookieName == "sid" &&
				s.Engine == EngineSignedCookies && s.CookieAge == time.Hour && len(s.Backends) == 2 && s.CSRFCookieName == "csrf" &&
				s.CSRFHeaderName == "HTTP_X_XSRF_TOKEN" && s.CSRFCookieDomain == ".example.com" && len(s.TrustedOrigins) == 2 &&
				s.SecureProxySSLHeader == [2]string{"HTTP_X_FORWARDED_PROTO", "https"} && s.Legacy
		}, ""},
		{"bad age", map[string]string{"SESSION_COOKIE_AGE": "two weeks"}, nil, "SESSION_COOKIE_AGE"},
		{"bad proxy header", map[string]string{"SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO"}, nil, "SECURE_PROXY_SSL_HEADER"},
		{"bad legacy", map[string]string{"DJANGO_SESSION_LEGACY": "maybe", "DJANGO_SECRET_KEY": "a-secret-never-shown"}, nil, "DJANGO_SESSION_LEGACY"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := FromEnv(func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok })
			if tc.err == "" {
				if err != nil || !tc.check(s) {
					t.Fatalf("%+v, %v", s, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.err) || strings.Contains(err.Error(), "a-secret-never-shown") {
				t.Fatalf("err %v, want one naming %s", err, tc.err)
			}
		})
	}
}
