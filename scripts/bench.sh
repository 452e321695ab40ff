#!/usr/bin/env bash
# make bench: criterion micro-benchmarks, then load on a release build of
# grace over loopback, then the ceilings it is compared with (a bare
# actix-web server, and pgbench running a booking's SQL). Writes
# docs/BENCHMARKS.md and prints its tables.
#
# Every target is a ratio of two figures measured in this one run, or an
# absolute figure with wide headroom: the machine is small and shared, so
# absolute requests per second move from one run to the next.
#
# Settings (environment variables):
# - BENCH_SECONDS: seconds per load scenario and for pgbench (default 20).
# - TEST_DATABASE_URL: the PostgreSQL server that gets the scratch databases
#   (default postgres://postgres@127.0.0.1:5432/postgres).
# - HTTP_WORKERS: actix-web workers of grace and of the ceiling server
#   (default: the number of CPUs, as in grace).
#
# Everything it starts listens on 127.0.0.1 and is stopped by PID at exit;
# the scratch databases are dropped at exit, also after a failure.

set -Eeuo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

BENCH_SECONDS="${BENCH_SECONDS:-20}"
TEST_DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
HTTP_WORKERS="${HTTP_WORKERS:-$(nproc)}"
readonly REPORT=docs/BENCHMARKS.md
readonly RATES_CONCURRENCY=32 BOOKINGS_CONCURRENCY=16 MIX_CONCURRENCY=32 CEILING_CONCURRENCY=32 PGBENCH_CLIENTS=16
# 2,740 room types of a second property x 365 nights, plus the demo's 4 x 365:
# 1,001,560 nightly rows, above the 1,000,000 that the scaling target requires.
readonly BULK_ROOM_TYPES=2740
# The path requested from the ceiling server, as long as a real /rates request line.
readonly CEILING_PATH='/rates?check_in=2026-12-10&check_out=2026-12-13'

log() { printf '== %s\n' "$*" >&2; }
die() {
  printf 'bench: %s\n' "$*" >&2
  exit 1
}

[[ "$BENCH_SECONDS" =~ ^[1-9][0-9]*$ ]] || die "BENCH_SECONDS must be a whole number of seconds, got '$BENCH_SECONDS'"
[[ "$HTTP_WORKERS" =~ ^[1-9][0-9]*$ ]] || die "HTTP_WORKERS must be a whole number, got '$HTTP_WORKERS'"

# --- clean-up: only what this script started ---------------------------------

work="$(mktemp -d "${TMPDIR:-/tmp}/grace-bench.XXXXXX")"
pids=()
scratch_dbs=()

cleanup() {
  local status=$?
  local pid db
  for pid in "${pids[@]}"; do
    stop_pid "$pid"
  done
  for db in "${scratch_dbs[@]}"; do
    psql "$TEST_DATABASE_URL" -qAtc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 ||
      printf 'bench: could not drop the scratch database %s; drop it by hand\n' "$db" >&2
  done
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
trap 'printf "bench: FAILED at line %s (exit status %s)\n" "$LINENO" "$?" >&2' ERR

# Stops one process this script started: SIGTERM, up to 15 s to drain, then
# SIGKILL. The PID leaves the list once reaped, so a later clean-up can never
# signal an unrelated process that reused the number.
stop_pid() {
  local pid=$1 _ kept=() other
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 150); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
  for other in "${pids[@]}"; do
    [[ "$other" == "$pid" ]] || kept+=("$other")
  done
  pids=("${kept[@]}")
}

# --- tools ---------------------------------------------------------------------

