package session

// Django 4.2.28's and 5.2.18's own vectors, testdata/django-*.json (made
// by testdata/make_vectors_4x5x.py, whose docstring documents their
// shape), run through this package, every vector of every kind:
//
//	session_data, signed_cookie,
//	session_data_refused,
//	signed_cookie_refused   TestReleaseSessions
//	auth_user_hash          TestReleaseAuthHashes
//	csrf_mask               TestReleaseCSRFMasks
//	csrf_cookie             TestReleaseCSRFCookies
//	csrf_check              TestReleaseCSRFChecks
//
// Each test counts the vectors it checked, by file and kind, and fails
// unless it checked all of them; loadReleaseVectors refuses a kind no test
// checks.
//
// Where Django 4.2.28 and 5.2.18 (the same answers in both) differ from
// this package. The verdicts, accept or refuse, agree on every vector;
// only the reasons of the refusals differ, because this package answers
// Django 3.2's reasons (see the package documentation: 4.0 split 3.2's
// "CSRF token missing or incorrect." into finer ones, and reports a bad
// cookie as such). The tests assert this package's answer:
//
//	csrf_check vector                          4.2.28 and 5.2.18: "CSRF Failed: ..."                                this package: "CSRF Failed: ..."
//	PATCH without a token                      CSRF token missing.                                                   CSRF token missing or incorrect.
//	POST without a token                       CSRF token missing.                                                   CSRF token missing or incorrect.
//	POST, a token of another secret            CSRF token from POST incorrect.                                       CSRF token missing or incorrect.
//	POST, a header token of another secret     CSRF token from the 'X-Csrftoken' HTTP header incorrect.              CSRF token missing or incorrect.
//	POST, a form token of a bad length         CSRF token from POST has incorrect length.                            CSRF token missing or incorrect.
//	POST, a header token of a bad length       CSRF token from the 'X-Csrftoken' HTTP header has incorrect length.   CSRF token missing or incorrect.
//	POST, a form token with bad characters     CSRF token from POST has invalid characters.                          CSRF token missing or incorrect.
//	POST, a header token with bad characters   CSRF token from the 'X-Csrftoken' HTTP header has invalid characters. CSRF token missing or incorrect.
//	POST, a cookie of a bad length             CSRF cookie has incorrect length.                                     CSRF token missing or incorrect.
//	POST, a cookie with bad characters         CSRF cookie has invalid characters.                                   CSRF token missing or incorrect.
//	POST, an empty cookie                      CSRF cookie has incorrect length.                                     CSRF token missing or incorrect.
//
// The other 13 csrf_check vectors (GET, HEAD, OPTIONS, TRACE, the eight
// accepted POST, PUT and DELETE requests, and "POST without the cookie",
// "CSRF cookie not set." in every release) are answered alike.
//
// Not differences of answer, but of what is done:
//   - csrf_cookie: Django sets the csrftoken cookie (a new secret for a
//     request without a usable one; 4.1+ stores the secret unmasked, and
//     replaces a masked pre-4.1 cookie by its secret). This package only
//     reads cookies: it reads both forms to the same secret, and refuses
//     an unsafe request carrying a cookie Django would replace, as Django
//     refuses it.
//   - auth_user_hash under a fallback: Django accepts the session and
//     then cycles its key and stores SECRET_KEY's hash; this package
//     accepts it and writes nothing.
//   - session_data_refused, Django 3.2's SHA-1 signature and the pre-3.1
//     encoding: refused as 4.x and 5.x refuse them, unless Settings.Legacy
//     is on, which reads them as 3.2 did (under SECRET_KEY only).

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jwtauth-go/jwtauth"
)

// The vector kinds of make_vectors_4x5x.py.
const (
	kindSessionData         = "session_data"
	kindSignedCookie        = "signed_cookie"
	kindSessionDataRefused  = "session_data_refused"
	kindSignedCookieRefused = "signed_cookie_refused"
	kindAuthUserHash        = "auth_user_hash"
	kindCSRFMask            = "csrf_mask"
	kindCSRFCookie          = "csrf_cookie"
	kindCSRFCheck           = "csrf_check"
)

const releaseGenerator = "session/testdata/make_vectors_4x5x.py"

// releaseFile is the top level of a file.
type releaseFile struct {
	Django      string            `json:"django"`
	GeneratedBy string            `json:"generated_by"`
	Python      string            `json:"python"`
	Sources     map[string]string `json:"sources"`
	Settings    releaseSettings   `json:"settings"`
	Vectors     []json.RawMessage `json:"vectors"`
}

// releaseSettings are the Django settings the vectors were made under.
type releaseSettings struct {
	SessionCookieName string `json:"SESSION_COOKIE_NAME"`
	SessionCookieAge  int64  `json:"SESSION_COOKIE_AGE"`
	SessionSerializer string `json:"SESSION_SERIALIZER"`
	CSRFCookieName    string `json:"CSRF_COOKIE_NAME"`
	CSRFHeaderName    string `json:"CSRF_HEADER_NAME"`
	CSRFUseSessions   bool   `json:"CSRF_USE_SESSIONS"`
}

// releaseVector is one vector; Input and Output are read by kind (the
// types below), the last four keys are those of some kinds only.
type releaseVector struct {
	Kind      string          `json:"kind"`
	Django    string          `json:"django"`
	Name      string          `json:"name"`
	Secret    *string         `json:"secret"`
	Fallbacks []string        `json:"fallbacks"`
	Salt      *string         `json:"salt"`
	Input     json.RawMessage `json:"input"`
	Output    json.RawMessage `json:"output"`

	SignedWith *string `json:"signed_with"`
	Compressed *bool   `json:"compressed"`
	JSON       *string `json:"json"`
	Reason     *string `json:"reason"`
}

