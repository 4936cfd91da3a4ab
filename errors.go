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
	"time"

	"github.com/jwtauth-go/jwtauth/internal/drf"
)

// Sentinel errors. Every failure the library reports wraps exactly one of
// them, so callers (and Settings.ErrorHandler) can tell failures apart with
// errors.Is. Their texts are Go-style; the DRF messages clients see are kept
// in one table (messages, below) and never built from an error's text.
var (
	// ErrNoCredentials: the request carries no credentials of any configured
	// scheme.
	ErrNoCredentials = errors.New("jwtauth: no credentials")
	// ErrInvalidHeader: the Authorization header names our scheme but is not
	// "<prefix> <token>", or it is sent more than once.
	ErrInvalidHeader = errors.New("jwtauth: invalid authorization header")
	// ErrMalformedToken: the token is not a well-formed compact JWS with JSON
	// header and claims, or a time claim is not a JSON number.
	ErrMalformedToken = errors.New("jwtauth: malformed token")
	// ErrInvalidSignature: the signature does not verify with the configured
	// key.
	ErrInvalidSignature = errors.New("jwtauth: invalid signature")
	// ErrExpiredToken: the token's exp has passed (leeway included).
	ErrExpiredToken = errors.New("jwtauth: token has expired")
	// ErrInvalidToken: any other reason to refuse a token: an algorithm other
	// than the configured one, a crit header, a foreign typ, a missing exp, an
	// nbf in the future, a wrong or unexpected aud or iss, a registered claim
	// of the wrong type.
	ErrInvalidToken = errors.New("jwtauth: invalid token")
	// ErrInvalidPayload: the token is valid but does not name a user.
	ErrInvalidPayload = errors.New("jwtauth: invalid payload")
	// ErrUserNotFound: no user has the username the token or request names.
	ErrUserNotFound = errors.New("jwtauth: user not found")
	// ErrUserInactive: the user exists but is not active.
	ErrUserInactive = errors.New("jwtauth: user account is disabled")
	// ErrInvalidCredentials: a username and password do not match an active
	// user.
	ErrInvalidCredentials = errors.New("jwtauth: invalid credentials")
	// ErrRefreshExpired: orig_iat + RefreshExpirationDelta has passed.
	ErrRefreshExpired = errors.New("jwtauth: refresh has expired")
	// ErrMissingOrigIAT: a token sent for refresh has no usable orig_iat.
	ErrMissingOrigIAT = errors.New("jwtauth: orig_iat is missing")
	// ErrTooManyLogins: Settings.MaxConcurrentLogins password checks are
	// running and none finished in time; the answer is a 503 with
	// Retry-After.
	ErrTooManyLogins = errors.New("jwtauth: too many logins in progress")
	// ErrThrottled: Settings.LoginThrottle refused a login attempt; the
	// answer is DRF's 429 "Request was throttled. Expected available in N
	// seconds." with Retry-After.
	ErrThrottled = errors.New("jwtauth: too many login attempts")
	// ErrCrossSiteRequest: a request authenticated by the auth cookie, or a
	// login that would set it, came from another site (CSRF); the answer
	// is DRF's 403 "CSRF Failed: ...".
	ErrCrossSiteRequest = errors.New("jwtauth: cross-site request")
)

// Finer causes, unexported: each has a DRF message of its own but is still
// one of the sentinels above for errors.Is.
var (
	errNoToken         = fmt.Errorf("%w: no token after the prefix", ErrInvalidHeader)
	errTokenSpaces     = fmt.Errorf("%w: token contains spaces", ErrInvalidHeader)
	errDuplicateHeader = fmt.Errorf("%w: more than one Authorization header", ErrInvalidHeader)
	errBasicNoCreds    = fmt.Errorf("%w: basic: no credentials after the scheme", ErrInvalidHeader)
	errBasicSpaces     = fmt.Errorf("%w: basic: credentials contain spaces", ErrInvalidHeader)
	errBasicEncoding   = fmt.Errorf("%w: basic: credentials not base64 user:password", ErrInvalidHeader)
	errBasicInvalid    = fmt.Errorf("%w: basic", ErrInvalidCredentials)
	errBasicInactive   = fmt.Errorf("%w: basic", ErrUserInactive)
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
	{ErrInvalidHeader, "Incorrect authentication credentials.", ""},
	{ErrMalformedToken, "Error decoding signature.", "Error decoding signature."},
	{ErrInvalidSignature, "Error decoding signature.", "Error decoding signature."},
	{ErrExpiredToken, "Signature has expired.", "Signature has expired."},
	{ErrInvalidToken, "Incorrect authentication credentials.", "Invalid token."},
	{ErrInvalidPayload, "Invalid payload.", "Invalid payload."},
	{ErrUserNotFound, "Invalid signature.", "User doesn't exist."},
	{ErrUserInactive, "User account is disabled.", "User account is disabled."},
	{ErrInvalidCredentials, "Incorrect authentication credentials.", "Unable to log in with provided credentials."},
	{ErrRefreshExpired, "Incorrect authentication credentials.", "Refresh has expired."},
	{ErrMissingOrigIAT, "Incorrect authentication credentials.", "orig_iat field is required."},
}

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
	{ErrInvalidHeader, "bad-header"},
	{ErrMalformedToken, "malformed"},
	{ErrInvalidSignature, "bad-signature"},
	{ErrExpiredToken, "expired"},
	{ErrInvalidToken, "invalid-token"},
	{ErrInvalidPayload, "invalid-payload"},
	{ErrUserNotFound, "unknown-user"},
	{ErrUserInactive, "inactive-user"},
	{ErrInvalidCredentials, "bad-credentials"},
	{ErrRefreshExpired, "refresh-expired"},
	{ErrMissingOrigIAT, "orig-iat-missing"},
	{ErrThrottled, "throttled"},
	{ErrTooManyLogins, "too-many-logins"},
	{ErrCrossSiteRequest, "cross-site"},
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

