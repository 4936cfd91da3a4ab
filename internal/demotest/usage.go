package demotest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"regexp"
	"strings"
	"testing"
)

// CheckUsage checks that an example's -h text lists every environment
// variable jwtauth.FromEnv documents, read from its doc comment in the
// file at envGo (the root package's env.go). The DRF-JWT handler
// settings it names only to refuse (JWT_PAYLOAD_HANDLER, ...) are not
// settings to list.
func CheckUsage(t *testing.T, usage, envGo string) {
	t.Helper()
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
		if !regexp.MustCompile(`\b` + name + `\b`).MatchString(usage) {
			t.Errorf("-h does not list %s", name)
		}
	}
}
