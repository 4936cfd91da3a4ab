#!/usr/bin/env bash
# A throwaway Redis server for the tests, on loopback only, with Debian's
# redis-server package.
#
#	url=$(.ci/redis.sh start)   # prints the URL of database 0
#	JWTAUTH_TEST_REDIS_URL=$url go test ./redisstore/
#	.ci/redis.sh stop           # stops the server and deletes its files
#
# The server lives in $JWTAUTH_REDIS_DIR (default /tmp/jwtauth-redis) and
# listens on 127.0.0.1:$JWTAUTH_REDIS_PORT (default 63790), with no
# password and no persistence (no RDB snapshots, no AOF): test data, not
# data to keep. Unlike PostgreSQL, redis-server runs as root when asked,
# so it runs as whoever calls this script. start first stops and deletes a
# server left in the same directory.
set -euo pipefail

dir=${JWTAUTH_REDIS_DIR:-/tmp/jwtauth-redis}
port=${JWTAUTH_REDIS_PORT:-63790}

if ! command -v redis-server >/dev/null; then
	echo "redis.sh: no redis-server (apt-get install redis-server)" >&2
	exit 1
fi

stop() {
	if [ -f "$dir/redis.pid" ]; then
		pid=$(cat "$dir/redis.pid")
		kill "$pid" 2>/dev/null || true
		# Wait for it to let go of the port, so that a start right after
		# can bind it.
		for _ in $(seq 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
	fi
	rm -rf "$dir"
}

case ${1:-} in
start)
	stop
	mkdir -p "$dir"
	# The Debian package's /etc/redis/redis.conf is not read: every
	# setting is here, so that the machine's own server is left alone.
	redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" \
		--save '' --appendonly no \
		--daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/server.log" ||
		{ cat "$dir/server.log" >&2 2>/dev/null; exit 1; }
	for _ in $(seq 100); do
		if redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -qx PONG; then
			echo "redis://127.0.0.1:$port/0"
			exit 0
		fi
		sleep 0.1
	done
	echo "redis.sh: the server did not answer on 127.0.0.1:$port" >&2
	cat "$dir/server.log" >&2 || true
	exit 1
	;;
stop)
	stop
	;;
*)
	echo "usage: $0 start|stop" >&2
	exit 2
	;;
esac
