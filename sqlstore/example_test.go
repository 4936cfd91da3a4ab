package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/jwtauth-go/jwtauth"
	"github.com/jwtauth-go/jwtauth/passwords"
	"github.com/jwtauth-go/jwtauth/sqlstore"
)

// A Django database (here an in-memory SQLite one, with the driver
// modernc.org/sqlite) serving the obtain view's store and DRF's Token
// authentication.
func Example() {
	ctx := context.Background()
	db, err := sql.Open("sqlite", "file::memory:")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1) // one connection: one in-memory database

	// What Django's migrate and create_user would have written.
	policy := passwords.Policy{PBKDF2Iterations: 1000} // cheap here; a real store sets DjangoVersion instead
	encoded, _ := policy.Hash("s3cret-pa55")
	for _, stmt := range []string{
		`CREATE TABLE "auth_user" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "password" varchar(128) NOT NULL, "last_login" datetime NULL, "is_superuser" bool NOT NULL, "username" varchar(150) NOT NULL UNIQUE, "last_name" varchar(150) NOT NULL, "email" varchar(254) NOT NULL, "is_staff" bool NOT NULL, "is_active" bool NOT NULL, "date_joined" datetime NOT NULL, "first_name" varchar(150) NOT NULL)`,
		`CREATE TABLE "authtoken_token" ("key" varchar(40) NOT NULL PRIMARY KEY, "created" datetime NOT NULL, "user_id" integer NOT NULL UNIQUE REFERENCES "auth_user" ("id") DEFERRABLE INITIALLY DEFERRED)`,
		`INSERT INTO auth_user VALUES (1, '` + encoded + `', NULL, 0, 'alice', '', 'alice@example.com', 0, 1, '2024-01-01 00:00:00', '')`,
		`INSERT INTO authtoken_token VALUES ('9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b', '2024-01-01 00:00:00', 1)`,
	} {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			log.Fatal(err)
		}
	}

	store, err := sqlstore.New(ctx, db, sqlstore.Settings{Dialect: "sqlite", Passwords: policy})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	u, err := store.Authenticate(ctx, "alice", "s3cret-pa55")
	fmt.Printf("%+v %v\n", u, err)
	_, err = store.Authenticate(ctx, "alice", "wrong")
	fmt.Println(errors.Is(err, jwtauth.ErrInvalidCredentials))

	token, err := store.TokenAuthentication(ctx)
	if err != nil {
		log.Fatal(err)
	}
	a, err := jwtauth.New(jwtauth.Settings{
		Keys:           jwtauth.Keys{Secret: "an-example-secret-that-is-long-enough-0123456789"},
		Authenticators: []jwtauth.Authenticator{token}, // after JWT
	}, store)
	if err != nil {
		log.Fatal(err)
	}
	hello := a.Required(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := jwtauth.UserFromContext(r.Context())
		fmt.Fprintf(w, "hello %s", u.Username)
	}))
	for _, key := range []string{"9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b", "wrongkey"} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/", nil)
		req.Header.Set("Authorization", "Token "+key)
		hello.ServeHTTP(rec, req)
		fmt.Println(rec.Code, rec.Body)
	}
	// Output:
	// {ID:1 Username:alice Email:alice@example.com IsActive:true PasswordHash:[REDACTED]} <nil>
	// true
	// 200 hello alice
	// 401 {"detail":"Invalid token."}
}
