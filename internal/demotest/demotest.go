// Package demotest is what the example servers' tests share: an HTTP
// client, and the checks of the code each example carries a copy of, so
// that a user can copy one example alone (the users file, the settings
// fallback, the access log, serving and shutting down, the -db DSN), run
// against either copy.
package demotest

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jwtauth-go/jwtauth"
	"github.com/jwtauth-go/jwtauth/internal/testkit"
)

// Answer is a response, read whole.
type Answer struct {
	Status int
	Header http.Header
	Body   string
}

// Do sends a request with header name/value pairs; a non-empty body is
// JSON unless a Content-Type pair says otherwise. Redirects are not
// followed, so that a test sees them.
func Do(t testing.TB, method, url, body string, header ...string) Answer {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return Answer{resp.StatusCode, resp.Header, string(b)}
}

// WriteFile writes content to a file in the test's temporary directory
// and returns its path.
func WriteFile(t testing.TB, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// LoadUsers is an example's users file loader, seen through its store and,
// when the example keeps one, its list of users (nil otherwise).
type LoadUsers func(path string, warn io.Writer) (store jwtauth.UserStore, users []jwtauth.User, err error)

// TestUsersFile checks an example's users file loader: the demo user and
// its one-line warning, the users of a file (ids as numbers or strings,
// is_active defaulting to true, users without a password, other members
// ignored), and the errors of bad files, which never show a password.
func TestUsersFile(t *testing.T, load LoadUsers) {
	ctx := context.Background()
	t.Run("demo", func(t *testing.T) {
		var warn bytes.Buffer
		store, users, err := load("", &warn)
		if err != nil {
			t.Fatal(err)
		}
		want := jwtauth.User{ID: "1", Username: "admin", Email: "admin@example.com", IsActive: true}
		if users != nil && (len(users) != 1 || hashless(users[0]) != want) {
			t.Errorf("users = %+v, want [%+v]", users, want)
		}
		if u, err := store.Authenticate(ctx, "admin", "admin"); err != nil || hashless(u) != want {
			t.Errorf("Authenticate(admin, admin) = %+v, %v", u, err)
		}
		out := warn.String()
		if strings.Count(out, "\n") != 1 || !strings.Contains(out, "demo") {
			t.Errorf("warning = %q, want one line saying it is a demo user", out)
		}
		if strings.Contains(out, `password "admin"`) || strings.Contains(out, "admin/admin") {
			t.Errorf("warning shows the password: %q", out)
		}
	})
	t.Run("file", func(t *testing.T) {
		path := WriteFile(t, "users.json", `[
			{"id": 1, "username": "admin", "password": "pw-admin", "email": "admin@example.com", "is_active": true, "other": "ignored"},
			{"id": "7f3c", "username": "uuid", "password": "pw-uuid"},
			{"id": 3, "username": "off", "password": "pw-off", "is_active": false},
			{"id": 4, "username": "nopw"}
		]`)
		var warn bytes.Buffer
		store, users, err := load(path, &warn)
		if err != nil {
			t.Fatal(err)
		}
		if warn.Len() != 0 {
			t.Errorf("unexpected warning %q", warn.String())
		}
		want := []jwtauth.User{
			{ID: "1", Username: "admin", Email: "admin@example.com", IsActive: true},
			{ID: "7f3c", Username: "uuid", IsActive: true},
			{ID: "3", Username: "off", IsActive: false},
			{ID: "4", Username: "nopw", IsActive: true},
		}
		if users != nil && len(users) != len(want) {
			t.Fatalf("users = %+v", users)
		}
		for i := range want {
			if users != nil && hashless(users[i]) != want[i] {
				t.Errorf("users[%d] = %+v, want %+v", i, users[i], want[i])
			}
			if u, err := store.UserByUsername(ctx, want[i].Username); err != nil || hashless(u) != want[i] {
				t.Errorf("UserByUsername(%s) = %+v, %v; want %+v", want[i].Username, u, err, want[i])
			}
		}
		if _, err := store.Authenticate(ctx, "uuid", "pw-uuid"); err != nil {
			t.Errorf("uuid cannot log in: %v", err)
		}
		if _, err := store.Authenticate(ctx, "off", "pw-off"); !errors.Is(err, jwtauth.ErrInvalidCredentials) {
			t.Errorf("inactive user: err = %v, want ErrInvalidCredentials", err)
		}
		if _, err := store.Authenticate(ctx, "nopw", ""); !errors.Is(err, jwtauth.ErrInvalidCredentials) {
			t.Errorf("user without password: err = %v, want ErrInvalidCredentials", err)
		}
	})
	t.Run("errors", func(t *testing.T) {
		for _, tc := range []struct{ name, content, want string }{
			{"not json", `[{`, "users file"},
			{"empty", `[]`, "no users"},
			{"no id", `[{"username": "a"}]`, "id must be"},
			{"float id", `[{"id": 1.5, "username": "a"}]`, "id must be"},
			{"bool id", `[{"id": true, "username": "a"}]`, "id must be"},
			{"empty id", `[{"id": "", "username": "a"}]`, "id is an empty"},
			{"no username", `[{"id": 1, "password": "secret-pw"}]`, "no username"},
			{"duplicate username", `[{"id": 1, "username": "a"}, {"id": 2, "username": "a"}]`, "appears twice"},
			{"duplicate id", `[{"id": 1, "username": "a"}, {"id": "1", "username": "b"}]`, "appears twice"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, _, err := load(WriteFile(t, "users.json", tc.content), io.Discard)
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("err = %v, want it to contain %q", err, tc.want)
				}
				if strings.Contains(err.Error(), "secret-pw") || strings.Contains(err.Error(), "ppppp") {
					t.Errorf("error shows a password: %v", err)
				}
			})
		}
		if _, _, err := load(filepath.Join(t.TempDir(), "missing.json"), io.Discard); err == nil {
			t.Error("missing file: no error")
		}
	})
}

