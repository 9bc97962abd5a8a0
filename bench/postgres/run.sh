#!/usr/bin/env bash
# PostgreSQL benchmark. On a throw-away cluster (tests/postgres/pg_cluster.py: initdb + pg_ctl on
# a free loopback port; fsync=off, synchronous_commit=off for both sides alike) and the same
# generated CSV files:
#   1. `phaseout init` + `phaseout import people` + `phaseout import devices` into an empty
#      database (COPY underneath), against the peer: psql's `\copy` of the same two files into
#      plain TEXT tables (the raw engine), and into tables keyed by their id (TEXT PRIMARY KEY).
#   2. `phaseout directive add`, then `phaseout status --directive pa-iphone-2023 --at
#      2023-03-20 --format json` over the whole set: wall time and peak memory.
#   3. `phaseout audit verify`, and `phaseout migrate` to a new SQLite file, where the same
#      status runs again (the same-run peer for status; its output must be identical).
# Each import measurement runs REPS times (alternating which side goes first); medians and the
# largest peak RSS (/usr/bin/time -v) are reported.
#
# Environment (all optional):
#   PEOPLE, DEVICES, SEED   size of the generated organisation (500000, 1000000, 1); the issue's
#                           size is PEOPLE=5000000 DEVICES=10000000
#   REPS                    repetitions (1)
#   STATUS_ONLY=1           only the status measurement: init + import (no import peers), then
#                           status, and STATUS_PEER's status beside it on the same rows (results
#                           in $PH_BENCH_OUT/postgres/results-status.md)
#   STATUS_PEER             another phaseout binary (e.g. a build of the previous release) whose
#                           status runs on the same database in the same run: its wall time and
#                           peak memory beside this one's, and its JSON must be identical
#   PG_SHARED_BUFFERS       the cluster's shared_buffers (4GB: room for the 10M rows, as a
#                           server holding them would have; PostgreSQL's default is 128MB)
#   PH_BUILD, PH_BENCH_OUT  as for bench/inventory/run.sh; this writes $PH_BENCH_OUT/postgres/
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BENCH_NAME=postgres
source "$ROOT/bench/common.sh"
bench_paths
organisation_size
REPS=${REPS:-1}
AS_OF=2023-03-20
CSV=$OUT/csv
STATE=$OUT/cluster.json

