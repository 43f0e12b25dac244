#!/usr/bin/env bash
# Throw-away PostgreSQL and Redis for the multi-worker tests (Debian's postgresql and redis-server).
#   scripts/services.sh start DIR   -> starts both under DIR on free loopback ports, prints
#                                      `export MEDPOLICY_TEST_DATABASE_URL=… MEDPOLICY_TEST_REDIS_URL=…`
#   scripts/services.sh stop DIR    -> stops both and removes DIR
# Nothing is persisted: the cluster and Redis live in DIR only. As root, PostgreSQL runs as the
# `postgres` user (initdb refuses root).
set -euo pipefail
cmd=${1:?start|stop}
dir=${2:?directory}

pg_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && { echo "$d"; return; }; done
  command -v initdb >/dev/null && dirname "$(command -v initdb)"
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "$cmd" in
start)
  mkdir -p "$dir"
  bin=$(pg_bin)
  [ -n "$bin" ] || { echo "initdb not found (apt-get install postgresql)" >&2; exit 1; }
  command -v redis-server >/dev/null || { echo "redis-server not found (apt-get install redis-server)" >&2; exit 1; }
  pg_port=$(free_port); redis_port=$(free_port)
  mkdir -p "$dir/pg"
  [ "$(id -u)" = 0 ] && chown postgres "$dir" "$dir/pg"
  as_pg "$bin/initdb" -D "$dir/pg/data" -A trust -U medpolicy -E UTF8 --no-locale >"$dir/pg/initdb.log" 2>&1
  as_pg "$bin/pg_ctl" -D "$dir/pg/data" -l "$dir/pg/server.log" -w -t 60 \
    -o "-p $pg_port -k $dir/pg -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=200" start >/dev/null
  as_pg "$bin/createdb" -h 127.0.0.1 -p "$pg_port" -U medpolicy medpolicy_test
  redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --dir "$dir"
  for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  echo "$pg_port" > "$dir/pg_port"
  echo "export MEDPOLICY_TEST_DATABASE_URL=postgresql://medpolicy@127.0.0.1:$pg_port/medpolicy_test"
  echo "export MEDPOLICY_TEST_REDIS_URL=redis://127.0.0.1:$redis_port/0"
  ;;
stop)
  bin=$(pg_bin || true)
  if [ -d "$dir/pg/data" ] && [ -n "$bin" ]; then as_pg "$bin/pg_ctl" -D "$dir/pg/data" -m fast -w stop >/dev/null 2>&1 || true; fi
  if [ -f "$dir/redis.pid" ]; then kill "$(cat "$dir/redis.pid")" 2>/dev/null || true; fi
  rm -rf "$dir"
  ;;
*) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
