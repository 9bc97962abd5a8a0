#!/usr/bin/env bash
# Detect benchmark. On the capture bench/observe assembles (at least 1 GB: the shared corpus
# replayed with new IP addresses in every repetition), times in one run, alternating:
#   phaseout observe FILE                   (output to /dev/null): the packet path alone
#   phaseout detect --format json FILE      (output to /dev/null): the same path feeding the
#                                            evidence ledger, then the verdicts
# and reports the median wall and CPU time of each, peak memory (/usr/bin/time -v), and the
# ratio detect / observe. Target (issue 4): detect within 1.5x of observe.
# Also classifies 1,000,000 User-Agent lines with `phaseout ua` (the classifier the access-log
# reader uses), from the shared uap-core cases, repeated; and then runs access_log.sh: a
# generated 1,000,000-line combined access log through `phaseout detect --access-log`, beside
# goaccess and awk on the same log (target: under 2 s).
#
# Environment (all optional):
#   MIN_BYTES      size of the assembled capture (1073741824)
#   REPS           runs of each command (3)
#   CORPUS         capture directory (../shared/corpus/pcap)
#   UA_CASES       uap-core test_os.yaml (../shared/corpus/ua/uap-core/test_os.yaml)
#   PH_BUILD       build directory with src/cli/phaseout and bench/bench_assemble_capture
#                  (build/release, i.e. `make build`); PHASEOUT overrides the binary
#   PH_BENCH_OUT   results root (build/bench); the capture is shared with bench/observe
#                  ($PH_BENCH_OUT/observe/bench-<MIN_BYTES>.pcap); results and logs go to
#                  $PH_BENCH_OUT/detect/
# Exit status: 0 when every step ran (target met or not; the results say which), 1 otherwise.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BENCH_NAME=detect
source "$ROOT/bench/common.sh"  # die, measure, median, max, seconds, mib, remove_db
MEASURE_STDOUT=discard  # the outputs are large and not read
PH_BUILD=${PH_BUILD:-$ROOT/build/release}
PH_BENCH_OUT=${PH_BENCH_OUT:-$ROOT/build/bench}
MIN_BYTES=${MIN_BYTES:-1073741824}
REPS=${REPS:-3}
CORPUS=${CORPUS:-$ROOT/../shared/corpus/pcap}
UA_CASES=${UA_CASES:-$ROOT/../shared/corpus/ua/uap-core/test_os.yaml}
PHASEOUT=${PHASEOUT:-$PH_BUILD/src/cli/phaseout}
ASSEMBLER=$PH_BUILD/bench/bench_assemble_capture
CAPTURE_DIR=$PH_BENCH_OUT/observe
BIG=$CAPTURE_DIR/bench-$MIN_BYTES.pcap
OUT=$PH_BENCH_OUT/detect
LOGS=$OUT/logs
UA_LINES=1000000


for tool in "$PHASEOUT" "$ASSEMBLER"; do
  [[ -x $tool ]] || die "$tool not found; run 'make build' first (or set PH_BUILD / PHASEOUT)"
