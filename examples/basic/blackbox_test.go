package main

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
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
	srv    *basicServer
	req    request
	status int
	body   string // exact; tokenAnswer for a freshly issued token
	prefix bool   // body is only the start of the answer
	fast   bool   // answered within 2 s (row 12's bound)
	// more checks what is particular to the row, after the common checks.
	more func(t *testing.T, a answer)
}

// run sends the case and checks the answer, including what every answer
// must satisfy.
func (c bbCase) run(t *testing.T) answer {
	a, err := c.srv.do(c.req)
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

// TestChecklistBlackBox drives three examples/basic processes (default
// settings with refresh, an audience and issuer, the cookie mode) with one
// subtest per checklist case, named by its row. Row 11's listener, row 79's
// logs and the clean shutdowns are checked once every row has answered.
// -short leaves out the multi-megabyte requests of rows 12, 37 and 46.
func TestChecklistBlackBox(t *testing.T) {
	bin := buildBasic(t)
	dir := t.TempDir()
	writeUsers := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	admin := `{"id": 1, "username": "admin", "password": "` + bbAdminPW + `", "email": "admin@example.com"}`
	allUsers := writeUsers("users.json", `[`+admin+`, {"id": 2, "username": "inactive", "password": "`+bbInactivePW+`", "email": "inactive@example.com", "is_active": false}]`)
	adminOnly := writeUsers("admin.json", `[`+admin+`]`)

	// Three servers, each as a user would configure one: the default
	// settings with refresh on; an audience and an issuer (rows 23, 24);
	// the cookie mode (rows 33, 63-68).
	base := []string{"JWT_SECRET_KEY=" + bbSecret}
	main := startBasic(t, bin, "default", append(base, "JWT_ALLOW_REFRESH=True"), "-users", allUsers)
	claimsSrv := startBasic(t, bin, "audience and issuer", append(base, "JWT_AUDIENCE=api", "JWT_ISSUER=https://a"), "-users", adminOnly)
	cookie := startBasic(t, bin, "cookie", append(base, "JWT_AUTH_COOKIE=__Host-jwt", "CSRF_TRUSTED_ORIGINS=https://app.example.com"), "-users", adminOnly)
	for _, s := range []*basicServer{main, claimsSrv, cookie} {
		s.ready(t)
	}

	// Row 11's listener: it serves a key set holding the attacker's key,
	// as an attacker's server would, and counts who comes to fetch it.
	jwks := &countingListener{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	jwks.Listener = ln
	go func() {
		_ = http.Serve(jwks, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			_, _ = io.WriteString(w, `{"keys":[{"kty":"oct","k":"`+b64(attackerKey)+`"}]}`)
		}))
	}()
	t.Cleanup(func() { _ = jwks.Close() })
	jwksURL := "http://" + ln.Addr().String() + "/.well-known/jwks.json"

	now := time.Now().Unix()
	num := func(n int64) string { return strconv.FormatInt(n, 10) }
	fut, past := num(now+3600), num(now-10)
	const week = 7 * 86400
	// claims is admin's payload with extra members appended.
	claims := func(extra string) string {
		return `{"user_id":1,"username":"admin","email":"admin@example.com"` + extra + `}`
	}
	good := claims(`,"exp":` + fut + `,"orig_iat":` + num(now))
	valid := hs256(testkit.DRFHeader, good)
	signedHdr := func(header string) string { return hs256(header, good) }
	signed := func(payload string) string { return hs256(testkit.DRFHeader, payload) }
	sigless := valid[:strings.LastIndexByte(valid, '.')+1]
	swapped := func() string {
		parts := strings.Split(valid, ".")
		return parts[0] + "." + b64(strings.Replace(good, `"admin"`, `"admon"`, 1)) + "." + parts[2]
	}()
	flipped := func() string {
		// The last character of a 32-byte MAC carries 4 bits and 2
		// unused ones: flipping an unused one spells the same bytes
		// another way.
		const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
		i := strings.IndexByte(alphabet, valid[len(valid)-1])
		return valid[:len(valid)-1] + string(alphabet[i^1])
	}()
	pemPublic := func() string {
		pub, _, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		der, err := x509.MarshalPKIXPublicKey(pub)
		if err != nil {
			t.Fatal(err)
		}
		return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	}()
	attacker := func(header string) string { return testkit.SignHS(sha256.New, attackerKey, header, good) }
	inactiveTok := signed(`{"user_id":2,"username":"inactive","email":"inactive@example.com","exp":` + fut + `,"orig_iat":` + num(now) + `}`)
	ghostTok := signed(`{"user_id":9,"username":"ghost","email":"ghost@example.com","exp":` + fut + `,"orig_iat":` + num(now) + `}`)
	expiredTok := signed(claims(`,"exp":` + past + `,"orig_iat":` + num(now-310)))
	withOrigIAT := func(origIAT string) string { return signed(claims(`,"exp":` + fut + `,"orig_iat":` + origIAT)) }
	// Tokens of the audience-and-issuer server carry both unless a row
	// is about one of them.
	audIss := func(extra string) string { return signed(claims(`,"exp":` + fut + extra)) }

	const (
		obtainPath  = "/api-token-auth/"
		verifyPath  = "/api-token-verify/"
		refreshPath = "/api-token-refresh/"
	)
	login := func(password string) string { return loginJSON("admin", password) }

	// refreshed checks a refresh answer: a new token for the same user and
	// the same orig_iat (row 54), its exp never past orig_iat + 7 days
	// (row 59).
	refreshed := func(origIAT int64) func(t *testing.T, a answer) {
		return func(t *testing.T, a answer) {
			c := issuedClaims(t, a.body)
			exp, _ := c["exp"].(float64)
			if c["user_id"] != 1.0 || c["username"] != "admin" || c["email"] != "admin@example.com" || c["orig_iat"] != float64(origIAT) {
				t.Errorf("refreshed claims %v, want user 1 admin and orig_iat %d unchanged", c, origIAT)
			}
			if end := origIAT + week; int64(exp) > end {
				t.Errorf("refreshed exp %v is past orig_iat + 7 days (%d)", exp, end)
			}
			if int64(exp) < now {
				t.Errorf("refreshed exp %v is already past", exp)
			}
		}
	}
	noCookie := func(t *testing.T, a answer) {
		if sc := a.header.Values("Set-Cookie"); len(sc) != 0 {
			t.Errorf("Set-Cookie %q", sc)
		}
	}

	big := !testing.Short() // the multi-megabyte rows

	cases := []bbCase{
		// 2.1 Token parsing, on the protected view.
		{name: "row 01 alg none, empty signature", req: withJWT(unsigned(`{"typ":"JWT","alg":"none"}`, good)), status: 401, body: detail(msgIncorrect)},
		{name: "row 02 alg None", req: withJWT(unsigned(`{"typ":"JWT","alg":"None"}`, good)), status: 401, body: detail(msgIncorrect)},
		{name: "row 02 alg NONE", req: withJWT(unsigned(`{"typ":"JWT","alg":"NONE"}`, good)), status: 401, body: detail(msgIncorrect)},
		{name: "row 02 alg nOnE", req: withJWT(unsigned(`{"typ":"JWT","alg":"nOnE"}`, good)), status: 401, body: detail(msgIncorrect)},
		{name: "row 03 alg none with a valid HS256 MAC", req: withJWT(signedHdr(`{"typ":"JWT","alg":"none"}`)), status: 401, body: detail(msgIncorrect)},
		{name: "row 04 alg hs256 with the right MAC", req: withJWT(signedHdr(`{"typ":"JWT","alg":"hs256"}`)), status: 401, body: detail(msgIncorrect)},
		{name: "row 04 alg HS256 with a trailing space", req: withJWT(signedHdr(`{"typ":"JWT","alg":"HS256 "}`)), status: 401, body: detail(msgIncorrect)},
		{name: "row 05 HS512 with the right secret", req: withJWT(testkit.SignHS(sha512.New, bbSecret, `{"typ":"JWT","alg":"HS512"}`, good)), status: 401, body: detail(msgIncorrect)},
		{name: "row 05 HS384 with the right secret", req: withJWT(testkit.SignHS(sha512.New384, bbSecret, `{"typ":"JWT","alg":"HS384"}`, good)), status: 401, body: detail(msgIncorrect)},
		{name: "row 06 RS256 header, HMAC keyed with a public-key PEM", req: withJWT(testkit.SignHS(sha256.New, pemPublic, `{"typ":"JWT","alg":"RS256"}`, good)), status: 401, body: detail(msgIncorrect)},
		{name: "row 06 HS256 keyed with a public-key PEM", req: withJWT(testkit.SignHS(sha256.New, pemPublic, testkit.DRFHeader, good)), status: 401, body: detail(msgDecoding)},
		{name: "row 07 wrong secret", req: withJWT(testkit.SignHS(sha256.New, "another-secret-another-secret-another", testkit.DRFHeader, good)), status: 401, body: detail(msgDecoding)},
		{name: "row 07 empty-key MAC", req: withJWT(testkit.SignHS(sha256.New, "", testkit.DRFHeader, good)), status: 401, body: detail(msgDecoding)},
		{name: "row 07 signature stripped", req: withJWT(sigless), status: 401, body: detail(msgDecoding)},
		{name: "row 07 payload swapped after signing", req: withJWT(swapped), status: 401, body: detail(msgDecoding)},
		{name: "row 08 alg missing", req: withJWT(signedHdr(`{"typ":"JWT"}`)), status: 401, body: detail(msgIncorrect)},
		{name: "row 08 alg not a string", req: withJWT(signedHdr(`{"typ":"JWT","alg":256}`)), status: 401, body: detail(msgIncorrect)},
		{name: "row 08 header an array", req: withJWT(signedHdr(`["HS256"]`)), status: 401, body: detail(msgDecoding)},
		{name: "row 08 header not JSON", req: withJWT(signedHdr(`{alg:HS256}`)), status: 401, body: detail(msgDecoding)},
		{name: "row 09 crit naming an extension", req: withJWT(signedHdr(`{"typ":"JWT","alg":"HS256","crit":["exp"],"exp":1}`)), status: 401, body: detail(msgIncorrect)},
		{name: "row 09 crit empty", req: withJWT(signedHdr(`{"typ":"JWT","alg":"HS256","crit":[]}`)), status: 401, body: detail(msgIncorrect)},
		// A lookup of these kid values would give the empty key or the
		// attacker's: tokens MACed with those fail.
		{name: "row 10 kid with path traversal, MAC with the empty key", req: withJWT(testkit.SignHS(sha256.New, "", `{"typ":"JWT","alg":"HS256","kid":"../../../../../../dev/null"}`, good)), status: 401, body: detail(msgDecoding)},
		{name: "row 10 kid with SQL, MAC with the key it would select", req: withJWT(testkit.SignHS(sha256.New, attackerKey, `{"typ":"JWT","alg":"HS256","kid":"x' UNION SELECT '`+attackerKey+`' --"}`, good)), status: 401, body: detail(msgDecoding)},
		// kid is not read at all: with the server's own MAC it changes nothing.
		{name: "row 10 kid with path traversal, MAC with the server's secret", req: withJWT(signedHdr(`{"typ":"JWT","alg":"HS256","kid":"../../../../../../dev/null"}`)), status: 200, body: protectedOK},
		{name: "row 11 jku pointing at a listener", req: withJWT(attacker(`{"typ":"JWT","alg":"HS256","jku":"` + jwksURL + `"}`)), status: 401, body: detail(msgDecoding)},
		{name: "row 11 x5u pointing at a listener", req: withJWT(attacker(`{"typ":"JWT","alg":"HS256","x5u":"` + jwksURL + `"}`)), status: 401, body: detail(msgDecoding)},
		{name: "row 11 embedded jwk", req: withJWT(attacker(`{"typ":"JWT","alg":"HS256","jwk":{"kty":"oct","k":"` + b64(attackerKey) + `"}}`)), status: 401, body: detail(msgDecoding)},
		{name: "row 11 x5c", req: withJWT(attacker(`{"typ":"JWT","alg":"HS256","x5c":["` + base64.StdEncoding.EncodeToString([]byte(pemPublic)) + `"]}`)), status: 401, body: detail(msgDecoding)},
		{name: "row 11 jku and x5u with RS256", req: withJWT(attacker(`{"typ":"JWT","alg":"RS256","jku":"` + jwksURL + `","x5u":"` + jwksURL + `"}`)), status: 401, body: detail(msgIncorrect)},
		{name: "row 11 jku on verify", req: postJSON(verifyPath, tokenJSON(attacker(`{"typ":"JWT","alg":"HS256","jku":"`+jwksURL+`"}`))), status: 400, body: nonField(msgDecoding)},
		{name: "row 11 x5u on refresh", req: postJSON(refreshPath, tokenJSON(attacker(`{"typ":"JWT","alg":"HS256","x5u":"`+jwksURL+`"}`))), status: 400, body: nonField(msgDecoding)},
		{name: "row 13 character outside base64url", req: withJWT(strings.Replace(valid, ".", ".!", 1)), status: 401, body: detail(msgDecoding)},
		{name: "row 13 padding", req: withJWT(strings.Replace(valid, ".", "=.", 1)), status: 401, body: detail(msgDecoding)},
		{name: "row 13 standard alphabet", req: withJWT(strings.NewReplacer("-", "+", "_", "/").Replace(valid) + "+/"), status: 401, body: detail(msgDecoding)},
		{name: "row 13 flipped trailing bits", req: withJWT(flipped), status: 401, body: detail(msgDecoding)},
		{name: "row 14 header with trailing garbage", req: withJWT(signedHdr(testkit.DRFHeader + "x")), status: 401, body: detail(msgDecoding)},
		{name: "row 14 header with a BOM", req: withJWT(signedHdr("\ufeff" + testkit.DRFHeader)), status: 401, body: detail(msgDecoding)},
		{name: "row 14 payload not JSON", req: withJWT(signed(`{"exp":}`)), status: 401, body: detail(msgDecoding)},
		{name: "row 14 payload a JSON array", req: withJWT(signed(`[1]`)), status: 401, body: detail(msgDecoding)},
		{name: "row 14 payload with trailing garbage", req: withJWT(signed(good + `{}`)), status: 401, body: detail(msgDecoding)},
		{name: "row 14 payload with a BOM", req: withJWT(signed("\ufeff" + good)), status: 401, body: detail(msgDecoding)},
		{name: "row 15 raw JSON instead of a JWS", req: withJWT(good), status: 401, body: detail(msgDecoding)},
		{name: "row 15 two segments", req: withJWT(valid[:strings.LastIndexByte(valid, '.')]), status: 401, body: detail(msgDecoding)},
		{name: "row 15 five segments (JWE)", req: withJWT(valid + ".e30.e30"), status: 401, body: detail(msgDecoding)},
		{name: "row 15 non-ASCII", req: withJWT(valid + "é"), status: 401, body: detail(msgDecoding)},
		{name: "row 16 duplicate alg, HS256 then none", req: withJWT(signedHdr(`{"alg":"HS256","alg":"none"}`)), status: 401, body: detail(msgDecoding)},
		{name: "row 16 duplicate exp, future then past", req: withJWT(signed(claims(`,"exp":` + fut + `,"exp":1`))), status: 401, body: detail(msgDecoding)},
		{name: "row 17 EXP does not stand for exp", req: withJWT(signed(claims(`,"EXP":` + fut))), status: 401, body: detail(msgIncorrect)},
		{name: "row 17 USERNAME does not override username", req: withJWT(signed(`{"user_id":9,"username":"ghost","USERNAME":"admin","exp":` + fut + `}`)), status: 401, body: detail(msgInvalidSig)},
		{name: "row 18 exp a numeric string", req: withJWT(signed(claims(`,"exp":"` + fut + `"`))), status: 401, body: detail(msgDecoding)},
		{name: "row 18 exp a float in the future", req: withJWT(signed(claims(`,"exp":` + fut + `.75`))), status: 200, body: protectedOK},
		{name: "row 18 exp 1e400", req: withJWT(signed(claims(`,"exp":1e400`))), status: 401, body: detail(msgDecoding)},
		{name: "row 18 exp 1e300", req: withJWT(signed(claims(`,"exp":1e300`))), status: 401, body: detail(msgDecoding)},
		{name: "row 18 exp 0", req: withJWT(signed(claims(`,"exp":0`))), status: 401, body: detail(msgExpired)},
		{name: "row 18 exp negative", req: withJWT(signed(claims(`,"exp":-5`))), status: 401, body: detail(msgExpired)},
		{name: "row 18 exp null", req: withJWT(signed(claims(`,"exp":null`))), status: 401, body: detail(msgDecoding)},
		{name: "row 18 exp Infinity", req: withJWT(signed(claims(`,"exp":Infinity`))), status: 401, body: detail(msgDecoding)},
		{name: "row 18 exp true", req: withJWT(signed(claims(`,"exp":true`))), status: 401, body: detail(msgDecoding)},
		{name: "row 18 exp absent", req: withJWT(signed(claims(``))), status: 401, body: detail(msgIncorrect)},
		{name: "row 19 exp now-10 s", req: withJWT(expiredTok), status: 401, body: detail(msgExpired)},
		{name: "row 21 nbf in the future", req: withJWT(signed(claims(`,"exp":` + fut + `,"nbf":` + num(now+1800)))), status: 401, body: detail(msgIncorrect)},
		{name: "row 21 nbf in the past", req: withJWT(signed(claims(`,"exp":` + fut + `,"nbf":` + num(now-60)))), status: 200, body: protectedOK},
		{name: "row 21 iat in the future is recorded, not refused", req: withJWT(signed(claims(`,"exp":` + fut + `,"iat":` + num(now+1800)))), status: 200, body: protectedOK},
		{name: "row 21 iat not a number", req: withJWT(signed(claims(`,"exp":` + fut + `,"iat":"abc"`))), status: 401, body: detail(msgDecoding)},
		{name: "row 22 aud a string, no audience configured", req: withJWT(signed(claims(`,"exp":` + fut + `,"aud":"x"`))), status: 401, body: detail(msgIncorrect)},
		{name: "row 22 aud an array, no audience configured", req: withJWT(signed(claims(`,"exp":` + fut + `,"aud":["x"]`))), status: 401, body: detail(msgIncorrect)},
		{name: "row 22 aud empty, no audience configured", req: withJWT(signed(claims(`,"exp":` + fut + `,"aud":[]`))), status: 401, body: detail(msgIncorrect)},
		{name: "row 23 aud missing, api configured", srv: claimsSrv, req: withJWT(audIss(`,"iss":"https://a"`)), status: 401, body: detail(msgIncorrect)},
		{name: "row 23 aud api", srv: claimsSrv, req: withJWT(audIss(`,"aud":"api","iss":"https://a"`)), status: 200, body: protectedOK},
		{name: "row 23 aud [x, api]", srv: claimsSrv, req: withJWT(audIss(`,"aud":["x","api"],"iss":"https://a"`)), status: 200, body: protectedOK},
		{name: "row 23 aud ap", srv: claimsSrv, req: withJWT(audIss(`,"aud":"ap","iss":"https://a"`)), status: 401, body: detail(msgIncorrect)},
		{name: "row 23 aud API", srv: claimsSrv, req: withJWT(audIss(`,"aud":"API","iss":"https://a"`)), status: 401, body: detail(msgIncorrect)},
		{name: "row 23 aud 5", srv: claimsSrv, req: withJWT(audIss(`,"aud":5,"iss":"https://a"`)), status: 401, body: detail(msgIncorrect)},
		{name: "row 24 iss missing, issuer configured", srv: claimsSrv, req: withJWT(audIss(`,"aud":"api"`)), status: 401, body: detail(msgIncorrect)},
		{name: "row 24 iss exact", srv: claimsSrv, req: withJWT(audIss(`,"aud":"api","iss":"https://a"`)), status: 200, body: protectedOK},
		{name: "row 24 iss with a slash more", srv: claimsSrv, req: withJWT(audIss(`,"aud":"api","iss":"https://a/"`)), status: 401, body: detail(msgIncorrect)},
		{name: "row 24 iss a substring", srv: claimsSrv, req: withJWT(audIss(`,"aud":"api","iss":"https://"`)), status: 401, body: detail(msgIncorrect)},
		{name: "row 24 the server's own tokens carry aud and iss", srv: claimsSrv, req: postJSON(obtainPath, login(bbAdminPW)), status: 200, body: tokenAnswer,
			more: func(t *testing.T, a answer) {
				if c := issuedClaims(t, a.body); c["aud"] != "api" || c["iss"] != "https://a" {
					t.Errorf("claims %v, want aud api and iss https://a", c)
				}
			}},
		{name: "row 25 username missing", req: withJWT(signed(`{"user_id":1,"exp":` + fut + `}`)), status: 401, body: detail(msgPayload)},
		{name: "row 25 username unknown", req: withJWT(ghostTok), status: 401, body: detail(msgInvalidSig)},
		{name: "row 25 username a number", req: withJWT(signed(`{"user_id":1,"username":1,"exp":` + fut + `}`)), status: 401, body: detail(msgPayload)},
		{name: "row 25 username null", req: withJWT(signed(`{"user_id":1,"username":null,"exp":` + fut + `}`)), status: 401, body: detail(msgPayload)},
		{name: "row 25 user_id of another account", req: withJWT(signed(`{"user_id":2,"username":"admin","exp":` + fut + `}`)), status: 401, body: detail(msgInvalidSig)},
		{name: "row 26 user inactive", req: withJWT(inactiveTok), status: 401, body: detail(msgDisabled)},

		// 2.2 Transport.
		{name: "row 27 no header, no cookie", req: get(), status: 401, body: detail(msgNotProvided)},
		{name: "row 28 Bearer on a JWT server", req: get("Authorization", "Bearer "+valid), status: 401, body: detail(msgNotProvided)},
		{name: "row 28 unknown scheme Digest", req: get("Authorization", "Digest abc"), status: 401, body: detail(msgNotProvided)},
		// This server also takes HTTP Basic (seed 000's chain), so Basic
		// is one of its schemes, answered as DRF's BasicAuthentication.
		{name: "row 28 Basic is this server's second scheme", req: get("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("admin:wrong-password"))), status: 401, body: detail(msgBasic)},
		{name: "row 28 Basic with the right password", req: get("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("admin:"+bbAdminPW))), status: 200, body: protectedOK},
		{name: "row 29 prefix jwt", req: get("Authorization", "jwt "+valid), status: 200, body: protectedOK},
		{name: "row 29 prefix Jwt", req: get("Authorization", "Jwt "+valid), status: 200, body: protectedOK},
		{name: "row 30 two spaces", req: get("Authorization", "JWT  "+valid), status: 200, body: protectedOK},
		{name: "row 30 a tab", req: get("Authorization", "JWT\t"+valid), status: 200, body: protectedOK},
		{name: "row 31 JWT a b", req: get("Authorization", "JWT a b"), status: 401, body: detail(msgSpaces)},
		{name: "row 31 JWT alone", req: get("Authorization", "JWT"), status: 401, body: detail(msgNoCreds)},
		{name: "row 31 JWT glued to the token", req: get("Authorization", "JWT"+valid), status: 401, body: detail(msgNotProvided)},
		{name: "row 32 two headers, valid first", req: get("Authorization", "JWT "+valid, "Authorization", "Bearer x"), status: 401, body: detail(msgSpaces)},
		{name: "row 32 two headers, valid second", req: get("Authorization", "Bearer x", "Authorization", "JWT "+valid), status: 401, body: detail(msgSpaces)},
		{name: "row 32 the same valid header twice", req: get("Authorization", "JWT "+valid, "Authorization", "JWT "+valid), status: 401, body: detail(msgSpaces)},
		{name: "row 33 header valid, cookie garbage", srv: cookie, req: get("Authorization", "JWT "+valid, "Cookie", "__Host-jwt=garbage"), status: 200, body: protectedOK},
		{name: "row 33 header invalid, cookie valid: no fallback", srv: cookie, req: get("Authorization", "JWT abc123", "Cookie", "__Host-jwt="+valid), status: 401, body: detail(msgDecoding)},
		{name: "row 33 cookie only, cookie mode on", srv: cookie, req: get("Cookie", "__Host-jwt="+valid), status: 200, body: protectedOK},
		{name: "row 34 cookie only, cookie mode off", req: get("Cookie", "jwt="+valid+"; __Host-jwt="+valid), status: 401, body: detail(msgNotProvided)},
		{name: "row 35 token in the query string", req: request{method: "GET", target: "/api/protected/?token=" + valid}, status: 401, body: detail(msgNotProvided)},
		{name: "row 35 jwt in the query string", req: request{method: "GET", target: "/api/protected/?jwt=" + valid + "&Authorization=JWT%20" + valid}, status: 401, body: detail(msgNotProvided)},
		{name: "row 36 lower-case header name", req: get("authorization", "JWT "+valid), status: 200, body: protectedOK},
		{name: "row 36 upper-case header name", req: get("AUTHORIZATION", "JWT "+valid), status: 200, body: protectedOK},
		{name: "row 36 non-ASCII bytes in the value", req: get("Authorization", "JWT tökén"), status: 401, body: detail(msgDecoding)},
		{name: "row 36 bytes that are not UTF-8 in the value", req: get("Authorization", "JWT \xff\xfe"+valid), status: 401, body: detail(msgDecoding)},

		// 2.3 Handlers.
		{name: "row 39 wrong password", req: postJSON(obtainPath, login("wrong-password")), status: 400, body: nonField(msgUnable)},
		{name: "row 39 unknown user", req: postJSON(obtainPath, loginJSON("ghost", bbAdminPW)), status: 400, body: nonField(msgUnable)},
		{name: "row 39 inactive user, right password", req: postJSON(obtainPath, loginJSON("inactive", bbInactivePW)), status: 400, body: nonField(msgUnable)},
		{name: "row 39 right password", req: postJSON(obtainPath, login(bbAdminPW)), status: 200, body: tokenAnswer, more: noCookie},
		{name: "row 41 missing username", req: postJSON(obtainPath, `{"password":"`+bbAdminPW+`"}`), status: 400, body: `{"username":["This field is required."]}`},
		{name: "row 41 missing password", req: postJSON(obtainPath, `{"username":"admin"}`), status: 400, body: `{"password":["This field is required."]}`},
		{name: "row 41 both missing", req: postJSON(obtainPath, `{}`), status: 400, body: bothRequired},
		{name: "row 41 blank username", req: postJSON(obtainPath, loginJSON("   ", bbAdminPW)), status: 400, body: `{"username":["This field may not be blank."]}`},
		{name: "row 41 blank password", req: postJSON(obtainPath, login("")), status: 400, body: `{"password":["This field may not be blank."]}`},
		{name: "row 41 null username", req: postJSON(obtainPath, `{"username":null,"password":"`+bbAdminPW+`"}`), status: 400, body: `{"username":["This field may not be null."]}`},
		{name: "row 41 object username", req: postJSON(obtainPath, `{"username":{"a":1},"password":"`+bbAdminPW+`"}`), status: 400, body: `{"username":["Not a valid string."]}`},
		{name: "row 41 array password", req: postJSON(obtainPath, `{"username":"admin","password":["`+bbAdminPW+`"]}`), status: 400, body: `{"password":["Not a valid string."]}`},
		{name: "row 42 malformed JSON", req: postJSON(obtainPath, `{`), status: 400, body: detail("JSON parse error - Expecting property name enclosed in double quotes: line 1 column 2 (char 1)")},
		{name: "row 42 JSON with trailing garbage", req: postJSON(obtainPath, `{} x`), status: 400, body: detail("JSON parse error - Extra data: line 1 column 4 (char 3)")},
		// Python's parser gives up on the depth; so does Go's, somewhere.
		{name: "row 42 20 000-deep nesting", req: postJSON(obtainPath, `{"username":`+strings.Repeat("[", 20000)), status: 400, body: `{"detail":"JSON parse error - `, prefix: true},
		// 100 000 bytes of nesting are over the 64 KiB body cap, which
		// answers first.
		{name: "row 42 100 000-deep nesting", req: postJSON(obtainPath, strings.Repeat("[", 100000)), status: 413, body: detail(msgTooLarge)},
		{name: "row 43 form urlencoded", req: postRaw(obtainPath, "application/x-www-form-urlencoded", "username=admin&password="+bbAdminPW), status: 200, body: tokenAnswer},
		{name: "row 43 multipart", req: postRaw(obtainPath, "multipart/form-data; boundary=XYZ", "--XYZ\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\nadmin\r\n--XYZ\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\n"+bbAdminPW+"\r\n--XYZ--\r\n"), status: 200, body: tokenAnswer},
		{name: "row 44 JSON sent as text/plain", req: postRaw(obtainPath, "text/plain", login(bbAdminPW)), status: 415, body: detail(`Unsupported media type "text/plain" in request.`)},
		{name: "row 44 JSON without a content type", req: postRaw(obtainPath, "", login(bbAdminPW)), status: 415, body: detail(`Unsupported media type "" in request.`)},
		{name: "row 44 no content type, empty body", req: postRaw(obtainPath, "", ""), status: 400, body: bothRequired},
		{name: "row 46 body of 100 KiB", req: postJSON(obtainPath, login(strings.Repeat("x", 100<<10))), status: 413, body: detail(msgTooLarge)},
		{name: "row 47 password with a trailing space", req: postJSON(obtainPath, login(bbAdminPW+" ")), status: 400, body: nonField(msgUnable)},
		{name: "row 47 password in upper case", req: postJSON(obtainPath, login(strings.ToUpper(bbAdminPW))), status: 400, body: nonField(msgUnable)},
		{name: "row 47 password with a NUL", req: postJSON(obtainPath, `{"username":"admin","password":"`+bbAdminPW+`\u0000"}`), status: 400, body: `{"password":["Null characters are not allowed."]}`},
		{name: "row 49 username Admin", req: postJSON(obtainPath, loginJSON("Admin", bbAdminPW)), status: 400, body: nonField(msgUnable)},
		{name: "row 49 username with a Cyrillic a", req: postJSON(obtainPath, loginJSON("\u0430dmin", bbAdminPW)), status: 400, body: nonField(msgUnable)},
		{name: "row 49 username in fullwidth letters", req: postJSON(obtainPath, loginJSON("ａｄｍｉｎ", bbAdminPW)), status: 400, body: nonField(msgUnable)},
		{name: "row 50 extra fields ignored", req: postJSON(obtainPath, `{"username":"admin","password":"`+bbAdminPW+`","is_superuser":true,"user_id":99,"exp":1,"orig_iat":1}`), status: 200, body: tokenAnswer,
			more: func(t *testing.T, a answer) {
				c := issuedClaims(t, a.body)
				exp, _ := c["exp"].(float64)
				orig, _ := c["orig_iat"].(float64)
				if len(c) != 5 || c["user_id"] != 1.0 || c["username"] != "admin" || c["email"] != "admin@example.com" || int64(exp) < now+300 || int64(orig) < now {
					t.Errorf("claims %v, want exactly user_id 1, username, email, a fresh exp and orig_iat", c)
				}
			}},
		{name: "row 53 verify valid", req: postJSON(verifyPath, tokenJSON(valid)), status: 200, body: tokenJSON(valid)},
		{name: "row 53 verify garbage", req: postJSON(verifyPath, tokenJSON("abc")), status: 400, body: nonField(msgDecoding)},
		{name: "row 53 verify empty", req: postJSON(verifyPath, tokenJSON("")), status: 400, body: `{"token":["This field may not be blank."]}`},
		{name: "row 53 verify null", req: postJSON(verifyPath, `{"token":null}`), status: 400, body: `{"token":["This field may not be null."]}`},
		{name: "row 53 verify a number", req: postJSON(verifyPath, `{"token":123}`), status: 400, body: nonField(msgDecoding)},
		{name: "row 53 verify expired", req: postJSON(verifyPath, tokenJSON(expiredTok)), status: 400, body: nonField(msgExpired)},
		{name: "row 53 verify alg none", req: postJSON(verifyPath, tokenJSON(unsigned(`{"typ":"JWT","alg":"none"}`, good))), status: 400, body: nonField(msgInvalidTok)},
		{name: "row 53 verify aud, none configured", req: postJSON(verifyPath, tokenJSON(signed(claims(`,"exp":`+fut+`,"aud":"x"`)))), status: 400, body: nonField(msgInvalidTok)},
		{name: "row 53 verify nbf in the future", req: postJSON(verifyPath, tokenJSON(signed(claims(`,"exp":`+fut+`,"nbf":`+num(now+1800))))), status: 400, body: nonField(msgInvalidTok)},
		{name: "row 53 verify unknown user", req: postJSON(verifyPath, tokenJSON(ghostTok)), status: 400, body: nonField(msgNoUser)},
		{name: "row 53 verify crit", req: postJSON(verifyPath, tokenJSON(signedHdr(`{"typ":"JWT","alg":"HS256","crit":["exp"],"exp":1}`))), status: 400, body: nonField(msgInvalidTok)},
		// A line break cannot travel inside a header; in a body it can.
		{name: "row 13 verify CR LF inside the token", req: postJSON(verifyPath, tokenJSON(strings.Replace(valid, ".", ".\r\n", 1))), status: 400, body: nonField(msgDecoding)},

		// 2.4 Refresh.
		{name: "row 54 refresh valid", req: postJSON(refreshPath, tokenJSON(valid)), status: 200, body: tokenAnswer, more: refreshed(now)},
		{name: "row 55 refresh expired, orig_iat inside the window", req: postJSON(refreshPath, tokenJSON(expiredTok)), status: 400, body: nonField(msgExpired)},
		{name: "row 56 refresh orig_iat older than the window", req: postJSON(refreshPath, tokenJSON(withOrigIAT(num(now-week-3600)))), status: 400, body: nonField(msgRefreshExp)},
		{name: "row 57 refresh orig_iat missing", req: postJSON(refreshPath, tokenJSON(signed(claims(`,"exp":`+fut)))), status: 400, body: nonField(msgOrigIAT)},
		{name: "row 57 refresh orig_iat 0", req: postJSON(refreshPath, tokenJSON(withOrigIAT("0"))), status: 400, body: nonField(msgOrigIAT)},
		{name: "row 57 refresh orig_iat null", req: postJSON(refreshPath, tokenJSON(withOrigIAT("null"))), status: 400, body: nonField(msgOrigIAT)},
		{name: "row 57 refresh orig_iat a string", req: postJSON(refreshPath, tokenJSON(withOrigIAT(`"abc"`))), status: 400, body: nonField(msgOrigIAT)},
		{name: "row 57 refresh orig_iat a digit string", req: postJSON(refreshPath, tokenJSON(withOrigIAT(`"`+num(now)+`"`))), status: 400, body: nonField(msgOrigIAT)},
		{name: "row 58 refresh orig_iat in the future", req: postJSON(refreshPath, tokenJSON(withOrigIAT(num(now+1800)))), status: 400, body: nonField(msgInvalidTok)},
		{name: "row 59 refresh near the end of the window: exp capped", req: postJSON(refreshPath, tokenJSON(withOrigIAT(num(now-week+100)))), status: 200, body: tokenAnswer,
			more: func(t *testing.T, a answer) {
				refreshed(now-week+100)(t, a)
				if exp := issuedClaims(t, a.body)["exp"]; exp != float64(now+100) {
					t.Errorf("exp %v, want orig_iat + 7 days = %d", exp, now+100)
				}
			}},
		{name: "row 60 refresh for an inactive user", req: postJSON(refreshPath, tokenJSON(inactiveTok)), status: 400, body: nonField(msgDisabled)},
		{name: "row 60 refresh for an unknown user", req: postJSON(refreshPath, tokenJSON(ghostTok)), status: 400, body: nonField(msgNoUser)},
		{name: "row 61 refresh alg none", req: postJSON(refreshPath, tokenJSON(unsigned(`{"typ":"JWT","alg":"none"}`, good))), status: 400, body: nonField(msgInvalidTok)},
		{name: "row 61 refresh wrong secret", req: postJSON(refreshPath, tokenJSON(testkit.SignHS(sha256.New, "another-secret-another-secret-another", testkit.DRFHeader, good))), status: 400, body: nonField(msgDecoding)},
		{name: "row 61 refresh aud, none configured", req: postJSON(refreshPath, tokenJSON(signed(claims(`,"exp":`+fut+`,"orig_iat":`+num(now)+`,"aud":"x"`)))), status: 400, body: nonField(msgInvalidTok)},
		{name: "row 61 refresh nbf in the future", req: postJSON(refreshPath, tokenJSON(signed(claims(`,"exp":`+fut+`,"orig_iat":`+num(now)+`,"nbf":`+num(now+1800))))), status: 400, body: nonField(msgInvalidTok)},
		{name: "row 61 refresh crit", req: postJSON(refreshPath, tokenJSON(signedHdr(`{"typ":"JWT","alg":"HS256","crit":["exp"],"exp":1}`))), status: 400, body: nonField(msgInvalidTok)},

		// 2.5 Cookies and CSRF.
		{name: "row 63 default settings: obtain sets no cookie", req: postJSON(obtainPath, login(bbAdminPW)), status: 200, body: tokenAnswer, more: noCookie},
		{name: "row 63 default settings: a cross-site login is an API client's", req: postRaw(obtainPath, "application/x-www-form-urlencoded", "username=admin&password="+bbAdminPW, "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"), status: 200, body: tokenAnswer, more: noCookie},
		{name: "row 64 cookie attributes", srv: cookie, req: postJSON(obtainPath, login(bbAdminPW)), status: 200, body: tokenAnswer,
			more: func(t *testing.T, a answer) {
				sc := a.header.Values("Set-Cookie")
				if len(sc) != 1 {
					t.Fatalf("Set-Cookie %q, want one", sc)
				}
				c, err := http.ParseSetCookie(sc[0])
				if err != nil {
					t.Fatal(err)
				}
				var token struct{ Token string }
				_ = json.Unmarshal([]byte(a.body), &token)
				if c.Name != "__Host-jwt" || c.Value != token.Token || !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteLaxMode ||
					c.Path != "/" || c.Domain != "" || c.MaxAge != 300 {
					t.Errorf("Set-Cookie %q: want __Host-jwt=<the token>; HttpOnly; Secure; SameSite=Lax; Path=/; Max-Age=300", sc[0])
				}
			}},
		{name: "row 65 cookie, cross-site POST", srv: cookie, req: request{"POST", "/api/protected/", []string{"Cookie", "__Host-jwt=" + valid, "Sec-Fetch-Site", "cross-site"}, ""}, status: 403, body: detail(msgCSRF)},
		{name: "row 65 cookie, same-site DELETE", srv: cookie, req: request{"DELETE", "/api/protected/", []string{"Cookie", "__Host-jwt=" + valid, "Sec-Fetch-Site", "same-site"}, ""}, status: 403, body: detail(msgCSRF)},
		{name: "row 65 cookie, foreign Origin", srv: cookie, req: request{"PUT", "/api/protected/", []string{"Cookie", "__Host-jwt=" + valid, "Origin", "https://evil.example"}, ""}, status: 403,
			body: detail("CSRF Failed: Origin checking failed - https://evil.example does not match any trusted origins.")},
		// Past the CSRF check, the view answers its 405 (it allows GET).
		{name: "row 65 cookie, same-origin POST passes", srv: cookie, req: request{"POST", "/api/protected/", []string{"Cookie", "__Host-jwt=" + valid, "Sec-Fetch-Site", "same-origin"}, ""}, status: 405, body: detail(`Method "POST" not allowed.`)},
		{name: "row 65 cookie, trusted origin passes", srv: cookie, req: request{"POST", "/api/protected/", []string{"Cookie", "__Host-jwt=" + valid, "Sec-Fetch-Site", "cross-site", "Origin", "https://app.example.com"}, ""}, status: 405, body: detail(`Method "POST" not allowed.`)},
		{name: "row 65 cookie, cross-site GET is safe", srv: cookie, req: get("Cookie", "__Host-jwt="+valid, "Sec-Fetch-Site", "cross-site"), status: 200, body: protectedOK},
		{name: "row 65 header, cross-site POST is not CSRF", srv: cookie, req: request{"POST", "/api/protected/", []string{"Authorization", "JWT " + valid, "Sec-Fetch-Site", "cross-site"}, ""}, status: 405, body: detail(`Method "POST" not allowed.`)},
		{name: "row 66 cross-site form login", srv: cookie, req: postRaw(obtainPath, "application/x-www-form-urlencoded", "username=admin&password="+bbAdminPW, "Sec-Fetch-Site", "cross-site"), status: 403, body: detail(msgCSRF), more: noCookie},
		{name: "row 66 cross-site form refresh", srv: cookie, req: postRaw(refreshPath, "application/x-www-form-urlencoded", "token="+valid, "Sec-Fetch-Site", "cross-site"), status: 403, body: detail(msgCSRF), more: noCookie},
		{name: "row 66 foreign Origin login", srv: cookie, req: postRaw(obtainPath, "application/x-www-form-urlencoded", "username=admin&password="+bbAdminPW, "Origin", "https://evil.example"), status: 403,
			body: detail("CSRF Failed: Origin checking failed - https://evil.example does not match any trusted origins."), more: noCookie},
		// Only the first of two same-named cookies is read.
		// Two copies (one tossed in from a sibling subdomain): Django would
		// read the last, net/http the first; refused either way.
		{name: "row 67 two cookies, garbage first", srv: cookie, req: get("Cookie", "__Host-jwt=garbage; __Host-jwt="+valid), status: 401, body: detail("Incorrect authentication credentials.")},
		{name: "row 67 two cookies, valid first", srv: cookie, req: get("Cookie", "__Host-jwt="+valid+"; __Host-jwt=garbage"), status: 401, body: detail("Incorrect authentication credentials.")},
		{name: "row 68 verify reads the body, not the cookie", srv: cookie, req: postJSON(verifyPath, `{}`, "Cookie", "__Host-jwt="+valid), status: 400, body: `{"token":["This field is required."]}`, more: noCookie},
		{name: "row 68 refresh reads the body, not the cookie", srv: cookie, req: postJSON(refreshPath, `{}`, "Cookie", "__Host-jwt="+valid), status: 400, body: `{"token":["This field is required."]}`, more: noCookie},
	}
	for _, path := range []string{obtainPath, verifyPath, refreshPath} {
		for _, method := range []string{"GET", "PUT"} {
			cases = append(cases, bbCase{name: "row 45 " + method + " " + path, req: request{method: method, target: path, header: []string{"Content-Type", "application/json"}, body: login(bbAdminPW)},
				status: 405, body: detail(`Method "` + method + `" not allowed.`)})
		}
	}
	if big {
		cases = append(cases,
			bbCase{name: "row 12 600 KB junk token", req: withJWT(strings.Repeat("eyJhbGciOi", 60000)), status: 401, body: detail(msgDecoding), fast: true},
			bbCase{name: "row 12 500 000 dots", req: withJWT(strings.Repeat(".", 500000)), status: 401, body: detail(msgDecoding), fast: true},
			bbCase{name: "row 12 2 MiB header", req: bigHeader(2 << 20), status: 431, body: "431 Request Header Fields Too Large", fast: true},
			// Just over 1 MiB (net/http allows 4 KiB of slack): the cap is
			// MaxHeaderBytes, not something larger.
			bbCase{name: "row 37 header just over 1 MiB", req: bigHeader(1<<20 + 8<<10), status: 431, body: "431 Request Header Fields Too Large", fast: true},
			bbCase{name: "row 46 10 MiB password", req: postJSON(obtainPath, login(strings.Repeat("p", 10<<20))), status: 413, body: detail(msgTooLarge), fast: true},
			bbCase{name: "row 46 2 MiB token in a verify body", req: postJSON(verifyPath, tokenJSON(strings.Repeat("eyJhbGciOi", 200<<10))), status: 413, body: detail(msgTooLarge), fast: true},
		)
	}

	t.Run("startup refusals", func(t *testing.T) { startupRefusals(t, bin) })

	t.Run("rows", func(t *testing.T) {
		for _, c := range cases {
			if c.srv == nil {
				c.srv = main
			}
			t.Run(c.name, func(t *testing.T) {
				t.Parallel()
				c.run(t)
			})
		}

		// Row 39: the three failed logins are the same bytes, headers
		// included (Date aside), on obtain and on HTTP Basic.
		t.Run("row 39 failed logins are byte-identical", func(t *testing.T) {
			t.Parallel()
			basic := func(user, password string) request {
				return get("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(user+":"+password)))
			}
			for _, group := range [][]bbCase{
				{
					{req: postJSON(obtainPath, login("wrong-password")), status: 400, body: nonField(msgUnable)},
					{req: postJSON(obtainPath, loginJSON("ghost", bbAdminPW)), status: 400, body: nonField(msgUnable)},
					{req: postJSON(obtainPath, loginJSON("inactive", bbInactivePW)), status: 400, body: nonField(msgUnable)},
				},
				{
					{req: basic("admin", "wrong-password"), status: 401, body: detail(msgBasic)},
					{req: basic("ghost", bbAdminPW), status: 401, body: detail(msgBasic)},
					{req: basic("inactive", bbInactivePW), status: 401, body: detail(msgBasic)},
				},
			} {
				var first string
				for i, c := range group {
					c.srv = main
					a := c.run(t)
					a.header.Del("Date")
					var b strings.Builder
					fmt.Fprintf(&b, "%d\n", a.status)
					_ = a.header.Write(&b)
					b.WriteString(a.body)
					if i == 0 {
						first = b.String()
					} else if b.String() != first {
						t.Errorf("%s %s: answer\n%s\ndiffers from the wrong password's\n%s", c.req.method, c.req.target, b.String(), first)
					}
				}
			}
		})

		// Row 74: two refreshes of one token at once both succeed (the
		// server keeps no state to race on) and keep its orig_iat.
		t.Run("row 74 two concurrent refreshes of one token", func(t *testing.T) {
			t.Parallel()
			c := bbCase{srv: main, req: postJSON(refreshPath, tokenJSON(valid)), status: 200, body: tokenAnswer, more: refreshed(now)}
			var answers [2]answer
			var errs [2]error
			var wg sync.WaitGroup
			for i := range answers {
				wg.Go(func() { answers[i], errs[i] = main.do(c.req) })
			}
			wg.Wait()
			for i := range answers {
				if errs[i] != nil {
					t.Fatal(errs[i])
				}
				c.check(t, answers[i])
			}
		})

		// Row 59: a chain of refreshes keeps orig_iat.
		t.Run("row 59 refresh chain keeps orig_iat", func(t *testing.T) {
			t.Parallel()
			tok := valid
			for range 3 {
				a := bbCase{srv: main, req: postJSON(refreshPath, tokenJSON(tok)), status: 200, body: tokenAnswer, more: refreshed(now)}.run(t)
				var out struct{ Token string }
				_ = json.Unmarshal([]byte(a.body), &out)
				tok = out.Token
			}
		})
	})

	// Rows 51 and 71, as an operator turns them on: a rotated secret with
	// the old one kept (JWT_PREVIOUS_SECRET_KEYS) and two login attempts a
	// minute per username (JWT_LOGIN_THROTTLE_USER).
	t.Run("rotation and throttle", func(t *testing.T) {
		const newSecret = "the-rotated-secret-of-the-black-box-run-0123456789"
		srv := startBasic(t, bin, "rotation and throttle", []string{
			"JWT_SECRET_KEY=" + newSecret, "JWT_PREVIOUS_SECRET_KEYS=" + bbSecret, "JWT_LOGIN_THROTTLE_USER=2/min",
		}, "-users", allUsers)
		srv.ready(t)
		defer srv.stop(t)
		fresh := testkit.SignHS(sha256.New, newSecret, testkit.DRFHeader, good)
		for _, c := range []bbCase{
			{name: "row 71 token of the current key", req: withJWT(fresh), status: 200, body: `{"user_id":1,"username":"admin"}`},
			{name: "row 71 token of the retired key", req: withJWT(valid), status: 200, body: `{"user_id":1,"username":"admin"}`},
			{name: "row 71 retired key, kid naming no key", req: withJWT(hs256(`{"typ":"JWT","alg":"HS256","kid":"../../etc/passwd"}`, good)), status: 200, body: `{"user_id":1,"username":"admin"}`},
			{name: "row 71 a key never configured", req: withJWT(attacker(testkit.DRFHeader)), status: 401, body: detail(msgDecoding)},
			{name: "row 71 kid not a string", req: withJWT(testkit.SignHS(sha256.New, newSecret, `{"typ":"JWT","alg":"HS256","kid":7}`, good)), status: 401, body: detail("Incorrect authentication credentials.")},
			{name: "row 71 refresh of a retired key's token: a new one of the current key", req: postJSON(refreshPath, tokenJSON(valid)), status: 200, body: `{"token":"`, prefix: true,
				more: func(t *testing.T, a answer) {
					var out struct{ Token string }
					_ = json.Unmarshal([]byte(a.body), &out)
					dot := max(strings.LastIndexByte(out.Token, '.'), 0)
					if out.Token[dot:] != "."+base64.RawURLEncoding.EncodeToString(testkit.MAC(sha256.New, newSecret, out.Token[:dot])) {
						t.Errorf("the refreshed token is not signed with the current key: %s", out.Token)
					}
				}},
			{name: "row 51 first wrong password", req: postJSON(obtainPath, login("wrong-password")), status: 400, body: nonField(msgUnable)},
			{name: "row 51 second wrong password", req: postJSON(obtainPath, login("wrong-password")), status: 400, body: nonField(msgUnable)},
			{name: "row 51 third attempt throttled", req: postJSON(obtainPath, login("wrong-password")), status: 429, body: throttledPrefix, prefix: true, more: throttledWait},
			{name: "row 51 the right password, throttled too", req: postJSON(obtainPath, login(bbAdminPW)), status: 429, body: throttledPrefix, prefix: true, more: throttledWait},
			{name: "row 51 throttled over HTTP Basic too", req: get("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("admin:"+bbAdminPW))), status: 429, body: throttledPrefix, prefix: true, more: throttledWait},
			{name: "row 51 another username is not", req: postJSON(obtainPath, loginJSON("ghost", "x")), status: 400, body: nonField(msgUnable)},
		} {
			t.Run(c.name, func(t *testing.T) {
				c.srv = srv
				c.run(t)
			})
		}
	})

	if n := jwks.accepted.Load(); n != 0 {
		t.Errorf("row 11: the server connected %d times to the listener a token pointed at", n)
	}

	// Row 79, from outside: after every row, the servers' logs show no
	// credential, and each shuts down cleanly on SIGTERM.
	var sent []string
	for _, c := range cases {
		sent = append(sent, credentialsIn(c.req)...)
	}
	for _, s := range []*basicServer{main, claimsSrv, cookie} {
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
