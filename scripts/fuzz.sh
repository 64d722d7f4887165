#!/usr/bin/env bash
# Builds virtsh-fuzz with edge coverage and fuzzes every target for MINUTES
# each (default 10), two targets at a time. Findings go to target/fuzz/findings/TARGET,
# the growing corpora to target/fuzz/corpus/TARGET; the seeds stay in fuzz/corpus.
#   scripts/fuzz.sh [MINUTES] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."

minutes=${1:-10}
shift || true
host=$(rustc -vV | sed -n 's/^host: //p')

# SanitizerCoverage on stable rustc: an 8-bit counter per edge, read by the
# engine (fuzz/src/coverage.rs). Naming --target keeps these flags off build
# scripts and proc macros. Overflow checks and debug assertions stay on, as in
# the test suite's builds.
export RUSTFLAGS="-C passes=sancov-module -C llvm-args=-sanitizer-coverage-level=3 \
 -C llvm-args=-sanitizer-coverage-inline-8bit-counters -C debug-assertions=on -C overflow-checks=on"
export CARGO_TARGET_DIR=target/fuzz/build
cargo build --release -p virtsh-fuzz --target "$host"
bin=$CARGO_TARGET_DIR/$host/release/virtsh-fuzz

if (($#)); then
  targets=("$@")
else
  mapfile -t targets < <("$bin" list | cut -d' ' -f1)
fi

mkdir -p target/fuzz/logs
status=0
run_one() {
  "$bin" run "$1" --seconds $((minutes * 60)) >"target/fuzz/logs/$1.log" 2>&1
}
# Two at a time: the machine has two cores.
for ((i = 0; i < ${#targets[@]}; i += 2)); do
  pids=()
  for t in "${targets[@]:i:2}"; do
    run_one "$t" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do
    wait "$p" || status=1
  done
done

printf '%-12s %8s %12s %8s %8s %9s\n' target minutes executions corpus edges findings
for t in "${targets[@]}"; do
  line=$(grep -E "^$t: [0-9]+ execs" "target/fuzz/logs/$t.log" | tail -1)
  execs=$(sed -E 's/^[^:]+: ([0-9]+) execs.*/\1/' <<<"$line")
  corpus=$(sed -E 's/.*corpus ([0-9]+).*/\1/' <<<"$line")
  edges=$(sed -E 's/.*edges ([0-9]+).*/\1/' <<<"$line")
  found=$(sed -E 's/.*findings ([0-9]+).*/\1/' <<<"$line")
  printf '%-12s %8s %12s %8s %8s %9s\n' "$t" "$minutes" "$execs" "$corpus" "$edges" "$found"
done
grep -h '^finding: ' target/fuzz/logs/*.log || true
exit $status
