package jwtauth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"fmt"
	"hash"
	"slices"
	"strings"
	"sync"
)

// maxTokenLen bounds the work done on unauthenticated input. DRF-JWT tokens
// are a few hundred bytes; 8 KiB leaves room for custom claims.
const maxTokenLen = 8 << 10

// VerifyToken checks token as the middleware does and returns the user it
// authenticates and its claims: signature, algorithm and claims (see
// Claims), then the user, re-loaded from the store, must exist and be
// active. Errors wrap the sentinels (ErrExpiredToken, ErrMalformedToken,
// ...); a store failure is returned as it is.
func (a *Auth) VerifyToken(ctx context.Context, token string) (User, Claims, error) {
	var dst Claims
	u, c, err := a.authToken(ctx, token, &dst)
	if err != nil {
		return User{}, Claims{}, err
	}
	return u, c.clone(), nil
}

// authToken is VerifyToken for the middleware. The claims it returns are
// either *dst, where a cold verification writes them, or the cache's, and
// must not be modified. A refusal is logged (see logRefusal).
func (a *Auth) authToken(ctx context.Context, token string, dst *Claims) (User, *Claims, error) {
	u, c, err := a.checkToken(ctx, token, dst)
	if err != nil {
		return User{}, nil, a.refused(ctx, token, err)
	}
	return u, c, nil
}

// checkToken is authToken without logging a refusal, for a caller that
// has yet to decide whether this was the request's token at all.
func (a *Auth) checkToken(ctx context.Context, token string, dst *Claims) (User, *Claims, error) {
	ks := a.keys.Load()
	if a.cache != nil {
		if c, secret, ok := a.cache.get(token, ks, a.s.Now()); ok {
			return a.cachedUser(ctx, c, secret)
		}
	}
	u, secret, err := a.verifyToken(ctx, ks, token, dst)
	if err == nil && secret == nil {
		u, err = a.loadUser(ctx, dst, nil)
	}
	if err == nil {
		err = admit(u, dst)
	}
	if err != nil {
		return User{}, nil, err
	}
	if a.cache != nil {
		c := *dst
		a.cache.put(&cacheEntry{token: token, claims: &c, secret: secret, keys: ks}, a.s.Now())
	}
	return u, dst, nil
}

// refused logs the refusal of token for err (see logRefusal), and returns
// err.
func (a *Auth) refused(ctx context.Context, token string, err error) error {
	if kindOf(err) != "" {
		logRefusal(ctx, a.s.Logger, "jwtauth: token refused", err, tokenTag(token))
	}
	return err
}

// scratch is the memory one verification works in, pooled so that a
// request allocates only the string its claims are cut from.
type scratch struct {
	tok, body, sig, sum []byte
	mac                 hash.Hash // keyed with the current HMAC key; nil for other keys
}

// hmacHashes are the hash functions of the HMAC algorithms, for the MAC
// computed on the hot path instead of by golang-jwt (FuzzVerifyToken and
// FuzzSignedClaims hold it to golang-jwt's verdict).
var hmacHashes = map[string]func() hash.Hash{"HS256": sha256.New, "HS384": sha512.New384, "HS512": sha512.New}

func newScratchPool(alg string, key any) *sync.Pool {
	newHash, isHMAC := hmacHashes[alg]
	return &sync.Pool{New: func() any {
		sc := &scratch{}
		if secret, ok := key.([]byte); ok && isHMAC {
			sc.mac = hmac.New(newHash, secret)
		}
		return sc
	}}
}