// Env is a lookup function over m, as os.LookupEnv is over the
// environment.
func Env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// Settings is an example's settingsFromEnv.
type Settings func(lookup func(string) (string, bool), warn io.Writer) (jwtauth.Settings, error)

// TestSettings checks an example's settings: those of the environment,
// errors naming the variable, and without JWT_SECRET_KEY a random 48-byte
// secret with a one-line warning that does not show it.
func TestSettings(t *testing.T, settings Settings) {
	t.Run("random secret", func(t *testing.T) {
		var warn bytes.Buffer
		s, err := settings(Env(nil), &warn)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := base64.RawURLEncoding.DecodeString(string(s.Keys.Secret))
		if err != nil || len(raw) != 48 {
			t.Errorf("secret is not 48 bytes of base64url: %d bytes, %v", len(raw), err)
		}
		if out := warn.String(); strings.Count(out, "\n") != 1 || !strings.Contains(out, "restart") {
			t.Errorf("warning = %q, want one line saying tokens won't survive a restart", out)
		}
		if strings.Contains(warn.String(), string(s.Keys.Secret)) {
			t.Error("the warning shows the secret")
		}
		if _, err := jwtauth.New(s, &jwtauth.MemoryStore{}); err != nil {
			t.Errorf("New refuses the random secret: %v", err)
		}
		s2, _ := settings(Env(nil), io.Discard)
		if s2.Keys.Secret == s.Keys.Secret {
			t.Error("two runs got the same secret")
		}
	})
	t.Run("from the environment", func(t *testing.T) {
		var warn bytes.Buffer
		secret := "a-fixed-secret-that-is-long-enough-0123456789"
		s, err := settings(Env(map[string]string{"JWT_SECRET_KEY": secret, "JWT_AUTH_HEADER_PREFIX": "Bearer"}), &warn)
		if err != nil {
			t.Fatal(err)
		}
		if string(s.Keys.Secret) != secret || s.AuthHeaderPrefix != "Bearer" {
			t.Errorf("settings = %v", s)
		}
		if warn.Len() != 0 {
			t.Errorf("unexpected warning %q", warn.String())
		}
		_, err = settings(Env(map[string]string{"JWT_EXPIRATION_DELTA": "soon"}), io.Discard)
		if err == nil || !strings.Contains(err.Error(), "JWT_EXPIRATION_DELTA") {
			t.Errorf("err = %v, want it to name JWT_EXPIRATION_DELTA", err)
		}
	})
}

// TestAccessLog checks an example's access log: one line per request with
// method, path, status (500 for a panic before any answer) and duration,
// and never a query, header, cookie or body.
func TestAccessLog(t *testing.T, accessLog func(*slog.Logger, http.Handler) http.Handler) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, nil))
	h := accessLog(logger, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		switch r.URL.Path {
		case "/teapot":
			w.WriteHeader(http.StatusTeapot)
		case "/implicit":
			_, _ = w.Write([]byte("ok"))
		case "/panic":
			panic(http.ErrAbortHandler)
		}
	}))
	req := httptest.NewRequest("POST", "/teapot?token=query-secret", strings.NewReader(`{"password":"body-secret"}`))
	req.Header.Set("Authorization", "JWT header-secret")
	req.Header.Set("Cookie", "jwt=cookie-secret")
	h.ServeHTTP(httptest.NewRecorder(), req)
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/implicit", nil))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("HEAD", "/empty", nil))
	func() {
		defer func() { _ = recover() }()
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/panic", nil))
	}()

	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 4 {
		t.Fatalf("want 4 lines, got %q", buf.String())
	}
	for i, want := range []string{
		"method=POST path=/teapot status=418 duration=",
		"method=GET path=/implicit status=200 duration=",
		"method=HEAD path=/empty status=200 duration=",
		"method=GET path=/panic status=500 duration=",
	} {
		if !strings.Contains(lines[i], want) {
			t.Errorf("line %d = %q, want it to contain %q", i, lines[i], want)
		}
	}
	if strings.Contains(buf.String(), "secret") {
		t.Errorf("the log shows a secret: %q", buf.String())
	}
}

