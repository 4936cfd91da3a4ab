// Package demo is what the example servers share and what is not the
// point of them: command-line flags, the users file, settings from the
// environment with a development fallback, an access log, serving with
// timeouts and a clean shutdown, and the plumbing of DRF's views (headers,
// OPTIONS, 404 and 405).
package demo

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
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
	"github.com/jwtauth-go/jwtauth/internal/drf"
	"github.com/jwtauth-go/jwtauth/passwords"
)

// Flags are the command-line options of an example server.
type Flags struct {
	// Addr is the address to listen on (-addr).
	Addr string
	// Users is the path of the users file (-users); empty means the demo
	// user.
	Users string
	// DB is the database of a Django project whose users to serve (-db):
	// sqlite:PATH or postgres://... (OpenDB). Empty means Users.
	DB string
}

// ParseFlags parses the command line (os.Args) into Flags, with
// defaultAddr as the default of -addr. On a bad flag it prints the usage
// and exits with status 2; -h prints it and exits with status 0.
func ParseFlags(defaultAddr string) Flags {
	var f Flags
	fs := flag.NewFlagSet(os.Args[0], flag.ExitOnError)
	fs.StringVar(&f.Addr, "addr", defaultAddr, "`host:port` to listen on (port 0: any free port)")
	fs.StringVar(&f.Users, "users", "", "`FILE` of users: a JSON array of {\"id\", \"username\", \"password\", \"email\", \"is_active\"}\n(default: one demo user, admin)")
	fs.StringVar(&f.DB, "db", "", "`DSN` of a Django database whose users and DRF tokens to serve, read-only:\nsqlite:PATH (e.g. sqlite:db.sqlite3) or postgres://USER:PASSWORD@HOST/NAME")
	_ = fs.Parse(os.Args[1:]) // ExitOnError: Parse exits rather than return an error
	usage := func(format string, args ...any) {
		fmt.Fprintf(fs.Output(), format+"\n", args...)
		fs.Usage()
		os.Exit(2)
	}
	switch {
	case fs.NArg() > 0:
		usage("unexpected argument %q", fs.Arg(0))
	case f.Users != "" && f.DB != "":
		usage("-users and -db are exclusive: the users come from one or the other")
	}
	return f
}

