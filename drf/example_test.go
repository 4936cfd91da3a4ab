package drf_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/jwtauth-go/jwtauth"
	"github.com/jwtauth-go/jwtauth/drf"
)

// show sends a request to h and prints the answer's status, Allow header
// and body.
func show(h http.Handler, method, body string, header ...string) {
	r := httptest.NewRequest(method, "/things/", strings.NewReader(body))
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	fmt.Println(w.Code, w.Header().Get("Allow"), w.Body)
}

// A view of a list that clients read and add to, answering as DRF's
// ListCreateAPIView does.
func ExampleView() {
	var names []string
	things := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead:
			drf.WriteJSON(w, http.StatusOK, names)
		case http.MethodPost:
			fields, ok := drf.ReadFields(w, r, 64<<10)
			if !ok {
				return // DRF's 400, 413 or 415 is answered
			}
			name, msgs := drf.CharField(fields.Get("name"), true, 10)
			if msgs != nil {
				var errs drf.FieldErrors
				errs.Add("name", msgs...)
				drf.WriteJSON(w, http.StatusBadRequest, errs)
				return
			}
			names = append(names, name)
			drf.WriteJSON(w, http.StatusCreated, drf.Object{{Name: "name", Value: name}})
		case http.MethodOptions:
			drf.WriteJSON(w, http.StatusOK, drf.Metadata("Thing List"))
		default:
			drf.MethodNotAllowed(w, r)
		}
	})
	h := drf.View("GET, POST, HEAD, OPTIONS")(things)

	show(h, "POST", `{"name": " <b>tea</b> "}`)
	show(h, "POST", `{"name": "much too long"}`)
	show(h, "POST", `{"name": "tea",}`)
	show(h, "GET", "")
	show(h, "DELETE", "")
	// Output:
	// 201 GET, POST, HEAD, OPTIONS {"name":"<b>tea</b>"}
	// 400 GET, POST, HEAD, OPTIONS {"name":["Ensure this field has no more than 10 characters."]}
	// 400 GET, POST, HEAD, OPTIONS {"detail":"JSON parse error - Expecting property name enclosed in double quotes: line 1 column 16 (char 15)"}
	// 200 GET, POST, HEAD, OPTIONS ["<b>tea</b>"]
	// 405 GET, POST, HEAD, OPTIONS {"detail":"Method \"DELETE\" not allowed."}
}

// Each field's messages, in the order of the serializer's fields.
func ExampleFieldErrors() {
	var errs drf.FieldErrors
	_, msgs := drf.CharField(drf.Value{Kind: drf.Null}, true, 100)
	errs.Add("title", msgs...)
	_, msgs = drf.CharField(drf.Value{Kind: drf.String, Text: "fine"}, true, 100)
	errs.Add("description", msgs...) // nil: nothing added
	errs.Add("person", "This field is required.")
	b, _ := drf.Marshal(errs)
	fmt.Println(string(b))
	// Output:
	// {"title":["This field may not be null."],"person":["This field is required."]}
}

// Django writes an integer primary key as a JSON number, any other as a
// string.
func ExamplePK() {
	b, _ := drf.Marshal([]drf.PK{"1", "4bd2e8a2-uuid", "007"})
	fmt.Println(string(b))
	// Output:
	// [1,"4bd2e8a2-uuid","007"]
}

// DRF's Token authentication over a fixed table of keys, after JWT in
// jwtauth's chain.
func ExampleTokenAuthentication() {
	store := &jwtauth.MemoryStore{}
	_ = store.AddUser(jwtauth.User{ID: "1", Username: "ci-bot", IsActive: true}, "")
	keys := map[string]string{"9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b": "ci-bot"} // key → username
	tokens := drf.TokenAuthentication(func(ctx context.Context, key string) (jwtauth.User, bool, error) {
		username, ok := keys[key]
		if !ok {
			return jwtauth.User{}, false, nil
		}
		u, err := store.UserByUsername(ctx, username)
		return u, err == nil, nil
	})
	a, err := jwtauth.New(jwtauth.Settings{
		Keys:           jwtauth.Keys{Secret: "an-example-secret-of-at-least-32-bytes"},
		Authenticators: []jwtauth.Authenticator{tokens},
	}, store)
	if err != nil {
		panic(err)
	}
	h := a.Required(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := jwtauth.UserFromContext(r.Context())
		drf.WriteJSON(w, http.StatusOK, drf.Object{{Name: "username", Value: u.Username}})
	}))

	show(h, "GET", "", "Authorization", "Token 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b")
	show(h, "GET", "", "Authorization", "Token 0000")
	show(h, "GET", "", "Authorization", "Token")
	show(h, "GET", "")
	// Output:
	// 200  {"username":"ci-bot"}
	// 401  {"detail":"Invalid token."}
	// 401  {"detail":"Invalid token header. No credentials provided."}
	// 401  {"detail":"Authentication credentials were not provided."}
}
