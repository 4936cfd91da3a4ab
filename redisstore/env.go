package redisstore

import (
	"errors"
	"fmt"
	"time"

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
	client, err := clientFromURL(url)
	if err != nil {
		return nil, err
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

// RevocationsFromEnv returns the shared revocation list the environment
// asks for, read through lookup (os.LookupEnv, or a map in tests):
// JWT_REDIS_URL (redis://[:PASSWORD@]HOST:PORT/DB) names the Redis
// server, JWT_REVOCATION_FAIL_OPEN (a Go duration, "30s"; default 0,
// fail closed) and JWT_REVOCATION_MAX_STALENESS (default 1s) are
// RevocationsOptions' FailOpen and MaxStaleness, under the prefix
// "jwtauth:revoke:". It returns nil, and no error, when JWT_REDIS_URL is
// unset. Redis must answer at the start, as for ThrottleFromEnv; after
// it, outages are ridden out (see Revocations). The Revocations owns the
// client it makes: Close it. Errors never show the URL, which may hold a
// password.
func RevocationsFromEnv(lookup func(string) (string, bool)) (*Revocations, error) {
	get := func(name string) (string, bool) {
		v, ok := lookup(name)
		return v, ok && v != ""
	}
	url, ok := get("JWT_REDIS_URL")
	if !ok {
		return nil, nil
	}
	var opts RevocationsOptions
	for _, d := range []struct {
		name string
		to   *time.Duration
	}{{"JWT_REVOCATION_FAIL_OPEN", &opts.FailOpen}, {"JWT_REVOCATION_MAX_STALENESS", &opts.MaxStaleness}} {
		v, ok := get(d.name)
		if !ok {
			continue
		}
		n, err := time.ParseDuration(v)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("redisstore: %s: want a duration such as 500ms or 2s, not %q", d.name, v)
		}
		*d.to = n
	}
	if opts.MaxStaleness != 0 && opts.MaxStaleness <= DefaultRevocationInterval {
		return nil, fmt.Errorf("redisstore: JWT_REVOCATION_MAX_STALENESS: want more than the check interval, %v", DefaultRevocationInterval)
	}
	client, err := clientFromURL(url)
	if err != nil {
		return nil, err
	}
	r, err := NewRevocations(client, "jwtauth:revoke:", opts)
	if err != nil {
		client.Close()
		return nil, err
	}
	r.owned = true
	return r, nil
}

// clientFromURL connects to the JWT_REDIS_URL url; its errors never show
// the URL, which may hold a password.
func clientFromURL(url string) (rueidis.Client, error) {
	opt, err := rueidis.ParseURL(url)
	if err != nil {
		return nil, errors.New("redisstore: JWT_REDIS_URL: want redis://[:PASSWORD@]HOST:PORT/DB")
	}
	client, err := rueidis.NewClient(opt)
	if err != nil {
		return nil, errors.New("redisstore: JWT_REDIS_URL: Redis does not answer")
	}
	return client, nil
}
