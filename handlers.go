package jwtauth

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/jwtauth-go/jwtauth/internal/drf"
)

// maxBodyBytes caps what the handlers read: a login or a token is a few
// hundred bytes.
const maxBodyBytes = 64 << 10

// The views' docstrings, which DRF sends as OPTIONS "description".
const (
	obtainDoc  = "API View that receives a POST with a user's username and password.\n\nReturns a JSON Web Token that can be used for authenticated requests."
	refreshDoc = "API View that returns a refreshed token (with new expiration) based on\nexisting token\n\nIf 'orig_iat' field (original issued-at-time) is found, will first check\nif it's within expiration window, then copy it to the new token"
	verifyDoc  = "API View that checks the veracity of a token, returning the token if it\nis valid."
)

// endpoint is one of the three views: DRF's APIView plumbing around run,
// which gets the validated fields and returns the token to answer.
type endpoint struct {
	a        *Auth
	name     string
	doc      string
	fields   []string // the serializer's fields, in declaration order
	optional string   // a field that may be left out, then absent from run's
	readOnly []string // its read-only fields, which OPTIONS lists after them
	// authenticated views answer only authenticated requests (DRF's
	// IsAuthenticated), checked before the method, as DRF's initial()
	// does; run finds the user in the request's context.
	authenticated bool
	run           func(r *http.Request, f map[string]string) (reply, error)
}

// reply is what an endpoint answers: DRF-JWT's token answer for token
// and user, or, when body is set, that body with status (0 means 200).
type reply struct {
	token  string
	user   User
	body   drf.Object
	status int
}

func (e *endpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// A panic here or in a Settings hook happens before anything is
	// written: answer DRF's 500 rather than drop the connection.
	defer func() {
		if p := recover(); p != nil {
			e.a.fail(w, r, &panicError{p, debug.Stack()})
		}
	}()
	h := w.Header()
	h.Set("Allow", "POST, OPTIONS")
	h.Set("Vary", "Accept")
	if !acceptable(r.Header.Values("Accept")) {
		e.a.fail(w, r, &Error{Status: http.StatusNotAcceptable, Detail: "Could not satisfy the request Accept header."})
		return
	}
	if e.authenticated {
		ac, err := e.a.authRequest(r)
		if err != nil {
			e.a.fail(w, r, e.a.authFailure(err))
			return
		}
		r = r.WithContext(ac)
	}
	switch r.Method {
	case http.MethodPost:
	case http.MethodOptions:
		drf.WriteJSON(w, http.StatusOK, e.metadata())
		return
	default:
		e.a.fail(w, r, &Error{Status: http.StatusMethodNotAllowed, Detail: fmt.Sprintf("Method %q not allowed.", r.Method)})
		return
	}
	// With the auth cookie, a login from another site would set it in the
	// victim's browser (login CSRF).
	if err := e.a.sameOrigin(r); err != nil {
		e.a.fail(w, r, err)
		return
	}
	raw, pe := drf.ReadFields(w, r, maxBodyBytes)
	if pe != nil {
		err := &Error{Status: pe.Status, Detail: pe.Detail}
		if pe.NonField {
			err = fieldErrors(nil, FieldError{nonFieldErrors, []string{pe.Detail}})
		}
		e.a.fail(w, r, err)
		return
	}
	valid := make(map[string]string, len(e.fields))
	var bad []FieldError
	for _, name := range e.fields {
		if name == e.optional && raw[name].Kind == drf.Missing {
			continue
		}
		// Unlike DRF, the password is used exactly as sent; only its
		// blankness is judged on the trimmed text.
		v, msgs := drf.CharField(raw[name], name != "password", 0)
		if msgs != nil {
			bad = append(bad, FieldError{name, msgs})
		}
		valid[name] = v
	}
	if bad != nil {
		e.a.fail(w, r, fieldErrors(nil, bad...))
		return
	}
	rep, err := e.run(r, valid)
	switch {
	case err == nil:
	case errors.As(err, new(*Error)):
	case e.a.s.SimpleJWT != nil:
		err = simpleFormFailure(err)
	default:
		err = formFailure(err)
	}
	if err != nil {
		e.a.fail(w, r, err)
		return
	}
	if rep.body != nil {
		w.Header().Set("Cache-Control", "no-store")
		drf.WriteJSON(w, cmp.Or(rep.status, http.StatusOK), rep.body)
		return
	}
	e.a.respond(w, r, rep.token, rep.user)
}

// respond answers a token: the response payload, the auth cookie if one is
// configured, and no caching anywhere.
func (a *Auth) respond(w http.ResponseWriter, r *http.Request, token string, u User) {
	var body any = map[string]string{"token": token}
	if a.s.ResponsePayloadHandler != nil {
		body = a.s.ResponsePayloadHandler(token, u, r)
	}
	if a.s.AuthCookie != "" {
		http.SetCookie(w, &http.Cookie{
			Name:     a.s.AuthCookie,
			Value:    token,
			Path:     "/",
			Expires:  a.s.Now().Add(a.s.ExpirationDelta).UTC(),
			MaxAge:   int(a.s.ExpirationDelta / time.Second),
			HttpOnly: true,
			Secure:   !a.s.AuthCookieInsecure,
			SameSite: a.s.AuthCookieSameSite,
		})
	}
	w.Header().Set("Cache-Control", "no-store")
	drf.WriteJSON(w, http.StatusOK, body)
}