// The inputs and outputs, by kind. Every key is required.
type (
	releaseSessionIn struct {
		Session   map[string]any `json:"session"`
		Timestamp int64          `json:"timestamp"`
	}
	releaseDataRefusedIn struct {
		SessionData string `json:"session_data"`
	}
	releaseCookieRefusedIn struct {
		Cookie string `json:"cookie"`
		Now    int64  `json:"now"`
	}
	releaseAuthIn struct {
		Password string `json:"password"`
	}
	releaseMaskIn struct {
		Secret string `json:"secret"`
		Mask   string `json:"mask"`
	}
	releaseCSRFCookieIn struct {
		Cookie *string `json:"cookie"`
	}
	releaseCSRFCookieOut struct {
		Cookie *string `json:"cookie"`
		Token  string  `json:"token"`
		Secret string  `json:"secret"`
	}
	releaseCSRFCheckIn struct {
		Method string  `json:"method"`
		Cookie *string `json:"cookie"`
		Form   *string `json:"form"`
		Header *string `json:"header"`
	}
	releaseCSRFCheckOut struct {
		Accepted bool    `json:"accepted"`
		Reason   *string `json:"reason"`
	}
)

// releaseKind is what a kind's vectors hold: the keys beyond the common
// ones, the salt (nil: null), whether secret and signed_with are set,
// the test that checks them, and a strict reading of input and output.
type releaseKind struct {
	extra      []string
	salt       string
	keyed      bool // secret and fallbacks set; null and [] otherwise
	signedWith bool
	test       string
	read       func(releaseVector) error
}

// readAs reads v's input and output as In and Out, strictly.
func readAs[In, Out any](v releaseVector) error {
	var in In
	var out Out
	return readIO(v, &in, &out)
}

func readIO(v releaseVector, in, out any) error {
	if err := decodeExact(v.Input, in); err != nil {
		return fmt.Errorf("input: %w", err)
	}
	if err := decodeExact(v.Output, out); err != nil {
		return fmt.Errorf("output: %w", err)
	}
	return nil
}

var releaseKinds = map[string]releaseKind{
	kindSessionData: {extra: []string{"signed_with", "compressed", "json"}, salt: saltDB, keyed: true, signedWith: true,
		test: "TestReleaseSessions", read: readAs[releaseSessionIn, string]},
	kindSignedCookie: {extra: []string{"signed_with", "compressed", "json"}, salt: saltCookies, keyed: true, signedWith: true,
		test: "TestReleaseSessions", read: readAs[releaseSessionIn, string]},
	kindSessionDataRefused: {extra: []string{"reason"}, salt: saltDB, keyed: true,
		test: "TestReleaseSessions", read: readAs[releaseDataRefusedIn, map[string]any]},
	kindSignedCookieRefused: {extra: []string{"reason"}, salt: saltCookies, keyed: true,
		test: "TestReleaseSessions", read: readAs[releaseCookieRefusedIn, map[string]any]},
	kindAuthUserHash: {extra: []string{"signed_with"}, salt: saltAuthHash, keyed: true, signedWith: true,
		test: "TestReleaseAuthHashes", read: readAs[releaseAuthIn, string]},
	kindCSRFMask:   {test: "TestReleaseCSRFMasks", read: readAs[releaseMaskIn, string]},
	kindCSRFCookie: {test: "TestReleaseCSRFCookies", read: readAs[releaseCSRFCookieIn, releaseCSRFCookieOut]},
	kindCSRFCheck:  {test: "TestReleaseCSRFChecks", read: readAs[releaseCSRFCheckIn, releaseCSRFCheckOut]},
}

var releaseCommonKeys = []string{"kind", "django", "name", "secret", "fallbacks", "salt", "input", "output"}

// releaseVectors are the vectors of one file.
type releaseVectors struct {
	file     string // its base name
	head     releaseFile
	vectors  []releaseVector
	byKind   map[string]int
	loginPW  string // the password column of the user whose login() made the sessions
	loginHsh string // its get_session_auth_hash under SECRET_KEY
	now      int64  // signing's clock when Django read the data back: the latest timestamp
}

// loadReleaseVectors reads every testdata/django-*.json, in
// make_vectors_4x5x.py's shape, strictly: no key unknown, none missing,
// each vector's input and output of its kind's shape, its salt the one
// the package signs with, every kind present and checked by some test.
func loadReleaseVectors(t *testing.T) []*releaseVectors {
	t.Helper()
	paths, err := filepath.Glob("testdata/django-*.json")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no release vectors: %v", err)
	}
	var files []*releaseVectors
	for _, p := range paths {
		f, err := readReleaseFile(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		files = append(files, f)
	}
	return files
}

func readReleaseFile(p string) (*releaseVectors, error) {
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	f := &releaseVectors{file: filepath.Base(p), byKind: map[string]int{}}
	if err := decodeExact(b, &f.head); err != nil {
		return nil, err
	}
	h := f.head
	switch tag := strings.TrimSuffix(strings.TrimPrefix(f.file, "django-"), ".json"); {
	case h.Django != tag:
		return nil, fmt.Errorf("django %q, but the file is named for %q", h.Django, tag)
	case h.GeneratedBy != releaseGenerator:
		return nil, fmt.Errorf("generated_by %q", h.GeneratedBy)
	case h.Python == "":
		return nil, errors.New("no python version")
	case len(h.Sources) == 0:
		return nil, errors.New("no sources")
	}
	for src, sum := range h.Sources {
		if b, err := hex.DecodeString(sum); err != nil || len(b) != sha256.Size || !strings.HasPrefix(src, "django/") {
			return nil, fmt.Errorf("sources: %q: %q is not a SHA-256", src, sum)
		}
	}
	st := h.Settings
	switch {
	case st.SessionSerializer != "django.contrib.sessions.serializers.JSONSerializer":
		return nil, fmt.Errorf("SESSION_SERIALIZER %q: only JSON is read", st.SessionSerializer)
	case st.CSRFUseSessions:
		return nil, errors.New("CSRF_USE_SESSIONS is not supported")
	case st.SessionCookieAge <= 0 || st.SessionCookieName == "" || st.CSRFCookieName == "" || st.CSRFHeaderName == "":
		return nil, fmt.Errorf("settings %+v", st)
	}
	for i, raw := range h.Vectors {
		v, err := readReleaseVector(raw, h.Django)
		if err != nil {
			return nil, fmt.Errorf("vector %d: %w", i, err)
		}
		f.vectors = append(f.vectors, v)
		f.byKind[v.Kind]++
		if v.Kind == kindSessionData {
			var in releaseSessionIn
			var out string
			if err := readIO(v, &in, &out); err != nil {
				return nil, err
			}
			f.now = max(f.now, in.Timestamp)
		}
	}
	if f.now <= 0 {
		return nil, errors.New("no session_data timestamp")
	}
	for kind := range releaseKinds {
		if f.byKind[kind] == 0 {
			return nil, fmt.Errorf("no %s vectors", kind)
		}
	}
	// The sessions' _auth_user_hash is get_session_auth_hash under
	// SECRET_KEY of the first password of the auth_user_hash vectors.
	for _, v := range f.vectors {
		if v.Kind == kindAuthUserHash && *v.SignedWith == *v.Secret {
			var in releaseAuthIn
			var out string
			if err := readIO(v, &in, &out); err != nil {
				return nil, err
			}
			f.loginPW, f.loginHsh = in.Password, out
			break
		}
	}
	return f, nil
}

