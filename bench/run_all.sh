#!/usr/bin/env bash
# `make bench`: runs every bench/<name>/run.sh in name order and says where each one's results
# are. Each script writes to $PH_BENCH_OUT/<name>/ and finds the binaries in $PH_BUILD.
#
# Environment: PH_BUILD (default build/release, what `make build` produces), PH_BENCH_OUT
# (default build/bench); anything else is passed through to the scripts (e.g. REPS).
# Exit status: 0 when every script succeeded, 1 when any failed (the others still run).
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PH_BUILD=${PH_BUILD:-$ROOT/build/release}
export PH_BENCH_OUT=${PH_BENCH_OUT:-$ROOT/build/bench}

passed=()
failed=()
shopt -s nullglob
for script in "$ROOT"/bench/*/run.sh; do
  name=$(basename "$(dirname "$script")")
  echo "=== bench/$name"
  start=$(date +%s)
  if bash "$script"; then
    passed+=("$name")
    outcome="done"
  else
    failed+=("$name")
    outcome=FAILED
  fi
  echo "=== bench/$name: $outcome in $(($(date +%s) - start)) s"
  echo
done

if ((${#passed[@]} + ${#failed[@]} == 0)); then
  echo "no benchmarks found (bench/*/run.sh)" >&2
  exit 1
fi
echo "Results:"
for name in "${passed[@]}"; do
  echo "  $name: $PH_BENCH_OUT/$name/"
  for f in "$PH_BENCH_OUT/$name"/results.*; do echo "    $f"; done
done
for name in "${failed[@]}"; do
  echo "  $name: FAILED (partial output in $PH_BENCH_OUT/$name/)"
done
((${#failed[@]} == 0))
