package bench

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"hash"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	ginjwt "github.com/appleboy/gin-jwt/v2"
	auth0 "github.com/auth0/go-jwt-middleware/v2"
	auth0validator "github.com/auth0/go-jwt-middleware/v2/validator"
	"github.com/gin-gonic/gin"
	chijwtauth "github.com/go-chi/jwtauth/v5"
	"github.com/golang-jwt/jwt/v5"
	"github.com/jwtauth-go/jwtauth"
	echojwt "github.com/labstack/echo-jwt/v4"
	"github.com/labstack/echo/v4"
)

// path is the URL path of every request; gin and echo route it.
const path = "/protected/"

// peer is one middleware under test.
type peer struct {
	name string
	// scheme is the Authorization scheme the library is configured for.
	scheme string
	// token is what the library is sent: Token, except for auth0.
	token string
	// handler is the middleware around a handler that answers 200 only
	// when it finds Username in the context, 500 otherwise.
	handler http.Handler
	// skip, when set, is why the library cannot be measured in this build.
	skip string
}

// request returns a GET of path carrying tok under p's scheme.
func (p peer) request(tok string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, path, nil)
	r.Header.Set("Authorization", p.scheme+" "+tok)
	return r
}

// peers returns the libraries in the order of the report; the first one is
// the baseline.
func peers(tb testing.TB) []peer {
	tb.Helper()
	gin.SetMode(gin.ReleaseMode)
	ps := []peer{
		{name: "golang-jwt", scheme: "JWT", handler: golangJWT()},
		{name: "hand-written-floor", scheme: "JWT", handler: floor()},
		{name: "jwtauth", scheme: "JWT", handler: ours(tb, false)},
		{name: "jwtauth-cached", scheme: "JWT"},
		{name: "go-chi-jwtauth", scheme: "Bearer", handler: goChi()},
		{name: "auth0-go-jwt-middleware", scheme: "Bearer", token: TokenWithAudience, handler: auth0Middleware(tb)},
		{name: "gin-jwt", scheme: "JWT", handler: ginJWT(tb)},
		{name: "echo-jwt", scheme: "JWT", handler: echoJWT()},
	}
	for i := range ps {
		if ps[i].token == "" {
			ps[i].token = Token
		}
		if ps[i].name == "jwtauth-cached" {
			ps[i].handler = ours(tb, true)
		}
	}
	return ps
}

// BenchmarkPeers sends the same DRF-JWT-shaped HS256 token through each
// library's middleware to a handler that reads the user (or the claims) from
// the request context and answers 200:
//
//	go test -run '^$' -bench '^BenchmarkPeers$' -benchmem -count 5
//
// or `go run ./cmd/report`, which also writes ../docs/bench.svg and
// ../docs/bench.md. The request is built once and reused; the recorder is
// reset in place, so the harness costs the same for every library. A
// response other than 200 stops the benchmark, and TestPeersVerify proves
// that every middleware refuses the token with a flipped signature bit.
func BenchmarkPeers(b *testing.B) {
	for _, p := range peers(b) {
		b.Run(p.name, func(b *testing.B) {
			if p.skip != "" {
				b.Skip(p.skip)
			}
			req := p.request(p.token)
			rec := newRecorder()
			b.ReportAllocs()
			for b.Loop() {
				rec.reset()
				p.handler.ServeHTTP(rec.ResponseRecorder, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("%s answered %d %q", p.name, rec.Code, rec.Body)
				}
			}
		})
	}
}

// recorder is an httptest.ResponseRecorder that is reset without
// allocating: its header map and body buffer are kept and emptied.
type recorder struct {
	*httptest.ResponseRecorder
	header http.Header
	body   *bytes.Buffer
}

func newRecorder() *recorder {
	rec := httptest.NewRecorder()
	return &recorder{ResponseRecorder: rec, header: rec.Header(), body: rec.Body}
}

// reset empties the recorder. Code starts at 0, not NewRecorder's 200, so
// that a response nobody wrote is not mistaken for a success.
func (r *recorder) reset() {
	clear(r.header)
	r.body.Reset()
	// Setting HeaderMap, deprecated for reading a handler's headers, is the
	// only way to hand the emptied map back instead of allocating a new one.
	//lint:ignore SA1019 see above
	*r.ResponseRecorder = httptest.ResponseRecorder{HeaderMap: r.header, Body: r.body}
}

// answer writes 200 when username is Username, 500 otherwise.
func answer(w http.ResponseWriter, username string) {
	if username != Username {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// drfClaims is the DRF-JWT payload for golang-jwt v5 (the baseline and
// echo-jwt).
type drfClaims struct {
	UserID   int64  `json:"user_id"`
	Username string `json:"username"`
	Email    string `json:"email"`
	jwt.RegisteredClaims
}

type claimsKey struct{}

// golangJWT is the baseline: a plain net/http middleware over golang-jwt v5
// ParseWithClaims into a struct, HS256 only, exp required.
func golangJWT() http.Handler {
	parser := jwt.NewParser(jwt.WithValidMethods([]string{"HS256"}), jwt.WithExpirationRequired())
	key := []byte(Secret)
	keyFunc := func(*jwt.Token) (any, error) { return key, nil }
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := r.Context().Value(claimsKey{}).(*drfClaims)
		if c == nil {
			answer(w, "")
			return
		}
		answer(w, c.Username)
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "JWT ")
		if !ok {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		c := new(drfClaims)
		if _, err := parser.ParseWithClaims(tok, c, keyFunc); err != nil {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), claimsKey{}, c)))
	})
}

// floorClaims is the hand-written floor's payload.
type floorClaims struct {
	UserID   int64  `json:"user_id"`
	Username string `json:"username"`
	Exp      int64  `json:"exp"`
	Email    string `json:"email"`
}

