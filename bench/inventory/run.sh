#!/usr/bin/env bash
# Inventory benchmark. In one run, on the same generated CSV files (500,000 people and 1,000,000
# devices by default):
#   1. `phaseout init` + `phaseout import people` + `phaseout import devices`, against the peer:
#      the sqlite3 shell's `.import` of the same two files into plain tables (the raw engine).
#      Both databases use journal_mode=WAL and synchronous=NORMAL (what phaseout's SQLite store
#      sets). For context a second peer imports into tables keyed like phaseout's
#      (TEXT PRIMARY KEY on the id).
#   2. `phaseout directive add examples/directives/pa-iphone-2023.yaml`, then
#      `phaseout status --directive pa-iphone-2023 --at 2023-03-20 --format json` over the set.
# Each measurement runs REPS times (alternating which side goes first); the median wall time and
# CPU time (user + system) are reported, and peak memory is the largest "Maximum resident set
# size" of /usr/bin/time -v.
# Targets (issue 2): import within 1.5x of sqlite3 .import; status under 1.5 s and 1 GiB.
#
# Environment (all optional):
#   PEOPLE, DEVICES, SEED   size and seed of the generated organisation (500000, 1000000, 1)
#   REPS                    repetitions of each measurement (3)
#   PH_BUILD                build directory holding src/cli/phaseout and
#                           bench/bench_generate_inventory (build/release, i.e. `make build`)
#   PH_BENCH_OUT            results root (build/bench); this benchmark writes to
#                           $PH_BENCH_OUT/inventory/: results.md, results.json, logs/, csv/
# Exit status: 0 when every step ran (targets met or not; the results say which), 1 otherwise.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BENCH_NAME=inventory
source "$ROOT/bench/common.sh"  # die, measure, median, max, seconds, mib, remove_db
bench_paths
organisation_size
REPS=${REPS:-3}
DIRECTIVE_FILE=$ROOT/examples/directives/pa-iphone-2023.yaml
DIRECTIVE_ID=pa-iphone-2023
AS_OF=2023-03-20

CSV=$OUT/csv
DB=$OUT/phaseout.db
PEER_DB=$OUT/peer.db
PEER_KEYED_DB=$OUT/peer-keyed.db


require_built "$PHASEOUT" "$GENERATOR"
[[ -x /usr/bin/time ]] || die "/usr/bin/time not found (Debian package 'time')"
command -v sqlite3 >/dev/null || die "sqlite3 not found (Debian package 'sqlite3')"
command -v python3 >/dev/null || die "python3 not found"
[[ -f $DIRECTIVE_FILE ]] || die "$DIRECTIVE_FILE not found"
[[ $REPS =~ ^[1-9][0-9]*$ ]] || die "REPS must be a positive integer"

mkdir -p "$CSV" "$LOGS"
# Wall times mean little on a busy machine: say how busy it was.
load_before=$(cut -d' ' -f1 /proc/loadavg)
if awk -v l="$load_before" -v n="$(nproc)" 'BEGIN {exit !(l > n / 2)}'; then
  echo "bench/inventory: warning: load average $load_before on $(nproc) cores; times will be noisy" >&2
