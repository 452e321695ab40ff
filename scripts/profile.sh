#!/usr/bin/env bash
# Samples where grace spends its CPU time under one load scenario, with
# `perf record` on the software cpu-clock event (hardware counters are not
# available on every virtual machine), and prints the hottest functions.
# Usage: scripts/profile.sh [rates|bookings|mix] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."

scenario="${1:-rates}"
seconds="${2:-10}"
admin_url="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
database="grace_profile_$$"
database_url="${admin_url%/*}/$database"
workdir="$(mktemp -d)"
grace_pid=""

cleanup() {
  if [ -n "$grace_pid" ]; then kill "$grace_pid" 2>/dev/null || true; wait "$grace_pid" 2>/dev/null || true; fi
  psql "$admin_url" -qc "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$workdir"
}
trap cleanup EXIT

command -v perf >/dev/null || { echo "error: perf is missing; install Debian's linux-perf" >&2; exit 1; }
# Debug symbols in the release build, so samples have function names.
export CARGO_PROFILE_RELEASE_DEBUG=line-tables-only
cargo build --quiet --release --bin grace
cargo build --quiet --release -p grace-bench --bins
target_dir="$(cargo metadata --format-version 1 --no-deps | jq -r .target_directory)"

export HMAC_SECRET="profile-secret-0123456789abcdef01234567"
psql "$admin_url" -qc "CREATE DATABASE $database" >/dev/null
DATABASE_URL="$database_url" "$target_dir/release/grace" seed --demo 2>/dev/null
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
DATABASE_URL="$database_url" BIND_ADDR="127.0.0.1:$port" LOG_LEVEL=warn HTTP_WORKERS=2 \
  "$target_dir/release/grace" serve 2>"$workdir/grace.log" &
grace_pid=$!
"$target_dir/release/loadgen" --base-url "http://127.0.0.1:$port" --wait-health --timeout-seconds 30 >/dev/null

"$target_dir/release/loadgen" --base-url "http://127.0.0.1:$port" --scenario "$scenario" \
  --concurrency 32 --duration-seconds "$seconds" >"$workdir/load.json" 2>/dev/null &
load_pid=$!
sleep 1
perf record -q -e cpu-clock -F 999 --call-graph "${CALL_GRAPH:-fp}" -p "$grace_pid" -o "$workdir/perf.data" -- sleep $((seconds - 2)) 2>/dev/null
wait "$load_pid"
[ -n "${PERF_DATA:-}" ] && cp "$workdir/perf.data" "$PERF_DATA"

echo "load: $(jq -c '{rps, p50_ms, p99_ms, status}' "$workdir/load.json")"
echo "hottest functions in grace (self time, $scenario):"
perf report -i "$workdir/perf.data" --no-children --sort symbol --stdio 2>/dev/null |
  grep -E '^ +[0-9]+\.[0-9]+%' | sed -E 's/ +-? +-? *$//' | cut -c1-140 | head -30
