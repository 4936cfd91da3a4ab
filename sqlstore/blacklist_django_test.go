package sqlstore_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jwtauth-go/jwtauth/blacklist"
	"github.com/jwtauth-go/jwtauth/internal/djangotest"
	"github.com/jwtauth-go/jwtauth/sqlstore"
)

// djangoToken is a refresh token simplejwt issued.
type djangoToken struct {
	JTI   string `json:"jti"`
	Token string `json:"token"`
	Exp   int64  `json:"exp"`
}

// djangoRow is Django's reading of a token's rows (blacklist_django.py
// check).
type djangoRow struct {
	Blacklisted   bool    `json:"blacklisted"`
	Found         bool    `json:"found"`
	UserID        *int64  `json:"user_id"`
	CreatedAt     *string `json:"created_at"`
	ExpiresAt     *string `json:"expires_at"`
	BlacklistedAt *string `json:"blacklisted_at"`
	Refused       *string `json:"refused"`
}

// blacklistDjango runs testdata/blacklist_django.py with mode on path,
// stdin in, and decodes its JSON into out.
func blacklistDjango(t *testing.T, mode, path string, in any, out any) {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	cmd := exec.Command(djangotest.Python, filepath.Join(filepath.Dir(file), "testdata", "blacklist_django.py"), mode, path)
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stdin = bytes.NewReader(b)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	b, err := cmd.Output()
	if err != nil {
		t.Fatalf("blacklist_django.py %s: %v\n%s", mode, err, stderr.String())
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("blacklist_django.py %s: %v: %s", mode, err, b)
	}
}

// pyISO is t as Django's isoformat() of an aware UTC datetime.
func pyISO(t time.Time) string {
	t = t.UTC()
	if t.Nanosecond() == 0 {
		return t.Format("2006-01-02T15:04:05+00:00")
	}
	return t.Format("2006-01-02T15:04:05.000000+00:00")
}

// shape is s with every digit a 9: the form of a timestamp's text.
func shape(s string) string {
	return strings.Map(func(r rune) rune {
		if '0' <= r && r <= '9' {
			return '9'
		}
		return r
	}, s)
}

