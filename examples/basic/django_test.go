package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/jwtauth-go/jwtauth/internal/demotest"
	"github.com/jwtauth-go/jwtauth/internal/djangotest"
)

// startDjangoServer starts the example's binary (buildBasic) as a user
// would serve a Django project's database: -db sqlite:PATH over the
// database Django made (djangotest), and the default settings: prefix JWT,
// then DRF Token, then Basic. The binary, built without the race detector,
// hashes as fast as a user's server: the logins at Django's default costs
// (bcrypt's above all) take seconds each in a race-detected test process,
// where the other tests run the same code with cheap hashes. It returns
// the server's URL.
func startDjangoServer(t *testing.T) (string, *djangotest.Database) {
	t.Helper()
	dj := djangotest.New(t)
	s := startBasic(t, buildBasic(t), "Django database", []string{"JWT_SECRET_KEY=" + testSecret}, "-db", "sqlite:"+dj.Path)
	s.ready(t)
	return "http://" + s.addr, dj
}

// payload decodes the claims of a JWT, numbers kept as written.
func payload(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", token)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var claims map[string]any
	if err := dec.Decode(&claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

func credentials(username, password string) string {
	b, _ := json.Marshal(map[string]string{"username": username, "password": password})
	return string(b)
}

// TestDjangoDatabase: the users of a database
// made by Django, one per password hasher, log in through the example
// server as through DRF-JWT, and DRF's tokens authenticate.
func TestDjangoDatabase(t *testing.T) {
	t.Parallel()
	url, dj := startDjangoServer(t)
	if len(dj.MissingHashers) > 0 {
		t.Logf("Django %s has no %v hasher: not tested here", dj.Django, dj.MissingHashers)
	}
	const refused = `{"non_field_errors":["Unable to log in with provided credentials."]}`
	for _, u := range dj.Users {
		if u.Password == nil || !u.IsActive {
			continue
		}
		t.Run("obtain/"+u.Algorithm+"/"+u.Username, func(t *testing.T) {
			t.Parallel()
			a := demotest.Do(t, "POST", url+"/api-token-auth/", credentials(u.Username, *u.Password))
			var out struct{ Token string }
			if a.Status != 200 || json.Unmarshal([]byte(a.Body), &out) != nil {
				t.Fatalf("right password: %d %s", a.Status, a.Body)
			}
			c := payload(t, out.Token)
			if c["user_id"] != u.ID || c["username"] != u.Username || c["email"] != u.Email {
				t.Errorf("claims %v; want user_id %s, username %q, email %q, the Django row's", c, u.ID, u.Username, u.Email)
			}
			want := `{"user_id":` + u.ID.String() + `,"username":"` + u.Username + `"}`
			if a := demotest.Do(t, "GET", url+"/api/protected/", "", "Authorization", "JWT "+out.Token); a.Status != 200 || a.Body != want {
				t.Errorf("protected with the token: %d %s, want 200 %s", a.Status, a.Body, want)
			}
			if a := demotest.Do(t, "POST", url+"/api-token-auth/", credentials(u.Username, *u.Password+"x")); a.Status != 400 || a.Body != refused {
				t.Errorf("wrong password: %d %s, want 400 %s", a.Status, a.Body, refused)
			}
		})
	}
	inactive, unusable := dj.User(t, "inactive"), dj.User(t, "nopassword")
	for _, tc := range []struct{ name, username, password string }{
		{"inactive user, right password", inactive.Username, *inactive.Password},
		{"unusable password", unusable.Username, "!"},
		{"unusable password, its hash", unusable.Username, "nopassword"},
		{"unknown user", "ghost", "pbkdf2-sha256 password"},
		{"username case", "PBKDF2_SHA256", "pbkdf2-sha256 password"},
	} {
		t.Run("obtain/"+tc.name, func(t *testing.T) {
			t.Parallel()
			if a := demotest.Do(t, "POST", url+"/api-token-auth/", credentials(tc.username, tc.password)); a.Status != 400 || a.Body != refused {
				t.Errorf("%d %s, want 400 %s", a.Status, a.Body, refused)
			}
		})
	}

	// DRF's tokens, from authtoken_token.
	jurgen := dj.User(t, "jürgen")
	for _, tc := range []struct {
		name, authorization string
		status              int
		body                string
	}{
		{"Token", "Token " + dj.User(t, "pbkdf2_sha256").Token, 200, `{"user_id":1,"username":"pbkdf2_sha256"}`},
		{"Token, non-ASCII username", "token " + jurgen.Token, 200, `{"user_id":` + jurgen.ID.String() + `,"username":"jürgen"}`},
		{"Token of a user without a usable password", "Token " + unusable.Token, 200, `{"user_id":` + unusable.ID.String() + `,"username":"nopassword"}`},
		{"Token of an inactive user", "Token " + inactive.Token, 401, `{"detail":"User inactive or deleted."}`},
		{"wrong key", "Token wrongkey", 401, `{"detail":"Invalid token."}`},
		{"Token alone", "Token", 401, `{"detail":"Invalid token header. No credentials provided."}`},
		{"Token a b", "Token a b", 401, `{"detail":"Invalid token header. Token string should not contain spaces."}`},
		{"Basic, after Token", "Basic " + base64.StdEncoding.EncodeToString([]byte("pbkdf2_sha1:pbkdf2-sha1 password")), 200, `{"user_id":2,"username":"pbkdf2_sha1"}`},
		{"Basic, wrong password", "Basic " + base64.StdEncoding.EncodeToString([]byte("pbkdf2_sha1:wrong")), 401, `{"detail":"Invalid username/password."}`},
	} {
		t.Run("protected/"+tc.name, func(t *testing.T) {
			t.Parallel()
			a := demotest.Do(t, "GET", url+"/api/protected/", "", "Authorization", tc.authorization)
			if a.Status != tc.status || a.Body != tc.body {
				t.Errorf("%d %s, want %d %s", a.Status, a.Body, tc.status, tc.body)
			}
			if got := a.Header.Get("WWW-Authenticate"); (tc.status == 401) != (got == `JWT realm="api"`) {
				t.Errorf("WWW-Authenticate = %q on a %d", got, a.Status)
			}
		})
	}
}
