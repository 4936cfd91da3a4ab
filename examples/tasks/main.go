// Command tasks is jwtauth with the chi router: the tasks API of the
// tutorial "JSON Web Tokens in django application", a Django REST
// framework project whose views are open to anonymous readers and need a
// JSON Web Token to write (IsAuthenticatedOrReadOnly).
//
//	go run ./examples/tasks                       # http://127.0.0.1:9000, user admin/admin
//	http GET 127.0.0.1:9000/tasks/
//	http POST 127.0.0.1:9000/api-auth/ username=admin password=admin
//	http POST 127.0.0.1:9000/tasks/ title='Next one' due_to=2016-10-18T19:12:01Z person:=1 "Authorization: JWT $TOKEN"
//
// Endpoints: POST /api-auth/ (obtain a token); POST /api-token-blacklist/
// (log the request's token out, or {"token": ...}); /tasks/ (GET list, POST
// create), /tasks/{id}/ (GET, PUT, PATCH, DELETE); /users/ (GET: each user
// with the ids of their tasks; POST: a new user, who cannot log in, as
// DRF's ModelViewSet creates one) and /users/{id}/ (GET). Data lives in
// memory; two tasks are seeded, owned by admin (or by the first user).
//
// Settings come from DRF-JWT's environment variables (JWT_SECRET_KEY,
// JWT_EXPIRATION_DELTA, ...). Flags: -addr (default 127.0.0.1:9000), -users
// FILE, and -db DSN (sqlite:PATH or postgres://...) to serve the users of a
// Django project's database instead, read-only. -h lists the environment
// variables, the endpoints and the flags.
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

	"github.com/go-chi/chi/v5"

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

	// The users: those of a Django project's database (-db), or those of
	// the users file (-users) in memory.
	var (
		store      jwtauth.UserStore
		users      []jwtauth.User
		closeStore = func() error { return nil }
	)
	if opts.db != "" {
		db, err := openDB(context.Background(), opts.db, settings.UsernameField)
		if err != nil {
			fail(err) // never shows the DSN, which may hold a password
		}
		store, users, closeStore = db.store, db.users, db.Close
	} else {
		store, users, err = loadUsers(opts.users, os.Stderr)
		if err != nil {
			fail(err) // names the file and the user, never a password
		}
	}

	// The tutorial authenticates with JSON Web Tokens only: no other
	// Authenticators.
	a, err := jwtauth.New(settings, store)
	if err != nil {
		fail(err)
	}

	srv := newServer(accessLog(logger, routes(a, newAPI(users))))
	err = listenAndServe(context.Background(), srv, opts.addr, os.Stderr)
	if cerr := closeStore(); err == nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", progName(), err)
		os.Exit(1)
	}
}

// The methods of each view, for its Allow header: those of DRF's
// ModelViewSet, but for the user detail, which only reads here.
const (
	listMethods   = "GET, POST, HEAD, OPTIONS"
	detailMethods = "GET, PUT, PATCH, DELETE, HEAD, OPTIONS"
	readMethods   = "GET, HEAD, OPTIONS"
)

// routes wires the API. a.ReadOnly is DRF's IsAuthenticatedOrReadOnly as
// chi middleware: anonymous GET, HEAD and OPTIONS pass, anonymous writes
// get a 401 with the WWW-Authenticate challenge, and bad credentials are a
// 401 on every method. drf.View runs first so that the 401s carry the
// view's Allow header too, as DRF's do. The handlers answer unsupported
// methods with DRF's 405 themselves, after authentication.
func routes(a *jwtauth.Auth, api *api) http.Handler {
	r := chi.NewRouter()
	r.NotFound(drf.NotFound)
	// chi refuses methods it does not know ("get", "FOO") before any
	// handler runs; answer them as DRF would.
	r.MethodNotAllowed(drf.MethodNotAllowed)

	// DRF-JWT's obtain_jwt_token, under the tutorial's URL.
	r.Handle("/api-auth/", a.Handlers().Obtain)
	// The drf-jwt fork's blacklist view, logout, when revocation is on.
	if h := a.Handlers().Blacklist; h != nil {
		r.Handle("/api-token-blacklist/", h)
	}

	r.With(drf.View(listMethods), a.ReadOnly).HandleFunc("/tasks/", api.taskList)
	r.With(drf.View(detailMethods), a.ReadOnly).HandleFunc("/tasks/{id}/", api.taskDetail)
	r.With(drf.View(listMethods), a.ReadOnly).HandleFunc("/users/", api.userList)
	r.With(drf.View(readMethods), a.ReadOnly).HandleFunc("/users/{id}/", api.userDetail)
	return r
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
	if s.SimpleJWT != nil {
		// The tutorial's tasks API is DRF-JWT's; examples/basic serves
		// simplejwt's dialect.
		return s, errors.New("JWT_DIALECT: this example speaks drf-jwt only; examples/basic serves simplejwt")
	}
	if s.Keys.Secret == "" && strings.HasPrefix(s.Algorithm, "HS") {
		b := make([]byte, 48)
		_, _ = rand.Read(b) // never fails (crypto/rand crashes the program instead)
		s.Keys.Secret = jwtauth.Secret(base64.RawURLEncoding.EncodeToString(b))
		fmt.Fprintln(warn, "WARNING: JWT_SECRET_KEY is not set: using a random secret; tokens will not survive a restart")
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