fi
rm -f "$LOGS"/*


echo "bench/inventory: generating $PEOPLE people and $DEVICES devices (seed $SEED)"
read -r gen_ms _ < <(measure generate "$GENERATOR" --people "$PEOPLE" --devices "$DEVICES" \
  --seed "$SEED" --out "$CSV")
people_bytes=$(stat -c %s "$CSV/people.csv")
devices_bytes=$(stat -c %s "$CSV/devices.csv")
echo "  $(seconds "$gen_ms") s; people.csv $((people_bytes / 1048576)) MiB," \
  "devices.csv $((devices_bytes / 1048576)) MiB"

# The peers' scripts. The shell's .import runs inside one transaction; a table that does not exist
# is created from the header line with TEXT columns.
cat >"$OUT/peer.sql" <<EOF
PRAGMA journal_mode=WAL;
PRAGMA synchronous=NORMAL;
.mode csv
.import $CSV/people.csv people
.import $CSV/devices.csv devices
EOF
cat >"$OUT/peer-keyed.sql" <<EOF
PRAGMA journal_mode=WAL;
PRAGMA synchronous=NORMAL;
CREATE TABLE people (person_id TEXT PRIMARY KEY, name TEXT, email TEXT, unit TEXT, role TEXT,
  status TEXT);
CREATE TABLE devices (device_id TEXT PRIMARY KEY, holder TEXT, kind TEXT, vendor TEXT,
  model TEXT, platform TEXT, os_version TEXT, ownership TEXT, channel TEXT, serial TEXT,
  imei TEXT, mac TEXT, hostname TEXT, state TEXT);
.mode csv
.import --skip 1 $CSV/people.csv people
.import --skip 1 $CSV/devices.csv devices
EOF

run_phaseout_import() {
  local rep=$1 a b c
  remove_db "$DB"
  a=$(measure "phaseout-init-$rep" "$PHASEOUT" --db "$DB" init) || return 1
  b=$(measure "phaseout-people-$rep" "$PHASEOUT" --db "$DB" import people "$CSV/people.csv") ||
    return 1
  c=$(measure "phaseout-devices-$rep" "$PHASEOUT" --db "$DB" import devices "$CSV/devices.csv") ||
    return 1
  # "TOTAL_MS PEAK_KB CPU_MS PEOPLE_MS DEVICES_MS"
  echo "$a $b $c" | awk '{p = $2; if ($5 > p) p = $5; if ($8 > p) p = $8;
    print $1 + $4 + $7, p, $3 + $6 + $9, $4, $7}'
}

run_peer() {
  local rep=$1 db=$2 script=$3 tag=$4
  remove_db "$db"
  measure "$tag-$rep" sqlite3 -bail "$db" ".read $script"
}

phaseout_ms=() phaseout_kb=() phaseout_cpu=() people_ms=() devices_ms=() peer_ms=() peer_kb=()
peer_cpu=() keyed_ms=() keyed_kb=() keyed_cpu=()
echo "bench/inventory: import, $REPS repetitions"
for ((rep = 1; rep <= REPS; rep++)); do
  if ((rep % 2 == 1)); then
    read -r p_ms p_kb p_cpu p_people p_devices < <(run_phaseout_import "$rep") || die "phaseout import"
    read -r s_ms s_kb s_cpu < <(run_peer "$rep" "$PEER_DB" "$OUT/peer.sql" sqlite3-import) ||
      die "sqlite3 .import"
  else
    read -r s_ms s_kb s_cpu < <(run_peer "$rep" "$PEER_DB" "$OUT/peer.sql" sqlite3-import) ||
      die "sqlite3 .import"
    read -r p_ms p_kb p_cpu p_people p_devices < <(run_phaseout_import "$rep") || die "phaseout import"
  fi
  read -r k_ms k_kb k_cpu < <(run_peer "$rep" "$PEER_KEYED_DB" "$OUT/peer-keyed.sql" sqlite3-keyed) ||
    die "sqlite3 .import (keyed)"
  [[ -n ${p_ms:-} && -n ${s_ms:-} && -n ${k_ms:-} ]] || die "a measurement failed (see $LOGS)"
  phaseout_ms+=("$p_ms") phaseout_kb+=("$p_kb") phaseout_cpu+=("$p_cpu") people_ms+=("$p_people")
  devices_ms+=("$p_devices") peer_ms+=("$s_ms") peer_kb+=("$s_kb") peer_cpu+=("$s_cpu")
  keyed_ms+=("$k_ms") keyed_kb+=("$k_kb") keyed_cpu+=("$k_cpu")
  echo "  rep $rep: phaseout $(seconds "$p_ms") s, sqlite3 .import $(seconds "$s_ms") s," \
    "sqlite3 .import keyed $(seconds "$k_ms") s"
done

# The stores must hold what was imported: a fast import that lost rows is no result. phaseout
# says what it imported; the peers are counted.
count() { sqlite3 "$1" "SELECT count(*) FROM $2" 2>/dev/null || echo "?"; }
for table in people devices; do
  want=$PEOPLE
  [[ $table == devices ]] && want=$DEVICES
  grep -q "imported $want $table" "$LOGS/phaseout-$table-$REPS.out" ||
    die "phaseout import $table did not report $want records: $(head -c 300 "$LOGS/phaseout-$table-$REPS.out")"
  for db in "$PEER_DB" "$PEER_KEYED_DB"; do
    got=$(count "$db" "$table")
    [[ $got == "$want" ]] || die "$db: $table holds $got rows, expected $want"
  done
done

echo "bench/inventory: directive add + status, $REPS repetitions"
read -r add_ms _ < <(measure directive-add "$PHASEOUT" --db "$DB" directive add \
  "$DIRECTIVE_FILE") || die "directive add"
status_ms=() status_kb=() status_cpu=()
for ((rep = 1; rep <= REPS; rep++)); do
  read -r t_ms t_kb t_cpu < <(measure "status-$rep" "$PHASEOUT" --db "$DB" status \
    --directive "$DIRECTIVE_ID" --at "$AS_OF" --format json) || die "status"
  [[ -n ${t_ms:-} ]] || die "status failed (see $LOGS)"
  status_ms+=("$t_ms") status_kb+=("$t_kb") status_cpu+=("$t_cpu")
  echo "  rep $rep: status $(seconds "$t_ms") s, peak $(mib "$t_kb") MiB"
done
totals=$(python3 -c 'import json, sys; print(json.dumps(json.load(open(sys.argv[1]))["totals"]))' \
  "$LOGS/status-1.out") || die "status did not print the JSON object of the contract"

p_med=$(median "${phaseout_ms[@]}")
s_med=$(median "${peer_ms[@]}")
k_med=$(median "${keyed_ms[@]}")
t_med=$(median "${status_ms[@]}")
p_cpu_med=$(median "${phaseout_cpu[@]}")
s_cpu_med=$(median "${peer_cpu[@]}")
k_cpu_med=$(median "${keyed_cpu[@]}")
t_cpu_med=$(median "${status_cpu[@]}")
p_peak=$(max "${phaseout_kb[@]}")
s_peak=$(max "${peer_kb[@]}")
k_peak=$(max "${keyed_kb[@]}")
t_peak=$(max "${status_kb[@]}")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
ratio=$(ratio "$p_med" "$s_med")
ratio_cpu=$(ratio "$p_cpu_med" "$s_cpu_med")
ratio_keyed=$(ratio "$p_med" "$k_med")
ratio_keyed_cpu=$(ratio "$p_cpu_med" "$k_cpu_med")
import_ok=$(awk -v r="$ratio" 'BEGIN {print (r <= 1.5) ? "met" : "missed"}')
status_ok=$(awk -v ms="$t_med" -v kb="$t_peak" \
  'BEGIN {print (ms < 1500 && kb < 1048576) ? "met" : "missed"}')
json_list() { (IFS=,; echo "[$*]"); }
json_bool() { if [[ $1 == met ]]; then echo true; else echo false; fi; }

load_after=$(cut -d' ' -f1 /proc/loadavg)
cpu_model=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
mem_gib=$(awk '/^MemTotal/ {printf "%.0f", $2 / 1048576}' /proc/meminfo)
commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null | head -n 1)
[[ -n $dirty ]] && commit="$commit (with local changes)"
sqlite_version=$(sqlite3 --version | awk '{print $1}')
build_type=$(awk -F= '/^CMAKE_BUILD_TYPE:/ {print $2}' "$PH_BUILD/CMakeCache.txt" 2>/dev/null)
build_type=${build_type:-unknown}

cat >"$OUT/results.md" <<EOF
### Inventory import and status ($(date -u +%Y-%m-%d))

Command: \`make bench\` (or \`bench/inventory/run.sh\`), PEOPLE=$PEOPLE DEVICES=$DEVICES
SEED=$SEED REPS=$REPS. phaseout $commit, $build_type build ($PH_BUILD); sqlite3 shell
$sqlite_version; $cpu_model, $(nproc) cores, $mem_gib GiB RAM, $(uname -sr); load average
$load_before before, $load_after after. Input: people.csv $((people_bytes / 1048576)) MiB,
devices.csv $((devices_bytes / 1048576)) MiB (written by bench_generate_inventory in
$(seconds "$gen_ms") s). Medians of $REPS runs; CPU = user + system time; peak = largest maximum
resident set size (/usr/bin/time -v). Both stores use journal_mode=WAL, synchronous=NORMAL.

| Import of the same CSV files | wall (s) | CPU (s) | peak RSS (MiB) | phaseout vs this (wall / CPU) |
|---|---:|---:|---:|---:|
| phaseout init + import people + import devices | $(seconds "$p_med") | $(seconds "$p_cpu_med") | $(mib "$p_peak") | |
| &nbsp;&nbsp;of which import people / import devices (wall) | $(seconds "$(median "${people_ms[@]}")") / $(seconds "$(median "${devices_ms[@]}")") | | | |
| **peer:** sqlite3 .import into plain tables | $(seconds "$s_med") | $(seconds "$s_cpu_med") | $(mib "$s_peak") | **${ratio}x** / ${ratio_cpu}x |
| sqlite3 .import into tables keyed by TEXT PRIMARY KEY | $(seconds "$k_med") | $(seconds "$k_cpu_med") | $(mib "$k_peak") | ${ratio_keyed}x / ${ratio_keyed_cpu}x |

| Status over the full set | wall (s) | CPU (s) | peak RSS (MiB) |
|---|---:|---:|---:|
| phaseout status --directive $DIRECTIVE_ID --at $AS_OF --format json | $(seconds "$t_med") | $(seconds "$t_cpu_med") | $(mib "$t_peak") |

Totals: \`$totals\`

Targets: import within 1.5x of sqlite3 .import: **$import_ok** (${ratio}x);
status under 1.5 s wall and 1 GiB: **$status_ok** ($(seconds "$t_med") s, $(mib "$t_peak") MiB).
EOF

cat >"$OUT/results.json" <<EOF
{"people": $PEOPLE, "devices": $DEVICES, "seed": $SEED, "reps": $REPS, "commit": "$commit",
 "build_type": "$build_type", "generate_ms": $gen_ms, "load_before": $load_before,
 "load_after": $load_after,
 "import": {"phaseout_ms": $(json_list "${phaseout_ms[@]}"),
            "phaseout_cpu_ms": $(json_list "${phaseout_cpu[@]}"),
            "phaseout_people_ms": $(json_list "${people_ms[@]}"),
            "phaseout_devices_ms": $(json_list "${devices_ms[@]}"), "phaseout_peak_kb": $p_peak,
            "sqlite3_ms": $(json_list "${peer_ms[@]}"),
            "sqlite3_cpu_ms": $(json_list "${peer_cpu[@]}"), "sqlite3_peak_kb": $s_peak,
            "sqlite3_keyed_ms": $(json_list "${keyed_ms[@]}"),
            "sqlite3_keyed_cpu_ms": $(json_list "${keyed_cpu[@]}"), "sqlite3_keyed_peak_kb": $k_peak,
            "ratio": $ratio, "ratio_cpu": $ratio_cpu, "target_met": $(json_bool "$import_ok")},
 "directive_add_ms": $add_ms,
 "status": {"ms": $(json_list "${status_ms[@]}"), "cpu_ms": $(json_list "${status_cpu[@]}"),
            "peak_kb": $t_peak, "totals": $totals, "target_met": $(json_bool "$status_ok")}}
EOF
python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$OUT/results.json" ||
  die "results.json is not valid JSON"

echo
cat "$OUT/results.md"
echo
echo "bench/inventory: results in $OUT/results.md and $OUT/results.json (logs in $LOGS)"
