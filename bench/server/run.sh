#!/usr/bin/env bash
# HTTP library comparison for `phaseout serve`: the same JSON answer (hello_body.h) served by
#   beast     Boost.Beast 1.81 through phaseout's own transport (server::HttpServer: limits,
#             timeouts and the per-request log line included), THREADS I/O threads;
#   beast-plain  Boost.Beast alone: the smallest async keep-alive server (the library's cost);
#   restinio  RESTinio 0.6.16 on Boost.Asio, a pool of THREADS threads;
#   httplib   cpp-httplib 0.11.4, a thread per connection: HTTPLIB_THREADS pool threads;
# each measured with wrk in two scenarios:
#   busy      wrk -t2 -c32 -d${DURATION}s --latency
#   idle      the same while IDLE more keep-alive connections each ask every 3 s
#             (hold_connections.py: dashboards polling, event-stream clients).
# Reported per server and scenario: requests/s, p50 and p99 latency, errors/timeouts, and the
# server's peak resident set size (VmHWM).
#
# Environment (all optional): DURATION (10), THREADS (2), HTTPLIB_THREADS (64), IDLE (1000),
# PH_BUILD (build/release), PH_BENCH_OUT (build/bench). Writes
# $PH_BENCH_OUT/server/results.md and logs/.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BENCH_NAME=server
source "$ROOT/bench/common.sh"
bench_paths
DURATION=${DURATION:-10}
THREADS=${THREADS:-2}
HTTPLIB_THREADS=${HTTPLIB_THREADS:-64}
IDLE=${IDLE:-1000}

command -v wrk >/dev/null || die "wrk not found (Debian package 'wrk')"
mkdir -p "$LOGS"
rm -f "$LOGS"/*
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_listening() {
  local port=$1
  for _ in $(seq 100); do
    if python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null; then
      return 0
    fi
    sleep 0.05
  done
  return 1
}

# run_one NAME SCENARIO BINARY THREADS: prints one markdown table row.
run_one() {
  local name=$1 scenario=$2 binary=$3 threads=$4 port pid holder="" wrk_out idle_note=""
  [[ -x $binary ]] || die "$binary not found; build with PH_BUILD_BENCH=ON (make build)"
  port=$(free_port)
  "$binary" "$port" "$threads" 2>/dev/null &
  pid=$!
  wait_listening "$port" || die "$name did not start listening on $port"
  if [[ $scenario == idle ]]; then
    python3 "$ROOT/bench/server/hold_connections.py" "$port" "$IDLE" 3 >"$LOGS/$name-holder.out" 2>&1 &
    holder=$!
    for _ in $(seq 300); do
      grep -q ready "$LOGS/$name-holder.out" && break
      sleep 0.1
    done
    grep -q ready "$LOGS/$name-holder.out" ||
      idle_note="not all $IDLE keep-alive clients answered within 30 s; "
  fi
  wrk_out=$LOGS/$name-$scenario.wrk
  wrk -t2 -c32 -d"${DURATION}s" --latency --timeout 5s "http://127.0.0.1:$port/" >"$wrk_out" 2>&1 || true
  local rss
  rss=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
  [[ -n $holder ]] && kill "$holder" 2>/dev/null && wait "$holder" 2>/dev/null || true
  kill "$pid" && wait "$pid" 2>/dev/null || true
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' "$wrk_out")
  p50=$(awk '$1 == "50%" {print $2}' "$wrk_out")
  p99=$(awk '$1 == "99%" {print $2}' "$wrk_out")
  errors=$idle_note$(awk '/Socket errors|Non-2xx/ {sub(/^ +/, ""); printf "%s; ", $0}' "$wrk_out")
  [[ ${rps:-0} == 0.00 ]] && errors+="no request answered in ${DURATION} s"
  errors=${errors%; }
  printf '| %s | %s | %s | %s | %s | %s | %s MiB | %s |\n' "$name" "$scenario" "$threads" \
    "${rps:-0}" "${p50:--}" "${p99:--}" "$(mib "${rss:-0}")" "${errors:-none}"
}

{
  echo "# HTTP library comparison ($(date -u +%Y-%m-%dT%H:%MZ), load before: $(cut -d' ' -f1 /proc/loadavg), $(nproc) cores)"
  echo
  echo "wrk -t2 -c32 -d${DURATION}s --latency; idle = plus $IDLE keep-alive connections asking every 3 s"
  echo
  echo "| server | scenario | threads | req/s | p50 | p99 | peak RSS | errors |"
  echo "|---|---|---:|---:|---:|---:|---:|---|"
  for scenario in busy idle; do
    run_one beast "$scenario" "$PH_BUILD/bench/bench_server_beast" "$THREADS"
    run_one beast-plain "$scenario" "$PH_BUILD/bench/bench_server_beast_plain" "$THREADS"
    run_one restinio "$scenario" "$PH_BUILD/bench/bench_server_restinio" "$THREADS"
    run_one httplib "$scenario" "$PH_BUILD/bench/bench_server_httplib" "$HTTPLIB_THREADS"
  done
} | tee "$OUT/results.md"
