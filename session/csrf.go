package session

import (
	"crypto/subtle"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"regexp"
	"strings"

	"github.com/jwtauth-go/jwtauth"
)

// Django 3.2's reasons (django/middleware/csrf.py), which DRF answers as
// "CSRF Failed: <reason>".
const (
	reasonNoReferer        = "Referer checking failed - no Referer."
	reasonBadReferer       = "Referer checking failed - %s does not match any trusted origins."
	reasonNoCSRFCookie     = "CSRF cookie not set."
	reasonBadToken         = "CSRF token missing or incorrect."
	reasonMalformedReferer = "Referer checking failed - Referer is malformed."
	reasonInsecureReferer  = "Referer checking failed - Referer is insecure while host is secure."
)

// The causes of the refusals, for errors.Is; their texts never hold what
// the request sent.
var (
	errCSRFNoReferer   = fmt.Errorf("%w: no Referer", ErrCSRF)
	errCSRFBadReferer  = fmt.Errorf("%w: the Referer names no trusted origin", ErrCSRF)
	errCSRFNoCookie    = fmt.Errorf("%w: no CSRF cookie", ErrCSRF)
	errCSRFBadToken    = fmt.Errorf("%w: CSRF token missing or incorrect", ErrCSRF)
	errCSRFMalformed   = fmt.Errorf("%w: malformed Referer", ErrCSRF)
	errCSRFInsecureRef = fmt.Errorf("%w: insecure Referer", ErrCSRF)
)

// csrfFailure is DRF's PermissionDenied("CSRF Failed: %s" % reason).
func csrfFailure(reason string, cause error) error {
	return &jwtauth.Error{Status: http.StatusForbidden, Detail: "CSRF Failed: " + reason, Err: cause}
}

// csrfSettings are the CSRF settings, checked and in the form the check
// uses.
type csrfSettings struct {
	cookie       string
	header       string   // canonical HTTP name
	cookieDomain string   // CSRF_COOKIE_DOMAIN, "" for None
	trusted      []string // CSRF_TRUSTED_ORIGINS as Referer host patterns
	proxyHeader  string   // canonical HTTP name; "" when SECURE_PROXY_SSL_HEADER is None
	proxyValue   string
}

func newCSRFSettings(s Settings) (csrfSettings, []error) {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("session: New: "+format, args...))
	}
	c := csrfSettings{cookie: s.CSRFCookieName, cookieDomain: s.CSRFCookieDomain}
	if c.cookie == "" {
		c.cookie = DefaultCSRFCookieName
	}
	if !validCookieName(c.cookie) {
		bad("CSRFCookieName %q is not a cookie name", c.cookie)
	}
	h := s.CSRFHeaderName
	if h == "" {
		h = DefaultCSRFHeaderName
	}
	var ok bool
	if c.header, ok = headerName(h); !ok {
		bad("CSRFHeaderName %q is not a header name", h)
	}
	if d := c.cookieDomain; d != "" && !validDomainPattern(d) {
		bad("CSRFCookieDomain %q is not a domain", d)
	}
	for i, o := range s.TrustedOrigins {
		host, ok := trustedHost(o)
		if !ok {
			bad("TrustedOrigins[%d] %q is neither a host (Django 3.2) nor an origin with a scheme (Django 4.0)", i, o)
			continue
		}
		c.trusted = append(c.trusted, host)
	}
	switch p := s.SecureProxySSLHeader; {
	case p == [2]string{}:
	case p[0] == "" || p[1] == "":
		bad("SecureProxySSLHeader needs both a header name and a value")
	default:
		if c.proxyHeader, ok = headerName(p[0]); !ok {
			bad("SecureProxySSLHeader's %q is not a header name", p[0])
		}
		c.proxyValue = p[1]
	}
	return c, errs
}

// trustedHost reads an entry of CSRF_TRUSTED_ORIGINS as the host pattern
// the Referer check compares: 3.2's entries are one; 4.0's are origins,
// whose netloc, "*" stripped, is (CsrfViewMiddleware.csrf_trusted_origins_hosts).
func trustedHost(o string) (string, bool) {
	if scheme, rest, ok := strings.Cut(o, "://"); ok {
		if scheme == "" || strings.ContainsAny(rest, "/?#") {
			return "", false
		}
		o = strings.TrimLeft(rest, "*")
	}
	return o, validDomainPattern(o)
}

// validDomainPattern: a host, with an optional port, or a "."-prefixed
// domain; printable ASCII without spaces.
func validDomainPattern(s string) bool {
	if s == "" || s == "." {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || strings.IndexByte(`/?#@\"'<>`, c) >= 0 {
			return false
		}
	}
	return true
}

