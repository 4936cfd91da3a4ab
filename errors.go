package jwtauth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/jwtauth-go/jwtauth/internal/drf"
	"github.com/jwtauth-go/jwtauth/internal/token"
)

// Sentinel errors, for the cases a caller must tell apart: no credentials
// (ReadOnly lets such a request read), wrong credentials, an unknown or
// disabled user, and a token that is bad or merely expired (a client
// refreshes that one). Every refusal of a credential wraps exactly one of
// them, for errors.Is; the other refusals are *Error values whose Status
// says what happened (429 throttled, 503 busy, 403 cross-site). Their
// texts are Go-style; the DRF messages clients see are kept in one table
// (messages, below) and never built from an error's text.
var (
	// ErrNoCredentials: the request carries no credentials of any
	// configured scheme.
	ErrNoCredentials = errors.New("jwtauth: no credentials")
	// ErrInvalidCredentials: a username and password do not match an
	// active user, or an Authorization header is not what its scheme
	// requires (sent twice, no credentials after the scheme, ...).
	ErrInvalidCredentials = errors.New("jwtauth: invalid credentials")
	// ErrUserNotFound: no user has the username (or key) the token or
	// request names. UserStore implementations return it.
	ErrUserNotFound = errors.New("jwtauth: user not found")
	// ErrUserInactive: the user exists but is not active.
	ErrUserInactive = errors.New("jwtauth: user account is disabled")
	// ErrInvalidToken: any reason to refuse a token but its expiry: not a
	// well-formed compact JWS, a signature no key verifies, an algorithm
	// other than the configured one, a crit header, a foreign typ, a
	// missing exp, an nbf in the future, a wrong or unexpected aud or iss,
	// a claim of the wrong type, claims that name no user, a token_type
	// other than access, or a refresh that its orig_iat does not allow.
	ErrInvalidToken = token.ErrInvalid
	// ErrExpiredToken: the token's exp has passed (leeway included), or,
	// on refresh, orig_iat + RefreshExpirationDelta has.
	ErrExpiredToken = token.ErrExpired
)

// Finer causes, unexported: each has a DRF message of its own but is still
// one of the sentinels above for errors.Is, or, for refusals that are not
// about the credential, the cause of an *Error.
var (
	errMalformed      = token.ErrMalformed
	errSignature      = token.ErrSignature
	errPayload        = token.ErrPayload
	errMissingOrigIAT = fmt.Errorf("%w: orig_iat is missing", ErrInvalidToken)
	errRefreshExpired = fmt.Errorf("%w: refresh has expired", ErrExpiredToken)

	errInvalidHeader   = fmt.Errorf("%w: invalid authorization header", ErrInvalidCredentials)
	errNoToken         = fmt.Errorf("%w: no token after the prefix", errInvalidHeader)
	errTokenSpaces     = fmt.Errorf("%w: token contains spaces", errInvalidHeader)
	errDuplicateHeader = fmt.Errorf("%w: more than one Authorization header", errInvalidHeader)
	errDuplicateCookie = fmt.Errorf("%w: the auth cookie is sent more than once", errInvalidHeader)
	errBasicNoCreds    = fmt.Errorf("%w: basic: no credentials after the scheme", errInvalidHeader)
	errBasicSpaces     = fmt.Errorf("%w: basic: credentials contain spaces", errInvalidHeader)
	errBasicEncoding   = fmt.Errorf("%w: basic: credentials not base64 user:password", errInvalidHeader)
	errBasicInvalid    = fmt.Errorf("%w: basic", ErrInvalidCredentials)
	errBasicInactive   = fmt.Errorf("%w: basic", ErrUserInactive)

	// simplejwt's.
	errBadAuthHeader = fmt.Errorf("%w: not two space-delimited values", errInvalidHeader)
	errNoID          = fmt.Errorf("%w: no jti", ErrInvalidToken)
	errNoType        = fmt.Errorf("%w: no token_type", ErrInvalidToken)
	errWrongType     = fmt.Errorf("%w: wrong token_type", ErrInvalidToken)
	errBlacklisted   = fmt.Errorf("%w: blacklisted", ErrInvalidToken)
	// Ours, worded as the blacklist's in both dialects.
	errRevoked         = fmt.Errorf("%w: revoked", errBlacklisted)
	errReplayed        = fmt.Errorf("%w: refresh token used twice, its family revoked", errRevoked)
	errNoRefreshExp    = fmt.Errorf("%w: no refresh_exp", ErrInvalidToken)
	errNoExp           = token.ErrNoExp
	errRefreshExpiredS = fmt.Errorf("%w: refresh_exp has passed", ErrExpiredToken)
	errNoUserID        = fmt.Errorf("%w: no user id", errPayload)
	errPasswordChanged = fmt.Errorf("%w: the password has changed since the token was issued", ErrInvalidCredentials)

	errThrottled     = errors.New("jwtauth: too many login attempts")
	errTooManyLogins = errors.New("jwtauth: too many logins in progress")
	errCrossSite     = errors.New("jwtauth: cross-site request")
)

