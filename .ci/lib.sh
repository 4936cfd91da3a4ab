# shellcheck shell=bash
# Helpers for the seed replays (.ci/replay-seed*.sh), sourced by them:
# build and start an example server on a free loopback port, record checks
# as PASS/FAIL, inspect its log, stop it. Needs bash, curl and Go.

tmp=$(mktemp -d)
server_pid=
failures=0
checks=0
requests=0 # requests sent to the server, for the access-log check

cleanup() {
	if [ -n "$server_pid" ]; then
		kill "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

pass() {
	checks=$((checks + 1))
	printf 'PASS  %s\n' "$1"
}

# fail NAME [DETAIL...]
fail() {
	checks=$((checks + 1))
	failures=$((failures + 1))
	printf 'FAIL  %s\n' "$1"
	shift
	local line
	for line in "$@"; do
		printf '        %s\n' "$line"
	done
}

# check NAME GOT WANT: PASS when GOT is exactly WANT.
check() {
	if [ "$2" == "$3" ]; then
		pass "$1"
	else
		fail "$1" "got:  $2" "want: $3"
	fi
}

# check_match NAME GOT REGEX: PASS when GOT matches the extended regex.
check_match() {
	if [[ $2 =~ $3 ]]; then
		pass "$1"
	else
		fail "$1" "got:  $2" "want: /$3/"
	fi
}

# header FILE NAME: the value of a response header (name matched
# case-insensitively) in a file of response headers.
header() {
	grep -i "^$2:" "$1" | head -n 1 | cut -d: -f2- | sed 's/^ *//; s/\r$//'
}

# start_server NAME [ENV=VALUE...]: builds ./examples/NAME into $tmp and
# starts it on 127.0.0.1:0 with the given environment, logging to
# $tmp/server.log; sets $base to http://127.0.0.1:PORT once it answers.
start_server() {
	local name=$1
	shift
	echo "building ./examples/$name"
	go build -o "$tmp/$name" "./examples/$name"
	# A clean environment: no JWT_* setting of the caller leaks in.
	env -i PATH="$PATH" "$@" "$tmp/$name" -addr 127.0.0.1:0 2>"$tmp/server.log" &
	server_pid=$!
	local addr=''
	for _ in $(seq 100); do
		addr=$(sed -n 's|^listening on http://||p' "$tmp/server.log")
		[ -n "$addr" ] && break
		if ! kill -0 "$server_pid" 2>/dev/null; then
			cat "$tmp/server.log"
			echo "FAIL  the server exited before listening"
			exit 1
		fi
		sleep 0.1
	done
	if [ -z "$addr" ]; then
		cat "$tmp/server.log"
		echo "FAIL  the server did not say where it listens"
		exit 1
	fi
	base="http://$addr"
	for _ in $(seq 50); do
		if curl -s -o /dev/null "$base/"; then
			requests=$((requests + 1))
			break
		fi
		sleep 0.1
	done
	echo "server ./examples/$name is up at $base (pid $server_pid)"
}

# check_log REQUESTS SECRET...: the log has exactly REQUESTS access-log
# lines, mentions "admin" only in the demo-user warning, and contains none
# of the SECRETs (tokens, passwords, Authorization values).
check_log() {
	local want=$1 secret leaked=
	shift
	check "one access-log line per request" "$(grep -c 'msg=request' "$tmp/server.log")" "$want"
	for secret in "$@"; do
		[ -n "$secret" ] && grep -qF -- "$secret" "$tmp/server.log" && leaked="$leaked ${secret:0:16}..."
	done
	if [ -z "$leaked" ]; then
		pass "the log shows no token, password or credentials"
	else
		fail "the log shows no token, password or credentials" "found:$leaked"
	fi
	check "the log names the demo user only in its warning" "$(grep -v 'demo user' "$tmp/server.log" | grep -c admin || true)" "0"
}

# stop_server: SIGTERM, then the server must exit 0 after a clean shutdown.
stop_server() {
	kill -TERM "$server_pid" 2>/dev/null || true
	local status=0
	wait "$server_pid" || status=$?
	server_pid=
	check "SIGTERM: clean shutdown, exit status 0" "$status" "0"
	check_match "SIGTERM: the log says it is shutting down" "$(tail -n 1 "$tmp/server.log")" "^shutting down$"
}

# finish: prints the server log and the tally; exits 1 on any FAIL.
finish() {
	echo
	echo "---- server log ----"
	cat "$tmp/server.log"
	echo "--------------------"
	if [ "$failures" -ne 0 ]; then
		echo "$failures of $checks checks FAILED"
		exit 1
	fi
	echo "all $checks checks passed"
}
