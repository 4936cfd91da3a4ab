// Command report runs BenchmarkPeers and turns its results into
// ../docs/bench.svg (a bar chart of ns/op, one bar per library, with its
// ratio to the golang-jwt baseline) and ../docs/bench.md (the table, the
// machine and the command), keeping the raw output in ../docs/bench.txt for
// benchstat. Run it from the bench module:
//
//	cd bench && go run ./cmd/report
//
// It runs
//
//	go test -run '^$' -bench '^BenchmarkPeers$' -benchmem -count 5
//
// and takes, for every sub-benchmark, the median of the runs. With -input
// it reads a saved output instead of running the benchmarks. The section of
// bench.md between the load markers (written by load.sh) is kept as it is.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/jwtauth-go/jwtauth/bench"
)

// benchModule is the module path the command must run in.
const benchModule = "github.com/jwtauth-go/jwtauth/bench"

// Markers around the load-test section of bench.md, which load.sh rewrites
// and report keeps.
const (
	loadBegin = "<!-- load:begin -->"
	loadEnd   = "<!-- load:end -->"
)

func main() {
	count := flag.Int("count", 5, "runs of each sub-benchmark; the report shows their median")
	benchtime := flag.String("benchtime", "", "passed to go test -benchtime when set")
	input := flag.String("input", "", "read this saved `go test -bench` output instead of running the benchmarks")
	docs := flag.String("docs", filepath.Join("..", "docs"), "directory for bench.svg, bench.md and bench.txt")
	flag.Parse()
	if err := run(*count, *benchtime, *input, *docs); err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
}

func run(count int, benchtime, input, docs string) error {
	if err := checkModule(); err != nil {
		return err
	}
	testArgs := []string{"test", "-run", "^$", "-bench", "^BenchmarkPeers$", "-benchmem", "-count", strconv.Itoa(count)}
	if benchtime != "" {
		testArgs = append(testArgs, "-benchtime", benchtime)
	}
	var out []byte
	var err error
	if input == "" {
		warnIfBusy()
	}
	if input != "" {
		out, err = os.ReadFile(input)
	} else {
		out, err = runBenchmarks(testArgs)
	}
	if err != nil {
		return err
	}
	res, err := parse(bytes.NewReader(out))
	if err != nil {
		return err
	}
	if _, ok := res.rows["golang-jwt"]; !ok {
		return errors.New("no result for the golang-jwt baseline")
	}

	m := machine{
		GoVersion: goVersion(),
		GOOS:      res.goos,
		GOARCH:    res.goarch,
		CPU:       cpuModel(res.cpu),
		Cores:     runtime.NumCPU(),
	}
	cmdline := "cd bench && go run ./cmd/report"
	if count != 5 {
		cmdline += " -count " + strconv.Itoa(count)
	}
	if benchtime != "" {
		cmdline += " -benchtime " + benchtime
	}
	rep := report{
		Rows:     rows(res, moduleVersions(), ourVersion()),
		Machine:  m,
		Count:    count,
		Command:  cmdline,
		GoTest:   "go " + shellJoin(testArgs),
		CacheSet: bench.CacheField,
	}

	if err := os.MkdirAll(docs, 0o755); err != nil {
		return err
	}
	mdPath := filepath.Join(docs, "bench.md")
	old, err := os.ReadFile(mdPath)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	files := []struct {
		name string
		data []byte
	}{
		{"bench.txt", out},
		{"bench.svg", []byte(svg(rep))},
		{"bench.md", []byte(markdown(rep, loadSection(string(old))))},
	}
	for _, f := range files {
		p := filepath.Join(docs, f.name)
		if err := os.WriteFile(p, f.data, 0o644); err != nil {
			return err
		}
		fmt.Fprintln(os.Stderr, "wrote", p)
	}
	return nil
}

// checkModule makes sure the working directory is the bench module, so
// that go test measures the right package.
func checkModule() error {
	b, err := os.ReadFile("go.mod")
	if err == nil && bytes.HasPrefix(b, []byte("module "+benchModule+"\n")) {
		return nil
	}
	return errors.New("run me from the bench directory: cd bench && go run ./cmd/report")
}

