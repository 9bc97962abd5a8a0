#!/usr/bin/env bash
# Access-log benchmark (issue 4: "1 million access-log lines classified in under 2 s").
# Generates a combined-format access log (gen_access_log.py: LINES lines, User-Agents from
# uap-core's test_os.yaml when present, else a built-in list) and times, in one run,
# alternating the order:
#   phaseout detect --format json --access-log intranet=LOG   every line parsed; its user,
#                          User-Agent (classified) and service use recorded per client; verdicts
#   goaccess LOG --log-format=COMBINED -o report.json          the named peer: a web log
#                          analyser that parses every line and classifies each User-Agent's
#                          OS and browser (Debian package goaccess; skipped when absent)
#   awk                    the same fields (client, user, User-Agent) split out of every line and
#                          counted per distinct triple: a floor of what reading the log costs
# Reports median wall and CPU time and peak memory (/usr/bin/time -v) of each and the ratios.
#
# Environment (all optional): LINES (1000000), REPS (3), UA_CASES, PH_BUILD / PHASEOUT as in
# run.sh, PH_BENCH_OUT (build/bench; results in $PH_BENCH_OUT/detect/access-log/).
# Exit status: 0 when every step ran (target met or not; the results say which), 1 otherwise.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BENCH_NAME=detect/access_log
source "$ROOT/bench/common.sh"  # die, measure, median, max, seconds, mib, remove_db
MEASURE_STDOUT=discard  # the outputs are large and not read
PH_BUILD=${PH_BUILD:-$ROOT/build/release}
PH_BENCH_OUT=${PH_BENCH_OUT:-$ROOT/build/bench}
LINES=${LINES:-1000000}
REPS=${REPS:-3}
UA_CASES=${UA_CASES:-$ROOT/../shared/corpus/ua/uap-core/test_os.yaml}
PHASEOUT=${PHASEOUT:-$PH_BUILD/src/cli/phaseout}
OUT=$PH_BENCH_OUT/detect/access-log
LOGS=$OUT
LOG=$OUT/access-$LINES.log

[[ -x $PHASEOUT ]] || die "$PHASEOUT not found; run 'make build' first (or set PH_BUILD / PHASEOUT)"
[[ -x /usr/bin/time ]] || die "/usr/bin/time not found (Debian package 'time')"
mkdir -p "$OUT"
if [[ ! -s $LOG ]]; then
  echo "bench/detect/access_log: generating $LOG"
  uas=()
  [[ -f $UA_CASES ]] && uas=(--uas "$UA_CASES")
  python3 "$ROOT/bench/detect/gen_access_log.py" --lines "$LINES" --out "$LOG.tmp" "${uas[@]}"
  mv "$LOG.tmp" "$LOG"
fi
bytes=$(stat -c %s "$LOG")
cat "$LOG" >/dev/null  # page cache warm for every contender alike
load_before=$(cut -d' ' -f1 /proc/loadavg)


# The awk peer: client ($1), user ($3) and the last quoted field (User-Agent) of each line.
AWK_PROG='{ n = split($0, q, "\""); k = $1 " " $3 " " q[n - 1]; c[k]++ } END { for (k in c) m++; print m }'
contenders=(phaseout awk)
command -v goaccess >/dev/null && contenders+=(goaccess)
results=()
for ((i = 1; i <= REPS; i++)); do
  order=("${contenders[@]}")
  ((i % 2)) || order=($(printf '%s\n' "${contenders[@]}" | tac))
  for what in "${order[@]}"; do
    case $what in
      phaseout) r=$(measure "phaseout-$i" "$PHASEOUT" detect --format json --access-log "intranet=$LOG") ;;
      awk) r=$(measure "awk-$i" awk "$AWK_PROG" "$LOG") ;;
      goaccess) r=$(measure "goaccess-$i" goaccess "$LOG" --log-format=COMBINED --no-global-config \
        --no-progress -o "$OUT/goaccess-report.json") ;;
    esac || die "$what failed"
    echo "  run $i $what: $r (wall ms, peak KiB, cpu ms)"
    results+=("$what=$r")
  done
done
load_after=$(cut -d' ' -f1 /proc/loadavg)
"$PHASEOUT" detect --format json --access-log "intranet=$LOG" 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
s = d["stats"]
users = sum(len(x["users"]) for x in d["devices"])
print("phaseout stats:", {k: s[k] for k in ("log_lines", "log_records", "log_bad_lines", "devices",
      "confirmed", "likely", "unknown", "service_uses")}, "users:", users)' >"$OUT/phaseout-stats.txt"
cat "$OUT/phaseout-stats.txt"

python3 - "$OUT" "$LOG" "$bytes" "$LINES" "$load_before" "$load_after" "${results[@]}" <<'PY'
import json, pathlib, platform, statistics, sys
out, log, size, lines, load_before, load_after = sys.argv[1:7]
runs = {}
for arg in sys.argv[7:]:
    name, values = arg.split("=")
    wall, peak, cpu = (int(v) for v in values.split())
    runs.setdefault(name, []).append({"wall_s": wall / 1000, "peak_mib": peak / 1024, "cpu_s": cpu / 1000})
summary = {name: {"wall_s": statistics.median(r["wall_s"] for r in rs),
                  "cpu_s": statistics.median(r["cpu_s"] for r in rs),
                  "peak_mib": max(r["peak_mib"] for r in rs), "runs": rs}
           for name, rs in runs.items()}
cpu_model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
                  if l.startswith("model name")), platform.processor())
ph = summary["phaseout"]
result = {"log": {"path": log, "bytes": int(size), "lines": int(lines)}, "contenders": summary,
          "target_2s": ph["wall_s"] < 2.0,
          "machine": {"cpu": cpu_model, "load_before": float(load_before), "load_after": float(load_after)}}
rows = [f"Access log: {int(lines):,} combined-format lines, {int(size) / 1e6:.0f} MB ({log})", "",
        "| command | median wall s | median CPU s | peak MiB | lines/s (wall) | wall vs phaseout |",
        "|---|---:|---:|---:|---:|---:|"]
for name in ("phaseout", "goaccess", "awk"):
    if name not in summary:
        continue
    s = summary[name]
    rows.append(f"| {name} | {s['wall_s']:.2f} | {s['cpu_s']:.2f} | {s['peak_mib']:.0f} | "
                f"{int(lines) / s['wall_s'] / 1e6:.2f} M | {s['wall_s'] / ph['wall_s']:.2f}x |")
rows += ["", f"phaseout detect: {int(lines):,} lines in {ph['wall_s']:.2f} s -> target < 2 s "
             f"{'met' if ph['wall_s'] < 2.0 else 'MISSED'}",
         f"Load average {load_before} before, {load_after} after; CPU {cpu_model}"]
pathlib.Path(out, "results.json").write_text(json.dumps(result, indent=2) + "\n")
text = "\n".join(rows) + "\n"
pathlib.Path(out, "results.md").write_text(text)
print(text)
PY