// Serving is how an example serves: its http.Server for a handler, serve
// on a listener until ctx is done, and listenAndServe on an address.
type Serving struct {
	NewServer      func(http.Handler) *http.Server
	Serve          func(ctx context.Context, srv *http.Server, ln net.Listener, out io.Writer) error
	ListenAndServe func(ctx context.Context, srv *http.Server, addr string, out io.Writer) error
}

// TestServing checks an example's server: no timeout of net/http's that
// waits forever and a header cap of at most 1 MiB (security checklist
// row 37); the "listening on" line and a clean shutdown; an error for an
// address it cannot listen on; and, with the limits shortened so the test
// need not wait for the real ones (checklist row 77), slow or idle clients
// hung up on by the server itself.
func TestServing(t *testing.T, s Serving) {
	t.Run("limits", func(t *testing.T) {
		srv := s.NewServer(http.NotFoundHandler())
		for name, d := range map[string]time.Duration{
			"ReadHeaderTimeout": srv.ReadHeaderTimeout,
			"ReadTimeout":       srv.ReadTimeout,
			"WriteTimeout":      srv.WriteTimeout,
			"IdleTimeout":       srv.IdleTimeout,
		} {
			if d <= 0 {
				t.Errorf("%s = %v: a client could hold a connection forever", name, d)
			}
		}
		if srv.ReadHeaderTimeout > srv.ReadTimeout {
			t.Errorf("ReadHeaderTimeout %v > ReadTimeout %v", srv.ReadHeaderTimeout, srv.ReadTimeout)
		}
		if srv.MaxHeaderBytes <= 0 || srv.MaxHeaderBytes > 1<<20 {
			t.Errorf("MaxHeaderBytes = %d, want 1..1 MiB", srv.MaxHeaderBytes)
		}
	})
	t.Run("shutdown", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var out testkit.Buffer // serve writes it on its goroutine
		done := make(chan error, 1)
		srv := s.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte("hello"))
		}))
		go func() { done <- s.Serve(ctx, srv, ln, &out) }()
		resp, err := http.Get("http://" + ln.Addr().String() + "/")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if string(body) != "hello" {
			t.Errorf("body = %q", body)
		}
		if !strings.Contains(out.String(), "listening on http://"+ln.Addr().String()) {
			t.Errorf("output = %q, want the listening address", out.String())
		}
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve = %v, want nil after a clean shutdown", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("serve did not return after the context was cancelled")
		}
		if !strings.HasSuffix(out.String(), "shutting down\n") {
			t.Errorf("output = %q, want it to end with the shutdown", out.String())
		}
	})
	t.Run("listen error", func(t *testing.T) {
		if err := s.ListenAndServe(context.Background(), s.NewServer(http.NotFoundHandler()), "127.0.0.1:-1", io.Discard); err == nil {
			t.Error("listenAndServe with a bad address: no error")
		}
	})
	t.Run("slow clients", func(t *testing.T) { slowClients(t, s) })
}

func slowClients(t *testing.T, s Serving) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	srv := s.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.ReadAll(r.Body); err != nil {
			w.WriteHeader(http.StatusRequestTimeout)
			return
		}
		_, _ = io.WriteString(w, "ok")
	}))
	srv.ReadHeaderTimeout, srv.ReadTimeout, srv.WriteTimeout, srv.IdleTimeout = 200*time.Millisecond, 400*time.Millisecond, 2*time.Second, 300*time.Millisecond
	go func() { done <- s.Serve(ctx, srv, ln, io.Discard) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})

	for _, tc := range []struct {
		name string
		send string
		// answer is the start of what the server sends before hanging up.
		// "" is for a request whose header never arrived: the handler
		// never runs, so nothing, or at most net/http's own 4xx (it
		// answers 400 to a request line cut short).
		answer string
	}{
		{"connects and sends nothing", "", ""},
		{"half a request line", "GET /api/prot", ""},
		{"partial header line", "GET / HTTP/1.1\r\nHost: x\r\nAuthorization: JWT eyJ", ""},
		{"header complete but for the blank line", "GET / HTTP/1.1\r\nHost: x\r\n", ""},
		// The header arrived, so the handler runs and its body read fails
		// at the read timeout.
		{"body promised, never sent", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"user", "HTTP/1.1 408"},
		// A prompt request is answered; the connection then idles.
		{"idle after an answer", "GET / HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 200"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			conn, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = conn.Close() }()
			if _, err := io.WriteString(conn, tc.send); err != nil {
				t.Fatal(err)
			}
			// A generous bound: the server's own limit is under half a second.
			_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
			got, err := io.ReadAll(conn)
			var ne net.Error
			switch {
			case errors.As(err, &ne) && ne.Timeout():
				t.Fatalf("still connected after 10 s (got %q)", got)
			case err != nil && !errors.Is(err, syscall.ECONNRESET):
				t.Fatalf("read: %v", err)
			}
			want := tc.answer
			if want == "" && len(got) > 0 {
				want = "HTTP/1.1 4"
			}
			if !strings.HasPrefix(string(got), want) {
				t.Errorf("the server sent %q before hanging up, want %q...", got, want)
			}
		})
	}
}
