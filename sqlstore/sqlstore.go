package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/jwtauth-go/jwtauth"
	"github.com/jwtauth-go/jwtauth/passwords"
)

// Settings say where the users are and what a login may write. The zero
// value of each field is Django's default, except Dialect, which is
// required.
type Settings struct {
	// Dialect is the SQL dialect of the database: "sqlite", "postgres" or
	// "mysql". It chooses the placeholders (? or $1), the quoting of
	// identifiers and how last_login is written.
	Dialect string

	// Table is the user table: Django's AUTH_USER_MODEL table. Default
	// "auth_user".
	Table string
	// IDColumn is the primary key, an integer or a UUID. User.ID is its
	// text form as DRF-JWT writes it to user_id: "42", or a dashed UUID,
	// also where Django stores one as 32 hex digits in a char(32) column
	// (SQLite, MySQL). UserByID looks users up by it. Default "id".
	IDColumn string
	// UsernameColumn is the column of Django's USERNAME_FIELD, matched
	// exactly; "email" for a user model that logs in by email. It must be
	// unique, as Django requires: a username that matches two rows is an
	// error, never a login. Default "username".
	UsernameColumn string
	// PasswordColumn holds Django's encoded password hashes. Default
	// "password".
	PasswordColumn string
	// EmailColumn goes to User.Email; NULL reads as "". Default "email".
	EmailColumn string
	// IsActiveColumn is Django's is_active: a boolean or an integer 0/1;
	// NULL reads as inactive. Default "is_active".
	IsActiveColumn string
	// LastLoginColumn is written on each successful Authenticate when
	// UpdateLastLogin is set. Default "last_login".
	LastLoginColumn string
	// TokenTable is DRF's authtoken table for TokenAuthentication, with
	// its columns key and user_id. Default "authtoken_token".
	TokenTable string
	// OutstandingTokenTable is simplejwt's table of issued refresh and
	// sliding tokens, for Store.Blacklist. Default
	// "token_blacklist_outstandingtoken".
	OutstandingTokenTable string
	// BlacklistedTokenTable is simplejwt's table of blacklisted tokens,
	// for Store.Blacklist. Default "token_blacklist_blacklistedtoken".
	BlacklistedTokenTable string
	// SessionTable is Django's table of database sessions, with its
	// columns session_key, session_data and expire_date, for
	// Store.Sessions. Default "django_session".
	SessionTable string

	// UpdateLastLogin writes the time of each successful Authenticate to
	// LastLoginColumn, as Django's login() does. DRF-JWT's obtain view
	// does not; the default is off, and the store then never writes.
	UpdateLastLogin bool
	// UpgradeHashes re-hashes a password with Passwords on a successful
	// Authenticate when its stored hash is weaker than that policy, as
	// Django's check_password does. Only choose a policy whose algorithm
	// the Django project also has (argon2 needs argon2-cffi there):
	// DjangoVersion has New check it.
	UpgradeHashes bool
	// Passwords is the policy passwords are verified against (what a
	// failed login costs) and, with UpgradeHashes, re-hashed with. The
	// zero value is passwords.DefaultPolicy(), or with DjangoVersion that
	// release's own; New refuses an invalid one.
	Passwords passwords.Policy
	// DjangoVersion is the Django release that shares the database, "3.2"
	// to "6.1", or django.get_version()'s "4.2.11" (passwords.Django). Set,
	// the zero Passwords is that release's default policy, so that its
	// hashes are current here and ours there: neither side re-hashes the
	// other's users at every login, as Django does whenever a hash's costs
	// differ from its own, up or down. With UpgradeHashes, New then also
	// refuses a Passwords policy whose hashes that release cannot verify
	// (scrypt before Django 4.0: its users could no longer log in to
	// Django) or would re-hash (Policy.CheckDjango). Empty, Passwords is
	// used as given.
	DjangoVersion string
	// AllowInactive makes Authenticate return inactive users whose
	// password is right, as Django's AllowAllUsersModelBackend does; the
	// obtain view then answers "User account is disabled.". By default an
	// inactive user gets the wrong-credentials answer, as with Django's
	// ModelBackend.
	AllowInactive bool
	// Now is the clock for last_login and blacklisted_at (not for
	// Sessions.Session, which is given the time). Default
	// time.Now.
	Now func() time.Time

	// Timeout bounds every statement the store runs: past it the request
	// is answered 503 with Retry-After (a store failure), rather than
	// waiting on a database that has stopped answering. Default 2 s;
	// negative is refused.
	Timeout time.Duration
	// MaxConns bounds the connections the store's *sql.DB opens, so that
	// a flood of requests (bad DRF tokens need a query each) cannot take
	// every connection of a database Django shares: PostgreSQL allows 100
	// by default. New applies it to a *sql.DB that has no bound of its
	// own (SetMaxOpenConns); one the caller bounded is left as it is.
	// Default 10; negative is refused.
	MaxConns int
}

