#!/usr/bin/env bash
# Server benchmark: GET /api/v1/status of `phaseout serve` under wrk, 32 connections, on the
# bench/inventory organisation (500,000 people and 1,000,000 devices by default), beside the
# ceiling measured in the same run: nginx (Debian) serving the same JSON as a static file.
#   1. the first (uncached) answer of the server, timed against `phaseout status --format json`
#      itself on the same database;
#   2. wrk -c32 against the server (cached answers) and against nginx: requests/s, p50, p99;
#   3. the server's peak resident memory (VmHWM) over the run.
# Target (issue 10): p99 under 50 ms once cached; the first answer no slower than the CLI.
#
# Environment (all optional):
#   PEOPLE, DEVICES, SEED  size of the generated organisation (500000, 1000000, 1)
#   DURATION               seconds of each wrk run (20)
#   PH_BUILD               build directory (build/release)
#   PH_BENCH_OUT           results root (build/bench); writes $PH_BENCH_OUT/server/results.md
#   PH_DB                  an existing database to use instead of generating one
#   PH_OFFICER             the security officer whose read token the server is asked with
#                          (default: the first one in the generated people.csv)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BENCH_NAME=server
source "$ROOT/bench/common.sh"
bench_paths
organisation_size
DURATION=${DURATION:-20}
AS_OF=2023-03-20
CSV=$OUT/csv
DB=${PH_DB:-$OUT/phaseout.db}

for tool in wrk nginx curl; do
  command -v "$tool" >/dev/null || [[ -x /usr/sbin/$tool ]] || die "$tool not found"
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
require_built "$PHASEOUT"
mkdir -p "$LOGS" "$CSV"

organisation_db
officer=${PH_OFFICER:-$(awk -F, 'NR > 1 && /security-officer/ && /,active/ {print $1; exit}' \
  "$CSV/people.csv" 2>/dev/null || true)}
[[ -n $officer ]] || die "no security officer in $CSV/people.csv"
token=$("$PHASEOUT" --db "$DB" token create "$officer" --name "bench-$$" --scope read |
  tr ' ' '\n' | grep '^po_' | head -n 1)
[[ -n $token ]] || die "token create printed no token"

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(port)
NGINX_PORT=$(port)
URL="http://127.0.0.1:$PORT/api/v1/status?at=$AS_OF"

# 1. The CLI's own time, then the server's first answer (an empty cache).
read -r cli_ms cli_kb _ < <(MEASURE_STDOUT=discard measure cli-status "$PHASEOUT" --db "$DB" \
  status --at "$AS_OF" --format json)
"$PHASEOUT" --db "$DB" serve --listen "127.0.0.1:$PORT" 2>"$LOGS/serve.err" &
server=$!
trap 'kill $server 2>/dev/null || true; [[ -n ${nginx_pid:-} ]] && kill $nginx_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$PORT/api/v1/openapi.json" >/dev/null && break
  sleep 0.1
done
first_s=$(curl -fs -o "$OUT/status.json" -w '%{time_total}' -H "Authorization: Bearer $token" "$URL")
first_ms=$(awk -v s="$first_s" 'BEGIN {printf "%d", s * 1000}')

# 2. wrk against the server (cached), then nginx serving the same bytes.
wrk_run() {  # NAME URL [HEADER]: prints "RPS P50_MS P99_MS"
  local name=$1 url=$2
  shift 2
  wrk -t2 -c32 -d"${DURATION}s" --latency "$@" "$url" >"$LOGS/$name.wrk" 2>&1
  awk '/Requests\/sec/ {rps = $2}
       function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0;
                        if (v ~ /s$/) return v * 1000; return v }
       $1 == "50%" {p50 = ms($2)} $1 == "99%" {p99 = ms($2)}
       END {printf "%s %.2f %.2f\n", rps, p50, p99}' "$LOGS/$name.wrk"
}
read -r srv_rps srv_p50 srv_p99 < <(wrk_run server "$URL" -H "Authorization: Bearer $token")
srv_kb=$(awk '/VmHWM/ {print $2}' "/proc/$server/status")

mkdir -p "$OUT/www/api/v1"
cp "$OUT/status.json" "$OUT/www/api/v1/status"
cat >"$OUT/nginx.conf" <<CONF
worker_processes 2;
pid $OUT/nginx.pid;
error_log $LOGS/nginx.err;
daemon off;
events { worker_connections 1024; }
http {
  access_log off;
  default_type application/json;
  client_body_temp_path $OUT/tmp; proxy_temp_path $OUT/tmp; fastcgi_temp_path $OUT/tmp;
  uwsgi_temp_path $OUT/tmp; scgi_temp_path $OUT/tmp;
  server { listen 127.0.0.1:$NGINX_PORT; root $OUT/www; location / { try_files \$uri =404; } }
}
CONF
mkdir -p "$OUT/tmp"
"$NGINX" -c "$OUT/nginx.conf" -e "$LOGS/nginx.err" &
nginx_pid=$!
sleep 0.5
read -r ngx_rps ngx_p50 ngx_p99 < <(wrk_run nginx "http://127.0.0.1:$NGINX_PORT/api/v1/status")
kill "$nginx_pid"
kill -TERM "$server"
wait "$server" || true

ratio=$(awk -v a="$srv_rps" -v b="$ngx_rps" 'BEGIN {printf "%.2f", a / b}')
cat >"$OUT/results.md" <<MD
| measurement | value |
|---|---|
| database | $(basename "$DB") ($PEOPLE people, $DEVICES devices) |
| \`phaseout status --format json\` (CLI) | $(seconds "$cli_ms") s, peak $(mib "$cli_kb") MiB |
| first GET /api/v1/status (uncached) | $(seconds "$first_ms") s |
| phaseout serve, wrk -c32 ${DURATION}s | $srv_rps req/s, p50 $srv_p50 ms, p99 $srv_p99 ms |
| nginx static file, wrk -c32 ${DURATION}s | $ngx_rps req/s, p50 $ngx_p50 ms, p99 $ngx_p99 ms |
| server / nginx requests/s | $ratio |
| phaseout serve peak RSS | $(mib "$srv_kb") MiB |
| load average before | $(cut -d' ' -f1 /proc/loadavg) on $(nproc) cores |
MD
cat "$OUT/results.md"
