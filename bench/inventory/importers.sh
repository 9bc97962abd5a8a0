#!/usr/bin/env bash
# Vendor importer benchmark (issue 12). In one run, on data generated from the same organisation
# (500,000 people and 1,000,000 devices by default; bench_generate_inventory, then
# bench/inventory/vendor_exports.py):
#   1. `phaseout import devices --from intune intune.json` (every device as Microsoft Graph
#      managedDevices pages, ~1.5 KB of fields per device, holders by e-mail) against the peer:
#      `phaseout import devices devices.csv`, the same devices in phaseout's own CSV format.
#      Both start from a copy of the same database holding the people (imported once, not timed).
#   2. The merge of two sources of DEVICES/2 devices overlapping by half: `import devices --from
#      intune merge-intune.json` into the people-only database, then `import devices --from
#      snipeit merge-snipeit.json`, half of whose devices carry serial numbers already imported
#      from Intune. The first step (nothing to match) is the peer of the second (merging).
# Each measurement runs REPS times (alternating which side goes first); the median wall time and
# CPU time (user + system) are reported, and peak memory is the largest "Maximum resident set
# size" of /usr/bin/time -v.
#
# Environment (all optional):
#   PEOPLE, DEVICES, SEED   size and seed of the generated organisation (500000, 1000000, 1)
#   REPS                    repetitions of each measurement (3)
#   PH_BUILD, PH_BENCH_OUT  as in bench/common.sh; this benchmark writes to
#                           $PH_BENCH_OUT/importers/: results.md, logs/, data/
#   KEEP_DATA=1             reuse data/ when it was generated with the same sizes
# Exit status: 0 when every step ran, 1 otherwise.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BENCH_NAME=importers
source "$ROOT/bench/common.sh"  # die, measure, median, max, seconds, mib, remove_db
bench_paths
organisation_size
REPS=${REPS:-3}
DATA=$OUT/data
BASE_DB=$OUT/people.db
DB=$OUT/phaseout.db

