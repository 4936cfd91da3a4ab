package session

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jwtauth-go/jwtauth"
)

// vectorFile is the shape testdata/make_vectors.py documents: what a
// Django release itself made and decided.
type vectorFile struct {
	Django    string `json:"django"`
	Generator string `json:"generator"`
	Sessions  []struct {
		Name         string         `json:"name"`
		Engine       string         `json:"engine"`
		SecretKey    string         `json:"secret_key"`
		FallbackKeys []string       `json:"fallback_keys"`
		Value        string         `json:"value"`
		Now          float64        `json:"now"`
		CookieAge    int64          `json:"cookie_age"`
		Legacy       bool           `json:"legacy"`
		Valid        bool           `json:"valid"`
		Session      map[string]any `json:"session"`
	} `json:"sessions"`
	AuthHashes []struct {
		Password  string `json:"password"`
		SecretKey string `json:"secret_key"`
		Algorithm string `json:"algorithm"`
		Hash      string `json:"hash"`
	} `json:"auth_hashes"`
	CSRFTokens []struct {
		Secret string `json:"secret"`
		Token  string `json:"token"`
	} `json:"csrf_tokens"`
	Referers []struct {
		Referer string `json:"referer"`
		Error   bool   `json:"error"`
		Scheme  string `json:"scheme"`
		Netloc  string `json:"netloc"`
		URL     string `json:"url"`
	} `json:"referers"`
	CSRFChecks []struct {
		Name     string `json:"name"`
		Settings struct {
			CookieName     string    `json:"CSRF_COOKIE_NAME"`
			HeaderName     string    `json:"CSRF_HEADER_NAME"`
			TrustedOrigins []string  `json:"CSRF_TRUSTED_ORIGINS"`
			CookieDomain   *string   `json:"CSRF_COOKIE_DOMAIN"`
			ProxySSLHeader *[]string `json:"SECURE_PROXY_SSL_HEADER"`
		} `json:"settings"`
		Request struct {
			Method      string            `json:"method"`
			Secure      bool              `json:"secure"`
			ServerPort  string            `json:"server_port"`
			Headers     map[string]string `json:"headers"`
			ContentType *string           `json:"content_type"`
			Body        string            `json:"body"`
		} `json:"request"`
		Detail *string `json:"detail"`
		Raised *string `json:"raised"`
	} `json:"csrf_checks"`
}

// loadVectors reads testdata/django32.json, made by make_vectors.py with
// Django 3.2 (the releases after it, in make_vectors_4x5x.py's shape, are
// read by loadReleaseVectors).
func loadVectors(t *testing.T) map[string]vectorFile {
	t.Helper()
	paths, err := filepath.Glob("testdata/django32.json")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no vectors: %v", err)
	}
	files := map[string]vectorFile{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var f vectorFile
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&f); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if f.Django == "" {
			t.Fatalf("%s: no django version", p)
		}
		files[filepath.Base(p)] = f
	}
	return files
}

func unixFloat(f float64) time.Time {
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9))
}

// TestDjangoSessions: Django's own session_data and signed cookies are
// read as that Django reads them.
func TestDjangoSessions(t *testing.T) {
	for file, f := range loadVectors(t) {
		is32 := strings.HasPrefix(f.Django, "3.2")
		for _, v := range f.Sessions {
			t.Run(file+"/"+v.Name, func(t *testing.T) {
				for _, legacy := range []bool{false, true} {
					s := Settings{
						SecretKey: jwtauth.Secret(v.SecretKey),
						Engine:    v.Engine,
						CookieAge: time.Duration(v.CookieAge) * time.Second,
						Users:     fixedUsers{},
						Legacy:    legacy,
						Now:       func() time.Time { return unixFloat(v.Now) },
					}
					for _, k := range v.FallbackKeys {
						s.SecretKeyFallbacks = append(s.SecretKeyFallbacks, jwtauth.Secret(k))
					}
					if v.Engine == EngineDB {
						s.Store = &memStore{}
					}
					a := newTest(t, s)
					d, err := a.decodeValue(v.Value)
					want := v.Valid
					switch {
					case v.Legacy && !legacy:
						want = false
					case v.Legacy && !is32:
						continue // Legacy reads it as 3.2 would; this file says what its release does
					}
					if (err == nil) != want {
						t.Fatalf("Legacy=%t: err = %v, want valid=%t", legacy, err, want)
					}
					if err != nil {
						if !errors.Is(err, ErrInvalidSession) {
							t.Fatalf("Legacy=%t: err = %v, not ErrInvalidSession", legacy, err)
						}
						continue
					}
					for key, got := range map[string]struct {
						v  string
						ok bool
					}{keyUserID: {d.userID, d.hasUserID}, keyBackend: {d.backend, d.hasBackend}, keyHash: {d.hash, d.hasHash}} {
						w, present := v.Session[key].(string)
						if got.ok != present || got.v != w {
							t.Errorf("Legacy=%t: %s = %q (%t), Django has %q (%t)", legacy, key, got.v, got.ok, w, present)
						}
					}
				}
			})
		}
	}
}

