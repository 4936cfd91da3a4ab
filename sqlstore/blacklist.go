package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/jwtauth-go/jwtauth/blacklist"
)

// Blacklist is simplejwt's token blacklist over its own tables,
// token_blacklist_outstandingtoken and token_blacklist_blacklistedtoken,
// as Django's migrate makes them (Settings.OutstandingTokenTable and
// BlacklistedTokenTable): a token Django blacklists is refused here, and
// one blacklisted here is refused by Django. Get one from Store.Blacklist.
// It is safe for concurrent use, also by several instances of a service
// and by Django at once: a row that another writer inserted first is
// taken as it is, not an error.
//
// Each method runs its statements within Settings.Timeout each. A failure
// of the database is returned as an error, and Blacklisted then answers
// false with it: the caller must refuse the token as a failure of the
// store (503), not accept it.
type Blacklist struct {
	s           *Store
	outstanding *sql.Stmt // insert an outstanding row unless its jti is there
	blacklist   *sql.Stmt // insert the blacklisted row of a jti unless it is there
	blacklisted *sql.Stmt // a blacklisted row joined to the outstanding row of a jti
	user        *sql.Stmt // insert the blacklisted rows of a user's unexpired tokens unless they are there
}

var _ blacklist.Store = (*Blacklist)(nil)

// Blacklist returns simplejwt's token blacklist over the store's
// database. Its statements are prepared here, so that missing tables or
// columns are reported now; Store.Close closes them. The user_id it
// writes is the user of Settings.Table whose primary key is the token's
// UserID, as Django's foreign key wants it.
func (s *Store) Blacklist(ctx context.Context) (*Blacklist, error) {
	q := s.q
	o, b, u := q.ident(s.s.OutstandingTokenTable), q.ident(s.s.BlacklistedTokenTable), q.ident(s.s.Table)
	col := func(table, name string) string { return table + "." + q.ident(name) }
	idents := func(names ...string) string {
		for i, n := range names {
			names[i] = q.ident(n)
		}
		return strings.Join(names, ", ")
	}
	ph := q.placeholder
	bl := &Blacklist{s: s}
	// The user is looked up, as simplejwt 5.5 does: NULL when no user has
	// the id (deleted, or the id is not a key at all), where the foreign
	// key would refuse the row.
	insertOutstanding := q.insertNew(o,
		idents("user_id", "jti", "token", "created_at", "expires_at"),
		fmt.Sprintf("VALUES ((SELECT %s FROM %s WHERE %s = %s), %s, %s, %s, %s)",
			col(u, s.s.IDColumn), u, col(u, s.s.IDColumn), ph(1), ph(2), ph(3), ph(4), ph(5)),
		q.ident("jti"))
	insertBlacklisted := q.insertNew(b,
		idents("token_id", "blacklisted_at"),
		fmt.Sprintf("SELECT %s, %s FROM %s WHERE %s = %s", col(o, "id"), ph(1), o, col(o, "jti"), ph(2)),
		q.ident("token_id"))
	// Every unexpired outstanding token of a user, in the order of its id:
	// two writers of several rows at once then wait for each other in one
	// order, never each for the other (a deadlock on PostgreSQL). The
	// tokens blacklisted already are left out, not only left to the
	// conflict, so that they cost no sequence number. A WHERE clause
	// after SELECT ... FROM keeps SQLite from reading ON CONFLICT as the
	// ON of a join.
	blacklistUser := q.insertNew(b,
		idents("token_id", "blacklisted_at"),
		fmt.Sprintf("SELECT %s, %s FROM %s WHERE %s = %s AND %s > %s AND NOT EXISTS (SELECT 1 FROM %s WHERE %s = %s) ORDER BY %s",
			col(o, "id"), ph(1), o, col(o, "user_id"), ph(2), col(o, "expires_at"), ph(3),
			b, col(b, "token_id"), col(o, "id"), col(o, "id")),
		q.ident("token_id"))
	var err error
	bl.outstanding, err = s.prepare(ctx, "outstanding token insert", insertOutstanding)
	if err == nil {
		err = s.explain(ctx, "outstanding token insert", insertOutstanding, 5)
	}
	if err == nil {
		bl.blacklist, err = s.prepare(ctx, "blacklisted token insert", insertBlacklisted)
	}
	if err == nil {
		err = s.explain(ctx, "blacklisted token insert", insertBlacklisted, 2)
	}
	if err == nil {
		bl.blacklisted, err = s.prepare(ctx, "blacklisted token lookup", fmt.Sprintf("SELECT 1 FROM %s JOIN %s ON %s = %s WHERE %s = %s LIMIT 1",
			b, o, col(o, "id"), col(b, "token_id"), col(o, "jti"), ph(1)))
	}
	if err == nil {
		bl.user, err = s.prepare(ctx, "user's tokens blacklist", blacklistUser)
	}
	if err == nil {
		err = s.explain(ctx, "user's tokens blacklist", blacklistUser, 3)
	}
	if err != nil {
		return nil, fmt.Errorf("%w (Blacklist wants simplejwt's token_blacklist tables as Django's migrate makes them: "+
			"%s with id, user_id, jti (unique), token, created_at and expires_at; %s with token_id (unique) and blacklisted_at)",
			err, s.s.OutstandingTokenTable, s.s.BlacklistedTokenTable)
	}
	return bl, nil
}

