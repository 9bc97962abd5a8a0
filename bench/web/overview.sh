#!/usr/bin/env bash
# Dashboard benchmark: how long the campaign overview takes to become interactive in headless
# Chromium on the bench/inventory organisation (500,000 people and 1,000,000 devices by
# default), once `phaseout serve` has cached the evaluation — measured in the browser, from the
# navigation's start to the page's `data-ready` mark (web/js/pages/overview.js: the frame after
# the totals, milestones and unit table are drawn).
# Peer, measured in the same run and alternating with it: nginx (Debian) serving the same page
# files and the same API answers (captured from phaseout serve) as static files — what the
# browser alone costs, with a server that does no work.
# Target (issue 11): under 1 s.
#
# Environment (all optional):
#   PEOPLE, DEVICES, SEED  size of the generated organisation (500000, 1000000, 1)
#   RUNS                   measured page loads per server (9)
#   PH_BUILD               build directory (build/release)
#   PH_BENCH_OUT           results root (build/bench); writes $PH_BENCH_OUT/web/results.md
#   PH_DB                  an existing database to use instead of generating one
#   PH_CSV                 the folder of its people.csv (to find a security officer)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BENCH_NAME=web
source "$ROOT/bench/common.sh"
bench_paths
organisation_size
RUNS=${RUNS:-9}
CSV=${PH_CSV:-$OUT/csv}
DB=${PH_DB:-$OUT/phaseout.db}
DIRECTIVE=pa-iphone-2023

for tool in nginx curl; do
  command -v "$tool" >/dev/null || [[ -x /usr/sbin/$tool ]] || die "$tool not found"
done
[[ -x /usr/bin/chromium && -x /usr/bin/chromedriver ]] || die "chromium or chromium-driver not found"
/usr/bin/python3 -c 'import selenium' 2>/dev/null || die "python3-selenium not found"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
require_built "$PHASEOUT"
mkdir -p "$LOGS" "$CSV"

organisation_db
officer=$(awk -F, 'NR > 1 && /security-officer/ && /,active/ {print $1; exit}' "$CSV/people.csv")
[[ -n $officer ]] || die "no security officer in $CSV/people.csv"
password_file=$OUT/password
echo "bench-web-$$-$RANDOM" >"$password_file"
"$PHASEOUT" --db "$DB" account password "$officer" <"$password_file" >/dev/null

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(port)
NGINX_PORT=$(port)
BASE=http://127.0.0.1:$PORT
"$PHASEOUT" --db "$DB" serve --listen "127.0.0.1:$PORT" 2>"$LOGS/serve.err" &
server=$!
trap 'kill $server 2>/dev/null || true; [[ -n ${nginx_pid:-} ]] && kill $nginx_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -fs "$BASE/api/v1/openapi.json" >/dev/null && break
  sleep 0.1
done

# Warm the server: sign in, then ask what the overview asks (the evaluation and the burn-down
# are computed once and cached); the first answers are timed for the record.
jar=$OUT/cookies
curl -fs -c "$jar" -H 'Content-Type: application/json' \
  -d "{\"login\":\"$officer\",\"password\":\"$(cat "$password_file")\"}" "$BASE/api/v1/login" >/dev/null
get() { curl -fs -b "$jar" -o "$2" -w '%{time_total}' "$BASE$1"; }
mkdir -p "$OUT/www/api/v1"
status_first_s=$(get "/api/v1/status?directive=$DIRECTIVE" "$OUT/www/api/v1/status")
burndown_first_s=$(get "/api/v1/burndown?directive=$DIRECTIVE" "$OUT/www/api/v1/burndown")
status_cached_s=$(get "/api/v1/status?directive=$DIRECTIVE" "$OUT/www/api/v1/status")
burndown_cached_s=$(get "/api/v1/burndown?directive=$DIRECTIVE" "$OUT/www/api/v1/burndown")
get /api/v1/me "$OUT/www/api/v1/me" >/dev/null
get /api/v1/directives "$OUT/www/api/v1/directives" >/dev/null
status_bytes=$(stat -c %s "$OUT/www/api/v1/status")
burndown_bytes=$(stat -c %s "$OUT/www/api/v1/burndown")

# The peer: the same page files and answers, static, from nginx.
cp -r "$ROOT/web/." "$OUT/www/"
cat >"$OUT/nginx.conf" <<CONF
worker_processes 1;
pid $OUT/nginx.pid;
error_log $LOGS/nginx.err;
daemon off;
events { worker_connections 256; }
http {
  access_log off;
  include /etc/nginx/mime.types;
  client_body_temp_path $OUT/tmp; proxy_temp_path $OUT/tmp; fastcgi_temp_path $OUT/tmp;
  uwsgi_temp_path $OUT/tmp; scgi_temp_path $OUT/tmp;
  server {
    listen 127.0.0.1:$NGINX_PORT; root $OUT/www;
    location /api/ { default_type application/json; try_files \$uri =404; }
    location / { try_files \$uri \$uri/index.html =404; }
  }
}
CONF
mkdir -p "$OUT/tmp"
"$NGINX" -c "$OUT/nginx.conf" -e "$LOGS/nginx.err" &
nginx_pid=$!
sleep 0.5

load_before=$(cut -d' ' -f1 /proc/loadavg)
/usr/bin/python3 "$ROOT/bench/web/measure_overview.py" "$RUNS" "phaseout=$BASE" \
  "nginx=http://127.0.0.1:$NGINX_PORT" --login "$officer" --password-file "$password_file" \
  >"$LOGS/browser.out" 2>"$LOGS/browser.err" || { cat "$LOGS/browser.err" >&2; die "the browser run failed"; }
load_after=$(cut -d' ' -f1 /proc/loadavg)
kill "$nginx_pid"
kill -TERM "$server"
wait "$server" || true

read -r -a ours < <(awk '$1 == "phaseout" {$1 = ""; print}' "$LOGS/browser.out")
read -r -a peer < <(awk '$1 == "nginx" {$1 = ""; print}' "$LOGS/browser.out")
ratio=$(awk -v a="$(median "${ours[@]}")" -v b="$(median "${peer[@]}")" 'BEGIN {printf "%.2f", a / b}')
ms() { awk -v s="$1" 'BEGIN {printf "%d", s * 1000}'; }
cat >"$OUT/results.md" <<MD
| measurement | value |
|---|---|
| database | $(basename "$DB") ($PEOPLE people, $DEVICES devices), as security officer $officer |
| first GET /api/v1/status, /api/v1/burndown (uncached) | $(ms "$status_first_s") ms, $(ms "$burndown_first_s") ms |
| the same, cached | $(ms "$status_cached_s") ms, $(ms "$burndown_cached_s") ms ($status_bytes and $burndown_bytes bytes) |
| overview interactive, phaseout serve ($RUNS loads) | median $(median "${ours[@]}") ms, max $(max "${ours[@]}") ms (${ours[*]}) |
| overview interactive, nginx static peer ($RUNS loads) | median $(median "${peer[@]}") ms, max $(max "${peer[@]}") ms (${peer[*]}) |
| phaseout / nginx (median) | $ratio |
| load average before / after | $load_before / $load_after on $(nproc) cores |
MD
rm -f "$password_file" "$jar"
cat "$OUT/results.md"