// Defaults of Timeout and MaxConns.
const (
	defaultTimeout  = 2 * time.Second
	defaultMaxConns = 10
)

// Store is a jwtauth.UserStore over a Django user table. It is safe for
// concurrent use; its statements are prepared once, by New.
type Store struct {
	s      Settings
	db     *sql.DB
	policy passwords.Policy
	q      quoter

	userStmt      *sql.Stmt // id, username, password, email, is_active by username
	userByIDStmt  *sql.Stmt // the same by primary key
	key           keyType   // of the primary key, for UserByID
	lastLoginStmt *sql.Stmt // nil unless UpdateLastLogin
	passwordStmt  *sql.Stmt // nil unless UpgradeHashes

	mu     sync.Mutex
	stmts  []*sql.Stmt // every statement prepared, for Close
	closed bool
}

var _ jwtauth.UserStore = (*Store)(nil)

// New returns a Store reading the users of db as s describes. It checks
// the settings (table and column names must be plain SQL identifiers:
// letters, digits and underscores, not starting with a digit) and prepares
// the statements, so a missing table or column is reported here. It
// starts no goroutine. The caller keeps db, and closes it after
// Store.Close.
func New(ctx context.Context, db *sql.DB, s Settings) (*Store, error) {
	if db == nil {
		return nil, errors.New("sqlstore: nil *sql.DB")
	}
	q, ok := dialects[s.Dialect]
	if !ok {
		return nil, fmt.Errorf("sqlstore: Dialect %q: want \"sqlite\", \"postgres\" or \"mysql\"", s.Dialect)
	}
	for _, f := range []struct {
		name  string
		value *string
		def   string
	}{
		{"Table", &s.Table, "auth_user"},
		{"IDColumn", &s.IDColumn, "id"},
		{"UsernameColumn", &s.UsernameColumn, "username"},
		{"PasswordColumn", &s.PasswordColumn, "password"},
		{"EmailColumn", &s.EmailColumn, "email"},
		{"IsActiveColumn", &s.IsActiveColumn, "is_active"},
		{"LastLoginColumn", &s.LastLoginColumn, "last_login"},
		{"TokenTable", &s.TokenTable, "authtoken_token"},
		{"OutstandingTokenTable", &s.OutstandingTokenTable, "token_blacklist_outstandingtoken"},
		{"BlacklistedTokenTable", &s.BlacklistedTokenTable, "token_blacklist_blacklistedtoken"},
		{"SessionTable", &s.SessionTable, "django_session"},
	} {
		if *f.value == "" {
			*f.value = f.def
		}
		if !validIdentifier(*f.value) {
			return nil, fmt.Errorf("sqlstore: %s %q is not a plain SQL identifier ([A-Za-z_][A-Za-z0-9_]*)", f.name, *f.value)
		}
	}
	if err := s.Passwords.Validate(); err != nil {
		return nil, fmt.Errorf("sqlstore: Passwords: %w", err)
	}
	if s.DjangoVersion != "" {
		release, err := passwords.Django(s.DjangoVersion)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: DjangoVersion: %w", err)
		}
		if s.Passwords == (passwords.Policy{}) {
			s.Passwords = release
		}
		// Without upgrades the store writes no hash, and a policy Django
		// would not write only sets what a failed login costs.
		if s.UpgradeHashes {
			if err := s.Passwords.CheckDjango(s.DjangoVersion); err != nil {
				return nil, fmt.Errorf("sqlstore: Passwords with UpgradeHashes and DjangoVersion %q: %w", s.DjangoVersion, err)
			}
		}
	}
	if s.Now == nil {
		s.Now = time.Now
	}
	switch {
	case s.Timeout < 0:
		return nil, errors.New("sqlstore: Timeout is negative")
	case s.MaxConns < 0:
		return nil, errors.New("sqlstore: MaxConns is negative")
	case s.Timeout == 0:
		s.Timeout = defaultTimeout
	}
	if s.MaxConns == 0 {
		s.MaxConns = defaultMaxConns
	}
	if db.Stats().MaxOpenConnections == 0 {
		db.SetMaxOpenConns(s.MaxConns)
	}
	st := &Store{s: s, db: db, policy: s.Passwords, q: q}

	// Every column is qualified by its table: SQLite reads an unknown
	// double-quoted name alone as a string literal, which would hide a
	// wrong column name; qualified, it is an error here.
	t := q.ident(s.Table)
	col := func(name string) string { return t + "." + q.ident(name) }
	// LIMIT 2: a username that is not unique is found out, not guessed.
	var err error
	st.userStmt, err = st.prepare(ctx, "user lookup", fmt.Sprintf("SELECT %s FROM %s WHERE %s = %s LIMIT 2",
		st.userColumns(t+".", col(s.PasswordColumn)), t, col(s.UsernameColumn), q.placeholder(1)))
	if err == nil {
		st.userByIDStmt, err = st.prepare(ctx, "user lookup by id", fmt.Sprintf("SELECT %s FROM %s WHERE %s = %s LIMIT 2",
			st.userColumns(t+".", col(s.PasswordColumn)), t, col(s.IDColumn), q.placeholder(1)))
	}
	if err == nil {
		st.key, err = st.keyType(ctx, t, col(s.IDColumn))
	}
	if err == nil && s.UpdateLastLogin {
		st.lastLoginStmt, err = st.prepare(ctx, "last_login update", fmt.Sprintf("UPDATE %s SET %s = %s WHERE %s = %s",
			t, q.ident(s.LastLoginColumn), q.placeholder(1), col(s.IDColumn), q.placeholder(2)))
	}
	if err == nil && s.UpgradeHashes {
		// Only the hash that was verified is replaced: a password changed
		// meanwhile is left alone.
		st.passwordStmt, err = st.prepare(ctx, "password upgrade", fmt.Sprintf("UPDATE %s SET %s = %s WHERE %s = %s AND %s = %s",
			t, q.ident(s.PasswordColumn), q.placeholder(1), col(s.IDColumn), q.placeholder(2), col(s.PasswordColumn), q.placeholder(3)))
	}
	if err != nil {
		_ = st.Close()
		return nil, err
	}
	return st, nil
}

