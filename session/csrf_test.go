package session

import (
	"bytes"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/jwtauth-go/jwtauth"
)

const (
	testCSRFSecret = "k3yOfTheCsrfCookie0123456789abcd"
	testCSRFMask   = "ZYXWVUTSRQPONMLKJIHGFEDCBA987654"
)

// TestCSRF: DRF's enforce_csrf after a session authenticated, through
// Authenticate: which requests pass, and Django 3.2's reason for the rest.
func TestCSRF(t *testing.T) {
	users, u := testUsers(t)
	session := "sessionid=" + testSigner{key: testKey, salt: saltCookies}.signJSON(t, loginSession(u["alice"], ModelBackend, testKey))
	inactive := "sessionid=" + testSigner{key: testKey, salt: saltCookies}.signJSON(t, loginSession(u["bob"], ModelBackend, testKey))
	tok := maskToken(testCSRFSecret, testCSRFMask)
	other := maskToken("0therSecretOfSomeoneElse00000000", testCSRFMask)
	ck := session + "; csrftoken=" + tok
	form := "application/x-www-form-urlencoded"
	mp := func(fields ...string) (string, string) {
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		for i := 0; i+1 < len(fields); i += 2 {
			if fields[i] == "file" {
				fw, _ := w.CreateFormFile(formField, "token.txt")
				fw.Write([]byte(fields[i+1]))
				continue
			}
			w.WriteField(fields[i], fields[i+1])
		}
		w.Close()
		return b.String(), w.FormDataContentType()
	}
	mpBody, mpType := mp("title", "x", formField, tok)
	mpFile, mpFileType := mp("file", tok)
	bigForm := "a=" + strings.Repeat("x", dataUploadMaxLen) + "&csrfmiddlewaretoken=" + tok
	bigMP, bigMPType := mp(formField, tok, "blob", strings.Repeat("y", dataUploadMaxLen))
	lateMP, lateMPType := mp("blob", strings.Repeat("y", dataUploadMaxLen), formField, tok)

	type tc struct {
		name     string
		settings func(*Settings)
		method   string
		target   string
		body     string
		headers  []string
		chunked  bool
		want     string // the 403's detail; "" passes
		anon     bool   // no session user: no CSRF check
	}
	proxy := func(s *Settings) { s.SecureProxySSLHeader = [2]string{"HTTP_X_FORWARDED_PROTO", "https"} }
	cases := []tc{
		{name: "GET needs nothing", method: "GET", headers: []string{"Cookie", session}},
		{name: "HEAD needs nothing", method: "HEAD", headers: []string{"Cookie", session}},
		{name: "OPTIONS needs nothing", method: "OPTIONS", headers: []string{"Cookie", session}},
		{name: "TRACE needs nothing", method: "TRACE", headers: []string{"Cookie", session}},
		{name: "lower-case get needs nothing", method: "get", headers: []string{"Cookie", session}},
		{name: "HTTPS GET needs no Referer", method: "GET", target: "https://example.com/", headers: []string{"Cookie", session}},
		{name: "POST without anything", method: "POST", headers: []string{"Cookie", session}, want: reasonNoCSRFCookie},
		{name: "PURGE is unsafe too", method: "PURGE", headers: []string{"Cookie", session}, want: reasonNoCSRFCookie},
		{name: "POST header masked", method: "POST", headers: []string{"Cookie", ck, "X-CSRFToken", maskToken(testCSRFSecret, "abcdefghijklmnopqrstuvwxyz012345")}},
		{name: "POST header unmasked", method: "POST", headers: []string{"Cookie", ck, "X-CSRFToken", testCSRFSecret}},
		{name: "POST cookie unmasked (Django 4.1+)", method: "POST", headers: []string{"Cookie", session + "; csrftoken=" + testCSRFSecret, "X-CSRFToken", tok}},
		{name: "PUT header", method: "PUT", headers: []string{"Cookie", ck, "X-CSRFToken", tok}},
		{name: "PATCH header", method: "PATCH", headers: []string{"Cookie", ck, "X-CSRFToken", tok}},
		{name: "DELETE header", method: "DELETE", headers: []string{"Cookie", ck, "X-CSRFToken", tok}},
		{name: "DELETE wrong header", method: "DELETE", headers: []string{"Cookie", ck, "X-CSRFToken", other}, want: reasonBadToken},
		{name: "POST header twice", method: "POST", headers: []string{"Cookie", ck, "X-CSRFToken", tok, "X-CSRFToken", tok}, want: reasonBadToken},
		{name: "POST without a token", method: "POST", headers: []string{"Cookie", ck}, want: reasonBadToken},
		{name: "POST without the cookie", method: "POST", headers: []string{"Cookie", session, "X-CSRFToken", tok}, want: reasonNoCSRFCookie},
		{name: "POST cookie of 63", method: "POST", headers: []string{"Cookie", session + "; csrftoken=" + tok[1:], "X-CSRFToken", tok}, want: reasonBadToken},
		{name: "POST form field", method: "POST", body: "x=1&csrfmiddlewaretoken=" + tok, headers: []string{"Cookie", ck, "Content-Type", form}},
		{name: "POST form field over a good header", method: "POST", body: "csrfmiddlewaretoken=" + other, headers: []string{"Cookie", ck, "Content-Type", form, "X-CSRFToken", tok}, want: reasonBadToken},
		{name: "PUT form field not read", method: "PUT", body: "csrfmiddlewaretoken=" + tok, headers: []string{"Cookie", ck, "Content-Type", form}, want: reasonBadToken},
		{name: "POST chunked form not read", method: "POST", chunked: true, body: "csrfmiddlewaretoken=" + tok, headers: []string{"Cookie", ck, "Content-Type", form}, want: reasonBadToken},
		{name: "POST chunked form, header", method: "POST", chunked: true, body: "csrfmiddlewaretoken=" + other, headers: []string{"Cookie", ck, "Content-Type", form, "X-CSRFToken", tok}},
		{name: "POST multipart field", method: "POST", body: mpBody, headers: []string{"Cookie", ck, "Content-Type", mpType}},
		{name: "POST multipart file is not the field", method: "POST", body: mpFile, headers: []string{"Cookie", ck, "Content-Type", mpFileType}, want: reasonBadToken},
		{name: "POST multipart without boundary", method: "POST", body: mpBody, headers: []string{"Cookie", ck, "Content-Type", "multipart/form-data"}, want: reasonBadToken},
		{name: "POST form too big for Django, header", method: "POST", body: bigForm, headers: []string{"Cookie", ck, "Content-Type", form, "X-CSRFToken", tok}},
		{name: "POST form too big for Django", method: "POST", body: bigForm, headers: []string{"Cookie", ck, "Content-Type", form}, want: reasonBadToken},
		{name: "POST big multipart, field first", method: "POST", body: bigMP, headers: []string{"Cookie", ck, "Content-Type", bigMPType}},
		{name: "POST big multipart, field last", method: "POST", body: lateMP, headers: []string{"Cookie", ck, "Content-Type", lateMPType}, want: reasonBadToken},
		{name: "POST JSON body", method: "POST", body: `{"csrfmiddlewaretoken":"` + tok + `"}`, headers: []string{"Cookie", ck, "Content-Type", "application/json"}, want: reasonBadToken},

		{name: "custom names", settings: func(s *Settings) { s.CSRFCookieName, s.CSRFHeaderName = "xsrf", "HTTP_X_XSRF_TOKEN" }, method: "POST", headers: []string{"Cookie", session + "; xsrf=" + tok, "X-Xsrf-Token", tok}},

		{name: "HTTPS no Referer", method: "POST", target: "https://example.com/", headers: []string{"Cookie", ck, "X-CSRFToken", tok}, want: reasonNoReferer},
		{name: "HTTPS same origin", method: "POST", target: "https://example.com/", headers: []string{"Cookie", ck, "X-CSRFToken", tok, "Referer", "https://example.com/page"}},
		{name: "HTTPS cross origin", method: "POST", target: "https://example.com/", headers: []string{"Cookie", ck, "X-CSRFToken", tok, "Referer", "https://evil.example/page"}, want: "Referer checking failed - https://evil.example/page does not match any trusted origins."},
		{name: "HTTPS Latin-1 Referer, as WSGI reads it", method: "POST", target: "https://example.com/", headers: []string{"Cookie", ck, "X-CSRFToken", tok, "Referer", "https://b\xc3\xbccher.example/"}, want: "Referer checking failed - https://b\u00c3\u00bccher.example/ does not match any trusted origins."},
		{name: "HTTPS Referer before the cookie", method: "POST", target: "https://example.com/", headers: []string{"Cookie", session, "Referer", "http://example.com/"}, want: reasonInsecureReferer},
		{name: "HTTPS trusted, Django 3.2's form", settings: func(s *Settings) { s.TrustedOrigins = []string{".other.org"} }, method: "POST", target: "https://example.com/", headers: []string{"Cookie", ck, "X-CSRFToken", tok, "Referer", "https://app.other.org/"}},
		{name: "HTTPS trusted, Django 4.0's form", settings: func(s *Settings) { s.TrustedOrigins = []string{"https://app.other.org"} }, method: "POST", target: "https://example.com/", headers: []string{"Cookie", ck, "X-CSRFToken", tok, "Referer", "https://app.other.org/"}},
		{name: "HTTPS trusted, Django 4.0's wildcard", settings: func(s *Settings) { s.TrustedOrigins = []string{"https://*.other.org"} }, method: "POST", target: "https://example.com/", headers: []string{"Cookie", ck, "X-CSRFToken", tok, "Referer", "https://a.b.other.org/"}},
		{name: "HTTPS trusted does not excuse the token", settings: func(s *Settings) { s.TrustedOrigins = []string{"app.other.org"} }, method: "POST", target: "https://example.com/", headers: []string{"Cookie", ck, "Referer", "https://app.other.org/"}, want: reasonBadToken},
		{name: "HTTPS cookie domain", settings: func(s *Settings) { s.CSRFCookieDomain = ".example.com" }, method: "POST", target: "https://api.example.com/", headers: []string{"Cookie", ck, "X-CSRFToken", tok, "Referer", "https://www.example.com/"}},
		{name: "proxy says https", settings: proxy, method: "POST", headers: []string{"Cookie", ck, "X-CSRFToken", tok, "X-Forwarded-Proto", "https"}, want: reasonNoReferer},
		{name: "proxy says http on TLS", settings: proxy, method: "POST", target: "https://example.com/", headers: []string{"Cookie", ck, "X-CSRFToken", tok, "X-Forwarded-Proto", "http"}},

		{name: "invalid session: no CSRF check", method: "POST", headers: []string{"Cookie", "sessionid=garbage-garbage"}, anon: true},
		{name: "inactive user: no CSRF check", method: "POST", headers: []string{"Cookie", inactive}, anon: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := Settings{SecretKey: testKey, Engine: EngineSignedCookies, Users: users}
			if c.settings != nil {
				c.settings(&s)
			}
			a := newTest(t, s)
			target := c.target
			if target == "" {
				target = "http://example.com/"
			}
			r := request(c.method, target, c.body, c.headers...)
			if c.chunked {
				r.ContentLength = -1
			}
			_, err := a.Authenticate(r)
			if c.anon {
				if !errors.Is(err, jwtauth.ErrNoCredentials) {
					t.Fatalf("err = %v, want an anonymous request", err)
				}
				return
			}
			got := ""
			if err != nil {
				var e *jwtauth.Error
				if !errors.As(err, &e) || e.Status != http.StatusForbidden || !errors.Is(err, ErrCSRF) {
					t.Fatalf("err = %v, want a 403 *jwtauth.Error wrapping ErrCSRF", err)
				}
				got = strings.TrimPrefix(e.Detail, "CSRF Failed: ")
				if got == e.Detail {
					t.Fatalf("detail %q lacks DRF's prefix", e.Detail)
				}
				checkSecrets(t, err, tok)
				checkSecrets(t, err, testCSRFSecret)
			}
			if got != c.want {
				t.Fatalf("reason %q, want %q", got, c.want)
			}
			// Whatever was read, the handler reads the body whole.
			if b, err := io.ReadAll(r.Body); err != nil || string(b) != c.body {
				t.Fatalf("the body after Authenticate: %d bytes, %v; want the %d sent", len(b), err, len(c.body))
			}
		})
	}
}

