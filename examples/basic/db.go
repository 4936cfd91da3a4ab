package main

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
	"github.com/jwtauth-go/jwtauth/session"
	"github.com/jwtauth-go/jwtauth/sqlstore"
)

// djangoDB is the database of a Django project, opened by openDB.
type djangoDB struct {
	store *sqlstore.Store
	// tokens is DRF's Token authentication over authtoken_token; nil when
	// the database has no such table (a project without
	// rest_framework.authtoken).
	tokens jwtauth.Authenticator
	// blacklist is simplejwt's, over its token_blacklist tables; nil in
	// DRF-JWT's dialect.
	blacklist *sqlstore.Blacklist
	db        *sql.DB
}

// dbOptions say which of the database's tables and columns hold the
// users, and which dialect the server speaks.
type dbOptions struct {
	// usernameField is Django's USERNAME_FIELD (JWT_USERNAME_FIELD), the
	// username column unless usernameColumn says otherwise.
	usernameField string
	// table, usernameColumn and idColumn name a custom AUTH_USER_MODEL's
	// table and columns (-user-table, -username-column, -user-id-column;
	// "" for auth_user's).
	table, usernameColumn, idColumn string
	// simple is simplejwt's settings, nil for DRF-JWT: the store then
	// also holds simplejwt's blacklist, and writes last_login with
	// UpdateLastLogin.
	simple *jwtauth.SimpleJWT
}

// connectTimeout bounds the first connection to the database.
const connectTimeout = 10 * time.Second

// openDB opens the Django database of dsn, whose users and DRF tokens the
// server then serves:
//
//   - "sqlite:PATH": the SQLite file of a Django project (db.sqlite3),
//     read-only, with the pure-Go driver modernc.org/sqlite;
//   - "postgres://..." or "postgresql://...": PostgreSQL, with pgx.
//
// The store reads Django's auth_user (or the table and columns of o),
// and in DRF-JWT's dialect never writes: no last_login, no re-hashing. In
// simplejwt's it writes simplejwt's token_blacklist tables, which a SQLite
// file is then opened read-write for, and last_login when
// SIMPLE_JWT_UPDATE_LAST_LOGIN says so. A missing authtoken_token table
// leaves tokens nil, with a warning to warn; missing token_blacklist
// tables are an error. Errors never show the DSN, which may hold a
// password.
func openDB(ctx context.Context, dsn string, o dbOptions, warn io.Writer) (*djangoDB, error) {
	db, dialect, what, err := openDSN(dsn, o.simple != nil)
	if err != nil {
		return nil, err
	}
	d, err := newDjangoDB(ctx, db, dialect, o, warn)
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return d, nil
}

// openDSN opens the *sql.DB of dsn (see openDB), a SQLite file for
// writing too when writable, and returns the sqlstore dialect and how
// errors name the database.
func openDSN(dsn string, writable bool) (db *sql.DB, dialect, what string, err error) {
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
		mode := "ro"
		if writable {
			mode = "rw"
		}
		driver, dialect, source = "sqlite", "sqlite", "file:"+escaped+"?mode="+mode+"&_pragma=busy_timeout(2000)"
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

func newDjangoDB(ctx context.Context, db *sql.DB, dialect string, o dbOptions, warn io.Writer) (*djangoDB, error) {
	ctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		return nil, err
	}
	username := o.usernameColumn
	if username == "" {
		username = o.usernameField
	}
	idColumn := o.idColumn
	if idColumn == "" && o.simple != nil {
		idColumn = o.simple.UserIDField // SIMPLE_JWT_USER_ID_FIELD
	}
	store, err := sqlstore.New(ctx, db, sqlstore.Settings{
		Dialect:         dialect,
		Table:           o.table,
		UsernameColumn:  username,
		IDColumn:        idColumn,
		UpdateLastLogin: o.simple != nil && o.simple.UpdateLastLogin,
		// Written out, as a service sharing Django's database should
		// choose them: at most 10 of PostgreSQL's 100 connections, and a
		// 503 rather than a hang when the database stops answering.
		MaxConns: 10,
		Timeout:  2 * time.Second,
	})
	if err != nil {
		return nil, err
	}
	d := &djangoDB{store: store, db: db}
	if d.tokens, err = store.TokenAuthentication(ctx); err != nil {
		fmt.Fprintf(warn, "WARNING: no DRF tokens, Token authentication is off: %v\n", err)
		d.tokens = nil
	}
	if o.simple != nil {
		// Shared with the Django service: a token either side
		// blacklists is refused by both.
		if d.blacklist, err = store.Blacklist(ctx); err != nil {
			_ = store.Close()
			return nil, fmt.Errorf("simplejwt's blacklist (migrate rest_framework_simplejwt.token_blacklist): %w", err)
		}
	}
	return d, nil
}

// Close closes the store and the database.
func (d *djangoDB) Close() error {
	return errors.Join(d.store.Close(), d.db.Close())
}

// sessionLogin is DRF's SessionAuthentication over the database's
// django_session rows (or, with SESSION_ENGINE=...signed_cookies, the
// cookie alone), with Django's settings from the environment
// (session.FromEnv: DJANGO_SECRET_KEY, SESSION_COOKIE_NAME, CSRF_*, ...).
// Without DJANGO_SECRET_KEY, or without a django_session table for the db
// engine, there is no session login: nil, and one warning line to warn.
func sessionLogin(ctx context.Context, lookup func(string) (string, bool), d *djangoDB, warn io.Writer) (jwtauth.Authenticator, error) {
	s, err := session.FromEnv(lookup)
	if err != nil {
		return nil, err
	}
	if s.SecretKey == "" {
		fmt.Fprintln(warn, "WARNING: DJANGO_SECRET_KEY is not set: the Django site's session logins are not accepted")
		return nil, nil
	}
	s.Users = d.store
	if s.Engine == "" || s.Engine == session.EngineDB {
		sessions, err := d.store.Sessions(ctx)
		if err != nil {
			fmt.Fprintf(warn, "WARNING: no Django sessions, session login is off: %v\n", err)
			return nil, nil
		}
		s.Store = sessions
	}
	return session.New(s)
}
