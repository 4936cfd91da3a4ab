package djangotest

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
)

// Schema is the DDL Django 3.2's migrate runs for auth_user and
// authtoken_token, by dialect, as read back from the databases it made
// (sqlite_master; pg_dump).
var Schema = map[string][]string{
	"sqlite": {
		`CREATE TABLE "auth_user" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "password" varchar(128) NOT NULL, "last_login" datetime NULL, "is_superuser" bool NOT NULL, "username" varchar(150) NOT NULL UNIQUE, "last_name" varchar(150) NOT NULL, "email" varchar(254) NOT NULL, "is_staff" bool NOT NULL, "is_active" bool NOT NULL, "date_joined" datetime NOT NULL, "first_name" varchar(150) NOT NULL)`,
		`CREATE TABLE "authtoken_token" ("key" varchar(40) NOT NULL PRIMARY KEY, "created" datetime NOT NULL, "user_id" integer NOT NULL UNIQUE REFERENCES "auth_user" ("id") DEFERRABLE INITIALLY DEFERRED)`,
	},
	"postgres": {
		`CREATE TABLE "auth_user" ("id" serial NOT NULL PRIMARY KEY, "password" varchar(128) NOT NULL, "last_login" timestamp with time zone NULL, "is_superuser" boolean NOT NULL, "username" varchar(150) NOT NULL UNIQUE, "first_name" varchar(150) NOT NULL, "last_name" varchar(150) NOT NULL, "email" varchar(254) NOT NULL, "is_staff" boolean NOT NULL, "is_active" boolean NOT NULL, "date_joined" timestamp with time zone NOT NULL)`,
		`CREATE INDEX "auth_user_username_6821ab7c_like" ON "auth_user" ("username" varchar_pattern_ops)`,
		`CREATE TABLE "authtoken_token" ("key" varchar(40) NOT NULL PRIMARY KEY, "created" timestamp with time zone NOT NULL, "user_id" integer NOT NULL UNIQUE REFERENCES "auth_user" ("id") DEFERRABLE INITIALLY DEFERRED)`,
		`CREATE INDEX "authtoken_token_key_10f0b77e_like" ON "authtoken_token" ("key" varchar_pattern_ops)`,
	},
}

// PostgresDSN names the variable holding the DSN (a postgres:// URL) of a
// PostgreSQL database the tests may create schemas in; .ci/run sets it
// (.ci/postgres.sh start makes one).
const PostgresDSN = "JWTAUTH_TEST_POSTGRES_DSN"

// Postgres creates a fresh, empty schema in the database of
// $JWTAUTH_TEST_POSTGRES_DSN, dropped after the test, and returns a DSN
// whose search_path is that schema. Without the variable the test is
// skipped. Close what you open on it in a cleanup registered after this
// call, so that it runs before the schema is dropped.
func Postgres(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(PostgresDSN)
	if dsn == "" {
		t.Skip(PostgresDSN + " is not set: no PostgreSQL to test against (.ci/postgres.sh start makes one)")
	}
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("%s: want a postgres:// URL", PostgresDSN)
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "jwtauth_test_" + hex.EncodeToString(b)
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		_ = admin.Close()
		t.Fatalf("%s: %v", PostgresDSN, err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
		_ = admin.Close()
	})
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// BlacklistSchema is the DDL of simplejwt's token_blacklist tables,
// token_blacklist_outstandingtoken and token_blacklist_blacklistedtoken,
// by dialect, as Django 3.2's migrate leaves them after all twelve of
// simplejwt 5.2.2's migrations: for tests that need those tables without
// Django. Run it after Schema's, whose auth_user the outstanding tokens
// reference.
//
// SQLite's is sqlite_master's text, byte for byte: Django rebuilds a
// table for each change, which is why "id" comes last there. PostgreSQL
// keeps no DDL, so its is written to recreate what the catalog holds
// after migrate (TestSimpleJWTBlacklistSchema compares the two): column
// order, types, the constraint and index names the migrations' history
// left (the jti_hex ones), and the foreign keys DEFERRABLE INITIALLY
// DEFERRED without ON DELETE, since Django does SET NULL and CASCADE
// itself.
var BlacklistSchema = map[string][]string{
	"sqlite": {
		`CREATE TABLE "token_blacklist_outstandingtoken" ("token" text NOT NULL, "created_at" datetime NULL, "expires_at" datetime NOT NULL, "user_id" integer NULL REFERENCES "auth_user" ("id") DEFERRABLE INITIALLY DEFERRED, "jti" varchar(255) NOT NULL UNIQUE, "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT)`,
		`CREATE INDEX "token_blacklist_outstandingtoken_user_id_83bc629a" ON "token_blacklist_outstandingtoken" ("user_id")`,
		`CREATE TABLE "token_blacklist_blacklistedtoken" ("blacklisted_at" datetime NOT NULL, "token_id" bigint NOT NULL UNIQUE REFERENCES "token_blacklist_outstandingtoken" ("id") DEFERRABLE INITIALLY DEFERRED, "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT)`,
	},
	"postgres": {
		`CREATE TABLE "token_blacklist_outstandingtoken" ("id" bigserial NOT NULL PRIMARY KEY, "token" text NOT NULL, "created_at" timestamp with time zone NULL, "expires_at" timestamp with time zone NOT NULL, "user_id" integer NULL, "jti" varchar(255) NOT NULL, CONSTRAINT "token_blacklist_outstandingtoken_jti_hex_d9bdf6f7_uniq" UNIQUE ("jti"))`,
		`ALTER TABLE "token_blacklist_outstandingtoken" ADD CONSTRAINT "token_blacklist_outs_user_id_83bc629a_fk_auth_user" FOREIGN KEY ("user_id") REFERENCES "auth_user" ("id") DEFERRABLE INITIALLY DEFERRED`,
		`CREATE INDEX "token_blacklist_outstandingtoken_user_id_83bc629a" ON "token_blacklist_outstandingtoken" ("user_id")`,
		`CREATE INDEX "token_blacklist_outstandingtoken_jti_hex_d9bdf6f7_like" ON "token_blacklist_outstandingtoken" ("jti" varchar_pattern_ops)`,
		`CREATE TABLE "token_blacklist_blacklistedtoken" ("id" bigserial NOT NULL PRIMARY KEY, "blacklisted_at" timestamp with time zone NOT NULL, "token_id" bigint NOT NULL UNIQUE)`,
		`ALTER TABLE "token_blacklist_blacklistedtoken" ADD CONSTRAINT "token_blacklist_blacklistedtoken_token_id_3cc7fe56_fk" FOREIGN KEY ("token_id") REFERENCES "token_blacklist_outstandingtoken" ("id") DEFERRABLE INITIALLY DEFERRED`,
	},
}