// check is DRF's enforce_csrf: CsrfViewMiddleware.process_view of Django
// 3.2 for a session-authenticated request.
func (c *csrfSettings) check(r *http.Request) error {
	// WSGIRequest upper-cases the method.
	method := strings.ToUpper(r.Method)
	switch method {
	case "GET", "HEAD", "OPTIONS", "TRACE":
		return nil
	}
	if c.secure(r) {
		if err := c.checkReferer(r); err != nil {
			return err
		}
	}
	cookie, ok := cookieValue(r.Header, c.cookie)
	if !ok {
		return csrfFailure(reasonNoCSRFCookie, errCSRFNoCookie)
	}
	token := ""
	if method == "POST" {
		token = formToken(r)
	}
	if token == "" {
		token, _ = headerValue(r.Header, c.header)
	}
	if !tokensMatch(token, cookie) {
		return csrfFailure(reasonBadToken, errCSRFBadToken)
	}
	return nil
}

// secure is HttpRequest.is_secure: SECURE_PROXY_SSL_HEADER when the
// request carries that header, the connection otherwise.
func (c *csrfSettings) secure(r *http.Request) bool {
	if c.proxyHeader != "" {
		if v, ok := headerValue(r.Header, c.proxyHeader); ok {
			return v == c.proxyValue
		}
	}
	return r.TLS != nil
}

// checkReferer is 3.2's strict Referer check of an HTTPS request.
func (c *csrfSettings) checkReferer(r *http.Request) error {
	ref, ok := headerValue(r.Header, "Referer")
	if !ok {
		return csrfFailure(reasonNoReferer, errCSRFNoReferer)
	}
	u, ok := splitURL(latin1(ref))
	// Django 3.2 lets urlparse's ValueError escape (a 500); 4.0 answers
	// that the Referer is malformed, and so do we.
	if !ok || u.scheme == "" || u.netloc == "" {
		return csrfFailure(reasonMalformedReferer, errCSRFMalformed)
	}
	if u.scheme != "https" {
		return csrfFailure(reasonInsecureReferer, errCSRFInsecureRef)
	}
	good, haveGood := "", false
	if c.cookieDomain != "" {
		good, haveGood = c.cookieDomain, true
		if port := serverPort(r); port != "443" && port != "80" {
			good += ":" + port
		}
	} else {
		good, haveGood = validHost(r.Host)
	}
	for _, h := range c.trusted {
		if sameDomain(u.netloc, h) {
			return nil
		}
	}
	if haveGood && sameDomain(u.netloc, good) {
		return nil
	}
	return csrfFailure(fmt.Sprintf(reasonBadReferer, u.url()), errCSRFBadReferer)
}

// serverPort is HttpRequest.get_port, META["SERVER_PORT"]: the port the
// server accepted the connection on. A request that did not come through
// an http.Server falls back to the Host's port, then the scheme's.
func serverPort(r *http.Request) string {
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if _, port, err := net.SplitHostPort(a.String()); err == nil {
			return port
		}
	}
	if _, port, err := net.SplitHostPort(r.Host); err == nil && port != "" {
		return port
	}
	if r.TLS != nil {
		return "443"
	}
	return "80"
}

// hostValidation is django.http.request.host_validation_re.
var hostValidation = regexp.MustCompile(`^([a-z0-9.-]+|\[[a-f0-9]*:[a-f0-9\.:]+\])(:\d+)?$`)

// validHost is get_host with ALLOWED_HOSTS = ["*"]: the Host as sent, if
// split_domain_port finds a domain in it; otherwise Django raises
// DisallowedHost and the check has only the trusted origins.
func validHost(host string) (string, bool) {
	h := strings.ToLower(host)
	if !hostValidation.MatchString(h) {
		return "", false
	}
	if strings.HasSuffix(h, "]") {
		return host, true
	}
	domain := h
	if i := strings.LastIndexByte(h, ':'); i >= 0 {
		domain = h[:i]
	}
	domain = strings.TrimSuffix(domain, ".")
	return host, domain != ""
}

// sameDomain is django.utils.http.is_same_domain: the pattern, lowered,
// matches host exactly, or, when it starts with ".", as a domain and its
// subdomains. host is compared as sent.
func sameDomain(host, pattern string) bool {
	if pattern == "" {
		return false
	}
	pattern = strings.ToLower(pattern)
	return pattern[0] == '.' && (strings.HasSuffix(host, pattern) || host == pattern[1:]) || pattern == host
}

// The CSRF token: 32 characters of the secret, or 64 of a mask and the
// secret enciphered with it (CSRF_SECRET_LENGTH, CSRF_TOKEN_LENGTH).
const (
	csrfSecretLen = 32
	csrfTokenLen  = 2 * csrfSecretLen
	csrfChars     = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
)

// csrfIndex maps a byte to its place in csrfChars, -1 when it is not one.
var csrfIndex = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(csrfChars); i++ {
		t[csrfChars[i]] = int8(i)
	}
	return t
}()

