#!/usr/bin/env bash
# Campaign benchmark. In one run, on one generated database (about 100,000 devices and
# 1,000,000 campaign events between 2023-03-06 and 2023-04-30, built by
# bench_generate_campaign through the store the commands use):
#   1. `phaseout burndown --directive pa-iphone-2023 --from 2023-03-06 --to 2023-04-30
#      --format json` (target: under 1 s);
#   2. `phaseout audit verify` (target: under 2 s), beside the peer: the sqlite3 shell's
#      `.sha3sum` hashing every row of the same database;
#   3. `phaseout status --directive pa-iphone-2023 --at D --format json` for past dates D
#      (target: under 2 s each), beside the peer: the sqlite3 shell answering the nearest SQL
#      question (active iOS devices per unit of their holder as of D, from the same version
#      tables).
# Each measurement runs REPS times; medians of wall and CPU (user + system) time are reported,
# and the largest peak resident set size of /usr/bin/time -v.
#
# Environment (all optional):
#   DEVICES, EVENTS, SEED   size and seed of the campaign (100000, 1000000, 1)
#   REPS                    repetitions of each measurement (3)
#   PH_BUILD                build directory with src/cli/phaseout and bench/bench_generate_campaign
#                           (build/release, i.e. `make build`)
#   PH_BENCH_OUT            results root (build/bench); this benchmark writes to
#                           $PH_BENCH_OUT/campaign/: results.md, results.json, logs/
#   KEEP_DB=1               reuse $PH_BENCH_OUT/campaign/campaign.db when it exists
# Exit status: 0 when every step ran (targets met or not; the results say which), 1 otherwise.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BENCH_NAME=campaign
source "$ROOT/bench/common.sh"  # die, measure, median, max, seconds, mib, remove_db
bench_paths
DEVICES=${DEVICES:-100000}
EVENTS=${EVENTS:-1000000}
SEED=${SEED:-1}
REPS=${REPS:-3}
DIRECTIVE_FILE=$ROOT/examples/directives/pa-iphone-2023.yaml
DIRECTIVE_ID=pa-iphone-2023
FROM=2023-03-06
TO=2023-04-30
DATES=(2023-03-10 2023-03-20 2023-04-05 2023-04-30)

GENERATOR=$PH_BUILD/bench/bench_generate_campaign
DB=$OUT/campaign.db

require_built "$PHASEOUT" "$GENERATOR"
[[ -x /usr/bin/time ]] || die "/usr/bin/time not found (Debian package 'time')"
command -v sqlite3 >/dev/null || die "sqlite3 not found (Debian package 'sqlite3')"
[[ $REPS =~ ^[1-9][0-9]*$ ]] || die "REPS must be a positive integer"

