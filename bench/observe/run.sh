#!/usr/bin/env bash
# Observe benchmark. In one run, on one assembled capture of at least 1 GB (the shared corpus
# replayed with new IP addresses in every repetition, so every repetition is new flows), times:
#   phaseout observe FILE                    (output to /dev/null)
#   tshark -n -r FILE -T fields -e ...       the same fields observe is checked against
#   ndpiReader -i FILE -q                    Debian's nDPI 4.2, one thread (one input)
#   p0f -r FILE                              passive OS fingerprinting of the SYNs
# and reports for each: wall time, packets/s, GB/s, peak memory (/usr/bin/time -v, "Maximum
# resident set size"), CPU time (user + system), and the ratios of wall and CPU time. To show that observe's memory does not grow with the
# input, observe also reads a capture a quarter the size. The page cache is warmed first, so
# every tool reads from memory. Targets (issue 3): >= 20x tshark and >= 3x ndpiReader, one
# thread; peak memory flat.
#
# Environment (all optional):
#   MIN_BYTES      size of the assembled capture (1073741824)
#   CORPUS         capture directory (../shared/corpus/pcap)
#   PH_BUILD       build directory with src/cli/phaseout and bench/bench_assemble_capture
#                  (build/release, i.e. `make build`); PHASEOUT overrides the binary
#   PH_BENCH_OUT   results root (build/bench); writes $PH_BENCH_OUT/observe/: results.md,
#                  results.json, logs/, and the assembled captures (kept for re-runs)
#   SKIP_TSHARK=1  leave tshark out (it takes minutes on 1 GB)
# Exit status: 0 when every step ran (targets met or not; the results say which), 1 otherwise.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BENCH_NAME=observe
source "$ROOT/bench/common.sh"  # die, measure, median, max, seconds, mib, remove_db
MEASURE_STDOUT=discard  # the outputs are large and not read
PH_BUILD=${PH_BUILD:-$ROOT/build/release}
PH_BENCH_OUT=${PH_BENCH_OUT:-$ROOT/build/bench}
MIN_BYTES=${MIN_BYTES:-1073741824}
CORPUS=${CORPUS:-$ROOT/../shared/corpus/pcap}
PHASEOUT=${PHASEOUT:-$PH_BUILD/src/cli/phaseout}
ASSEMBLER=$PH_BUILD/bench/bench_assemble_capture
OUT=$PH_BENCH_OUT/observe
LOGS=$OUT/logs
BIG=$OUT/bench-$MIN_BYTES.pcap
SMALL_BYTES=$((MIN_BYTES / 4))
SMALL=$OUT/bench-$SMALL_BYTES.pcap
# The fields of the exactness test (tests/observe/differential_test.py).
TSHARK_FIELDS=(-e frame.number -e dhcp.option.hostname -e dhcp.option.vendor_class_id
  -e dhcp.option.request_list_item -e http.host -e http.user_agent
  -e tls.handshake.extensions_server_name -e dns.qry.name)


for tool in "$PHASEOUT" "$ASSEMBLER"; do
  [[ -x $tool ]] || die "$tool not found; run 'make build' first (or set PH_BUILD / PHASEOUT)"
done
[[ -x /usr/bin/time ]] || die "/usr/bin/time not found (Debian package 'time')"
[[ -d $CORPUS ]] || die "corpus not found at $CORPUS (set CORPUS)"
for tool in tshark ndpiReader p0f python3; do
  command -v "$tool" >/dev/null || die "$tool not found"
done

