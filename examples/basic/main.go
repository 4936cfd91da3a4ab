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
// (default 127.0.0.1:8000), -users FILE, and -db DSN to serve the users and
// DRF tokens of a Django project's database instead, read-only:
//
//	go run ./examples/basic -db sqlite:/path/to/django/db.sqlite3
//	go run ./examples/basic -db postgres://USER:PASSWORD@HOST/NAME
//	curl 127.0.0.1:8000/api/protected/ -H "Authorization: Token $DRF_TOKEN_KEY"
package main

import (
	"net/http"

	"github.com/jwtauth-go/jwtauth"
	"github.com/jwtauth-go/jwtauth/internal/demo"
	"github.com/jwtauth-go/jwtauth/internal/drf"
)

func main() {
	srv := demo.Setup("127.0.0.1:8000") // -addr, -users or -db, JWT_* settings
	a, err := newAuth(srv)
	if err != nil {
		demo.Fail(err) // names the setting at fault, never shows a secret
	}
	srv.Serve(routes(a))
}

// newAuth authenticates with seed 000's DEFAULT_AUTHENTICATION_CLASSES:
// JSON Web Token first (always), then, with -db, DRF's Token
// authentication for the tokens the Django project handed out, then HTTP
// Basic for clients that send "Authorization: Basic ...".
func newAuth(srv *demo.Server) (*jwtauth.Auth, error) {
	settings := srv.Settings
	settings.Authenticators = nil
	if srv.Token != nil {
		settings.Authenticators = append(settings.Authenticators, srv.Token)
	}
	settings.Authenticators = append(settings.Authenticators, jwtauth.BasicAuthentication(srv.Store))
	return jwtauth.New(settings, srv.Store)
}

// routes maps DRF-JWT's URLs to a's handlers. The patterns have no method:
// the handlers answer other methods with DRF's 405 themselves. A pattern
// ending in "/" also matches longer paths, as Django's unanchored
// r'^api-token-auth/' does.
func routes(a *jwtauth.Auth) http.Handler {
	mux := http.NewServeMux()
	h := a.Handlers()

	// DRF-JWT's documented URLs.
	mux.Handle("/api-token-auth/", h.Obtain)
	mux.Handle("/api-token-refresh/", h.Refresh)
	mux.Handle("/api-token-verify/", h.Verify)

	// The names seed 000 uses: in its urls.py, and /jwt-auth/ in its curl call.
	mux.Handle("/auth-jwt/", h.Obtain)
	mux.Handle("/auth-jwt-refresh/", h.Refresh)
	mux.Handle("/auth-jwt-verify/", h.Verify)
	mux.Handle("/jwt-auth/", h.Obtain)

	// DRF's IsAuthenticated: a.Required answers 401 (with the
	// WWW-Authenticate challenge) before protected runs. "{$}" matches the
	// path exactly; /api/protected is redirected here, as Django does.
	mux.Handle("/api/protected/{$}", demo.View("GET, HEAD, OPTIONS")(a.Required(http.HandlerFunc(protected))))
	return mux
}

// protected answers the authenticated user, as the tutorial's view does:
// {"user_id": 1, "username": "admin"}.
func protected(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodOptions:
		drf.WriteJSON(w, http.StatusOK, demo.Metadata("Protected"))
		return
	default:
		// After authentication, as in DRF: an anonymous POST is a 401.
		demo.MethodNotAllowed(w, r)
		return
	}
	u, _ := jwtauth.UserFromContext(r.Context()) // a.Required guarantees a user
	drf.WriteJSON(w, http.StatusOK, struct {
		UserID   drf.PK `json:"user_id"` // 1, as Django writes an integer key
		Username string `json:"username"`
	}{drf.PK(u.ID), u.Username})
}