mkdir -p "$LOGS"
rm -f "$LOGS"/*
load_before=$(cut -d' ' -f1 /proc/loadavg)
if awk -v l="$load_before" -v n="$(nproc)" 'BEGIN {exit !(l > n / 2)}'; then
  echo "bench/campaign: warning: load average $load_before on $(nproc) cores; times will be noisy" >&2
fi


if [[ ${KEEP_DB:-0} == 1 && -f $DB ]]; then
  echo "bench/campaign: reusing $DB"
  gen_note="reused from an earlier run"
else
  echo "bench/campaign: generating $DEVICES devices and $EVENTS events (seed $SEED)"
  read -r gen_ms _ < <(measure generate "$GENERATOR" --db "$DB" --directive "$DIRECTIVE_FILE" \
    --devices "$DEVICES" --events "$EVENTS" --seed "$SEED") || die "generator failed"
  gen_note="built in $(seconds "$gen_ms") s"
  cat "$LOGS/generate.out"
fi
events=$(sqlite3 "$DB" "SELECT count(*) FROM events")
device_rows=$(sqlite3 "$DB" "SELECT count(*) FROM device_versions")
devices=$(sqlite3 "$DB" "SELECT count(DISTINCT device_id) FROM device_versions")
db_mib=$(($(stat -c %s "$DB") / 1048576))
echo "  $events events, $devices devices in $device_rows versions, $db_mib MiB"

# runs NAME REPS times: "WALL_MEDIAN CPU_MEDIAN PEAK_MAX"
repeat() {
  local name=$1
  shift
  local walls=() cpus=() peaks=() w p c rep
  for ((rep = 1; rep <= REPS; rep++)); do
    read -r w p c < <(measure "$name-$rep" "$@") || return 1
    walls+=("$w") cpus+=("$c") peaks+=("$p")
  done
  echo "$(median "${walls[@]}") $(median "${cpus[@]}") $(max "${peaks[@]}")"
}

rows=()
add_row() {  # LABEL WALL CPU PEAK [TARGET_MS]
  local verdict=""
  if [[ -n ${5:-} ]]; then
    if (($2 < $5)); then verdict="met (< $(seconds "$5") s)"; else verdict="**missed** (< $(seconds "$5") s)"; fi
  fi
  rows+=("| $1 | $(seconds "$2") | $(seconds "$3") | $(mib "$4") | $verdict |")
  echo "  $1: $(seconds "$2") s wall, $(seconds "$3") s CPU, $(mib "$4") MiB $verdict"
}

echo "bench/campaign: $REPS repetitions of each measurement"
# Warm the page cache once so the first measurement is not the only one reading from disk.
cat "$DB" "$DB-wal" >/dev/null 2>&1 || true

read -r w c p < <(repeat burndown "$PHASEOUT" --db "$DB" burndown --directive "$DIRECTIVE_ID" \
  --from "$FROM" --to "$TO" --format json) || die "burndown"
add_row "phaseout burndown --from $FROM --to $TO --format json" "$w" "$c" "$p" 1000

read -r w c p < <(repeat audit "$PHASEOUT" --db "$DB" audit verify) || die "audit verify"
grep -q "intact" "$LOGS/audit-1.out" || die "audit verify did not report an intact trail: $(cat "$LOGS/audit-1.out")"
audit_ms=$w
add_row "phaseout audit verify" "$w" "$c" "$p" 2000
read -r w c p < <(repeat sha3 sqlite3 "$DB" ".sha3sum") || die "sqlite3 .sha3sum"
sha3_ms=$w
add_row "peer: sqlite3 .sha3sum (every row hashed)" "$w" "$c" "$p"

status_worst=0
for day in "${DATES[@]}"; do
  read -r w c p < <(repeat "status-$day" "$PHASEOUT" --db "$DB" status --directive "$DIRECTIVE_ID" \
    --at "$day" --format json) || die "status --at $day"
  ((w > status_worst)) && status_worst=$w
  add_row "phaseout status --at $day --format json" "$w" "$c" "$p" 2000
  day_n=$(sqlite3 "$DB" "SELECT CAST(julianday('$day') - julianday('1970-01-01') AS INTEGER)")
  read -r w c p < <(repeat "sql-$day" sqlite3 "$DB" "
    SELECT p.unit, count(*) FROM
      (SELECT device_id, holder, platform, state, max(valid_from * 1000000000 + seq)
         FROM device_versions WHERE valid_from <= $day_n GROUP BY device_id) d
      JOIN (SELECT person_id, unit, max(valid_from * 1000000000 + seq)
         FROM person_versions WHERE valid_from <= $day_n GROUP BY person_id) p
        ON p.person_id = d.holder
     WHERE d.state = 'active' AND d.platform = 'ios' GROUP BY p.unit;") || die "sqlite3 as-of query"
  add_row "peer: sqlite3 as-of query (active iOS devices per unit, $day)" "$w" "$c" "$p"
done
totals=$(python3 -c 'import json, sys; print(json.dumps(json.load(open(sys.argv[1]))["totals"]))' \
  "$LOGS/status-2023-03-20-1.out") || die "status did not print the JSON of the contract"

{
  echo "### Campaign benchmark ($(date -u +%Y-%m-%d))"
  echo
  echo "Command: \`bench/campaign/run.sh\`, DEVICES=$DEVICES EVENTS=$EVENTS SEED=$SEED REPS=$REPS."
  echo "phaseout $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'), build $PH_BUILD;"
  echo "$(sqlite3 --version | cut -d' ' -f1-1 | sed 's/^/sqlite3 shell /'); $(nproc) cores;"
  echo "load average $load_before before, $(cut -d' ' -f1 /proc/loadavg) after."
  echo "Database: $events events, $devices devices in $device_rows versions, $db_mib MiB ($gen_note)."
  echo
  echo "| Measurement (median of $REPS) | wall (s) | CPU (s) | peak RSS (MiB) | target |"
  echo "|---|---:|---:|---:|---|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "audit verify vs sqlite3 .sha3sum (wall): $(awk -v a="$audit_ms" -v b="$sha3_ms" 'BEGIN {printf "%.2fx", a / b}')"
  echo "status on 2023-03-20: \`$totals\`"
} >"$OUT/results.md"
cat "$OUT/results.md"