// TestDjangoBlacklist: the blacklist shares simplejwt's tables with Django
// 3.2 and simplejwt 5.2.2 themselves, in a SQLite database Django
// migrated. What Django blacklisted is blacklisted here; what is
// blacklisted here Django refuses ("Token is blacklisted"); Django reads
// our rows back as the times we wrote, its flushexpiredtokens deletes
// exactly the expired ones (the text compares as the times do); and the
// timestamps we write have the text form of Django's own.
func TestDjangoBlacklist(t *testing.T) {
	t.Parallel()
	if out, err := exec.Command(djangotest.Python, "-c", "import django, rest_framework_simplejwt").CombinedOutput(); err != nil {
		djangotest.Skip(t, djangotest.Python+" cannot import django and rest_framework_simplejwt (apt-get install python3-djangorestframework-simplejwt): "+strings.TrimSpace(string(out)))
	}
	path := filepath.Join(t.TempDir(), "db.sqlite3")
	var made struct {
		Django, Simplejwt        string
		UserID                   int64 `json:"user_id"`
		Blacklisted, Outstanding djangoToken
	}
	blacklistDjango(t, "create", path, nil, &made)
	t.Logf("Django %s, simplejwt %s", made.Django, made.Simplejwt)
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	d := &testDB{"sqlite", db}
	now := time.Now().UTC().Truncate(time.Microsecond)
	if now.Nanosecond() == 0 {
		now = now.Add(time.Microsecond) // microseconds in the text, as Django's have
	}
	bl := newBlacklist(t, d, sqlstore.Settings{Now: func() time.Time { return now }})
	ctx := context.Background()

	// Django's blacklisting, seen here.
	for jti, want := range map[string]bool{made.Blacklisted.JTI: true, made.Outstanding.JTI: false} {
		if got, err := bl.Blacklisted(ctx, jti); got != want || err != nil {
			t.Errorf("Blacklisted(Django's %s) = %v, %v; want %v", jti, got, err, want)
		}
	}

	// Ours, for Django to see.
	created := now.Add(-time.Minute)
	expires := now.Add(24 * time.Hour).Truncate(time.Second)
	expired := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	user := "1"
	calls := []struct {
		op  func(context.Context, blacklist.Token) error
		tok blacklist.Token
	}{
		// Django's outstanding token, blacklisted here: its row is kept.
		{bl.Blacklist, blacklist.Token{JTI: made.Outstanding.JTI, UserID: user, Token: made.Outstanding.Token, ExpiresAt: time.Unix(made.Outstanding.Exp, 0)}},
		{bl.Outstanding, blacklist.Token{JTI: "go-outstanding", UserID: user, Token: "t1", CreatedAt: created, ExpiresAt: expires}},
		{bl.Blacklist, blacklist.Token{JTI: "go-blacklisted", Token: "t2", ExpiresAt: expires}},
		{bl.Outstanding, blacklist.Token{JTI: "go-expired", UserID: user, Token: "t3", CreatedAt: expired.Add(-time.Hour), ExpiresAt: expired}},
	}
	for _, c := range calls {
		if err := c.op(ctx, c.tok); err != nil {
			t.Fatalf("%s: %v", c.tok.JTI, err)
		}
	}

	// The text of our timestamps has the form of Django's: microseconds
	// where the time has them, none for a whole second (expires_at).
	django, _ := readRow(t, d, made.Blacklisted.JTI)
	ours, _ := readRow(t, d, "go-outstanding")
	oursBl, _ := readRow(t, d, "go-blacklisted")
	for _, c := range []struct{ what, django, ours string }{
		{"created_at", django.createdAt, ours.createdAt},
		{"expires_at", django.expiresAt, ours.expiresAt},
		{"blacklisted_at", django.blacklistedAt, oursBl.blacklistedAt},
	} {
		t.Logf("%s: Django wrote %q, we wrote %q", c.what, c.django, c.ours)
		if shape(c.django) != shape(c.ours) {
			t.Errorf("%s: Django writes %q, we wrote %q", c.what, c.django, c.ours)
		}
	}
	if want := pyTime(expires); ours.expiresAt != want {
		t.Errorf("expires_at %q, want %q", ours.expiresAt, want)
	}

	var answers struct {
		Tokens     map[string]djangoRow
		AfterFlush []string `json:"after_flush"`
	}
	tokenOf := func(s string) *string { return &s }
	blacklistDjango(t, "check", path, map[string]*string{
		made.Blacklisted.JTI: tokenOf(made.Blacklisted.Token),
		made.Outstanding.JTI: tokenOf(made.Outstanding.Token),
		"go-outstanding":     nil,
		"go-blacklisted":     nil,
		"go-expired":         nil,
	}, &answers)
	str := func(p *string) string {
		if p == nil {
			return "<nil>"
		}
		return *p
	}
	one := int64(1)
	for _, want := range []struct {
		jti                   string
		blacklisted           bool
		user                  *int64
		created, expires, bat string // isoformat, "<nil>" for NULL; bat "any" for set
		refused               string
	}{
		{made.Blacklisted.JTI, true, &one, "any", pyISO(time.Unix(made.Blacklisted.Exp, 0)), "any", "Token is blacklisted"},
		{made.Outstanding.JTI, true, &one, "any", pyISO(time.Unix(made.Outstanding.Exp, 0)), pyISO(now), "Token is blacklisted"},
		{"go-outstanding", false, &one, pyISO(created), pyISO(expires), "<nil>", "<nil>"},
		{"go-blacklisted", true, nil, "<nil>", pyISO(expires), pyISO(now), "<nil>"},
		{"go-expired", false, &one, pyISO(expired.Add(-time.Hour)), pyISO(expired), "<nil>", "<nil>"},
	} {
		got := answers.Tokens[want.jti]
		if !got.Found || got.Blacklisted != want.blacklisted || (got.UserID == nil) != (want.user == nil) ||
			got.UserID != nil && *got.UserID != *want.user {
			t.Errorf("%s: Django reads %+v; want blacklisted %v, user_id %v", want.jti, got, want.blacklisted, want.user)
		}
		for _, f := range []struct{ what, got, want string }{
			{"created_at", str(got.CreatedAt), want.created},
			{"expires_at", str(got.ExpiresAt), want.expires},
			{"blacklisted_at", str(got.BlacklistedAt), want.bat},
			{"RefreshToken()", str(got.Refused), want.refused},
		} {
			if f.got != f.want && (f.want != "any" || f.got == "<nil>") {
				t.Errorf("%s: Django reads %s %s, want %s", want.jti, f.what, f.got, f.want)
			}
		}
	}
	// flushexpiredtokens (expires_at <= now, compared as SQLite text)
	// deletes our expired token's row, and no other.
	wantLeft := []string{made.Blacklisted.JTI, made.Outstanding.JTI, "go-blacklisted", "go-outstanding"}
	slices.Sort(wantLeft)
	if !slices.Equal(answers.AfterFlush, wantLeft) {
		t.Errorf("after flushexpiredtokens: %v, want %v", answers.AfterFlush, wantLeft)
	}
	// And the blacklist agrees with what is left.
	if ok, err := bl.Blacklisted(ctx, made.Outstanding.JTI); !ok || err != nil {
		t.Errorf("after the flush: %v, %v", ok, err)
	}
}

