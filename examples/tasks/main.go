// Command tasks is jwtauth with the chi router: the tasks API of the
// tutorial in seeds/002, a Django REST framework project whose views are
// open to anonymous readers and need a JSON Web Token to write
// (IsAuthenticatedOrReadOnly).
//
//	go run ./examples/tasks                       # http://127.0.0.1:9000, user admin/admin
//	http GET 127.0.0.1:9000/tasks/
//	http POST 127.0.0.1:9000/api-auth/ username=admin password=admin
//	http POST 127.0.0.1:9000/tasks/ title='Next one' due_to=2016-10-18T19:12:01Z person:=1 "Authorization: JWT $TOKEN"
//
// Endpoints: POST /api-auth/ (obtain a token); /tasks/ (GET list, POST
// create), /tasks/{id}/ (GET, PUT, PATCH, DELETE); /users/ and
// /users/{id}/ (GET: each user with the ids of their tasks). Data lives in
// memory; two tasks are seeded, owned by admin (or by the first user).
//
// Settings come from DRF-JWT's environment variables (JWT_SECRET_KEY,
// JWT_EXPIRATION_DELTA, ...). Flags: -addr (default 127.0.0.1:9000), -users
// FILE, and -db DSN (sqlite:PATH or postgres://...) to serve the users of a
// Django project's database instead, read-only.
package main

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/jwtauth-go/jwtauth"
	"github.com/jwtauth-go/jwtauth/internal/demo"
)

func main() {
	srv := demo.Setup("127.0.0.1:9000") // -addr, -users or -db, JWT_* settings
	// Seed 002 authenticates with JSON Web Tokens only: no other
	// Authenticators.
	a, err := jwtauth.New(srv.Settings, srv.Store)
	if err != nil {
		demo.Fail(err) // names the setting at fault, never shows a secret
	}
	srv.Serve(routes(a, newAPI(srv.Users)))
}

// The methods of each view, for its Allow header.
const (
	listMethods   = "GET, POST, HEAD, OPTIONS"
	detailMethods = "GET, PUT, PATCH, DELETE, HEAD, OPTIONS"
	readMethods   = "GET, HEAD, OPTIONS"
)

// routes wires the API. a.ReadOnly is DRF's IsAuthenticatedOrReadOnly as
// chi middleware: anonymous GET, HEAD and OPTIONS pass, anonymous writes
// get a 401 with the WWW-Authenticate challenge, and bad credentials are a
// 401 on every method. demo.View runs first so that the 401s carry the
// view's Allow header too, as DRF's do. The handlers answer unsupported
// methods with DRF's 405 themselves, after authentication.
func routes(a *jwtauth.Auth, api *api) http.Handler {
	r := chi.NewRouter()
	h := a.Handlers()
	r.NotFound(demo.NotFound)
	// chi refuses methods it does not know ("get", "FOO") before any
	// handler runs; answer them as DRF would.
	r.MethodNotAllowed(demo.MethodNotAllowed)

	// DRF-JWT's obtain_jwt_token, under the seed's URL.
	r.Handle("/api-auth/", h.Obtain)

	r.With(demo.View(listMethods), a.ReadOnly).HandleFunc("/tasks/", api.taskList)
	r.With(demo.View(detailMethods), a.ReadOnly).HandleFunc("/tasks/{id}/", api.taskDetail)
	r.With(demo.View(readMethods), a.ReadOnly).HandleFunc("/users/", api.userList)
	r.With(demo.View(readMethods), a.ReadOnly).HandleFunc("/users/{id}/", api.userDetail)
	return r
}