// explain has PostgreSQL plan an insert of n parameters, all NULL, without
// running it: only then does it look for the unique column of ON
// CONFLICT, which the statement needs to insert each token once.
func (s *Store) explain(ctx context.Context, what, insert string, n int) error {
	if !s.q.lateConflict {
		return nil // prepared is checked
	}
	ctx, cancel := context.WithTimeout(ctx, s.s.Timeout)
	defer cancel()
	rows, err := s.db.QueryContext(ctx, "EXPLAIN "+insert, make([]any, n)...)
	if err == nil {
		err = rows.Close()
	}
	if err != nil {
		return fmt.Errorf("sqlstore: plan %s: %w", what, err)
	}
	return nil
}

// validJTI reports whether jti can be stored in simplejwt's jti column,
// a varchar(255).
func validJTI(jti string) bool {
	return jti != "" && validText(jti) && utf8.RuneCountInString(jti) <= blacklist.MaxJTI
}

// row is t as the parameters of the outstanding token insert.
func (bl *Blacklist) row(t blacklist.Token) ([]any, error) {
	switch {
	case !validJTI(t.JTI):
		return nil, fmt.Errorf("sqlstore: blacklist: the token's jti is empty, or not text of at most %d characters", blacklist.MaxJTI)
	case !validText(t.Token):
		return nil, errors.New("sqlstore: blacklist: the encoded token is not text")
	case t.ExpiresAt.IsZero():
		return nil, errors.New("sqlstore: blacklist: the token has no expiry")
	}
	q := bl.s.q
	var user, created any // NULL
	if t.UserID != "" {
		if id, ok := bl.s.key.arg(t.UserID); ok {
			user = id
		}
	}
	if !t.CreatedAt.IsZero() {
		created = q.timestamp(t.CreatedAt)
	}
	return []any{user, t.JTI, t.Token, created, q.timestamp(t.ExpiresAt)}, nil
}

// Outstanding implements blacklist.Store: it inserts t's outstanding row
// (user_id, jti, token, created_at, expires_at), as simplejwt does when it
// issues a refresh or sliding token, unless a row has its jti already;
// that row is then left as it is. user_id is NULL when t.UserID is empty
// or no user has it, created_at when t.CreatedAt is zero.
func (bl *Blacklist) Outstanding(ctx context.Context, t blacklist.Token) error {
	args, err := bl.row(t)
	if err != nil {
		return err
	}
	if err := bl.s.exec(ctx, bl.outstanding, args...); err != nil {
		return fmt.Errorf("sqlstore: outstanding token insert: %w", err)
	}
	return nil
}

