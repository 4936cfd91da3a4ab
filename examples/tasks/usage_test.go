package main

import (
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/jwtauth-go/jwtauth/internal/demotest"
)

// endpoints are what the server serves: each method and path -h must
// list, and a path that asks it.
var endpoints = []demotest.Endpoint{
	{Method: "POST", Path: "/api-auth/"},
	{Method: "GET", Path: "/tasks/"},
	{Method: "POST", Path: "/tasks/"},
	{Method: "GET", Path: "/tasks/{id}/", Example: "/tasks/1/"},
	{Method: "PUT", Path: "/tasks/{id}/", Example: "/tasks/1/"},
	{Method: "PATCH", Path: "/tasks/{id}/", Example: "/tasks/1/"},
	{Method: "DELETE", Path: "/tasks/{id}/", Example: "/tasks/1/"},
	{Method: "GET", Path: "/users/"},
	{Method: "POST", Path: "/users/"},
	{Method: "GET", Path: "/users/{id}/", Example: "/users/1/"},
}

// TestUsage: -h lists every endpoint, every variable FromEnv reads, and
// every flag; and each endpoint listed is served.
func TestUsage(t *testing.T) {
	var o options
	demotest.CheckUsage(t, newFlagSet(&o), "../../env.go", endpoints)

	srv := newTestServer(t, testUsers)
	jwt := authHeader(t, srv, "admin")
	for _, e := range endpoints {
		path := e.Path
		if e.Example != "" {
			path = e.Example
		}
		if a := demotest.Do(t, e.Method, srv.URL+path, `{}`, "Authorization", jwt); a.Status == 404 || a.Status == 405 {
			t.Errorf("%s %s: %d %s", e.Method, path, a.Status, a.Body)
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
	var o options
	demotest.CheckHelpFlag(t, bin, "tasks", newFlagSet(&o))
}
