package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/jwtauth-go/jwtauth/internal/demotest"
	"github.com/jwtauth-go/jwtauth/passwords"

	"github.com/go-chi/chi/v5"

	"github.com/jwtauth-go/jwtauth"
)

const testSecret = "a-test-secret-that-is-long-enough-0123456789"

// The users of the DRF reference server's recorded answers.
var testUsers = []jwtauth.User{
	{ID: "1", Username: "admin", Email: "admin@example.com", IsActive: true},
	{ID: "2", Username: "inactive", Email: "inactive@example.com", IsActive: false},
	{ID: "3", Username: "bob", Email: "bob@example.com", IsActive: true},
}

func newTestServer(t *testing.T, users []jwtauth.User) *httptest.Server {
	t.Helper()
	store := &jwtauth.MemoryStore{Passwords: passwords.Policy{PBKDF2Iterations: 1}}
	for _, u := range users {
		if err := store.AddUser(u, u.Username+"-password"); err != nil {
			t.Fatal(err)
		}
	}
	a, err := jwtauth.New(jwtauth.Settings{Keys: jwtauth.Keys{Secret: testSecret}}, store)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(routes(a, newAPI(users)))
	t.Cleanup(srv.Close)
	return srv
}

func authHeader(t *testing.T, srv *httptest.Server, username string) string {
	t.Helper()
	a := demotest.Do(t, "POST", srv.URL+"/api-auth/", `{"username": "`+username+`", "password": "`+username+`-password"}`)
	var out struct{ Token string }
	if a.Status != http.StatusOK || json.Unmarshal([]byte(a.Body), &out) != nil {
		t.Fatalf("obtain: %d %s", a.Status, a.Body)
	}
	return "JWT " + out.Token
}

type step struct {
	method, path, body string
	header             []string
	status             int
	want               string
}

func run(t *testing.T, srv *httptest.Server, steps []step) {
	t.Helper()
	for _, s := range steps {
		a := demotest.Do(t, s.method, srv.URL+s.path, s.body, s.header...)
		if a.Status != s.status || a.Body != s.want {
			t.Errorf("%s %s %s\n got %d %s\nwant %d %s", s.method, s.path, s.body, a.Status, a.Body, s.status, s.want)
		}
	}
}

