#!/usr/bin/env bash
# Sensors' benchmark: sightings ingested per second end to end (sensor -> NATS JetStream ->
# phaseout ingest -> PostgreSQL), against the ceiling: a bare libnats program publishing the same
# messages to JetStream with acknowledgements (bench_bus_publisher), on the same machine and
# nats-server in the same run.
#
#   1. Not timed: SENSORS sensors each queue BATCHES batches on disk (`phaseout detect CAPTURE
#      --publish` while the server is unreachable: the real message, the real queue).
#   2. Timed, end to end: nats-server (fresh store) and a fresh PostgreSQL database; INGESTS
#      `phaseout ingest` processes sharing one durable; each sensor runs `phaseout detect
#      CAPTURE --publish` once, which sends its whole queue in order (and one batch more); the
#      clock stops when the database holds every sighting.
#   3. Timed, the ceiling: bench_bus_publisher publishes the same number of messages of the same
#      content (the detect JSON of CAPTURE in the same envelope) to JetStream, one by one with
#      acks, SENSORS publishers in parallel.
#
# Environment (all optional): CAPTURE (the corpus's ndpi/sites.pcapng), SENSORS (3), BATCHES
# (100), INGESTS (2), PH_BUILD, PH_BENCH_OUT (see bench/common.sh).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BENCH_NAME=bus
source "$ROOT/bench/common.sh"
bench_paths
SHARED=${PH_SHARED_DIR:-$ROOT/../shared}
CAPTURE=${CAPTURE:-$SHARED/corpus/pcap/ndpi/sites.pcapng}
SENSORS=${SENSORS:-3}
BATCHES=${BATCHES:-100}
INGESTS=${INGESTS:-2}
PUBLISHER=$PH_BUILD/bench/bench_bus_publisher
STATE=$OUT/cluster.json

require_built "$PHASEOUT" "$PUBLISHER"
command -v nats-server >/dev/null || die "nats-server is not installed"
[[ -f $CAPTURE ]] || die "no capture at $CAPTURE"
rm -rf "$OUT"
mkdir -p "$LOGS"
load_before=$(cut -d' ' -f1 /proc/loadavg)

python3 "$ROOT/tests/postgres/pg_cluster.py" start "$STATE" >/dev/null || die "cluster start"
NATS_PID=
cleanup() {
  [[ -n $NATS_PID ]] && kill "$NATS_PID" 2>/dev/null && wait "$NATS_PID" 2>/dev/null
  python3 "$ROOT/tests/postgres/pg_cluster.py" stop "$STATE" >/dev/null
}
trap cleanup EXIT
if grep -q unavailable "$STATE"; then die "no cluster: $(cat "$STATE")"; fi
read -r BIN PORT < <(python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(s["bin"], s["port"])' "$STATE")
DB=postgresql://phaseout@127.0.0.1:$PORT/bus_bench
"$BIN/psql" -X -q -d "postgresql://phaseout@127.0.0.1:$PORT/postgres" -c "CREATE DATABASE bus_bench"
"$PHASEOUT" --db "$DB" init >/dev/null
count() { "$BIN/psql" -X -At -d "$DB" -c "SELECT count(*) FROM sightings"; }

NATS_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
now_ms() { date +%s%3N; }

# 1. Queue BATCHES batches per sensor (the server is not running yet).
DEVICES=$("$PHASEOUT" detect "$CAPTURE" --format json | tee "$OUT/detect.json" |
  python3 -c 'import json,sys; print(len(json.load(sys.stdin)["devices"]))')
echo "bench/bus: $SENSORS sensors x $BATCHES batches of $DEVICES devices ($(basename "$CAPTURE"))"
for s in $(seq 1 "$SENSORS"); do
  (for _ in $(seq 1 "$BATCHES"); do
    "$PHASEOUT" detect "$CAPTURE" --publish "nats://127.0.0.1:$NATS_PORT" --site "s$s" \
      --queue-dir "$OUT/queue-$s" >/dev/null 2>>"$LOGS/queue-$s.err"
  done) &
done
wait
TOTAL_MSGS=$((SENSORS * (BATCHES + 1)))
TOTAL=$((TOTAL_MSGS * DEVICES))

# 2. End to end.
nats-server -js -sd "$OUT/jetstream" -a 127.0.0.1 -p "$NATS_PORT" >"$LOGS/nats.log" 2>&1 &
NATS_PID=$!
sleep 0.5
t0=$(now_ms)
ingest_pids=()
for i in $(seq 1 "$INGESTS"); do
  "$PHASEOUT" --db "$DB" ingest --from "nats://127.0.0.1:$NATS_PORT" --durable bench \
    --idle-exit 3600 >"$LOGS/ingest-$i.out" 2>"$LOGS/ingest-$i.err" &
  ingest_pids+=($!)
done
sensor_pids=()
for s in $(seq 1 "$SENSORS"); do
  "$PHASEOUT" detect "$CAPTURE" --publish "nats://127.0.0.1:$NATS_PORT" --site "s$s" \
    --queue-dir "$OUT/queue-$s" >/dev/null 2>"$LOGS/send-$s.err" &
  sensor_pids+=($!)
done
while [[ $(count) -lt $TOTAL ]]; do sleep 0.05; done
t1=$(now_ms)
wait "${sensor_pids[@]}"
kill -TERM "${ingest_pids[@]}"
wait "${ingest_pids[@]}" || true
[[ $(count) -eq $TOTAL ]] || die "stored $(count) sightings, expected $TOTAL"
"$PHASEOUT" --db "$DB" audit verify >"$LOGS/verify.out" || die "audit verify failed"
E2E_MS=$((t1 - t0))

# 3. The ceiling: the same messages, bare libnats, SENSORS publishers in parallel.
t2=$(now_ms)
publisher_pids=()
for s in $(seq 1 "$SENSORS"); do
  "$PUBLISHER" "nats://127.0.0.1:$NATS_PORT" BENCH "s$s" $((BATCHES + 1)) "$OUT/detect.json" \
    >"$LOGS/publisher-$s.out" &
  publisher_pids+=($!)
done
wait "${publisher_pids[@]}" || die "a publisher failed"
t3=$(now_ms)
CEIL_MS=$((t3 - t2))
load_after=$(cut -d' ' -f1 /proc/loadavg)

python3 - "$TOTAL_MSGS" "$TOTAL" "$E2E_MS" "$CEIL_MS" "$load_before" "$load_after" <<'PY'
import sys
msgs, sightings, e2e_ms, ceil_ms, lb, la = sys.argv[1:]
msgs, sightings, e2e_ms, ceil_ms = int(msgs), int(sightings), int(e2e_ms), int(ceil_ms)
e2e = sightings / (e2e_ms / 1000)
ceil = sightings / (ceil_ms / 1000)
print(f"end to end (detect --publish -> JetStream -> ingest x2 -> PostgreSQL): {msgs} messages, "
      f"{sightings} sightings in {e2e_ms / 1000:.2f} s = {e2e:.0f} sightings/s "
      f"({msgs / (e2e_ms / 1000):.0f} messages/s)")
print(f"ceiling (bare libnats publish with acks, same messages): {ceil_ms / 1000:.2f} s = "
      f"{ceil:.0f} sightings/s ({msgs / (ceil_ms / 1000):.0f} messages/s)")
print(f"ratio end to end / ceiling: {e2e / ceil:.2f}; load average {lb} before, {la} after")
PY
