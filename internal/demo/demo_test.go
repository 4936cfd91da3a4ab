package demo

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
	"sync"
	"testing"
	"time"

	"github.com/jwtauth-go/jwtauth"
	"github.com/jwtauth-go/jwtauth/passwords"
)

func init() { passwordPolicy = passwords.Policy{PBKDF2Iterations: 1} }

func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "users.json")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadUsersDemo(t *testing.T) {
	var warn bytes.Buffer
	store, users, err := LoadUsers("", &warn)
	if err != nil {
		t.Fatal(err)
	}
	want := jwtauth.User{ID: "1", Username: "admin", Email: "admin@example.com", IsActive: true}
	if len(users) != 1 || users[0] != want {
		t.Errorf("users = %+v, want [%+v]", users, want)
	}
	if u, err := store.Authenticate(context.Background(), "admin", "admin"); err != nil || u != want {
		t.Errorf("Authenticate(admin, admin) = %+v, %v", u, err)
	}
	out := warn.String()
	if strings.Count(out, "\n") != 1 || !strings.Contains(out, "demo") {
		t.Errorf("warning = %q, want one line saying it is a demo user", out)
	}
	if strings.Contains(out, `password "admin"`) || strings.Contains(out, "admin/admin") {
		t.Errorf("warning shows the password: %q", out)
	}
}

func TestLoadUsersFile(t *testing.T) {
	path := writeFile(t, `[
		{"id": 1, "username": "admin", "password": "pw-admin", "email": "admin@example.com", "is_active": true, "token": "ignored"},
		{"id": "7f3c", "username": "uuid", "password": "pw-uuid"},
		{"id": 3, "username": "off", "password": "pw-off", "is_active": false},
		{"id": 4, "username": "nopw"}
	]`)
	var warn bytes.Buffer
	store, users, err := LoadUsers(path, &warn)
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
	if len(users) != len(want) {
		t.Fatalf("users = %+v", users)
	}
	for i := range want {
		if users[i] != want[i] {
			t.Errorf("users[%d] = %+v, want %+v", i, users[i], want[i])
		}
	}
	ctx := context.Background()
	if _, err := store.Authenticate(ctx, "uuid", "pw-uuid"); err != nil {
		t.Errorf("uuid cannot log in: %v", err)
	}
	if _, err := store.Authenticate(ctx, "off", "pw-off"); !errors.Is(err, jwtauth.ErrInvalidCredentials) {
		t.Errorf("inactive user: err = %v, want ErrInvalidCredentials", err)
	}
	if _, err := store.Authenticate(ctx, "nopw", ""); !errors.Is(err, jwtauth.ErrInvalidCredentials) {
		t.Errorf("user without password: err = %v, want ErrInvalidCredentials", err)
	}
}

func TestLoadUsersErrors(t *testing.T) {
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
			_, _, err := LoadUsers(writeFile(t, tc.content), io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "secret-pw") || strings.Contains(err.Error(), "ppppp") {
				t.Errorf("error shows a password: %v", err)
			}
		})
	}
	if _, _, err := LoadUsers(filepath.Join(t.TempDir(), "missing.json"), io.Discard); err == nil {
		t.Error("missing file: no error")
	}
}

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestSettingsRandomSecret(t *testing.T) {
	var warn bytes.Buffer
	s, err := Settings(env(nil), &warn)
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
	s2, _ := Settings(env(nil), io.Discard)
	if s2.Keys.Secret == s.Keys.Secret {
		t.Error("two runs got the same secret")
	}
}

func TestSettingsFromEnv(t *testing.T) {
	var warn bytes.Buffer
	secret := "a-fixed-secret-that-is-long-enough-0123456789"
	s, err := Settings(env(map[string]string{"JWT_SECRET_KEY": secret, "JWT_AUTH_HEADER_PREFIX": "Bearer"}), &warn)
	if err != nil {
		t.Fatal(err)
	}
	if string(s.Keys.Secret) != secret || s.AuthHeaderPrefix != "Bearer" {
		t.Errorf("settings = %v", s)
	}
	if warn.Len() != 0 {
		t.Errorf("unexpected warning %q", warn.String())
	}
	_, err = Settings(env(map[string]string{"JWT_EXPIRATION_DELTA": "soon"}), io.Discard)
	if err == nil || !strings.Contains(err.Error(), "JWT_EXPIRATION_DELTA") {
		t.Errorf("err = %v, want it to name JWT_EXPIRATION_DELTA", err)
	}
}

func TestAccessLog(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, nil))
	h := AccessLog(logger)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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

func TestServeShutsDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte("hello"))
		}), &out, serverLimits)
	}()
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
}

func TestRunListenError(t *testing.T) {
	if err := Run(context.Background(), "127.0.0.1:-1", http.NotFoundHandler()); err == nil {
		t.Error("Run with a bad address: no error")
	}
}

// syncBuffer is a bytes.Buffer safe for concurrent use.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
