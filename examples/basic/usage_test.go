package main

import (
	"testing"

	"github.com/jwtauth-go/jwtauth/internal/demotest"
)

// endpoints are what the server serves: each method and path -h must list.
var endpoints = []demotest.Endpoint{
	{Method: "POST", Path: "/api-token-auth/"},
	{Method: "POST", Path: "/api-token-refresh/"},
	{Method: "POST", Path: "/api-token-verify/"},
	{Method: "POST", Path: "/auth-jwt/"},
	{Method: "POST", Path: "/jwt-auth/"},
	{Method: "POST", Path: "/auth-jwt-refresh/"},
	{Method: "POST", Path: "/auth-jwt-verify/"},
	{Method: "GET", Path: "/api/protected/"},
}

// TestUsage: -h lists every endpoint, every variable FromEnv reads, and
// every flag; and each endpoint listed is served.
func TestUsage(t *testing.T) {
	var o options
	demotest.CheckUsage(t, newFlagSet(&o), "../../env.go", endpoints)

	srv := newTestServer(t)
	for _, e := range endpoints {
		if a := demotest.Do(t, e.Method, srv.URL+e.Path, `{}`); a.Status == 404 || a.Status == 405 {
			t.Errorf("%s %s: %d %s", e.Method, e.Path, a.Status, a.Body)
		}
	}
}

// TestHelpFlag: the binary's -h prints the usage and exits with status 0.
func TestHelpFlag(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	var o options
	demotest.CheckHelpFlag(t, buildBasic(t), "basic", newFlagSet(&o))
}