# On Debian 12 pgbench comes with the server package postgresql-NN, which
# postgresql-contrib pulls in. postgresql-client is tried first because it is
# smaller and may include pgbench on other releases.
install_missing_tools() {
  local packages=()
  command -v psql >/dev/null || packages+=(postgresql-client)
  command -v jq >/dev/null || packages+=(jq)
  if ((${#packages[@]})); then
    install_packages "${packages[@]}"
  fi
  if ! command -v pgbench >/dev/null || ! pgbench --version >/dev/null 2>&1; then
    install_packages postgresql-client
    pgbench --version >/dev/null 2>&1 || install_packages postgresql-contrib
  fi
  pgbench --version >/dev/null 2>&1 || die "pgbench is missing and could not be installed"
}

install_packages() {
  command -v apt-get >/dev/null || die "missing $*; install it with your package manager"
  local sudo=()
  [[ $EUID -eq 0 ]] || sudo=(sudo)
  log "installing $* with apt-get"
  "${sudo[@]}" apt-get install -y -q "$@" >&2 || {
    "${sudo[@]}" apt-get update -q >&2
    "${sudo[@]}" apt-get install -y -q "$@" >&2
  } || die "apt-get could not install $*"
}

install_missing_tools
psql "$TEST_DATABASE_URL" -qAtc 'SELECT 1' >/dev/null 2>&1 ||
  die "PostgreSQL is not reachable at TEST_DATABASE_URL; see scripts/check-postgres.sh"

# --- helpers -------------------------------------------------------------------

# TEST_DATABASE_URL with its database name replaced, query string kept.
db_url() {
  local base="${TEST_DATABASE_URL%%\?*}" query=""
  [[ "$TEST_DATABASE_URL" == *\?* ]] && query="?${TEST_DATABASE_URL#*\?}"
  [[ "${base#*://}" == */* ]] && base="${base%/*}"
  printf '%s/%s%s' "$base" "$1" "$query"
}

redact() { sed -E 's#//([^:/@]+):[^@]*@#//\1:***@#' <<<"$1"; }

# A loopback port nothing listens on: a refused connection means it is free.
free_port() {
  local port _
  for _ in $(seq 1 100); do
    port=$((20000 + RANDOM % 30000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  die "found no free loopback port"
}

create_scratch_db() {
  scratch_dbs+=("$1")
  psql "$TEST_DATABASE_URL" -qAtc "CREATE DATABASE \"$1\"" >/dev/null
}

# Runs grace in a clean environment with the project defaults, so settings
# exported in the caller's shell (DB_POOL_SIZE and so on) cannot skew the
# figures. An array, not a function: `"${grace_env[@]}" ... &` is a simple
# command, so $! is grace's own PID (env execs it), not a subshell's.
grace_env=()
set_grace_env() {
  # The pool gets as many connections as pgbench has clients (14 + 2 = 16),
  # so the booking figure and the database ceiling use the same concurrency.
  grace_env=(env -i PATH="$PATH" HOME="${HOME:-/root}" GRACE_ENV=development HMAC_SECRET="$HMAC_SECRET"
    LOG_LEVEL=warn HTTP_WORKERS="$HTTP_WORKERS" DB_POOL_SIZE=14 DB_MAX_OVERFLOW=2)
}

# start_grace DATABASE_URL NAME: serves on a free port and waits for the
# first 200 on /health. Sets grace_pid, grace_url and the file NAME-ready.json.
start_grace() {
  local url=$1 name=$2 port started
  port="$(free_port)"
  started="$(date +%s%N)"
  "${grace_env[@]}" DATABASE_URL="$url" BIND_ADDR="127.0.0.1:$port" "$GRACE" serve >"$work/$name.log" 2>&1 &
  grace_pid=$!
  pids+=("$grace_pid")
  grace_url="http://127.0.0.1:$port"
  "$LOADGEN" --base-url "$grace_url" --wait-health --since-unix-nanos "$started" --timeout-seconds 60 \
    >"$work/$name-ready.json" || {
    tail -n 20 "$work/$name.log" >&2
    die "grace ($name) did not return 200 on /health within 60 s"
  }
  # The RSS figure and the clean-up both rely on this being grace itself.
  [[ "$(readlink "/proc/$grace_pid/exe")" == "$(readlink -f "$GRACE")" ]] ||
    die "PID $grace_pid is not the grace binary; the RSS figure would be wrong"
}

# run_load NAME BASE_URL SCENARIO CONCURRENCY [loadgen options]: NAME.json.
run_load() {
  local name=$1 url=$2 scenario=$3 concurrency=$4
  shift 4
  log "loadgen $scenario, concurrency $concurrency, ${BENCH_SECONDS} s ($name)"
  HMAC_SECRET="$HMAC_SECRET" "$LOADGEN" --base-url "$url" --scenario "$scenario" \
    --concurrency "$concurrency" --duration-seconds "$BENCH_SECONDS" "$@" >"$work/$name.json"
}

# j NAME JQ_FILTER: one field of a loadgen result.
j() { jq -r "$2" "$work/$1.json"; }
statuses() { jq -r '[.status | to_entries[] | "\(.key): \(.value)"] | join(", ")' "$work/$1.json"; }
errors() { jq -r 'if (.errors | length) == 0 then "none" else [.errors | to_entries[] | "\(.key): \(.value)"] | join(", ") end' "$work/$1.json"; }

# calc EXPRESSION [DECIMALS]
calc() { awk "BEGIN { printf \"%.${2:-2}f\", $1 }"; }
# verdict CONDITION: met when the awk condition holds.
verdict() { if awk "BEGIN { exit !($1) }"; then echo met; else echo "not met"; fi; }

# --- build ---------------------------------------------------------------------

target_dir="$(cargo metadata --format-version 1 --no-deps | jq -r .target_directory)"
GRACE="$target_dir/release/grace"
LOADGEN="$target_dir/release/loadgen"
CEILING="$target_dir/release/ceiling"

log "building grace and the load tools (release)"
cargo build --release --bins
cargo build --release -p grace-bench --bins

# --- micro-benchmarks ----------------------------------------------------------

log "criterion micro-benchmarks"
# Old estimates would be read silently if a benchmark were renamed or skipped.
rm -rf "$target_dir/criterion/signature" "$target_dir/criterion/calendar" "$target_dir/criterion/json"
cargo bench --bench micro -- --warm-up-time 1 --measurement-time 3 >"$work/criterion.txt" 2>&1 || {
  tail -n 30 "$work/criterion.txt" >&2
  die "cargo bench failed"
}
median_ns() {
  local file="$target_dir/criterion/$1/new/estimates.json"
  [[ -f "$file" ]] || die "criterion wrote no estimates for $1"
  jq -r '.median.point_estimate' "$file"
}
verify_1k="$(median_ns signature/verify/1KiB)"
hmac_1k="$(median_ns signature/hmac_keyed/1KiB)"
hmac_new_1k="$(median_ns signature/hmac_new_key/1KiB)"
verify_64k="$(median_ns signature/verify/64KiB)"
hmac_64k="$(median_ns signature/hmac_keyed/64KiB)"
hmac_new_64k="$(median_ns signature/hmac_new_key/64KiB)"
business_date_ns="$(median_ns calendar/business_date)"
json_encode_ns="$(median_ns json/rates_encode)"
json_build_ns="$(median_ns json/rates_build_and_encode)"

# --- grace on the demo data set ----------------------------------------------------

HMAC_SECRET="bench-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
set_grace_env
small_db="grace_bench_$$_demo"
large_db="grace_bench_$$_large"
small_url="$(db_url "$small_db")"
large_url="$(db_url "$large_db")"

log "scratch database $small_db: migrate, seed --demo"
create_scratch_db "$small_db"
"${grace_env[@]}" DATABASE_URL="$small_url" "$GRACE" migrate >"$work/migrate.log" 2>&1 || {
  cat "$work/migrate.log" >&2
  die "grace migrate failed"
}
"${grace_env[@]}" DATABASE_URL="$small_url" "$GRACE" seed --demo >"$work/seed.log" 2>&1 || {
  cat "$work/seed.log" >&2
  die "grace seed --demo failed"
}
small_rows="$(psql "$small_url" -qAtc 'SELECT count(*) FROM nightly_rate')"

log "starting grace (ready time: start to first 200 on /health)"
start_grace "$small_url" grace
ready_ms="$(j grace-ready .ready_ms)"

run_load rates "$grace_url" rates "$RATES_CONCURRENCY"

# Plenty of units on every night, so every booking runs the whole
# transaction. A sold-out night returns 409 early and would inflate the rate.
psql "$small_url" -qAtc 'UPDATE nightly_rate SET available = 100000' >/dev/null
run_load bookings "$grace_url" bookings "$BOOKINGS_CONCURRENCY"

# The peak RSS of the mix alone. Writing 5 to clear_refs resets VmHWM to the
# current RSS (Linux 4.0 and later). The sampler also keeps the highest VmRSS
# it reads, for when the reset is not permitted.
if echo 5 >"/proc/$grace_pid/clear_refs" 2>/dev/null; then
  hwm_scope="VmHWM reset just before the mix"
else
  hwm_scope="VmHWM since grace started (resetting it was not permitted)"
fi
(
  peak=0
  while [[ ! -e "$work/stop-sampler" ]] && [[ -r "/proc/$grace_pid/status" ]]; do
    rss="$(awk '/^VmRSS:/ { print $2 }' "/proc/$grace_pid/status" 2>/dev/null || echo 0)"
    ((rss > peak)) && peak=$rss
    echo "$peak" >"$work/rss-peak-kb"
    sleep 0.1
  done
) &
sampler_pid=$!
pids+=("$sampler_pid")
run_load mix "$grace_url" mix "$MIX_CONCURRENCY"
touch "$work/stop-sampler"
stop_pid "$sampler_pid"
hwm_kb="$(awk '/^VmHWM:/ { print $2 }' "/proc/$grace_pid/status")"
sampled_kb="$(cat "$work/rss-peak-kb" 2>/dev/null || echo 0)"
stop_pid "$grace_pid"

# --- what two design choices buy: the rates cache and per-worker actors -------------

# The same /rates scenario with RATES_CACHE=false, so every look-up queries
# PostgreSQL, and with ACTOR_LAYOUT=shared, so one set of actors on one
# arbiter thread serves both HTTP workers.
for variant in "RATES_CACHE=false rates-nocache" "ACTOR_LAYOUT=shared rates-shared"; do
  read -r setting name <<<"$variant"
  saved_env=("${grace_env[@]}")
  grace_env+=("$setting")
  start_grace "$small_url" "$name-grace"
  run_load "$name" "$grace_url" rates "$RATES_CONCURRENCY"
  stop_pid "$grace_pid"
  grace_env=("${saved_env[@]}")
done

# --- the framework ceiling -------------------------------------------------------

log "ceiling server (bare actix-web, $HTTP_WORKERS workers)"
ceiling_port="$(free_port)"
"$CEILING" --bind "127.0.0.1:$ceiling_port" --workers "$HTTP_WORKERS" \
  --exit-after-seconds $((BENCH_SECONDS * 4 + 120)) >"$work/ceiling.log" 2>&1 &
ceiling_pid=$!
pids+=("$ceiling_pid")
"$LOADGEN" --base-url "http://127.0.0.1:$ceiling_port" --wait-health --timeout-seconds 30 >/dev/null ||
  die "the ceiling server did not start: $(cat "$work/ceiling.log")"
run_load ceiling "http://127.0.0.1:$ceiling_port" fixed "$CEILING_CONCURRENCY" --path "$CEILING_PATH"
ceiling_body_bytes="$(j ceiling .mean_body_bytes)"
stop_pid "$ceiling_pid"

# --- the database ceiling: a booking's SQL in pgbench ----------------------------------

log "pgbench: a booking's transaction, $PGBENCH_CLIENTS clients, ${BENCH_SECONDS} s"
first_night="$(psql "$small_url" -qAtc 'SELECT min(date) FROM nightly_rate')"
property_id="$(psql "$small_url" -qAtc "SELECT id FROM property WHERE code = 'GRACE-DXB'")"
# The statements of src/store/events.rs for a one-night booking.created, in
# the same order and with the same parameters. Ids are random, and nights and
# room types are uniform as in the bookings scenario. NOTE: keep this in step
# with events.rs, because a statement added or merged there moves the ceiling. Prepared mode, because
# sqlx prepares its statements too. The stored response is a 280-byte string,
# about the size of grace's 201 body for one night. It is not JSON, because a
# JSON literal would contain colons that pgbench reads as variables.
cat >"$work/booking.sql" <<'SQL'
\set night random(0, 364)
\set room random(1, 4)
\set uid random(1, 9000000000000000000)
BEGIN;
INSERT INTO webhook_event (event_id, event_type, body_sha256, status_code, response_body, received_at) VALUES ('pgb-' || :client_id || '-' || :uid, 'booking.created', '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', 0, '', now()) ON CONFLICT (event_id) DO NOTHING;
SELECT rt.id AS room_type_id, rt.max_guests, EXISTS (SELECT 1 FROM booking WHERE reference = 'PGB-' || :client_id || '-' || :uid) AS reference_taken FROM room_type rt WHERE rt.property_id = :property_id AND rt.code = (ARRAY['DLX', 'FAM', 'STD', 'STE'])[:room::int] \gset
SELECT date AS night_date, amount_minor, available FROM nightly_rate WHERE room_type_id = :room_type_id AND date >= :first_night::date + :night::int AND date < :first_night::date + :night::int + 1 ORDER BY date FOR UPDATE \gset
UPDATE nightly_rate SET available = available - 1 WHERE room_type_id = :room_type_id AND date >= :first_night::date + :night::int AND date < :first_night::date + :night::int + 1 AND available > 0;
INSERT INTO booking (id, reference, room_type_id, status, check_in, check_out, guests, guest_name, guest_email, guest_phone, total_minor, currency, created_at) VALUES ('pgb-' || :client_id || '-' || :uid, 'PGB-' || :client_id || '-' || :uid, :room_type_id, 'confirmed', :first_night::date + :night::int, :first_night::date + :night::int + 1, 1, 'Bench Guest', 'guest@example.invalid', NULL, :amount_minor, 'AED', now());
INSERT INTO booking_night (booking_id, date, amount_minor) VALUES ('pgb-' || :client_id || '-' || :uid, :night_date::date, :amount_minor);
WITH outcome AS (UPDATE webhook_event SET status_code = 201, response_body = repeat('b', 280) WHERE event_id = 'pgb-' || :client_id || '-' || :uid) SELECT pg_notify('grace_rates', :room_type_id::text);
COMMIT;
SQL
pgbench -n -M prepared -c "$PGBENCH_CLIENTS" -j 2 -T "$BENCH_SECONDS" -f "$work/booking.sql" \
  -D property_id="$property_id" -D first_night="$first_night" "$small_url" >"$work/pgbench.txt" 2>&1 || {
  cat "$work/pgbench.txt" >&2
  die "pgbench failed"
}
pgbench_tps="$(awk '/^tps = / { print $3; exit }' "$work/pgbench.txt")"
pgbench_latency="$(awk '/^latency average = / { print $4; exit }' "$work/pgbench.txt")"
pgbench_failed="$(awk -F': ' '/^number of failed transactions/ { split($2, count, " "); print count[1]; exit }' "$work/pgbench.txt")"
[[ -n "$pgbench_tps" ]] || die "could not read tps from pgbench: $(cat "$work/pgbench.txt")"

# --- /rates over a million nightly rows --------------------------------------------

log "scratch database $large_db: the demo data plus $BULK_ROOM_TYPES room types of a second property"
create_scratch_db "$large_db"
"${grace_env[@]}" DATABASE_URL="$large_url" "$GRACE" migrate >>"$work/migrate.log" 2>&1 ||
  die "grace migrate failed on $large_db"
"${grace_env[@]}" DATABASE_URL="$large_url" "$GRACE" seed --demo >>"$work/seed.log" 2>&1 ||
  die "grace seed --demo failed on $large_db"
# The bulk rows belong to another property, so the /rates responses (and
# their size) stay those of the demo property. Only the table and its index grow.
psql "$large_url" -v ON_ERROR_STOP=1 -qAt -v bulk="$BULK_ROOM_TYPES" >/dev/null <<'SQL'
WITH bulk_property AS (
  INSERT INTO property (code, name, timezone, currency)
  VALUES ('BENCH-BULK', 'Bulk rows for make bench', 'Asia/Dubai', 'AED')
  RETURNING id
), bulk_room_types AS (
  INSERT INTO room_type (property_id, code, name, max_guests)
  SELECT bulk_property.id, 'BULK' || n, 'Bulk ' || n, 2
  FROM bulk_property, generate_series(1, :bulk) AS n
  RETURNING id
)
INSERT INTO nightly_rate (room_type_id, date, amount_minor, available, source_timestamp)
SELECT bulk_room_types.id, seeded.first_night + day_offset, 40000, 10, 0
FROM bulk_room_types,
     (SELECT min(date) AS first_night FROM nightly_rate) AS seeded,
     generate_series(0, 364) AS day_offset;
ANALYZE;
SQL
large_rows="$(psql "$large_url" -qAtc 'SELECT count(*) FROM nightly_rate')"
((large_rows >= 1000000)) || die "the large table has only $large_rows rows"

start_grace "$large_url" grace-large
run_load rates-large "$grace_url" rates "$RATES_CONCURRENCY"
stop_pid "$grace_pid"

# --- report --------------------------------------------------------------------

rates_rps="$(j rates .rps)"
rates_p50="$(j rates .p50_ms)"
rates_p99="$(j rates .p99_ms)"
large_p50="$(j rates-large .p50_ms)"
ceiling_rps="$(j ceiling .rps)"
bookings_rps="$(j bookings .rps)"
peak_kb="$hwm_kb"
[[ "$hwm_scope" == VmHWM\ reset* ]] || peak_kb="$sampled_kb"
peak_mib="$(calc "$peak_kb / 1024" 1)"

ratio_rates="$(calc "$rates_rps / $ceiling_rps")"
ratio_bookings="$(calc "$bookings_rps / $pgbench_tps")"
ratio_1k="$(calc "$verify_1k / $hmac_1k" 3)"
ratio_64k="$(calc "$verify_64k / $hmac_64k" 3)"
ratio_large="$(calc "$large_p50 / $rates_p50")"

cpu_model="$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
ram="$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
commit="$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)"
if [[ -n "$(git status --porcelain 2>/dev/null)" ]]; then
  commit="$commit, with uncommitted changes"
fi
pg_version="$(psql "$TEST_DATABASE_URL" -qAtc 'SHOW server_version')"

ns() { calc "$1" 1; }
kind_row() { # kind_row NAME KIND: one request kind of the mix
  jq -r --arg kind "$2" '.kinds[$kind] // empty |
    "| \($ARGS.positional[0]) | \(.requests) requests, p50 \(.p50_ms) ms, p90 \(.p90_ms) ms, p99 \(.p99_ms) ms; status \([.status | to_entries[] | "\(.key): \(.value)"] | join(", ")) |"' \
    --args "$1" <"$work/mix.json"
}
load_row() { # load_row NAME LABEL
  printf '| %s | %s req/s; p50 %s ms, p90 %s ms, p99 %s ms; %s requests (status %s; errors %s); mean body %s B |\n' \
    "$2" "$(calc "$(j "$1" .rps)" 0)" "$(j "$1" .p50_ms)" "$(j "$1" .p90_ms)" "$(j "$1" .p99_ms)" \
    "$(j "$1" .requests)" "$(statuses "$1")" "$(errors "$1")" "$(calc "$(j "$1" .mean_body_bytes)" 0)"
}

targets_table="$(
  cat <<EOF
| target | measured | goal | verdict |
|---|---|---|---|
| /rates req/s ÷ framework ceiling req/s | $ratio_rates ($(calc "$rates_rps" 0) ÷ $(calc "$ceiling_rps" 0)) | ≥ 0.5 | $(verdict "$rates_rps / $ceiling_rps >= 0.5") |
| /rates p99 | $rates_p99 ms | < 10 ms | $(verdict "$rates_p99 < 10") |
| bookings req/s ÷ pgbench tps | $ratio_bookings ($(calc "$bookings_rps" 0) ÷ $(calc "$pgbench_tps" 0)) | ≥ 0.7 | $(verdict "$bookings_rps / $pgbench_tps >= 0.7") |
| verify ÷ bare HMAC-SHA256, 1 KiB | $ratio_1k ($(ns "$verify_1k") ns ÷ $(ns "$hmac_1k") ns) | ≤ 1.1 | $(verdict "$verify_1k / $hmac_1k <= 1.1") |
| verify ÷ bare HMAC-SHA256, 64 KiB | $ratio_64k ($(ns "$verify_64k") ns ÷ $(ns "$hmac_64k") ns) | ≤ 1.1 | $(verdict "$verify_64k / $hmac_64k <= 1.1") |
| peak RSS under mix | $peak_mib MiB | ≤ 64 MiB | $(verdict "$peak_kb <= 65536") |
| /rates p50, $large_rows rows ÷ $small_rows rows | $ratio_large ($large_p50 ms ÷ $rates_p50 ms) | ≤ 1.2 | $(verdict "$large_p50 / $rates_p50 <= 1.2") |
| ready-to-serve time | $(calc "$ready_ms" 1) ms | ≤ 300 ms | $(verdict "$ready_ms <= 300") |
EOF
)"

figures_table="$(
  cat <<EOF
| figure | value |
|---|---|
| verify, 1 KiB body (median) | $(ns "$verify_1k") ns |
| HMAC-SHA256, 1 KiB, key state set up once (median) | $(ns "$hmac_1k") ns |
| HMAC-SHA256, 1 KiB, key set up per call (median, for reference) | $(ns "$hmac_new_1k") ns |
| verify, 64 KiB body (median) | $(ns "$verify_64k") ns |
| HMAC-SHA256, 64 KiB, key state set up once (median) | $(ns "$hmac_64k") ns |
| HMAC-SHA256, 64 KiB, key set up per call (median, for reference) | $(ns "$hmac_new_64k") ns |
| business date, Asia/Dubai (median) | $(ns "$business_date_ns") ns |
| encode a /rates body, 4 offers x 3 nights (median) | $(ns "$json_encode_ns") ns |
| build and encode that body (median, for reference) | $(ns "$json_build_ns") ns |
$(load_row rates "/rates, $RATES_CONCURRENCY connections, $small_rows nightly rows")
$(load_row rates-nocache "/rates with RATES_CACHE=false (every look-up queries PostgreSQL)")
$(load_row rates-shared "/rates with ACTOR_LAYOUT=shared (one actor set on one arbiter thread)")
$(load_row bookings "booking.created, $BOOKINGS_CONCURRENCY connections")
$(load_row mix "mix 95/4/1, $MIX_CONCURRENCY connections")
$(kind_row "mix: /rates" rates)
$(kind_row "mix: booking.created" booking.created)
$(kind_row "mix: rates.updated" rates.updated)
$(load_row ceiling "framework ceiling (bare actix-web, fixed $ceiling_body_bytes-byte body), $CEILING_CONCURRENCY connections")
| pgbench, a booking's transaction, $PGBENCH_CLIENTS clients | $(calc "$pgbench_tps" 0) tps; latency average $pgbench_latency ms; failed transactions ${pgbench_failed:-0} |
$(load_row rates-large "/rates, $RATES_CONCURRENCY connections, $large_rows nightly rows")
| peak RSS of grace under mix | $peak_mib MiB ($hwm_scope; highest VmRSS sampled every 0.1 s: $(calc "$sampled_kb / 1024" 1) MiB) |
| ready-to-serve time (start to first 200 on /health, database migrated and seeded) | $(calc "$ready_ms" 1) ms |
EOF
)"

mkdir -p "$(dirname "$REPORT")"
cat >"$REPORT" <<EOF
# Benchmarks

Written by \`make bench\` (scripts/bench.sh); run it again to refresh this page.
The machine is small and shared, so absolute figures move from run to run.
That is why each target is a ratio of two figures from the same run, or an
absolute figure with wide headroom.

- Command: \`BENCH_SECONDS=$BENCH_SECONDS make bench\` ($BENCH_SECONDS s per load scenario and for pgbench)
- Machine: $(nproc) CPUs, $cpu_model, $ram RAM
- Date: $(date -u '+%Y-%m-%d %H:%M UTC')
- Commit: $commit
- grace: release build, \`GRACE_ENV=development\`, \`HTTP_WORKERS=$HTTP_WORKERS\`, \`LOG_LEVEL=warn\`,
  \`DB_POOL_SIZE=14\`, \`DB_MAX_OVERFLOW=2\`: 16 connections, as many as pgbench's clients
- Database: PostgreSQL $pg_version at $(redact "$TEST_DATABASE_URL"), scratch databases created and dropped by the script
- Load: \`loadgen\` on one thread on the same machine, closed loop, one HTTP/1.1
  keep-alive connection per worker, connections opened before the clock starts

## Targets

$targets_table

## All figures

$figures_table

## How each figure is measured

- Micro-benchmarks: criterion medians (\`cargo bench --bench micro\`, 1 s warm-up,
  3 s measurement). The verify baseline is an HMAC-SHA256 over the same
  timestamp and body from a key state made once, which is the least work any
  verifier must do. grace keeps its key state the same way.
- /rates: check-in 1 to 300 days after the property's business date
  (Asia/Dubai), 1 to 5 nights, one of the four demo room types or none.
- booking.created: signed webhooks with unique event ids and references, one
  night each, spread evenly over the 365 seeded nights and 4 room types. Every
  night is given 100,000 free units first, so no booking ends early on a
  sold-out night.
- mix: 95 % /rates, 4 % booking.created, 1 % rates.updated (1 to 7 nights,
  X-Timestamp never decreasing).
- Framework ceiling: \`ceiling\`, an actix-web 4 server with one handler and
  no middleware that returns a fixed JSON body shaped like a /rates
  response for every request, with as many workers as grace.
- Database ceiling: pgbench in prepared mode, running the statements of a
  one-night booking.created from src/store/events.rs as one transaction. They
  are the inbox insert, the room type with the reference check, the nights
  FOR UPDATE, the unit update, the booking, the booking night, and the inbox
  outcome with the cache notification. Ids, nights and room types are random.
  It uses $PGBENCH_CLIENTS connections, as many as grace's pool may open.
- Scaling: the same /rates scenario against a database that also holds
  $BULK_ROOM_TYPES room types of a second property with 365 nights each.
- Load generator, servers and PostgreSQL share the same $(nproc) CPUs, so
  every load figure includes their competition for them.
EOF

# Findings written by hand (where the time went, what each change bought)
# are kept in a file of their own, so a rerun does not erase them.
notes=docs/benchmark-notes.md
if [[ -f "$notes" ]]; then
  printf '\n' >>"$REPORT"
  cat "$notes" >>"$REPORT"
fi

printf '\n%s\n\n%s\n\nWritten to %s\n' "$targets_table" "$figures_table" "$REPORT"
