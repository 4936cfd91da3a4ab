// Command basic is jwtauth with net/http's ServeMux: djangorestframework-jwt's
// obtain, refresh and verify endpoints, and one protected endpoint, as in
// the djangorestframework-jwt tutorial (JWT, then DRF Token, then HTTP
// Basic authentication).
//
//	go run ./examples/basic                       # http://127.0.0.1:8000, user admin/admin
//	curl -X POST 127.0.0.1:8000/api-token-auth/ -H 'Content-Type: application/json' \
//	     -d '{"username": "admin", "password": "admin"}'
//	curl 127.0.0.1:8000/api/protected/ -H "Authorization: JWT $TOKEN"
//	curl 127.0.0.1:8000/api/protected/ -H "Authorization: Token 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"
//
// POST /api-token-blacklist/ logs a token out (the drf-jwt fork's
// blacklist view): the token and every token refreshed from the same login
// are refused from then on, and a token refreshed twice revokes its login.
// With JWT_REDIS_URL the revocations and the login throttle's budgets are
// shared by every instance through Redis; without it, they are this
// process's.
//
// Settings come from DRF-JWT's environment variables (JWT_SECRET_KEY,
// JWT_AUTH_HEADER_PREFIX=Bearer, JWT_ALLOW_REFRESH=True, ...). Flags: -addr
// (default 127.0.0.1:8000), -users FILE (users, and their DRF token keys),
// and -db DSN to serve the users and DRF tokens of a Django project's
// database instead, read-only:
//
//	go run ./examples/basic -db sqlite:/path/to/django/db.sqlite3
//	go run ./examples/basic -db postgres://USER:PASSWORD@HOST/NAME
//	curl 127.0.0.1:8000/api/protected/ -H "Authorization: Token $DRF_TOKEN_KEY"
//
// With JWT_DIALECT=simplejwt it is a djangorestframework-simplejwt peer
// instead: simplejwt's settings (SIMPLE_JWT_SIGNING_KEY, defaulting to
// DJANGO_SECRET_KEY; SIMPLE_JWT_ROTATE_REFRESH_TOKENS=True, ...), its URLs
// (/api/token/, /api/token/refresh/, /api/token/verify/,
// /api/token/blacklist/ and the sliding ones) and, with -db, the blacklist
// tables of the Django database, shared with the Django service:
//
//	JWT_DIALECT=simplejwt DJANGO_SECRET_KEY=... go run ./examples/basic -db sqlite:db.sqlite3
//	curl -X POST 127.0.0.1:8000/api/token/ -H 'Content-Type: application/json' \
//	     -d '{"username": "admin", "password": "admin"}'
//	curl 127.0.0.1:8000/api/protected/ -H "Authorization: Bearer $ACCESS"
//
// -user-table, -username-column and -user-id-column serve a custom
// AUTH_USER_MODEL's table. With -db and DJANGO_SECRET_KEY, the Django site's
// own logins authenticate too: its sessionid cookie, with DRF's CSRF rules
// (package session), between JWT and Token in the chain.
//
// -h lists the environment variables, the endpoints and the flags.
package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/jwtauth-go/jwtauth"
	"github.com/jwtauth-go/jwtauth/drf"
	"github.com/jwtauth-go/jwtauth/redisstore"
	"github.com/jwtauth-go/jwtauth/revoke"
)

func main() {
	opts := parseFlags(os.Args[1:])
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	// The default logger too: redisstore's Revocations log through it
	// (RevocationsFromEnv takes no logger), and their records belong in
	// the same stream and format as the access log's, not in log's.
	slog.SetDefault(logger)

	// The settings: DRF-JWT's JWT_* environment variables.
	settings, err := settingsFromEnv(os.LookupEnv, os.Stderr)
	if err != nil {
		fail(err) // names the variable at fault, never shows a secret
	}
	settings.Logger = logger
	// JWT_REDIS_URL: every instance counts against one login budget.
	shared, err := redisstore.ThrottleFromEnv(os.LookupEnv)
	if err != nil {
		fail(err) // never shows the URL, which may hold a password
	} else if shared != nil {
		settings.LoginThrottle = shared
		defer shared.Close()
	}
	// Logout and refresh-token families: revocations held in this
	// process, or, with JWT_REDIS_URL, shared by every instance.
	revocations, err := redisstore.RevocationsFromEnv(os.LookupEnv)
	switch {
	case err != nil:
		fail(err) // never shows the URL
	case revocations != nil:
		settings.Revocations = revocations
		defer revocations.Close()
	default:
		settings.Revocations = revoke.NewMemory(0)
	}

	// The users, and DRF's Token authentication for their keys: those of a
	// Django project's database (-db), or those of the users file (-users)
	// in memory.
	var (
		store      jwtauth.UserStore
		sessions   jwtauth.Authenticator // nil: no session login
		tokens     jwtauth.Authenticator // nil: no Token authentication
		closeStore = func() error { return nil }
	)
	if opts.db != "" {
		db, err := openDB(context.Background(), opts.db, dbOptions{
			usernameField: settings.UsernameField, table: opts.userTable, usernameColumn: opts.usernameColumn,
			idColumn: opts.userIDColumn, simple: settings.SimpleJWT,
		}, os.Stderr)
		if err != nil {
			fail(err) // never shows the DSN, which may hold a password
		}
		store, tokens, closeStore = db.store, db.tokens, db.Close
		if settings.SimpleJWT != nil {
			settings.SimpleJWT.Blacklist = db.blacklist
		}
		// The Django site's own logins: its sessionid cookie.
		if sessions, err = sessionLogin(context.Background(), os.LookupEnv, db, os.Stderr); err != nil {
			fail(err) // names the variable at fault, never shows a key
		}
	} else {
		users, err := loadUsers(opts.users, os.Stderr)
		if err != nil {
			fail(err) // names the file and the user, never a password
		}
		store, tokens = users.store, users.tokenAuthentication()
	}

	a, err := newAuth(settings, store, sessions, tokens)
	if err != nil {
		fail(err)
	}

	srv := newServer(accessLog(logger, routes(a, settings.SimpleJWT != nil)))
	err = listenAndServe(context.Background(), srv, opts.addr, os.Stderr)
	if cerr := closeStore(); err == nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", progName(), err)
		os.Exit(1)
	}
}

