// Package testkit is what the tests of several packages share and no
// library code may use: tokens signed by hand, and a buffer that a server
// or logger can write while the test reads it.
//
// It imports nothing of this module, so that every package's tests,
// the root package's own included, can import it.
package testkit

import (
	"bytes"
	"crypto/hmac"
	"encoding/base64"
	"hash"
	"os"
	"sync"
	"time"
)

// DRFHeader is the JOSE header DRF-JWT (PyJWT 1.x) writes, and so does
// the library: the header of every token it issues.
const DRFHeader = `{"typ":"JWT","alg":"HS256"}`

// SignHS signs header.payload, both JSON text used byte for byte, with
// HMAC over newHash and key. It is built from crypto/hmac and base64
// alone, never from the library's signer, so that a bug shared by the
// library's signer and verifier cannot hide in a test that compares
// their work with this.
func SignHS(newHash func() hash.Hash, key, header, payload string) string {
	enc := base64.RawURLEncoding
	signing := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(payload))
	return signing + "." + enc.EncodeToString(MAC(newHash, key, signing))
}

// MAC is the HMAC over newHash and key of a token's signing input
// (header.payload, as sent), for checking a token's signature by hand.
func MAC(newHash func() hash.Hash, key, signingInput string) []byte {
	m := hmac.New(newHash, []byte(key))
	m.Write([]byte(signingInput))
	return m.Sum(nil)
}

// Buffer collects what a process, a server or a logger writes from its
// own goroutines, and may be read while they write.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// PropagationBound is the 99th percentile the revocation propagation
// tests hold a revocation's trip from one instance to another to: 100 ms
// when they run alone on the machine (JWTAUTH_TEST_LATENCY=1, as .ci/run's
// latency step runs them), 1 s when go test runs every package at once
// with -race, whose load then measures the scheduler rather than Redis.
func PropagationBound() time.Duration {
	if os.Getenv("JWTAUTH_TEST_LATENCY") == "1" {
		return 100 * time.Millisecond
	}
	return time.Second
}