// messages maps each error to the detail DRF sends for it: auth is what the
// authentication classes answer (401), form what the verify, refresh and
// obtain serializers answer (400, in non_field_errors). Finer causes come
// before the sentinel they wrap; the first entry that matches wins.
var messages = []struct {
	err        error
	auth, form string
}{
	{errNoToken, "Invalid Authorization header. No credentials provided.", ""},
	{errTokenSpaces, "Invalid Authorization header. Credentials string should not contain spaces.", ""},
	// A WSGI server joins repeated headers with ", ", so DRF sees spaces.
	{errDuplicateHeader, "Invalid Authorization header. Credentials string should not contain spaces.", ""},
	{errBasicNoCreds, "Invalid basic header. No credentials provided.", ""},
	{errBasicSpaces, "Invalid basic header. Credentials string should not contain spaces.", ""},
	{errBasicEncoding, "Invalid basic header. Credentials not correctly base64 encoded.", ""},
	{errBasicInvalid, "Invalid username/password.", ""},
	{errBasicInactive, "User inactive or deleted.", ""},
	{ErrNoCredentials, "Authentication credentials were not provided.", ""},
	{errInvalidHeader, "Incorrect authentication credentials.", ""},
	// The drf-jwt fork's words; its middleware answers them 403.
	{errRevoked, "Token is blacklisted.", "Token is blacklisted."},
	{errMalformed, "Error decoding signature.", "Error decoding signature."},
	{errSignature, "Error decoding signature.", "Error decoding signature."},
	{errRefreshExpired, "Incorrect authentication credentials.", "Refresh has expired."},
	{ErrExpiredToken, "Signature has expired.", "Signature has expired."},
	{errPayload, "Invalid payload.", "Invalid payload."},
	{errMissingOrigIAT, "Incorrect authentication credentials.", "orig_iat field is required."},
	{ErrInvalidToken, "Incorrect authentication credentials.", "Invalid token."},
	{ErrUserNotFound, "Invalid signature.", "User doesn't exist."},
	{ErrUserInactive, "User account is disabled.", "User account is disabled."},
	{ErrInvalidCredentials, "Incorrect authentication credentials.", "Unable to log in with provided credentials."},
}

// simpleMessages are simplejwt's answers, as messages are DRF-JWT's:
// detail is the message and code its "code" (none for DRF's own
// exceptions). A token's own faults (the first group) are what the
// middleware lists under "messages", one for each token class it tried;
// the endpoints answer them as {"detail", "code": "token_not_valid"}.
var simpleMessages = []struct {
	err          error
	detail, code string
	tokenFault   bool
}{
	{errNoUserID, "Token contained no recognizable user identification", "token_not_valid", false},
	{errNoID, "Token has no id", "token_not_valid", true},
	{errNoType, "Token has no type", "token_not_valid", true},
	{errWrongType, "Token has wrong type", "token_not_valid", true},
	{errBlacklisted, "Token is blacklisted", "token_not_valid", true},
	{errNoRefreshExp, "Token has no 'refresh_exp' claim", "token_not_valid", true},
	{errNoExp, "Token has no 'exp' claim", "token_not_valid", true},
	{errRefreshExpiredS, "Token 'refresh_exp' claim has expired", "token_not_valid", true},
	// simplejwt 5.2 words every failure of PyJWT's decoding thus.
	{ErrExpiredToken, "Token is invalid or expired", "token_not_valid", true},
	{ErrInvalidToken, "Token is invalid or expired", "token_not_valid", true},

	{errBadAuthHeader, "Authorization header must contain two space-delimited values", "bad_authorization_header", false},
	{ErrUserNotFound, "User not found", "user_not_found", false},
	{ErrUserInactive, "User is inactive", "user_inactive", false},
	{errPasswordChanged, "The user's password has been changed.", "password_changed", false},
}

