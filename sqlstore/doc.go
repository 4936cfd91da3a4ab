// Package sqlstore is a jwtauth.UserStore over database/sql that reads the
// users of a Django project straight from its database: the auth_user
// table (or the table of a custom AUTH_USER_MODEL), with Django's own
// password hashes (package passwords), DRF's authtoken_token table for
// "Authorization: Token <key>" (Store.TokenAuthentication),
// simplejwt's token_blacklist tables (Store.Blacklist), and Django's
// database sessions in django_session (Store.Sessions). Nobody resets a
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
// UserByUsername finds the user of a DRF-JWT token (its username claim),
// UserByID the user of a simplejwt token (its user_id claim: the primary
// key, an integer or a UUID, dashed or in 32 hex digits); an id that cannot
// be a key of the column's type is not found, not a failure.
//
// # simplejwt's blacklist
//
// Store.Blacklist is a blacklist.Store over the tables of
// rest_framework_simplejwt.token_blacklist as Django's migrate makes them:
// Outstanding records an issued refresh or sliding token, Blacklist gets
// or creates its outstanding row, then its blacklisted row, and
// Blacklisted asks for the join, each as simplejwt does, so that a token
// blacklisted by either Django or the Go service is refused by both.
// BlacklistUser, which Auth.RevokeUser calls, blacklists every unexpired
// outstanding token of a user at once, "log out everywhere" on both sides.
// Rows are written as Django writes them (user_id in the user table's key
// type, NULL for an unknown user; timestamps in UTC, as Django's text on
// SQLite and MySQL), and a row another instance inserted first is no
// error. Django's flushexpiredtokens management command deletes the rows
// of expired tokens; the store deletes none.
//
// # Django's sessions
//
// Store.Sessions reads the django_session table of Django's default
// session engine (Settings.SessionTable): Session returns the
// session_data of a sessionid cookie's key, as Django's SessionMiddleware
// loads it, with Django's own query (the primary key, and expire_date
// after the time given, compared as Django compares it on each database).
// A key Django could not have made (8 to 40 characters of [a-z0-9]) is
// not looked up. No session is ErrNoSession; decoding session_data, the
// user's hash and CSRF are the session package's. The store never writes
// a session: Django's clearsessions deletes the expired rows.
//
// A failure of the database is returned wrapped ("sqlstore: user lookup:
// ..."), never as a credentials error, so the jwtauth handlers answer 503
// rather than "wrong password". Errors never contain a password, a hash, a
// token key, a token or a session key.
//
// # Statements
//
// New checks the table and column names (plain SQL identifiers only,
// quoted for the dialect; nothing from a request is ever put into SQL
// text) and prepares its statements once; a missing table or column is an
// error from New (from TokenAuthentication, Blacklist and Sessions for
// their tables). Every query takes the request's context and runs within
// Settings.Timeout. The store starts no goroutine; Close closes its
// statements, not the *sql.DB.
package sqlstore
