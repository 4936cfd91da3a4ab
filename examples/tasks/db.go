package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	_ "modernc.org/sqlite"             // database/sql driver "sqlite", pure Go (no cgo)

	"github.com/jwtauth-go/jwtauth"
	"github.com/jwtauth-go/jwtauth/sqlstore"
)

// djangoDB is the database of a Django project, opened by openDB.
type djangoDB struct {
	store *sqlstore.Store
	users []jwtauth.User // every user, by id
	db    *sql.DB
}

// connectTimeout bounds the first connection to the database.
const connectTimeout = 10 * time.Second

// openDB opens the Django database of dsn, whose users the server then
// serves:
//
//   - "sqlite:PATH": the SQLite file of a Django project (db.sqlite3),
//     read-only, with the pure-Go driver modernc.org/sqlite;
//   - "postgres://..." or "postgresql://...": PostgreSQL, with pgx.
//
// The store reads Django's auth_user, with usernameField (Django's
// USERNAME_FIELD, JWT_USERNAME_FIELD; "" for username) as the username
// column, and never writes: no last_login, no re-hashing. Errors never
// show the DSN, which may hold a password.
func openDB(ctx context.Context, dsn, usernameField string) (*djangoDB, error) {
	db, dialect, what, err := openDSN(dsn)
	if err != nil {
		return nil, err
	}
	d, err := newDjangoDB(ctx, db, dialect, usernameField)
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return d, nil
}

// openDSN opens the *sql.DB of dsn (see openDB) and returns the sqlstore
// dialect and how errors name the database.
func openDSN(dsn string) (db *sql.DB, dialect, what string, err error) {
	var driver, source string
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		path := strings.TrimPrefix(dsn, "sqlite:")
		if path == "" {
			return nil, "", "", errors.New("-db sqlite:PATH: no PATH")
		}
		what = "-db sqlite:" + path
		// The file must exist: SQLite would create an empty one.
		if _, err := os.Stat(path); err != nil {
			return nil, "", "", fmt.Errorf("%s: %w", what, err)
		}
		// A URI filename: escape what would end the path.
		escaped := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
		driver, dialect, source = "sqlite", "sqlite", "file:"+escaped+"?mode=ro&_pragma=busy_timeout(2000)"
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		driver, dialect, source, what = "pgx", "postgres", dsn, "-db postgres"
	default:
		return nil, "", "", errors.New("-db: want sqlite:PATH or postgres://USER:PASSWORD@HOST/NAME")
	}
	db, err = sql.Open(driver, source)
	if err != nil {
		return nil, "", "", fmt.Errorf("%s: %w", what, err)
	}
	return db, dialect, what, nil
}

func newDjangoDB(ctx context.Context, db *sql.DB, dialect, usernameField string) (*djangoDB, error) {
	ctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		return nil, err
	}
	store, err := sqlstore.New(ctx, db, sqlstore.Settings{
		Dialect:        dialect,
		UsernameColumn: usernameField,
		// Written out, as a service sharing Django's database should
		// choose them: at most 10 of PostgreSQL's 100 connections, and a
		// 503 rather than a hang when the database stops answering.
		MaxConns: 10,
		Timeout:  2 * time.Second,
	})
	if err != nil {
		return nil, err
	}
	users, err := listUsers(ctx, db, store, usernameField)
	if err != nil {
		_ = store.Close()
		return nil, err
	}
	return &djangoDB{store: store, users: users, db: db}, nil
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
func (d *djangoDB) Close() error {
	return errors.Join(d.store.Close(), d.db.Close())
}