func readReleaseVector(raw json.RawMessage, django string) (releaseVector, error) {
	var v releaseVector
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(raw, &keys); err != nil {
		return v, err
	}
	if err := decodeExact(raw, &v, "signed_with", "compressed", "json", "reason"); err != nil {
		return v, err
	}
	k, ok := releaseKinds[v.Kind]
	if !ok {
		return v, fmt.Errorf("kind %q: no test checks it", v.Kind)
	}
	want := slices.Sorted(slices.Values(append(slices.Clone(releaseCommonKeys), k.extra...)))
	if got := slices.Sorted(maps.Keys(keys)); !slices.Equal(got, want) {
		return v, fmt.Errorf("%s %q: keys %q, want %q", v.Kind, v.Name, got, want)
	}
	bad := func(format string, args ...any) (releaseVector, error) {
		return v, fmt.Errorf("%s %q: %s", v.Kind, v.Name, fmt.Sprintf(format, args...))
	}
	switch {
	case v.Django != django:
		return bad("django %q in a file of %q", v.Django, django)
	case v.Name == "":
		return bad("no name")
	case k.salt == "" && v.Salt != nil, k.salt != "" && (v.Salt == nil || *v.Salt != k.salt):
		return bad("salt %v, the package's is %q", deref(v.Salt), k.salt)
	case k.keyed && (v.Secret == nil || *v.Secret == "" || slices.Contains(v.Fallbacks, "") || v.Fallbacks == nil):
		return bad("no SECRET_KEY, or an empty fallback")
	case !k.keyed && (v.Secret != nil || v.Fallbacks == nil || len(v.Fallbacks) != 0):
		return bad("a key where none applies")
	case k.signedWith && (v.SignedWith == nil || *v.SignedWith != *v.Secret && !slices.Contains(v.Fallbacks, *v.SignedWith)):
		return bad("signed_with %v is neither SECRET_KEY nor a fallback", deref(v.SignedWith))
	case slices.Contains(k.extra, "compressed") && (v.Compressed == nil || v.JSON == nil):
		return bad("compressed or json null")
	case slices.Contains(k.extra, "reason") && (v.Reason == nil || *v.Reason == ""):
		return bad("no reason")
	}
	if err := k.read(v); err != nil {
		return bad("%v", err)
	}
	return v, nil
}

func deref(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

// decodeExact reads JSON into dst refusing unknown keys and, for a struct,
// missing ones but the optional; numbers in an any stay json.Number, as
// written.
func decodeExact(raw []byte, dst any, optional ...string) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(dst); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("data after the JSON value")
	}
	typ := reflect.TypeOf(dst).Elem()
	if typ.Kind() != reflect.Struct {
		return nil
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(raw, &keys); err != nil {
		return err
	}
	for i := range typ.NumField() {
		name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		if name == "" || name == "-" || !typ.Field(i).IsExported() {
			continue
		}
		if _, ok := keys[name]; !ok && !slices.Contains(optional, name) {
			return fmt.Errorf("no %q", name)
		}
	}
	return nil
}

// read decodes v's input and output, failing the test if they cannot be.
func read[In, Out any](t *testing.T, v releaseVector) (In, Out) {
	t.Helper()
	var in In
	var out Out
	if err := readIO(v, &in, &out); err != nil {
		t.Fatalf("%s: %v", v.Name, err)
	}
	return in, out
}

// tally counts the vectors checked, by file and kind.
type tally map[string]map[string]int

func (c tally) add(f *releaseVectors, kind string) {
	if c[f.file] == nil {
		c[f.file] = map[string]int{}
	}
	c[f.file][kind]++
}

// requireAll fails unless every vector of the kinds was checked.
func (c tally) requireAll(t *testing.T, files []*releaseVectors, kinds ...string) {
	t.Helper()
	for _, f := range files {
		for _, kind := range kinds {
			if got, want := c[f.file][kind], f.byKind[kind]; got != want {
				t.Errorf("%s: %d of %d %s vectors checked", f.file, got, want, kind)
			} else {
				t.Logf("%s: %d %s vectors checked", f.file, got, kind)
			}
		}
	}
}

// TestReleaseVectorKinds: each kind belongs to one test, which checks all
// its vectors (the tests' own requireAll).
func TestReleaseVectorKinds(t *testing.T) {
	files := loadReleaseVectors(t)
	tests := map[string][]string{}
	for kind, k := range releaseKinds {
		tests[k.test] = append(tests[k.test], kind)
	}
	if len(tests) != 5 || len(tests["TestReleaseSessions"]) != 4 {
		t.Fatalf("kinds by test: %v", tests)
	}
	for _, f := range files {
		n := 0
		for _, c := range f.byKind {
			n += c
		}
		if n != len(f.vectors) || len(f.byKind) != len(releaseKinds) {
			t.Errorf("%s: %d vectors, %d by kind, of %d kinds", f.file, len(f.vectors), n, len(f.byKind))
		}
		t.Logf("%s (Django %s): %d vectors: %v", f.file, f.head.Django, len(f.vectors), f.byKind)
	}
}

