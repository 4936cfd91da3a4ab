// Package sqlstore is a jwtauth.UserStore over database/sql that reads the
// users of a Django project straight from its database: the auth_user
// table (or the table of a custom AUTH_USER_MODEL), with Django's own
// password hashes (package passwords), and DRF's authtoken_token table for
// "Authorization: Token <key>" (Store.TokenAuthentication). Nobody resets a
// password, syncs a table or runs two login systems.
//
// The package imports no driver: open the database with the driver of
// your choice and give New the *sql.DB and its Dialect, "sqlite",
// "postgres" or "mysql".
//
//	db, err := sql.Open("pgx", "postgres://app@db/django") // github.com/jackc/pgx/v5/stdlib
//	...
//	store, err := sqlstore.New(ctx, db, sqlstore.Settings{Dialect: "postgres"})
//	...
//	token, err := store.TokenAuthentication(ctx)
//	...
//	a, err := jwtauth.New(jwtauth.Settings{
//		Keys:           jwtauth.Keys{Secret: secret},
//		Authenticators: []jwtauth.Authenticator{token, jwtauth.BasicAuthentication(store)},
//	}, store)
//
// # Behaviour
//
// Authenticate is Django's ModelBackend: the username matches exactly (as
// the database compares it), an unknown user, a wrong or unusable password
// and an inactive user are all jwtauth.ErrInvalidCredentials, after the
// same hashing work. Settings.AllowInactive gives AllowAllUsersModelBackend
// instead. On a successful login the store can re-hash a password whose
// hash is weaker than the policy (Settings.UpgradeHashes) and write
// last_login (Settings.UpdateLastLogin); by default it never writes.
// Settings.DjangoVersion names the Django release that shares the
// database: its own policy is then the default, and New refuses an
// upgrading policy that release cannot verify or would re-hash, so that
// the two services never re-hash each other's users.
//
// A failure of the database is returned wrapped ("sqlstore: user lookup:
// ..."), never as a credentials error, so the jwtauth handlers answer 503
// rather than "wrong password". Errors never contain a password, a hash or
// a token key.
//
// # Statements
//
// New checks the table and column names (plain SQL identifiers only,
// quoted for the dialect; nothing from a request is ever put into SQL
// text) and prepares its statements once; a missing table or column is an
// error from New. Every query takes the request's context. The store
// starts no goroutine; Close closes its statements, not the *sql.DB.
package sqlstore
