#!/usr/bin/env bash
# Runs each cargo-fuzz target in fuzz/ for FUZZ_SECONDS (default 600), one
# at a time, minimises its corpus in fuzz/corpus/<target>/, and appends one
# dated result line per target to the "## Fuzzing" section of
# docs/RELIABILITY.md.
#
# Usage: scripts/fuzz.sh [TARGET...]   (default: every target, in order)
# Exits 1 when a target crashed or could not run; the other targets still run.
set -euo pipefail
cd "$(dirname "$0")/.."

FUZZ_SECONDS="${FUZZ_SECONDS:-600}"
REPORT=docs/RELIABILITY.md
ALL_TARGETS=(signature_headers envelope)
# Above this many files a corpus slows the replay test and makes a change
# hard to review, so the script warns.
CORPUS_WARN_FILES=300

if ! [[ "$FUZZ_SECONDS" =~ ^[1-9][0-9]*$ ]]; then
  echo "error: FUZZ_SECONDS must be a whole number of seconds above 0, got '$FUZZ_SECONDS'" >&2
  exit 2
fi
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=("${ALL_TARGETS[@]}")
fi
for target in "${targets[@]}"; do
  if [ ! -f "fuzz/fuzz_targets/$target.rs" ]; then
    echo "error: no fuzz target '$target'; expected one of: ${ALL_TARGETS[*]}" >&2
    exit 2
  fi
done

# cargo-fuzz builds with nightly-only flags (-Zsanitizer=address and
# coverage instrumentation). A new machine has only the stable toolchain,
# and RUSTC_BOOTSTRAP=1 lets it accept them.
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "== installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi

# Creates the report and its Fuzzing section when missing. Other sections of
# the report belong to other scripts and are left as they are.
ensure_report_section() {
  mkdir -p "$(dirname "$REPORT")"
  if [ ! -f "$REPORT" ]; then
    cat >"$REPORT" <<'EOF'
# Reliability

How grace is checked against malformed input and failures, with the
measured results. Each section names the script that writes it: rerun that
script to add results instead of editing them by hand.
EOF
  fi
  if ! grep -qx '## Fuzzing' "$REPORT"; then
    cat >>"$REPORT" <<'EOF'

## Fuzzing

Written by `scripts/fuzz.sh`, which runs each cargo-fuzz target in `fuzz/`
under libFuzzer with AddressSanitizer and overflow checks. Each line is one
run of one target: the date, the commit, the duration, the inputs executed,
the file count of the minimised corpus in `fuzz/corpus/<target>/`, and
whether it found a crash. `tests/fuzz_corpus.rs` replays that corpus in
`cargo test`.
EOF
  fi
}

# Inserts one line as the last line of the Fuzzing section: before the next
# "## " heading, or at the end of the file when the section is last.
append_report_line() {
  local line="$1" updated
  updated="$(mktemp)"
  # Blank lines inside the section are held back until the next text line,
  # so the entry lands after the last text line. A blank line separates the
  # first entry from the paragraph above it.
  awk -v entry="$line" '
    function print_blanks() { while (blanks > 0) { print ""; blanks-- } }
    function print_entry() { if (last !~ /^- /) print ""; print entry }
    in_section && /^## / { print_entry(); print_blanks(); in_section = 0 }
    in_section && /^[[:space:]]*$/ { blanks++; next }
    in_section { print_blanks(); last = $0 }
    { print }
    $0 == "## Fuzzing" { in_section = 1; blanks = 0; last = $0 }
    END { if (in_section) print_entry() }
  ' "$REPORT" >"$updated"
  mv "$updated" "$REPORT"
}

# Minimises a corpus with `cargo fuzz cmin`, which renames every kept file to
# the SHA-1 of its contents. The hand-written seed-* files keep their names,
# so they are copied back afterwards and their renamed copies removed.
#
# Two libFuzzer flags keep the committed corpus small enough to review:
# -use_counters=0 counts each covered edge once instead of once per hit-count
# bucket, and -set_cover_merge=1 picks a near-minimal covering set instead of
# every input that adds a feature in file order. After 600-second runs they
# cut envelope from 2371 files to 272 and signature_headers from 524 to 31
# (seeds aside), where plain cmin had kept 477 of 591 signature_headers files.
minimise_corpus() {
  local target="$1" corpus="fuzz/corpus/$1" seeds seed
  seeds="$(mktemp -d)"
  cp "$corpus"/seed-* "$seeds"/ 2>/dev/null || true
  if ! cargo fuzz cmin "$target" -- -use_counters=0 -set_cover_merge=1 >"fuzz/target/cmin-$target.log" 2>&1; then
    echo "warning: cargo fuzz cmin $target failed; see fuzz/target/cmin-$target.log" >&2
  fi
  for seed in "$seeds"/seed-*; do
    [ -e "$seed" ] || continue
    rm -f "$corpus/$(sha1sum "$seed" | cut -d' ' -f1)"
    cp "$seed" "$corpus"/
  done
  rm -rf "$seeds"
}

ensure_report_section
commit="$(git rev-parse --short HEAD)"
if [ -n "$(git status --porcelain -- src fuzz Cargo.toml Cargo.lock)" ]; then
  commit="$commit with uncommitted changes"
fi
failed=0

for target in "${targets[@]}"; do
  corpus="fuzz/corpus/$target"
  mkdir -p "$corpus" "fuzz/target"
  log="fuzz/target/fuzz-$target.log"
  echo "== fuzzing $target for $FUZZ_SECONDS s (log: $log)"

  started=$(date +%s)
  status=0
  cargo fuzz run "$target" -- -max_total_time="$FUZZ_SECONDS" -print_final_stats=1 >"$log" 2>&1 || status=$?
  elapsed=$(($(date +%s) - started))

  # libFuzzer prints the executed count in its final stats. When those are
  # missing, the count on the last status line ("#N ...") is used.
  runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
  if [ -z "$runs" ]; then
    runs="$(grep -oE '^#[0-9]+' "$log" | tail -n 1 | tr -d '#' || true)"
  fi
  runs="${runs:-0}"

  if [ "$status" -eq 0 ]; then
    minimise_corpus "$target"
    outcome="no crash"
  else
    failed=1
    artifact="$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)"
    if [ -n "$artifact" ]; then
      # The file name starts with the kind of finding: crash, oom, timeout or leak.
      kind="$(basename "$artifact")"
      outcome="FOUND ${kind%%-*}, input saved as ${artifact#"$PWD"/}"
    else
      outcome="FAILED with exit status $status and no saved input (build error?)"
    fi
    echo "$target: $outcome; the end of $log:" >&2
    tail -n 40 "$log" >&2
  fi

  files=$(find "$corpus" -type f | wc -l)
  if [ "$files" -gt "$CORPUS_WARN_FILES" ]; then
    echo "warning: $corpus has $files files, more than $CORPUS_WARN_FILES" >&2
  fi
  line="- $(date -u +%Y-%m-%d) \`$target\` at $commit: ${elapsed} s, $runs runs, corpus $files files, $outcome ($(nproc) cores, one target at a time)"
  append_report_line "$line"
  echo "$line"
done

exit "$failed"