// settings are the package's Settings for v: its SECRET_KEY and
// SECRET_KEY_FALLBACKS, the file's cookie names and age, read at now.
func (f *releaseVectors) settings(v releaseVector, engine string, now int64) Settings {
	st := f.head.Settings
	s := Settings{
		Engine:         engine,
		CookieName:     st.SessionCookieName,
		CookieAge:      time.Duration(st.SessionCookieAge) * time.Second,
		CSRFCookieName: st.CSRFCookieName,
		CSRFHeaderName: st.CSRFHeaderName,
		Users:          fixedUsers{},
		Now:            func() time.Time { return time.Unix(now, 0) },
	}
	if v.Secret != nil {
		s.SecretKey = jwtauth.Secret(*v.Secret)
	}
	for _, k := range v.Fallbacks {
		s.SecretKeyFallbacks = append(s.SecretKeyFallbacks, jwtauth.Secret(k))
	}
	if engine == EngineDB {
		s.Store = &memStore{}
	}
	return s
}

func engineOf(kind string) string {
	if kind == kindSignedCookie || kind == kindSignedCookieRefused {
		return EngineSignedCookies
	}
	return EngineDB
}

// authenticate runs Authenticate on a GET carrying the session: the
// cookie itself (signed_cookies) or a key whose row holds it (db).
func authenticate(t *testing.T, s Settings, value string) (jwtauth.User, error) {
	t.Helper()
	cookie := value
	if s.Engine == EngineDB {
		st := &memStore{}
		st.put(testSessionKey, value, s.Now().Add(time.Hour))
		s.Store, cookie = st, testSessionKey
	}
	return newTest(t, s).Authenticate(request("GET", "/", "", "Cookie", s.CookieName+"="+cookie))
}

// releaseUsers are the users of the file's sessions, active, with the
// password column whose hash their login() wrote.
func releaseUsers(t *testing.T, f *releaseVectors) fixedUsers {
	t.Helper()
	users := fixedUsers{users: map[string]jwtauth.User{}}
	for _, v := range f.vectors {
		if v.Kind != kindSessionData && v.Kind != kindSignedCookie {
			continue
		}
		in, _ := read[releaseSessionIn, string](t, v)
		id, ok := in.Session[keyUserID].(string)
		if !ok {
			continue
		}
		if h, ok := in.Session[keyHash]; ok && h != f.loginHsh {
			t.Fatalf("%s: %s: _auth_user_hash %v is not that of the auth_user_hash vectors' first password", f.file, v.Name, h)
		}
		users.users[id] = jwtauth.User{ID: id, Username: "user " + id, IsActive: true, PasswordHash: jwtauth.Secret(f.loginPW)}
	}
	return users
}

// TestReleaseSessions: Django's session_data and signed cookies decode,
// under SECRET_KEY or the fallback that signed them, to exactly the
// session Django encoded, and log its user in; the data Django refuses
// are refused (SHA-1 and pre-3.1 data unless Settings.Legacy).
func TestReleaseSessions(t *testing.T) {
	files := loadReleaseVectors(t)
	checked := tally{}
	for _, f := range files {
		users := releaseUsers(t, f)
		for _, v := range f.vectors {
			switch v.Kind {
			case kindSessionData, kindSignedCookie:
				t.Run(f.file+"/"+v.Kind+"/"+v.Name, func(t *testing.T) {
					checkReleaseSession(t, f, v, users)
					checked.add(f, v.Kind)
				})
			case kindSessionDataRefused, kindSignedCookieRefused:
				t.Run(f.file+"/"+v.Kind+"/"+v.Name, func(t *testing.T) {
					checkReleaseRefusal(t, f, v, users)
					checked.add(f, v.Kind)
				})
			}
		}
	}
	checked.requireAll(t, files, kindSessionData, kindSignedCookie, kindSessionDataRefused, kindSignedCookieRefused)
}

func checkReleaseSession(t *testing.T, f *releaseVectors, v releaseVector, users fixedUsers) {
	in, value := read[releaseSessionIn, string](t, v)
	engine := engineOf(v.Kind)
	ts := in.Timestamp

	// Under SECRET_KEY and SECRET_KEY_FALLBACKS, as Django read it back,
	// with Legacy off (4.x, 5.x) and on.
	for _, legacy := range []bool{false, true} {
		s := f.settings(v, engine, ts)
		s.Legacy = legacy
		d, err := newTest(t, s).decodeValue(value)
		if err != nil {
			t.Fatalf("Legacy=%t: %v", legacy, err)
		}
		checkAuthFields(t, d, in.Session)
	}

	// Under the key that signed it, and only there.
	for _, c := range []struct {
		name      string
		key       string
		fallbacks []string
		ok        bool
	}{
		{"signed_with as SECRET_KEY", *v.SignedWith, nil, true},
		{"SECRET_KEY without fallbacks", *v.Secret, nil, *v.SignedWith == *v.Secret},
		{"signed_with as the only fallback", string(testWrong), []string{*v.SignedWith}, true},
		{"the fallbacks but signed_with", *v.Secret, slices.DeleteFunc(slices.Clone(v.Fallbacks), func(k string) bool { return k == *v.SignedWith }), *v.SignedWith == *v.Secret},
		{"another key", string(testWrong), nil, false},
	} {
		w := v
		w.Secret, w.Fallbacks = &c.key, c.fallbacks
		_, err := newTest(t, f.settings(w, engine, ts)).decodeValue(value)
		if (err == nil) != c.ok {
			t.Errorf("%s: err = %v, want accepted=%t", c.name, err, c.ok)
		}
		if err != nil && !errors.Is(err, errSignature) {
			t.Errorf("%s: err = %v, want a bad signature", c.name, err)
		}
	}

	// The whole session, as the package verifies, splits and inflates it.
	a := newTest(t, f.settings(v, engine, ts))
	signed, ok := a.codec.verify(value)
	if !ok {
		t.Fatal("verify refuses it")
	}
	i := strings.LastIndexByte(signed, ':')
	if i < 0 {
		t.Fatal("no timestamp")
	}
	if got, ok := b62Decode(signed[i+1:]); !ok || got != ts {
		t.Errorf("timestamp %q = %d, %t; Django signed at %d", signed[i+1:], got, ok, ts)
	}
	payload, compressed := strings.CutPrefix(signed[:i], ".")
	if compressed != *v.Compressed {
		t.Errorf("compressed = %t, Django's %t", compressed, *v.Compressed)
	}
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		t.Fatal(err)
	}
	if compressed {
		if raw, err = inflate(raw); err != nil {
			t.Fatal(err)
		}
	}
	if string(raw) != *v.JSON {
		t.Errorf("JSON %s, Django signed %s", raw, *v.JSON)
	}
	var got map[string]any
	if err := decodeExact(raw, &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, in.Session) {
		t.Errorf("session %v, Django's %v", got, in.Session)
	}
	if d, err := parseSession(raw); err != nil {
		t.Errorf("parseSession: %v", err)
	} else {
		checkAuthFields(t, d, in.Session)
	}

	// Its age: the db engine's data have none (the row's expire_date
	// limits it); a signed cookie lives SESSION_COOKIE_AGE seconds.
	age := f.head.Settings.SessionCookieAge
	for _, c := range []struct {
		now int64
		ok  bool
	}{
		{ts + age, true},
		{ts + age + 1, engine == EngineDB},
		{ts + 10*age, engine == EngineDB},
	} {
		_, err := newTest(t, f.settings(v, engine, c.now)).decodeValue(value)
		if (err == nil) != c.ok || err != nil && !errors.Is(err, errExpired) {
			t.Errorf("%d s after signing: err = %v, want accepted=%t", c.now-ts, err, c.ok)
		}
	}

	// Through Authenticate: login()'s sessions are their user's.
	s := f.settings(v, engine, ts)
	s.Users = users
	u, err := authenticate(t, s, value)
	id, hasID := in.Session[keyUserID].(string)
	_, hasHash := in.Session[keyHash]
	_, hasBackend := in.Session[keyBackend]
	switch {
	case hasID && hasBackend && hasHash:
		if err != nil || u.ID != id {
			t.Errorf("Authenticate = %q, %v; want user %s", u.ID, err, id)
		}
	case hasID && hasBackend:
		if !errors.Is(err, errAuthHash) || !errors.Is(err, jwtauth.ErrNoCredentials) {
			t.Errorf("Authenticate without _auth_user_hash: %v, want an anonymous request", err)
		}
	default:
		if !errors.Is(err, errNoUser) || !errors.Is(err, jwtauth.ErrNoCredentials) {
			t.Errorf("Authenticate without a login: %v, want an anonymous request", err)
		}
	}
}

