package main

import (
	"database/sql"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jwtauth-go/jwtauth/internal/demotest"
	"github.com/jwtauth-go/jwtauth/passwords"
)

// customUserDDL is the table Django 3.2's migrate makes on SQLite for a
// custom AUTH_USER_MODEL, accounts.User(AbstractUser) with
// uuid = UUIDField(primary_key=True) and USERNAME_FIELD = "email" (email
// unique): AbstractUser's columns, the key a char(32).
const customUserDDL = `CREATE TABLE "accounts_user" ("password" varchar(128) NOT NULL, "last_login" datetime NULL, "is_superuser" bool NOT NULL, "username" varchar(150) NOT NULL UNIQUE, "first_name" varchar(150) NOT NULL, "last_name" varchar(150) NOT NULL, "is_staff" bool NOT NULL, "is_active" bool NOT NULL, "date_joined" datetime NOT NULL, "uuid" char(32) NOT NULL PRIMARY KEY, "email" varchar(254) NOT NULL UNIQUE)`

// TestCustomUserModel: with -user-table and -user-id-column, -db serves a
// project whose users are not in auth_user, in both dialects: logins by
// email (JWT_USERNAME_FIELD), the UUID key dashed in user_id, and, for
// simplejwt, the user found by that key (SIMPLE_JWT_USER_ID_FIELD).
// Without the flags the server refuses to start, naming the table it
// looked for.
func TestCustomUserModel(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "db.sqlite3")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	hash, err := passwords.Policy{PBKDF2Iterations: 1000}.Hash("ann-password-1")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{customUserDDL,
		`INSERT INTO accounts_user VALUES ('` + hash + `', NULL, 0, 'ann', '', '', 0, 1, '2026-01-02 03:04:05', '5b0e6a1c9f3d4c2e8a710d2f6e4b9c13', 'ann@example.com')`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	bin := buildBasic(t)
	login := `{"email":"ann@example.com","password":"ann-password-1"}`
	annUUID := "5b0e6a1c-9f3d-4c2e-8a71-0d2f6e4b9c13"
	for _, c := range []struct {
		name   string
		env    []string
		args   []string
		obtain string
		scheme string
		field  string // of the obtain answer holding the credential
	}{
		{"drf-jwt", []string{"JWT_SECRET_KEY=" + testSecret, "JWT_USERNAME_FIELD=email"},
			[]string{"-user-table", "accounts_user", "-user-id-column", "uuid"}, "/api-token-auth/", "JWT", "token"},
		{"simplejwt", []string{"JWT_DIALECT=simplejwt", "DJANGO_SECRET_KEY=" + testSecret, "JWT_USERNAME_FIELD=email", "SIMPLE_JWT_USER_ID_FIELD=uuid"},
			[]string{"-user-table", "accounts_user"}, "/api/token/", "Bearer", "access"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.name == "simplejwt" {
				// simplejwt's blacklist tables, as its app migrates them
				// next to a UUID-keyed user model.
				if _, err := db.Exec(`CREATE TABLE IF NOT EXISTS "token_blacklist_outstandingtoken" ("token" text NOT NULL, "created_at" datetime NULL, "expires_at" datetime NOT NULL, "user_id" char(32) NULL REFERENCES "accounts_user" ("uuid") DEFERRABLE INITIALLY DEFERRED, "jti" varchar(255) NOT NULL UNIQUE, "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT)`); err != nil {
					t.Fatal(err)
				}
				if _, err := db.Exec(`CREATE TABLE IF NOT EXISTS "token_blacklist_blacklistedtoken" ("blacklisted_at" datetime NOT NULL, "token_id" bigint NOT NULL UNIQUE REFERENCES "token_blacklist_outstandingtoken" ("id") DEFERRABLE INITIALLY DEFERRED, "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT)`); err != nil {
					t.Fatal(err)
				}
			}
			s := startBasic(t, bin, c.name, c.env, append([]string{"-db", "sqlite:" + path}, c.args...)...)
			s.ready(t)
			defer s.stop(t)
			base := "http://" + s.addr
			a := demotest.Do(t, "POST", base+c.obtain, login)
			var body map[string]string
			if err := json.Unmarshal([]byte(a.Body), &body); a.Status != 200 || err != nil {
				t.Fatalf("obtain: %d %s", a.Status, a.Body)
			}
			if id := payload(t, body[c.field])["user_id"]; id != annUUID {
				t.Errorf("user_id %v, want %s", id, annUUID)
			}
			if a := demotest.Do(t, "GET", base+"/api/protected/", "", "Authorization", c.scheme+" "+body[c.field]); a.Status != 200 ||
				a.Body != `{"user_id":"`+annUUID+`","username":"ann@example.com"}` {
				t.Errorf("protected: %d %s", a.Status, a.Body)
			}
			if c.name == "simplejwt" {
				a := demotest.Do(t, "POST", base+"/api/token/blacklist/", `{"refresh":"`+body["refresh"]+`"}`)
				var owner string
				err := db.QueryRow(`SELECT user_id FROM token_blacklist_outstandingtoken WHERE jti = ?`, payload(t, body["refresh"])["jti"]).Scan(&owner)
				if a.Status != 200 || err != nil || owner != strings.ReplaceAll(annUUID, "-", "") {
					t.Errorf("blacklist: %d %s; outstanding row's user_id %q, %v (want the key as Django stores it)", a.Status, a.Body, owner, err)
				}
			}
		})
	}
	t.Run("without the flags", func(t *testing.T) {
		s := startBasic(t, bin, "no -user-table", []string{"JWT_SECRET_KEY=" + testSecret}, "-db", "sqlite:"+path)
		<-s.done
		if s.err == nil || !strings.Contains(s.log.String(), "auth_user") {
			t.Errorf("exit %v:\n%s", s.err, s.log.String())
		}
	})
}