// TestReferenceAnswers replays section D of testdata/drf-reference-answers.md
// in its order (the writes change what later reads see).
func TestReferenceAnswers(t *testing.T) {
	srv := newTestServer(t, testUsers)
	jwt := []string{"Authorization", authHeader(t, srv, "admin")}
	form := []string{"Authorization", jwt[1], "Content-Type", "application/x-www-form-urlencoded"}
	seedFile := "{\n  \"due_to\": \"2016-10-18T19:12:01Z\",\n  \"person\": 1,\n  \"title\": \"Next one\",\n}\n"
	const notProvided = `{"detail":"Authentication credentials were not provided."}`
	run(t, srv, []step{
		{"GET", "/tasks/", "", nil, 200, `[{"id":1,"title":"First one","due_to":"2016-10-18T19:12:01Z","person":1},{"id":2,"title":"Second one","due_to":"2016-10-18T19:12:10Z","person":1}]`},
		{"GET", "/users/", "", nil, 200, `[{"id":1,"username":"admin","tasks":[1,2]},{"id":2,"username":"inactive","tasks":[]},{"id":3,"username":"bob","tasks":[]}]`},
		{"GET", "/tasks/1/", "", nil, 200, `{"id":1,"title":"First one","due_to":"2016-10-18T19:12:01Z","person":1}`},
		{"GET", "/tasks/99/", "", nil, 404, `{"detail":"Not found."}`},
		{"GET", "/tasks/abc/", "", nil, 404, `{"detail":"Not found."}`},
		{"HEAD", "/tasks/", "", nil, 200, ""},
		{"OPTIONS", "/tasks/", "", nil, 200, `{"name":"Task List","description":"","renders":["application/json","text/html"],"parses":["application/json","application/x-www-form-urlencoded","multipart/form-data"]}`},
		{"POST", "/tasks/", `{"due_to":"2016-10-18T19:12:01Z","person":1,"title":"Next one"}`, nil, 401, notProvided},
		{"POST", "/tasks/", `{"due_to":"2016-10-18T19:12:01Z","person":1,"title":"Next one"}`, jwt, 201, `{"id":3,"title":"Next one","due_to":"2016-10-18T19:12:01Z","person":1}`},
		{"POST", "/tasks/", seedFile, jwt, 400, `{"detail":"JSON parse error - Expecting property name enclosed in double quotes: line 5 column 1 (char 76)"}`},
		{"POST", "/tasks/", seedFile, nil, 401, notProvided},
		{"POST", "/tasks/", `{}`, jwt, 400, `{"title":["This field is required."],"due_to":["This field is required."],"person":["This field is required."]}`},
		{"POST", "/tasks/", `{"due_to":"2016-10-18T19:12:01Z","person":99,"title":"Next one"}`, jwt, 400, `{"person":["Invalid pk \"99\" - object does not exist."]}`},
		{"POST", "/tasks/", `{"due_to":"2016-10-18T19:12:01Z","person":"admin","title":"Next one"}`, jwt, 400, `{"person":["Incorrect type. Expected pk value, received str."]}`},
		{"POST", "/tasks/", `{"due_to":"yesterday","person":1,"title":"Next one"}`, jwt, 400, `{"due_to":["Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."]}`},
		{"POST", "/tasks/", `{"due_to":"2016-10-18 19:12","person":1,"title":"naive"}`, jwt, 201, `{"id":4,"title":"naive","due_to":"2016-10-18T19:12:00Z","person":1}`},
		{"POST", "/tasks/", `{"due_to":"2016-10-18T21:12:01.5+02:00","person":1,"title":"offset"}`, jwt, 201, `{"id":5,"title":"offset","due_to":"2016-10-18T19:12:01.500000Z","person":1}`},
		{"POST", "/tasks/", `{"due_to":"2016-10-18T19:12:01Z","person":1,"title":"` + strings.Repeat("x", 101) + `"}`, jwt, 400, `{"title":["Ensure this field has no more than 100 characters."]}`},
		{"POST", "/tasks/", `{"due_to":"2016-10-18T19:12:01Z","person":1,"title":"` + strings.Repeat("y", 100) + `"}`, jwt, 201, `{"id":6,"title":"` + strings.Repeat("y", 100) + `","due_to":"2016-10-18T19:12:01Z","person":1}`},
		{"POST", "/tasks/", `due_to=2016-10-18T19:12:01Z&person=3&title=form one`, form, 201, `{"id":7,"title":"form one","due_to":"2016-10-18T19:12:01Z","person":3}`},
		{"DELETE", "/tasks/1/", "", nil, 401, notProvided},
		{"GET", "/tasks/", "", []string{"Authorization", "JWT abc123"}, 401, `{"detail":"Error decoding signature."}`},
		{"PUT", "/tasks/1/", `{"due_to":"2017-01-01T00:00:00Z","person":3,"title":"Changed"}`, jwt, 200, `{"id":1,"title":"Changed","due_to":"2017-01-01T00:00:00Z","person":3}`},
		{"PATCH", "/tasks/2/", `{"title":"Patched"}`, jwt, 200, `{"id":2,"title":"Patched","due_to":"2016-10-18T19:12:10Z","person":1}`},
		{"GET", "/users/", "", nil, 200, `[{"id":1,"username":"admin","tasks":[2,3,4,5,6]},{"id":2,"username":"inactive","tasks":[]},{"id":3,"username":"bob","tasks":[1,7]}]`},
		{"DELETE", "/tasks/2/", "", jwt, 204, ""},
		{"GET", "/tasks/2/", "", nil, 404, `{"detail":"Not found."}`},
		{"DELETE", "/tasks/2/", "", jwt, 404, `{"detail":"Not found."}`},
	})
}