// checkAuthFields: the fields the package keeps are the session's.
func checkAuthFields(t *testing.T, d sessionData, session map[string]any) {
	t.Helper()
	for key, got := range map[string]struct {
		v  string
		ok bool
	}{keyUserID: {d.userID, d.hasUserID}, keyBackend: {d.backend, d.hasBackend}, keyHash: {d.hash, d.hasHash}} {
		w, present := session[key].(string)
		if got.ok != present || got.v != w {
			t.Errorf("%s = %q (%t), Django has %q (%t)", key, got.v, got.ok, w, present)
		}
	}
}

// releaseRefusals are the refused vectors, by reason: the error the
// package refuses them with, and whether Legacy reads them (as Django 3.2
// did) to login()'s session of user 1.
var releaseRefusals = map[string]struct {
	err    error
	legacy bool
}{
	// session_data_refused
	"signed with a key neither SECRET_KEY nor a fallback":                         {errSignature, false},
	"the payload changed, the signature kept":                                     {errSignature, false},
	"the signature of another payload":                                            {errSignature, false},
	"the signature cut short":                                                     {errSignature, false},
	"no signature":                                                                {errSignature, false},
	"Django 3.2's legacy HMAC-SHA1 signature, dropped in 4.0":                     {errSignature, true},
	"the format before Django 3.1, base64 of sha1-hexdigest:json, dropped in 4.0": {errSignature, true},
	"empty": {errSignature, false},
	// signed_cookie_refused (and the unknown key above)
	"signed a year before now, past SESSION_COOKIE_AGE": {errExpired, false},
}

func checkReleaseRefusal(t *testing.T, f *releaseVectors, v releaseVector, users fixedUsers) {
	// The session_data, read at the file's clock, or the cookie, at the
	// vector's.
	value, now := "", f.now
	var out map[string]any
	if v.Kind == kindSessionDataRefused {
		var in releaseDataRefusedIn
		in, out = read[releaseDataRefusedIn, map[string]any](t, v)
		value = in.SessionData
	} else {
		var in releaseCookieRefusedIn
		in, out = read[releaseCookieRefusedIn, map[string]any](t, v)
		value, now = in.Cookie, in.Now
	}
	if len(out) != 0 {
		t.Fatalf("Django's session %v, not the empty one of a refusal", out)
	}
	want, ok := releaseRefusals[*v.Reason]
	if !ok {
		t.Fatalf("reason %q: not in releaseRefusals; say how the package refuses it", *v.Reason)
	}
	engine := engineOf(v.Kind)
	for _, legacy := range []bool{false, true} {
		s := f.settings(v, engine, now)
		s.Legacy = legacy
		s.Users = users
		d, err := newTest(t, s).decodeValue(value)
		u, aerr := authenticate(t, s, value)
		if legacy && want.legacy {
			if err != nil || d.userID != "1" || d.hash != f.loginHsh {
				t.Errorf("Legacy: %+v, %v; want login()'s session of user 1 (as Django 3.2 reads it)", d, err)
			}
			if aerr != nil || u.ID != "1" {
				t.Errorf("Legacy: Authenticate = %q, %v; want user 1", u.ID, aerr)
			}
			continue
		}
		if !errors.Is(err, want.err) {
			t.Errorf("Legacy=%t: err = %v, want %v", legacy, err, want.err)
		}
		if !errors.Is(aerr, ErrInvalidSession) || !errors.Is(aerr, jwtauth.ErrNoCredentials) {
			t.Errorf("Legacy=%t: Authenticate = %q, %v; want an anonymous request", legacy, u.ID, aerr)
		}
	}
}

