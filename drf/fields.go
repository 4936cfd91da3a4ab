package drf

import (
	"net/http"

	idrf "github.com/jwtauth-go/jwtauth/internal/drf"
)

// Kind is the type DRF's parser gave a field, which decides the message a
// serializer field answers for it.
type Kind = idrf.Kind

// The kinds of Value.
const (
	Missing = idrf.Missing // not in the body
	Null    = idrf.Null    // JSON null
	String  = idrf.String  // a JSON string or a form value
	Number  = idrf.Number  // a JSON number
	Other   = idrf.Other   // a JSON bool, array or object
)

// Value is one field of a request body, typed as DRF's parsers leave it:
// Kind; Text for a String, or for a Number as Python's str() writes it
// ("100.0" for 1e2); Type, Python's type name of an Other ("bool", "list",
// "dict"), which DRF's messages quote; Surrogate, the first lone surrogate
// escape of a JSON string ("\ud800"), which DRF refuses; and Items, what
// DRF's list fields iterate: the elements of a field's JSON array, the
// keys of its JSON object, every value a form gives the name (an item has
// no Items of its own).
type Value = idrf.Value

// Fields are the fields of a request body, as DRF's parsers leave them in
// request.data.
type Fields struct {
	values map[string]Value
	form   bool
}

// Get returns the field called name; its Kind is Missing when the body has
// none. A form's last value for the name is its Text, as Django's QueryDict
// gives it.
func (f Fields) Get(name string) Value { return f.values[name] }

// Form reports whether the body was HTML form input: a form or a
// multipart body, empty or not. DRF's list fields read it differently from
// JSON: every value of a name is an item, and a list missing from a form is
// an empty list, not a missing field.
func (f Fields) Form() bool { return f.form }

// ReadFields reads the body of r, at most limit bytes, as DRF's default
// parsers do: JSON (the last of repeated names wins, as in Python), form
// and multipart (files are skipped); an empty body is an empty form
// whatever its Content-Type. When DRF would refuse the body before any
// field is validated, ReadFields answers as DRF does itself and returns ok
// false: 400 with Python's JSON parse error ("JSON parse error - Expecting
// value: line 1 column 1 (char 0)"), 400 {"non_field_errors": [...]} for
// JSON that is not an object, 413 past limit, 415 for another media type.
func ReadFields(w http.ResponseWriter, r *http.Request, limit int64) (fields Fields, ok bool) {
	values, form, e := idrf.ReadRequest(w, r, limit)
	if e != nil {
		idrf.WriteJSON(w, e.Status, e.Body())
		return Fields{}, false
	}
	return Fields{values, form}, true
}

// CharField validates v as DRF's CharField does with allow_blank False:
// the messages for a missing, null, non-string (a JSON number is taken as
// its text, as DRF takes it), blank, or too long (more than maxLength
// characters, when positive) value, and for NUL and lone surrogate
// characters, in DRF's order. With trim, DRF's trim_whitespace (its
// default), the value loses its leading and trailing white space. The
// validators, each returning a message or "", run on that value before the
// length and character checks, as DRF runs a model field's validators
// (Django's username validator, a uniqueness check) before its own; all
// their messages are kept. It returns the value and nil, or "" and DRF's
// messages.
func CharField(v Value, trim bool, maxLength int, validators ...func(string) string) (string, []string) {
	return idrf.CharField(v, trim, maxLength, validators...)
}

// FieldErrors is the body DRF answers, with 400, for a serializer that did
// not validate: each field with its messages, in the order they were
// added (DRF's: the serializer's fields as declared), e.g.
// {"title":["This field is required."],"person":["This field may not be
// null."]}. The zero value is empty and ready to use.
type FieldErrors struct{ o Object }

// Add appends field's messages; without messages it does nothing, so that
// a validator's result can be added as it is.
func (e *FieldErrors) Add(field string, messages ...string) {
	if len(messages) > 0 {
		e.o = append(e.o, Member{Name: field, Value: messages})
	}
}

// Empty reports whether no messages were added.
func (e *FieldErrors) Empty() bool { return len(e.o) == 0 }

// MarshalJSON writes the fields in order, each with its list of messages.
func (e FieldErrors) MarshalJSON() ([]byte, error) { return e.o.MarshalJSON() }
