// Command basic is jwtauth with net/http's ServeMux: djangorestframework-jwt's
// obtain, refresh and verify endpoints, and one protected endpoint, as in
// the tutorial of seeds/000 (JWT, then HTTP Basic authentication).
//
//	go run ./examples/basic                       # http://127.0.0.1:8000, user admin/admin
//	curl -X POST 127.0.0.1:8000/api-token-auth/ -H 'Content-Type: application/json' \
//	     -d '{"username": "admin", "password": "admin"}'
//	curl 127.0.0.1:8000/api/protected/ -H "Authorization: JWT $TOKEN"
//
// Settings come from DRF-JWT's environment variables (JWT_SECRET_KEY,
// JWT_AUTH_HEADER_PREFIX=Bearer, JWT_ALLOW_REFRESH=True, ...). Flags: -addr
// (default 127.0.0.1:8000) and -users FILE.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"

	"github.com/jwtauth-go/jwtauth"
	"github.com/jwtauth-go/jwtauth/internal/demo"
)

func main() {
	flags := demo.ParseFlags("127.0.0.1:8000")
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))

	store, _, err := demo.LoadUsers(flags.Users, os.Stderr)
	if err != nil {
		demo.Fail(err)
	}
	settings, err := demo.Settings(os.LookupEnv, os.Stderr)
	if err != nil {
		demo.Fail(err)
	}
	settings.Logger = logger
	// Seed 000's DEFAULT_AUTHENTICATION_CLASSES: JSON Web Token first (always),
	// then HTTP Basic for clients that send "Authorization: Basic ...".
	settings.Authenticators = []jwtauth.Authenticator{jwtauth.BasicAuthentication(store)}
	a, err := jwtauth.New(settings, store)
	if err != nil {
		demo.Fail(err)
	}

	handler := demo.AccessLog(logger)(routes(a))
	if err := demo.Run(context.Background(), flags.Addr, handler); err != nil {
		fmt.Fprintln(os.Stderr, "basic:", err)
		os.Exit(1)
	}
}

// routes maps DRF-JWT's URLs to a's handlers. The patterns have no method:
// the handlers answer other methods with DRF's 405 themselves. A pattern
// ending in "/" also matches longer paths, as Django's unanchored
// r'^api-token-auth/' does.
func routes(a *jwtauth.Auth) http.Handler {
	mux := http.NewServeMux()

	// DRF-JWT's documented URLs.
	mux.Handle("/api-token-auth/", a.ObtainHandler())
	mux.Handle("/api-token-refresh/", a.RefreshHandler())
	mux.Handle("/api-token-verify/", a.VerifyHandler())

	// The names seed 000 uses: in its urls.py, and /jwt-auth/ in its curl call.
	mux.Handle("/auth-jwt/", a.ObtainHandler())
	mux.Handle("/auth-jwt-refresh/", a.RefreshHandler())
	mux.Handle("/auth-jwt-verify/", a.VerifyHandler())
	mux.Handle("/jwt-auth/", a.ObtainHandler())

	// DRF's IsAuthenticated: a.Required answers 401 (with the
	// WWW-Authenticate challenge) before protected runs. "{$}" matches the
	// path exactly; /api/protected is redirected here, as Django does.
	mux.Handle("/api/protected/{$}", drfView("GET, HEAD, OPTIONS", a.Required(http.HandlerFunc(protected))))
	return mux
}

// protected answers the authenticated user, as the tutorial's view does:
// {"user_id": 1, "username": "admin"}.
func protected(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodOptions:
		writeJSON(w, http.StatusOK, metadata("Protected"))
		return
	default:
		// After authentication, as in DRF: an anonymous POST is a 401.
		writeJSON(w, http.StatusMethodNotAllowed, detail{fmt.Sprintf("Method %q not allowed.", r.Method)})
		return
	}
	u, _ := jwtauth.UserFromContext(r.Context()) // a.Required guarantees a user
	writeJSON(w, http.StatusOK, struct {
		UserID   pk     `json:"user_id"`
		Username string `json:"username"`
	}{pk(u.ID), u.Username})
}

// drfView sets the headers every answer of a DRF view carries, the 401s of
// the authentication middleware included: Allow lists the view's methods,
// and Vary: Accept because DRF negotiates the renderer.
func drfView(allow string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allow)
		w.Header().Set("Vary", "Accept")
		next.ServeHTTP(w, r)
	})
}