// simpleMessage returns simplejwt's detail and code for err, and whether
// err is a token's own fault.
func simpleMessage(err error) (detail, code string, tokenFault, ok bool) {
	for _, m := range simpleMessages {
		if errors.Is(err, m.err) {
			return m.detail, m.code, m.tokenFault, true
		}
	}
	return "", "", false, false
}

// classesError is the refusal of a token by each of simplejwt's token
// classes the middleware tried, in order; it is the first one's for
// errors.Is.
type classesError struct {
	classes []tokenClass
	errs    []error
}

func (e *classesError) Error() string { return e.errs[0].Error() }
func (e *classesError) Unwrap() error { return e.errs[0] }

// lookupMessage returns the DRF texts for err, or ok false when err is not
// one of ours (a store failure, say).
func lookupMessage(err error) (auth, form string, ok bool) {
	for _, m := range messages {
		if errors.Is(err, m.err) {
			return m.auth, m.form, true
		}
	}
	return "", "", false
}

// kinds names the client's failures in log records, by sentinel: the
// reason kinds of the security checklist.
var kinds = []struct {
	err  error
	kind string
}{
	{errInvalidHeader, "bad-header"},
	{errMalformed, "malformed"},
	{errSignature, "bad-signature"},
	{errRefreshExpired, "refresh-expired"},
	{errRevoked, "revoked"},
	{errBlacklisted, "blacklisted"},
	{errWrongType, "wrong-token-type"},
	{errPasswordChanged, "password-changed"},
	{ErrExpiredToken, "expired"},
	{errPayload, "invalid-payload"},
	{errMissingOrigIAT, "orig-iat-missing"},
	{ErrInvalidToken, "invalid-token"},
	{ErrUserNotFound, "unknown-user"},
	{ErrUserInactive, "inactive-user"},
	{ErrInvalidCredentials, "bad-credentials"},
	{errThrottled, "throttled"},
	{errTooManyLogins, "too-many-logins"},
	{errCrossSite, "cross-site"},
}

// kindOf returns the kind of a refusal, or "" for anything else: no
// credentials at all, and failures of the service, which are logged at
// Error level where they are answered.
func kindOf(err error) string {
	for _, k := range kinds {
		if errors.Is(err, k.err) {
			return k.kind
		}
	}
	return ""
}

// refused logs the refusal of token for err (see logRefusal), and returns
// err.
func (a *Auth) refused(ctx context.Context, token string, err error) error {
	if kindOf(err) != "" {
		logRefusal(ctx, a.s.Logger, "jwtauth: token refused", err, tokenTag(token))
	}
	return err
}

// logRefusal records a refused login, token or request at Debug level,
// with its kind and reason: invisible under slog's default level, so that
// a flood of bad requests does not become a flood of log records, and
// there for an operator who gives Settings.Logger a handler at
// slog.LevelDebug. The reason is our error's text, which never holds a
// token, a password or a key.
func logRefusal(ctx context.Context, log *slog.Logger, msg string, err error, attrs ...slog.Attr) {
	if !log.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs = append(attrs, slog.String("kind", kindOf(err)), slog.String("reason", err.Error()))
	log.LogAttrs(ctx, slog.LevelDebug, msg, attrs...)
}

// logSafe cuts user input for a log record to Django's longest username,
// at a character boundary.
func logSafe(s string) string {
	const max = 150
	if len(s) <= max {
		return s
	}
	return strings.ToValidUTF8(s[:max], "") + "…"
}

