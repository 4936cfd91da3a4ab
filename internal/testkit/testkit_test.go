package testkit

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"sync"
	"testing"
)

// TestSignHS: the example of RFC 7515 appendix A.1, byte for byte, so
// that the tests comparing the library's tokens with SignHS's compare
// them with the standard's.
func TestSignHS(t *testing.T) {
	key, err := base64.RawURLEncoding.DecodeString("AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow")
	if err != nil {
		t.Fatal(err)
	}
	got := SignHS(sha256.New, string(key), "{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}", "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}")
	const want = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9." +
		"eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ." +
		"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	if got != want {
		t.Errorf("SignHS:\n got %s\nwant %s", got, want)
	}
}

// TestBuffer: writers on several goroutines, a reader meanwhile (go test
// -race checks the locking), and nothing lost.
func TestBuffer(t *testing.T) {
	var b Buffer
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			for j := range 100 {
				fmt.Fprintf(&b, "%d.%d\n", i, j)
				_ = b.String()
			}
		})
	}
	wg.Wait()
	// Each goroutine writes ten lines like "0.9\n" and ninety like "0.10\n".
	if n, want := len(b.String()), 4*(10*len("0.9\n")+90*len("0.10\n")); n != want {
		t.Errorf("%d bytes written, want %d", n, want)
	}
}
