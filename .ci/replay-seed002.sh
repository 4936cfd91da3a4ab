#!/usr/bin/env bash
# Replays the transcript of seed 002 (/work/shared/seeds/002_*: "JSON Web
# Tokens in django application - part three", a tasks API under
# IsAuthenticatedOrReadOnly) against examples/tasks with Debian's httpie,
# the seed's client: its four commands as written, on a free loopback port
# instead of 9000, with --print=hb to see headers and body and
# --ignore-stdin where no file is piped (httpie reads a non-terminal stdin
# as the body otherwise). Bodies are compared as parsed JSON.
#
# Expected answers are the DRF reference server's (section D of
# testdata/drf-reference-answers.md), which differ from the seed's in two
# places: list items carry "id" and "person" is the user's id (the seed
# shows "person": "admin" and no id, which its own serializer cannot
# produce), and the seed's create_task.json has a trailing comma after the
# last member. Real DRF rejects that file: 401 without a token
# (authentication runs before the body is parsed), 400 "JSON parse error"
# with one. So the seed's 201 is replayed with .ci/testdata/create_task.json,
# the same file without the comma, and the file as the seed prints it
# (.ci/testdata/create_task_as_in_seed.json) is checked to get DRF's 401
# and 400.
#
# Needs Go, httpie (http) and python3 (which httpie runs on). Prints
# PASS/FAIL per check and exits 1 if any check failed. The server is
# always killed.
set -euo pipefail
cd "$(dirname "$0")/.."
. .ci/lib.sh

# h HTTPIE-ARGS...: runs http --print=hb; sets $status and $body, and
# writes the response headers to $tmp/headers.
h() {
	requests=$((requests + 1))
	if ! http --print=hb "$@" >"$tmp/out"; then
		status="http failed"
		body=
		return
	fi
	status=$(head -n 1 "$tmp/out" | cut -d' ' -f2)
	sed -n '2,/^\r\{0,1\}$/p' "$tmp/out" >"$tmp/headers"
	body=$(sed '1,/^\r\{0,1\}$/d' "$tmp/out")
}

# check_json NAME GOT WANT: PASS when GOT and WANT parse to equal JSON.
check_json() {
	if python3 -c 'import json, sys; sys.exit(json.loads(sys.argv[1]) != json.loads(sys.argv[2]))' "$2" "$3" 2>/dev/null; then
		pass "$1"
	else
		fail "$1" "got:  $2" "want: $3"
	fi
}

# check_view_headers NAME ALLOW: the headers every answer of a DRF view has.
check_view_headers() {
	check "$1: Allow" "$(header "$tmp/headers" Allow)" "$2"
	check "$1: Vary" "$(header "$tmp/headers" Vary)" "Accept"
	check "$1: Content-Type" "$(header "$tmp/headers" Content-Type)" "application/json"
}

start_server tasks JWT_SECRET_KEY=replay-seed002-secret-not-for-production-0123456789
PORT=${base##*:}
not_provided='{"detail": "Authentication credentials were not provided."}'
echo

echo "\$ http GET 127.0.0.1:$PORT/tasks/"
h --ignore-stdin GET "127.0.0.1:$PORT/tasks/"
check "GET /tasks/ anonymous: status" "$status" 200
check_view_headers "GET /tasks/" "GET, POST, HEAD, OPTIONS"
check_json "GET /tasks/: the two seeded tasks" "$body" '[
	{"id": 1, "title": "First one", "due_to": "2016-10-18T19:12:01Z", "person": 1},
	{"id": 2, "title": "Second one", "due_to": "2016-10-18T19:12:10Z", "person": 1}
]'

echo "\$ http POST 127.0.0.1:$PORT/tasks/ < create_task.json"
h POST "127.0.0.1:$PORT/tasks/" <.ci/testdata/create_task.json
check "POST /tasks/ without a token: status" "$status" 401
check "POST /tasks/ without a token: challenge" "$(header "$tmp/headers" WWW-Authenticate)" 'JWT realm="api"'
check_view_headers "POST /tasks/ without a token" "GET, POST, HEAD, OPTIONS"
check_json "POST /tasks/ without a token: body" "$body" "$not_provided"

