#!/usr/bin/env bash
# Starts grace on a scratch PostgreSQL database, sends a few requests, and
# runs `promtool check metrics` on a real scrape of /metrics, so the
# exposition (names, types, HELP lines, budget gauges) is checked as served.
set -euo pipefail
cd "$(dirname "$0")/.."

admin_url="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
database="grace_scrape_$$"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
workdir="$(mktemp -d)"
server_pid=""

cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  psql "$admin_url" -qc "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$workdir"
}
trap cleanup EXIT

cargo build --quiet --bin grace
psql "$admin_url" -qc "CREATE DATABASE $database" >/dev/null
database_url="${admin_url%/*}/$database"

DATABASE_URL="$database_url" BIND_ADDR="127.0.0.1:$port" NUM_WORKERS=4 HTTP_WORKERS=2 \
  GRACE_CONFIG_DIR="$PWD/config" target/debug/grace serve >"$workdir/grace.log" 2>&1 &
server_pid=$!

for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
  sleep 0.1
done
check_in="$(TZ=Asia/Dubai date -d '+1 day' +%F)"
check_out="$(TZ=Asia/Dubai date -d '+3 day' +%F)"
curl -s "http://127.0.0.1:$port/rates?check_in=$check_in&check_out=$check_out" >/dev/null
curl -s "http://127.0.0.1:$port/unknown" >/dev/null
curl -s -X POST "http://127.0.0.1:$port/webhook" -d '{}' >/dev/null

scripts/promtool-check.sh "http://127.0.0.1:$port/metrics"
curl -s "http://127.0.0.1:$port/metrics" | grep -q '^grace_db_connection_budget_planned 28' || {
  echo "error: the budget gauge is missing or wrong in the scrape" >&2
  exit 1
}
echo "scrape check passed"