// decodeValue is the reading of a session that needs no store: a db
// session's data, or a signed cookie with SessionBase's key-length check.
func (a *authenticator) decodeValue(v string) (sessionData, error) {
	if a.store == nil {
		var err error
		if v, err = a.load(context.Background(), v); err != nil {
			return sessionData{}, err
		}
	}
	return a.codec.decode(v, a.now())
}

// TestDjangoAuthHashes: _auth_user_hash as Django computes it, accepted
// only under its key, and the SHA-1 one only with Legacy.
func TestDjangoAuthHashes(t *testing.T) {
	for file, f := range loadVectors(t) {
		for i, v := range f.AuthHashes {
			t.Run(file+"/"+strconv.Itoa(i), func(t *testing.T) {
				sha1 := v.Algorithm == "sha1"
				if got := authHash(jwtauth.Secret(v.SecretKey), jwtauth.Secret(v.Password), sha1); got != v.Hash {
					t.Errorf("the test signer's hash %s, Django's %s", got, v.Hash)
				}
				for _, legacy := range []bool{false, true} {
					a := newTest(t, Settings{SecretKey: jwtauth.Secret(v.SecretKey), Engine: EngineSignedCookies, Users: fixedUsers{}, Legacy: legacy})
					if got, want := a.hashMatches(v.Hash, jwtauth.Secret(v.Password)), !sha1 || legacy; got != want {
						t.Errorf("Legacy=%t: matches = %t, want %t", legacy, got, want)
					}
					other := newTest(t, Settings{SecretKey: testWrong, Engine: EngineSignedCookies, Users: fixedUsers{}, Legacy: legacy})
					if other.hashMatches(v.Hash, jwtauth.Secret(v.Password)) {
						t.Errorf("Legacy=%t: matches under another key", legacy)
					}
					fb := newTest(t, Settings{SecretKey: testWrong, SecretKeyFallbacks: []jwtauth.Secret{jwtauth.Secret(v.SecretKey)}, Engine: EngineSignedCookies, Users: fixedUsers{}, Legacy: legacy})
					if got := fb.hashMatches(v.Hash, jwtauth.Secret(v.Password)); got != !sha1 {
						t.Errorf("Legacy=%t: matches under a fallback = %t, want %t (SHA-1 never had fallbacks)", legacy, got, !sha1)
					}
				}
			})
		}
	}
}

// TestDjangoLogin: Django's login sessions, whole, through Authenticate,
// for the user whose password column made their auth hash.
func TestDjangoLogin(t *testing.T) {
	for file, f := range loadVectors(t) {
		hashes := map[string]string{} // auth hash → password column
		for _, h := range f.AuthHashes {
			hashes[h.Hash] = h.Password
		}
		for _, v := range f.Sessions {
			if !v.Valid || v.Legacy || v.Session[keyUserID] == nil {
				continue
			}
			t.Run(file+"/"+v.Name, func(t *testing.T) {
				id, _ := v.Session[keyUserID].(string)
				hash, _ := v.Session[keyHash].(string)
				pw, ok := hashes[hash]
				if !ok {
					t.Skip("no auth hash vector for this session's user")
				}
				users := fixedUsers{users: map[string]jwtauth.User{id: {ID: id, Username: "u" + id, IsActive: true, PasswordHash: jwtauth.Secret(pw)}}}
				s := Settings{
					SecretKey: jwtauth.Secret(v.SecretKey), Engine: v.Engine, Users: users,
					CookieAge: time.Duration(v.CookieAge) * time.Second,
					Backends:  []string{ModelBackend, AllowAllUsersModelBackend},
					Now:       func() time.Time { return unixFloat(v.Now) },
				}
				for _, k := range v.FallbackKeys {
					s.SecretKeyFallbacks = append(s.SecretKeyFallbacks, jwtauth.Secret(k))
				}
				cookie := v.Value
				if v.Engine == EngineDB {
					st := &memStore{}
					st.put(testSessionKey, v.Value, unixFloat(v.Now).Add(time.Hour))
					s.Store, cookie = st, testSessionKey
				}
				a := newTest(t, s)
				u, err := a.Authenticate(request("GET", "/", "", "Cookie", "sessionid="+cookie))
				if err != nil || u.ID != id {
					t.Fatalf("Authenticate = %q, %v; want user %s", u.ID, err, id)
				}
			})
		}
	}
}