// TestFormBodyKept: the body formToken reads is put back byte for byte,
// closes the original, and a broken body gives no token.
func TestFormBodyKept(t *testing.T) {
	body := "a=1&csrfmiddlewaretoken=" + maskToken(testCSRFSecret, testCSRFMask) + "&b=" + strings.Repeat("z", 5000)
	r := request("POST", "/", body, "Content-Type", "application/x-www-form-urlencoded")
	closed := &closeRecorder{Reader: r.Body}
	r.Body = closed
	if got := formToken(r); got != maskToken(testCSRFSecret, testCSRFMask) {
		t.Fatalf("token %q", got)
	}
	b, err := io.ReadAll(iotest.OneByteReader(r.Body))
	if err != nil || string(b) != body {
		t.Fatalf("body %q, %v", b, err)
	}
	r.Body.Close()
	if !closed.closed {
		t.Fatal("Close did not reach the original body")
	}

	r = request("POST", "/", body, "Content-Type", "application/x-www-form-urlencoded")
	r.Body = io.NopCloser(iotest.ErrReader(errors.New("connection reset")))
	if got := formToken(r); got != "" {
		t.Fatalf("token %q from a broken body", got)
	}
}

type closeRecorder struct {
	io.Reader
	closed bool
}

func (c *closeRecorder) Close() error { c.closed = true; return nil }