// TestReleaseAuthHashes: get_session_auth_hash and
// get_session_auth_fallback_hash as the package computes them under
// SECRET_KEY and each fallback, against Django's; a session carrying any
// of them logs its user in (Django 4.1.8+).
func TestReleaseAuthHashes(t *testing.T) {
	files := loadReleaseVectors(t)
	checked := tally{}
	for _, f := range files {
		for _, v := range f.vectors {
			if v.Kind != kindAuthUserHash {
				continue
			}
			t.Run(f.file+"/"+v.Name, func(t *testing.T) {
				in, hash := read[releaseAuthIn, string](t, v)
				pw := jwtauth.Secret(in.Password)
				keys := append([]string{*v.Secret}, v.Fallbacks...)
				a := newTest(t, f.settings(v, EngineSignedCookies, f.now))
				if len(a.authKeys) != len(keys) {
					t.Fatalf("%d auth keys for %d keys", len(a.authKeys), len(keys))
				}
				for i, k := range a.authKeys {
					if got, want := hexHMACEqual(sha256.New, k, pw, hash), keys[i] == *v.SignedWith; got != want {
						t.Errorf("the hash under key %d (of SECRET_KEY, then the fallbacks) matches = %t, want %t", i, got, want)
					}
				}
				if got := authHash(jwtauth.Secret(*v.SignedWith), pw, false); got != hash {
					t.Errorf("the test signer's hash %s, Django's %s", got, hash)
				}
				for _, c := range []struct {
					name      string
					key       string
					fallbacks []string
					ok        bool
				}{
					{"SECRET_KEY and its fallbacks", *v.Secret, v.Fallbacks, true},
					{"SECRET_KEY alone", *v.Secret, nil, *v.SignedWith == *v.Secret},
					{"signed_with as SECRET_KEY", *v.SignedWith, nil, true},
					{"signed_with as the only fallback", string(testWrong), []string{*v.SignedWith}, true},
					{"another key", string(testWrong), nil, false},
				} {
					for _, legacy := range []bool{false, true} {
						w := v
						w.Secret, w.Fallbacks = &c.key, c.fallbacks
						s := f.settings(w, EngineSignedCookies, f.now)
						s.Legacy = legacy
						a := newTest(t, s)
						if got := a.hashMatches(hash, pw); got != c.ok {
							t.Errorf("%s, Legacy=%t: matches = %t, want %t", c.name, legacy, got, c.ok)
						}
						if a.hashMatches(hash, pw+"x") || a.hashMatches(hash[:len(hash)-1], pw) {
							t.Errorf("%s, Legacy=%t: matches another password, or a cut hash", c.name, legacy)
						}
					}
				}
				// A login() session carrying it, signed with SECRET_KEY:
				// its user's while the password column is the input.
				session := testSigner{key: jwtauth.Secret(*v.Secret), salt: saltCookies, ts: f.now}.signJSON(t, map[string]any{
					keyUserID: "1", keyBackend: ModelBackend, keyHash: hash,
				})
				for _, c := range []struct {
					password jwtauth.Secret
					ok       bool
				}{{pw, true}, {pw + "!", false}} {
					s := f.settings(v, EngineSignedCookies, f.now)
					s.Users = fixedUsers{users: map[string]jwtauth.User{"1": {ID: "1", IsActive: true, PasswordHash: c.password}}}
					u, err := authenticate(t, s, session)
					if c.ok && (err != nil || u.ID != "1") || !c.ok && !errors.Is(err, errAuthHash) {
						t.Errorf("password column %q: Authenticate = %q, %v; want accepted=%t", c.password, u.ID, err, c.ok)
					}
				}
				checked.add(f, v.Kind)
			})
		}
	}
	checked.requireAll(t, files, kindAuthUserHash)
}

// TestReleaseCSRFMasks: Django's masked tokens unmask to their secrets,
// and the test helper masks as _mask_cipher_secret does.
func TestReleaseCSRFMasks(t *testing.T) {
	files := loadReleaseVectors(t)
	checked := tally{}
	for _, f := range files {
		for i, v := range f.vectors {
			if v.Kind != kindCSRFMask {
				continue
			}
			t.Run(fmt.Sprintf("%s/%d", f.file, i), func(t *testing.T) {
				in, token := read[releaseMaskIn, string](t, v)
				if len(token) != csrfTokenLen || token[:csrfSecretLen] != in.Mask {
					t.Errorf("token %s is not the mask %s and a cipher", token, in.Mask)
				}
				if got := maskToken(in.Secret, in.Mask); got != token {
					t.Errorf("maskToken = %s, Django's %s", got, token)
				}
				for _, tok := range []string{token, in.Secret} {
					if got, ok := csrfSecret(tok); !ok || string(got[:]) != in.Secret {
						t.Errorf("csrfSecret(%s) = %s, %t; want %s", tok, got, ok, in.Secret)
					}
				}
				if !tokensMatch(token, in.Secret) || !tokensMatch(in.Secret, token) || !tokensMatch(token, token) {
					t.Errorf("%s and its secret do not match", token)
				}
				remasked := maskToken(in.Secret, strings.Repeat("0", csrfSecretLen))
				if !tokensMatch(token, remasked) {
					t.Errorf("%s does not match %s, the secret under another mask", token, remasked)
				}
				for j := csrfSecretLen; j < csrfTokenLen; j++ { // any changed cipher character
					b := []byte(token)
					b[j] = csrfChars[(strings.IndexByte(csrfChars, b[j])+1)%len(csrfChars)]
					if tokensMatch(string(b), in.Secret) {
						t.Fatalf("%s, changed at %d, still matches", b, j)
					}
				}
				checked.add(f, v.Kind)
			})
		}
	}
	checked.requireAll(t, files, kindCSRFMask)
}

// csrfRequest is an unsafe request as Django's RequestFactory made the
// csrf vectors' (over HTTP, to testserver): a POST's body multipart, with
// the csrfmiddlewaretoken field when form is set; the session cookie, the
// csrftoken cookie and the header when set.
func csrfRequest(t *testing.T, f *releaseVectors, method, session string, cookie, form, header *string) *http.Request {
	t.Helper()
	var body string
	if method == "POST" {
		// django.test.client.encode_multipart, BOUNDARY "BoUnDaRyStRiNg".
		var lines []string
		if form != nil {
			lines = append(lines, "--BoUnDaRyStRiNg", `Content-Disposition: form-data; name="csrfmiddlewaretoken"`, "", *form)
		}
		body = strings.Join(append(lines, "--BoUnDaRyStRiNg--", ""), "\r\n")
	}
	r := httptest.NewRequest(method, "http://testserver/", strings.NewReader(body))
	if method == "POST" {
		r.Header.Set("Content-Type", "multipart/form-data; boundary=BoUnDaRyStRiNg")
	}
	st := f.head.Settings
	cookies := st.SessionCookieName + "=" + session
	if cookie != nil {
		cookies += "; " + st.CSRFCookieName + "=" + *cookie
	}
	r.Header.Set("Cookie", cookies)
	if header != nil {
		name, ok := headerName(st.CSRFHeaderName)
		if !ok {
			t.Fatalf("CSRF_HEADER_NAME %q", st.CSRFHeaderName)
		}
		r.Header.Set(name, *header)
	}
	return r
}

