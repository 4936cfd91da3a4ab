package demo

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestServerLimits: the example servers never run with one of net/http's
// unlimited defaults (a zero timeout waits forever), and their header cap
// stays at or below the 1 MiB the security checklist asks for (row 37).
func TestServerLimits(t *testing.T) {
	srv := newHTTPServer(http.NotFoundHandler(), serverLimits)
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
}

// TestSlowClientsAreDisconnected (checklist row 77): a client that sends
// part of a request and stalls, or stays idle after an answer, is hung up
// on by the server itself. The limits are shortened so the test does not
// wait for the real ones; what is tested is that serve applies them.
func TestSlowClientsAreDisconnected(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	short := limits{readHeader: 200 * time.Millisecond, read: 400 * time.Millisecond, write: 2 * time.Second, idle: 300 * time.Millisecond, maxHeaderBytes: 1 << 20}
	go func() {
		done <- serve(ctx, ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if _, err := io.ReadAll(r.Body); err != nil {
				w.WriteHeader(http.StatusRequestTimeout)
				return
			}
			_, _ = io.WriteString(w, "ok")
		}), io.Discard, short)
	}()
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