done
[[ -x /usr/bin/time ]] || die "/usr/bin/time not found (Debian package 'time')"
[[ -d $CORPUS ]] || die "corpus not found at $CORPUS (set CORPUS)"
mkdir -p "$LOGS" "$CAPTURE_DIR"
rm -f "$LOGS"/*

# The same capture as bench/observe (same assembler, inputs and name), built if missing.
if [[ ! -s $BIG || ! -s $BIG.info ]]; then
  mapfile -t INPUTS < <(python3 - "$CORPUS" <<'PY'
import pathlib, sys
magics = {b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d",
          b"\x0a\x0d\x0d\x0a"}
for p in sorted(pathlib.Path(sys.argv[1]).rglob("*")):
    if p.is_file() and open(p, "rb").read(4) in magics:
        print(p)
PY
  )
  ((${#INPUTS[@]} > 0)) || die "no captures under $CORPUS"
  echo "bench/detect: assembling $BIG (>= $MIN_BYTES bytes from ${#INPUTS[@]} captures)"
  "$ASSEMBLER" --out "$BIG" --min-bytes "$MIN_BYTES" "${INPUTS[@]}" >"$BIG.info"
fi
cat "$BIG.info"
bytes=$(stat -c %s "$BIG")

load_before=$(cut -d' ' -f1 /proc/loadavg)
echo "bench/detect: warming the page cache"
cat "$BIG" >/dev/null


results=()
for ((i = 1; i <= REPS; i++)); do
  # Alternate which goes first, so neither always runs on a warmer machine.
  if ((i % 2)); then order=(observe detect); else order=(detect observe); fi
  for what in "${order[@]}"; do
    if [[ $what == observe ]]; then
      r=$(measure "observe-$i" "$PHASEOUT" observe "$BIG") || die "observe failed"
    else
      r=$(measure "detect-$i" "$PHASEOUT" detect --format json "$BIG") || die "detect failed"
    fi
    echo "  run $i $what: $r (wall ms, peak KiB, cpu ms)"
    results+=("$what=$r")
  done
done
# detect's own summary of the same file, for the record.
"$PHASEOUT" detect --format json "$BIG" 2>/dev/null | python3 -c '
import json, sys
s = json.load(sys.stdin)["stats"]
print("detect stats:", {k: s[k] for k in ("packets", "observations", "evidence", "devices", "confirmed", "likely", "unknown", "routers")})' \
  >"$LOGS/detect-stats.txt"
cat "$LOGS/detect-stats.txt"

# 1,000,000 User-Agents through `phaseout ua` (JSON lines to /dev/null).
ua_result=""
if [[ -f $UA_CASES ]]; then
  python3 - "$UA_CASES" "$UA_LINES" >"$OUT/uas.txt" <<'PY'
import sys
cases = [l.split(":", 1)[1].strip().strip("'").replace("''", "'")
         for l in open(sys.argv[1], encoding="utf-8") if l.strip().startswith("- user_agent_string:")]
n = int(sys.argv[2])
out = sys.stdout
for i in range(n):
    out.write(cases[i % len(cases)] + "\n")
PY
  ua_result=$(measure "ua" "$PHASEOUT" ua "$OUT/uas.txt") || die "ua failed"
  echo "  ua ($UA_LINES lines): $ua_result (wall ms, peak KiB, cpu ms)"
fi
load_after=$(cut -d' ' -f1 /proc/loadavg)

python3 - "$OUT" "$BIG" "$bytes" "$load_before" "$load_after" "$UA_LINES" "${ua_result:-}" \
  "${results[@]}" <<'PY'
import json, pathlib, platform, statistics, sys
out, capture, size, load_before, load_after, ua_lines, ua = sys.argv[1:8]
runs = {"observe": [], "detect": []}
for arg in sys.argv[8:]:
    name, values = arg.split("=")
    wall, peak, cpu = (int(v) for v in values.split())
    runs[name].append({"wall_s": wall / 1000, "peak_mib": peak / 1024, "cpu_s": cpu / 1000})
summary = {}
for name, rs in runs.items():
    summary[name] = {"wall_s": statistics.median(r["wall_s"] for r in rs),
                     "cpu_s": statistics.median(r["cpu_s"] for r in rs),
                     "peak_mib": max(r["peak_mib"] for r in rs),
                     "runs": rs}
ratio_wall = summary["detect"]["wall_s"] / summary["observe"]["wall_s"]
ratio_cpu = summary["detect"]["cpu_s"] / summary["observe"]["cpu_s"]
cpu_model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
                  if l.startswith("model name")), platform.processor())
result = {"capture": {"path": capture, "bytes": int(size)}, "observe": summary["observe"],
          "detect": summary["detect"], "ratio_wall": ratio_wall, "ratio_cpu": ratio_cpu,
          "target_1_5x": ratio_wall <= 1.5,
          "machine": {"cpu": cpu_model, "load_before": float(load_before), "load_after": float(load_after)}}
lines = [f"Capture: {int(size) / 1e9:.2f} GB ({capture})", "",
         "| command | median wall s | median CPU s | peak MiB | GB/s (wall) |", "|---|---:|---:|---:|---:|"]
for name in ("observe", "detect"):
    s = summary[name]
    lines.append(f"| {name} | {s['wall_s']:.2f} | {s['cpu_s']:.2f} | {s['peak_mib']:.0f} | "
                 f"{int(size) / s['wall_s'] / 1e9:.3f} |")
lines += ["", f"detect / observe: {ratio_wall:.2f}x wall, {ratio_cpu:.2f}x CPU -> target <= 1.5x "
              f"{'met' if ratio_wall <= 1.5 else 'MISSED'}"]
if ua:
    wall, peak, cpu = (int(v) for v in ua.split())
    result["ua"] = {"lines": int(ua_lines), "wall_s": wall / 1000, "cpu_s": cpu / 1000, "peak_mib": peak / 1024}
    lines.append(f"phaseout ua: {int(ua_lines):,} User-Agent lines in {wall / 1000:.2f} s wall "
                 f"({cpu / 1000:.2f} s CPU, peak {peak / 1024:.0f} MiB)")
lines.append(f"Load average {load_before} before, {load_after} after; CPU {cpu_model}")
pathlib.Path(out, "results.json").write_text(json.dumps(result, indent=2) + "\n")
text = "\n".join(lines) + "\n"
pathlib.Path(out, "results.md").write_text(text)
print(text)
PY

# 1,000,000 access-log lines through `phaseout detect --access-log`, against goaccess and awk.
PH_BUILD=$PH_BUILD PHASEOUT=$PHASEOUT PH_BENCH_OUT=$PH_BENCH_OUT REPS=$REPS UA_CASES=$UA_CASES \
  "$ROOT/bench/detect/access_log.sh"
