#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests and benchmarks: loopback only, in a temporary folder,
# with a random password kept in a libpq password file (never in a URL, a setting or a log).
#
#   eval "$(scripts/pg-temp.sh start)"   start it; prints the exports for the shell to evaluate:
#                                        PATHWAY_PLANNER_TEST_PG (a URL without password),
#                                        PGPASSFILE (where libpq finds the password), PG_TEMP_DIR
#   scripts/pg-temp.sh stop "$PG_TEMP_DIR"
#                                        stop it and remove the folder
#
# Debian's postgresql is installed with apt-get when missing (as root). PostgreSQL refuses to run
# as root, so as root the server runs as the postgres system user, in a folder that user owns.
# Durability is switched off (fsync, synchronous_commit, full_page_writes): it is thrown away.
set -euo pipefail

say() { echo "pg-temp: $*" >&2; }

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then
    echo "$dir"
  elif command -v initdb >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
  fi
}

ensure_postgresql() {
  if [ -n "$(pg_bin)" ]; then
    return
  fi
  if [ "$(id -u)" != 0 ]; then
    say "PostgreSQL is not installed: install Debian's postgresql (sudo apt-get install postgresql)"
    exit 1
  fi
  say "installing Debian's postgresql"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends postgresql >&2
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
  ensure_postgresql
  local bin dir port password as_server=()
  bin=$(pg_bin)
  dir=$(mktemp -d "${TMPDIR:-/tmp}/pathway-pg.XXXXXX")
  chmod 0755 "$dir"
  # whatever goes wrong from here on, the half-made server is stopped and its folder removed
  trap 'status=$?; if [ "$status" != 0 ]; then stop "$dir"; fi' EXIT
  mkdir -m 0700 "$dir/data"
  if [ "$(id -u)" = 0 ]; then
    chown postgres: "$dir/data"
    as_server=(runuser -u postgres --)
  fi
  port=$(free_port)
  password=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24)
  # initdb reads the superuser's password from a file the server user can read, removed at once
  (umask 077; printf '%s\n' "$password" >"$dir/data/.pw")
  [ "$(id -u)" = 0 ] && chown postgres: "$dir/data/.pw"
  "${as_server[@]}" "$bin/initdb" -D "$dir/data/cluster" -U planner --pwfile="$dir/data/.pw" \
    --auth-local=scram-sha-256 --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  rm -f "$dir/data/.pw"
  (umask 077; printf '127.0.0.1:%s:*:planner:%s\n' "$port" "$password" >"$dir/pgpass")
  "${as_server[@]}" "$bin/pg_ctl" -D "$dir/data/cluster" -l "$dir/data/server.log" -w -t 60 start -o \
    "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories='$dir/data' -c fsync=off \
     -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >&2 \
    || { cat "$dir/data/server.log" >&2; exit 1; }
  PGPASSFILE="$dir/pgpass" "$bin/createdb" -h 127.0.0.1 -p "$port" -U planner pathway_test
  say "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port, data in $dir"
  printf "export PG_TEMP_DIR='%s'\n" "$dir"
  printf "export PGPASSFILE='%s'\n" "$dir/pgpass"
  printf "export PATHWAY_PLANNER_TEST_PG='postgresql+psycopg://planner@127.0.0.1:%s/pathway_test'\n" "$port"
}

stop() {
  local dir=${1:-} bin as_server=()
  if [ -z "$dir" ] || [ ! -d "$dir/data" ]; then
    say "no server folder given (or it is gone): nothing to stop"
    return 0
  fi
  bin=$(pg_bin)
  [ "$(id -u)" = 0 ] && as_server=(runuser -u postgres --)
  if [ -f "$dir/data/cluster/postmaster.pid" ]; then
    "${as_server[@]}" "$bin/pg_ctl" -D "$dir/data/cluster" -m fast -w stop >&2 || true
  fi
  rm -rf "$dir"
  say "stopped and removed $dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  *) echo "usage: $0 start | stop DIR" >&2; exit 2 ;;
esac