// floor is the hand-written HS256 middleware of issue 6: split, pooled
// HMAC, encoding/json claims, exp check. It checks neither the header nor
// alg: it is the cost floor, not a safe middleware.
func floor() http.Handler {
	key := []byte(Secret)
	macs := sync.Pool{New: func() any { return hmac.New(sha256.New, key) }}
	unauthorized := func(w http.ResponseWriter) { http.Error(w, "unauthorized", http.StatusUnauthorized) }
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := r.Context().Value(claimsKey{}).(*floorClaims)
		if c == nil {
			answer(w, "")
			return
		}
		answer(w, c.Username)
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "JWT ")
		i, j := strings.IndexByte(tok, '.'), strings.LastIndexByte(tok, '.')
		if !ok || i < 0 || j <= i {
			unauthorized(w)
			return
		}
		var sig [sha256.Size]byte
		if n, err := base64.RawURLEncoding.Decode(sig[:], []byte(tok[j+1:])); err != nil || n != len(sig) {
			unauthorized(w)
			return
		}
		mac := macs.Get().(hash.Hash)
		mac.Reset()
		mac.Write([]byte(tok[:j]))
		var sum [sha256.Size]byte
		good := hmac.Equal(mac.Sum(sum[:0]), sig[:])
		macs.Put(mac)
		if !good {
			unauthorized(w)
			return
		}
		payload, err := base64.RawURLEncoding.DecodeString(tok[i+1 : j])
		if err != nil {
			unauthorized(w)
			return
		}
		c := new(floorClaims)
		if err := json.Unmarshal(payload, c); err != nil || c.Exp <= time.Now().Unix() {
			unauthorized(w)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), claimsKey{}, c)))
	})
}

// ours is jwtauth's Required middleware (DRF-JWT defaults, MemoryStore
// holding User), with the verified-token cache on when cached is true.
func ours(tb testing.TB, cached bool) http.Handler {
	a, err := NewAuth(cached)
	if err != nil {
		tb.Fatal(err)
	}
	return a.Required(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := jwtauth.UserFromContext(r.Context())
		answer(w, u.Username)
	}))
}

// goChi is go-chi/jwtauth v5: Verifier then Authenticator, as its README
// shows; Bearer only.
func goChi() http.Handler {
	ja := chijwtauth.New("HS256", []byte(Secret), nil)
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, claims, _ := chijwtauth.FromContext(r.Context())
		username, _ := claims["username"].(string)
		answer(w, username)
	})
	return chijwtauth.Verifier(ja)(chijwtauth.Authenticator(ja)(next))
}

// auth0Claims carries the username through auth0's custom-claims hook.
type auth0Claims struct {
	Username string `json:"username"`
}

// Validate implements auth0validator.CustomClaims.
func (*auth0Claims) Validate(context.Context) error { return nil }

// auth0Middleware is auth0/go-jwt-middleware v2's CheckJWT over its
// validator. validator.New requires an issuer and an audience, so auth0 is
// sent TokenWithAudience, the DRF-JWT token of the same user with
// JWT_ISSUER and JWT_AUDIENCE set. Bearer only.
func auth0Middleware(tb testing.TB) http.Handler {
	key := []byte(Secret)
	v, err := auth0validator.New(
		func(context.Context) (any, error) { return key, nil },
		auth0validator.HS256, Issuer, []string{Audience},
		auth0validator.WithCustomClaims(func() auth0validator.CustomClaims { return new(auth0Claims) }),
	)
	if err != nil {
		tb.Fatal(err)
	}
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		vc, _ := r.Context().Value(auth0.ContextKey{}).(*auth0validator.ValidatedClaims)
		if vc == nil {
			answer(w, "")
			return
		}
		c, _ := vc.CustomClaims.(*auth0Claims)
		if c == nil {
			answer(w, "")
			return
		}
		answer(w, c.Username)
	})
	return auth0.New(v.ValidateToken).CheckJWT(next)
}

// ginJWT is appleboy/gin-jwt's middleware on a gin engine with one route
// (gin-jwt works only inside gin), the identity taken from the username
// claim, the JWT scheme.
func ginJWT(tb testing.TB) http.Handler {
	mw, err := ginjwt.New(&ginjwt.GinJWTMiddleware{
		Realm:         "api",
		Key:           []byte(Secret),
		IdentityKey:   "username",
		TokenHeadName: "JWT",
	})
	if err != nil {
		tb.Fatal(err)
	}
	engine := gin.New()
	engine.GET(path, mw.MiddlewareFunc(), func(c *gin.Context) {
		v, _ := c.Get("username")
		username, _ := v.(string)
		answer(c.Writer, username)
	})
	return engine
}

// echoJWT is labstack/echo-jwt's middleware on an echo instance with one
// route (echo-jwt works only inside echo), claims decoded into drfClaims,
// the JWT scheme.
func echoJWT() http.Handler {
	e := echo.New()
	mw := echojwt.WithConfig(echojwt.Config{
		SigningKey:    []byte(Secret),
		TokenLookup:   "header:Authorization:JWT ",
		NewClaimsFunc: func(echo.Context) jwt.Claims { return new(drfClaims) },
	})
	e.GET(path, func(c echo.Context) error {
		tok, _ := c.Get("user").(*jwt.Token)
		if tok == nil {
			answer(c.Response(), "")
			return nil
		}
		claims, _ := tok.Claims.(*drfClaims)
		if claims == nil {
			answer(c.Response(), "")
			return nil
		}
		answer(c.Response(), claims.Username)
		return nil
	}, mw)
	return e
}
