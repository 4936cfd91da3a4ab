package main

import (
	"bytes"
	"flag"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/jwtauth-go/jwtauth/internal/demotest"
)

// endpoints are what the server serves: each method and path -h must
// list, and a path that asks it.
var endpoints = []struct{ method, path, example string }{
	{"POST", "/api-auth/", "/api-auth/"},
	{"GET", "/tasks/", "/tasks/"},
	{"POST", "/tasks/", "/tasks/"},
	{"GET", "/tasks/{id}/", "/tasks/1/"},
	{"PUT", "/tasks/{id}/", "/tasks/1/"},
	{"PATCH", "/tasks/{id}/", "/tasks/1/"},
	{"DELETE", "/tasks/{id}/", "/tasks/1/"},
	{"GET", "/users/", "/users/"},
	{"POST", "/users/", "/users/"},
	{"GET", "/users/{id}/", "/users/1/"},
}

// TestUsage: -h lists every endpoint, every variable FromEnv reads, and
// every flag; and each endpoint listed is served.
func TestUsage(t *testing.T) {
	var o options
	fs := newFlagSet(&o)
	var buf bytes.Buffer
	fs.SetOutput(&buf)
	fs.Usage()
	text := buf.String()
	demotest.CheckUsage(t, text, "../../env.go")
	for _, e := range endpoints {
		if !regexp.MustCompile(`(?m)^  ` + e.method + ` +` + regexp.QuoteMeta(e.path) + ` `).MatchString(text) {
			t.Errorf("-h does not list %s %s:\n%s", e.method, e.path, text)
		}
	}
	fs.VisitAll(func(f *flag.Flag) {
		if !strings.Contains(text, "  -"+f.Name+" ") {
			t.Errorf("-h does not list -%s", f.Name)
		}
	})

	srv := newTestServer(t, testUsers)
	jwt := authHeader(t, srv, "admin")
	for _, e := range endpoints {
		if a := demotest.Do(t, e.method, srv.URL+e.example, `{}`, "Authorization", jwt); a.Status == 404 || a.Status == 405 {
			t.Errorf("%s %s: %d %s", e.method, e.example, a.Status, a.Body)
		}
	}
}

// TestHelpFlag: the binary's -h prints the usage and exits with status 0.
func TestHelpFlag(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "tasks")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "-h")
	cmd.Env = []string{}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("-h: %v\n%s", err, out)
	}
	var o options
	fs := newFlagSet(&o)
	var want bytes.Buffer
	fs.SetOutput(&want)
	fs.Usage()
	if got := strings.Replace(string(out), "Usage: tasks ", "Usage: "+fs.Name()+" ", 1); got != want.String() {
		t.Errorf("-h printed:\n%s\nwant:\n%s", out, want.String())
	}
}