// TestDjangoCSRFTokens: Django's masked tokens unmask to their secrets.
func TestDjangoCSRFTokens(t *testing.T) {
	for file, f := range loadVectors(t) {
		for _, v := range f.CSRFTokens {
			got, ok := csrfSecret(v.Token)
			if !ok || string(got[:]) != v.Secret {
				t.Errorf("%s: csrfSecret(%s) = %s, %t; want %s", file, v.Token, got, ok, v.Secret)
			}
			if got, ok := csrfSecret(v.Secret); !ok || string(got[:]) != v.Secret {
				t.Errorf("%s: an unmasked secret is not itself", file)
			}
			if !tokensMatch(v.Token, v.Secret) || !tokensMatch(v.Secret, v.Token) || !tokensMatch(v.Token, v.Token) {
				t.Errorf("%s: %s does not match its secret", file, v.Token)
			}
			if tokensMatch(v.Token[:63]+"x", v.Token) && v.Token[63] != 'x' {
				t.Errorf("%s: a changed token matches", file)
			}
		}
	}
}

// TestDjangoReferers: urlsplit as Python's, on the Referers Django parsed.
func TestDjangoReferers(t *testing.T) {
	for file, f := range loadVectors(t) {
		for _, v := range f.Referers {
			u, ok := splitURL(latin1(v.Referer))
			if ok == v.Error {
				t.Errorf("%s: splitURL(%q) ok = %t, Python raised = %t", file, v.Referer, ok, v.Error)
				continue
			}
			if v.Error {
				continue
			}
			if u.scheme != v.Scheme || u.netloc != v.Netloc {
				t.Errorf("%s: splitURL(%q) = %q %q, Python %q %q", file, v.Referer, u.scheme, u.netloc, v.Scheme, v.Netloc)
			}
			if u.scheme != "" && u.netloc != "" && u.url() != v.URL {
				t.Errorf("%s: geturl(%q) = %q, Python %q", file, v.Referer, u.url(), v.URL)
			}
		}
	}
}

// TestDjangoCSRFChecks: DRF's enforce_csrf answers, by Django 3.2, for the
// requests it was given. Files of other releases are skipped: their
// reasons are not the ones this package gives.
func TestDjangoCSRFChecks(t *testing.T) {
	for file, f := range loadVectors(t) {
		if !strings.HasPrefix(f.Django, "3.2") {
			continue
		}
		for _, v := range f.CSRFChecks {
			t.Run(file+"/"+v.Name, func(t *testing.T) {
				st := v.Settings
				s := Settings{SecretKey: testKey, Engine: EngineSignedCookies, Users: fixedUsers{},
					CSRFCookieName: st.CookieName, CSRFHeaderName: st.HeaderName, TrustedOrigins: st.TrustedOrigins}
				if st.CookieDomain != nil {
					s.CSRFCookieDomain = *st.CookieDomain
				}
				if p := st.ProxySSLHeader; p != nil {
					s.SecureProxySSLHeader = [2]string{(*p)[0], (*p)[1]}
				}
				a := newTest(t, s)
				rq := v.Request
				scheme := "http"
				if rq.Secure {
					scheme = "https"
				}
				r := httptest.NewRequest(rq.Method, scheme+"://"+rq.Headers["Host"]+"/api/things/", strings.NewReader(rq.Body))
				if !rq.Secure {
					r.TLS = nil
				} else {
					r.TLS = &tls.ConnectionState{}
				}
				for k, hv := range rq.Headers {
					r.Header.Set(k, hv)
				}
				r.Host = rq.Headers["Host"]
				if rq.ContentType != nil {
					r.Header.Set("Content-Type", *rq.ContentType)
				}
				port, _ := strconv.Atoi(rq.ServerPort)
				r = r.WithContext(context.WithValue(r.Context(), http.LocalAddrContextKey, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port}))
				err := a.csrf.check(r)
				want := ""
				switch {
				case v.Raised != nil:
					want = "CSRF Failed: " + reasonMalformedReferer // 4.0's answer to what 3.2 raised
				case v.Detail != nil:
					want = *v.Detail
				}
				got := ""
				if err != nil {
					var e *jwtauth.Error
					if !errors.As(err, &e) || e.Status != http.StatusForbidden || !errors.Is(err, ErrCSRF) {
						t.Fatalf("err = %v, want a 403 *jwtauth.Error wrapping ErrCSRF", err)
					}
					got = e.Detail
				}
				if got != want {
					t.Fatalf("detail = %q, Django's %q", got, want)
				}
			})
		}
	}
}