// verifyToken checks the token itself with the keys of ks, up to its
// claims, which it writes to dst. With per-user secrets it also returns the
// user it loaded to find the key, and that key.
func (a *Auth) verifyToken(ctx context.Context, ks *keySet, token string, dst *Claims) (User, []byte, error) {
	d1, d2, err := shape(token)
	if err != nil {
		return User{}, nil, err
	}
	sc := ks.scratch.Get().(*scratch)
	defer ks.scratch.Put(sc)
	sc.tok = append(sc.tok[:0], token...)
	// Every segment is decoded before the header is judged, as PyJWT
	// does, so that a token DRF calls undecodable is undecodable here too.
	body, err1 := decodeSegment(&sc.body, sc.tok[d1+1:d2])
	sig, err2 := decodeSegment(&sc.sig, sc.tok[d2+1:])
	if err := errors.Join(err1, err2); err != nil {
		return User{}, nil, fmt.Errorf("%w: base64: %v", ErrMalformedToken, err)
	}
	var kid string
	switch h := token[:d1]; h {
	case ks.header:
		kid = ks.current.id
	case ks.plain[0], ks.plain[1]:
	default:
		hdr, err := b64.DecodeString(h)
		if err != nil {
			return User{}, nil, fmt.Errorf("%w: header: %v", ErrMalformedToken, err)
		}
		if kid, err = a.checkHeader(hdr); err != nil {
			return User{}, nil, err
		}
	}
	// The one allocation of a verification: the claims' strings are
	// substrings of it.
	data := string(body)
	var (
		p      payload
		user   User
		secret []byte
	)
	if a.s.UserSecretKey != nil {
		// The key depends on the user: read the claims before the
		// signature, strictly, and take the user the token names.
		if err := decodePayload(data, &p); err != nil {
			return User{}, nil, fmt.Errorf("%w: claims: %v", ErrMalformedToken, err)
		}
		u, err := a.lookup(ctx, a.usernameOf(&p.Claims))
		if err != nil {
			return User{}, nil, err
		}
		if secret, err = a.userSecret(ctx, u); err != nil {
			return User{}, nil, err
		}
		user = u
		if !macMatches(hmac.New(hmacHashes[a.s.Algorithm], secret), sc, d2, sig) {
			return User{}, nil, fmt.Errorf("%w: the MAC does not match", ErrInvalidSignature)
		}
	} else if !ks.verify(sc, token[:d2], sig, kid) {
		return User{}, nil, fmt.Errorf("%w: the signature matches none of the keys its kid allows", ErrInvalidSignature)
	}
	if secret == nil {
		if err := decodePayload(data, &p); err != nil {
			return User{}, nil, fmt.Errorf("%w: claims: %v", ErrMalformedToken, err)
		}
	}
	if err := a.validate(&p); err != nil {
		return User{}, nil, err
	}
	if p.payloadErr != nil {
		return User{}, nil, fmt.Errorf("%w: %v", ErrInvalidPayload, p.payloadErr)
	}
	if a.usernameOf(&p.Claims) == "" {
		return User{}, nil, fmt.Errorf("%w: no username", ErrInvalidPayload)
	}
	*dst = p.Claims
	return user, secret, nil
}

// verify reports whether sig signs signing (held in sc.tok too) with one
// of the keys kid allows; the current HMAC key through the pooled MAC.
func (ks *keySet) verify(sc *scratch, signing string, sig []byte, kid string) bool {
	first, more := ks.candidates(kid)
	if first == &ks.current && sc.mac != nil {
		if macMatches(sc.mac, sc, len(signing), sig) {
			return true
		}
	} else if ks.method.Verify(signing, sig, first.key) == nil {
		return true
	}
	for _, v := range more {
		if ks.method.Verify(signing, sig, v.key) == nil {
			return true
		}
	}
	return false
}

// macMatches reports whether sig is mac's MAC of sc.tok[:n], in constant
// time.
func macMatches(mac hash.Hash, sc *scratch, n int, sig []byte) bool {
	mac.Reset()
	mac.Write(sc.tok[:n])
	sc.sum = mac.Sum(sc.sum[:0])
	return hmac.Equal(sc.sum, sig)
}

// loadUser loads the user claims c name; with per-user secrets, it also
// checks that the user's secret is still the one the token was verified
// with (a password change, say, cuts its tokens off).
func (a *Auth) loadUser(ctx context.Context, c *Claims, secret []byte) (User, error) {
	// The store directly: this runs for every request of a cached token.
	u, err := a.store.UserByUsername(ctx, a.usernameOf(c))
	if err != nil {
		return User{}, lookupError(err)
	}
	if secret != nil {
		now, err := a.userSecret(ctx, u)
		if err != nil {
			return User{}, err
		}
		if !hmac.Equal(now, secret) {
			return User{}, fmt.Errorf("%w: the user's secret has changed", ErrInvalidSignature)
		}
	}
	return u, nil
}

// cachedUser finishes the verification of a token found in the cache: what
// depends on the user, which may have changed since.
func (a *Auth) cachedUser(ctx context.Context, c *Claims, secret []byte) (User, *Claims, error) {
	u, err := a.loadUser(ctx, c, secret)
	if err == nil {
		err = admit(u, c)
	}
	if err != nil {
		return User{}, nil, err
	}
	return u, c, nil
}

// admit checks that u, found for a valid token, may authenticate now.
func admit(u User, c *Claims) error {
	// A token names one account: a user re-created under the same
	// username does not inherit the old account's tokens.
	if c.UserID != "" && u.ID != "" && c.UserID != u.ID {
		return fmt.Errorf("%w: user_id does not match", ErrUserNotFound)
	}
	if !u.IsActive {
		return ErrUserInactive
	}
	return nil
}

// shape checks the compact serialisation before anything is decoded:
// bounded length, exactly three segments, no CR or LF. It returns the
// positions of the two dots. The rest of the alphabet is left to base64
// decoding, which refuses every other byte outside base64url but skips CR
// and LF: refused here, so that one token has one spelling.
func shape(token string) (d1, d2 int, err error) {
	if len(token) == 0 || len(token) > maxTokenLen {
		return 0, 0, fmt.Errorf("%w: length %d", ErrMalformedToken, len(token))
	}
	if strings.IndexByte(token, '\n') >= 0 || strings.IndexByte(token, '\r') >= 0 {
		return 0, 0, fmt.Errorf("%w: line break", ErrMalformedToken)
	}
	d1 = strings.IndexByte(token, '.')
	d2 = d1 + 1 + strings.IndexByte(token[d1+1:], '.')
	if d1 < 0 || d2 <= d1 || strings.IndexByte(token[d2+1:], '.') >= 0 {
		return 0, 0, fmt.Errorf("%w: %d segments", ErrMalformedToken, strings.Count(token, ".")+1)
	}
	return d1, d2, nil
}

