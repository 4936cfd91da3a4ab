#!/usr/bin/env bash
# End-to-end load test of issue 6, item 4: requests per second of an
# endpoint behind jwtauth's Required middleware, as a ratio to the same
# endpoint unprotected, over loopback with wrk.
#
#	bench/load.sh              # prints the result and writes it into docs/bench.md
#	bench/load.sh --no-write   # prints it only
#
# Builds cmd/loadserver, starts it on a free 127.0.0.1 port, and runs
# `wrk -t2 -c32 -d5s` (after a 1 s warm-up) with the same Authorization
# header against /open/, /protected/ and, when this jwtauth has a
# verified-token cache, /protected-cached/. About 20 s in all. Targets:
# protected/open >= 0.88 cold, >= 0.95 cached. DURATION, CONNECTIONS and
# THREADS override wrk's -d, -c and -t. wrk and the server share the
# machine's cores, so the ratio, not the absolute rate, is the result.
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")"

duration=${DURATION:-5s}
connections=${CONNECTIONS:-32}
threads=${THREADS:-2}
write=1
case ${1:-} in
"") ;;
--no-write) write=0 ;;
*)
	echo "usage: $0 [--no-write]" >&2
	exit 2
	;;
esac

if ! command -v wrk >/dev/null; then
	if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
		echo "load.sh: installing wrk from Debian" >&2
		apt-get update -qq && apt-get install -y -qq wrk >/dev/null
	else
		echo "load.sh: wrk is missing: apt-get update && apt-get install -y wrk" >&2
		exit 1
	fi
fi

read -r load _ </proc/loadavg 2>/dev/null || load=0
if awk -v l="$load" -v n="$(nproc)" 'BEGIN { exit !(l > n / 2) }'; then
	echo "load.sh: warning: load average $load on $(nproc) cores; the numbers will be noisy" >&2
fi

tmp=$(mktemp -d)
server_pid=
cleanup() {
	if [[ -n $server_pid ]]; then
		kill "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

go build -o "$tmp/loadserver" ./cmd/loadserver
"$tmp/loadserver" -addr 127.0.0.1:0 >"$tmp/server.out" 2>"$tmp/server.err" &
server_pid=$!
for _ in $(seq 100); do
	grep -q '^cache ' "$tmp/server.out" 2>/dev/null && break
	kill -0 "$server_pid" 2>/dev/null || break
	sleep 0.1
done
if ! grep -q '^cache ' "$tmp/server.out" 2>/dev/null; then
	echo "load.sh: the server did not start:" >&2
	cat "$tmp/server.err" >&2
	exit 1
fi
addr=$(sed -n 's/^addr //p' "$tmp/server.out")
authorization=$(sed -n 's/^authorization //p' "$tmp/server.out")
cache=$(sed -n 's/^cache //p' "$tmp/server.out")

# measure PATH prints the requests per second wrk reaches on PATH, and
# fails when any response was not a 2xx (a refused token must not pass
# for a fast one).
measure() {
	local url="http://$addr$1" out
	wrk -t"$threads" -c"$connections" -d1s -H "Authorization: $authorization" "$url" >/dev/null
	out=$(wrk -t"$threads" -c"$connections" -d"$duration" -H "Authorization: $authorization" "$url")
	if grep -q 'Non-2xx' <<<"$out"; then
		echo "load.sh: $1 answered something other than 2xx:" >&2
		echo "$out" >&2
		return 1
	fi
	awk '/^Requests\/sec:/ { print $2 }' <<<"$out"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
verdict() { awk -v r="$1" -v t="$2" 'BEGIN { print (r >= t ? "met" : "NOT met") }'; }

open=$(measure /open/)
protected=$(measure /protected/)
rows=("| \`/open/\` | $open | 1.000 | |")
r=$(ratio "$protected" "$open")
rows+=("| \`/protected/\` (cache off) | $protected | $r | ≥ 0.88: $(verdict "$r" 0.88) |")
if [[ $cache != none ]]; then
	warm=$(measure /protected-cached/)
	r=$(ratio "$warm" "$open")
	rows+=("| \`/protected-cached/\` (\`Settings.$cache\`) | $warm | $r | ≥ 0.95: $(verdict "$r" 0.95) |")
else
	rows+=("| \`/protected-cached/\` | not served: no verified-token cache in this jwtauth | | ≥ 0.95 |")
fi

cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
commit=$(git -C .. describe --always --dirty --abbrev=12 2>/dev/null || echo unknown)
section="<!-- load:begin -->
## End-to-end load test

\`bench/load.sh\`: \`wrk -t$threads -c$connections -d$duration\` (after a 1 s warm-up) on loopback against
\`bench/cmd/loadserver\`, the same handler unprotected and behind \`Required\`, every request carrying
\`Authorization: JWT <the token>\`. $(go env GOVERSION), ${cpu:-unknown CPU}, $(nproc) cores shared by wrk and the
server; jwtauth commit $commit; $(wrk --version 2>&1 | head -n1 | awk '{ print $1, $2 }').

| endpoint | requests/s | ratio to \`/open/\` | target |
|---|--:|--:|---|
$(printf '%s\n' "${rows[@]}")
<!-- load:end -->"

echo "$section" | sed '1d;$d'

if ((write)); then
	md=../docs/bench.md
	mkdir -p ../docs
	if [[ -f $md ]] && grep -q '^<!-- load:begin -->$' "$md" && grep -q '^<!-- load:end -->$' "$md"; then
		printf '%s\n' "$section" >"$tmp/section"
		awk -v f="$tmp/section" '
			/^<!-- load:begin -->$/ { while ((getline l < f) > 0) print l; skip = 1; next }
			/^<!-- load:end -->$/ { skip = 0; next }
			!skip' "$md" >"$tmp/bench.md"
	else
		{
			if [[ -f $md ]]; then
				cat "$md"
				echo
			fi
			printf '%s\n' "$section"
		} >"$tmp/bench.md"
	fi
	cp "$tmp/bench.md" "$md"
	echo "load.sh: wrote the result into docs/bench.md" >&2
fi
