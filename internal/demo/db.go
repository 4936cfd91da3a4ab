package demo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	_ "modernc.org/sqlite"             // database/sql driver "sqlite", pure Go (no cgo)

	"github.com/jwtauth-go/jwtauth"
	"github.com/jwtauth-go/jwtauth/sqlstore"
)

// DB is the database of a Django project, opened by OpenDB.
type DB struct {
	Store *sqlstore.Store
	Users []jwtauth.User // every user, by id
	// Token is DRF's Token authentication over authtoken_token; nil when
	// the database has no such table (a project without
	// rest_framework.authtoken).
	Token jwtauth.Authenticator

	db *sql.DB
}

// connectTimeout bounds the first connection to the database.
const connectTimeout = 10 * time.Second

// OpenDB opens the Django database of dsn, whose users and DRF tokens the
// example servers then serve:
//
//   - "sqlite:PATH": the SQLite file of a Django project (db.sqlite3),
//     read-only, with the pure-Go driver modernc.org/sqlite;
//   - "postgres://..." or "postgresql://...": PostgreSQL, with pgx.
//
// The store reads Django's auth_user, with usernameField (Django's
// USERNAME_FIELD, JWT_USERNAME_FIELD; "" for username) as the username
// column, and never writes: no last_login, no re-hashing. A missing
// authtoken_token table leaves Token nil, with a warning to warn. Errors
// never show the DSN, which may hold a password.
func OpenDB(ctx context.Context, dsn, usernameField string, warn io.Writer) (*DB, error) {
	var (
		driver, dialect, source string
		what                    string // the database, for errors
	)
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		path := strings.TrimPrefix(dsn, "sqlite:")
		if path == "" {
			return nil, errors.New("-db sqlite:PATH: no PATH")
		}
		what = "-db sqlite:" + path
		// The file must exist: SQLite would create an empty one.
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		// A URI filename: escape what would end the path.
		escaped := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
		driver, dialect, source = "sqlite", "sqlite", "file:"+escaped+"?mode=ro&_pragma=busy_timeout(5000)"
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		driver, dialect, source, what = "pgx", "postgres", dsn, "-db postgres"
	default:
		return nil, errors.New("-db: want sqlite:PATH or postgres://USER:PASSWORD@HOST/NAME")
	}
	db, err := sql.Open(driver, source)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	d, err := openDB(ctx, db, dialect, usernameField, warn)
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return d, nil
}

func openDB(ctx context.Context, db *sql.DB, dialect, usernameField string, warn io.Writer) (*DB, error) {
	cctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	if err := db.PingContext(cctx); err != nil {
		return nil, err
	}
	store, err := sqlstore.New(cctx, db, sqlstore.Settings{Dialect: dialect, UsernameColumn: usernameField})
	if err != nil {
		return nil, err
	}
	d := &DB{Store: store, db: db}
	if d.Token, err = store.TokenAuthentication(cctx); err != nil {
		fmt.Fprintf(warn, "WARNING: no DRF tokens, Token authentication is off: %v\n", err)
		d.Token = nil
	}
	if d.Users, err = listUsers(cctx, db, store, usernameField); err != nil {
		_ = store.Close()
		return nil, err
	}
	return d, nil
}

// listUsers returns every user of auth_user, by id, as the store reads
// them. The column name was checked by sqlstore.New.
func listUsers(ctx context.Context, db *sql.DB, store *sqlstore.Store, usernameField string) ([]jwtauth.User, error) {
	if usernameField == "" {
		usernameField = "username"
	}
	rows, err := db.QueryContext(ctx, `SELECT "`+usernameField+`" FROM "auth_user" ORDER BY "id"`)
	if err != nil {
		return nil, fmt.Errorf("listing the users: %w", err)
	}
	var names []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			_ = rows.Close()
			return nil, fmt.Errorf("listing the users: %w", err)
		}
		names = append(names, name)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, fmt.Errorf("listing the users: %w", err)
	}
	users := make([]jwtauth.User, 0, len(names))
	for _, name := range names {
		u, err := store.UserByUsername(ctx, name)
		if err != nil {
			return nil, fmt.Errorf("listing the users: %w", err)
		}
		users = append(users, u)
	}
	return users, nil
}

// Close closes the store and the database.
func (d *DB) Close() error {
	return errors.Join(d.Store.Close(), d.db.Close())
}