// csrfSecret is what _sanitize_token then _unmask_cipher_token make of a
// token: the secret of a 64-character masked token, a 32-character token
// itself. Anything else Django replaces with a new random token, which
// matches nothing: ok is false.
func csrfSecret(t string) (secret [csrfSecretLen]byte, ok bool) {
	switch len(t) {
	case csrfSecretLen, csrfTokenLen:
	default:
		return secret, false
	}
	for i := 0; i < len(t); i++ {
		if csrfIndex[t[i]] < 0 {
			return secret, false
		}
	}
	if len(t) == csrfSecretLen {
		copy(secret[:], t)
		return secret, true
	}
	mask, cipher := t[:csrfSecretLen], t[csrfSecretLen:]
	for i := range secret {
		// chars[x - y], where Python's negative index wraps around.
		d := (int(csrfIndex[cipher[i]]) - int(csrfIndex[mask[i]]) + len(csrfChars)) % len(csrfChars)
		secret[i] = csrfChars[d]
	}
	return secret, true
}

// tokensMatch is _compare_masked_tokens of the sanitized tokens: their
// secrets compared in constant time.
func tokensMatch(requestToken, cookieToken string) bool {
	a, okA := csrfSecret(requestToken)
	b, okB := csrfSecret(cookieToken)
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1 && okA && okB
}

// parsedURL is what urllib.parse.urlsplit makes of a URL.
type parsedURL struct {
	scheme, netloc, path, query, fragment string
}

// url is urlparse(...).geturl(), for a URL with a netloc.
func (u parsedURL) url() string {
	s := u.scheme + "://" + u.netloc + u.path
	if u.query != "" {
		s += "?" + u.query
	}
	if u.fragment != "" {
		s += "#" + u.fragment
	}
	return s
}

const schemeChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-."

// splitURL is Python 3.11's urllib.parse.urlsplit (the one Debian 12's
// Django 3.2 runs on); ok is false where it raises ValueError.
func splitURL(s string) (u parsedURL, ok bool) {
	// Leading C0 controls and spaces go, and so do tabs and newlines
	// anywhere (WHATWG).
	s = strings.TrimLeft(s, "\x00\x01\x02\x03\x04\x05\x06\x07\x08\t\n\x0b\x0c\r\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ")
	if strings.ContainsAny(s, "\t\r\n") {
		s = strings.NewReplacer("\t", "", "\r", "", "\n", "").Replace(s)
	}
	if i := strings.IndexByte(s, ':'); i > 0 && isASCIIAlpha(s[0]) && !strings.ContainsFunc(s[:i], func(r rune) bool { return !strings.ContainsRune(schemeChars, r) }) {
		u.scheme, s = strings.ToLower(s[:i]), s[i+1:]
	}
	if strings.HasPrefix(s, "//") {
		end := len(s)
		if i := strings.IndexAny(s[2:], "/?#"); i >= 0 {
			end = 2 + i
		}
		u.netloc, s = s[2:end], s[end:]
		open, closed := strings.Contains(u.netloc, "["), strings.Contains(u.netloc, "]")
		if open != closed {
			return parsedURL{}, false
		}
		if open && !bracketedNetlocOK(u.netloc) {
			return parsedURL{}, false
		}
	}
	s, u.fragment, _ = strings.Cut(s, "#")
	u.path, u.query, _ = strings.Cut(s, "?")
	return u, true
}

func isASCIIAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// bracketedNetlocOK is urllib.parse._check_bracketed_netloc.
func bracketedNetlocOK(netloc string) bool {
	if i := strings.LastIndexByte(netloc, '@'); i >= 0 {
		netloc = netloc[i+1:]
	}
	var host string
	if before, bracketed, ok := strings.Cut(netloc, "["); ok {
		if before != "" {
			return false
		}
		var port string
		host, port, _ = strings.Cut(bracketed, "]")
		if port != "" && !strings.HasPrefix(port, ":") {
			return false
		}
	} else {
		host, _, _ = strings.Cut(netloc, ":")
	}
	// _check_bracketed_host: an IPvFuture, or an IPv6 address.
	if rest, ok := strings.CutPrefix(host, "v"); ok {
		hexPart, tail, ok := strings.Cut(rest, ".")
		return ok && hexPart != "" && tail != "" && !strings.ContainsFunc(hexPart, func(r rune) bool {
			return !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F')
		}) && !strings.Contains(tail, "\n")
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && !ip.Is4()
}

// latin1 reads header bytes as WSGI hands them to Django: each byte one
// character of ISO-8859-1.
func latin1(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			var b strings.Builder
			for j := 0; j < len(s); j++ {
				b.WriteRune(rune(s[j]))
			}
			return b.String()
		}
	}
	return s
}
