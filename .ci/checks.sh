#!/usr/bin/env bash
# The project's own promises about its shape, checked in CI (.ci/run) and
# runnable by hand from the repository root:
#
#   - the root package exports at most 40 names, counted as the shared
#     tools/apisize.go counts them (exported types, funcs, methods and
#     values; methods that only satisfy a standard interface left out);
#   - the examples import no internal package, so a user can copy them;
#   - README's quick start is a complete program that builds in a fresh
#     module with nothing but `go get github.com/jwtauth-go/jwtauth`.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

apisize=${APISIZE:-../shared/tools/apisize.go}
if [ ! -f "$apisize" ]; then
	echo "FAIL: $apisize not found (the shared tools sit beside the repository)"
	exit 1
fi
line=$(go run "$apisize" . | head -n 1)
echo "$line"
n=$(sed -n 's/.*: \([0-9]*\) exported names.*/\1/p' <<<"$line")
if [ -z "$n" ] || [ "$n" -gt 40 ]; then
	echo "FAIL: the root package exports ${n:-?} names; the budget is 40"
	exit 1
fi

internal=$(go list -f '{{.ImportPath}}: {{join .Imports " "}}' ./examples/... | grep -E '/internal(/|$| )' || true)
if [ -n "$internal" ]; then
	echo "FAIL: an example imports an internal package, which a user copying it cannot:"
	echo "$internal"
	exit 1
fi
echo "examples import public packages only"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The first go block after the quickstart marker.
awk '/<!-- quickstart/ {on=1; next} on && /^```go/ {code=1; next} code && /^```/ {exit} code {print}' README.md >"$tmp/main.go"
if ! grep -q '^package main' "$tmp/main.go"; then
	echo "FAIL: README.md has no quick start program (a go block after <!-- quickstart -->)"
	exit 1
fi
(
	cd "$tmp"
	go mod init example.com/quickstart >/dev/null 2>&1
	go mod edit -replace "github.com/jwtauth-go/jwtauth=$root"
	go get github.com/jwtauth-go/jwtauth >/dev/null 2>&1
	go mod tidy >/dev/null 2>&1
	go vet . && go build -o /dev/null .
) || {
	echo "FAIL: README.md's quick start does not build in a fresh module:"
	cat -n "$tmp/main.go"
	exit 1
}
echo "README quick start builds in a fresh module"
