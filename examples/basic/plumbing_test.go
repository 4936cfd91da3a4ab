package main

import (
	"context"
	"io"
	"testing"

	"github.com/jwtauth-go/jwtauth"
	"github.com/jwtauth-go/jwtauth/internal/demotest"
	"github.com/jwtauth-go/jwtauth/passwords"
)

func init() { passwordPolicy = passwords.Policy{PBKDF2Iterations: 1} }

func TestUsersFile(t *testing.T) {
	demotest.TestUsersFile(t, func(path string, warn io.Writer) (jwtauth.UserStore, []jwtauth.User, error) {
		users, err := loadUsers(path, warn)
		if err != nil {
			return nil, nil, err
		}
		return users.store, nil, nil
	})
}

func TestSettings(t *testing.T) { demotest.TestSettings(t, settingsFromEnv) }

func TestAccessLog(t *testing.T) { demotest.TestAccessLog(t, accessLog) }

func TestServing(t *testing.T) {
	demotest.TestServing(t, demotest.Serving{NewServer: newServer, Serve: serve, ListenAndServe: listenAndServe})
}

func TestOpenDB(t *testing.T) {
	demotest.TestOpenDB(t, func(ctx context.Context, dsn, usernameField string, warn io.Writer) (*demotest.DB, error) {
		d, err := openDB(ctx, dsn, dbOptions{usernameField: usernameField}, warn)
		if err != nil {
			return nil, err
		}
		return &demotest.DB{Store: d.store, SQL: d.db, Tokens: d.tokens, Close: d.Close}, nil
	}, true)
}
