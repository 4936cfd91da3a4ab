#!/usr/bin/env bash
# shellcheck disable=SC2016 # the commands echoed show $TOKEN as the seed writes it
# Replays the curl calls of seed 000 (/work/shared/seeds/000_*: the
# "djangorestframework-jwt Example" tutorial) against examples/basic, as
# written there, with the tutorial's JWT_AUTH_HEADER_PREFIX 'Bearer',
# myusername/mypass replaced by the demo user admin/admin and
# localhost:8000 by a free loopback port. Then the tutorial's other URLs
# (/auth-jwt/, /auth-jwt-refresh/, /auth-jwt-verify/), the 401 without a
# token, the server log and a clean shutdown.
#
# Run from anywhere; needs Go, curl and base64. Prints PASS/FAIL per check
# and exits 1 if any check failed. The server is always killed.
set -euo pipefail
cd "$(dirname "$0")/.."
. .ci/lib.sh

# payload TOKEN: the decoded JSON payload of a JWT.
payload() {
	local s
	s=$(cut -d. -f2 <<<"$1" | tr '_-' '/+')
	while [ $((${#s} % 4)) -ne 0 ]; do s="$s="; done
	base64 -d <<<"$s" 2>/dev/null || true
}

token_re='^\{"token":"([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)"\}$'

# c CURL-ARGS...: curl with the seed's arguments, plus what it takes to
# read the answer: $status, $body, and the headers in $tmp/headers.
c() {
	requests=$((requests + 1))
	status=$(curl -sS -o "$tmp/body" -D "$tmp/headers" -w '%{http_code}' "$@") || status="curl failed"
	body=$(cat "$tmp/body")
}

start_server basic \
	JWT_SECRET_KEY=replay-seed000-secret-not-for-production-0123456789 \
	JWT_AUTH_HEADER_PREFIX=Bearer \
	JWT_ALLOW_REFRESH=True
PORT=${base##*:}
echo

echo '$ curl --request POST --url http://127.0.0.1:'"$PORT"'/jwt-auth/ --header '\''content-type: application/json'\'' --data '\''{"username": "admin", "password": "admin"}'\'''
c --request POST \
	--url "http://127.0.0.1:$PORT/jwt-auth/" \
	--header 'content-type: application/json' \
	--data '{"username": "admin", "password": "admin"}'
check "obtain at /jwt-auth/: status" "$status" 200
check_match "obtain at /jwt-auth/: {\"token\": ...}" "$body" "$token_re"
TOKEN=
[[ $body =~ $token_re ]] && TOKEN=${BASH_REMATCH[1]}
# DRF-JWT's claims, then the jti the example's revocation list knows the
# token by (128 random bits, base64url), which PyJWT and DRF-JWT ignore.
check_match "the token's payload is DRF-JWT's, with a jti" "$(payload "$TOKEN")" '^\{"user_id":1,"username":"admin","exp":[0-9]+,"email":"admin@example.com","orig_iat":[0-9]+,"jti":"[A-Za-z0-9_-]{22}"\}$'

echo '$ curl -H "Content-Type: application/json" -H "Authorization: Bearer $TOKEN" -X GET  http://127.0.0.1:'"$PORT"'/api/protected/'
c -H "Content-Type: application/json" -H "Authorization: Bearer $TOKEN" -X GET http://127.0.0.1:"$PORT"/api/protected/
check "GET /api/protected/ with the token: status" "$status" 200
check "GET /api/protected/ with the token: body" "$body" '{"user_id":1,"username":"admin"}'

echo '$ curl -H "Content-Type: application/json" -X GET http://127.0.0.1:'"$PORT"'/api/protected/   # no token'
c -H "Content-Type: application/json" -X GET http://127.0.0.1:"$PORT"/api/protected/
check "GET /api/protected/ without a token: status" "$status" 401
check "GET /api/protected/ without a token: challenge" "$(header "$tmp/headers" WWW-Authenticate)" 'Bearer realm="api"'
check "GET /api/protected/ without a token: body" "$body" '{"detail":"Authentication credentials were not provided."}'

echo '$ curl -H "Authorization: JWT $TOKEN" http://127.0.0.1:'"$PORT"'/api/protected/   # the default prefix, not configured here'
c -H "Authorization: JWT $TOKEN" http://127.0.0.1:"$PORT"/api/protected/
check "GET /api/protected/ with prefix JWT when Bearer is set: 401" "$status $body" '401 {"detail":"Authentication credentials were not provided."}'

echo '$ curl -X POST http://127.0.0.1:'"$PORT"'/api/protected/ -H "Authorization: Bearer $TOKEN"'
c -X POST http://127.0.0.1:"$PORT"/api/protected/ -H "Authorization: Bearer $TOKEN"
check "POST /api/protected/ authenticated: DRF's 405" "$status $body" '405 {"detail":"Method \"POST\" not allowed."}'
check "POST /api/protected/ authenticated: Allow" "$(header "$tmp/headers" Allow)" "GET, HEAD, OPTIONS"

echo '$ curl -u admin:admin http://127.0.0.1:'"$PORT"'/api/protected/   # HTTP Basic, after JWT in the chain'
c -u admin:admin http://127.0.0.1:"$PORT"/api/protected/
check "GET /api/protected/ with HTTP Basic" "$status $body" '200 {"user_id":1,"username":"admin"}'

# The URLs of the tutorial's urls.py.
echo '$ curl --request POST --url http://127.0.0.1:'"$PORT"'/auth-jwt/ --header '\''content-type: application/json'\'' --data '\''{"username": "admin", "password": "admin"}'\'''
c --request POST --url "http://127.0.0.1:$PORT/auth-jwt/" --header 'content-type: application/json' --data '{"username": "admin", "password": "admin"}'
check "obtain at /auth-jwt/: status" "$status" 200
check_match "obtain at /auth-jwt/: {\"token\": ...}" "$body" "$token_re"

echo '$ curl --request POST --url http://127.0.0.1:'"$PORT"'/auth-jwt-verify/ --header '\''content-type: application/json'\'' --data "{\"token\": \"$TOKEN\"}"'
c --request POST --url "http://127.0.0.1:$PORT/auth-jwt-verify/" --header 'content-type: application/json' --data "{\"token\": \"$TOKEN\"}"
check "verify at /auth-jwt-verify/: the same token back" "$status $body" "200 {\"token\":\"$TOKEN\"}"

c --request POST --url "http://127.0.0.1:$PORT/auth-jwt-verify/" --header 'content-type: application/json' --data '{"token": "abc"}'
check "verify at /auth-jwt-verify/ a bad token: 400" "$status $body" '400 {"non_field_errors":["Error decoding signature."]}'

echo '$ curl --request POST --url http://127.0.0.1:'"$PORT"'/auth-jwt-refresh/ --header '\''content-type: application/json'\'' --data "{\"token\": \"$TOKEN\"}"'
c --request POST --url "http://127.0.0.1:$PORT/auth-jwt-refresh/" --header 'content-type: application/json' --data "{\"token\": \"$TOKEN\"}"
check "refresh at /auth-jwt-refresh/: status" "$status" 200
check_match "refresh at /auth-jwt-refresh/: {\"token\": ...}" "$body" "$token_re"
REFRESHED=
[[ $body =~ $token_re ]] && REFRESHED=${BASH_REMATCH[1]}
orig() { payload "$1" | grep -o '"orig_iat":[0-9]*' || true; }
check "the refreshed token keeps orig_iat" "$(orig "$REFRESHED")" "$(orig "$TOKEN")"
c -H "Authorization: Bearer $REFRESHED" http://127.0.0.1:"$PORT"/api/protected/
check "GET /api/protected/ with the refreshed token" "$status $body" '200 {"user_id":1,"username":"admin"}'

# A password that must not reach the log, sent as JSON and as HTTP Basic.
CANARY=Canary-Pa55word-seed000
c --request POST --url "http://127.0.0.1:$PORT/jwt-auth/" --header 'content-type: application/json' --data "{\"username\": \"admin\", \"password\": \"$CANARY\"}"
check "obtain with a wrong password: 400" "$status $body" '400 {"non_field_errors":["Unable to log in with provided credentials."]}'
c -u "admin:$CANARY" http://127.0.0.1:"$PORT"/api/protected/
check "HTTP Basic with a wrong password: 401" "$status $(header "$tmp/headers" WWW-Authenticate)" '401 Bearer realm="api"'

echo
check_log "$requests" "$TOKEN" "$REFRESHED" "$CANARY" "$(printf 'admin:admin' | base64)" "$(printf 'admin:%s' "$CANARY" | base64)" '"password"'
stop_server
finish
