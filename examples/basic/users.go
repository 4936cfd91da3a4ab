package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/jwtauth-go/jwtauth"
	"github.com/jwtauth-go/jwtauth/drf"
	"github.com/jwtauth-go/jwtauth/passwords"
)

// The demo user, served when there is no users file. Its password, admin,
// and its DRF token key, the one DRF's documentation shows, are public.
var demoUser = jwtauth.User{ID: "1", Username: "admin", Email: "admin@example.com", IsActive: true}

const demoTokenKey = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"

// passwordPolicy hashes the passwords of the users file: Django's default.
// Tests lower its cost.
var passwordPolicy passwords.Policy

// userRecord is one entry of the users file. id is a JSON number or a
// string; is_active defaults to true; token, when not empty, is the user's
// DRF token key.
type userRecord struct {
	ID       json.RawMessage `json:"id"`
	Username string          `json:"username"`
	Password string          `json:"password"`
	Email    string          `json:"email"`
	IsActive *bool           `json:"is_active"`
	Token    string          `json:"token"`
}

// memoryUsers are the users of the users file, in memory.
type memoryUsers struct {
	store  *jwtauth.MemoryStore
	tokens map[string]string // DRF token key → username
}

// loadUsers reads the users file at path: a JSON array of {"id",
// "username", "password", "email", "is_active", "token"} objects (other
// members are ignored). id is a JSON integer or a string, is_active
// defaults to true, an empty password leaves the user unable to log in,
// and token is the user's DRF token key (none when empty). With path "",
// the users are one demo user, admin with password admin (id 1,
// admin@example.com) and token demoTokenKey, and loadUsers writes one
// warning line to warn. Errors name the file and the user, never a
// password or a token.
func loadUsers(path string, warn io.Writer) (*memoryUsers, error) {
	users := &memoryUsers{store: &jwtauth.MemoryStore{Passwords: passwordPolicy}, tokens: map[string]string{}}
	if path == "" {
		fmt.Fprintf(warn, "WARNING: no -users FILE: serving one demo user, %q (id %s), whose password and DRF token are public; use -users for anything but a demo\n", demoUser.Username, demoUser.ID)
		if err := users.store.AddUser(demoUser, "admin"); err != nil {
			return nil, err
		}
		users.tokens[demoTokenKey] = demoUser.Username
		return users, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("users file: %w", err)
	}
	var records []userRecord
	if err := json.Unmarshal(data, &records); err != nil {
		return nil, fmt.Errorf("users file %s: %w", path, err)
	}
	if len(records) == 0 {
		return nil, fmt.Errorf("users file %s: no users", path)
	}
	ids, names := map[string]bool{}, map[string]bool{}
	for i, rec := range records {
		bad := func(format string, args ...any) error {
			return fmt.Errorf("users file %s: user #%d: %s", path, i+1, fmt.Sprintf(format, args...))
		}
		id, err := parseID(rec.ID)
		switch {
		case err != nil:
			return nil, bad("%v", err)
		case rec.Username == "":
			return nil, bad("no username")
		case names[rec.Username]:
			return nil, bad("username %q appears twice", rec.Username)
		case ids[id]:
			return nil, bad("id %s appears twice", id)
		case rec.Token != "" && users.tokens[rec.Token] != "":
			return nil, bad("the token is another user's") // DRF's keys are unique
		}
		ids[id], names[rec.Username] = true, true
		u := jwtauth.User{ID: id, Username: rec.Username, Email: rec.Email, IsActive: rec.IsActive == nil || *rec.IsActive}
		if err := users.store.AddUser(u, rec.Password); err != nil {
			return nil, bad("%v", err)
		}
		if rec.Token != "" {
			users.tokens[rec.Token] = rec.Username
		}
	}
	return users, nil
}

// parseID reads the id of a users file entry: a JSON integer, kept as
// written, or a non-empty string.
func parseID(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil || s == "" {
			return "", errors.New("id is an empty or invalid string")
		}
		return s, nil
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil || strings.ContainsAny(n.String(), ".eE") {
		return "", errors.New(`id must be an integer or a string, like 1 or "1"`)
	}
	return n.String(), nil
}

// tokenAuthentication is DRF's Token authentication over the users' keys,
// in memory as DRF keeps them in its authtoken_token table. The user is
// looked up when the key is used, as DRF does, so the store's answer is
// the current one.
func (m *memoryUsers) tokenAuthentication() jwtauth.Authenticator {
	return drf.TokenAuthentication(func(ctx context.Context, key string) (jwtauth.User, bool, error) {
		// The map is never written after loadUsers, so reading it needs no
		// lock; its hash is seeded per process, so how long a lookup takes
		// tells nothing of the keys.
		username, ok := m.tokens[key]
		if !ok {
			return jwtauth.User{}, false, nil
		}
		u, err := m.store.UserByUsername(ctx, username)
		if errors.Is(err, jwtauth.ErrUserNotFound) {
			return jwtauth.User{}, false, nil // deleted with its token, as in Django
		}
		return u, err == nil, err
	})
}