// tokenTag identifies a token in log records without revealing it: the
// first 8 hex digits of its SHA-256, enough to tell tokens apart, far too
// few to recover or forge one.
func tokenTag(token string) slog.Attr {
	sum := sha256.Sum256([]byte(token))
	return slog.String("token_sha256", hex.EncodeToString(sum[:4]))
}

// Error is a failure answered with an HTTP status and DRF's body, like
// DRF's APIException: {"detail": "..."}, or, when Fields is set, a
// serializer's field errors, {"username": ["This field is required."]} or
// {"non_field_errors": ["Unable to log in with provided credentials."]}.
// The middleware reports authentication failures as *Error with Status
// 401, the endpoints their refusals as 400 with Fields; an Authenticator
// of another scheme, or a view, returns one to choose the client's message.
type Error struct {
	Status int    // HTTP status code
	Detail string // the client-facing message, DRF's wording
	// Fields are a 400's field errors, in DRF's order: fields as declared,
	// then non_field_errors. When set, they are the body, not Detail.
	Fields []FieldError
	// Code is simplejwt's "code" member ("token_not_valid", ...), written
	// after detail when set; DRF-JWT's answers have none.
	Code string
	Err  error // the cause, usually wrapping one of the sentinels
	// RetryAfter, when positive, is how long the client should wait: the
	// middleware and the handlers send it as Retry-After.
	RetryAfter time.Duration
	// messages are simplejwt's per-token-class reasons, written last.
	messages []drf.Object
}

func (e *Error) Error() string {
	switch {
	case e.Err != nil:
		return e.Err.Error()
	case e.Fields != nil:
		return "jwtauth: invalid request fields"
	}
	return fmt.Sprintf("jwtauth: %d %s", e.Status, e.Detail)
}

// Unwrap returns the cause, so errors.Is(err, ErrExpiredToken) works on an
// *Error.
func (e *Error) Unwrap() error { return e.Err }

// body is what DefaultErrorHandler writes for e.
func (e *Error) body() any {
	switch {
	case e.Fields == nil && e.Code == "":
		return drf.Detail{Detail: e.Detail}
	case e.Fields == nil:
		o := drf.Object{{Name: "detail", Value: e.Detail}, {Name: "code", Value: e.Code}}
		if e.messages != nil {
			o = append(o, drf.Member{Name: "messages", Value: e.messages})
		}
		return o
	}
	o := make(drf.Object, len(e.Fields))
	for i, f := range e.Fields {
		o[i] = drf.Member{Name: f.Field, Value: f.Messages}
	}
	return o
}

// FieldError is one entry of an Error's Fields: a field name (or
// "non_field_errors") and DRF's messages for it.
type FieldError struct {
	Field    string
	Messages []string
}

// fieldErrors is the 400 DRF's serializers answer.
func fieldErrors(err error, fields ...FieldError) *Error {
	return &Error{Status: http.StatusBadRequest, Fields: fields, Err: err}
}

// authFailure turns an authentication error into the 401 DRF answers for it.
// Errors that are not ours (store failures) are returned unchanged.
func (a *Auth) authFailure(err error) error {
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	if a.s.SimpleJWT != nil {
		return a.simpleAuthFailure(err)
	}
	if errors.Is(err, errRevoked) {
		// The drf-jwt fork's blacklist refuses with PermissionDenied.
		return &Error{Status: http.StatusForbidden, Detail: "Token is blacklisted.", Err: err}
	}
	if auth, _, ok := lookupMessage(err); ok {
		return &Error{Status: http.StatusUnauthorized, Detail: auth, Err: err}
	}
	return err
}

// nonFieldErrors is the key DRF uses for errors that belong to no one field.
const nonFieldErrors = "non_field_errors"