func TestValidation(t *testing.T) {
	srv := newTestServer(t, testUsers)
	jwt := []string{"Authorization", authHeader(t, srv, "bob")}
	const wrong = `["Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."]`
	run(t, srv, []step{
		{"POST", "/tasks/", `{"title":null,"due_to":null,"person":null}`, jwt, 400, `{"title":["This field may not be null."],"due_to":["This field may not be null."],"person":["This field may not be null."]}`},
		{"POST", "/tasks/", `{"title":"  ","due_to":"","person":""}`, jwt, 400, `{"title":["This field may not be blank."],"due_to":` + wrong + `,"person":["This field may not be null."]}`},
		{"POST", "/tasks/", `{"title":true,"due_to":5,"person":[1]}`, jwt, 400, `{"title":["Not a valid string."],"due_to":` + wrong + `,"person":["Incorrect type. Expected pk value, received list."]}`},
		{"POST", "/tasks/", `{"title":"a\u0000b","due_to":"2016-02-30T00:00","person":{}}`, jwt, 400, `{"title":["Null characters are not allowed."],"due_to":` + wrong + `,"person":["Incorrect type. Expected pk value, received dict."]}`},
		{"POST", "/tasks/", `{"title":" t ","due_to":"2016-1-8T1:2:3+0530","person":"3"}`, jwt, 201, `{"id":3,"title":"t","due_to":"2016-01-07T19:32:03Z","person":3}`},
		{"POST", "/tasks/", `{"title":"t","due_to":"2016-10-18T24:00","person":1}`, jwt, 400, `{"due_to":` + wrong + `}`},
		{"POST", "/tasks/", `{"title":"t","due_to":"0001-01-01T00:00+01:00","person":1}`, jwt, 400, `{"due_to":["Datetime value out of range."]}`},
		{"POST", "/tasks/", `[]`, jwt, 400, `{"non_field_errors":["Invalid data. Expected a dictionary, but got list."]}`},
		{"POST", "/tasks/", `null`, jwt, 400, `{"non_field_errors":["No data provided"]}`},
		{"POST", "/tasks/", `{"a":NaN}`, jwt, 400, `{"detail":"JSON parse error - Out of range float values are not JSON compliant: 'NaN'"}`},
		{"POST", "/tasks/", `  `, jwt, 400, `{"detail":"JSON parse error - Expecting value: line 1 column 3 (char 2)"}`},
		{"POST", "/tasks/", `{"a" 1}`, jwt, 400, `{"detail":"JSON parse error - Expecting ':' delimiter: line 1 column 6 (char 5)"}`},
		{"POST", "/tasks/", `{"a":1 "b":2}`, jwt, 400, `{"detail":"JSON parse error - Expecting ',' delimiter: line 1 column 8 (char 7)"}`},
		{"POST", "/tasks/", `{} x`, jwt, 400, `{"detail":"JSON parse error - Extra data: line 1 column 4 (char 3)"}`},
		{"POST", "/tasks/", "{\"é\":1,}", jwt, 400, `{"detail":"JSON parse error - Expecting property name enclosed in double quotes: line 1 column 8 (char 7)"}`},
		{"POST", "/tasks/", "x", []string{"Authorization", jwt[1], "Content-Type", "text/plain"}, 415, `{"detail":"Unsupported media type \"text/plain\" in request."}`},
		{"POST", "/tasks/", "x", []string{"Authorization", jwt[1], "Content-Type", "multipart/form-data"}, 400, `{"detail":"Multipart form parse error - Invalid boundary in multipart: None"}`},
		{"POST", "/tasks/", "", jwt, 400, `{"title":["This field is required."],"due_to":["This field is required."],"person":["This field is required."]}`},
		{"PUT", "/tasks/1/", `{"title":"only"}`, jwt, 400, `{"due_to":["This field is required."],"person":["This field is required."]}`},
		{"PATCH", "/tasks/1/", `{"title":"","person":null}`, jwt, 400, `{"title":["This field may not be blank."],"person":["This field may not be null."]}`},
		{"PATCH", "/tasks/99/", `{`, jwt, 404, `{"detail":"Not found."}`},
	})
}

func TestMethodsAndHeaders(t *testing.T) {
	srv := newTestServer(t, testUsers)
	jwt := []string{"Authorization", authHeader(t, srv, "admin")}
	for _, tc := range []struct {
		method, path string
		header       []string
		status       int
		allow        string
	}{
		{"GET", "/tasks/", nil, 200, listMethods},
		{"POST", "/tasks/", nil, 401, listMethods},
		{"DELETE", "/tasks/", nil, 401, listMethods},
		{"DELETE", "/tasks/", jwt, 405, listMethods},
		{"POST", "/tasks/1/", jwt, 405, detailMethods},
		{"PUT", "/tasks/1/", nil, 401, detailMethods},
		{"OPTIONS", "/tasks/1/", nil, 200, detailMethods},
		{"GET", "/users/1/", nil, 200, readMethods},
		{"GET", "/users/9/", nil, 404, readMethods},
		{"POST", "/users/", nil, 401, listMethods},
		{"POST", "/users/", jwt, 400, listMethods},
		{"DELETE", "/users/", jwt, 405, listMethods},
		{"PUT", "/users/1/", jwt, 405, readMethods},
		{"GET", "/nowhere/", nil, 404, ""},
		{"FOO", "/tasks/", nil, 405, ""},
	} {
		a := demotest.Do(t, tc.method, srv.URL+tc.path, "", tc.header...)
		if a.Status != tc.status || a.Header.Get("Allow") != tc.allow {
			t.Errorf("%s %s: %d Allow %q, want %d Allow %q", tc.method, tc.path, a.Status, a.Header.Get("Allow"), tc.status, tc.allow)
		}
		if want := `JWT realm="api"`; (a.Status == 401) != (a.Header.Get("WWW-Authenticate") == want) {
			t.Errorf("%s %s: %d with WWW-Authenticate %q", tc.method, tc.path, a.Status, a.Header.Get("WWW-Authenticate"))
		}
		if tc.allow != "" && a.Header.Get("Vary") != "Accept" {
			t.Errorf("%s %s: Vary %q", tc.method, tc.path, a.Header.Get("Vary"))
		}
		if a.Status == 405 && a.Body != `{"detail":"Method \"`+tc.method+`\" not allowed."}` {
			t.Errorf("%s %s: body %s", tc.method, tc.path, a.Body)
		}
	}
}

