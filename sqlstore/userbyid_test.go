package sqlstore_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jwtauth-go/jwtauth"
	"github.com/jwtauth-go/jwtauth/sqlstore"
)

// TestUserByID: users by primary key, active or not, for integer keys
// (auth_user) and UUID keys (a custom user table, in Django's form for each
// database); an id that cannot be a key of the column's type is "no such
// user", never a failure of the database.
func TestUserByID(t *testing.T) {
	const (
		uuid    = "5b0e6a1c-9f3d-4c2e-8a71-0d2f6e4b9c13"
		hexUUID = "5b0e6a1c9f3d4c2e8a710d2f6e4b9c13"
	)
	forEachDB(t, func(t *testing.T, d *testDB) {
		aliceID := d.addUser(t, "alice", "alice@example.com", true, hash(t, testPolicy, "alice password"))
		inactiveID := d.addUser(t, "inactive", "", false, hash(t, testPolicy, "inactive password"))
		alice := jwtauth.User{ID: aliceID, Username: "alice", Email: "alice@example.com", IsActive: true}
		inactive := jwtauth.User{ID: inactiveID, Username: "inactive", IsActive: false}
		ints := newStore(t, d, sqlstore.Settings{})

		d.exec(t, customSchema[d.dialect]...)
		stored := uuid
		if d.dialect == "sqlite" {
			stored = hexUUID
		}
		d.execArgs(t, `INSERT INTO accounts_user (uuid, passwd, seen, mail, enabled) VALUES (?, ?, NULL, ?, ?)`,
			stored, hash(t, testPolicy, "pw"), "ann@example.com", false)
		ann := jwtauth.User{ID: uuid, Username: "ann@example.com", Email: "ann@example.com", IsActive: false}
		uuids := newStore(t, d, sqlstore.Settings{
			Table: "accounts_user", IDColumn: "uuid", UsernameColumn: "mail", PasswordColumn: "passwd",
			EmailColumn: "mail", IsActiveColumn: "enabled", LastLoginColumn: "seen", TokenTable: "accounts_token",
		})

		for _, tc := range []struct {
			name  string
			store *sqlstore.Store
			id    string
			want  jwtauth.User // the zero User: ErrUserNotFound
		}{
			{"integer", ints, aliceID, alice},
			{"inactive", ints, inactiveID, inactive},
			{"leading zero", ints, "0" + aliceID, alice},
			{"unknown integer", ints, "999", jwtauth.User{}},
			{"zero", ints, "0", jwtauth.User{}},
			{"negative", ints, "-1", jwtauth.User{}},
			{"not a number", ints, "abc", jwtauth.User{}},
			{"empty", ints, "", jwtauth.User{}},
			{"space", ints, " " + aliceID, jwtauth.User{}},
			{"decimal point", ints, aliceID + ".0", jwtauth.User{}},
			{"exponent", ints, "1e0", jwtauth.User{}},
			{"beyond int4 (PostgreSQL's serial)", ints, "3000000000", jwtauth.User{}},
			{"beyond int64", ints, "99999999999999999999", jwtauth.User{}},
			{"a UUID for an integer key", ints, uuid, jwtauth.User{}},
			{"NUL", ints, aliceID + "\x00", jwtauth.User{}},
			{"SQL", ints, "1 OR 1=1", jwtauth.User{}},

			{"dashed UUID", uuids, uuid, ann},
			{"32 hex digits", uuids, hexUUID, ann},
			{"upper case", uuids, strings.ToUpper(uuid), ann},
			{"upper-case hex", uuids, strings.ToUpper(hexUUID), ann},
			{"unknown UUID", uuids, "00000000-0000-4000-8000-000000000000", jwtauth.User{}},
			{"UUID too short", uuids, uuid[:35], jwtauth.User{}},
			{"UUID too long", uuids, uuid + "0", jwtauth.User{}},
			{"dashes misplaced", uuids, "5b0e6a1c9-f3d-4c2e-8a71-0d2f6e4b9c13", jwtauth.User{}},
			{"not hex", uuids, "zb0e6a1c-9f3d-4c2e-8a71-0d2f6e4b9c13", jwtauth.User{}},
			{"braces", uuids, "{" + uuid + "}", jwtauth.User{}},
			{"an integer for a UUID key", uuids, "1", jwtauth.User{}},
			{"not UTF-8", uuids, "\xff", jwtauth.User{}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				u, err := tc.store.UserByID(context.Background(), tc.id)
				if tc.want == (jwtauth.User{}) {
					if !errors.Is(err, jwtauth.ErrUserNotFound) || u != (jwtauth.User{}) {
						t.Errorf("UserByID(%q) = %+v, %v; want ErrUserNotFound", tc.id, u, err)
					}
					return
				}
				if err != nil || hashless(u) != tc.want {
					t.Errorf("UserByID(%q) = %+v, %v; want %+v", tc.id, u, err, tc.want)
				}
			})
		}

		// A cancelled request is not "no such user", whatever the id.
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		for _, id := range []string{aliceID, "999", "abc"} {
			if u, err := ints.UserByID(ctx, id); !errors.Is(err, context.Canceled) || isCredentialsAnswer(err) || u != (jwtauth.User{}) {
				t.Errorf("UserByID(%q) with a cancelled context = %+v, %v; want context.Canceled", id, u, err)
			}
		}
	})
}

// TestUserByIDTextKey: a key of another type (a CharField primary key) is
// matched as it is, with no integer or UUID form asked of it.
func TestUserByIDTextKey(t *testing.T) {
	forEachDB(t, func(t *testing.T, d *testDB) {
		d.exec(t, `CREATE TABLE "named_user" ("code" varchar(20) NOT NULL PRIMARY KEY, "username" varchar(150) NOT NULL UNIQUE, "password" varchar(128) NOT NULL, "email" varchar(254) NOT NULL, "is_active" boolean NOT NULL, "last_login" varchar(40) NULL)`)
		d.execArgs(t, `INSERT INTO named_user (code, username, password, email, is_active) VALUES (?, ?, ?, ?, ?)`, "ab-12", "bob", "!", "", true)
		store := newStore(t, d, sqlstore.Settings{Table: "named_user", IDColumn: "code"})
		for id, found := range map[string]bool{"ab-12": true, "AB-12": false, "abc": false, "\x00": false} {
			u, err := store.UserByID(context.Background(), id)
			if found && (err != nil || u.Username != "bob" || u.ID != "ab-12") || !found && !errors.Is(err, jwtauth.ErrUserNotFound) {
				t.Errorf("UserByID(%q) = %+v, %v", id, u, err)
			}
		}
	})
}