// newAuth authenticates with the tutorial's DEFAULT_AUTHENTICATION_CLASSES:
// JSON Web Token first (always, by jwtauth itself), then DRF's
// SessionAuthentication for the Django site's logins (with -db; none when
// sessions is nil), then DRF Token authentication for the keys the users
// were given (none when tokens is nil), then HTTP Basic for clients that
// send "Authorization: Basic ...". Every 401 carries the JWT challenge.
func newAuth(settings jwtauth.Settings, store jwtauth.UserStore, sessions, tokens jwtauth.Authenticator) (*jwtauth.Auth, error) {
	settings.Authenticators = nil
	if sessions != nil {
		settings.Authenticators = append(settings.Authenticators, sessions)
	}
	if tokens != nil {
		settings.Authenticators = append(settings.Authenticators, tokens)
	}
	settings.Authenticators = append(settings.Authenticators, jwtauth.BasicAuthentication(store))
	return jwtauth.New(settings, store)
}

// routes maps DRF-JWT's URLs to a's handlers, or simplejwt's with
// simple. The patterns have no method: the handlers answer other methods
// with DRF's 405 themselves. A DRF-JWT pattern ending in "/" also matches
// longer paths, as Django's unanchored r'^api-token-auth/' does;
// simplejwt's documented path('api/token/', ...) matches exactly.
func routes(a *jwtauth.Auth, simple bool) http.Handler {
	mux := http.NewServeMux()
	protected := drf.View("GET, HEAD, OPTIONS")(a.Required(http.HandlerFunc(protected)))
	if simple {
		h := a.Handlers()
		mux.Handle("/api/token/{$}", h.Obtain)
		mux.Handle("/api/token/refresh/{$}", h.Refresh)
		mux.Handle("/api/token/verify/{$}", h.Verify)
		mux.Handle("/api/token/blacklist/{$}", h.Blacklist)
		mux.Handle("/api/token/sliding/{$}", h.ObtainSliding)
		mux.Handle("/api/token/sliding/refresh/{$}", h.RefreshSliding)
		mux.Handle("/api/protected/{$}", protected)
		return mux
	}

	// DRF-JWT's documented URLs.
	mux.Handle("/api-token-auth/", a.Handlers().Obtain)
	mux.Handle("/api-token-refresh/", a.Handlers().Refresh)
	mux.Handle("/api-token-verify/", a.Handlers().Verify)
	// The drf-jwt fork's blacklist view, logout, when revocation is on.
	if h := a.Handlers().Blacklist; h != nil {
		mux.Handle("/api-token-blacklist/", h)
	}

	// The names the tutorial uses: in its urls.py, and /jwt-auth/ in its
	// curl call.
	mux.Handle("/auth-jwt/", a.Handlers().Obtain)
	mux.Handle("/auth-jwt-refresh/", a.Handlers().Refresh)
	mux.Handle("/auth-jwt-verify/", a.Handlers().Verify)
	mux.Handle("/jwt-auth/", a.Handlers().Obtain)

	// DRF's IsAuthenticated: a.Required answers 401 (with the
	// WWW-Authenticate challenge) before protected runs; drf.View, before
	// it, puts the view's Allow and Vary headers on every answer. "{$}"
	// matches the path exactly; /api/protected is redirected here, as
	// Django does.
	mux.Handle("/api/protected/{$}", protected)
	return mux
}

// protected answers the authenticated user, as the tutorial's view does:
// {"user_id": 1, "username": "admin"}.
func protected(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodOptions:
		drf.WriteJSON(w, http.StatusOK, drf.Metadata("Protected"))
		return
	default:
		// After authentication, as in DRF: an anonymous POST is a 401.
		drf.MethodNotAllowed(w, r)
		return
	}
	u, _ := jwtauth.UserFromContext(r.Context()) // a.Required guarantees a user
	drf.WriteJSON(w, http.StatusOK, struct {
		UserID   drf.PK `json:"user_id"` // 1, as Django writes an integer key
		Username string `json:"username"`
	}{drf.PK(u.ID), u.Username})
}

