#!/usr/bin/env bash
# Runs a command with DATABASE_URL pointing at a throwaway PostgreSQL 15 server on a free loopback port,
# and stops the server afterwards. Used by .ci/run; handy locally too: .ci/with-postgres.sh npm test
set -euo pipefail

PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null || true)}
if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
  echo "with-postgres: PostgreSQL 15 server binaries not found (set PG_BIN)" >&2
  exit 1
fi

root=$(mktemp -d /tmp/a360-pg.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
as_pg=()
if [ "$(id -u)" = "0" ]; then
  chown postgres:postgres "$root"
  as_pg=(runuser -u postgres --)
fi

stop() {
  "${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$root/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$root"
}
trap stop EXIT

"${as_pg[@]}" "$PG_BIN/initdb" -D "$root/data" -U postgres -A trust -E UTF8 --no-locale >/dev/null
"${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$root/data" -l "$root/postgres.log" \
  -o "-p $port -c listen_addresses=127.0.0.1 -k $root -c fsync=off -c max_connections=200" -w -t 60 start >/dev/null

export DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
echo "with-postgres: PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
"$@"
