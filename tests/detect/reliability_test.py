#!/usr/bin/env python3
"""Calibration of `phaseout detect` (issue 14): stated confidence against observed accuracy.

Labelled data, three kinds:
  - corpus: the devices of ../shared/corpus/pcap whose platform PROVENANCE.md states
    (CORPUS_LABELS below);
  - synthetic: the captures of tests/detect/synthetic (expected.json);
  - UA sets: every UA of uap-core's test_os.yaml, additional_os_tests.yaml (OS family labels)
    and test_device.yaml (Apple device labels; UAs with the Android token of other brands,
    without a KaiOS, HarmonyOS, Windows Phone or TV token, labelled Android), judged alone:
    the confidence and level `phaseout ua` reports are what detect concludes from that UA.
A verdict is right when its platform is the label (iOS and iPadOS count as one for UA sets:
uap-core has no iPadOS). Asserted: no wrong `confirmed` anywhere; every confirmed verdict and
at least MIN_LIKELY_ACCURACY of the likely ones right; the iPhone of ndpi/iphone.pcap confirmed.
--markdown prints the reliability table of docs/detection-accuracy.md.

Exit status: 0 pass, 1 failure, 77 skipped (no corpus).
"""
import argparse
import collections
import json
import pathlib
import re
import subprocess
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "ua"))
import uap_cases  # noqa: E402

SKIP = 77
MIN_LIKELY_ACCURACY = 0.95
# capture -> MAC -> platform, from PROVENANCE.md's description of each capture.
CORPUS_LABELS = {
    "ndpi/iphone.pcap": {"c4:61:8b:35:82:a9": "ios", "d8:30:62:56:00:1c": "macos"},
    "ndpi/android.pcap": {"4c:6a:f6:9f:f6:27": "android", "d8:30:62:56:00:1c": "macos"},
    "ndpi/alexa-app.pcapng": {"78:f8:82:d3:fb:c2": "android"},
    "ndpi/netflix.pcap": {"e4:98:d6:1f:bd:14": "ios"},
    "ndpi/xiaomi.pcap": {"60:38:e0:c5:35:a0": "android"},
    "ndpi/capwap.pcap": {"1c:ab:a7:f2:13:9d": "ipados"},
    "ndpi/wechat.pcap": {"b8:78:2e:e2:da:07": "ios", "78:92:9c:0f:a8:8e": "linux"},
    "ndpi/quic_q46.pcap": {"00:00:00:e0:90:c7": "android"},
    "ndpi/quic_q50.pcap": {"00:05:00:78:9b:84": "android"},
    "ndpi/http_origin_different_than_host.pcap": {"00:01:00:00:00:02": "android"},
    "ndpi/whatsapp_login_chat.pcap": {"d8:30:62:56:00:1c": "macos"},
    "ndpi/telegram.pcap": {"8c:fe:57:23:37:e4": "ipados", "28:37:37:00:6d:c8": "macos"},
    "ndpi/anyconnect-vpn.pcap": {"34:36:3b:cf:75:28": "macos"},
    "ndpi/tls_certificate_too_long.pcap": {"f0:18:98:15:65:7c": "macos"},
    "ndpi/mpeg.pcap": {"3c:15:c2:b7:72:0e": "macos"},
    "ndpi/googledns_android10.pcap": {"6a:0f:da:86:9b:90": "android"},
}
MUST_CONFIRM = {("ndpi/iphone.pcap", "c4:61:8b:35:82:a9"): "ios"}
NOT_ANDROID = re.compile(r"kaios|harmony|windows phone|iemobile|smart-?tv|android tv|googletv|"
                         r"bravia|crkey|oculus|quest", re.I)
BINS = [(0.99, 1.01, "0.99-1"), (0.9, 0.99, "0.90-0.99"), (0.5, 0.9, "0.50-0.90"),
        (0.0, 0.5, "0-0.50")]


def detect(phaseout, path):
    run = subprocess.run([phaseout, "detect", "--format", "json", str(path)], capture_output=True,
                         text=True)
    if run.returncode != 0:
        raise RuntimeError(f"{path}: exit {run.returncode}: {run.stderr.strip()}")
    return json.loads(run.stdout)["devices"]


