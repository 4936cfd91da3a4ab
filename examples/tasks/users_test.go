package main

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/jwtauth-go/jwtauth"
	"github.com/jwtauth-go/jwtauth/internal/demotest"
)

// TestCreateUser replays what the DRF reference server answered to POST
// /users/ (the tutorial's UserViewSet and UserSerializer), in its order:
// the users created change what later requests see.
func TestCreateUser(t *testing.T) {
	srv := newTestServer(t, testUsers)
	jwt := []string{"Authorization", authHeader(t, srv, "admin")}
	form := []string{"Authorization", jwt[1], "Content-Type", "application/x-www-form-urlencoded"}
	const (
		invalidName = `"Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters."`
		exists      = `{"username":["A user with that username already exists."]}`
	)
	run(t, srv, []step{
		{"POST", "/users/", `{"username":"new","tasks":[]}`, nil, 401, `{"detail":"Authentication credentials were not provided."}`},
		{"POST", "/users/", `{}`, jwt, 400, `{"username":["This field is required."],"tasks":["This field is required."]}`},
		{"POST", "/users/", ``, jwt, 400, `{"username":["This field is required."],"tasks":["This field is required."]}`},
		{"POST", "/users/", ``, form, 400, `{"username":["This field is required."]}`},
		{"POST", "/users/", `{"username":"new"}`, jwt, 400, `{"tasks":["This field is required."]}`},
		{"POST", "/users/", `{"username":"admin","tasks":[]}`, jwt, 400, exists},
		{"POST", "/users/", `{"username":"bad name","tasks":[]}`, jwt, 400, `{"username":[` + invalidName + `]}`},
		{"POST", "/users/", `{"username":"","tasks":[]}`, jwt, 400, `{"username":["This field may not be blank."]}`},
		{"POST", "/users/", `{"username":"   ","tasks":[]}`, jwt, 400, `{"username":["This field may not be blank."]}`},
		{"POST", "/users/", `{"username":null,"tasks":null}`, jwt, 400, `{"username":["This field may not be null."],"tasks":["This field may not be null."]}`},
		{"POST", "/users/", `{"username":5,"tasks":5}`, jwt, 400, `{"tasks":["Expected a list of items but got type \"int\"."]}`},
		{"POST", "/users/", `{"username":true,"tasks":"1"}`, jwt, 400, `{"username":["Not a valid string."],"tasks":["Expected a list of items but got type \"str\"."]}`},
		{"POST", "/users/", `{"username":["a"],"tasks":{"a":1}}`, jwt, 400, `{"username":["Not a valid string."],"tasks":["Incorrect type. Expected pk value, received str."]}`},
		{"POST", "/users/", `{"username":"` + strings.Repeat("u", 151) + `","tasks":[]}`, jwt, 400, `{"username":["Ensure this field has no more than 150 characters."]}`},
		{"POST", "/users/", `{"username":"x","tasks":[99]}`, jwt, 400, `{"tasks":["Invalid pk \"99\" - object does not exist."]}`},
		{"POST", "/users/", `{"username":"x","tasks":["abc"]}`, jwt, 400, `{"tasks":["Incorrect type. Expected pk value, received str."]}`},
		{"POST", "/users/", `{"username":"x","tasks":[null]}`, jwt, 400, `{"tasks":["Invalid pk \"None\" - object does not exist."]}`},
		{"POST", "/users/", `{"username":"x","tasks":[true]}`, jwt, 400, `{"tasks":["Incorrect type. Expected pk value, received bool."]}`},
		{"POST", "/users/", `{"username":"x","tasks":[false]}`, jwt, 400, `{"tasks":["Incorrect type. Expected pk value, received bool."]}`},
		{"POST", "/users/", `{"username":"x","tasks":[[1]]}`, jwt, 400, `{"tasks":["Incorrect type. Expected pk value, received list."]}`},
		{"POST", "/users/", `{"username":"x","tasks":[1,99,"a"]}`, jwt, 400, `{"tasks":["Invalid pk \"99\" - object does not exist."]}`},
		{"POST", "/users/", `{"username":"x","tasks":[-1]}`, jwt, 400, `{"tasks":["Invalid pk \"-1\" - object does not exist."]}`},
		{"POST", "/users/", `{"username":"x","tasks":[""]}`, jwt, 400, `{"tasks":["Incorrect type. Expected pk value, received str."]}`},
		{"POST", "/users/", `{"username":"a\u0000b","tasks":[]}`, jwt, 400, `{"username":[` + invalidName + `,"Null characters are not allowed."]}`},
		{"POST", "/users/", `{"username":"\ud800","tasks":[]}`, jwt, 400, `{"username":[` + invalidName + `,"Surrogate characters are not allowed: U+D800."]}`},
		{"POST", "/users/", `{"username":"e\u0301","tasks":[]}`, jwt, 400, `{"username":[` + invalidName + `]}`},
		{"POST", "/users/", `[]`, jwt, 400, `{"non_field_errors":["Invalid data. Expected a dictionary, but got list."]}`},
		{"POST", "/users/", `username=x&tasks=99`, form, 400, `{"tasks":["Invalid pk \"99\" - object does not exist."]}`},
		{"POST", "/users/", `username=x&tasks=`, form, 400, `{"tasks":["Incorrect type. Expected pk value, received str."]}`},

		// Created: the ids follow the highest, the tasks given become the
		// new user's.
		{"POST", "/users/", `{"username":"ADMIN","tasks":[]}`, jwt, 201, `{"id":4,"username":"ADMIN","tasks":[]}`},
		{"POST", "/users/", `{"username":"x","tasks":[1.5]}`, jwt, 201, `{"id":5,"username":"x","tasks":[1]}`},
		{"POST", "/users/", `{"username":" x ","tasks":[99]}`, jwt, 400, `{"username":["A user with that username already exists."],"tasks":["Invalid pk \"99\" - object does not exist."]}`},
		{"POST", "/users/", `username=x`, form, 400, exists},
		{"POST", "/users/", `{"username":5,"tasks":[2,2]}`, jwt, 201, `{"id":6,"username":"5","tasks":[2]}`},
		{"POST", "/users/", `{"username":"n3","tasks":{"2":1}}`, jwt, 201, `{"id":7,"username":"n3","tasks":[2]}`},
		{"POST", "/users/", `{"username":"n4","tasks":[" 2"]}`, jwt, 201, `{"id":8,"username":"n4","tasks":[2]}`},
		{"POST", "/users/", `{"username":"Zoë.ß@+-_١","tasks":[]}`, jwt, 201, `{"id":9,"username":"Zoë.ß@+-_١","tasks":[]}`},
		{"POST", "/users/", `username=n7&tasks=2&tasks=1`, form, 201, `{"id":10,"username":"n7","tasks":[1,2]}`},

		{"GET", "/users/", "", nil, 200, `[{"id":1,"username":"admin","tasks":[]},{"id":2,"username":"inactive","tasks":[]},{"id":3,"username":"bob","tasks":[]},` +
			`{"id":4,"username":"ADMIN","tasks":[]},{"id":5,"username":"x","tasks":[]},{"id":6,"username":"5","tasks":[]},{"id":7,"username":"n3","tasks":[]},` +
			`{"id":8,"username":"n4","tasks":[]},{"id":9,"username":"Zoë.ß@+-_١","tasks":[]},{"id":10,"username":"n7","tasks":[1,2]}]`},
		{"GET", "/users/10/", "", nil, 200, `{"id":10,"username":"n7","tasks":[1,2]}`},
		{"GET", "/tasks/1/", "", nil, 200, `{"id":1,"title":"First one","due_to":"2016-10-18T19:12:01Z","person":10}`},
		// A new user is a person of tasks...
		{"POST", "/tasks/", `{"title":"t","due_to":"2016-10-18T19:12:01Z","person":9}`, jwt, 201, `{"id":3,"title":"t","due_to":"2016-10-18T19:12:01Z","person":9}`},
		// ...but has no password: it cannot log in.
		{"POST", "/api-auth/", `{"username":"n7","password":"x"}`, nil, 400, `{"non_field_errors":["Unable to log in with provided credentials."]}`},
	})
}