// TestDjangoBlacklistUser: after BlacklistUser, Django 3.2 and simplejwt
// 5.2.2 themselves, in a SQLite database Django migrated, refuse every
// refresh and sliding token Django issued the user ("Token is
// blacklisted"), read blacklisted_at as the store's Now, and leave the
// token Django blacklisted before as it was; another user's token is
// still accepted.
func TestDjangoBlacklistUser(t *testing.T) {
	t.Parallel()
	if out, err := exec.Command(djangotest.Python, "-c", "import django, rest_framework_simplejwt").CombinedOutput(); err != nil {
		djangotest.Skip(t, djangotest.Python+" cannot import django and rest_framework_simplejwt (apt-get install python3-djangorestframework-simplejwt): "+strings.TrimSpace(string(out)))
	}
	path := filepath.Join(t.TempDir(), "db.sqlite3")
	var made struct {
		Django, Simplejwt string
		Users             map[string]int64
		Tokens            map[string]djangoToken
	}
	blacklistDjango(t, "users", path, nil, &made)
	t.Logf("Django %s, simplejwt %s", made.Django, made.Simplejwt)
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	d := &testDB{"sqlite", db}
	now := time.Now().UTC().Truncate(time.Microsecond)
	bl := newBlacklist(t, d, sqlstore.Settings{Now: func() time.Time { return now }})
	ctx := context.Background()

	before, _ := readRow(t, d, made.Tokens["alice-blacklisted"].JTI)
	if err := bl.BlacklistUser(ctx, fmt.Sprint(made.Users["alice"])); err != nil {
		t.Fatal(err)
	}
	if after, _ := readRow(t, d, made.Tokens["alice-blacklisted"].JTI); after != before {
		t.Errorf("the token Django blacklisted: rows %+v, then %+v", before, after)
	}

	in := map[string]*string{}
	for _, tok := range made.Tokens {
		in[tok.JTI] = &tok.Token
	}
	var answers struct{ Tokens map[string]djangoRow }
	blacklistDjango(t, "check", path, in, &answers)
	for _, want := range []struct {
		name          string
		blacklistedAt string // isoformat; "any" for Django's own, "" for none
		refused       string
	}{
		{"alice-refresh", pyISO(now), "Token is blacklisted"},
		{"alice-sliding", pyISO(now), "Token is blacklisted"},
		{"alice-blacklisted", "any", "Token is blacklisted"},
		{"bob-refresh", "", ""},
	} {
		got := answers.Tokens[made.Tokens[want.name].JTI]
		var bat, refused string
		if got.BlacklistedAt != nil {
			bat = *got.BlacklistedAt
		}
		if got.Refused != nil {
			refused = *got.Refused
		}
		if !got.Found || got.Blacklisted != (want.blacklistedAt != "") || got.Refused == nil || refused != want.refused ||
			bat != want.blacklistedAt && (want.blacklistedAt != "any" || bat == "" || bat == pyISO(now)) {
			t.Errorf("%s: Django reads found %v, blacklisted %v, blacklisted_at %q, refused %q (%v); want blacklisted_at %q, refused %q",
				want.name, got.Found, got.Blacklisted, bat, refused, got.Refused != nil, want.blacklistedAt, want.refused)
		}
	}
}