// runBenchmarks runs go with args, showing its output as it comes, and
// returns that output. A failing run is an error: a sub-benchmark whose
// middleware stopped answering 200 must not make it into the chart.
func runBenchmarks(args []string) ([]byte, error) {
	fmt.Fprintln(os.Stderr, "running: go", shellJoin(args))
	var buf bytes.Buffer
	cmd := exec.Command("go", args...)
	cmd.Stdout = io.MultiWriter(&buf, os.Stderr)
	cmd.Stderr = io.MultiWriter(&buf, os.Stderr)
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go test: %w", err)
	}
	return buf.Bytes(), nil
}

// sample is one line of benchmark output.
type sample struct {
	nsPerOp, bytesPerOp, allocsPerOp float64
}

// results is a parsed benchmark output.
type results struct {
	goos, goarch, cpu string
	rows              map[string][]sample
	order             []string          // sub-benchmarks in order of appearance
	skipped           map[string]string // sub-benchmark -> reason
}

var (
	benchLine = regexp.MustCompile(`^BenchmarkPeers/(\S+?)(?:-\d+)?\s+\d+\s+(.*)$`)
	skipLine  = regexp.MustCompile(`^\s*--- SKIP: BenchmarkPeers/(\S+?)(?:-\d+)?(?:\s|$)`)
	// The file:line prefix of a message under a SKIP line.
	logPrefix = regexp.MustCompile(`^\s+\S+\.go:\d+: `)
)