// TestPersonPK: the person of a task is found as Django converts a
// primary key, with Python's int() (the DRF reference server's answers).
func TestPersonPK(t *testing.T) {
	srv := newTestServer(t, testUsers)
	jwt := []string{"Authorization", authHeader(t, srv, "admin")}
	task := func(person string) string {
		return `{"title":"t","due_to":"2016-10-18T19:12:01Z","person":` + person + `}`
	}
	created := func(id, person string) string {
		return `{"id":` + id + `,"title":"t","due_to":"2016-10-18T19:12:01Z","person":` + person + `}`
	}
	run(t, srv, []step{
		{"POST", "/tasks/", task(`" 1"`), jwt, 201, created("3", "1")},
		{"POST", "/tasks/", task(`"1_0"`), jwt, 400, `{"person":["Invalid pk \"1_0\" - object does not exist."]}`},
		{"POST", "/tasks/", task(`"+1"`), jwt, 201, created("4", "1")},
		{"POST", "/tasks/", task(`"\u0661"`), jwt, 201, created("5", "1")},
		{"POST", "/tasks/", task(`"01"`), jwt, 201, created("6", "1")},
		{"POST", "/tasks/", task(`1.0`), jwt, 201, created("7", "1")},
		{"POST", "/tasks/", task(`"1.0"`), jwt, 400, `{"person":["Incorrect type. Expected pk value, received str."]}`},
		{"POST", "/tasks/", task(`1.7`), jwt, 201, created("8", "1")},
		{"POST", "/tasks/", task(`"٣"`), jwt, 201, created("9", "3")},
		{"POST", "/tasks/", task(`"1 "`), jwt, 201, created("10", "1")},
		{"POST", "/tasks/", task(`"\u00a01"`), jwt, 201, created("11", "1")},
		{"POST", "/tasks/", task(`"-+1"`), jwt, 400, `{"person":["Incorrect type. Expected pk value, received str."]}`},
		{"POST", "/tasks/", task(`"1__0"`), jwt, 400, `{"person":["Incorrect type. Expected pk value, received str."]}`},
	})
}

