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

# bench_paths: the paths every benchmark uses (the caller sets ROOT and BENCH_NAME): PH_BUILD and
# PH_BENCH_OUT (build/release and build/bench unless set), PHASEOUT (the CLI built in PH_BUILD),
# OUT ($PH_BENCH_OUT/$BENCH_NAME) and LOGS ($OUT/logs).
# shellcheck disable=SC2034  # set for the caller
bench_paths() {
  PH_BUILD=${PH_BUILD:-$ROOT/build/release}
  PH_BENCH_OUT=${PH_BENCH_OUT:-$ROOT/build/bench}
  PHASEOUT=$PH_BUILD/src/cli/phaseout
  OUT=$PH_BENCH_OUT/$BENCH_NAME
  LOGS=$OUT/logs
}

# organisation_size: PEOPLE, DEVICES and SEED of the generated organisation (500000, 1000000
# and 1 unless set) and GENERATOR, bench_generate_inventory in PH_BUILD.
# shellcheck disable=SC2034  # set for the caller
organisation_size() {
  PEOPLE=${PEOPLE:-500000}
  DEVICES=${DEVICES:-1000000}
  SEED=${SEED:-1}
  GENERATOR=$PH_BUILD/bench/bench_generate_inventory
}

# require_built TOOL...: dies unless every TOOL (a path in PH_BUILD) is an executable.
require_built() {
  local tool
  for tool in "$@"; do
    [[ -x $tool ]] || die "$tool not found; run 'make build' first (or set PH_BUILD)"
  done
}

# organisation_db: unless PH_DB names a database to reuse, generates the organisation of
# organisation_size into $CSV and imports it with the scenario's directive into $DB.
organisation_db() {
  [[ -n ${PH_DB:-} ]] && return 0
  [[ -x $GENERATOR ]] || die "$GENERATOR not found"
  echo "bench/$BENCH_NAME: generating $PEOPLE people and $DEVICES devices"
  "$GENERATOR" --people "$PEOPLE" --devices "$DEVICES" --seed "$SEED" --out "$CSV" >/dev/null
  remove_db "$DB"
  "$PHASEOUT" --db "$DB" init >/dev/null
  "$PHASEOUT" --db "$DB" import people "$CSV/people.csv" >/dev/null
  "$PHASEOUT" --db "$DB" import devices "$CSV/devices.csv" >/dev/null
  "$PHASEOUT" --db "$DB" directive add "$ROOT/examples/directives/pa-iphone-2023.yaml" >/dev/null
}
