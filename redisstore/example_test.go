package redisstore_test

import (
	"context"
	"log"
	"os"
	"time"

	"github.com/jwtauth-go/jwtauth"
	"github.com/jwtauth-go/jwtauth/redisstore"
	"github.com/jwtauth-go/jwtauth/revoke"
	"github.com/jwtauth-go/jwtauth/throttle"
	"github.com/redis/rueidis"
)

// Every instance of a service builds the same Throttle, with the same
// prefix, so that together they allow 5 attempts a minute per username,
// not 5 per instance. Compiled, not run: it needs a Redis server.
func ExampleNewThrottle() {
	// The URL may hold a password: it goes into the client's options,
	// never into a log.
	opt, err := rueidis.ParseURL(os.Getenv("REDIS_URL")) // redis://:password@host:6379/0
	if err != nil {
		log.Fatal("REDIS_URL is not a Redis URL")
	}
	client, err := rueidis.NewClient(opt)
	if err != nil {
		log.Fatal("Redis is unreachable")
	}
	defer client.Close()

	perUser, _ := throttle.ParseRate("5/min")
	perAddr, _ := throttle.ParseRate("100/hour")
	t, err := redisstore.NewThrottle(client, "myservice:throttle:", perUser, perAddr)
	if err != nil {
		log.Fatal(err)
	}
	log.Print(t) // the rates and the prefix, nothing secret

	a, err := jwtauth.New(jwtauth.Settings{
		Keys:          jwtauth.Keys{Secret: jwtauth.Secret(os.Getenv("JWT_SECRET"))},
		LoginThrottle: t,
	}, &jwtauth.MemoryStore{})
	if err != nil {
		log.Fatal(err)
	}
	_ = a.Handlers() // mount Obtain and the rest, as in ExampleNew
}

// Every instance builds the same Revocations, with the same prefix: a
// token revoked on one is refused by all. Compiled, not run: it needs a
// Redis server.
func ExampleNewRevocations() {
	opt, err := rueidis.ParseURL(os.Getenv("REDIS_URL"))
	if err != nil {
		log.Fatal("REDIS_URL is not a Redis URL")
	}
	client, err := rueidis.NewClient(opt)
	if err != nil {
		log.Fatal("Redis is unreachable")
	}
	defer client.Close()

	r, err := redisstore.NewRevocations(client, "myservice:revoke:", redisstore.RevocationsOptions{})
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close() // before the client's Close: deferred calls run last first

	// Out of touch until the first sync: a readiness check can wait.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := r.WaitInTouch(ctx); err != nil {
		log.Print(err) // checks answer 503 until it is
	}

	// Logout: the token's id, until it would have expired anyway.
	err = r.Add(context.Background(), revoke.Entry{ID: "the token's jti", Until: time.Now().Add(time.Hour)})
	if err != nil {
		log.Print(err) // Redis did not record it: answer 503, the token stays valid
	}
	revoked, err := r.Revoked(revoke.Token{ID: "the token's jti"})
	log.Print(revoked, err) // true, <nil>: from memory, no round trip
}