// Fail prints err, one line per joined error, and exits with status 2: the
// answer to a configuration error (a bad flag value, users file or JWT_*
// variable).
func Fail(err error) {
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

// userRecord is one entry of the users file. id is a JSON number or a
// string; is_active defaults to true.
type userRecord struct {
	ID       json.RawMessage `json:"id"`
	Username string          `json:"username"`
	Password string          `json:"password"`
	Email    string          `json:"email"`
	IsActive *bool           `json:"is_active"`
}

// demoUser is the user served when there is no users file.
var demoUser = jwtauth.User{ID: "1", Username: "admin", Email: "admin@example.com", IsActive: true}

// passwordPolicy hashes the passwords LoadUsers reads: Django's default.
// Tests lower its cost.
var passwordPolicy passwords.Policy

// LoadUsers returns a MemoryStore holding the users of the file at path,
// and the users in file order. The file is a JSON array of {"id",
// "username", "password", "email", "is_active"} objects (other members are
// ignored); id is a JSON integer or a string, is_active defaults to true, and
// an empty password leaves the user unable to log in. With path "", the
// store holds one demo user, admin with password admin (id 1,
// admin@example.com), and LoadUsers writes one warning line to warn.
// Errors name the file and the user, never a password.
func LoadUsers(path string, warn io.Writer) (*jwtauth.MemoryStore, []jwtauth.User, error) {
	store := &jwtauth.MemoryStore{Passwords: passwordPolicy}
	if path == "" {
		fmt.Fprintf(warn, "WARNING: no -users FILE: serving one demo user, %q (id %s), whose password is public; use -users for anything but a demo\n", demoUser.Username, demoUser.ID)
		if err := store.AddUser(demoUser, "admin"); err != nil {
			return nil, nil, err
		}
		return store, []jwtauth.User{demoUser}, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("users file: %w", err)
	}
	var records []userRecord
	if err := json.Unmarshal(data, &records); err != nil {
		return nil, nil, fmt.Errorf("users file %s: %w", path, err)
	}
	if len(records) == 0 {
		return nil, nil, fmt.Errorf("users file %s: no users", path)
	}
	users := make([]jwtauth.User, 0, len(records))
	ids, names := map[string]bool{}, map[string]bool{}
	for i, rec := range records {
		bad := func(format string, args ...any) error {
			return fmt.Errorf("users file %s: user #%d: %s", path, i+1, fmt.Sprintf(format, args...))
		}
		id, err := parseID(rec.ID)
		switch {
		case err != nil:
			return nil, nil, bad("%v", err)
		case rec.Username == "":
			return nil, nil, bad("no username")
		case names[rec.Username]:
			return nil, nil, bad("username %q appears twice", rec.Username)
		case ids[id]:
			return nil, nil, bad("id %s appears twice", id)
		}
		ids[id], names[rec.Username] = true, true
		u := jwtauth.User{ID: id, Username: rec.Username, Email: rec.Email, IsActive: rec.IsActive == nil || *rec.IsActive}
		if err := store.AddUser(u, rec.Password); err != nil {
			return nil, nil, bad("%v", err)
		}
		users = append(users, u)
	}
	return store, users, nil
}

// parseID reads the id of a users file entry: a JSON integer, kept as
// written, or a non-empty string.
func parseID(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil || s == "" {
			return "", errors.New("id is an empty or invalid string")
		}
		return s, nil
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil || strings.ContainsAny(n.String(), ".eE") {
		return "", errors.New(`id must be an integer or a string, like 1 or "1"`)
	}
	return n.String(), nil
}

// Settings returns the jwtauth settings of the environment, read by
// jwtauth.FromEnv through lookup (os.LookupEnv). When JWT_SECRET_KEY is
// unset and the algorithm is an HMAC one, it fills in a random secret (48
// bytes from crypto/rand, base64url) and writes one warning line to warn:
// tokens will not survive a restart. Errors name the variable at fault.
func Settings(lookup func(string) (string, bool), warn io.Writer) (jwtauth.Settings, error) {
	s, err := jwtauth.FromEnv(lookup)
	if err != nil {
		return s, err
	}
	if s.Keys.Secret == "" && strings.HasPrefix(s.Algorithm, "HS") {
		b := make([]byte, 48)
		_, _ = rand.Read(b) // never fails (crypto/rand crashes the program instead)
		s.Keys.Secret = jwtauth.Secret(base64.RawURLEncoding.EncodeToString(b))
		fmt.Fprintln(warn, "WARNING: JWT_SECRET_KEY is not set: using a random secret; tokens will not survive a restart")
	}
	return s, nil
}

// AccessLog returns middleware that logs one line per request at Info
// level: method, path (without the query string), status and duration.
// It never logs a header, a query, a body, a token or a password.
func AccessLog(logger *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			rec := &statusRecorder{ResponseWriter: w}
			completed := false
			defer func() {
				status := rec.status
				switch {
				case !completed && status == 0:
					status = http.StatusInternalServerError // a panic before any answer
				case status == 0:
					status = http.StatusOK
				}
				logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
					slog.String("method", r.Method),
					slog.String("path", r.URL.Path),
					slog.Int("status", status),
					slog.Duration("duration", time.Since(start)))
			}()
			next.ServeHTTP(rec, r)
			completed = true
		})
	}
}

// statusRecorder remembers the status of the response it passes on.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 && code >= 200 { // 1xx answers are interim
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// limits bound what one client can hold of an example server: time to
// send the request header, time to send the whole request, time to take
// the answer, time kept idle between requests, and the size of the
// request header.
type limits struct {
	readHeader, read, write, idle time.Duration
	maxHeaderBytes                int
}

// serverLimits are Run's limits: generous for an API, short enough that
// slow or idle clients (slowloris) cannot hold connections forever. Tests
// pass shorter timeouts to serve rather than wait for these.
var serverLimits = limits{
	readHeader: 5 * time.Second,
	read:       15 * time.Second,
	write:      30 * time.Second,
	idle:       2 * time.Minute,
	// net/http's default today, written out because the examples' answer
	// to an oversized header (431 before any handler runs, security
	// checklist rows 12 and 37) must not depend on a default that could
	// change or be raised by someone tuning the server: at most 1 MiB of
	// header is buffered per connection, whatever the Authorization holds.
	maxHeaderBytes: 1 << 20,
}

// shutdownTimeout is how long in-flight requests get to finish on SIGINT
// or SIGTERM.
const shutdownTimeout = 10 * time.Second

// Run serves h on addr until ctx is done or the process gets SIGINT or
// SIGTERM, then shuts down gracefully: in-flight requests get up to 10 s
// to finish. It writes "listening on http://ADDR" to stderr once the
// socket is open (with port 0, ADDR has the port chosen). It returns nil
// after a clean shutdown.
func Run(ctx context.Context, addr string, h http.Handler) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return serve(ctx, ln, h, os.Stderr, serverLimits)
}

