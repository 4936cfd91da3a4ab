// Command loadserver is the server bench/load.sh drives with wrk. It serves
// one handler three ways:
//
//	/open/              unprotected
//	/protected/         behind jwtauth's Required middleware
//	/protected-cached/  the same with the verified-token cache on, when this
//	                    jwtauth has one (Settings.TokenCacheSize)
//
// The handler answers 200 "ok" unless the request carries a user other than
// the token's, so every route does the same work after authentication.
// It listens on -addr, a loopback address only (by default a free port on
// 127.0.0.1), prints, one per line,
//
//	addr 127.0.0.1:PORT
//	authorization JWT <token>
//	cache TokenCacheSize     (the Settings field set), or "cache none"
//
// and serves until it is killed.
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/jwtauth-go/jwtauth"
	"github.com/jwtauth-go/jwtauth/bench"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "loopback `host:port` to listen on")
	flag.Parse()
	if err := run(*addr); err != nil {
		fmt.Fprintln(os.Stderr, "loadserver:", err)
		os.Exit(1)
	}
}

var ok = []byte("ok\n")

// handler is what every route serves: it reads the user, as a protected
// view would, and answers 200.
func handler(w http.ResponseWriter, r *http.Request) {
	if u, found := jwtauth.UserFromContext(r.Context()); found && u.Username != bench.Username {
		http.Error(w, "wrong user", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write(ok)
}

// newMux returns the three routes and the name of the Settings field that
// turns the cache on, or "none" when /protected-cached/ is not served.
func newMux() (*http.ServeMux, string, error) {
	mux := http.NewServeMux()
	h := http.HandlerFunc(handler)
	mux.Handle("/open/", h)
	cold, err := bench.NewAuth(false)
	if err != nil {
		return nil, "", err
	}
	mux.Handle("/protected/", cold.Required(h))
	warm, err := bench.NewAuth(true)
	if err != nil {
		return nil, "", err
	}
	mux.Handle("/protected-cached/", warm.Required(h))
	return mux, bench.CacheField, nil
}

func run(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("%s is not a loopback address: the load test stays on this machine", host)
	}

	mux, cache, err := newMux()
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	fmt.Printf("addr %s\nauthorization JWT %s\ncache %s\n", ln.Addr(), bench.Token, cache)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	return srv.Serve(ln)
}
