package demotest

import (
	"bytes"
	"flag"
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// Endpoint is a method and path an example serves and its -h lists.
// Example is a path that asks it, when Path is a pattern ("/tasks/{id}/").
type Endpoint struct{ Method, Path, Example string }

// usage is what fs prints for -h.
func usage(fs *flag.FlagSet) string {
	var b bytes.Buffer
	fs.SetOutput(&b)
	fs.Usage()
	return b.String()
}

// CheckUsage checks an example's -h text, as its flag set fs prints it:
// it lists every environment variable jwtauth.FromEnv documents, read
// from its doc comment in the file at envGo (the root package's env.go),
// every endpoint and every flag. The DRF-JWT handler settings FromEnv
// names only to refuse (JWT_PAYLOAD_HANDLER, ...) are not settings to
// list.
func CheckUsage(t *testing.T, fs *flag.FlagSet, envGo string, endpoints []Endpoint) {
	t.Helper()
	text := usage(fs)
	f, err := parser.ParseFile(token.NewFileSet(), envGo, nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	var doc string
	for _, d := range f.Decls {
		if fn, ok := d.(*ast.FuncDecl); ok && fn.Name.Name == "FromEnv" && fn.Doc != nil {
			doc = fn.Doc.Text()
		}
	}
	names := regexp.MustCompile(`\b(?:JWT|CSRF)_[A-Z_]+\b`).FindAllString(doc, -1)
	if len(names) < 20 {
		t.Fatalf("found %d variables in FromEnv's doc comment: %q", len(names), names)
	}
	for _, name := range names {
		if strings.HasSuffix(name, "_HANDLER") {
			continue
		}
		if !regexp.MustCompile(`\b` + name + `\b`).MatchString(text) {
			t.Errorf("-h does not list %s", name)
		}
	}
	for _, e := range endpoints {
		if !regexp.MustCompile(`(?m)^  ` + e.Method + ` +` + regexp.QuoteMeta(e.Path) + ` `).MatchString(text) {
			t.Errorf("-h does not list %s %s:\n%s", e.Method, e.Path, text)
		}
	}
	fs.VisitAll(func(f *flag.Flag) {
		if !strings.Contains(text, "  -"+f.Name+" ") {
			t.Errorf("-h does not list -%s", f.Name)
		}
	})
}

// CheckHelpFlag runs an example's binary, bin, with -h and an empty
// environment: it must exit with status 0 having printed what its flag
// set fs prints, under the binary's name prog.
func CheckHelpFlag(t *testing.T, bin, prog string, fs *flag.FlagSet) {
	t.Helper()
	cmd := exec.Command(bin, "-h")
	cmd.Env = []string{}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("-h: %v\n%s", err, out)
	}
	want := usage(fs)
	if got := strings.Replace(string(out), "Usage: "+prog+" ", "Usage: "+fs.Name()+" ", 1); got != want {
		t.Errorf("-h printed:\n%s\nwant:\n%s", out, want)
	}
}
