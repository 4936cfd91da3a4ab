package revoke_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/jwtauth-go/jwtauth/revoke"
)

// A Memory revokes one token by id, and every token of a user issued
// before an instant; each entry leaves once the tokens it revokes have
// expired.
func ExampleMemory() {
	m := revoke.NewMemory(0)
	ctx := context.Background()
	now := time.Now()
	if err := m.Add(ctx, revoke.Entry{ID: "jti-of-a-logged-out-token", Until: now.Add(5 * time.Minute)}); err != nil {
		log.Fatal(err)
	}
	if err := m.Add(ctx, revoke.Entry{User: "42", Before: now, Until: now.Add(24 * time.Hour)}); err != nil {
		log.Fatal(err)
	}
	for _, t := range []revoke.Token{
		{ID: "jti-of-a-logged-out-token", User: "1", IssuedAt: now.Add(-time.Minute)},
		{ID: "another", User: "1", IssuedAt: now.Add(-time.Minute)},
		{ID: "an-old-one", User: "42", IssuedAt: now.Add(-time.Hour)},
		{ID: "a-new-one", User: "42", IssuedAt: now.Add(time.Second)},
	} {
		revoked, _ := m.Revoked(t)
		fmt.Println(t.ID, revoked)
	}
	// Output:
	// jti-of-a-logged-out-token true
	// another false
	// an-old-one true
	// a-new-one false
}
