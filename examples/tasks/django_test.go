package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"testing"

	"github.com/jwtauth-go/jwtauth"
	"github.com/jwtauth-go/jwtauth/internal/demotest"
	"github.com/jwtauth-go/jwtauth/internal/djangotest"
)

// TestDjangoDatabase serves the tasks API as main does with
// -db sqlite:PATH: the users are Django's, the seeded tasks belong to the
// first of them (there is no admin), and they obtain tokens to write.
func TestDjangoDatabase(t *testing.T) {
	t.Parallel()
	dj := djangotest.New(t)
	settings, err := settingsFromEnv(demotest.Env(map[string]string{"JWT_SECRET_KEY": testSecret}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	db, err := openDB(context.Background(), "sqlite:"+dj.Path, settings.UsernameField)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	a, err := jwtauth.New(settings, db.store)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(routes(a, newAPI(db.users)))
	t.Cleanup(hs.Close)

	var users []struct {
		ID       json.Number `json:"id"`
		Username string      `json:"username"`
		Tasks    []int       `json:"tasks"`
	}
	got := demotest.Do(t, "GET", hs.URL+"/users/", "")
	if got.Status != 200 || json.Unmarshal([]byte(got.Body), &users) != nil || len(users) != len(dj.Users) {
		t.Fatalf("GET /users/: %d %s; want the %d users Django made", got.Status, got.Body, len(dj.Users))
	}
	for i, u := range dj.Users {
		if users[i].ID != u.ID || users[i].Username != u.Username {
			t.Errorf("user #%d: %+v; want id %s, username %q", i+1, users[i], u.ID, u.Username)
		}
	}
	if len(users[0].Tasks) != 2 {
		t.Errorf("the first user's tasks: %v; want the two seeded ones", users[0].Tasks)
	}

	u := dj.User(t, "pbkdf2_sha1")
	body, _ := json.Marshal(map[string]string{"username": u.Username, "password": *u.Password})
	got = demotest.Do(t, "POST", hs.URL+"/api-auth/", string(body))
	var out struct{ Token string }
	if got.Status != 200 || json.Unmarshal([]byte(got.Body), &out) != nil {
		t.Fatalf("obtain: %d %s", got.Status, got.Body)
	}
	run(t, hs, []step{
		{"POST", "/tasks/", `{"title":"Django's","due_to":"2016-10-18T19:12:01Z","person":` + u.ID.String() + `}`,
			[]string{"Authorization", "JWT " + out.Token}, 201, `{"id":3,"title":"Django's","due_to":"2016-10-18T19:12:01Z","person":` + u.ID.String() + `}`},
		// The tutorial authenticates with JSON Web Tokens only: no DRF Token.
		{"POST", "/tasks/", `{"title":"t","due_to":"2016-10-18T19:12:01Z","person":1}`,
			[]string{"Authorization", "Token " + dj.User(t, "pbkdf2_sha256").Token}, 401, `{"detail":"Authentication credentials were not provided."}`},
	})
}
