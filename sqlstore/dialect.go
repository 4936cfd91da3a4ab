package sqlstore

import (
	"database/sql"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// quoter is what differs between the dialects: identifier quoting,
// placeholders, how a timestamp is written and how a row is inserted
// unless it exists.
type quoter struct {
	quote  byte // around identifiers
	dollar bool // $1, $2 rather than ?
	// insertIgnore: INSERT IGNORE (MySQL) rather than INSERT ... ON
	// CONFLICT DO NOTHING (PostgreSQL, SQLite 3.24 and later).
	insertIgnore bool
	// lateConflict: ON CONFLICT's unique column is looked for when the
	// statement is planned, not prepared (PostgreSQL), so EXPLAIN checks
	// it.
	lateConflict bool
	// textTime: timestamps are written as Django writes them there,
	// naive UTC text, not as a driver's time.Time.
	textTime bool
}

var dialects = map[string]quoter{
	"sqlite":   {quote: '"', textTime: true},
	"postgres": {quote: '"', dollar: true, lateConflict: true},
	"mysql":    {quote: '`', textTime: true, insertIgnore: true},
}

// ident quotes a name that validIdentifier accepted; quoting keeps
// reserved words (MySQL's key) and mixed case usable.
func (q quoter) ident(name string) string {
	return string(q.quote) + name + string(q.quote)
}

// placeholder is the n-th parameter, from 1.
func (q quoter) placeholder(n int) string {
	if q.dollar {
		return "$" + strconv.Itoa(n)
	}
	return "?"
}

// timestamp is t as a parameter for a Django DateTimeField with USE_TZ.
// As text, it is Python's str() of the naive UTC datetime, which Django's
// SQLite and MySQL backends write: microseconds, and none at all when they
// are zero ("2006-01-02 15:04:05", as simplejwt's expires_at always is),
// so that the text compares with Django's as the times do.
func (q quoter) timestamp(t time.Time) any {
	t = t.UTC().Truncate(time.Microsecond)
	switch {
	case !q.textTime:
		return t
	case t.Nanosecond() == 0:
		return t.Format("2006-01-02 15:04:05")
	}
	return t.Format("2006-01-02 15:04:05.000000")
}

// insertNew is an INSERT of columns (quoted, comma-separated) into table,
// from rows (VALUES ... or SELECT ...), that writes nothing where a row
// with the same unique column exists already, and is no error then: what
// two instances inserting one row at once both need to succeed.
func (q quoter) insertNew(table, columns, rows, unique string) string {
	if q.insertIgnore {
		return fmt.Sprintf("INSERT IGNORE INTO %s (%s) %s", table, columns, rows)
	}
	return fmt.Sprintf("INSERT INTO %s (%s) %s ON CONFLICT (%s) DO NOTHING", table, columns, rows, unique)
}

// validIdentifier accepts [A-Za-z_][A-Za-z0-9_]*, at most 63 bytes
// (PostgreSQL's limit): names are never built from anything else.
func validIdentifier(s string) bool {
	if s == "" || len(s) > 63 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_', 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case '0' <= c && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// idValue scans a primary key, an integer or a UUID, whatever the driver
// gives for it: text for User.ID, and the value itself for a WHERE
// clause.
type idValue struct {
	raw  any
	text string
}

func (v *idValue) Scan(src any) error {
	switch x := src.(type) {
	case int64:
		v.raw, v.text = x, strconv.FormatInt(x, 10)
	case uint64:
		v.raw, v.text = x, strconv.FormatUint(x, 10)
	case string:
		v.raw, v.text = x, x
	case []byte: // the driver's buffer: copy it
		v.raw, v.text = string(x), string(x)
	case [16]byte: // a UUID in binary form
		v.raw, v.text = x, dashUUID(hex.EncodeToString(x[:]))
	default:
		return fmt.Errorf("primary key of type %T: want an integer or a UUID", src)
	}
	if v.text == "" {
		return fmt.Errorf("empty primary key")
	}
	return nil
}

// boolValue scans Django's is_active: a boolean (PostgreSQL), an integer
// 0/1 (SQLite, MySQL), or their text forms. NULL is false.
type boolValue bool

func (v *boolValue) Scan(src any) error {
	switch x := src.(type) {
	case nil:
		*v = false
	case bool:
		*v = boolValue(x)
	case int64:
		*v = x != 0
	case []byte:
		return v.parse(string(x))
	case string:
		return v.parse(x)
	default:
		return fmt.Errorf("boolean column of type %T", src)
	}
	return nil
}

func (v *boolValue) parse(s string) error {
	b, err := strconv.ParseBool(s)
	if err != nil {
		return fmt.Errorf("boolean column holds %q", s)
	}
	*v = boolValue(b)
	return nil
}

var (
	_ sql.Scanner = (*idValue)(nil)
	_ sql.Scanner = (*boolValue)(nil)
)

// keyKind is what an id in text form is given to a primary key column as.
type keyKind int

const (
	textKey    keyKind = iota // varchar, or a type not known: the id as it is
	intKey                    // an integer
	uuidKey                   // PostgreSQL's uuid: the dashed form
	hexUUIDKey                // Django's UUIDField elsewhere, char(32): 32 hex digits
)

// keyType is the type of a primary key column.
type keyType struct {
	kind keyKind
	bits int // of an intKey: what the database takes without an error
}

// integerTypes are the words naming an integer column type, as drivers
// report them: PostgreSQL's INT4, MySQL's "UNSIGNED INT", SQLite's declared
// "integer unsigned"...
var integerTypes = map[string]bool{
	"INT": true, "INTEGER": true, "INT2": true, "INT4": true, "INT8": true, "TINYINT": true,
	"SMALLINT": true, "MEDIUMINT": true, "BIGINT": true, "SMALLSERIAL": true, "SERIAL": true, "BIGSERIAL": true,
}

// keyTypeOf is the key type of a column of the database type typeName,
// as the dialect's driver reports it (sql.ColumnType.DatabaseTypeName).
func keyTypeOf(dialect, typeName string) keyType {
	t := strings.ToUpper(typeName)
	switch {
	case t == "UUID":
		return keyType{kind: uuidKey}
	case djangoUUIDColumn(t):
		return keyType{kind: hexUUIDKey}
	}
	for _, word := range strings.FieldsFunc(t, func(r rune) bool { return r == ' ' || r == '(' }) {
		if !integerTypes[word] {
			continue
		}
		// SQLite's integers are all 64-bit, and MySQL compares a number
		// out of its column's range without an error; PostgreSQL refuses
		// a parameter its column type cannot hold.
		bits := 64
		if dialect == "postgres" {
			switch word {
			case "INT2", "SMALLINT", "SMALLSERIAL":
				bits = 16
			case "INT4", "INT", "INTEGER", "SERIAL":
				bits = 32
			}
		}
		return keyType{kind: intKey, bits: bits}
	}
	return keyType{kind: textKey}
}

// arg is id as a parameter for the key, and false when id cannot be a key
// of this type, so that the database is not asked (PostgreSQL would
// answer an error, not "no row").
func (k keyType) arg(id string) (any, bool) {
	switch k.kind {
	case intKey:
		n, err := strconv.ParseInt(id, 10, k.bits)
		return n, err == nil
	case uuidKey, hexUUIDKey:
		h, ok := uuidHex(id)
		if !ok {
			return nil, false
		}
		if k.kind == uuidKey {
			return dashUUID(h), true
		}
		return h, true
	}
	return id, validText(id)
}

// uuidHex returns a UUID, dashed (8-4-4-4-12) or 32 hex digits, in either
// case, as Django stores it in char(32): 32 lower-case hex digits.
func uuidHex(s string) (string, bool) {
	if len(s) == 36 {
		if s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
			return "", false
		}
		s = s[:8] + s[9:13] + s[14:18] + s[19:23] + s[24:]
	}
	s = strings.ToLower(s)
	return s, isUUIDHex(s)
}

// isUUIDHex reports whether s is 32 lower-case hex digits: how Django
// stores a UUIDField where the database has no uuid type (SQLite, MySQL).
func isUUIDHex(s string) bool {
	if len(s) != 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// djangoUUIDColumn reports whether a column of this database type is
// Django's UUIDField there: char(32) (SQLite reports "CHAR(32)", MySQL
// "CHAR"), where Django's CharField is varchar.
func djangoUUIDColumn(typeName string) bool {
	t := strings.ToUpper(typeName)
	return t == "CHAR" || t == "CHAR(32)"
}

// dashUUID writes 32 hex digits as Python's str(uuid) does, as DRF-JWT
// writes a UUID primary key to user_id.
func dashUUID(h string) string {
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
