package sqlstore_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/jwtauth-go/jwtauth"
	"github.com/jwtauth-go/jwtauth/internal/djangotest"
	"github.com/jwtauth-go/jwtauth/session"
	"github.com/jwtauth-go/jwtauth/sqlstore"
)

// BenchmarkSessionBesideToken: a request authenticated by a Django session
// (the db engine: one indexed lookup of django_session, then the user by
// id; signed_cookies: the user only) beside one authenticated by DRF's
// Token (one lookup of authtoken_token joined to the user), through the
// middleware, over the SQLite database Django made:
//
//	go test -run '^$' -bench BenchmarkSessionBesideToken -benchmem ./sqlstore/
func BenchmarkSessionBesideToken(b *testing.B) {
	const secret = "sqlstore sessions: not a secret, but as long as Django's"
	dj := djangotest.New(b)
	user := dj.User(b, "pbkdf2_sha256")
	ctx := context.Background()
	for _, c := range []struct{ name, engine string }{{"token", ""}, {"session-db", djangotest.SessionDB}, {"session-signed_cookies", djangotest.SessionSignedCookies}} {
		d := djangoDB(b, dj)
		store := newStore(b, d, sqlstore.Settings{})
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		var auth jwtauth.Authenticator
		switch c.engine {
		case "":
			tok, err := store.TokenAuthentication(ctx)
			if err != nil {
				b.Fatal(err)
			}
			auth = tok
			req.Header.Set("Authorization", "Token "+user.Token)
		default:
			s := session.Settings{SecretKey: secret, Users: store}
			if c.engine == djangotest.SessionDB {
				ss, err := store.Sessions(ctx)
				if err != nil {
					b.Fatal(err)
				}
				s.Store = ss
			} else {
				s.Engine = session.EngineSignedCookies
			}
			var err error
			if auth, err = session.New(s); err != nil {
				b.Fatal(err)
			}
			req.AddCookie(&http.Cookie{Name: "sessionid", Value: djangotest.LoginSessions(b, dj, secret, c.engine, user.Username)[user.Username].SessionID})
		}
		a, err := jwtauth.New(jwtauth.Settings{Keys: jwtauth.Keys{Secret: testSecret}, Authenticators: []jwtauth.Authenticator{auth}}, store)
		if err != nil {
			b.Fatal(err)
		}
		h := a.Required(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
		b.Run(c.name, func(b *testing.B) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Fatalf("%d %s", rec.Code, rec.Body)
			}
			b.ReportAllocs()
			for b.Loop() {
				h.ServeHTTP(httptest.NewRecorder(), req)
			}
		})
	}
}
