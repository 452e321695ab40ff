#!/usr/bin/env bash
# Stress: two grace processes on one PostgreSQL database under the 95/4/1
# mixed load for STRESS_SECONDS (default 60), then checks that no request got
# a 5xx, that no night sold more units than it had, and that free units plus
# confirmed booked nights add up exactly. Bookings and rates.updated touch
# separate nights (bookings the first 200 nights, updates from night 200 on),
# because an update resets a night's free units and would blur the sum.
# Appends the result to docs/RELIABILITY.md under "## Stress".
set -euo pipefail
cd "$(dirname "$0")/.."

STRESS_SECONDS="${STRESS_SECONDS:-60}"
CONCURRENCY="${STRESS_CONCURRENCY:-16}"
admin_url="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
database="grace_stress_$$"
database_url="${admin_url%/*}/$database"
workdir="$(mktemp -d)"
pids=()

log() { echo "stress: $*" >&2; }

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  psql "$admin_url" -qc "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$workdir"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
sql() { psql "$database_url" -Atqc "$1"; }

scripts/check-postgres.sh "$admin_url"
log "building release binaries"
cargo build --quiet --release --bin grace
cargo build --quiet --release -p grace-bench --bins
target_dir="$(cargo metadata --format-version 1 --no-deps | jq -r .target_directory)"

export HMAC_SECRET="stress-secret-0123456789abcdef0123456789"
psql "$admin_url" -qc "CREATE DATABASE $database" >/dev/null
DATABASE_URL="$database_url" "$target_dir/release/grace" seed --demo 2>"$workdir/seed.log"

ports=()
for index in 1 2; do
  port="$(free_port)"
  ports+=("$port")
  DATABASE_URL="$database_url" BIND_ADDR="127.0.0.1:$port" LOG_LEVEL=warn HTTP_WORKERS=2 \
    GRACE_CONFIG_DIR="$PWD/config" "$target_dir/release/grace" serve 2>"$workdir/grace-$index.log" &
  pids+=("$!")
done
for port in "${ports[@]}"; do
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
    sleep 0.1
  done
done

log "mixed load on both processes for ${STRESS_SECONDS} s, concurrency $CONCURRENCY each"
loads=()
for index in 1 2; do
  "$target_dir/release/loadgen" --base-url "http://127.0.0.1:${ports[$((index - 1))]}" --scenario mix \
    --concurrency "$CONCURRENCY" --duration-seconds "$STRESS_SECONDS" --seed "$index" \
    --booking-days 200 --update-from-day 200 >"$workdir/load-$index.json" 2>"$workdir/load-$index.log" &
  loads+=("$!")
done
for pid in "${loads[@]}"; do wait "$pid"; done

server_errors=$(jq -s '[.[].status | to_entries[] | select(.key | startswith("5")) | .value] | add // 0' "$workdir"/load-*.json)
transport_errors=$(jq -s '[.[].errors | to_entries[]? | .value] | add // 0' "$workdir"/load-*.json)
requests=$(jq -s '[.[].requests] | add' "$workdir"/load-*.json)
created=$(jq -s '[.[].kinds["booking.created"].status["201"] // 0] | add' "$workdir"/load-*.json)
sold_out=$(jq -s '[.[].kinds["booking.created"].status["409"] // 0] | add' "$workdir"/load-*.json)
bookings=$(sql "SELECT COUNT(*) FROM booking WHERE status = 'confirmed'")
oversold=$(sql "SELECT COUNT(*) FROM nightly_rate WHERE available < 0")
mismatched=$(sql "SELECT COUNT(*) FROM nightly_rate nr WHERE nr.date < (SELECT MIN(date) FROM nightly_rate) + 200 \
  AND nr.available + (SELECT COUNT(*) FROM booking_night bn JOIN booking b ON b.id = bn.booking_id \
  WHERE b.room_type_id = nr.room_type_id AND bn.date = nr.date AND b.status = 'confirmed') <> 10")
over_capacity=$(sql "SELECT COUNT(*) FROM (SELECT b.room_type_id, bn.date FROM booking_night bn \
  JOIN booking b ON b.id = bn.booking_id WHERE b.status = 'confirmed' GROUP BY 1, 2 HAVING COUNT(*) > 10) AS nights")
alive=0
for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=$((alive + 1)); done

verdict="passed"
if [ "$server_errors" != 0 ] || [ "$oversold" != 0 ] || [ "$mismatched" != 0 ] || [ "$over_capacity" != 0 ] \
  || [ "$bookings" != "$created" ] || [ "$alive" != 2 ]; then
  verdict="FAILED"
fi

summary="- $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD), ${STRESS_SECONDS} s, 2 processes x concurrency $CONCURRENCY: \
$requests requests, 5xx $server_errors, transport errors $transport_errors, bookings 201 $created (409 $sold_out), \
confirmed bookings in the database $bookings, nights below 0 free units $oversold, nights where free units plus \
booked nights differ from the 10 loaded $mismatched, nights booked over 10 $over_capacity, processes alive $alive of 2: **$verdict**"
echo "$summary"

report=docs/RELIABILITY.md
if [ ! -f "$report" ]; then
  printf '# Reliability\n\nResults of the long-running checks, appended by the scripts that run them.\n' >"$report"
fi
if ! grep -q '^## Stress' "$report"; then
  printf '\n## Stress\n\n`make stress` (scripts/stress.sh): two grace processes on one PostgreSQL database under the\n95 %% rates / 4 %% bookings / 1 %% rates.updated mix, then the inventory checks.\n\n' >>"$report"
fi
python3 - "$report" "$summary" <<'PY'
import sys
path, line = sys.argv[1], sys.argv[2]
text = open(path).read()
head, _, tail = text.partition("## Stress")
body, separator, rest = tail.partition("\n## ")
body = body.rstrip("\n") + "\n" + line + "\n"
open(path, "w").write(head + "## Stress" + body + (("\n## " + rest) if separator else ""))
PY
[ "$verdict" = passed ]