require_built "$PHASEOUT" "$GENERATOR"
mkdir -p "$CSV" "$LOGS"
rm -f "$LOGS"/*
load_before=$(cut -d' ' -f1 /proc/loadavg)

PH_PG_SHARED_BUFFERS=${PG_SHARED_BUFFERS:-4GB} python3 "$ROOT/tests/postgres/pg_cluster.py" start \
  "$STATE" >/dev/null || die "cluster start"
trap 'python3 "$ROOT/tests/postgres/pg_cluster.py" stop "$STATE" >/dev/null' EXIT
if grep -q unavailable "$STATE"; then die "no cluster: $(cat "$STATE")"; fi
read -r BIN PORT < <(python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(s["bin"], s["port"])' "$STATE")
BASE=postgresql://phaseout@127.0.0.1:$PORT
psql_on() { "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$BASE/$1" "${@:2}"; }
fresh_db() { psql_on postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1"; }

if [[ ! -s $CSV/devices.csv || $(cat "$CSV/size" 2>/dev/null) != "$PEOPLE $DEVICES $SEED" ]]; then
  echo "bench/postgres: generating $PEOPLE people and $DEVICES devices (seed $SEED)"
  measure generate "$GENERATOR" --people "$PEOPLE" --devices "$DEVICES" --seed "$SEED" \
    --out "$CSV" >/dev/null || die "generate"
  echo "$PEOPLE $DEVICES $SEED" >"$CSV/size"
fi
columns() { head -n 1 "$1" | tr -d '\r' | sed 's/,/ TEXT, /g; s/$/ TEXT/'; }
keyed() { columns "$1" | sed 's/ TEXT/ TEXT PRIMARY KEY/'; }
# peer_sql TABLE_COLUMNS: the peer's script, its tables' columns given by TABLE_COLUMNS FILE.
peer_sql() {
  cat <<SQL
CREATE TABLE people ($("$1" "$CSV/people.csv"));
CREATE TABLE devices ($("$1" "$CSV/devices.csv"));
\\copy people FROM '$CSV/people.csv' WITH (FORMAT csv, HEADER true)
\\copy devices FROM '$CSV/devices.csv' WITH (FORMAT csv, HEADER true)
SQL
}
peer_sql columns >"$OUT/peer.sql"
peer_sql keyed >"$OUT/peer-keyed.sql"

if [[ ${STATUS_ONLY:-} == 1 ]]; then
  # With STATUS_PEER (e.g. the previous release, which may not read a newer schema) the database
  # is written by the peer: its status runs first, then `phaseout init` upgrades the schema
  # (migrations only add indexes) and this phaseout's status runs on the same rows.
  writer=${STATUS_PEER:-$PHASEOUT}
  fresh_db bench_phaseout
  db=$BASE/bench_phaseout
  read -r i_ms i_kb _ < <(measure init "$writer" --db "$db" init) || die "init"
  read -r a_ms a_kb _ < <(measure people "$writer" --db "$db" import people \
    "$CSV/people.csv") || die "import people"
  read -r b_ms b_kb _ < <(measure devices "$writer" --db "$db" import devices \
    "$CSV/devices.csv") || die "import devices"
  measure directive-add "$writer" --db "$db" directive add \
    "$ROOT/examples/directives/pa-iphone-2023.yaml" >/dev/null || die "directive add"
  # What a DBA does after a bulk load, and autovacuum would do in the middle of the runs
  # otherwise: visibility and statistics settled before any status is timed (either side's).
  read -r v_ms _ < <(measure vacuum "$BIN/psql" -X -q -d "$db" -c "VACUUM (ANALYZE)") ||
    die "vacuum"
  status_args=(status --directive pa-iphone-2023 --at "$AS_OF" --format json)
  rows=""
  if [[ -n ${STATUS_PEER:-} ]]; then
    for rep in $(seq 1 "$REPS"); do
      read -r r_ms r_kb r_cpu < <(measure "status-peer-$rep" "$STATUS_PEER" --db "$db" \
        "${status_args[@]}") || die "status (peer)"
      rows+="| **peer:** STATUS_PEER's status (run $rep) | $(seconds "$r_ms") | $(seconds "$r_cpu") | $(mib "$r_kb") |"$'\n'
    done
    measure upgrade "$PHASEOUT" --db "$db" init >/dev/null || die "init (upgrade)"
  fi
  for rep in $(seq 1 "$REPS"); do
    read -r t_ms t_kb t_cpu < <(measure "status-$rep" "$PHASEOUT" --db "$db" "${status_args[@]}") ||
      die "status"
    rows+="| phaseout status (run $rep) | $(seconds "$t_ms") | $(seconds "$t_cpu") | $(mib "$t_kb") |"$'\n'
    if [[ -n ${STATUS_PEER:-} ]]; then
      cmp -s "$LOGS/status-$rep.out" "$LOGS/status-peer-1.out" ||
        die "status differs from STATUS_PEER's"
    fi
  done
  cat >"$OUT/results-status.md" <<MD
### PostgreSQL: status over $PEOPLE people / $DEVICES devices ($(date -u +%Y-%m-%d))

Command: \`STATUS_ONLY=1 STATUS_PEER=${STATUS_PEER:-} PEOPLE=$PEOPLE DEVICES=$DEVICES REPS=$REPS
bench/postgres/run.sh\`; PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') (throw-away
cluster, fsync=off, shared_buffers ${PG_SHARED_BUFFERS:-4GB}), $(nproc) cores, load average $load_before before, $(cut -d' ' -f1 /proc/loadavg) after.
Import by ${writer}: init $(seconds "$i_ms") s, people $(seconds "$a_ms") s, devices
$(seconds "$b_ms") s; then \`VACUUM (ANALYZE)\` $(seconds "$v_ms") s. The outputs are identical.

| phaseout status --at $AS_OF --format json | wall (s) | CPU (s) | peak RSS (MiB) |
|---|---:|---:|---:|
$rows
MD
  echo
  cat "$OUT/results-status.md"
  exit 0
fi

run_phaseout() {
  local rep=$1 a b c
  fresh_db bench_phaseout
  a=$(measure "phaseout-init-$rep" "$PHASEOUT" --db "$BASE/bench_phaseout" init) || return 1
  b=$(measure "phaseout-people-$rep" "$PHASEOUT" --db "$BASE/bench_phaseout" import people \
    "$CSV/people.csv") || return 1
  c=$(measure "phaseout-devices-$rep" "$PHASEOUT" --db "$BASE/bench_phaseout" import devices \
    "$CSV/devices.csv") || return 1
  echo "$a $b $c" | awk '{p = $2; if ($5 > p) p = $5; if ($8 > p) p = $8;
    print $1 + $4 + $7, p, $3 + $6 + $9, $4, $7}'
}
run_peer() {
  local rep=$1 db=$2 script=$3
  fresh_db "$db"
  measure "$db-$rep" "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$BASE/$db" -f "$script"
}

p_all=() s_all=() k_all=()
for ((rep = 1; rep <= REPS; rep++)); do
  if ((rep % 2 == 1)); then
    read -r p_ms p_kb p_cpu p_people p_devices < <(run_phaseout "$rep") || die "phaseout import"
    read -r s_ms s_kb s_cpu < <(run_peer "$rep" bench_peer "$OUT/peer.sql") || die "psql \\copy"
  else
    read -r s_ms s_kb s_cpu < <(run_peer "$rep" bench_peer "$OUT/peer.sql") || die "psql \\copy"
    read -r p_ms p_kb p_cpu p_people p_devices < <(run_phaseout "$rep") || die "phaseout import"
  fi
  read -r k_ms k_kb k_cpu < <(run_peer "$rep" bench_peer_keyed "$OUT/peer-keyed.sql") ||
    die "psql \\copy (keyed)"
  p_all+=("$p_ms") s_all+=("$s_ms") k_all+=("$k_ms")
  echo "  rep $rep: phaseout $(seconds "$p_ms") s (people $(seconds "$p_people") s, devices" \
    "$(seconds "$p_devices") s, peak $(mib "$p_kb") MiB); psql \\copy $(seconds "$s_ms") s;" \
    "keyed $(seconds "$k_ms") s"
done
for table in people devices; do
  want=$PEOPLE
  [[ $table == devices ]] && want=$DEVICES
  grep -q "imported $want $table" "$LOGS/phaseout-$table-$REPS.out" ||
    die "phaseout import $table did not report $want records"
  got=$(psql_on bench_peer -At -c "SELECT count(*) FROM $table")
  [[ $got == "$want" ]] || die "peer: $table holds $got rows, expected $want"
done

measure directive-add "$PHASEOUT" --db "$BASE/bench_phaseout" directive add \
  "$ROOT/examples/directives/pa-iphone-2023.yaml" >/dev/null || die "directive add"
read -r t_ms t_kb t_cpu < <(measure status "$PHASEOUT" --db "$BASE/bench_phaseout" status \
  --directive pa-iphone-2023 --at "$AS_OF" --format json) || die "status"
peer_row=""
if [[ -n ${STATUS_PEER:-} ]]; then
  read -r r_ms r_kb r_cpu < <(measure status-peer "$STATUS_PEER" --db "$BASE/bench_phaseout" \
    status --directive pa-iphone-2023 --at "$AS_OF" --format json) || die "status (peer)"
  cmp -s "$LOGS/status.out" "$LOGS/status-peer.out" || die "status differs from STATUS_PEER's"
  peer_row="| **peer:** the same status by STATUS_PEER ($STATUS_PEER) | $(seconds "$r_ms") | $(seconds "$r_cpu") | $(mib "$r_kb") |"
fi
totals=$(python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["totals"]))' \
  "$LOGS/status.out")
read -r v_ms v_kb v_cpu < <(measure verify "$PHASEOUT" --db "$BASE/bench_phaseout" audit verify) ||
  die "audit verify"
# The same data on SQLite, in the same run: phaseout migrate copies it over, then the same status.
remove_db "$OUT/copy.db"
read -r m_ms m_kb m_cpu < <(measure migrate "$PHASEOUT" migrate --from "$BASE/bench_phaseout" \
  --to "sqlite://$OUT/copy.db") || die "migrate"
read -r q_ms q_kb q_cpu < <(measure status-sqlite "$PHASEOUT" --db "$OUT/copy.db" status \
  --directive pa-iphone-2023 --at "$AS_OF" --format json) || die "status on SQLite"
cmp -s "$LOGS/status.out" "$LOGS/status-sqlite.out" || die "status differs between the engines"

p_med=$(median "${p_all[@]}")
s_med=$(median "${s_all[@]}")
k_med=$(median "${k_all[@]}")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
cat >"$OUT/results.md" <<MD
### PostgreSQL: import and status ($(date -u +%Y-%m-%d))

Command: \`PEOPLE=$PEOPLE DEVICES=$DEVICES REPS=$REPS bench/postgres/run.sh\`; PostgreSQL
$("$BIN/postgres" --version | awk '{print $3}') (throw-away cluster, fsync=off), $(nproc) cores,
load average $load_before before, $(cut -d' ' -f1 /proc/loadavg) after. Medians of $REPS run(s).

| Import of the same CSV files | wall (s) | phaseout vs this |
|---|---:|---:|
| phaseout init + import people + import devices | $(seconds "$p_med") | |
| **peer:** psql \\copy into plain TEXT tables | $(seconds "$s_med") | **$(ratio "$p_med" "$s_med")x** |
| psql \\copy into tables keyed by TEXT PRIMARY KEY | $(seconds "$k_med") | $(ratio "$p_med" "$k_med")x |

| Over the whole set | wall (s) | CPU (s) | peak RSS (MiB) |
|---|---:|---:|---:|
| phaseout status --at $AS_OF --format json | $(seconds "$t_ms") | $(seconds "$t_cpu") | $(mib "$t_kb") |
$peer_row
| phaseout audit verify | $(seconds "$v_ms") | $(seconds "$v_cpu") | $(mib "$v_kb") |
| phaseout migrate to a new SQLite file | $(seconds "$m_ms") | $(seconds "$m_cpu") | $(mib "$m_kb") |
| **same-run peer:** phaseout status on that SQLite copy | $(seconds "$q_ms") | $(seconds "$q_cpu") | $(mib "$q_kb") |

Status on PostgreSQL vs on SQLite (wall): **$(ratio "$t_ms" "$q_ms")x**; both print the same JSON.

Totals: \`$totals\`
MD
echo
cat "$OUT/results.md"