// loginCookie is the file's signed cookie of login() of user 1 under
// SECRET_KEY, and the settings that read it (at the time it was signed,
// the password column its _auth_user_hash was made of).
func loginCookie(t *testing.T, f *releaseVectors) (string, Settings) {
	t.Helper()
	for _, v := range f.vectors {
		if v.Kind != kindSignedCookie || *v.SignedWith != *v.Secret {
			continue
		}
		in, cookie := read[releaseSessionIn, string](t, v)
		if in.Session[keyUserID] != "1" || in.Session[keyHash] != f.loginHsh {
			continue
		}
		s := f.settings(v, EngineSignedCookies, in.Timestamp)
		s.Users = fixedUsers{users: map[string]jwtauth.User{"1": {ID: "1", IsActive: true, PasswordHash: jwtauth.Secret(f.loginPW)}}}
		return cookie, s
	}
	t.Fatalf("%s: no signed cookie of login() of user 1", f.file)
	return "", Settings{}
}

// csrfAnswer is what the package answers r: "" for accepted, the 403's
// detail otherwise, through Authenticate (the session is user 1's) and
// through the CSRF check alone, which must agree.
func csrfAnswer(t *testing.T, a *authenticator, r func() *http.Request) string {
	t.Helper()
	detail := func(err error) string {
		if err == nil {
			return ""
		}
		var e *jwtauth.Error
		if !errors.As(err, &e) || e.Status != http.StatusForbidden || !errors.Is(err, ErrCSRF) {
			t.Fatalf("err = %v, want a 403 *jwtauth.Error wrapping ErrCSRF", err)
		}
		return e.Detail
	}
	u, err := a.Authenticate(r())
	if err == nil && u.ID != "1" {
		t.Fatalf("Authenticate = user %q, want 1", u.ID)
	}
	got := detail(err)
	if alone := detail(a.csrf.check(r())); alone != got {
		t.Fatalf("Authenticate answers %q, the CSRF check alone %q", got, alone)
	}
	return got
}

// TestReleaseCSRFCookies: the csrftoken cookies Django 4.1+ sets (the
// unmasked secret) and reads (that, and the masked cookie of Django
// before 4.1) are read to the secret of the token get_token() hands out;
// those Django replaces are refused.
func TestReleaseCSRFCookies(t *testing.T) {
	files := loadReleaseVectors(t)
	checked := tally{}
	for _, f := range files {
		session, s := loginCookie(t, f)
		a := newTest(t, s)
		for _, v := range f.vectors {
			if v.Kind != kindCSRFCookie {
				continue
			}
			t.Run(f.file+"/"+v.Name, func(t *testing.T) {
				in, out := read[releaseCSRFCookieIn, releaseCSRFCookieOut](t, v)
				if got, ok := csrfSecret(out.Token); !ok || len(out.Token) != csrfTokenLen || string(got[:]) != out.Secret {
					t.Errorf("get_token()'s %s unmasks to %s, %t; Django's secret %s", out.Token, got, ok, out.Secret)
				}
				if out.Cookie == nil {
					t.Fatal("Django set no cookie") // 4.1+ sets it whenever get_token() ran
				}
				if *out.Cookie != out.Secret || len(*out.Cookie) != csrfSecretLen {
					t.Errorf("the cookie set, %s, is not the 4.1+ unmasked secret %s", *out.Cookie, out.Secret)
				}
				unsafe := func(cookie *string, header string) func() *http.Request {
					return func() *http.Request { return csrfRequest(t, f, "PUT", session, cookie, nil, &header) }
				}
				// The cookie Django set, with the token and with a token of
				// the secret under another mask, and the secret itself.
				for _, tok := range []string{out.Token, maskToken(out.Secret, strings.Repeat("Q", csrfSecretLen)), out.Secret} {
					if got := csrfAnswer(t, a, unsafe(out.Cookie, tok)); got != "" {
						t.Errorf("the cookie Django set, token %s: %q", tok, got)
					}
				}
				// The cookie sent. Django kept its secret when it is the
				// 4.1+ secret or a masked token of it (before 4.1).
				switch c := in.Cookie; {
				case c == nil:
					if got := csrfAnswer(t, a, unsafe(nil, out.Token)); got != "CSRF Failed: "+reasonNoCSRFCookie {
						t.Errorf("no cookie: %q", got)
					}
				case *c == out.Secret || len(*c) == csrfTokenLen && maskToken(out.Secret, (*c)[:csrfSecretLen]) == *c:
					if got, ok := csrfSecret(*c); !ok || string(got[:]) != out.Secret {
						t.Errorf("csrfSecret(%s) = %s, %t; Django's secret %s", *c, got, ok, out.Secret)
					}
					if got := csrfAnswer(t, a, unsafe(c, out.Token)); got != "" {
						t.Errorf("the cookie sent, %s: %q", *c, got)
					}
				default: // Django replaced it, and refuses an unsafe request with it
					if got, ok := csrfSecret(*c); ok {
						t.Errorf("csrfSecret(%s) = %s: Django replaces this cookie", *c, got)
					}
					if got := csrfAnswer(t, a, unsafe(c, out.Token)); got != "CSRF Failed: "+reasonBadToken {
						t.Errorf("the cookie sent, %s: %q", *c, got)
					}
				}
				checked.add(f, v.Kind)
			})
		}
	}
	checked.requireAll(t, files, kindCSRFCookie)
}