// Error is a failure answered with an HTTP status and DRF's
// {"detail": "..."} body, like DRF's APIException. The middleware reports
// authentication failures as *Error with Status 401; an Authenticator of
// another scheme returns one to choose the client's message.
type Error struct {
	Status int    // HTTP status code
	Detail string // the client-facing message, DRF's wording
	Err    error  // the cause, usually wrapping one of the sentinels
	// RetryAfter, when positive, is how long the client should wait: the
	// middleware and the handlers send it as Retry-After.
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Err.Error()
	}
	return fmt.Sprintf("jwtauth: %d %s", e.Status, e.Detail)
}

// Unwrap returns the cause, so errors.Is(err, ErrExpiredToken) works on an
// *Error.
func (e *Error) Unwrap() error { return e.Err }

// authFailure turns an authentication error into the 401 DRF answers for it.
// Errors that are not ours (store failures) are returned unchanged.
func authFailure(err error) error {
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	if auth, _, ok := lookupMessage(err); ok {
		return &Error{Status: http.StatusUnauthorized, Detail: auth, Err: err}
	}
	return err
}

// NonFieldErrors is the key DRF uses for errors that belong to no one field.
const nonFieldErrors = "non_field_errors"

// FieldError is one entry of a ValidationError: a field name (or
// "non_field_errors") and DRF's messages for it.
type FieldError struct {
	Field    string
	Messages []string
}

// ValidationError is a 400 answer of the obtain, refresh and verify
// handlers, rendered as DRF renders serializer errors:
// {"username": ["This field is required."]} or
// {"non_field_errors": ["Unable to log in with provided credentials."]}.
type ValidationError struct {
	Errors []FieldError // in DRF's order: fields as declared, then non_field_errors
	Err    error        // the cause for non-field errors, wrapping a sentinel
}

func (e *ValidationError) Error() string {
	if e.Err != nil {
		return e.Err.Error()
	}
	return "jwtauth: invalid request fields"
}

// Unwrap returns the cause of a non-field error.
func (e *ValidationError) Unwrap() error { return e.Err }

// MarshalJSON writes the fields in order, each with its list of messages.
func (e *ValidationError) MarshalJSON() ([]byte, error) {
	o := make(drf.Object, len(e.Errors))
	for i, f := range e.Errors {
		o[i] = drf.Member{Name: f.Field, Value: f.Messages}
	}
	return o.MarshalJSON()
}

// formFailure turns a token or credentials error into the serializer error
// DRF's views answer. Errors that are not ours are returned unchanged.
func formFailure(err error) error {
	if _, form, ok := lookupMessage(err); ok && form != "" {
		return &ValidationError{Errors: []FieldError{{nonFieldErrors, []string{form}}}, Err: err}
	}
	return err
}

// storeError marks a failure of the UserStore or of a settings hook: the
// service cannot answer now, which is never the client's fault.
type storeError struct{ err error }

func (e *storeError) Error() string { return "jwtauth: user store: " + e.err.Error() }
func (e *storeError) Unwrap() error { return e.err }

// DefaultErrorHandler writes err as DRF would: a *ValidationError as a 400
// with its field errors, an *Error with its status and {"detail": ...}, a
// failure of the user store as a 503 with Retry-After, anything else as a
// 500. It never writes err's text. The WWW-Authenticate challenge of a 401
// and the Retry-After of an *Error are set before the handler runs.
func DefaultErrorHandler(w http.ResponseWriter, r *http.Request, err error) {
	var (
		ve *ValidationError
		ae *Error
		se *storeError
	)
	switch {
	case errors.As(err, &ve):
		drf.WriteJSON(w, http.StatusBadRequest, ve)
	case errors.As(err, &ae):
		drf.WriteJSON(w, ae.Status, drf.Detail{Detail: ae.Detail})
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
	e := &Error{Status: http.StatusTooManyRequests, Detail: "Request was throttled.", Err: ErrThrottled}
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