func TestOwnerWithoutAdmin(t *testing.T) {
	users := []jwtauth.User{
		{ID: "b-uuid", Username: "zed", IsActive: true},
		{ID: "a-uuid", Username: "amy", IsActive: true},
	}
	srv := newTestServer(t, users)
	run(t, srv, []step{
		{"GET", "/users/", "", nil, 200, `[{"id":"a-uuid","username":"amy","tasks":[1,2]},{"id":"b-uuid","username":"zed","tasks":[]}]`},
		{"GET", "/users/a-uuid/", "", nil, 200, `{"id":"a-uuid","username":"amy","tasks":[1,2]}`},
		{"GET", "/tasks/2/", "", nil, 200, `{"id":2,"title":"Second one","due_to":"2016-10-18T19:12:10Z","person":"a-uuid"}`},
	})
	jwt := []string{"Authorization", authHeader(t, srv, "zed")}
	run(t, srv, []step{
		{"POST", "/tasks/", `{"title":"t","due_to":"2016-10-18T19:12:01Z","person":"b-uuid"}`, jwt, 201, `{"id":3,"title":"t","due_to":"2016-10-18T19:12:01Z","person":"b-uuid"}`},
		{"POST", "/tasks/", `{"title":"t","due_to":"2016-10-18T19:12:01Z","person":"nobody"}`, jwt, 400, `{"person":["Invalid pk \"nobody\" - object does not exist."]}`},
	})
}

// TestSeedFiles checks the two create_task.json files the tutorial's
// replay sends: the corrected one is a valid task.
func TestSeedFiles(t *testing.T) {
	data, err := os.ReadFile("../../.ci/testdata/create_task.json")
	if err != nil {
		t.Skip(err)
	}
	var v map[string]any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("create_task.json: %v", err)
	}
	srv := newTestServer(t, testUsers)
	jwt := []string{"Authorization", authHeader(t, srv, "admin")}
	run(t, srv, []step{{"POST", "/tasks/", string(data), jwt, 201, `{"id":3,"title":"Next one","due_to":"2016-10-18T19:12:01Z","person":1}`}})
}

// TestWritesNeedAUser: mounted without a.ReadOnly by mistake, the handlers
// still refuse anonymous writes.
func TestWritesNeedAUser(t *testing.T) {
	s := newAPI(testUsers)
	r := chi.NewRouter()
	r.HandleFunc("/tasks/", s.taskList)
	r.HandleFunc("/tasks/{id}/", s.taskDetail)
	for _, tc := range []struct{ method, path string }{
		{"POST", "/tasks/"}, {"PUT", "/tasks/1/"}, {"PATCH", "/tasks/1/"}, {"DELETE", "/tasks/1/"},
	} {
		w := httptest.NewRecorder()
		req := httptest.NewRequest(tc.method, tc.path, strings.NewReader(`{"title":"t","due_to":"2016-10-18T19:12:01Z","person":1}`))
		req.Header.Set("Content-Type", "application/json")
		r.ServeHTTP(w, req)
		if w.Code != http.StatusForbidden {
			t.Errorf("%s %s without a user: %d %s", tc.method, tc.path, w.Code, w.Body)
		}
	}
	if len(s.tasks) != 2 || s.tasks[0].Title != "First one" {
		t.Errorf("tasks changed: %+v", s.tasks)
	}
}