// settingsFromEnv returns the jwtauth settings of the environment, read by
// jwtauth.FromEnv through lookup (os.LookupEnv). When JWT_SECRET_KEY is
// unset and the algorithm is an HMAC one, it fills in a random secret (48
// bytes from crypto/rand) and writes one warning line to warn: tokens will
// not survive a restart, nor be accepted by another instance.
func settingsFromEnv(lookup func(string) (string, bool), warn io.Writer) (jwtauth.Settings, error) {
	s, err := jwtauth.FromEnv(lookup)
	if err != nil {
		return s, err
	}
	if s.Keys.Secret == "" && strings.HasPrefix(s.Algorithm, "HS") {
		b := make([]byte, 48)
		_, _ = rand.Read(b) // never fails (crypto/rand crashes the program instead)
		s.Keys.Secret = jwtauth.Secret(base64.RawURLEncoding.EncodeToString(b))
		name := "JWT_SECRET_KEY is"
		if s.SimpleJWT != nil {
			name = "neither SIMPLE_JWT_SIGNING_KEY nor DJANGO_SECRET_KEY is"
		}
		fmt.Fprintf(warn, "WARNING: %s set: using a random secret; tokens will not survive a restart\n", name)
	}
	return s, nil
}

// newServer is the http.Server of h, with limits generous for an API and
// short enough that slow or idle clients (slowloris) cannot hold
// connections forever: net/http's zero values wait forever.
func newServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,  // to send the request header
		ReadTimeout:       15 * time.Second, // to send the whole request
		WriteTimeout:      30 * time.Second, // to take the answer
		IdleTimeout:       2 * time.Minute,  // kept open between requests
		// net/http's default today, written out because the answer to an
		// oversized header (431 before any handler runs) must not depend
		// on a default that could change, or be raised by someone tuning
		// the server: at most 1 MiB of header is buffered per connection,
		// whatever the Authorization header holds.
		MaxHeaderBytes: 1 << 20,
	}
}

// shutdownTimeout is how long in-flight requests get to finish on SIGINT
// or SIGTERM.
const shutdownTimeout = 10 * time.Second

// listenAndServe serves srv on addr until ctx is done or the process gets
// SIGINT or SIGTERM (serve).
func listenAndServe(ctx context.Context, srv *http.Server, addr string, out io.Writer) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return serve(ctx, srv, ln, out)
}

// serve serves srv on ln until ctx is done or the process gets SIGINT or
// SIGTERM, then shuts down gracefully: in-flight requests get up to
// shutdownTimeout to finish. It writes "listening on http://ADDR" to out
// once the socket is open (with port 0, ADDR has the port chosen), and
// "shutting down" at the end. It returns nil after a clean shutdown.
func serve(ctx context.Context, srv *http.Server, ln net.Listener, out io.Writer) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	// Said before serving, not after: the socket is open, and a client
	// that reads this line must not be answered before it is written.
	fmt.Fprintf(out, "listening on http://%s\n", ln.Addr())
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	stop() // a second signal kills the process at once
	fmt.Fprintln(out, "shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// options are the command-line flags.
type options struct {
	addr  string // -addr: where to listen
	users string // -users: the users file; "" for the demo user
	db    string // -db: a Django database's DSN; "" for the users file
	// -user-table, -username-column, -user-id-column: a custom
	// AUTH_USER_MODEL's table and columns, with -db.
	userTable, usernameColumn, userIDColumn string
}

// parseFlags parses args. On a bad flag it prints the usage and exits with
// status 2; -h prints it and exits with status 0.
func parseFlags(args []string) options {
	var o options
	fs := newFlagSet(&o)
	_ = fs.Parse(args) // ExitOnError: Parse exits rather than return an error
	bad := func(format string, args ...any) {
		fmt.Fprintf(fs.Output(), format+"\n", args...)
		fs.Usage()
		os.Exit(2)
	}
	switch {
	case fs.NArg() > 0:
		bad("unexpected argument %q", fs.Arg(0))
	case o.users != "" && o.db != "":
		bad("-users and -db are exclusive: the users come from one or the other")
	case o.db == "" && (o.userTable != "" || o.usernameColumn != "" || o.userIDColumn != ""):
		bad("-user-table, -username-column and -user-id-column name the users' table of -db")
	}
	return o
}

// fail prints err, one line per joined error, and exits with status 2: the
// answer to a configuration error (a bad flag value, users file or JWT_*
// variable).
func fail(err error) {
	for line := range strings.SplitSeq(err.Error(), "\n") {
		fmt.Fprintf(os.Stderr, "%s: %s\n", progName(), line)
	}
	os.Exit(2)
}

func progName() string {
	name := os.Args[0]
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	return name
}
