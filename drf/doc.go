// Package drf writes net/http views that answer as Django REST framework
// views do, so that clients written against a DRF service keep working
// when it is served from Go: JSON rendered as DRF's JSONRenderer renders
// it, DRF's {"detail": ...} errors and serializer field errors, the 404
// and 405 of its generic views, the Allow and Vary headers and the OPTIONS
// metadata of every view, request bodies read as its parsers read them,
// and DRF's Token authentication for jwtauth's chain of authenticators.
//
// It is the part of the example servers (examples/basic, examples/tasks)
// that is not specific to them. A view is a plain http.Handler:
//
//	mux.Handle("/api/things/{$}", drf.View("GET, POST, HEAD, OPTIONS")(auth.ReadOnly(things)))
//
// and inside it:
//
//	switch r.Method {
//	case http.MethodGet, http.MethodHead:
//		drf.WriteJSON(w, http.StatusOK, list)
//	case http.MethodPost:
//		fields, ok := drf.ReadFields(w, r, 64<<10)
//		if !ok {
//			return // DRF's 400, 413 or 415 has been answered
//		}
//		name, msgs := drf.CharField(fields.Get("name"), true, 100)
//		...
//	case http.MethodOptions:
//		drf.WriteJSON(w, http.StatusOK, drf.Metadata("Thing List"))
//	default:
//		drf.MethodNotAllowed(w, r)
//	}
package drf