// TestCreateUserUUID: where no user id is an integer (a user model keyed
// by a UUIDField), a new user gets a random UUID, as uuid.uuid4 gives.
func TestCreateUserUUID(t *testing.T) {
	srv := newTestServer(t, []jwtauth.User{{ID: "5b0e6a1c-0d4e-4f4e-9a58-6f7d2f0e0c11", Username: "zed", IsActive: true}})
	jwt := authHeader(t, srv, "zed")
	a := demotest.Do(t, "POST", srv.URL+"/users/", `{"username":"amy","tasks":[2]}`, "Authorization", jwt)
	var u struct {
		ID       string
		Username string
		Tasks    []int
	}
	if a.Status != 201 || json.Unmarshal([]byte(a.Body), &u) != nil || u.Username != "amy" || len(u.Tasks) != 1 || u.Tasks[0] != 2 {
		t.Fatalf("%d %s", a.Status, a.Body)
	}
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(u.ID) {
		t.Errorf("id %q is not a version 4 UUID", u.ID)
	}
	if a := demotest.Do(t, "GET", srv.URL+"/users/"+u.ID+"/", ""); a.Status != 200 || !strings.Contains(a.Body, `"tasks":[2]`) {
		t.Errorf("GET the new user: %d %s", a.Status, a.Body)
	}
}
