package redisstore

import (
	"errors"
	"fmt"

	"github.com/redis/rueidis"

	"github.com/jwtauth-go/jwtauth/throttle"
)

// ThrottleFromEnv returns the shared login throttle the environment asks
// for, read through lookup (os.LookupEnv, or a map in tests):
// JWT_REDIS_URL (redis://[:PASSWORD@]HOST:PORT/DB) names the Redis server,
// JWT_LOGIN_THROTTLE_USER and JWT_LOGIN_THROTTLE_ADDR the rates, as
// jwtauth.FromEnv reads them for its in-memory throttle. It returns nil,
// and no error, when JWT_REDIS_URL or both rates are unset. The Throttle
// owns the client it makes: Close it. Errors never show the URL, which may
// hold a password.
func ThrottleFromEnv(lookup func(string) (string, bool)) (*Throttle, error) {
	get := func(name string) (string, bool) {
		v, ok := lookup(name)
		return v, ok && v != ""
	}
	url, ok := get("JWT_REDIS_URL")
	if !ok {
		return nil, nil
	}
	var rates [2]throttle.Rate
	for i, name := range []string{"JWT_LOGIN_THROTTLE_USER", "JWT_LOGIN_THROTTLE_ADDR"} {
		if v, ok := get(name); ok {
			r, err := throttle.ParseRate(v)
			if err != nil {
				return nil, fmt.Errorf("redisstore: %s: %w", name, err)
			}
			rates[i] = r
		}
	}
	if rates == [2]throttle.Rate{} {
		return nil, nil
	}
	opt, err := rueidis.ParseURL(url)
	if err != nil {
		return nil, errors.New("redisstore: JWT_REDIS_URL: want redis://[:PASSWORD@]HOST:PORT/DB")
	}
	client, err := rueidis.NewClient(opt)
	if err != nil {
		return nil, errors.New("redisstore: JWT_REDIS_URL: Redis does not answer")
	}
	t, err := NewThrottle(client, "jwtauth:throttle:", rates[0], rates[1])
	if err != nil {
		client.Close()
		return nil, err
	}
	t.owned = true
	return t, nil
}

// Close closes the Redis client, if ThrottleFromEnv made it; a client
// given to NewThrottle is the caller's to close.
func (t *Throttle) Close() {
	if t.owned {
		t.client.Close()
	}
}
