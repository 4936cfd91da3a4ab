package jwtauth

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestNewRefusesMisconfiguration: every problem is reported by New, naming
// the setting, never showing the key.
func TestNewRefusesMisconfiguration(t *testing.T) {
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	rsaSmall, _ := rsa.GenerateKey(rand.Reader, 1024)
	rsaOther, _ := rsa.GenerateKey(rand.Reader, 2048)
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	const ok32 = "0123456789abcdef0123456789abcdef"
	tests := []struct {
		name string
		s    Settings
		want string // a fragment of the error
	}{
		{"no secret", Settings{}, "Keys.Secret (JWT_SECRET_KEY) is empty"},
		{"31-byte secret", Settings{Keys: Keys{Secret: Secret(ok32[:31])}}, "has 31 bytes; HS256 needs at least 32"},
		{"HS384 needs 48 bytes", Settings{Keys: Keys{Secret: ok32 + "0123456789"}, Algorithm: "HS384"}, "HS384 needs at least 48"},
		{"HS512 needs 64 bytes", Settings{Keys: Keys{Secret: Secret(ok32 + ok32[:31])}, Algorithm: "HS512"}, "HS512 needs at least 64"},
		{"low-diversity secret", Settings{Keys: Keys{Secret: Secret(strings.Repeat("ab", 20))}}, "fewer than 5 distinct"},
		{"PEM as a secret", Settings{Keys: Keys{Secret: "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----"}}, "looks like a PEM or SSH key"},
		{"SSH key as a secret", Settings{Keys: Keys{Secret: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl user@host"}}, "looks like a PEM or SSH key"},
		{"alg none", Settings{Keys: Keys{Secret: ok32}, Algorithm: "none"}, `"none" is never accepted`},
		{"alg NONE", Settings{Keys: Keys{Secret: ok32}, Algorithm: "NONE"}, `is never accepted`},
		{"unknown alg", Settings{Keys: Keys{Secret: ok32}, Algorithm: "HS257"}, `"HS257" is not one of`},
		{"HMAC with a private key", Settings{Keys: Keys{Secret: ok32, Private: rsaKey}}, "HS256 takes Keys.Secret"},
		{"RS256 without keys", Settings{Algorithm: "RS256"}, "RS256 needs Keys.Private (JWT_PRIVATE_KEY) or Keys.Public"},
		{"RSA key for ES256", Settings{Keys: Keys{Private: rsaKey}, Algorithm: "ES256"}, "*rsa.PrivateKey, which does not fit ES256"},
		{"EC key for RS256", Settings{Keys: Keys{Public: &p256.PublicKey}, Algorithm: "RS256"}, "*ecdsa.PublicKey, which does not fit RS256"},
		{"Ed25519 key for PS256", Settings{Keys: Keys{Private: ed}, Algorithm: "PS256"}, "does not fit PS256"},
		{"P-256 key for ES384", Settings{Keys: Keys{Private: p256}, Algorithm: "ES384"}, "ES384 needs an ECDSA key on P-384"},
		{"1024-bit RSA", Settings{Keys: Keys{Private: rsaSmall}, Algorithm: "RS256"}, "1024 bits"},
		{"public key of another pair", Settings{Keys: Keys{Private: rsaKey, Public: &rsaOther.PublicKey}, Algorithm: "RS256"}, "not the public half"},
		{"per-user secrets with RSA", Settings{Keys: Keys{Private: rsaKey}, Algorithm: "RS256", UserSecretKey: func(context.Context, User) (Secret, error) { return "", nil }}, "needs an HMAC algorithm"},
		{"negative expiration", Settings{Keys: Keys{Secret: ok32}, ExpirationDelta: -time.Second}, "ExpirationDelta (JWT_EXPIRATION_DELTA) is negative"},
		{"negative refresh window", Settings{Keys: Keys{Secret: ok32}, RefreshExpirationDelta: -time.Second}, "RefreshExpirationDelta (JWT_REFRESH_EXPIRATION_DELTA) is negative"},
		{"negative leeway", Settings{Keys: Keys{Secret: ok32}, Leeway: -time.Second}, "Leeway (JWT_LEEWAY) is negative"},
		{"prefix with a space", Settings{Keys: Keys{Secret: ok32}, AuthHeaderPrefix: "JWT realm"}, "must be one word"},
		{"prefix with a tab", Settings{Keys: Keys{Secret: ok32}, AuthHeaderPrefix: "JWT\t"}, "must be one word"},
		{"prefix with a comma", Settings{Keys: Keys{Secret: ok32}, AuthHeaderPrefix: "JWT,"}, "must be one word"},
		{"bad cookie name", Settings{Keys: Keys{Secret: ok32}, AuthCookie: "jwt token"}, "not a valid cookie name"},
		{"SameSite None without Secure", Settings{Keys: Keys{Secret: ok32}, AuthCookie: "jwt", AuthCookieSameSite: http.SameSiteNoneMode, AuthCookieInsecure: true}, "needs the Secure attribute"},
		{"bad username field", Settings{Keys: Keys{Secret: ok32}, UsernameField: "user name"}, "UsernameField"},
		{"four previous keys", Settings{Keys: Keys{Secret: ok32, Previous: []Keys{{Secret: ok32}, {Secret: ok32}, {Secret: ok32}, {Secret: ok32}}}}, "Keys.Previous has 4 keys; at most 3"},
		{"weak previous secret", Settings{Keys: Keys{Secret: ok32, Previous: []Keys{{Secret: "short-old-secret"}}}}, "Keys.Previous[0].Secret (JWT_PREVIOUS_SECRET_KEYS) has 16 bytes"},
		{"empty previous secret", Settings{Keys: Keys{Secret: ok32, Previous: []Keys{{ID: "old"}}}}, "Keys.Previous[0].Secret (JWT_PREVIOUS_SECRET_KEYS) is empty"},
		{"previous public key for HS256", Settings{Keys: Keys{Secret: ok32, Previous: []Keys{{Public: &rsaKey.PublicKey}}}}, "Keys.Previous[0]: HS256 takes a Secret"},
		{"previous secret for RS256", Settings{Keys: Keys{Private: rsaKey, Previous: []Keys{{Secret: ok32}}}, Algorithm: "RS256"}, "Keys.Previous[0]: RS256 takes a Public key"},
		{"previous EC key for RS256", Settings{Keys: Keys{Private: rsaKey, Previous: []Keys{{Public: &p256.PublicKey}}}, Algorithm: "RS256"}, "Keys.Previous[0].Public (JWT_PREVIOUS_PUBLIC_KEYS) is a *ecdsa.PublicKey"},
		{"previous 1024-bit RSA", Settings{Keys: Keys{Private: rsaKey, Previous: []Keys{{Public: &rsaSmall.PublicKey}}}, Algorithm: "RS256"}, "Keys.Previous[0].Public (JWT_PREVIOUS_PUBLIC_KEYS): the RSA key has 1024 bits"},
		{"key ID with a quote", Settings{Keys: Keys{Secret: ok32, ID: `k"1`}}, "Keys.ID (JWT_KEY_ID)"},
		{"key ID too long", Settings{Keys: Keys{Secret: ok32, ID: strings.Repeat("k", 65)}}, "Keys.ID (JWT_KEY_ID)"},
		{"previous ID with a newline", Settings{Keys: Keys{Secret: ok32, Previous: []Keys{{ID: "k\n", Secret: ok32}}}}, "Keys.Previous[0].ID"},
		{"one ID for two keys", Settings{Keys: Keys{Secret: ok32, ID: "k1", Previous: []Keys{{ID: "k1", Secret: ok32}}}}, `Keys.Previous[0].ID "k1" names another key too`},
		{"key ID with per-user secrets", Settings{Keys: Keys{ID: "k1"}, UserSecretKey: func(context.Context, User) (Secret, error) { return "", nil }}, "with UserSecretKey"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := New(tt.s, &MemoryStore{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New: %v, want an error containing %q", err, tt.want)
			}
			if tt.s.Keys.Secret != "" && strings.Contains(err.Error(), string(tt.s.Keys.Secret)) {
				t.Errorf("the error shows the secret: %v", err)
			}
		})
	}
	// Several problems are reported together.
	_, err := New(Settings{Keys: Keys{Secret: "short"}, Leeway: -1, AuthHeaderPrefix: "a b"}, nil)
	for _, frag := range []string{"has 5 bytes", "Leeway", "AuthHeaderPrefix", "UserStore is nil"} {
		if err == nil || !strings.Contains(err.Error(), frag) {
			t.Errorf("joined error %v lacks %q", err, frag)
		}
	}
}

// TestNewAcceptsGoodKeys: each algorithm with a fitting key, and a Django
// SECRET_KEY-like secret.
func TestNewAcceptsGoodKeys(t *testing.T) {
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	for _, s := range []Settings{
		{Keys: Keys{Secret: "django-insecure-8k#v@1$z!q0w9e8r7t6y5u4i3o2p1a0s9d8f7g6h5j4"}},
		{Keys: Keys{Secret: Secret(strings.Repeat("0123456789abcdef", 4))}, Algorithm: "HS512"},
		{Keys: Keys{Private: rsaKey, Public: &rsaKey.PublicKey}, Algorithm: "RS256"},
		{Keys: Keys{Public: &rsaKey.PublicKey}, Algorithm: "PS512"},
		{Keys: Keys{Private: p256}, Algorithm: "ES256"},
		{Keys: Keys{Private: ed}, Algorithm: "EdDSA"},
		{UserSecretKey: func(context.Context, User) (Secret, error) { return "", nil }},
	} {
		if _, err := New(s, &MemoryStore{}); err != nil {
			t.Errorf("%s: %v", s.Algorithm, err)
		}
	}
}

// TestZeroSettingsMeanDRFDefaults: Settings{Keys: Keys{Secret: k}} behaves as
// DRF-JWT's defaults, and changing the caller's Settings later has no effect.
func TestZeroSettingsMeanDRFDefaults(t *testing.T) {
	s := Settings{Keys: Keys{Secret: fixtureSecret}, Now: func() time.Time { return fixtureNow }}
	a, err := New(s, newFixtureStore(t))
	if err != nil {
		t.Fatal(err)
	}
	s.ExpirationDelta = time.Hour
	s.AuthHeaderPrefix = "Bearer"
	want := defaultSettings()
	got := a.s
	if got.Algorithm != want.Algorithm || got.ExpirationDelta != 300*time.Second || got.RefreshExpirationDelta != 7*24*time.Hour ||
		got.AuthHeaderPrefix != "JWT" || got.Leeway != 0 || got.AllowRefresh || got.AuthCookie != "" ||
		got.AuthCookieSameSite != http.SameSiteLaxMode || got.UsernameField != "username" || a.challenge != `JWT realm="api"` {
		t.Errorf("normalised settings: %v", got)
	}
}

// TestSettingsNeverPrintKeys: fmt and slog show neither the secret nor a
// private key's numbers.
func TestSettingsNeverPrintKeys(t *testing.T) {
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	s := Settings{Keys: Keys{Secret: "do-not-print-this-secret-0123456789abcdef", Private: rsaKey, Previous: []Keys{{ID: "old", Secret: "do-not-print-the-old-one-0123456789abcdef"}, {Public: &rsaKey.PublicKey}}}, Algorithm: "RS256"}
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	log.Info("settings", "s", s, "secret", s.Keys.Secret)
	log.Info("settings", slog.Any("s", s))
	out := buf.String()
	// Every verb: %d, %x and %t print a struct's fields one by one (the
	// secret's bytes, the RSA key's numbers) unless the type formats
	// itself.
	for _, f := range []string{"%v", "%+v", "%#v", "%s", "%d", "%x", "%X", "%q", "%t", "%10.3v", "%o", "%U"} {
		out += fmt.Sprintf(f, s) + fmt.Sprintf(f, s.Keys.Secret) + fmt.Sprintf(f, &s) + fmt.Sprintf(f, s.Keys.Previous[0]) + fmt.Sprintf(f, s.Keys)
	}
	// encoding/json, alone and inside a struct of the user's, and slog's
	// JSON handler, which marshals what has no LogValue.
	type holder struct {
		K Keys
		S Secret
		P *Keys
	}
	for _, v := range []any{s.Keys, s.Keys.Secret, holder{s.Keys, s.Keys.Secret, &s.Keys}, s, []Keys{s.Keys}} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Errorf("json.Marshal(%T): %v", v, err)
		}
		out += string(b)
	}
	log.Info("nested", "h", holder{s.Keys, s.Keys.Secret, &s.Keys}, "keys", []Keys{s.Keys}, "m", map[string]any{"s": s.Keys.Secret})
	out += buf.String()
	hexSecret := fmt.Sprintf("%x", "do-not-print")
	for _, leak := range []string{"do-not-print", hexSecret, rsaKey.D.String()[:20], rsaKey.N.String()[:20], fmt.Sprintf("%x", rsaKey.N.Bytes()[:10])} {
		if strings.Contains(strings.ToLower(out), strings.ToLower(leak)) {
			t.Errorf("a key was printed (%.20s...):\n%s", leak, out)
		}
	}
	if !strings.Contains(out, "[REDACTED]") || !strings.Contains(out, "RS256") {
		t.Errorf("the printout should still say what is configured:\n%s", out)
	}
}

// TestFromEnv reads DRF-JWT's variable names; bad values name their
// variable and never echo secrets.
func TestFromEnv(t *testing.T) {
	dir := t.TempDir()
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	der, _ := x509.MarshalPKCS8PrivateKey(rsaKey)
	privPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	pkcs1 := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaKey)}))
	pubDER, _ := x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)
	pubPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}))
	keyFile := filepath.Join(dir, "private.pem")
	if err := os.WriteFile(keyFile, []byte(privPEM), 0o600); err != nil {
		t.Fatal(err)
	}
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ecDER, _ := x509.MarshalECPrivateKey(p256)
	ecPEM := string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: ecDER}))

	tests := []struct {
		name  string
		env   map[string]string
		check func(Settings) bool
		err   string // fragment; "" means no error
	}{
		{"nothing set: DRF defaults", nil, func(s Settings) bool {
			d := defaultSettings()
			return s.Algorithm == d.Algorithm && s.ExpirationDelta == d.ExpirationDelta && s.AuthHeaderPrefix == "JWT" && !s.AllowRefresh && !s.AuthCookieInsecure
		}, ""},
		{"DRF names", map[string]string{
			"JWT_SECRET_KEY": "from-env-secret-0123456789abcdefghij", "JWT_ALGORITHM": "HS384", "JWT_ALLOW_REFRESH": "True",
			"JWT_AUTH_HEADER_PREFIX": "Bearer", "JWT_AUDIENCE": "api", "JWT_ISSUER": "https://a", "JWT_AUTH_COOKIE": "jwt",
			"JWT_USERNAME_FIELD": "email", "JWT_VERIFY": "True", "JWT_VERIFY_EXPIRATION": "true",
		}, func(s Settings) bool {
			return s.Keys.Secret == "from-env-secret-0123456789abcdefghij" && s.Algorithm == "HS384" && s.AllowRefresh &&
				s.AuthHeaderPrefix == "Bearer" && s.Audience == "api" && s.Issuer == "https://a" && s.AuthCookie == "jwt" && s.UsernameField == "email"
		}, ""},
		{"deltas in seconds", map[string]string{"JWT_EXPIRATION_DELTA": "3600", "JWT_REFRESH_EXPIRATION_DELTA": "86400", "JWT_LEEWAY": "1.5"}, func(s Settings) bool {
			return s.ExpirationDelta == time.Hour && s.RefreshExpirationDelta == 24*time.Hour && s.Leeway == 1500*time.Millisecond
		}, ""},
		{"deltas as Go durations", map[string]string{"JWT_EXPIRATION_DELTA": "5m", "JWT_REFRESH_EXPIRATION_DELTA": "168h"}, func(s Settings) bool {
			return s.ExpirationDelta == 5*time.Minute && s.RefreshExpirationDelta == 168*time.Hour
		}, ""},
		{"booleans", map[string]string{"JWT_ALLOW_REFRESH": "yes", "JWT_AUTH_COOKIE_SECURE": "False", "JWT_AUTH_COOKIE_SAMESITE": "strict"}, func(s Settings) bool {
			return s.AllowRefresh && s.AuthCookieInsecure && s.AuthCookieSameSite == http.SameSiteStrictMode
		}, ""},
		{"empty means unset", map[string]string{"JWT_ALGORITHM": "", "JWT_ALLOW_REFRESH": ""}, func(s Settings) bool { return s.Algorithm == "HS256" && !s.AllowRefresh }, ""},
		{"PEM private key as a value", map[string]string{"JWT_ALGORITHM": "RS256", "JWT_PRIVATE_KEY": privPEM}, func(s Settings) bool { return s.Keys.Private != nil }, ""},
		{"PKCS #1 private key", map[string]string{"JWT_PRIVATE_KEY": pkcs1}, func(s Settings) bool { return s.Keys.Private != nil }, ""},
		{"EC private key", map[string]string{"JWT_PRIVATE_KEY": ecPEM}, func(s Settings) bool { return s.Keys.Private != nil }, ""},
		{"PEM private key from a file", map[string]string{"JWT_PRIVATE_KEY": keyFile}, func(s Settings) bool { return s.Keys.Private != nil }, ""},
		{"PEM public key", map[string]string{"JWT_PUBLIC_KEY": pubPEM}, func(s Settings) bool { return s.Keys.Public != nil }, ""},
		{"public key given as private", map[string]string{"JWT_PRIVATE_KEY": pubPEM}, nil, "JWT_PRIVATE_KEY: a PEM block of type \"PUBLIC KEY\""},
		{"missing key file", map[string]string{"JWT_PUBLIC_KEY": filepath.Join(dir, "nope.pem")}, nil, "JWT_PUBLIC_KEY: not PEM text, and not a readable file"},
		{"two PEM blocks", map[string]string{"JWT_PUBLIC_KEY": pubPEM + pubPEM}, nil, "JWT_PUBLIC_KEY: more than one PEM block"},
		{"key rotation", map[string]string{"JWT_KEY_ID": "2026-11", "JWT_PREVIOUS_SECRET_KEYS": "old-secret-one-0123456789abcdefghij, old-secret-two-0123456789abcdefghij"}, func(s Settings) bool {
			return s.Keys.ID == "2026-11" && len(s.Keys.Previous) == 2 && s.Keys.Previous[0].Secret == "old-secret-one-0123456789abcdefghij" &&
				s.Keys.Previous[1].Secret == "old-secret-two-0123456789abcdefghij" && s.Keys.Previous[1].ID == ""
		}, ""},
		{"previous public keys", map[string]string{"JWT_PREVIOUS_PUBLIC_KEYS": pubPEM + "\n" + pubPEM}, func(s Settings) bool {
			return len(s.Keys.Previous) == 2 && s.Keys.Previous[1].Public.(*rsa.PublicKey).Equal(&rsaKey.PublicKey)
		}, ""},
		{"previous private key", map[string]string{"JWT_PREVIOUS_PUBLIC_KEYS": privPEM}, nil, `JWT_PREVIOUS_PUBLIC_KEYS: PEM block 1: a PEM block of type "PRIVATE KEY" is not a public key`},
		{"previous keys and junk", map[string]string{"JWT_PREVIOUS_PUBLIC_KEYS": pubPEM + "junk"}, nil, "JWT_PREVIOUS_PUBLIC_KEYS: want PEM blocks and nothing else"},
		{"JWT_VERIFY False", map[string]string{"JWT_VERIFY": "False"}, nil, "JWT_VERIFY: verification cannot be turned off"},
		{"JWT_VERIFY_EXPIRATION False", map[string]string{"JWT_VERIFY_EXPIRATION": "0"}, nil, "JWT_VERIFY_EXPIRATION: verification cannot be turned off"},
		{"bad boolean", map[string]string{"JWT_ALLOW_REFRESH": "maybe"}, nil, "JWT_ALLOW_REFRESH: want True or False"},
		{"bad duration", map[string]string{"JWT_EXPIRATION_DELTA": "five minutes"}, nil, "JWT_EXPIRATION_DELTA: want seconds"},
		{"NaN duration", map[string]string{"JWT_LEEWAY": "NaN"}, nil, "JWT_LEEWAY: out of range"},
		{"huge duration", map[string]string{"JWT_REFRESH_EXPIRATION_DELTA": "1e300"}, nil, "JWT_REFRESH_EXPIRATION_DELTA: out of range"},
		{"bad SameSite", map[string]string{"JWT_AUTH_COOKIE_SAMESITE": "lox"}, nil, "JWT_AUTH_COOKIE_SAMESITE"},
		{"Python handler", map[string]string{"JWT_PAYLOAD_HANDLER": "myapp.utils.payload"}, nil, "JWT_PAYLOAD_HANDLER: names a Python function; in Go set Settings.PayloadHandler"},
		{"Python secret hook", map[string]string{"JWT_GET_USER_SECRET_KEY": "myapp.secret"}, nil, "JWT_GET_USER_SECRET_KEY: names a Python function; in Go set Settings.UserSecretKey"},
		{"several errors at once", map[string]string{"JWT_LEEWAY": "x", "JWT_ALLOW_REFRESH": "x"}, nil, "JWT_ALLOW_REFRESH"},
		{"simplejwt: defaults, the key from DJANGO_SECRET_KEY", map[string]string{"JWT_DIALECT": "simplejwt", "DJANGO_SECRET_KEY": "django-secret-0123456789abcdefghijklmno"}, func(s Settings) bool {
			j := s.SimpleJWT
			return j != nil && s.Keys.Secret == "django-secret-0123456789abcdefghijklmno" && s.Algorithm == "HS256" && s.ExpirationDelta == 5*time.Minute &&
				!j.RotateRefreshTokens && !j.SlidingTokens && j.AuthHeaderTypes == nil
		}, ""},
		{"simplejwt: its names", map[string]string{
			"JWT_DIALECT": "SimpleJWT", "DJANGO_SECRET_KEY": "not-this-one-0123456789abcdefghijklmno", "SIMPLE_JWT_SIGNING_KEY": "signing-key-0123456789abcdefghijklmnop",
			"SIMPLE_JWT_ALGORITHM": "HS512", "SIMPLE_JWT_ACCESS_TOKEN_LIFETIME": "600", "SIMPLE_JWT_REFRESH_TOKEN_LIFETIME": "48h",
			"SIMPLE_JWT_ROTATE_REFRESH_TOKENS": "True", "SIMPLE_JWT_BLACKLIST_AFTER_ROTATION": "True", "SIMPLE_JWT_UPDATE_LAST_LOGIN": "True",
			"SIMPLE_JWT_AUTH_HEADER_TYPES": "Bearer,JWT", "SIMPLE_JWT_USER_ID_FIELD": "uuid", "SIMPLE_JWT_USER_ID_CLAIM": "uid",
			"SIMPLE_JWT_TOKEN_TYPE_CLAIM": "token_type", "SIMPLE_JWT_JTI_CLAIM": "jti", "SIMPLE_JWT_LEEWAY": "5", "SIMPLE_JWT_AUDIENCE": "api",
			"SIMPLE_JWT_ISSUER": "https://a", "SIMPLE_JWT_CHECK_REVOKE_TOKEN": "True", "SIMPLE_JWT_SLIDING_TOKEN_LIFETIME": "1m",
			"SIMPLE_JWT_SLIDING_TOKEN_REFRESH_LIFETIME": "2h", "SIMPLE_JWT_AUTH_TOKEN_CLASSES": "rest_framework_simplejwt.tokens.AccessToken, SlidingToken",
		}, func(s Settings) bool {
			j := *s.SimpleJWT
			return s.Keys.Secret == "signing-key-0123456789abcdefghijklmnop" && s.Algorithm == "HS512" && s.ExpirationDelta == 10*time.Minute &&
				s.Leeway == 5*time.Second && s.Audience == "api" && s.Issuer == "https://a" && j.RefreshTokenLifetime == 48*time.Hour &&
				j.RotateRefreshTokens && j.BlacklistAfterRotation && j.UpdateLastLogin && j.CheckRevokeToken && j.SlidingTokens &&
				strings.Join(j.AuthHeaderTypes, " ") == "Bearer JWT" && j.UserIDField == "uuid" && j.UserIDClaim == "uid" &&
				j.SlidingTokenLifetime == time.Minute && j.SlidingTokenRefreshLifetime == 2*time.Hour
		}, ""},
		{"simplejwt: a PEM signing key", map[string]string{"JWT_DIALECT": "simplejwt", "SIMPLE_JWT_ALGORITHM": "RS256", "SIMPLE_JWT_SIGNING_KEY": privPEM, "SIMPLE_JWT_VERIFYING_KEY": pubPEM},
			func(s Settings) bool { return s.Keys.Private != nil && s.Keys.Public != nil && s.Keys.Secret == "" }, ""},
		{"simplejwt: DRF-JWT's names refused", map[string]string{"JWT_DIALECT": "simplejwt", "JWT_SECRET_KEY": "x"}, nil, "JWT_SECRET_KEY: is DRF-JWT's: with JWT_DIALECT=simplejwt, set SIMPLE_JWT_SIGNING_KEY"},
		{"simplejwt: no refresh window", map[string]string{"JWT_DIALECT": "simplejwt", "JWT_ALLOW_REFRESH": "True"}, nil, "JWT_ALLOW_REFRESH: is DRF-JWT's"},
		{"simplejwt: the type check cannot be turned off", map[string]string{"JWT_DIALECT": "simplejwt", "SIMPLE_JWT_TOKEN_TYPE_CLAIM": "None"}, nil, "SIMPLE_JWT_TOKEN_TYPE_CLAIM: only token_type"},
		{"simplejwt: inactive users always refused", map[string]string{"JWT_DIALECT": "simplejwt", "SIMPLE_JWT_CHECK_USER_IS_ACTIVE": "False"}, nil, "SIMPLE_JWT_CHECK_USER_IS_ACTIVE"},
		{"simplejwt: unknown token class", map[string]string{"JWT_DIALECT": "simplejwt", "SIMPLE_JWT_AUTH_TOKEN_CLASSES": "RefreshToken"}, nil, "SIMPLE_JWT_AUTH_TOKEN_CLASSES"},
		{"simplejwt: a bad lifetime", map[string]string{"JWT_DIALECT": "simplejwt", "SIMPLE_JWT_REFRESH_TOKEN_LIFETIME": "a day"}, nil, "SIMPLE_JWT_REFRESH_TOKEN_LIFETIME: want seconds"},
		{"an unknown dialect", map[string]string{"JWT_DIALECT": "knox"}, nil, "JWT_DIALECT: want drf-jwt or simplejwt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := FromEnv(func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok })
			if tt.err == "" {
				if err != nil {
					t.Fatalf("FromEnv: %v", err)
				}
				if !tt.check(s) {
					t.Errorf("settings: %v", s)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("FromEnv: %v, want %q", err, tt.err)
			}
			for k, v := range tt.env {
				if len(v) > 3 && strings.Contains(err.Error(), v) && !strings.HasPrefix(k, "JWT_PAYLOAD") && !strings.HasPrefix(k, "JWT_GET") && k != "JWT_DIALECT" {
					t.Errorf("the error echoes the value of %s: %v", k, err)
				}
			}
		})
	}
}

// TestFromEnvFeedsNew: the loaded settings build a working Auth, and a
// setting New refuses is reported by New (negative deltas).
func TestFromEnvFeedsNew(t *testing.T) {
	s, err := FromEnv(func(k string) (string, bool) {
		v, ok := map[string]string{"JWT_SECRET_KEY": fixtureSecret, "JWT_EXPIRATION_DELTA": "-5"}[k]
		return v, ok
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(s, &MemoryStore{}); err == nil || !strings.Contains(err.Error(), "JWT_EXPIRATION_DELTA") {
		t.Errorf("New: %v", err)
	}
}
