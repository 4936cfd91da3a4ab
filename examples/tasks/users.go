package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/jwtauth-go/jwtauth"
	"github.com/jwtauth-go/jwtauth/passwords"
)

// demoUser is the user served when there is no users file. Its password,
// admin, is public.
var demoUser = jwtauth.User{ID: "1", Username: "admin", Email: "admin@example.com", IsActive: true}

// passwordPolicy hashes the passwords of the users file: Django's default.
// Tests lower its cost.
var passwordPolicy passwords.Policy

// userRecord is one entry of the users file. id is a JSON number or a
// string; is_active defaults to true.
type userRecord struct {
	ID       json.RawMessage `json:"id"`
	Username string          `json:"username"`
	Password string          `json:"password"`
	Email    string          `json:"email"`
	IsActive *bool           `json:"is_active"`
}

// loadUsers returns a MemoryStore holding the users of the file at path,
// and the users in file order. The file is a JSON array of {"id",
// "username", "password", "email", "is_active"} objects (other members are
// ignored); id is a JSON integer or a string, is_active defaults to true, and
// an empty password leaves the user unable to log in. With path "", the
// store holds one demo user, admin with password admin (id 1,
// admin@example.com), and loadUsers writes one warning line to warn.
// Errors name the file and the user, never a password.
func loadUsers(path string, warn io.Writer) (*jwtauth.MemoryStore, []jwtauth.User, error) {
	store := &jwtauth.MemoryStore{Passwords: passwordPolicy}
	if path == "" {
		fmt.Fprintf(warn, "WARNING: no -users FILE: serving one demo user, %q (id %s), whose password is public; use -users for anything but a demo\n", demoUser.Username, demoUser.ID)
		if err := store.AddUser(demoUser, "admin"); err != nil {
			return nil, nil, err
		}
		return store, []jwtauth.User{demoUser}, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("users file: %w", err)
	}
	var records []userRecord
	if err := json.Unmarshal(data, &records); err != nil {
		return nil, nil, fmt.Errorf("users file %s: %w", path, err)
	}
	if len(records) == 0 {
		return nil, nil, fmt.Errorf("users file %s: no users", path)
	}
	users := make([]jwtauth.User, 0, len(records))
	ids, names := map[string]bool{}, map[string]bool{}
	for i, rec := range records {
		bad := func(format string, args ...any) error {
			return fmt.Errorf("users file %s: user #%d: %s", path, i+1, fmt.Sprintf(format, args...))
		}
		id, err := parseID(rec.ID)
		switch {
		case err != nil:
			return nil, nil, bad("%v", err)
		case rec.Username == "":
			return nil, nil, bad("no username")
		case names[rec.Username]:
			return nil, nil, bad("username %q appears twice", rec.Username)
		case ids[id]:
			return nil, nil, bad("id %s appears twice", id)
		}
		ids[id], names[rec.Username] = true, true
		u := jwtauth.User{ID: id, Username: rec.Username, Email: rec.Email, IsActive: rec.IsActive == nil || *rec.IsActive}
		if err := store.AddUser(u, rec.Password); err != nil {
			return nil, nil, bad("%v", err)
		}
		users = append(users, u)
	}
	return store, users, nil
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