// keyType reads the database type of the primary key column: it decides
// what an id from a token is given to the database as, and which ids
// cannot be keys at all (PostgreSQL answers "abc" for an integer with an
// error, not with no row).
func (s *Store) keyType(ctx context.Context, table, column string) (keyType, error) {
	ctx, cancel := context.WithTimeout(ctx, s.s.Timeout)
	defer cancel()
	rows, err := s.db.QueryContext(ctx, fmt.Sprintf("SELECT %s FROM %s WHERE 1 = 0", column, table))
	if err != nil {
		return keyType{}, fmt.Errorf("sqlstore: type of %s: %w", s.s.IDColumn, err)
	}
	defer func() { _ = rows.Close() }()
	types, err := rows.ColumnTypes()
	if err != nil {
		return keyType{}, fmt.Errorf("sqlstore: type of %s: %w", s.s.IDColumn, err)
	}
	return keyTypeOf(s.s.Dialect, types[0].DatabaseTypeName()), nil
}

// exec runs a statement within the store's Timeout.
func (s *Store) exec(ctx context.Context, stmt *sql.Stmt, args ...any) error {
	_, err := s.execRows(ctx, stmt, args...)
	return err
}

// execRows runs a statement within the store's Timeout, and returns how
// many rows it wrote.
func (s *Store) execRows(ctx context.Context, stmt *sql.Stmt, args ...any) (int64, error) {
	ctx, cancel := context.WithTimeout(ctx, s.s.Timeout)
	defer cancel()
	res, err := stmt.ExecContext(ctx, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// prepare prepares query on the store's database and remembers it for
// Close.
func (s *Store) prepare(ctx context.Context, what, query string) (*sql.Stmt, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errors.New("sqlstore: store is closed")
	}
	stmt, err := s.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: prepare %s: %w", what, err)
	}
	s.stmts = append(s.stmts, stmt)
	return stmt, nil
}