// parse reads go test -bench output.
func parse(r io.Reader) (*results, error) {
	res := &results{rows: map[string][]sample{}, skipped: map[string]string{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	pendingSkip := ""
	for sc.Scan() {
		line := sc.Text()
		if pendingSkip != "" {
			if logPrefix.MatchString(line) {
				res.skipped[pendingSkip] = strings.TrimSpace(logPrefix.ReplaceAllString(line, ""))
			}
			pendingSkip = ""
		}
		switch {
		case strings.HasPrefix(line, "goos: "):
			res.goos = strings.TrimPrefix(line, "goos: ")
		case strings.HasPrefix(line, "goarch: "):
			res.goarch = strings.TrimPrefix(line, "goarch: ")
		case strings.HasPrefix(line, "cpu: "):
			res.cpu = strings.TrimPrefix(line, "cpu: ")
		}
		if m := skipLine.FindStringSubmatch(line); m != nil {
			pendingSkip = m[1]
			if _, ok := res.skipped[m[1]]; !ok {
				res.skipped[m[1]] = ""
			}
			continue
		}
		m := benchLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		s, err := parseMetrics(m[2])
		if err != nil {
			return nil, fmt.Errorf("%q: %w", line, err)
		}
		if _, ok := res.rows[m[1]]; !ok {
			res.order = append(res.order, m[1])
		}
		res.rows[m[1]] = append(res.rows[m[1]], s)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(res.rows) == 0 {
		return nil, errors.New("no BenchmarkPeers results in the output")
	}
	return res, nil
}

// parseMetrics reads the "value unit" pairs after a benchmark's iteration
// count.
func parseMetrics(s string) (sample, error) {
	f := strings.Fields(s)
	var out sample
	seen := false
	for i := 0; i+1 < len(f); i += 2 {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return out, err
		}
		switch f[i+1] {
		case "ns/op":
			out.nsPerOp, seen = v, true
		case "B/op":
			out.bytesPerOp = v
		case "allocs/op":
			out.allocsPerOp = v
		}
	}
	if !seen {
		return out, errors.New("no ns/op")
	}
	return out, nil
}

// median returns the median of xs (the mean of the two middle values for
// an even count).
func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// library describes one sub-benchmark for the report.
type library struct {
	name    string   // sub-benchmark name
	label   string   // shown on the chart and in the table
	kind    string   // "baseline", "floor", "ours" or "peer": the bar colour
	modules []string // modules whose versions the table shows
	note    string   // how it is set up, for the notes under the table
}

// libraries lists the sub-benchmarks of BenchmarkPeers, baseline first.
var libraries = []library{
	{"golang-jwt", "golang-jwt v5 (baseline)", "baseline", []string{"github.com/golang-jwt/jwt/v5"},
		"a plain net/http middleware over `jwt.Parser.ParseWithClaims` into a struct, HS256 only, `exp` required; `JWT` scheme"},
	{"hand-written-floor", "hand-written floor", "floor", nil,
		"split, pooled HMAC, `encoding/json` claims, `exp` check; checks neither the header nor `alg`, so it is a floor, not a safe middleware; `JWT` scheme"},
	{"jwtauth", "jwtauth (ours)", "ours", nil,
		"`jwtauth.New` with DRF-JWT's defaults, `MemoryStore` holding the user, `Required`, `UserFromContext` in the handler; `JWT` scheme"},
	{"jwtauth-cached", "jwtauth + token cache (ours)", "ours", nil,
		"the same with the verified-token cache on (`Settings.TokenCacheSize`); the user is still loaded on every request"},
	{"go-chi-jwtauth", "go-chi/jwtauth", "peer", []string{"github.com/go-chi/jwtauth/v5", "github.com/lestrrat-go/jwx/v2"},
		"`Verifier` then `Authenticator`, claims from `FromContext`; `Bearer` (the only scheme it reads)"},
	{"auth0-go-jwt-middleware", "auth0/go-jwt-middleware", "peer", []string{"github.com/auth0/go-jwt-middleware/v2", "gopkg.in/go-jose/go-jose.v2"},
		"`CheckJWT` over its `validator` with a custom-claims struct for the username; `Bearer` (the only scheme it reads). v2 because v3 is not on the module proxy reachable here; its `validator.New` requires an issuer and an audience, so it gets the same token with DRF-JWT's `iss` and `aud` claims added"},
	{"gin-jwt", "appleboy/gin-jwt", "peer", []string{"github.com/appleboy/gin-jwt/v2", "github.com/gin-gonic/gin", "github.com/golang-jwt/jwt/v4"},
		"`MiddlewareFunc` on a `gin.Engine` with one route (it works only inside gin, so gin's router is in the number), identity from the `username` claim; `TokenHeadName: \"JWT\"`. v2 because v3 is not on the module proxy reachable here"},
	{"echo-jwt", "labstack/echo-jwt", "peer", []string{"github.com/labstack/echo-jwt/v4", "github.com/labstack/echo/v4"},
		"`echojwt.WithConfig` on an `echo.Echo` with one route (echo's router is in the number), claims into a struct; `TokenLookup: \"header:Authorization:JWT \"`. v4 because v5 is not on the module proxy reachable here"},
}

// row is one line of the table and one bar of the chart.
type row struct {
	library
	measured          bool
	skip              string // why it was not measured
	ns, bytes, allocs float64
	ratio             float64 // ns / baseline ns
	version           string
	runs              int
	nsMin, nsMax      float64
}

// rows builds the report's rows, measured ones sorted by ns/op, then the
// ones not measured. versions maps module paths to versions; ours is the
// version of this repository.
func rows(res *results, versions map[string]string, ours string) []row {
	base := median(nsOf(res.rows["golang-jwt"]))
	known := map[string]bool{}
	var measured, missing []row
	add := func(l library) {
		r := row{library: l, version: versionOf(l, versions, ours)}
		ss, ok := res.rows[l.name]
		if !ok {
			r.skip = res.skipped[l.name]
			if r.skip == "" {
				r.skip = "not in this run"
			}
			missing = append(missing, r)
			return
		}
		ns := nsOf(ss)
		r.measured = true
		r.runs = len(ss)
		r.ns = median(ns)
		r.nsMin, r.nsMax = slices.Min(ns), slices.Max(ns)
		var bs, as []float64
		for _, s := range ss {
			bs = append(bs, s.bytesPerOp)
			as = append(as, s.allocsPerOp)
		}
		r.bytes, r.allocs = median(bs), median(as)
		r.ratio = r.ns / base
		measured = append(measured, r)
	}
	for _, l := range libraries {
		known[l.name] = true
		add(l)
	}
	for _, name := range res.order {
		if !known[name] {
			add(library{name: name, label: name, kind: "peer"})
		}
	}
	slices.SortStableFunc(measured, func(a, b row) int {
		switch {
		case a.ns < b.ns:
			return -1
		case a.ns > b.ns:
			return 1
		}
		return strings.Compare(a.name, b.name)
	})
	return append(measured, missing...)
}

func nsOf(ss []sample) []float64 {
	var ns []float64
	for _, s := range ss {
		ns = append(ns, s.nsPerOp)
	}
	return ns
}

// versionOf says which code a row measured.
func versionOf(l library, versions map[string]string, ours string) string {
	switch l.kind {
	case "ours":
		return "this repository, " + ours
	case "floor":
		return "standard library only"
	}
	var parts []string
	for _, m := range l.modules {
		v := versions[m]
		if v == "" {
			v = "?"
		}
		parts = append(parts, strings.TrimPrefix(strings.TrimPrefix(m, "github.com/"), "gopkg.in/")+" "+v)
	}
	return strings.Join(parts, ", ")
}

// moduleVersions asks go list for the versions of every module the
// libraries name, as the bench module's go.mod selects them.
func moduleVersions() map[string]string {
	args := []string{"list", "-m", "-f", "{{.Path}} {{.Version}}"}
	for _, l := range libraries {
		args = append(args, l.modules...)
	}
	out, err := exec.Command("go", args...).Output()
	versions := map[string]string{}
	if err != nil {
		fmt.Fprintln(os.Stderr, "report: go list -m:", err)
		return versions
	}
	for line := range strings.Lines(string(out)) {
		if p, v, ok := strings.Cut(strings.TrimSpace(line), " "); ok {
			versions[p] = v
		}
	}
	return versions
}

// ourVersion is the commit of the repository around the bench module,
// marked "-dirty" when the work tree has changes.
func ourVersion() string {
	out, err := exec.Command("git", "-C", "..", "describe", "--always", "--dirty", "--abbrev=12").Output()
	if err != nil {
		return "unknown commit"
	}
	return "commit " + strings.TrimSpace(string(out))
}

// warnIfBusy warns when the machine is already busy: other work on its
// cores skews every number, the ratios less than the absolute ones.
func warnIfBusy() {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return
	}
	if load, err := strconv.ParseFloat(f[0], 64); err == nil && load > float64(runtime.NumCPU())/2 {
		fmt.Fprintf(os.Stderr, "report: warning: load average %.2f on %d cores; the numbers will be noisy\n", load, runtime.NumCPU())
	}
}

// goVersion is the version of the go command that ran the benchmarks.
func goVersion() string {
	out, err := exec.Command("go", "env", "GOVERSION").Output()
	if err != nil {
		return runtime.Version()
	}
	return strings.TrimSpace(string(out))
}

// cpuModel is the model name from /proc/cpuinfo, else what go test printed.
func cpuModel(fromTest string) string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err == nil {
		for line := range strings.Lines(string(b)) {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				return strings.TrimSpace(v)
			}
		}
	}
	if fromTest != "" {
		return fromTest
	}
	return "unknown"
}

// shellJoin quotes args for a POSIX shell where needed.
func shellJoin(args []string) string {
	var b strings.Builder
	for i, a := range args {
		if i > 0 {
			b.WriteByte(' ')
		}
		if a != "" && strings.Trim(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:") == "" {
			b.WriteString(a)
		} else {
			b.WriteString("'" + strings.ReplaceAll(a, "'", `'\''`) + "'")
		}
	}
	return b.String()
}

// loadSection returns the load-test section of an existing bench.md,
// markers included, or a placeholder.
func loadSection(md string) string {
	i := strings.Index(md, loadBegin)
	j := strings.Index(md, loadEnd)
	if i >= 0 && j > i {
		return md[i : j+len(loadEnd)]
	}
	return loadBegin + "\n## End-to-end load test\n\nNot run yet: `bench/load.sh` writes its result here.\n" + loadEnd
}
