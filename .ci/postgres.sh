#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests, on loopback only, with
# Debian's postgresql package (initdb and pg_ctl from /usr/lib/postgresql).
#
#	dsn=$(.ci/postgres.sh start)   # prints the DSN of an empty database
#	JWTAUTH_TEST_POSTGRES_DSN=$dsn go test ./...
#	.ci/postgres.sh stop           # stops the cluster and deletes its files
#
# The cluster lives in $JWTAUTH_PG_DIR (default /tmp/jwtauth-pg) and
# listens on 127.0.0.1:$JWTAUTH_PG_PORT (default 54329), with trust
# authentication for local connections only and fsync off: test data, not
# data to keep. Run as root, the server runs as the postgres user (it
# refuses to run as root); run as another user, it runs as that user.
# start first stops and deletes a cluster left in the same directory.
set -euo pipefail

dir=${JWTAUTH_PG_DIR:-/tmp/jwtauth-pg}
port=${JWTAUTH_PG_PORT:-54329}

bin=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bin" ]; then
	echo "postgres.sh: no PostgreSQL under /usr/lib/postgresql (apt-get install postgresql)" >&2
	exit 1
fi

as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

stop() {
	if [ -f "$dir/data/postmaster.pid" ]; then
		as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >&2 || true
	fi
	rm -rf "$dir"
}

case ${1:-} in
start)
	stop
	mkdir -p "$dir"
	if [ "$(id -u)" -eq 0 ]; then
		chown postgres: "$dir"
	fi
	as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust --no-sync -E UTF8 --locale C.UTF-8 >"$dir/initdb.log" 2>&1 ||
		{ cat "$dir/initdb.log" >&2; exit 1; }
	# Loopback TCP only; the Unix socket goes to the cluster's directory,
	# not /var/run/postgresql.
	as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
		-o "-p $port -c listen_addresses=127.0.0.1 -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
		start >&2 || { cat "$dir/server.log" >&2; exit 1; }
	as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres jwtauth_test
	echo "postgres://postgres@127.0.0.1:$port/jwtauth_test?sslmode=disable"
	;;
stop)
	stop
	;;
*)
	echo "usage: $0 start|stop" >&2
	exit 2
	;;
esac