// decodeSegment decodes canonical unpadded base64url into *buf, grown as
// needed and kept for the next request.
func decodeSegment(buf *[]byte, src []byte) ([]byte, error) {
	n := b64.DecodedLen(len(src))
	if cap(*buf) < n {
		*buf = make([]byte, n)
	}
	m, err := b64.Decode((*buf)[:n], src)
	return (*buf)[:m], err
}

// checkHeader accepts a JOSE header only if its alg is exactly the
// configured algorithm, it has no crit (we support no extension, RFC 7515
// §4.1.11), its typ, if any, is JWT, and its kid, if any, a string (as
// PyJWT requires). It returns the kid, which is only ever compared with our
// key IDs; the other key-bearing members (jku, jwk, x5u, x5c) are never
// read.
func (a *Auth) checkHeader(hdr []byte) (kid string, err error) {
	var alg, typ string
	var hasAlg, badAlg, hasTyp, badTyp, badKid, crit bool
	err = object(string(hdr), func(name, raw string) error {
		var ok bool
		switch name {
		case "alg":
			alg, ok = jsonString(raw)
			hasAlg, badAlg = true, !ok
		case "typ":
			typ, ok = jsonString(raw)
			hasTyp, badTyp = true, !ok
		case "kid":
			kid, ok = jsonString(raw)
			badKid = !ok
		case "crit":
			crit = true
		}
		return nil
	})
	switch {
	case err != nil:
		return "", fmt.Errorf("%w: header: %v", ErrMalformedToken, err)
	case !hasAlg || badAlg || alg != a.s.Algorithm:
		return "", fmt.Errorf("%w: alg is not %s", ErrInvalidToken, a.s.Algorithm)
	case crit:
		return "", fmt.Errorf("%w: crit header", ErrInvalidToken)
	case hasTyp && (badTyp || !strings.EqualFold(typ, "JWT")):
		return "", fmt.Errorf("%w: typ is not JWT", ErrInvalidToken)
	case badKid:
		return "", fmt.Errorf("%w: kid is not a string", ErrInvalidToken)
	}
	return kid, nil
}

// validate checks the claims in PyJWT's order (nbf, exp, iss, aud), so that
// an expired token with a wrong audience reports expiry, as DRF-JWT does.
// Unlike DRF-JWT, exp is required and must be a number.
func (a *Auth) validate(p *payload) error {
	now := a.s.Now()
	switch {
	case p.timeErr != nil:
		return fmt.Errorf("%w: %v", ErrMalformedToken, p.timeErr)
	case !p.NotBefore.IsZero() && now.Add(a.s.Leeway).Before(p.NotBefore):
		return fmt.Errorf("%w: not valid before nbf", ErrInvalidToken)
	case !p.hasExp:
		return fmt.Errorf("%w: exp is missing", ErrInvalidToken)
	case !now.Before(p.ExpiresAt.Add(a.s.Leeway)):
		return ErrExpiredToken
	case p.claimErr != nil:
		return fmt.Errorf("%w: %v", ErrInvalidToken, p.claimErr)
	case a.s.Issuer != "" && (!p.hasIss || p.Issuer != a.s.Issuer):
		return fmt.Errorf("%w: iss is not %q", ErrInvalidToken, a.s.Issuer)
	case a.s.Audience == "" && p.hasAud:
		return fmt.Errorf("%w: aud present but no audience is configured", ErrInvalidToken)
	case a.s.Audience != "" && !slices.Contains(p.Audience, a.s.Audience):
		return fmt.Errorf("%w: aud does not name %q", ErrInvalidToken, a.s.Audience)
	}
	return nil
}

func (a *Auth) usernameOf(c *Claims) string {
	if a.s.UsernameFromPayload != nil {
		return a.s.UsernameFromPayload(*c)
	}
	return c.Username
}

// lookup loads a user, telling "no such user" (ErrUserNotFound) from a
// store failure (*storeError).
func (a *Auth) lookup(ctx context.Context, username string) (User, error) {
	if username == "" {
		return User{}, fmt.Errorf("%w: empty username", ErrUserNotFound)
	}
	u, err := a.store.UserByUsername(ctx, username)
	if err != nil {
		return User{}, lookupError(err)
	}
	return u, nil
}

// lookupError tells "no such user" (ErrUserNotFound) from a store failure
// (*storeError).
func lookupError(err error) error {
	if errors.Is(err, ErrUserNotFound) {
		return ErrUserNotFound
	}
	return &storeError{err}
}
