package drf

import (
	"net/http"

	idrf "github.com/jwtauth-go/jwtauth/internal/drf"
)

// Marshal encodes v as DRF's JSONRenderer does: compact, UTF-8, with <, >
// and & left as they are (encoding/json would escape them). Use it in a
// MarshalJSON method whose output WriteJSON then writes, since the outer
// encoder cannot undo what an inner json.Marshal escaped.
func Marshal(v any) ([]byte, error) { return idrf.Marshal(v) }

// WriteJSON answers status with v rendered by Marshal, as
// application/json. A v that cannot be encoded becomes DRF's 500,
// {"detail":"A server error occurred."}, so no Go error text reaches the
// client.
func WriteJSON(w http.ResponseWriter, status int, v any) { idrf.WriteJSON(w, status, v) }

// Detail is the body of DRF's exceptions (APIException and its
// subclasses): {"detail": "..."}.
type Detail = idrf.Detail

// Object is a JSON object that keeps its members in order, as Python's
// dicts do and DRF's answers show them: the field errors of a serializer,
// say, come in the order of its fields.
type Object = idrf.Object

// Member is one name and value of an Object.
type Member = idrf.Member

// PK is a primary key in text form, written as Django writes it: a JSON
// number for an integer key ("1" is written 1), a string otherwise (a
// UUID). jwtauth.User.ID is such a text.
type PK string

// MarshalJSON writes p as a number when IsInteger, else as a string.
func (p PK) MarshalJSON() ([]byte, error) { return idrf.PK(p).MarshalJSON() }

// IsInteger reports whether p is written as a JSON number: an optional
// minus, then digits without a leading zero.
func (p PK) IsInteger() bool { return idrf.IsDecimalInteger(string(p)) }
