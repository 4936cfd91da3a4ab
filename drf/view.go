package drf

import (
	"fmt"
	"net/http"

	idrf "github.com/jwtauth-go/jwtauth/internal/drf"
)

// View returns middleware that sets the headers every answer of a DRF
// view carries: Allow, the view's methods (e.g. "GET, POST, HEAD,
// OPTIONS"), and Vary: Accept, as DRF picks its renderer by the Accept
// header. Put it before the authentication middleware (jwtauth's Required
// or ReadOnly), so that their 401 and 403 answers carry the headers too, as
// DRF's do.
func View(allow string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", allow)
			w.Header().Set("Vary", "Accept")
			next.ServeHTTP(w, r)
		})
	}
}

// Metadata is the body DRF's SimpleMetadata answers to OPTIONS on a view
// whose name is name ("Task List", "Task Instance": the view set's name
// and the suffix DRF's router gives it). It leaves out the "actions" DRF
// adds for a client allowed to write.
func Metadata(name string) Object {
	return Object{
		{Name: "name", Value: name},
		{Name: "description", Value: ""},
		{Name: "renders", Value: []string{"application/json", "text/html"}},
		{Name: "parses", Value: []string{"application/json", "application/x-www-form-urlencoded", "multipart/form-data"}},
	}
}

// NotFound answers DRF's 404: {"detail":"Not found."}. It is an
// http.HandlerFunc, for routers that take one for unknown paths.
func NotFound(w http.ResponseWriter, _ *http.Request) {
	idrf.WriteJSON(w, http.StatusNotFound, Detail{Detail: "Not found."})
}

// MethodNotAllowed answers DRF's 405: {"detail":"Method \"PUT\" not
// allowed."}. The Allow header is View's. Call it after authentication, as
// DRF checks the method only then: an anonymous PUT to a view that needs a
// user is a 401, not a 405.
func MethodNotAllowed(w http.ResponseWriter, r *http.Request) {
	idrf.WriteJSON(w, http.StatusMethodNotAllowed, Detail{Detail: fmt.Sprintf("Method %q not allowed.", r.Method)})
}

// PermissionDenied answers DRF's 403 for an authenticated client that a
// permission refuses: {"detail":"You do not have permission to perform
// this action."}.
func PermissionDenied(w http.ResponseWriter, _ *http.Request) {
	idrf.WriteJSON(w, http.StatusForbidden, Detail{Detail: "You do not have permission to perform this action."})
}