// Blacklist implements blacklist.Store as simplejwt's
// BlacklistMixin.blacklist does: it gets or creates the outstanding row of
// t's jti (created as Outstanding creates it), then gets or creates its
// blacklisted row, with blacklisted_at the store's Now. Two callers
// blacklisting one token at once both succeed, with one row each.
func (bl *Blacklist) Blacklist(ctx context.Context, t blacklist.Token) error {
	args, err := bl.row(t)
	if err != nil {
		return err
	}
	// A second round only when the outstanding row went between the two
	// inserts: flushexpiredtokens deletes the rows of expired tokens.
	for range 2 {
		if err := bl.s.exec(ctx, bl.outstanding, args...); err != nil {
			return fmt.Errorf("sqlstore: outstanding token insert: %w", err)
		}
		n, err := bl.s.execRows(ctx, bl.blacklist, bl.s.q.timestamp(bl.s.s.Now()), t.JTI)
		if err != nil {
			return fmt.Errorf("sqlstore: blacklisted token insert: %w", err)
		}
		if n > 0 {
			return nil
		}
		// Nothing written: blacklisted already, or the outstanding row was
		// deleted meanwhile.
		if ok, err := bl.Blacklisted(ctx, t.JTI); ok || err != nil {
			return err
		}
	}
	return errors.New("sqlstore: blacklisted token insert: the outstanding token's row was deleted as it was blacklisted, twice")
}

// Blacklisted implements blacklist.Store as simplejwt's check_blacklist
// does: whether a blacklisted row joins to the outstanding row of jti. A
// jti that cannot be stored (empty, longer than 255 characters) is not
// blacklisted. On a failure of the database it returns false and the
// error.
func (bl *Blacklist) Blacklisted(ctx context.Context, jti string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("sqlstore: blacklisted token lookup: %w", err)
	}
	if !validJTI(jti) {
		return false, nil
	}
	ctx, cancel := context.WithTimeout(ctx, bl.s.s.Timeout)
	defer cancel()
	var one int
	switch err := bl.blacklisted.QueryRowContext(ctx, jti).Scan(&one); {
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("sqlstore: blacklisted token lookup: %w", err)
	}
	return true, nil
}

// BlacklistUser blacklists every outstanding token of the user whose
// primary key is userID (the rows with that user_id) that is neither
// blacklisted already nor expired (expires_at after the store's Now),
// with blacklisted_at the store's Now. It is what simplejwt's users do by
// hand to log a user out everywhere, a BlacklistedToken got or created
// for each of the user's OutstandingTokens, and Auth.RevokeUser calls it
// so that a Django service sharing the tables refuses that user's refresh
// and sliding tokens too, not only this service. An expired token needs
// no row: it is refused anyway, and flushexpiredtokens deletes it.
//
// It is one statement, an insert of the blacklisted rows selected from
// the outstanding ones: no transaction of ours stays open between a read
// and a write for other writers to wait on, and what is blacklisted is
// what the statement saw. A row that another writer (another instance, or
// Django) inserted first is kept as it is, not an error; a token recorded
// while it runs may be left out, as from Django's loop, but Auth.RevokeUser
// refuses it here by its iat. An id that cannot be a key of the user
// table ("abc" for an integer key) has no tokens: no error, and nothing
// is written.
func (bl *Blacklist) BlacklistUser(ctx context.Context, userID string) error {
	id, ok := bl.s.key.arg(userID)
	if !ok {
		return nil
	}
	q := bl.s.q
	now := q.timestamp(bl.s.s.Now())
	if err := bl.s.exec(ctx, bl.user, now, id, now); err != nil {
		return fmt.Errorf("sqlstore: user's tokens blacklist: %w", err)
	}
	return nil
}
