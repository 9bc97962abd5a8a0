# Helpers shared by the bench/*/run.sh scripts (sourced, not run). The caller sets LOGS (where
# each command's output goes) and BENCH_NAME (its name in messages); MEASURE_STDOUT=discard
# sends the measured commands' standard output to /dev/null instead of $LOGS/NAME.out (for
# commands whose output is large and not needed, so writing it is not what gets measured).

# die MESSAGE...: prints "bench/NAME: MESSAGE" on stderr and exits 1.
die() {
  echo "bench/$BENCH_NAME: $*" >&2
  exit 1
}

# measure NAME COMMAND...: runs COMMAND under /usr/bin/time -v with its output in
# $LOGS/NAME.{out,err,time}; prints "WALL_MS PEAK_KB CPU_MS" (CPU = user + system).
measure() {
  local name=$1
  shift
  local start end peak cpu out="$LOGS/$name.out"
  [[ ${MEASURE_STDOUT:-} == discard ]] && out=/dev/null
  start=$(date +%s%N)
  if ! /usr/bin/time -v -o "$LOGS/$name.time" "$@" >"$out" 2>"$LOGS/$name.err"; then
    echo "bench/$BENCH_NAME: failed: $*" >&2
    tail -n 20 "$LOGS/$name.err" >&2
    return 1
  fi
  end=$(date +%s%N)
  peak=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$LOGS/$name.time")
  cpu=$(awk -F': ' '/(User|System) time \(seconds\)/ {t += $2} END {printf "%d", t * 1000}' \
    "$LOGS/$name.time")
  echo "$(((end - start) / 1000000)) $peak $cpu"
}

median() { printf '%s\n' "$@" | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
max() { printf '%s\n' "$@" | sort -n | tail -n 1; }
seconds() { awk -v ms="$1" 'BEGIN {printf "%.2f", ms / 1000}'; }
mib() { awk -v kb="$1" 'BEGIN {printf "%.0f", kb / 1024}'; }
remove_db() { rm -f "$1" "$1-wal" "$1-shm" "$1-journal"; }
