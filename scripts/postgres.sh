#!/usr/bin/env bash
# A throw-away PostgreSQL server for the index tests (and for trying `ehr index --db
# postgres://...`): installs Debian's `postgresql` if missing, starts a cluster in a
# temporary directory as an unprivileged user, listening on 127.0.0.1 and a Unix socket in
# that directory only, and removes it all when done.
#
#   bash scripts/postgres.sh cargo test -p ehr-index   # runs the command with the server up,
#                                                      # EHR_TEST_POSTGRES set, then stops it
#   bash scripts/postgres.sh                           # prints the URL, stops on Ctrl-C
#   source scripts/postgres.sh                         # exports EHR_TEST_POSTGRES into this
#                                                      # shell, stops the server when it exits
#
# The URL: postgres://ehr@127.0.0.1:PORT/postgres (trust authentication: the server takes
# connections from this machine only, and lives as long as the command).

pg_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
  done
  return 1
}

pg_install() {
  pg_bin >/dev/null && return 0
  local sudo_cmd=()
  [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  echo "postgres.sh: installing Debian's postgresql" >&2
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
    postgresql >/dev/null
  pg_bin >/dev/null
}

# Runs a command as the cluster's owner: root cannot own a cluster (initdb refuses), so
# as root that is `nobody`.
pg_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u nobody -- "$@"
  else
    "$@"
  fi
}

pg_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

pg_stop() {
  if [ -n "${EHR_PG_DIR:-}" ] && [ -d "$EHR_PG_DIR" ]; then
    pg_as_owner "$EHR_PG_BIN/pg_ctl" -D "$EHR_PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$EHR_PG_DIR"
  fi
}

pg_start() {
  pg_install || return 1
  EHR_PG_BIN="$(pg_bin)"
  EHR_PG_DIR="$(mktemp -d /tmp/ehr-postgres.XXXXXX)"
  chmod 755 "$EHR_PG_DIR"
  [ "$(id -u)" -eq 0 ] && chown nobody "$EHR_PG_DIR"
  local port
  port="$(pg_free_port)"
  pg_as_owner "$EHR_PG_BIN/initdb" -D "$EHR_PG_DIR/data" -U ehr --auth=trust \
    --encoding=UTF8 --locale=C >"$EHR_PG_DIR/initdb.log" 2>&1 \
    || { cat "$EHR_PG_DIR/initdb.log" >&2; return 1; }
  # Tests create a database each: fsync off (throw-away data), connections for the many
  # tests cargo runs at once.
  pg_as_owner "$EHR_PG_BIN/pg_ctl" -D "$EHR_PG_DIR/data" -l "$EHR_PG_DIR/server.log" -w \
    -o "-k $EHR_PG_DIR -p $port -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" \
    start >/dev/null \
    || { cat "$EHR_PG_DIR/server.log" >&2; return 1; }
  export EHR_TEST_POSTGRES="postgres://ehr@127.0.0.1:$port/postgres"
  export EHR_PG_DIR EHR_PG_BIN
  echo "postgres.sh: PostgreSQL up: EHR_TEST_POSTGRES=$EHR_TEST_POSTGRES" >&2
}

if [ "${BASH_SOURCE[0]}" != "$0" ]; then
  # Sourced: start, export into the caller's shell, stop when it exits.
  pg_start || return 1
  trap pg_stop EXIT
  return 0
fi

set -euo pipefail
trap pg_stop EXIT
pg_start
if [ $# -gt 0 ]; then
  "$@"
else
  echo "EHR_TEST_POSTGRES=$EHR_TEST_POSTGRES"
  echo "postgres.sh: Ctrl-C stops the server and removes its files" >&2
  sleeper=
  trap '[ -n "$sleeper" ] && kill "$sleeper" 2>/dev/null; exit 0' INT TERM
  while :; do
    sleep 3600 &
    sleeper=$!
    wait "$sleeper"
  done
fi