echo "\$ http POST 127.0.0.1:$PORT/api-auth/ username=admin password=admin"
h --ignore-stdin POST "127.0.0.1:$PORT/api-auth/" username=admin password=admin
check "POST /api-auth/: status" "$status" 200
check "POST /api-auth/: Allow" "$(header "$tmp/headers" Allow)" "POST, OPTIONS"
TOKEN=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["token"])' "$body" 2>/dev/null || true)
check_match "POST /api-auth/: {\"token\": ...}" "$TOKEN" '^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$'

echo "\$ http POST 127.0.0.1:$PORT/tasks/ < create_task.json 'Authorization: JWT \$TOKEN'"
h POST "127.0.0.1:$PORT/tasks/" <.ci/testdata/create_task.json "Authorization: JWT $TOKEN"
check "POST /tasks/ with the token: status" "$status" 201
check_view_headers "POST /tasks/ with the token" "GET, POST, HEAD, OPTIONS"
check_json "POST /tasks/ with the token: the created task" "$body" \
	'{"due_to": "2016-10-18T19:12:01Z", "id": 3, "person": 1, "title": "Next one"}'

# The seed's create_task.json as printed, trailing comma included.
echo "\$ http POST 127.0.0.1:$PORT/tasks/ < create_task_as_in_seed.json"
h POST "127.0.0.1:$PORT/tasks/" <.ci/testdata/create_task_as_in_seed.json
check "the seed's file without a token: 401 before parsing" "$status $(header "$tmp/headers" WWW-Authenticate)" '401 JWT realm="api"'
check_json "the seed's file without a token: body" "$body" "$not_provided"

echo "\$ http POST 127.0.0.1:$PORT/tasks/ < create_task_as_in_seed.json 'Authorization: JWT \$TOKEN'"
h POST "127.0.0.1:$PORT/tasks/" <.ci/testdata/create_task_as_in_seed.json "Authorization: JWT $TOKEN"
check "the seed's file with the token: status" "$status" 400
check_json "the seed's file with the token: DRF's JSON parse error" "$body" \
	'{"detail": "JSON parse error - Expecting property name enclosed in double quotes: line 5 column 1 (char 76)"}'

# Reads after the write.
h --ignore-stdin GET "127.0.0.1:$PORT/tasks/3/"
check_json "GET /tasks/3/: the created task" "$body" '{"id": 3, "title": "Next one", "due_to": "2016-10-18T19:12:01Z", "person": 1}'
h --ignore-stdin GET "127.0.0.1:$PORT/users/"
check_json "GET /users/: admin owns tasks 1, 2 and 3" "$body" '[{"id": 1, "username": "admin", "tasks": [1, 2, 3]}]'
h --ignore-stdin GET "127.0.0.1:$PORT/tasks/99/"
check "GET /tasks/99/: status" "$status" 404
check_json "GET /tasks/99/: body" "$body" '{"detail": "Not found."}'
h --ignore-stdin GET "127.0.0.1:$PORT/tasks/" "Authorization: JWT abc123"
check "GET /tasks/ with a bad token: 401, not an anonymous read" "$status $(header "$tmp/headers" WWW-Authenticate)" '401 JWT realm="api"'
h --ignore-stdin DELETE "127.0.0.1:$PORT/tasks/3/"
check "DELETE /tasks/3/ without a token: 401" "$status" 401
h --ignore-stdin DELETE "127.0.0.1:$PORT/tasks/3/" "Authorization: JWT $TOKEN"
check "DELETE /tasks/3/ with the token: 204" "$status" 204

# A password that must not reach the log.
CANARY=Canary-Pa55word-seed002
h --ignore-stdin POST "127.0.0.1:$PORT/api-auth/" username=admin password="$CANARY"
check_json "POST /api-auth/ with a wrong password: 400" "$body" '{"non_field_errors": ["Unable to log in with provided credentials."]}'

echo
check_log "$requests" "$TOKEN" "$CANARY" '"password"'
stop_server
finish