// newHTTPServer is the http.Server serving h within lim.
func newHTTPServer(h http.Handler, lim limits) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: lim.readHeader,
		ReadTimeout:       lim.read,
		WriteTimeout:      lim.write,
		IdleTimeout:       lim.idle,
		MaxHeaderBytes:    lim.maxHeaderBytes,
	}
}

func serve(ctx context.Context, ln net.Listener, h http.Handler, out io.Writer, lim limits) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv := newHTTPServer(h, lim)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	fmt.Fprintf(out, "listening on http://%s\n", ln.Addr())
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

// View returns middleware setting the headers every answer of a DRF view
// carries, the 401s of the authentication middleware included: Allow lists
// the view's methods, and Vary: Accept because DRF negotiates the
// renderer. Put it before the authentication middleware.
func View(allow string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", allow)
			w.Header().Set("Vary", "Accept")
			next.ServeHTTP(w, r)
		})
	}
}

// Metadata is DRF's answer to OPTIONS on a view named name, without the
// "actions" DRF adds for users allowed to write.
func Metadata(name string) any {
	return drf.Object{
		{Name: "name", Value: name},
		{Name: "description", Value: ""},
		{Name: "renders", Value: []string{"application/json", "text/html"}},
		{Name: "parses", Value: []string{"application/json", "application/x-www-form-urlencoded", "multipart/form-data"}},
	}
}

// MethodNotAllowed answers DRF's 405; the Allow header is View's.
func MethodNotAllowed(w http.ResponseWriter, r *http.Request) {
	drf.WriteJSON(w, http.StatusMethodNotAllowed, drf.Detail{Detail: fmt.Sprintf("Method %q not allowed.", r.Method)})
}

// NotFound answers DRF's 404.
func NotFound(w http.ResponseWriter, _ *http.Request) {
	drf.WriteJSON(w, http.StatusNotFound, drf.Detail{Detail: "Not found."})
}

// Server is what an example server starts from: the listen address, the
// users, and the jwtauth settings of the environment, logging to Logger.
type Server struct {
	Addr string
	// Store holds the users: those of the users file (or the demo user) in
	// memory, or with -db those of the Django database (a sqlstore.Store).
	Store jwtauth.UserStore
	Users []jwtauth.User // the users of Store, in the file's order or by id
	// Token is DRF's Token authentication over the -db database; nil
	// without -db.
	Token    jwtauth.Authenticator
	Settings jwtauth.Settings
	Logger   *slog.Logger

	close func() error // releases the database; nil without -db
}

// NewServer reads the settings (Settings, through lookup) and loads the
// users: from the -db database (OpenDB), or from the users file
// (LoadUsers). Warnings go to warn. The caller must Close the server.
func NewServer(ctx context.Context, flags Flags, lookup func(string) (string, bool), warn io.Writer) (*Server, error) {
	settings, err := Settings(lookup, warn)
	if err != nil {
		return nil, err
	}
	srv := &Server{Addr: flags.Addr, Settings: settings}
	if flags.DB != "" {
		d, err := OpenDB(ctx, flags.DB, settings.UsernameField, warn)
		if err != nil {
			return nil, err
		}
		srv.Store, srv.Users, srv.Token, srv.close = d.Store, d.Users, d.Token, d.Close
		return srv, nil
	}
	store, users, err := LoadUsers(flags.Users, warn)
	if err != nil {
		return nil, err
	}
	srv.Store, srv.Users = store, users
	return srv, nil
}

// Close releases the database of -db.
func (s *Server) Close() error {
	if s.close == nil {
		return nil
	}
	return s.close()
}

// Setup parses the flags (-addr, defaulting to defaultAddr, -users and
// -db), reads the settings and loads the users (NewServer), logging to
// stderr. A configuration error ends the program (Fail).
func Setup(defaultAddr string) *Server {
	flags := ParseFlags(defaultAddr)
	srv, err := NewServer(context.Background(), flags, os.LookupEnv, os.Stderr)
	if err != nil {
		Fail(err)
	}
	srv.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	srv.Settings.Logger = srv.Logger
	return srv
}

// Serve serves h, with the access log, until SIGINT or SIGTERM (Run),
// then closes the server; a failure to serve ends the program with status
// 1.
func (s *Server) Serve(h http.Handler) {
	err := Run(context.Background(), s.Addr, AccessLog(s.Logger)(h))
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", progName(), err)
		os.Exit(1)
	}
}
