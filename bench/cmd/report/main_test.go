package main

import (
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
)

const sampleOutput = `goos: linux
goarch: amd64
pkg: github.com/jwtauth-go/jwtauth/bench
cpu: AMD EPYC
BenchmarkPeers/golang-jwt-2         	  238148	      5000 ns/op	    2890 B/op	      44 allocs/op
BenchmarkPeers/golang-jwt-2         	  238148	      5100 ns/op	    2890 B/op	      44 allocs/op
BenchmarkPeers/golang-jwt-2         	  238148	      4900 ns/op	    2890 B/op	      44 allocs/op
BenchmarkPeers/hand-written-floor-2 	  600000	      1800 ns/op	     648 B/op	       8 allocs/op
BenchmarkPeers/jwtauth-2            	  900000	      1250 ns/op	     736 B/op	       4 allocs/op
BenchmarkPeers/jwtauth-2            	  900000	      1240.5 ns/op	     736 B/op	       4 allocs/op
--- SKIP: BenchmarkPeers/jwtauth-cached
    peers_test.go:99: bench: no cache & <more> (see bench.go)
BenchmarkPeers/go-chi-jwtauth-2     	   40000	     30121 ns/op	   12838 B/op	     219 allocs/op
BenchmarkPeers/newcomer-2           	   40000	      7000 ns/op	   12838 B/op	      20 allocs/op
PASS
ok  	github.com/jwtauth-go/jwtauth/bench	12.3s
`

func sampleReport(t *testing.T) report {
	t.Helper()
	res, err := parse(strings.NewReader(sampleOutput))
	if err != nil {
		t.Fatal(err)
	}
	return report{
		Rows:    rows(res, map[string]string{"github.com/golang-jwt/jwt/v5": "v5.3.1"}, "commit abc"),
		Machine: machine{GoVersion: "go1.26.8", GOOS: res.goos, GOARCH: res.goarch, CPU: res.cpu, Cores: 2},
		Count:   3,
		Command: "cd bench && go run ./cmd/report",
		GoTest:  "go test -run '^$' -bench '^BenchmarkPeers$' -benchmem -count 3",
	}
}

func TestParseAndRows(t *testing.T) {
	r := sampleReport(t)
	var got []string
	for _, x := range r.Rows {
		got = append(got, x.name)
	}
	// Measured rows by ns/op, then those not measured in libraries order.
	want := "jwtauth hand-written-floor golang-jwt newcomer go-chi-jwtauth jwtauth-cached auth0-go-jwt-middleware gin-jwt echo-jwt"
	if strings.Join(got, " ") != want {
		t.Fatalf("rows:\n got %s\nwant %s", strings.Join(got, " "), want)
	}
	byName := map[string]row{}
	for _, x := range r.Rows {
		byName[x.name] = x
	}
	if x := byName["golang-jwt"]; x.ns != 5000 || x.ratio != 1 || x.allocs != 44 || x.runs != 3 || x.version != "golang-jwt/jwt/v5 v5.3.1" {
		t.Errorf("golang-jwt: %+v", x)
	}
	if x := byName["jwtauth"]; x.ns != 1245.25 || x.ratio != 1245.25/5000 {
		t.Errorf("jwtauth: ns %v ratio %v, want the median of two runs", x.ns, x.ratio)
	}
	if x := byName["jwtauth-cached"]; x.measured || !strings.Contains(x.skip, "no cache & <more>") {
		t.Errorf("jwtauth-cached: %+v", x)
	}
	if x := byName["gin-jwt"]; x.measured || x.skip != "not in this run" {
		t.Errorf("gin-jwt: %+v", x)
	}
	if r.Machine.CPU != "AMD EPYC" || r.Machine.GOARCH != "amd64" {
		t.Errorf("machine: %+v", r.Machine)
	}
}

func TestParseErrors(t *testing.T) {
	if _, err := parse(strings.NewReader("PASS\n")); err == nil {
		t.Error("no results: no error")
	}
	if _, err := parse(strings.NewReader("BenchmarkPeers/x-2 10 12 B/op\n")); err == nil {
		t.Error("no ns/op: no error")
	}
}

func TestSVGIsWellFormed(t *testing.T) {
	s := svg(sampleReport(t))
	d := xml.NewDecoder(strings.NewReader(s))
	texts := 0
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed: %v\n%s", err, s)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "text" {
			texts++
		}
	}
	for _, want := range []string{"5,000 ns · 1.00× · 44 allocs", "30,121 ns · 6.02× · 219 allocs", "jwtauth (ours)", "not measured"} {
		if !strings.Contains(s, want) {
			t.Errorf("svg lacks %q", want)
		}
	}
	if s != svg(sampleReport(t)) {
		t.Error("svg is not deterministic")
	}
}

func TestMarkdownKeepsLoadSection(t *testing.T) {
	old := "# old\n\nstale table\n\n" + loadBegin + "\n## End-to-end load test\n\nprotected/open 0.91\n" + loadEnd + "\ntrailing\n"
	md := markdown(sampleReport(t), loadSection(old))
	for _, want := range []string{
		"| golang-jwt v5 (baseline) | 5,000 | 1.00× | 44 | 2,890 | golang-jwt/jwt/v5 v5.3.1 |",
		"| jwtauth (ours) | 1,245 | 0.25× | 4 | 736 | this repository, commit abc |",
		"| jwtauth + token cache (ours) | not measured |",
		"protected/open 0.91",
		"cd bench && go run ./cmd/report",
		"go test -run '^$' -bench '^BenchmarkPeers$' -benchmem -count 3",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "stale table") || strings.Contains(md, "trailing") {
		t.Errorf("markdown kept text outside the load section:\n%s", md)
	}
	if !strings.Contains(markdown(sampleReport(t), loadSection("")), "Not run yet") {
		t.Error("no placeholder for a missing load section")
	}
}

func TestHelpers(t *testing.T) {
	for in, want := range map[float64]string{0: "0", 999: "999", 1000: "1,000", 30121.4: "30,121", 1234567: "1,234,567"} {
		if got := thousands(in); got != want {
			t.Errorf("thousands(%v) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[float64]float64{30121: 10000, 5022: 2000, 4000: 1000, 900: 200, 1: 0.2} {
		if got := niceStep(in); got != want {
			t.Errorf("niceStep(%v) = %v, want %v", in, got, want)
		}
	}
	if got := shellJoin([]string{"test", "-run", "^$", "-count", "5"}); got != "test -run '^$' -count 5" {
		t.Errorf("shellJoin: %s", got)
	}
	if got := median([]float64{3, 1, 2}); got != 2 {
		t.Errorf("median: %v", got)
	}
}