// releaseCSRFReasons are the reasons of Django 4.x and 5.x, with the
// default CSRF_HEADER_NAME, and the reason of Django 3.2 this package
// answers instead (the table at the top of the file).
var releaseCSRFReasons = map[string]string{
	"CSRF cookie not set.":                                                  reasonNoCSRFCookie,
	"CSRF token missing.":                                                   reasonBadToken,
	"CSRF token from POST incorrect.":                                       reasonBadToken,
	"CSRF token from the 'X-Csrftoken' HTTP header incorrect.":              reasonBadToken,
	"CSRF token from POST has incorrect length.":                            reasonBadToken,
	"CSRF token from the 'X-Csrftoken' HTTP header has incorrect length.":   reasonBadToken,
	"CSRF token from POST has invalid characters.":                          reasonBadToken,
	"CSRF token from the 'X-Csrftoken' HTTP header has invalid characters.": reasonBadToken,
	"CSRF cookie has incorrect length.":                                     reasonBadToken,
	"CSRF cookie has invalid characters.":                                   reasonBadToken,
}

// TestReleaseCSRFChecks: DRF's enforce_csrf, by CsrfViewMiddleware of
// Django 4.2 and 5.2, against the package's answer on the same request
// from a logged-in session: the same verdict, and 3.2's reason.
func TestReleaseCSRFChecks(t *testing.T) {
	files := loadReleaseVectors(t)
	checked := tally{}
	for _, f := range files {
		session, s := loginCookie(t, f)
		a := newTest(t, s)
		for _, v := range f.vectors {
			if v.Kind != kindCSRFCheck {
				continue
			}
			t.Run(f.file+"/"+v.Name, func(t *testing.T) {
				in, out := read[releaseCSRFCheckIn, releaseCSRFCheckOut](t, v)
				if out.Accepted != (out.Reason == nil) {
					t.Fatalf("accepted %t with reason %v", out.Accepted, deref(out.Reason))
				}
				got := csrfAnswer(t, a, func() *http.Request {
					return csrfRequest(t, f, in.Method, session, in.Cookie, in.Form, in.Header)
				})
				if (got == "") != out.Accepted {
					t.Fatalf("VERDICT: the package answers %q, Django %s accepted=%t (%v)", got, v.Django, out.Accepted, deref(out.Reason))
				}
				want := ""
				if !out.Accepted {
					ours, ok := releaseCSRFReasons[*out.Reason]
					if !ok {
						t.Fatalf("Django's reason %q: not in releaseCSRFReasons", *out.Reason)
					}
					want = "CSRF Failed: " + ours
					if ours != *out.Reason {
						t.Logf("reason: Django %s %q, the package (3.2's) %q", v.Django, *out.Reason, ours)
					}
				}
				if got != want {
					t.Errorf("detail = %q, want %q (Django %s: %v)", got, want, v.Django, deref(out.Reason))
				}
				checked.add(f, v.Kind)
			})
		}
	}
	checked.requireAll(t, files, kindCSRFCheck)
}

// TestReadReleaseFileStrict: the loader refuses a file that strays from
// make_vectors_4x5x.py's shape, so that no vector is read amiss.
func TestReadReleaseFileStrict(t *testing.T) {
	paths, err := filepath.Glob("testdata/django-*.json")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no release vectors: %v", err)
	}
	orig, err := os.ReadFile(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	type doc = map[string]any
	vector := func(d doc, kind string) doc {
		for _, v := range d["vectors"].([]any) {
			if v.(doc)["kind"] == kind {
				return v.(doc)
			}
		}
		t.Fatalf("no %s vector", kind)
		return nil
	}
	for _, c := range []struct {
		name   string
		mutate func(doc)
	}{
		{"as committed", nil},
		{"an unknown top-level key", func(d doc) { d["extra"] = 1 }},
		{"no sources", func(d doc) { delete(d, "sources") }},
		{"another release", func(d doc) { d["django"] = "9.9.9" }},
		{"an unknown setting", func(d doc) { d["settings"].(doc)["CSRF_COOKIE_SECURE"] = true }},
		{"the pickle serializer", func(d doc) {
			d["settings"].(doc)["SESSION_SERIALIZER"] = "django.contrib.sessions.serializers.PickleSerializer"
		}},
		{"an unknown vector key", func(d doc) { vector(d, kindCSRFCheck)["extra"] = nil }},
		{"a key of another kind", func(d doc) { vector(d, kindCSRFCheck)["reason"] = "x" }},
		{"a vector without its reason", func(d doc) { delete(vector(d, kindSessionDataRefused), "reason") }},
		{"a vector without fallbacks", func(d doc) { delete(vector(d, kindAuthUserHash), "fallbacks") }},
		{"an unknown kind", func(d doc) { vector(d, kindCSRFMask)["kind"] = "csrf_origin" }},
		{"a kind missing", func(d doc) {
			d["vectors"] = slices.DeleteFunc(d["vectors"].([]any), func(v any) bool { return v.(doc)["kind"] == kindCSRFCookie })
		}},
		{"another salt", func(d doc) { vector(d, kindSignedCookie)["salt"] = saltDB }},
		{"signed by no key of the settings", func(d doc) { vector(d, kindSessionData)["signed_with"] = string(testWrong) }},
		{"an unknown input key", func(d doc) { vector(d, kindSessionData)["input"].(doc)["now"] = 1 }},
		{"an input key missing", func(d doc) { delete(vector(d, kindSessionData)["input"].(doc), "timestamp") }},
		{"an output key missing", func(d doc) { delete(vector(d, kindCSRFCheck)["output"].(doc), "reason") }},
		{"an output of another type", func(d doc) { vector(d, kindCSRFMask)["output"] = doc{} }},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := orig
			if c.mutate != nil {
				var d doc
				dec := json.NewDecoder(bytes.NewReader(orig))
				dec.UseNumber()
				if err := dec.Decode(&d); err != nil {
					t.Fatal(err)
				}
				c.mutate(d)
				if b, err = json.Marshal(d); err != nil {
					t.Fatal(err)
				}
			}
			p := filepath.Join(t.TempDir(), filepath.Base(paths[0]))
			if err := os.WriteFile(p, b, 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := readReleaseFile(p)
			if (err == nil) != (c.mutate == nil) {
				t.Fatalf("err = %v", err)
			}
			if err != nil {
				t.Logf("refused: %v", err)
			}
		})
	}
}