mkdir -p "$LOGS"
rm -f "$LOGS"/*
load_before=$(cut -d' ' -f1 /proc/loadavg)
if awk -v l="$load_before" -v n="$(nproc)" 'BEGIN {exit !(l > n / 2)}'; then
  echo "bench/observe: warning: load average $load_before on $(nproc) cores; times will be noisy" >&2
fi

# Every capture in the corpus, by content (two .pcap files there are pcapng).
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

assemble() {
  local file=$1 bytes=$2
  if [[ ! -s $file || ! -s $file.info ]]; then
    echo "bench/observe: assembling $file (>= $bytes bytes from ${#INPUTS[@]} captures)"
    "$ASSEMBLER" --out "$file" --min-bytes "$bytes" "${INPUTS[@]}" >"$file.info"
  fi
  cat "$file.info"
}
assemble "$BIG" "$MIN_BYTES"
assemble "$SMALL" "$SMALL_BYTES"
packets=$(awk '{for (i = 1; i < NF; i++) if ($(i + 1) == "packets,") print $i}' "$BIG.info")
small_packets=$(awk '{for (i = 1; i < NF; i++) if ($(i + 1) == "packets,") print $i}' "$SMALL.info")
bytes=$(stat -c %s "$BIG")
[[ -n $packets && -n $small_packets ]] || die "cannot read the packet counts of the captures"


echo "bench/observe: warming the page cache"
cat "$BIG" "$SMALL" >/dev/null

declare -A wall peak cpu
run() {
  local name=$1
  shift
  echo "bench/observe: $name"
  read -r wall[$name] peak[$name] cpu[$name] < <(measure "$name" "$@") || die "$name failed"
  echo "  $(awk -v ms="${wall[$name]}" 'BEGIN {printf "%.2f", ms / 1000}') s," \
    "peak $((peak[$name] / 1024)) MiB"
}

run phaseout "$PHASEOUT" observe "$BIG"
run phaseout-quarter "$PHASEOUT" observe "$SMALL"
if [[ ${SKIP_TSHARK:-0} != 1 ]]; then
  run tshark tshark -n -r "$BIG" -T fields "${TSHARK_FIELDS[@]}"
fi
run ndpiReader ndpiReader -i "$BIG" -q
run p0f p0f -r "$BIG"
# phaseout's own count of what it read must match the file, or the timing means nothing.
"$PHASEOUT" observe "$SMALL" | tail -n 1 >"$LOGS/phaseout-quarter.stats"
grep -q "\"packets\":$small_packets," "$LOGS/phaseout-quarter.stats" ||
  die "phaseout read a different number of packets: $(cat "$LOGS/phaseout-quarter.stats")"
load_after=$(cut -d' ' -f1 /proc/loadavg)

python3 - "$OUT" "$bytes" "$packets" "$load_before" "$load_after" "$BIG" \
  "phaseout=${wall[phaseout]},${peak[phaseout]},${cpu[phaseout]}" \
  "phaseout-quarter=${wall[phaseout-quarter]},${peak[phaseout-quarter]},${cpu[phaseout-quarter]}" \
  ${wall[tshark]:+"tshark=${wall[tshark]},${peak[tshark]},${cpu[tshark]}"} \
  "ndpiReader=${wall[ndpiReader]},${peak[ndpiReader]},${cpu[ndpiReader]}" \
  "p0f=${wall[p0f]},${peak[p0f]},${cpu[p0f]}" <<'PY'
import json, pathlib, platform, subprocess, sys
out, size, packets, load_before, load_after, capture = sys.argv[1:7]
size, packets = int(size), int(packets)
runs = {}
for arg in sys.argv[7:]:
    name, values = arg.split("=")
    wall_ms, peak_kb, cpu_ms = (int(v) for v in values.split(","))
    runs[name] = {"wall_s": wall_ms / 1000, "peak_mib": peak_kb / 1024, "cpu_s": cpu_ms / 1000}
base = runs["phaseout"]["wall_s"]
for name, r in runs.items():
    n = packets if name != "phaseout-quarter" else None
    r["packets_per_s"] = packets / r["wall_s"] if n else None
    r["gb_per_s"] = size / r["wall_s"] / 1e9 if n else None
    r["ratio"] = r["wall_s"] / base if n else None
ratio_tshark = runs["tshark"]["ratio"] if "tshark" in runs else None
ratio_ndpi = runs["ndpiReader"]["ratio"]
flat = runs["phaseout"]["peak_mib"] <= runs["phaseout-quarter"]["peak_mib"] * 1.25 + 4
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")),
           platform.processor())
result = {
    "capture": {"path": capture, "bytes": size, "packets": packets},
    "machine": {"cpu": cpu, "load_before": float(load_before), "load_after": float(load_after)},
    "runs": runs,
    "targets": {"tshark_20x": None if ratio_tshark is None else ratio_tshark >= 20,
                "ndpiReader_3x": ratio_ndpi >= 3, "memory_flat": flat},
}
pathlib.Path(out, "results.json").write_text(json.dumps(result, indent=2) + "\n")
for r in runs.values():
    r["cpu_ratio"] = r["cpu_s"] / max(runs["phaseout"]["cpu_s"], 0.001)
lines = [f"Capture: {size / 1e9:.2f} GB, {packets} packets ({capture})", "",
         "| tool | wall s | packets/s | GB/s | peak MiB | CPU s | phaseout is N× faster "
         "(wall) | (CPU) |",
         "|---|---:|---:|---:|---:|---:|---:|---:|"]
for name, r in runs.items():
    if name == "phaseout-quarter":
        continue
    lines.append(f"| {name} | {r['wall_s']:.2f} | {r['packets_per_s']:,.0f} | "
                 f"{r['gb_per_s']:.3f} | {r['peak_mib']:.0f} | {r['cpu_s']:.2f} | "
                 f"{r['ratio']:.1f} | {r['cpu_ratio']:.1f} |")
q = runs["phaseout-quarter"]
lines += ["", f"phaseout on a quarter-size capture: {q['wall_s']:.2f} s, peak {q['peak_mib']:.0f} MiB "
          f"(full size: {runs['phaseout']['peak_mib']:.0f} MiB) -> memory "
          f"{'flat' if flat else 'GROWS with input'}",
          f"Targets: >= 20x tshark: " + ("not run" if ratio_tshark is None else
                                          f"{ratio_tshark:.1f}x {'met' if ratio_tshark >= 20 else 'MISSED'}") +
          f"; >= 3x ndpiReader: {ratio_ndpi:.1f}x {'met' if ratio_ndpi >= 3 else 'MISSED'}",
          f"Load average {load_before} before, {load_after} after; CPU {cpu}"]
text = "\n".join(lines) + "\n"
pathlib.Path(out, "results.md").write_text(text)
print(text)
PY