// login checks the username and password of an obtain endpoint: a
// login slot, the throttle, then the store.
func (a *Auth) login(r *http.Request, f map[string]string) (User, error) {
	username := f[a.s.UsernameField]
	u, err := a.logins.run(r, username, func() (User, error) {
		return a.store.Authenticate(r.Context(), username, f["password"])
	})
	switch {
	case errors.Is(err, errTooManyLogins), errors.Is(err, errThrottled):
		return User{}, err
	case errors.Is(err, ErrInvalidCredentials):
		return User{}, ErrInvalidCredentials
	case err != nil:
		return User{}, &storeError{err}
	case !u.IsActive:
		return User{}, ErrUserInactive
	}
	return u, nil
}

func (a *Auth) obtain(r *http.Request, f map[string]string) (reply, error) {
	u, err := a.login(r, f)
	if err != nil {
		return reply{}, err
	}
	token, err := a.IssueToken(r.Context(), u)
	return reply{token: token, user: u}, err
}

func (a *Auth) verify(r *http.Request, f map[string]string) (reply, error) {
	u, _, err := a.VerifyToken(r.Context(), f["token"])
	return reply{token: f["token"], user: u}, err
}

// blacklistToken is the drf-jwt fork's blacklist view (BlacklistView's
// create): an authenticated POST of a token, or of none to log out the
// request's own, answered 201 {"token": ...} once it is revoked (Revoke).
// Any valid token may be sent, as the fork allows: whoever holds a token
// may use it anyway.
func (a *Auth) blacklistToken(r *http.Request, f map[string]string) (reply, error) {
	tok, ok := f["token"]
	if !ok {
		var err error
		if tok, err = a.credential(r); err != nil {
			// Authenticated by another scheme: the fork's serializer
			// then gets None.
			return reply{}, fieldErrors(nil, FieldError{"token", []string{"This field may not be null."}})
		}
	}
	if err := a.Revoke(r.Context(), tok); err != nil {
		return reply{}, err
	}
	return reply{body: drf.Object{{Name: "token", Value: tok}}, status: http.StatusCreated}, nil
}

func (a *Auth) refresh(r *http.Request, f map[string]string) (reply, error) {
	ctx := r.Context()
	u, c, err := a.VerifyToken(ctx, f["token"])
	if err != nil {
		return reply{}, err
	}
	orig := c.OrigIssuedAt
	now := a.s.Now()
	switch {
	case orig.IsZero():
		return reply{}, errMissingOrigIAT
	case orig.After(now.Add(a.s.Leeway)):
		// A future orig_iat would stretch the refresh window.
		return reply{}, fmt.Errorf("%w: orig_iat is in the future", ErrInvalidToken)
	case now.Unix() > orig.Add(a.s.RefreshExpirationDelta).Unix():
		return reply{}, errRefreshExpired
	}
	if a.s.Revocations != nil {
		if err := a.spend(ctx, &c, f["token"]); err != nil {
			return reply{}, err
		}
	}
	token, err := a.issue(ctx, u, orig)
	return reply{token: token, user: u}, err
}

// acceptable reports whether an Accept header lets us answer JSON (or
// stands for DRF's browsable HTML, which we answer with JSON too).
func acceptable(accept []string) bool {
	if len(accept) == 0 {
		return true
	}
	for _, list := range accept {
		for _, item := range strings.Split(list, ",") {
			mt, _, _ := strings.Cut(item, ";")
			switch strings.ToLower(strings.TrimSpace(mt)) {
			case "", "*/*", "application/*", "application/json", "text/*", "text/html":
				return true
			}
		}
	}
	return false
}

// metadata is DRF's SimpleMetadata answer to OPTIONS.
func (e *endpoint) metadata() any {
	type field struct {
		Type     string `json:"type"`
		Required bool   `json:"required"`
		ReadOnly bool   `json:"read_only"`
		Label    string `json:"label"`
	}
	post := make(drf.Object, 0, len(e.fields)+len(e.readOnly))
	for i, name := range append(slices.Clip(e.fields), e.readOnly...) {
		label := strings.ToUpper(name[:1]) + strings.ReplaceAll(name[1:], "_", " ")
		writable := i < len(e.fields)
		post = append(post, drf.Member{Name: name, Value: field{"string", writable && name != e.optional, !writable, label}})
	}
	return drf.Object{
		{Name: "name", Value: e.name},
		{Name: "description", Value: e.doc},
		{Name: "renders", Value: []string{"application/json", "text/html"}},
		{Name: "parses", Value: []string{"application/json", "application/x-www-form-urlencoded", "multipart/form-data"}},
		{Name: "actions", Value: drf.Object{{Name: "POST", Value: post}}},
	}
}