// TestURLEncodedToken: parse_qsl's reading of the field.
func TestURLEncodedToken(t *testing.T) {
	for in, want := range map[string]string{
		"csrfmiddlewaretoken=abc":                           "abc",
		"a=1&csrfmiddlewaretoken=abc&b=2":                   "abc",
		"csrfmiddlewaretoken=abc&csrfmiddlewaretoken=def":   "def",
		"csrfmiddlewaretoken=abc&csrfmiddlewaretoken":       "",
		"csrf%6Diddlewaretoken=ab%63":                       "abc",
		"csrfmiddlewaretoken=a+b":                           "a b",
		"csrfmiddlewaretoken=a%2":                           "a%2",
		"csrfmiddlewaretoken=a%zz":                          "a%zz",
		"csrfmiddlewaretoken=%ff":                           "\ufffd",
		"csrfmiddlewaretoken;x=abc":                         "",
		"&&csrfmiddlewaretoken=abc&&":                       "abc",
		"csrfmiddlewaretoken=a=b":                           "a=b",
		"CSRFMIDDLEWARETOKEN=abc":                           "",
		" csrfmiddlewaretoken=abc":                          "",
		"csrfmiddlewaretoken=abc;csrfmiddlewaretoken=def":   "abc;csrfmiddlewaretoken=def",
		"x=1&csrfmiddlewaretoken=%41%42&csrfmiddlewaretoke": "AB",
	} {
		if got := urlencodedToken([]byte(in)); got != want {
			t.Errorf("urlencodedToken(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestValidHost: get_host's validation, the host kept as sent.
func TestValidHost(t *testing.T) {
	for in, ok := range map[string]bool{
		"example.com": true, "EXAMPLE.com": true, "example.com:8443": true, "example.com.": true,
		"[::1]": true, "[::1]:80": true, "127.0.0.1:8000": true,
		"": false, ":80": false, ".": false, "bad_host": false, "exa mple.com": false, "example.com:": false,
		"[::1": false, "example.com:80:80": false, "ex%61mple.com": false,
	} {
		got, gotOK := validHost(in)
		if gotOK != ok || ok && got != in {
			t.Errorf("validHost(%q) = %q, %t; want %t", in, got, gotOK, ok)
		}
	}
}

// TestSameDomain: is_same_domain.
func TestSameDomain(t *testing.T) {
	for _, c := range []struct {
		host, pattern string
		want          bool
	}{
		{"example.com", "example.com", true},
		{"example.com", "EXAMPLE.COM", true},
		{"EXAMPLE.COM", "example.com", false},
		{"a.example.com", ".example.com", true},
		{"example.com", ".example.com", true},
		{"badexample.com", ".example.com", false},
		{"example.com:443", "example.com", false},
		{"example.com", "", false},
		{"", "", false},
		{"x", ".", false},
		{"", ".", true},
	} {
		if got := sameDomain(c.host, c.pattern); got != c.want {
			t.Errorf("sameDomain(%q, %q) = %t", c.host, c.pattern, got)
		}
	}
}

// TestServerPort: META["SERVER_PORT"] from the listener's address.
func TestServerPort(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, serverPort(r))
	}))
	t.Cleanup(srv.Close)
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if want := srv.URL[strings.LastIndexByte(srv.URL, ':')+1:]; string(b) != want {
		t.Fatalf("serverPort = %q, want %q", b, want)
	}
	for target, want := range map[string]string{"http://example.com/": "80", "https://example.com/": "443", "http://example.com:8080/": "8080"} {
		if got := serverPort(request("GET", target, "")); got != want {
			t.Errorf("serverPort(%s) = %s, want %s", target, got, want)
		}
	}
}
