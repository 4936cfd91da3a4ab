// Package demotest is what the example servers' tests share: an HTTP
// client, and an example server over a database Django made.
package demotest

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/jwtauth-go/jwtauth/internal/demo"
	"github.com/jwtauth-go/jwtauth/internal/djangotest"
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

// DjangoServer is the demo.Server an example's main makes with
// -db sqlite:PATH over dj, a database Django made, with secret as
// JWT_SECRET_KEY and every other setting at its default. It is closed when
// the test ends.
func DjangoServer(t testing.TB, dj *djangotest.Database, secret string) *demo.Server {
	t.Helper()
	lookup := func(name string) (string, bool) {
		if name == "JWT_SECRET_KEY" {
			return secret, true
		}
		return "", false
	}
	srv, err := demo.NewServer(context.Background(), demo.Flags{DB: "sqlite:" + dj.Path}, lookup, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}
