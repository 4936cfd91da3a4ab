package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jwtauth-go/jwtauth/internal/testkit"
)

// The black-box run of the project's security checklist (section 2 of the
// security research; SECURITY.md maps its rows to tests): the real examples/basic binary, built by the test, started on
// loopback with settings from the environment as a user would start it,
// and asked every checklist row that can be seen from outside over plain
// TCP. Nothing here calls the library: the tokens are made by hand with
// the secret the server was given, so a bug shared by the library's signer
// and verifier cannot hide.

const (
	bbSecret     = "blackbox-secret-0123456789-abcdefghijklmnop"
	bbAdminPW    = "correct-horse-battery-staple-7431"
	bbInactivePW = "inactive-users-password-5519"
	// attackerKey is what a token's key-bearing header members offer.
	attackerKey = "attacker-key-attacker-key-attacker-key"
)

// DRF's messages, as the checklist and the recorded DRF answers give them.
const (
	msgNotProvided = "Authentication credentials were not provided."
	msgNoCreds     = "Invalid Authorization header. No credentials provided."
	msgSpaces      = "Invalid Authorization header. Credentials string should not contain spaces."
	msgDecoding    = "Error decoding signature."
	msgIncorrect   = "Incorrect authentication credentials."
	msgExpired     = "Signature has expired."
	msgPayload     = "Invalid payload."
	msgInvalidSig  = "Invalid signature."
	msgDisabled    = "User account is disabled."
	msgUnable      = "Unable to log in with provided credentials."
	msgInvalidTok  = "Invalid token."
	msgNoUser      = "User doesn't exist."
	msgRefreshExp  = "Refresh has expired."
	msgOrigIAT     = "orig_iat field is required."
	msgBasic       = "Invalid username/password."
	msgCSRF        = "CSRF Failed: cross-site request."
	msgTooLarge    = "Request body is too large."

	protectedOK  = `{"user_id":1,"username":"admin"}`
	bothRequired = `{"username":["This field is required."],"password":["This field is required."]}`
	// tokenAnswer stands for a {"token": ...} body holding a token freshly
	// issued by the server: bbCase checks it is one, signed with bbSecret.
	tokenAnswer = "\x00a freshly issued token"
)

func detail(msg string) string { return `{"detail":` + jsonString(msg) + `}` }
func nonField(msg string) string {
	return `{"non_field_errors":[` + jsonString(msg) + `]}`
}
func jsonString(s string) string { b, _ := json.Marshal(s); return string(b) }

// forbidden are what no answer may carry (checklist row 78): the secret,
// the users' passwords, and the marks of Go error text, stack traces and
// source paths.
var forbidden = []string{bbSecret, bbAdminPW, bbInactivePW,
	"panic", "goroutine", ".go:", "/work/", "/tmp/", "/home/", "jwtauth:", "json: ", "invalid character",
	"illegal base64", "unexpected end of JSON", "runtime error", "strconv.", "crypto/", "http: ", "<nil>", "%!"}

// b64 is unpadded base64url, the encoding of a JWS segment.
func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// hs256 is header.payload signed as the server signs, with its secret.
func hs256(header, payload string) string {
	return testkit.SignHS(sha256.New, bbSecret, header, payload)
}

// unsigned is header.payload with an empty signature (alg none).
func unsigned(header, payload string) string { return b64(header) + "." + b64(payload) + "." }

// request is what the test writes on the wire, as given: header names
// keep their case, repeats and order.
type request struct {
	method, target string
	header         []string // name, value pairs
	body           string
}

// answer is a response read whole.
type answer struct {
	status  int
	header  http.Header
	body    string
	elapsed time.Duration
}

// get asks the protected view, with header name/value pairs.
func get(header ...string) request {
	return request{method: "GET", target: "/api/protected/", header: header}
}

// withJWT asks the protected view with the token in DRF-JWT's header.
func withJWT(token string) request { return get("Authorization", "JWT "+token) }

