#!/usr/bin/env bash
# Runs a command beside a throwaway PostgreSQL cluster: initdb in a temp
# folder, a server listening only on a unix socket in that folder (on a
# random port number, which only names the socket), the command run with
# UKETSUKE_TEST_POSTGRES=<url>, then the server stopped and the folder
# removed. PostgreSQL refuses to run as root, so as root the cluster runs
# as the `postgres` user that Debian's package creates.
set -euo pipefail

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "with-postgres: no PostgreSQL server under /usr/lib/postgresql (Debian package postgresql; make installs it)" >&2
  exit 1
fi

# As root the folder is under /tmp: root's own TMPDIR may be closed to postgres.
as_owner() { "$@"; }
if [ "$(id -u)" = 0 ]; then
  dir=$(mktemp -d /tmp/uketsuke-pg.XXXXXX)
  chown postgres: "$dir"
  as_owner() { runuser -u postgres -- "$@"; }
else
  dir=$(mktemp -d "${TMPDIR:-/tmp}/uketsuke-pg.XXXXXX")
fi
port=$(( 20000 + RANDOM % 40000 ))

stop() {
  as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT

as_owner "$bindir/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1 ||
  { cat "$dir/initdb.log" >&2; exit 1; }
if ! as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
  -o "-k $dir -p $port -c listen_addresses= -c fsync=off -c max_connections=50" start >/dev/null; then
  cat "$dir/server.log" >&2
  exit 1
fi

export UKETSUKE_TEST_POSTGRES="postgres:///postgres?host=$dir&port=$port&user=postgres&sslmode=disable"
set +e
"$@"
status=$?
set -e
exit $status