// Close closes the store's prepared statements, those of
// TokenAuthentication, Blacklist and Sessions included; it does not close the *sql.DB. Calls after the first do
// nothing.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	var errs []error
	for _, stmt := range s.stmts {
		if err := stmt.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	s.stmts = nil
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sqlstore: close: %w", err)
	}
	return nil
}

// row is a user as read from the table, with what an update needs.
type row struct {
	user   jwtauth.User
	id     any    // the primary key as the driver gave it, for WHERE id = ?
	secret string // the encoded password, or the token key; "" when NULL
}

// userColumns are the columns queryRow reads, in its order, from the
// user table named by prefix (with its dot), then one more: secret.
func (s *Store) userColumns(prefix, secret string) string {
	q := s.q
	return fmt.Sprintf("%s%s, %s%s, %s%s, %s%s, %s", prefix, q.ident(s.s.IDColumn), prefix, q.ident(s.s.UsernameColumn),
		prefix, q.ident(s.s.EmailColumn), prefix, q.ident(s.s.IsActiveColumn), secret)
}

// queryRow runs stmt, selecting userColumns, and reads its row. found is
// false when there is none; more than one is an error. what names the
// statement in errors.
func queryRow(ctx context.Context, timeout time.Duration, stmt *sql.Stmt, what string, arg any) (r row, found bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	rows, err := stmt.QueryContext(ctx, arg)
	if err != nil {
		return row{}, false, fmt.Errorf("sqlstore: %s: %w", what, err)
	}
	defer func() { _ = rows.Close() }()
	var (
		id          idValue
		name, email sql.NullString
		active      boolValue
		secret      sql.NullString
		n           int
	)
	for rows.Next() {
		if n++; n > 1 {
			return row{}, false, fmt.Errorf("sqlstore: %s: more than one row matches", what)
		}
		if err := rows.Scan(&id, &name, &email, &active, &secret); err != nil {
			return row{}, false, fmt.Errorf("sqlstore: %s: %w", what, err)
		}
		if isUUIDHex(id.text) {
			if types, err := rows.ColumnTypes(); err == nil && djangoUUIDColumn(types[0].DatabaseTypeName()) {
				id.text = dashUUID(id.text)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return row{}, false, fmt.Errorf("sqlstore: %s: %w", what, err)
	}
	if n == 0 {
		return row{}, false, nil
	}
	u := jwtauth.User{ID: id.text, Username: name.String, Email: email.String, IsActive: bool(active)}
	return row{user: u, id: id.raw, secret: secret.String}, true, nil
}

// lookup reads the user whose username is exactly username. An error
// wrapping jwtauth.ErrUserNotFound means there is none; any other error is
// a failure of the database.
func (s *Store) lookup(ctx context.Context, username string) (row, error) {
	if err := ctx.Err(); err != nil {
		return row{}, fmt.Errorf("sqlstore: user lookup: %w", err)
	}
	// PostgreSQL refuses NUL and invalid UTF-8 in text parameters with an
	// error; no stored username has them, so they are not asked about.
	if !validText(username) {
		return row{}, fmt.Errorf("sqlstore: %w", jwtauth.ErrUserNotFound)
	}
	return s.find(ctx, s.userStmt, "user lookup", username)
}

// validText reports whether s can be a text parameter: PostgreSQL refuses
// NUL and invalid UTF-8 with an error.
func validText(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

// find runs a user lookup and reads its row, as lookup documents. The
// user carries the stored hash, which simplejwt's CHECK_REVOKE_TOKEN ties
// tokens to.
func (s *Store) find(ctx context.Context, stmt *sql.Stmt, what string, arg any) (row, error) {
	r, found, err := queryRow(ctx, s.s.Timeout, stmt, what, arg)
	switch {
	case err != nil:
		return row{}, err
	case !found:
		return row{}, fmt.Errorf("sqlstore: %w", jwtauth.ErrUserNotFound)
	}
	r.user.PasswordHash = jwtauth.Secret(r.secret)
	return r, nil
}

// UserByUsername implements jwtauth.UserStore: the user whose username is
// exactly username, active or not; an error wrapping
// jwtauth.ErrUserNotFound when there is none; any other error is a failure
// of the database (the request is answered 503).
func (s *Store) UserByUsername(ctx context.Context, username string) (jwtauth.User, error) {
	r, err := s.lookup(ctx, username)
	if err != nil {
		return jwtauth.User{}, err
	}
	return r.user, nil
}

// UserByID returns the user whose primary key (Settings.IDColumn) is id,
// active or not, as simplejwt's JWTAuthentication finds the user of a
// token's user_id claim. id is the key's text form: a decimal integer, or
// a UUID, dashed or as 32 hex digits, whichever form the database stores
// it in. An id that cannot be a key of the column's type ("abc" for an
// integer key, a malformed UUID), like an id no user has, is an error
// wrapping jwtauth.ErrUserNotFound; any other error is a failure of the
// database (the request is answered 503).
func (s *Store) UserByID(ctx context.Context, id string) (jwtauth.User, error) {
	if err := ctx.Err(); err != nil {
		return jwtauth.User{}, fmt.Errorf("sqlstore: user lookup by id: %w", err)
	}
	arg, ok := s.key.arg(id)
	if !ok {
		return jwtauth.User{}, fmt.Errorf("sqlstore: %w", jwtauth.ErrUserNotFound)
	}
	r, err := s.find(ctx, s.userByIDStmt, "user lookup by id", arg)
	if err != nil {
		return jwtauth.User{}, err
	}
	return r.user, nil
}

// Authenticate implements jwtauth.UserStore as Django's ModelBackend
// does. It returns the user when the password matches the stored hash,
// and an error wrapping jwtauth.ErrInvalidCredentials when the user is
// unknown, the password wrong or unusable ("!..."), the hash malformed or
// of an unknown format, or the user inactive (unless AllowInactive): each
// costs the work of one password verification, so timing does not tell
// which usernames exist. On success it upgrades a weak hash
// (UpgradeHashes) and writes last_login (UpdateLastLogin) for an active
// user. Any other error is a failure of the database or of ctx, never a
// credentials answer.
func (s *Store) Authenticate(ctx context.Context, username, password string) (jwtauth.User, error) {
	r, err := s.lookup(ctx, username)
	switch {
	case errors.Is(err, jwtauth.ErrUserNotFound):
		s.policy.Waste(password)
		return jwtauth.User{}, fmt.Errorf("sqlstore: %w", jwtauth.ErrInvalidCredentials)
	case err != nil:
		return jwtauth.User{}, err
	}
	// An error is an unusable, malformed, unknown or too costly hash: no
	// match, after the same work as a wrong password (Verify does it).
	ok, upgrade, err := s.policy.Verify(password, r.secret)
	ok = ok && err == nil
	if !ok || (!r.user.IsActive && !s.s.AllowInactive) {
		// An inactive user's right password is a failure too: no cheaper
		// than a wrong one (Verify's rule) when the stored hash is weaker
		// than the policy's.
		if ok && upgrade {
			s.policy.Waste(password)
		}
		return jwtauth.User{}, fmt.Errorf("sqlstore: %w", jwtauth.ErrInvalidCredentials)
	}
	if !r.user.IsActive {
		return r.user, nil // AllowInactive: the caller refuses it by name
	}
	if upgrade && s.passwordStmt != nil {
		encoded, err := s.policy.Hash(password)
		if err != nil {
			return jwtauth.User{}, fmt.Errorf("sqlstore: password upgrade: %w", err)
		}
		if err := s.exec(ctx, s.passwordStmt, encoded, r.id, r.secret); err != nil {
			return jwtauth.User{}, fmt.Errorf("sqlstore: password upgrade: %w", err)
		}
	}
	if s.lastLoginStmt != nil {
		if err := s.exec(ctx, s.lastLoginStmt, s.q.timestamp(s.s.Now()), r.id); err != nil {
			return jwtauth.User{}, fmt.Errorf("sqlstore: last_login update: %w", err)
		}
	}
	return r.user, nil
}
