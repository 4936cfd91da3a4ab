// Package demotest is the HTTP client the example servers' tests share.
package demotest

import (
	"io"
	"net/http"
	"strings"
	"testing"
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