def best_platform(d):
    if d["platform"] != "unknown":
        return d["platform"]
    return d["candidates"][0]["platform"] if d["candidates"] else "unknown"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--phaseout", required=True)
    ap.add_argument("--corpus", required=True, help="../shared/corpus")
    ap.add_argument("--synthetic", required=True, help="tests/detect/synthetic")
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args()
    if not pathlib.Path(args.phaseout).is_file():
        print(f"FAIL: no phaseout binary at {args.phaseout}")
        return 1
    corpus = pathlib.Path(args.corpus)
    if not (corpus / "pcap").is_dir() or not (corpus / "ua" / "uap-core").is_dir():
        print(f"SKIP: corpus not found at {corpus}")
        return SKIP
    # (source, level) -> [n, sum of confidence, right]; (source, bin) likewise.
    by_level = collections.defaultdict(lambda: [0, 0.0, 0])
    by_bin = collections.defaultdict(lambda: [0, 0.0, 0])
    failures = []

    def note(source, level, confidence, right, what):
        for key, table in (((source, level), by_level),
                           ((source, next(b[2] for b in BINS if b[0] <= confidence < b[1])),
                            by_bin)):
            table[key][0] += 1
            table[key][1] += confidence
            table[key][2] += int(right)
        if level == "confirmed" and not right:
            failures.append(f"{source}: wrongly confirmed: {what}")

    for rel, labels in CORPUS_LABELS.items():
        for d in detect(args.phaseout, corpus / "pcap" / rel):
            want = next((labels[m] for m in d["macs"] if m in labels), None)
            if want is None:
                if d["level"] == "confirmed" and d["platform"] == "ios":
                    failures.append(f"{rel}: unlabelled device confirmed iOS: {d['key']}")
                continue
            got = best_platform(d)
            note("corpus", d["level"], d["confidence"], got == want,
                 f"{rel} {d['key']} {got} (label {want})")
            for (cap, mac), platform in MUST_CONFIRM.items():
                if cap == rel and mac in d["macs"] and (d["platform"], d["level"]) != (platform, "confirmed"):
                    failures.append(f"{rel}: {mac} must be confirmed {platform}: "
                                    f"{d['platform']} {d['level']}")
    synthetic = pathlib.Path(args.synthetic)
    expected = json.loads((synthetic / "expected.json").read_text())
    for name, spec in sorted(expected.items()):
        labels = {e["mac"]: e["platform"] for e in spec["devices"]}
        for d in detect(args.phaseout, synthetic / name):
            want = next((labels[m] for m in d["macs"] if m in labels), None)
            if want is None:
                continue
            got = best_platform(d)
            note("synthetic", d["level"], d["confidence"], got == want, f"{name} {d['key']} {got}")

    uap = corpus / "ua" / "uap-core"
    labelled = []
    for file in ("test_os.yaml", "additional_os_tests.yaml"):
        for c in uap_cases.parse(uap / file):
            fam = c.get("family", "")
            if fam in uap_cases.FAMILY_OF.values():
                labelled.append((c["user_agent_string"], fam))
    for c in uap_cases.parse(uap / "test_device.yaml"):
        apple = uap_cases.apple_device(c)
        ua = c["user_agent_string"]
        if apple and apple[0] in ("ios", "ipados"):
            labelled.append((ua, "iOS"))
        elif (not apple and uap_cases.ANDROID_TOKEN.search(ua) and c.get("brand") != "Apple"
              and not NOT_ANDROID.search(ua)):
            labelled.append((ua, "Android"))
    results = uap_cases.classify(args.phaseout, [u for u, _ in labelled])
    for (ua, fam), r in zip(labelled, results):
        note("UA sets", r["level"], r["confidence"], uap_cases.FAMILY_OF.get(r["platform"]) == fam,
             f"{ua!r} -> {r['platform']} (label {fam})")

    accuracy_fail = False
    for (source, level), (n, _, right) in sorted(by_level.items()):
        if level == "confirmed" and right != n:
            accuracy_fail = True
        if level == "likely" and n and right / n < MIN_LIKELY_ACCURACY:
            failures.append(f"{source}: likely verdicts right {right}/{n}, below "
                            f"{MIN_LIKELY_ACCURACY:.0%}")
    if accuracy_fail:
        failures.append("a confirmed verdict is wrong (see above)")

    def rows(table, keys):
        out = ["| data | stated | verdicts | mean stated confidence | observed accuracy |",
               "|---|---|---:|---:|---:|"]
        for source in ("corpus", "synthetic", "UA sets"):
            for k in keys:
                n, conf, right = table.get((source, k), (0, 0.0, 0))
                if n:
                    out.append(f"| {source} | {k} | {n} | {conf / n:.3f} | {right / n:.3f} "
                               f"({right}/{n}) |")
        return "\n".join(out)

    print(rows(by_level, ["confirmed", "likely", "unknown"]))
    if args.markdown:
        print()
        print(rows(by_bin, [b[2] for b in BINS]))
    for f in failures:
        print(f"FAIL {f}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