// postJSON posts a JSON body to path.
func postJSON(path, body string, header ...string) request {
	return request{"POST", path, append([]string{"Content-Type", "application/json"}, header...), body}
}

// postRaw posts body as contentType, or with no Content-Type when it is "".
func postRaw(path, contentType, body string, header ...string) request {
	if contentType != "" {
		header = append([]string{"Content-Type", contentType}, header...)
	}
	return request{"POST", path, header, body}
}

// tokenJSON is the body of a verify or refresh request.
func tokenJSON(token string) string { return `{"token":` + jsonString(token) + `}` }

// loginJSON is the body of a login.
func loginJSON(username, password string) string {
	return `{"username":` + jsonString(username) + `,"password":` + jsonString(password) + `}`
}

// basicServer is one running examples/basic process.
type basicServer struct {
	name string
	addr string
	cmd  *exec.Cmd
	log  testkit.Buffer // its stderr, warnings then the access log, read while it writes
	done chan struct{}  // closed when the process has exited
	err  error          // cmd.Wait's result, once done
}

// buildBasic builds this package's command, once for all the tests that
// run it, into a directory TestMain removes. go test puts its own
// toolchain first on PATH, so "go" is the Go running the test.
func buildBasic(t *testing.T) string {
	t.Helper()
	bin, err := builtBasic()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

var (
	buildDir   string // made by TestMain
	builtBasic = sync.OnceValues(func() (string, error) {
		goTool, err := exec.LookPath("go")
		if err != nil {
			return "", fmt.Errorf("the black-box test builds the example with the go command: %v", err)
		}
		bin := filepath.Join(buildDir, "basic")
		if out, err := exec.Command(goTool, "build", "-o", bin, ".").CombinedOutput(); err != nil {
			return "", fmt.Errorf("go build: %v\n%s", err, out)
		}
		return bin, nil
	})
)

func TestMain(m *testing.M) {
	var err error
	if buildDir, err = os.MkdirTemp("", "jwtauth-basic-"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(buildDir)
	os.Exit(code)
}

// startBasic starts bin on a free loopback port with exactly env as its
// environment (nothing of the caller's leaks in) and args after -addr. It
// does not wait: ready does.
func startBasic(t *testing.T, bin, name string, env []string, args ...string) *basicServer {
	t.Helper()
	s := &basicServer{name: name, done: make(chan struct{})}
	s.cmd = exec.Command(bin, append([]string{"-addr", "127.0.0.1:0"}, args...)...)
	s.cmd.Env = env
	s.cmd.Stderr = &s.log
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		s.err = s.cmd.Wait()
		close(s.done)
	}()
	t.Cleanup(func() { s.stop(t) })
	return s
}

var listeningRE = regexp.MustCompile(`(?m)^listening on http://(\S+)$`)

// ready waits until the server says where it listens.
func (s *basicServer) ready(t *testing.T) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		if m := listeningRE.FindStringSubmatch(s.log.String()); m != nil {
			s.addr = m[1]
			return
		}
		select {
		case <-s.done:
			t.Fatalf("%s exited before listening (%v):\n%s", s.name, s.err, s.log.String())
		case <-deadline:
			t.Fatalf("%s did not listen within 30 s:\n%s", s.name, s.log.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// stop sends SIGTERM, as an operator would; the server must shut down
// cleanly. It is killed if it has not within 15 s.
func (s *basicServer) stop(t *testing.T) {
	select {
	case <-s.done:
		return
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
		if s.err != nil {
			t.Errorf("%s: exit after SIGTERM: %v\n%s", s.name, s.err, s.log.String())
		}
	case <-time.After(15 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
		t.Errorf("%s did not stop within 15 s of SIGTERM", s.name)
	}
}

// do sends r on a connection of its own and reads the answer. Writing and
// reading run at once: for the oversized requests the server answers (431,
// 413) before it has read everything, then hangs up.
func (s *basicServer) do(r request) (answer, error) {
	start := time.Now()
	conn, err := net.DialTimeout("tcp", s.addr, 10*time.Second)
	if err != nil {
		return answer{}, err
	}
	defer func() { _ = conn.Close() }() // also ends the writer below
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\n", r.method, r.target, s.addr)
	for i := 0; i+1 < len(r.header); i += 2 {
		fmt.Fprintf(&b, "%s: %s\r\n", r.header[i], r.header[i+1])
	}
	if r.body != "" || r.method == "POST" || r.method == "PUT" {
		fmt.Fprintf(&b, "Content-Length: %d\r\n", len(r.body))
	}
	b.WriteString("Connection: close\r\n\r\n")
	b.WriteString(r.body)
	go func() { _, _ = io.WriteString(conn, b.String()) }()
	resp, err := http.ReadResponse(bufio.NewReader(conn), &http.Request{Method: r.method})
	if err != nil {
		return answer{}, fmt.Errorf("%s %s: reading the answer: %w", r.method, r.target, err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return answer{}, fmt.Errorf("%s %s: reading the body: %w", r.method, r.target, err)
	}
	return answer{resp.StatusCode, resp.Header, string(body), time.Since(start)}, nil
}

// throttledPrefix starts DRF's 429 for a login throttled at 2/min.
const throttledPrefix = `{"detail":"Request was throttled. Expected available in `

// throttledWait checks the rest of that 429: the server runs on the real
// clock, so the wait is the 30 s of 2/min less the time the two hashed
// attempts before took, which on a loaded machine can pass a second; the
// exact 30 is pinned with a fixed clock by TestThrottledMatchesDRF.
func throttledWait(t *testing.T, a answer) {
	t.Helper()
	ok := false
	for _, n := range []string{"29", "30"} {
		if a.body == throttledPrefix+n+` seconds."}` && a.header.Get("Retry-After") == n {
			ok = true
		}
	}
	if !ok {
		t.Errorf("body %q, Retry-After %q: want a wait of 29 or 30 seconds in both", a.body, a.header.Get("Retry-After"))
	}
}

// bbCase is one checklist row's request and the answer the checklist (and
// DRF, where it has one) expects.
type bbCase struct {
	name   string // "row NN what"
	req    request
	status int
	body   string // exact; tokenAnswer for a freshly issued token
	prefix bool   // body is only the start of the answer
	fast   bool   // answered within 2 s (row 12's bound)
	// more checks what is particular to the row, after the common checks.
	more func(t *testing.T, a answer)
	// custom, when set, is the whole of a row that takes more than one
	// request (and the fields above are unused).
	custom func(t *testing.T, s *basicServer)
}

// run sends the case to s and checks the answer, including what every
// answer must satisfy.
func (c bbCase) run(t *testing.T, s *basicServer) answer {
	a, err := s.do(c.req)
	if err != nil {
		t.Fatal(err)
	}
	c.check(t, a)
	return a
}

// check is run's checks of an answer to c.req.
func (c bbCase) check(t *testing.T, a answer) {
	if a.status != c.status {
		t.Errorf("status %d, want %d (body %.300q)", a.status, c.status, a.body)
	}
	switch {
	case c.body == tokenAnswer:
		issuedClaims(t, a.body)
	case c.prefix:
		if !strings.HasPrefix(a.body, c.body) {
			t.Errorf("body\n  %.300q\nwant it to start with\n  %.300q", a.body, c.body)
		}
	case a.body != c.body:
		t.Errorf("body\n  %.300q\nwant\n  %.300q", a.body, c.body)
	}
	// A 401 carries the challenge (RFC 9110 §11.6.1, DRF-JWT's), nothing
	// else does.
	if got := a.header.Values("WWW-Authenticate"); (a.status == 401) != (len(got) == 1 && got[0] == `JWT realm="api"`) {
		t.Errorf("WWW-Authenticate %q on a %d", got, a.status)
	}
	if strings.HasPrefix(a.body, "{") && a.header.Get("Content-Type") != "application/json" {
		t.Errorf("Content-Type %q for a JSON body", a.header.Get("Content-Type"))
	}
	tokenEndpoint := !strings.HasPrefix(c.req.target, "/api/protected")
	if a.status == 200 && tokenEndpoint && a.header.Get("Cache-Control") != "no-store" {
		t.Errorf("a token response without Cache-Control: no-store: %q", a.header.Get("Cache-Control"))
	}
	if a.status == 405 {
		want := "POST, OPTIONS"
		if !tokenEndpoint {
			want = "GET, HEAD, OPTIONS"
		}
		if got := a.header.Get("Allow"); got != want {
			t.Errorf("Allow %q on a 405, want %q", got, want)
		}
	}
	if c.fast && a.elapsed > 2*time.Second {
		t.Errorf("answered in %v, want under 2 s", a.elapsed)
	}
	checkNoLeak(t, c.req, a)
	if c.more != nil {
		c.more(t, a)
	}
}

// checkNoLeak is checklist row 78: no answer shows the secret, a password,
// Go error text or a path, and no error answer repeats a credential the
// request carried (a verify that succeeds answers its token, as DRF does).
func checkNoLeak(t *testing.T, r request, a answer) {
	t.Helper()
	for _, f := range forbidden {
		if strings.Contains(a.body, f) {
			t.Errorf("the body contains %q: %.300q", f, a.body)
		}
	}
	if a.status < 400 {
		return
	}
	for _, sent := range credentialsIn(r) {
		if strings.Contains(a.body, sent) {
			t.Errorf("the error body repeats %.40q... of the request: %.300q", sent, a.body)
		}
	}
}

// credentialsIn are the long pieces of a request's Authorization and
// Cookie values and of its body: tokens and passwords.
func credentialsIn(r request) []string {
	split := func(s string) []string {
		return strings.FieldsFunc(s, func(c rune) bool { return strings.ContainsRune(" \t\"&=;,:{}[]", c) })
	}
	var pieces []string
	for i := 0; i+1 < len(r.header); i += 2 {
		if strings.EqualFold(r.header[i], "Authorization") || strings.EqualFold(r.header[i], "Cookie") {
			pieces = append(pieces, split(r.header[i+1])...)
		}
	}
	pieces = append(pieces, split(r.body)...)
	var long []string
	for _, p := range pieces {
		if len(p) >= 16 {
			long = append(long, p)
		}
	}
	return long
}

// issuedClaims checks that body is {"token": T} with T an HS256 token in
// DRF-JWT's header, signed with bbSecret, and returns T's claims.
func issuedClaims(t *testing.T, body string) map[string]any {
	t.Helper()
	var out struct{ Token string }
	dec := json.NewDecoder(strings.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&out); err != nil || out.Token == "" {
		t.Fatalf("not a token answer: %.300q", body)
	}
	parts := strings.Split(out.Token, ".")
	if len(parts) != 3 || parts[0] != b64(testkit.DRFHeader) {
		t.Fatalf("token %q: not DRF-JWT's HS256 header", out.Token)
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	if hs256(testkit.DRFHeader, string(payload)) != out.Token {
		t.Fatalf("token %q is not signed with the server's secret", out.Token)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

// countingListener counts the connections it accepts: row 11's proof that
// the server never fetched a key from where a token pointed.
type countingListener struct {
	net.Listener
	accepted atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.accepted.Add(1)
	}
	return c, err
}

// bigHeader is a protected-view request whose Authorization header is
// size bytes of token, for the header caps.
func bigHeader(size int) request {
	return get("Authorization", "JWT "+strings.Repeat("A", size))
}

// bbConfig is a server as a user would configure one, by its environment
// and its users file, and the table of cases it is asked.
type bbConfig struct {
	name  string
	env   []string // the whole environment of the process
	users string   // its -users file
	cases []bbCase
}

// startServers starts a process for each configuration at once, then
// waits until every one listens.
func startServers(t *testing.T, bin string, configs ...bbConfig) []*basicServer {
	t.Helper()
	servers := make([]*basicServer, len(configs))
	for i, c := range configs {
		servers[i] = startBasic(t, bin, c.name, c.env, "-users", c.users)
	}
	for _, s := range servers {
		s.ready(t)
	}
	return servers
}

// runTable runs each case as a subtest against s: all at once, or one
// after the other where the rows count on their order (the throttle's).
func runTable(t *testing.T, s *basicServer, cases []bbCase, ordered bool) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !ordered {
				t.Parallel()
			}
			if c.custom != nil {
				c.custom(t, s)
				return
			}
			c.run(t, s)
		})
	}
}

// writeUsers writes the users files of the servers: admin and an inactive
// user, and admin alone.
func writeUsers(t *testing.T) (allUsers, adminOnly string) {
	t.Helper()
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	admin := `{"id": 1, "username": "admin", "password": "` + bbAdminPW + `", "email": "admin@example.com"}`
	allUsers = write("users.json", `[`+admin+`, {"id": 2, "username": "inactive", "password": "`+bbInactivePW+`", "email": "inactive@example.com", "is_active": false}]`)
	adminOnly = write("admin.json", `[`+admin+`]`)
	return allUsers, adminOnly
}

// listenJWKS is row 11's listener: it serves a key set holding the
// attacker's key, as an attacker's server would, and counts who comes to
// fetch it. It returns the listener and the key set's URL.
func listenJWKS(t *testing.T) (*countingListener, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	jwks := &countingListener{Listener: ln}
	go func() {
		_ = http.Serve(jwks, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			_, _ = io.WriteString(w, `{"keys":[{"kty":"oct","k":"`+b64(attackerKey)+`"}]}`)
		}))
	}()
	t.Cleanup(func() { _ = jwks.Close() })
	return jwks, "http://" + ln.Addr().String() + "/.well-known/jwks.json"
}

// checkServerLog is row 79, from outside: after every row, a server's log
// shows no secret, password or credential sent (sent), and the server
// shuts down cleanly on SIGTERM.
func checkServerLog(t *testing.T, s *basicServer, sent []string) {
	t.Helper()
	s.stop(t)
	log := s.log.String()
	if !strings.Contains(log, "msg=request") {
		t.Errorf("the %s server logged no request: the check below would prove nothing:\n%s", s.name, log)
	}
	for _, secret := range append([]string{bbSecret, bbAdminPW, bbInactivePW}, sent...) {
		if strings.Contains(log, secret) {
			t.Errorf("the log of the %s server shows %.40q...", s.name, secret)
		}
	}
	if !strings.HasSuffix(log, "shutting down\n") {
		t.Errorf("the log of the %s server does not end with its shutdown:\n%s", s.name, log)
	}
}

// TestChecklistBlackBox drives three examples/basic processes (default
// settings with refresh, an audience and issuer, the cookie mode), each
// with its table of checklist cases, one subtest per case named by its
// row; then a fourth (a rotated secret and a login throttle) with its
// own. Row 11's listener, row 79's logs and the clean shutdowns are
// checked once every row has answered. -short leaves out the
// multi-megabyte requests of rows 12, 37 and 46.
func TestChecklistBlackBox(t *testing.T) {
	bin := buildBasic(t)
	allUsers, adminOnly := writeUsers(t)
	jwks, jwksURL := listenJWKS(t)
	f := newBBFixture(t, jwksURL)

	// Three servers, each as a user would configure one: the default
	// settings with refresh on; an audience and an issuer (rows 23, 24);
	// the cookie mode (rows 33, 63-68).
	env := func(vars ...string) []string { return append([]string{"JWT_SECRET_KEY=" + bbSecret}, vars...) }
	configs := []bbConfig{
		{"default", env("JWT_ALLOW_REFRESH=True"), allUsers, f.defaultCases()},
		{"audience and issuer", env("JWT_AUDIENCE=api", "JWT_ISSUER=https://a"), adminOnly, f.audienceIssuerCases()},
		{"cookie", env("JWT_AUTH_COOKIE=__Host-jwt", "CSRF_TRUSTED_ORIGINS=https://app.example.com"), adminOnly, f.cookieCases()},
	}
	servers := startServers(t, bin, configs...)

	t.Run("startup refusals", func(t *testing.T) { startupRefusals(t, bin) })

	t.Run("rows", func(t *testing.T) {
		for i, c := range configs {
			t.Run(c.name, func(t *testing.T) {
				t.Parallel()
				runTable(t, servers[i], c.cases, false)
			})
		}
	})

	// Rows 51 and 71, as an operator turns them on: a rotated secret with
	// the old one kept (JWT_PREVIOUS_SECRET_KEYS) and two login attempts a
	// minute per username (JWT_LOGIN_THROTTLE_USER).
	t.Run("rotation and throttle", func(t *testing.T) {
		c := bbConfig{"rotation and throttle", []string{
			"JWT_SECRET_KEY=" + bbRotatedSecret, "JWT_PREVIOUS_SECRET_KEYS=" + bbSecret, "JWT_LOGIN_THROTTLE_USER=2/min",
		}, allUsers, f.rotationCases()}
		s := startServers(t, bin, c)[0]
		defer s.stop(t)
		runTable(t, s, c.cases, true)
	})

	if n := jwks.accepted.Load(); n != 0 {
		t.Errorf("row 11: the server connected %d times to the listener a token pointed at", n)
	}

	var sent []string
	for _, c := range configs {
		for _, tc := range c.cases {
			sent = append(sent, credentialsIn(tc.req)...)
		}
	}
	for _, s := range servers {
		checkServerLog(t, s, sent)
	}
}

// startupRefusals: settings the checklist says must stop the server (rows
// 38, 69, 70) make the binary exit with status 2 and a message naming the
// variable, never showing the secret.
func startupRefusals(t *testing.T, bin string) {
	pemKey := "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n"
	for _, tc := range []struct {
		name   string
		env    []string
		want   string // in the message
		secret string // never in it
	}{
		{"row 38 prefix with a space", []string{"JWT_SECRET_KEY=" + bbSecret, "JWT_AUTH_HEADER_PREFIX=JWT X"}, "JWT_AUTH_HEADER_PREFIX", bbSecret},
		{"row 38 prefix with a tab", []string{"JWT_SECRET_KEY=" + bbSecret, "JWT_AUTH_HEADER_PREFIX=JWT\tX"}, "JWT_AUTH_HEADER_PREFIX", bbSecret},
		{"row 69 31-byte secret", []string{"JWT_SECRET_KEY=only-thirty-one-bytes-long-1234"}, "JWT_SECRET_KEY", "only-thirty-one-bytes-long-1234"},
		{"row 69 secret with fewer than 5 distinct bytes", []string{"JWT_SECRET_KEY=" + strings.Repeat("abcd", 12)}, "JWT_SECRET_KEY", strings.Repeat("abcd", 12)},
		{"row 69 HS512 with a 48-byte secret", []string{"JWT_ALGORITHM=HS512", "JWT_SECRET_KEY=" + bbSecret[:43] + "-0123"}, "JWT_SECRET_KEY", bbSecret[:43]},
		{"row 70 PEM public key as the secret", []string{"JWT_SECRET_KEY=" + pemKey}, "JWT_SECRET_KEY", "MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, "-addr", "127.0.0.1:0")
			cmd.Env = tc.env
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 2 {
				t.Fatalf("exit %v, want status 2:\n%s", err, out)
			}
			if !strings.Contains(string(out), tc.want) || strings.Contains(string(out), tc.secret) {
				t.Errorf("message %q: want it to name %s and not show the secret", out, tc.want)
			}
			if strings.Contains(string(out), "listening") {
				t.Errorf("it listened: %q", out)
			}
		})
	}
}