// simpleAuthFailure is authFailure in simplejwt's words: a token's own
// fault is "Given token not valid for any token type", with the reason of
// each token class tried.
func (a *Auth) simpleAuthFailure(err error) error {
	detail, code, tokenFault, ok := simpleMessage(err)
	switch {
	case errors.Is(err, ErrNoCredentials):
		auth, _, _ := lookupMessage(err)
		return &Error{Status: http.StatusUnauthorized, Detail: auth, Err: err}
	case !ok:
		if auth, _, ok := lookupMessage(err); ok { // another scheme's (Basic, Token)
			return &Error{Status: http.StatusUnauthorized, Detail: auth, Err: err}
		}
		return err
	case !tokenFault:
		return &Error{Status: http.StatusUnauthorized, Detail: detail, Code: code, Err: err}
	}
	ce, ok := err.(*classesError)
	if !ok {
		classes := a.credentialClasses()
		ce = &classesError{classes: classes, errs: make([]error, len(classes))}
		for i := range ce.errs {
			ce.errs[i] = err
		}
	}
	e := &Error{Status: http.StatusUnauthorized, Detail: "Given token not valid for any token type", Code: "token_not_valid", Err: err}
	for i, cl := range ce.classes {
		msg, _, _, _ := simpleMessage(ce.errs[i])
		e.messages = append(e.messages, drf.Object{{Name: "token_class", Value: cl.class}, {Name: "token_type", Value: cl.typ}, {Name: "message", Value: msg}})
	}
	return e
}

// formFailure turns a token or credentials error into the serializer error
// DRF's views answer. Errors that are not ours are returned unchanged.
func formFailure(err error) error {
	if _, form, ok := lookupMessage(err); ok && form != "" {
		return fieldErrors(err, FieldError{nonFieldErrors, []string{form}})
	}
	return err
}

// failureLogInterval is the least time between two records of a store
// failure: a database down for ten seconds under load fails every
// request, and a record for each would flood the logs.
const failureLogInterval = 10 * time.Second

// failureLog lets one record through an interval, and counts the
// failures it holds back for the next one.
type failureLog struct {
	mu   sync.Mutex
	next time.Time
	held int
}

// due reports whether a failure at now is to be logged, and how many were
// held back since the last record.
func (l *failureLog) due(now time.Time) (held int, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Before(l.next) {
		l.held++
		return 0, false
	}
	held, l.held, l.next = l.held, 0, now.Add(failureLogInterval)
	return held, true
}

// storeError marks a failure of a store (the UserStore, the blacklist, the
// revocation list) or of a settings hook: the service cannot answer now,
// which is never the client's fault.
type storeError struct{ err error }

func (e *storeError) Error() string { return "jwtauth: store: " + e.err.Error() }
func (e *storeError) Unwrap() error { return e.err }

// DefaultErrorHandler writes err as DRF would: an *Error with its status
// and body ({"detail": ...} or its field errors), a failure of the user
// store as a 503 with Retry-After, anything else as a 500. It never writes err's text. The WWW-Authenticate challenge of a 401
// and the Retry-After of an *Error are set before the handler runs.
func DefaultErrorHandler(w http.ResponseWriter, r *http.Request, err error) {
	var (
		ae *Error
		se *storeError
	)
	switch {
	case errors.As(err, &ae):
		drf.WriteJSON(w, ae.Status, ae.body())
	case errors.As(err, &se):
		w.Header().Set("Retry-After", "1")
		drf.WriteJSON(w, http.StatusServiceUnavailable, drf.Detail{Detail: "Service temporarily unavailable, try again later."})
	default:
		drf.WriteJSON(w, http.StatusInternalServerError, drf.Detail{Detail: "A server error occurred."})
	}
}

// throttled is DRF's Throttled exception for a wait: 429 with "Request was
// throttled. Expected available in N seconds." (N rounded up, "second"
// when it is 1), or the first sentence alone when the wait is unknown
// (zero or negative), and then no Retry-After.
func throttled(wait time.Duration) *Error {
	e := &Error{Status: http.StatusTooManyRequests, Detail: "Request was throttled.", Err: errThrottled}
	if wait > 0 {
		n := ceilSeconds(wait)
		unit := "seconds"
		if n == 1 {
			unit = "second"
		}
		e.Detail += fmt.Sprintf(" Expected available in %d %s.", n, unit)
		e.RetryAfter = wait
	}
	return e
}

// ceilSeconds is d in whole seconds, rounded up (DRF's math.ceil(wait)).
func ceilSeconds(d time.Duration) int64 {
	n := int64(d / time.Second)
	if d%time.Second > 0 {
		n++
	}
	return n
}
