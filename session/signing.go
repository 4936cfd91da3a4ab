package session

import (
	"bytes"
	"compress/zlib"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"io"
	"math"
	"strings"
	"sync"
	"time"
)

// codec verifies and decodes session data as Django's
// SessionBase.decode (db) or the signed_cookies SessionStore.load does:
// django.core.signing.loads with the engine's salt, and for db with Legacy
// the pre-3.1 encoding.
type codec struct {
	// keys are Signer.signature's HMAC-SHA256 keys, SecretKey then each
	// fallback; keySHA1 3.2's legacy_algorithm key (nil unless Legacy);
	// keyLegacyData the pre-3.1 encoding's (nil unless Legacy and db).
	keys          [][]byte
	keySHA1       []byte
	keyLegacyData []byte
	// maxAge is signing.loads' max_age (signed_cookies); zero: none (db,
	// whose rows expire instead).
	maxAge time.Duration
	maxLen int
}

// sessionData are the fields of a session that say who is logged in, as
// contrib.auth's login wrote them; has* says the key is present with a
// value of a type Django can use.
type sessionData struct {
	userID, backend, hash          string
	hasUserID, hasBackend, hasHash bool
}

// decode verifies value and returns its session, or an error wrapping
// ErrInvalidSession: Django's empty session.
func (c *codec) decode(value string, now time.Time) (sessionData, error) {
	if len(value) > c.maxLen {
		return sessionData{}, errTooLong
	}
	signed, ok := c.verify(value)
	if !ok {
		if c.keyLegacyData != nil {
			// SessionBase.decode: BadSignature, then the pre-3.1 format.
			return c.legacyDecode(value)
		}
		return sessionData{}, errSignature
	}
	// TimestampSigner.unsign: value, timestamp = result.rsplit(":", 1).
	i := strings.LastIndexByte(signed, ':')
	if i < 0 {
		return sessionData{}, errFormat
	}
	payload := signed[:i]
	ts, ok := b62Decode(signed[i+1:])
	if !ok {
		return sessionData{}, errFormat
	}
	if c.maxAge > 0 && expired(ts, now, c.maxAge) {
		return sessionData{}, errExpired
	}
	// Signer.unsign_object: "." marks zlib-compressed JSON.
	compressed := strings.HasPrefix(payload, ".")
	if compressed {
		payload = payload[1:]
	}
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return sessionData{}, errFormat
	}
	if compressed {
		if raw, err = inflate(raw); err != nil {
			return sessionData{}, err
		}
	}
	return parseSession(raw)
}

// verify checks the signature after value's last colon, as Signer.unsign
// does (a constant-time comparison of base64url texts), under each key in
// turn, and returns what it signs.
func (c *codec) verify(value string) (string, bool) {
	i := strings.LastIndexByte(value, ':')
	if i < 0 {
		return "", false
	}
	signed, sig := value[:i], value[i+1:]
	for _, k := range c.keys {
		if signatureEqual(sha256.New, k, signed, sig) {
			return signed, true
		}
	}
	if c.keySHA1 != nil && signatureEqual(sha1.New, c.keySHA1, signed, sig) {
		return signed, true
	}
	return "", false
}

// signatureEqual reports whether sig is base64_hmac of value under key,
// unpadded base64url as Django writes it.
func signatureEqual(newHash func() hash.Hash, key []byte, value, sig string) bool {
	m := hmac.New(newHash, key)
	io.WriteString(m, value)
	var sum [sha256.Size]byte
	var b64 [43]byte // base64 of 32 bytes, unpadded
	mac := m.Sum(sum[:0])
	n := base64.RawURLEncoding.EncodedLen(len(mac))
	base64.RawURLEncoding.Encode(b64[:n], mac)
	return hmac.Equal(b64[:n], []byte(sig))
}

// legacyDecode reads the pre-3.1 encoding (SessionBase._legacy_decode):
// base64 of the hex HMAC-SHA1 of the JSON, a colon, the JSON.
func (c *codec) legacyDecode(value string) (sessionData, error) {
	// base64.b64decode without validate drops what is not of the
	// alphabet; text that is not ASCII fails its encode('ascii').
	clean := make([]byte, 0, len(value))
	for i := 0; i < len(value); i++ {
		switch ch := value[i]; {
		case ch >= 0x80:
			return sessionData{}, errSignature
		case ch >= 'A' && ch <= 'Z', ch >= 'a' && ch <= 'z', ch >= '0' && ch <= '9', ch == '+', ch == '/', ch == '=':
			clean = append(clean, ch)
		}
	}
	raw := make([]byte, base64.StdEncoding.DecodedLen(len(clean)))
	n, err := base64.StdEncoding.Decode(raw, clean)
	if err != nil {
		return sessionData{}, errSignature
	}
	raw = raw[:n]
	mac, serialized, ok := bytes.Cut(raw, []byte(":"))
	if !ok {
		return sessionData{}, errSignature
	}
	m := hmac.New(sha1.New, c.keyLegacyData)
	m.Write(serialized)
	want := make([]byte, hex.EncodedLen(sha1.Size))
	hex.Encode(want, m.Sum(nil))
	if !hmac.Equal(mac, want) {
		return sessionData{}, errSignature
	}
	return parseSession(serialized)
}

// inflate is zlib.decompress, bounded: compression is signed, so only a
// key holder could send a bomb, but a leaked key must not make one cheap.
func inflate(b []byte) ([]byte, error) {
	src := bytes.NewReader(b)
	zr, _ := inflaters.Get().(io.ReadCloser)
	var err error
	if zr == nil {
		zr, err = zlib.NewReader(src)
	} else {
		err = zr.(zlib.Resetter).Reset(src, nil)
	}
	if err != nil {
		return nil, errFormat
	}
	defer inflaters.Put(zr)
	var out bytes.Buffer
	out.Grow(4 * len(b))
	n, err := out.ReadFrom(io.LimitReader(zr, maxDecompressed+1))
	switch {
	case err != nil:
		return nil, errFormat
	case n > maxDecompressed:
		return nil, errTooBig
	}
	return out.Bytes(), nil
}

// inflaters keeps zlib readers, whose window costs tens of kilobytes to
// allocate, for the next session.
var inflaters sync.Pool

// base62 is django.utils.baseconv.base62's alphabet (signing.b62 since
// Django 4.0).
const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// b62Decode reads a TimestampSigner timestamp: base62 digits after an
// optional "-". Python's integers are unbounded; values past int64
// saturate, which orders them against any clock as Python does.
func b62Decode(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	neg := s[0] == '-'
	if neg {
		s = s[1:]
	}
	var v int64
	over := false
	for i := 0; i < len(s); i++ {
		d := strings.IndexByte(base62, s[i])
		if d < 0 {
			return 0, false
		}
		if !over && v > (math.MaxInt64-int64(d))/62 {
			over = true
		}
		v = v*62 + int64(d)
	}
	switch {
	case over && neg:
		return math.MinInt64, true
	case over:
		return math.MaxInt64, true
	case neg:
		return -v, true
	}
	return v, true
}

// expired is TimestampSigner.unsign's max_age check: time.time() -
// timestamp > max_age.
func expired(ts int64, now time.Time, maxAge time.Duration) bool {
	sec := now.Unix()
	switch {
	case ts > sec: // signed in the future: not old
		return false
	case ts < sec-int64(maxAge/time.Second)-1: // far too old for the exact sum below
		return true
	}
	return now.Sub(time.Unix(ts, 0)) > maxAge
}
