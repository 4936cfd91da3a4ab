package blacklist_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/jwtauth-go/jwtauth/blacklist"
)

// The memory store: a refresh token recorded when issued, blacklisted at
// logout, refused until it expires; then its entry leaves. A fake clock,
// so that the example prints the same thing every time.
func ExampleMemory() {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	m := blacklist.NewMemory(2) // at most two blacklisted tokens
	m.Now = func() time.Time { return now }
	ctx := context.Background()

	refresh := blacklist.Token{JTI: "4f3c9a", UserID: "1", CreatedAt: now, ExpiresAt: now.Add(24 * time.Hour)}
	if err := m.Outstanding(ctx, refresh); err != nil { // at obtain
		log.Fatal(err)
	}
	if err := m.Blacklist(ctx, refresh); err != nil { // at logout
		log.Fatal(err)
	}
	ok, _ := m.Blacklisted(ctx, "4f3c9a")
	fmt.Println("after logout:", ok)

	// Two more, and the store is full of unexpired tokens: refused, not
	// made room for by dropping one.
	_ = m.Blacklist(ctx, blacklist.Token{JTI: "second", ExpiresAt: now.Add(time.Hour)})
	err := m.Blacklist(ctx, blacklist.Token{JTI: "third", ExpiresAt: now.Add(time.Hour)})
	fmt.Println("third:", errors.Is(err, blacklist.ErrFull))

	now = now.Add(24 * time.Hour) // the refresh token has expired
	ok, _ = m.Blacklisted(ctx, "4f3c9a")
	fmt.Println("a day later:", ok)
	fmt.Println("third, a day later:", m.Blacklist(ctx, blacklist.Token{JTI: "third", ExpiresAt: now.Add(time.Hour)}))
	// Output:
	// after logout: true
	// third: true
	// a day later: false
	// third, a day later: <nil>
}