require_built "$PHASEOUT" "$GENERATOR"
[[ -x /usr/bin/time ]] || die "/usr/bin/time not found (Debian package 'time')"
command -v python3 >/dev/null || die "python3 not found"
[[ $REPS =~ ^[1-9][0-9]*$ ]] || die "REPS must be a positive integer"
mkdir -p "$DATA" "$LOGS"
rm -f "$LOGS"/*
load_before=$(cut -d' ' -f1 /proc/loadavg)

stamp="$PEOPLE $DEVICES $SEED"
if [[ ${KEEP_DATA:-} == 1 && -f $DATA/stamp && $(cat "$DATA/stamp") == "$stamp" ]]; then
  echo "bench/importers: reusing $DATA"
else
  echo "bench/importers: generating $PEOPLE people and $DEVICES devices (seed $SEED)"
  rm -f "$DATA"/*
  "$GENERATOR" --people "$PEOPLE" --devices "$DEVICES" --seed "$SEED" --out "$DATA" >/dev/null
  python3 "$ROOT/bench/inventory/vendor_exports.py" --people "$DATA/people.csv" \
    --devices "$DATA/devices.csv" --out "$DATA"
  echo "$stamp" >"$DATA/stamp"
fi
size_mib() { mib "$(($(stat -c %s "$1") / 1024))"; }

echo "bench/importers: people database"
remove_db "$BASE_DB"
"$PHASEOUT" --db "$BASE_DB" init >/dev/null
"$PHASEOUT" --db "$BASE_DB" import people "$DATA/people.csv" >/dev/null
fresh_db() {
  remove_db "$DB"
  cp "$BASE_DB" "$DB"
}

# measure_import NAME ARGS...: a fresh copy of the people database, then `phaseout import
# devices ARGS`; prints "WALL_MS PEAK_KB CPU_MS".
measure_import() {
  local name=$1
  shift
  fresh_db
  measure "$name" "$PHASEOUT" --db "$DB" import devices "$@"
}

json_ms=() json_kb=() json_cpu=() csv_ms=() csv_kb=() csv_cpu=()
echo "bench/importers: 1. $DEVICES devices, Graph JSON against CSV, $REPS repetitions"
for ((rep = 1; rep <= REPS; rep++)); do
  if ((rep % 2 == 1)); then
    read -r j_ms j_kb j_cpu < <(measure_import "intune-json-$rep" --from intune \
      "$DATA/intune.json") || die "import intune.json"
    read -r c_ms c_kb c_cpu < <(measure_import "csv-$rep" "$DATA/devices.csv") ||
      die "import devices.csv"
  else
    read -r c_ms c_kb c_cpu < <(measure_import "csv-$rep" "$DATA/devices.csv") ||
      die "import devices.csv"
    read -r j_ms j_kb j_cpu < <(measure_import "intune-json-$rep" --from intune \
      "$DATA/intune.json") || die "import intune.json"
  fi
  [[ -n ${j_ms:-} && -n ${c_ms:-} ]] || die "a measurement failed (see $LOGS)"
  json_ms+=("$j_ms") json_kb+=("$j_kb") json_cpu+=("$j_cpu")
  csv_ms+=("$c_ms") csv_kb+=("$c_kb") csv_cpu+=("$c_cpu")
  echo "  rep $rep: intune JSON $(seconds "$j_ms") s $(mib "$j_kb") MiB," \
    "CSV $(seconds "$c_ms") s $(mib "$c_kb") MiB"
done
grep -q "imported $DEVICES devices from .* (intune): $DEVICES added" "$LOGS/intune-json-1.out" ||
  die "the Intune import did not add $DEVICES devices: $(head -c 300 "$LOGS/intune-json-1.out")"
grep -q "imported $DEVICES devices" "$LOGS/csv-1.out" ||
  die "the CSV import did not report $DEVICES devices: $(head -c 300 "$LOGS/csv-1.out")"

first_ms=() first_kb=() first_cpu=() merge_ms=() merge_kb=() merge_cpu=()
echo "bench/importers: 2. merge of two sources of $((DEVICES / 2)) devices, $REPS repetitions"
for ((rep = 1; rep <= REPS; rep++)); do
  read -r f_ms f_kb f_cpu < <(measure_import "merge-intune-$rep" --from intune \
    "$DATA/merge-intune.json") || die "import merge-intune.json"
  read -r m_ms m_kb m_cpu < <(measure "merge-snipeit-$rep" "$PHASEOUT" --db "$DB" import devices \
    --from snipeit "$DATA/merge-snipeit.json") || die "import merge-snipeit.json"
  [[ -n ${f_ms:-} && -n ${m_ms:-} ]] || die "a measurement failed (see $LOGS)"
  first_ms+=("$f_ms") first_kb+=("$f_kb") first_cpu+=("$f_cpu")
  merge_ms+=("$m_ms") merge_kb+=("$m_kb") merge_cpu+=("$m_cpu")
  echo "  rep $rep: intune (first source) $(seconds "$f_ms") s, snipeit (merge)" \
    "$(seconds "$m_ms") s $(mib "$m_kb") MiB"
done
merge_line=$(head -n 1 "$LOGS/merge-snipeit-1.out")
total_devices=$(sqlite3 "$DB" "SELECT count(DISTINCT device_id) FROM device_versions" 2>/dev/null ||
  echo "?")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
j_med=$(median "${json_ms[@]}") c_med=$(median "${csv_ms[@]}")
j_cpu=$(median "${json_cpu[@]}") c_cpu=$(median "${csv_cpu[@]}")
f_med=$(median "${first_ms[@]}") m_med=$(median "${merge_ms[@]}")
f_cpu=$(median "${first_cpu[@]}") m_cpu=$(median "${merge_cpu[@]}")
load_after=$(cut -d' ' -f1 /proc/loadavg)
cpu_model=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
[[ -n $(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null) ]] &&
  commit="$commit (with local changes)"
build_type=$(awk -F= '/^CMAKE_BUILD_TYPE:/ {print $2}' "$PH_BUILD/CMakeCache.txt" 2>/dev/null)

cat >"$OUT/results.md" <<EOF
### Vendor importers ($(date -u +%Y-%m-%d))

Command: \`bench/inventory/importers.sh\`, PEOPLE=$PEOPLE DEVICES=$DEVICES SEED=$SEED REPS=$REPS.
phaseout $commit, ${build_type:-unknown} build ($PH_BUILD); $cpu_model, $(nproc) cores,
$(uname -sr); load average $load_before before, $load_after after (the machine was shared with
parallel builds: wall times are noisy, CPU times less so). Inputs: intune.json
$(size_mib "$DATA/intune.json") MiB, devices.csv $(size_mib "$DATA/devices.csv") MiB,
merge-intune.json $(size_mib "$DATA/merge-intune.json") MiB, merge-snipeit.json
$(size_mib "$DATA/merge-snipeit.json") MiB. Every import starts from a copy of one database
holding the $PEOPLE people. Medians of $REPS runs; CPU = user + system; peak = largest maximum
resident set size (/usr/bin/time -v).

| $DEVICES devices | wall (s) | CPU (s) | peak RSS (MiB) | vs peer (wall / CPU / RSS) |
|---|---:|---:|---:|---:|
| import devices --from intune intune.json | $(seconds "$j_med") | $(seconds "$j_cpu") | $(mib "$(max "${json_kb[@]}")") | **$(ratio "$j_med" "$c_med")x** / $(ratio "$j_cpu" "$c_cpu")x / $(ratio "$(max "${json_kb[@]}")" "$(max "${csv_kb[@]}")")x |
| **peer:** import devices devices.csv | $(seconds "$c_med") | $(seconds "$c_cpu") | $(mib "$(max "${csv_kb[@]}")") | |

| Merge, two sources of $((DEVICES / 2)) overlapping by half | wall (s) | CPU (s) | peak RSS (MiB) | vs peer (wall / CPU) |
|---|---:|---:|---:|---:|
| import devices --from snipeit merge-snipeit.json (merging) | $(seconds "$m_med") | $(seconds "$m_cpu") | $(mib "$(max "${merge_kb[@]}")") | **$(ratio "$m_med" "$f_med")x** / $(ratio "$m_cpu" "$f_cpu")x |
| **peer:** import devices --from intune merge-intune.json (first source, nothing to match) | $(seconds "$f_med") | $(seconds "$f_cpu") | $(mib "$(max "${first_kb[@]}")") | |

The merge said: \`$merge_line\`; the inventory then held $total_devices devices.
EOF
echo
cat "$OUT/results.md"
echo
echo "bench/importers: results in $OUT/results.md (logs in $LOGS)"
