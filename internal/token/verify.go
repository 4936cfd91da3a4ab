package token

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"fmt"
	"hash"
	"slices"
	"strings"
	"sync"
	"time"
)

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

// verify checks tok itself with the keys of ks, up to its claims, which
// it writes to dst. With user keys it returns the key it verified with.
func (e *Engine) verify(ks *keySet, tok string, now time.Time, dst *Claims, key func(*Claims) ([]byte, error)) ([]byte, error) {
	d1, d2, err := shape(tok)
	if err != nil {
		return nil, err
	}
	sc := ks.scratch.Get().(*scratch)
	defer ks.scratch.Put(sc)
	sc.tok = append(sc.tok[:0], tok...)
	// Every segment is decoded before the header is judged, as PyJWT
	// does, so that a token DRF calls undecodable is undecodable here too.
	body, err1 := decodeSegment(&sc.body, sc.tok[d1+1:d2])
	sig, err2 := decodeSegment(&sc.sig, sc.tok[d2+1:])
	if err := errors.Join(err1, err2); err != nil {
		return nil, fmt.Errorf("%w: base64: %v", ErrMalformed, err)
	}
	var kid string
	switch h := tok[:d1]; h {
	case ks.header:
		kid = ks.current.id
	case ks.plain[0], ks.plain[1]:
	default:
		hdr, err := b64.DecodeString(h)
		if err != nil {
			return nil, fmt.Errorf("%w: header: %v", ErrMalformed, err)
		}
		if kid, err = e.checkHeader(hdr); err != nil {
			return nil, err
		}
	}
	// The one allocation of a verification: the claims' strings are
	// substrings of it.
	data := string(body)
	var (
		p      payload
		secret []byte
	)
	if e.spec.UserKeys {
		// The key depends on the user: read the claims before the
		// signature, strictly, and ask for the key of the user they name.
		if err := decodePayload(data, &p); err != nil {
			return nil, fmt.Errorf("%w: claims: %v", ErrMalformed, err)
		}
		// A copy for the callback, declared here: the claims escape
		// through it, and only this branch should pay for that.
		untrusted := p.Claims
		if secret, err = key(&untrusted); err != nil {
			return nil, err
		}
		if len(secret) == 0 {
			// An empty key would verify a MAC anyone can compute.
			return nil, fmt.Errorf("%w: no key for this user", ErrSignature)
		}
		if !macMatches(hmac.New(hmacHashes[e.spec.Algorithm], secret), sc, d2, sig) {
			return nil, fmt.Errorf("%w: the MAC does not match", ErrSignature)
		}
	} else {
		if !ks.verify(sc, tok[:d2], sig, kid) {
			return nil, fmt.Errorf("%w: the signature matches none of the keys its kid allows", ErrSignature)
		}
		if err := decodePayload(data, &p); err != nil {
			return nil, fmt.Errorf("%w: claims: %v", ErrMalformed, err)
		}
	}
	if err := e.validate(&p, now); err != nil {
		return nil, err
	}
	*dst = p.Claims
	return secret, nil
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

// shape checks the compact serialisation before anything is decoded:
// bounded length, exactly three segments, no CR or LF. It returns the
// positions of the two dots. The rest of the alphabet is left to base64
// decoding, which refuses every other byte outside base64url but skips CR
// and LF: refused here, so that one token has one spelling.
func shape(token string) (d1, d2 int, err error) {
	if len(token) == 0 || len(token) > MaxLen {
		return 0, 0, fmt.Errorf("%w: length %d", ErrMalformed, len(token))
	}
	if strings.IndexByte(token, '\n') >= 0 || strings.IndexByte(token, '\r') >= 0 {
		return 0, 0, fmt.Errorf("%w: line break", ErrMalformed)
	}
	d1 = strings.IndexByte(token, '.')
	d2 = d1 + 1 + strings.IndexByte(token[d1+1:], '.')
	if d1 < 0 || d2 <= d1 || strings.IndexByte(token[d2+1:], '.') >= 0 {
		return 0, 0, fmt.Errorf("%w: %d segments", ErrMalformed, strings.Count(token, ".")+1)
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
func (e *Engine) checkHeader(hdr []byte) (kid string, err error) {
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
		return "", fmt.Errorf("%w: header: %v", ErrMalformed, err)
	case !hasAlg || badAlg || alg != e.spec.Algorithm:
		return "", fmt.Errorf("%w: alg is not %s", ErrInvalid, e.spec.Algorithm)
	case crit:
		return "", fmt.Errorf("%w: crit header", ErrInvalid)
	case hasTyp && (badTyp || !strings.EqualFold(typ, "JWT")):
		return "", fmt.Errorf("%w: typ is not JWT", ErrInvalid)
	case badKid:
		return "", fmt.Errorf("%w: kid is not a string", ErrInvalid)
	}
	return kid, nil
}

// validate checks the claims in PyJWT's order (nbf, iat for simplejwt,
// exp, iss, aud), so that
// an expired token with a wrong audience reports expiry, as DRF-JWT does,
// then the token's type and the dialect's claims. Unlike DRF-JWT, exp is
// required and must be a number.
func (e *Engine) validate(p *payload, now time.Time) error {
	spec := &e.spec
	switch {
	case p.timeErr != nil:
		return fmt.Errorf("%w: %v", ErrMalformed, p.timeErr)
	case !p.NotBefore.IsZero() && now.Add(spec.Leeway).Before(p.NotBefore):
		return fmt.Errorf("%w: not valid before nbf", ErrInvalid)
	case spec.SimpleJWT && now.Add(spec.Leeway).Before(p.IssuedAt):
		return fmt.Errorf("%w: issued in the future (iat)", ErrInvalid)
	case !p.hasExp:
		return ErrNoExp
	case !now.Before(p.ExpiresAt.Add(spec.Leeway)):
		return ErrExpired
	case p.claimErr != nil:
		return fmt.Errorf("%w: %v", ErrInvalid, p.claimErr)
	case spec.Issuer != "" && (!p.hasIss || p.Issuer != spec.Issuer):
		return fmt.Errorf("%w: iss is not %q", ErrInvalid, spec.Issuer)
	case spec.Audience == "" && p.hasAud:
		return fmt.Errorf("%w: aud present but no audience is configured", ErrInvalid)
	case spec.Audience != "" && !slices.Contains(p.Audience, spec.Audience):
		return fmt.Errorf("%w: aud does not name %q", ErrInvalid, spec.Audience)
	case p.hasTokenType && spec.TokenType != "" && p.TokenType != spec.TokenType:
		// RFC 8725 §3.12: a refresh token (simplejwt's, say) that carries
		// a username is still no credential.
		return fmt.Errorf("%w: token_type is not %q", ErrInvalid, spec.TokenType)
	case p.payloadErr != nil:
		return fmt.Errorf("%w: %v", ErrPayload, p.payloadErr)
	case spec.Identity == "username" && p.Username == "":
		return fmt.Errorf("%w: no username", ErrPayload)
	}
	return nil
}
