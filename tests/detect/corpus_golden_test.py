#!/usr/bin/env python3
"""Accuracy of `phaseout detect` on the real capture corpus (issue 4, deliverable 6).

Two layers:

1. The verdicts the issue pins, checked one by one (EXPECTATIONS below):
   - ndpi/iphone.pcap: the iPhone is iOS; the iMac is macOS, never iOS.
   - ndpi/android.pcap: the Nokia is Android despite its fetch of captive.apple.com.
   - ndpi/wechat.pcap: the iPhone (DHCP only) is iOS; the Linux desktop is not a phone.
   - ndpi/capwap.pcap: the iPad inside the CAPWAP tunnel is found by its inner address.
   - ndpi/netflix.pcap: the iOS 10 app User-Agents give iOS.
   - ndpi/mpeg.pcap: the 'darwin' Wget is not iOS.
   - ndpi/sites.pcapng: the desktop visiting cloud.huawei.com is not a Huawei phone.
   - ndpi/quic_q46.pcap, quic_q50.pcap, http_origin_different_than_host.pcap: the Huawei
     models are Huawei Android devices.
   and, over every capture, no device is `confirmed` iOS unless it is one of the iPhones.

2. A golden summary per capture (golden/<capture>.txt: one line per device - key, platform,
   level, kind), compared exactly so that any change of verdict shows up in review, like
   nDPI's result/*.out. Run with --update to rewrite the summaries after a deliberate change.

The gQUIC captures carry their User-Agent inside QUIC CHLO packets (the UAID tag), which
observe's QUIC dissector reads.

Exit status: 0 pass, 1 failure (printed), 77 skipped (no corpus).
"""
import argparse
import json
import pathlib
import subprocess
import sys

SKIP = 77
PHONE_PLATFORMS = {"ios", "android", "harmonyos", "harmonyos-next", "aurora", "sailfish", "kaios"}
HUAWEI_FAMILY = {"android", "harmonyos", "harmonyos-next"}
# The devices of the corpus that are iPhones (PROVENANCE.md); only these may be confirmed iOS.
IPHONES = {"c4:61:8b:35:82:a9", "b8:78:2e:e2:da:07", "e4:98:d6:1f:bd:14"}


def device_with_mac(report, mac):
    for d in report["devices"]:
        if mac in d["macs"]:
            return d
    return None


def device_with_ua(report, needle):
    for d in report["devices"]:
        for e in d["evidence"]:
            if e["signal"] == "user_agent" and needle in e["value"]:
                return d
    return None


def describe(d):
    if d is None:
        return "no such device"
    cands = ", ".join(f"{c['platform']} {c['p']}" for c in d["candidates"])
    return (f"{d['key']}: {d['platform']} {d['level']} {d['confidence']} kind={d['kind']} "
            f"vendor={d.get('vendor', '')} [{cands}]")


# Each check returns None when satisfied, else a message.
def iphone_pcap(r):
    problems = []
    iphone = device_with_mac(r, "c4:61:8b:35:82:a9")
    if not iphone or iphone["platform"] != "ios" or iphone["kind"] != "phone":
        problems.append("the iPhone c4:61:8b:35:82:a9 must be iOS (phone): " + describe(iphone))
    imac = device_with_mac(r, "d8:30:62:56:00:1c")
    if not imac or imac["platform"] != "macos":
        problems.append("the iMac d8:30:62:56:00:1c must be macOS: " + describe(imac))
    if imac and any(c["platform"] == "ios" and c["p"] > 0.01 for c in imac["candidates"]):
        problems.append("the iMac must not be a candidate iPhone: " + describe(imac))
    # Calibration (issue 14): the iPhone is confirmed, and by what justifies it: its host name
    # and its DHCP client, each preferring iOS over every platform outside Apple's mobile family
    # by 0.5 or more, while Apple's TCP stack, OUI and captive probe (shared with macOS) give
    # no margin.
    if iphone and iphone["platform"] == "ios":
        if iphone["level"] != "confirmed":
            problems.append("the iPhone must be confirmed iOS: " + describe(iphone))
        specific = {e["signal"] for e in iphone["evidence"] if e["counted"] and e["margin"] >= 0.5}
        for signal in ("hostname", "dhcp_param_list"):
            if signal not in specific:
                problems.append(f"the iPhone's {signal} must be specific evidence (margin >= 0.5): "
                                + describe(iphone))
        for e in iphone["evidence"]:
            if e["signal"] in ("tcp_syn", "mac_oui") and e["margin"] > 0:
                problems.append(f"Apple's {e['signal']} is shared with macOS, yet has margin "
                                f"{e['margin']}")
    return problems


def android_pcap(r):
    problems = []
    nokia = device_with_mac(r, "4c:6a:f6:9f:f6:27")
    if not nokia or nokia["platform"] != "android":
        problems.append("the Nokia 4c:6a:f6:9f:f6:27 must be Android: " + describe(nokia))
    elif not any(e["value"] == "captive.apple.com" for e in nokia["evidence"]):
        problems.append("the trap is gone: the Nokia's captive.apple.com lookup is not in its evidence")
    imac = device_with_mac(r, "d8:30:62:56:00:1c")
    if not imac or imac["platform"] != "macos":
        problems.append("the iMac must be macOS: " + describe(imac))
    return problems


def wechat_pcap(r):
    problems = []
    iphone = device_with_mac(r, "b8:78:2e:e2:da:07")
    if not iphone or iphone["platform"] != "ios":
        problems.append("the iPhone b8:78:2e:e2:da:07 must be iOS: " + describe(iphone))
    desktop = device_with_mac(r, "78:92:9c:0f:a8:8e")
    if not desktop:
        problems.append("the Linux desktop 78:92:9c:0f:a8:8e is missing")
    elif desktop["platform"] in PHONE_PLATFORMS or desktop["kind"] == "phone":
        problems.append("the Linux desktop must not be a phone: " + describe(desktop))
    if desktop and iphone and desktop["key"] == iphone["key"]:
        problems.append("the desktop's traffic was merged into the iPhone")
    return problems


def capwap_pcap(r):
    problems = []
    ipad = device_with_mac(r, "1c:ab:a7:f2:13:9d")
    if not ipad:
        return ["the iPad 1c:ab:a7:f2:13:9d (inner address of the tunnel) is missing"]
    if ipad["platform"] != "ipados" or ipad["kind"] != "tablet":
        problems.append("the iPad must be iPadOS (tablet): " + describe(ipad))
    outer = device_with_mac(r, "b8:38:61:f3:05:ac")
    if outer and any(e["signal"] == "hostname" for e in outer["evidence"]):
        problems.append("the iPad's DHCP evidence went to the access point's outer MAC")
    return problems


def netflix_pcap(r):
    iphone = device_with_mac(r, "e4:98:d6:1f:bd:14")
    problems = []
    if not iphone or iphone["platform"] != "ios":
        problems.append("the iPhone of the Netflix app must be iOS: " + describe(iphone))
    elif not any(e["signal"] == "user_agent" and "iPhone" in e["value"] and e["weight"] > 1
                 for e in iphone["evidence"]):
        problems.append("the iOS 10 app User-Agents do not support iOS: " + describe(iphone))
    return problems


def mpeg_pcap(r):
    d = device_with_ua(r, "darwin14.1.0")
    if d is None:
        return ["no device shows the Wget 'darwin' User-Agent"]
    if d["platform"] == "ios":
        return ["the darwin Wget must not be iOS: " + describe(d)]
    ua = [e for e in d["evidence"] if e["signal"] == "user_agent"]
    if any(e["signature"].startswith("ua.iphone") or e["signature"] == "ua.darwin-cfnetwork" for e in ua):
        return ["the darwin Wget UA was read as an iOS UA: " + describe(d)]
    return []


def sites_pcapng(r):
    desktop = device_with_mac(r, "34:e6:d7:02:1b:27")
    if desktop is None:
        return ["the desktop 34:e6:d7:02:1b:27 that visits cloud.huawei.com is missing"]
    if not any("huawei" in e["value"] for e in desktop["evidence"]):
        return ["the trap is gone: no Huawei destination in the desktop's evidence"]
    if desktop["platform"] in HUAWEI_FAMILY or desktop.get("vendor") == "huawei" or desktop["kind"] == "phone":
        return ["the desktop visiting cloud.huawei.com must not be a Huawei phone: " + describe(desktop)]
    return []


def huawei_ua(needle):
    def check(r):
        d = device_with_ua(r, needle)
        if d is None:
            return [f"no device shows the {needle} User-Agent"]
        if d["platform"] not in HUAWEI_FAMILY or d.get("vendor") not in ("huawei", "honor"):
            return [f"the {needle} must be a Huawei Android device: " + describe(d)]
        if d["platform"] != "android":
            return [f"the {needle} (Android 8/9, before HarmonyOS) must be Android: " + describe(d)]
        return []
    return check


EXPECTATIONS = {
    "ndpi/iphone.pcap": iphone_pcap,
    "ndpi/android.pcap": android_pcap,
    "ndpi/wechat.pcap": wechat_pcap,
    "ndpi/capwap.pcap": capwap_pcap,
    "ndpi/netflix.pcap": netflix_pcap,
    "ndpi/mpeg.pcap": mpeg_pcap,
    "ndpi/sites.pcapng": sites_pcapng,
    "ndpi/quic_q46.pcap": huawei_ua("BND-L21"),
    "ndpi/quic_q50.pcap": huawei_ua("LDN-L21"),
    "ndpi/http_origin_different_than_host.pcap": huawei_ua("JKM-LX1"),
}


def summary(report):
    lines = []
    for d in report["devices"]:
        lines.append(f"{d['key']} {d['platform']} {d['level']} {d['kind']} {d.get('vendor') or '-'}")
    return "\n".join(lines) + ("\n" if lines else "")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--phaseout", required=True)
    ap.add_argument("--corpus", required=True, help="../shared/corpus/pcap")
    ap.add_argument("--golden", required=True, help="tests/detect/golden")
    ap.add_argument("--signatures", help="signature directory (default: built in)")
    ap.add_argument("--update", action="store_true", help="rewrite the golden summaries")
    args = ap.parse_args()
    if not pathlib.Path(args.phaseout).is_file():  # a missing binary fails, never skips
        print(f"FAIL: no phaseout binary at {args.phaseout}")
        return 1
    corpus = pathlib.Path(args.corpus)
    if not corpus.is_dir():
        print(f"SKIP: corpus not found at {corpus}")
        return SKIP
    golden = pathlib.Path(args.golden)
    captures = sorted(p for p in corpus.rglob("*")
                      if p.is_file() and p.suffix in (".pcap", ".pcapng"))
    failures = []
    for cap in captures:
        rel = cap.relative_to(corpus).as_posix()
        cmd = [args.phaseout, "detect", "--format", "json", str(cap)]
        if args.signatures:
            cmd[2:2] = ["--signatures", args.signatures]
        run = subprocess.run(cmd, capture_output=True, text=True)
        if run.returncode != 0:
            failures.append(f"{rel}: exit {run.returncode}: {run.stderr.strip()}")
            continue
        report = json.loads(run.stdout)
        for d in report["devices"]:
            if d["platform"] == "ios" and d["level"] == "confirmed" and not set(d["macs"]) & IPHONES:
                failures.append(f"{rel}: confirmed iOS on a device that is not an iPhone: {describe(d)}")
        check = EXPECTATIONS.get(rel)
        if check:
            for problem in check(report):
                failures.append(f"{rel}: {problem}")
        want_file = golden / (rel.replace("/", "__") + ".txt")
        got = summary(report)
        if args.update:
            want_file.parent.mkdir(parents=True, exist_ok=True)
            want_file.write_text(got)
        elif not want_file.exists():
            failures.append(f"{rel}: no golden summary {want_file} (run with --update)")
        elif want_file.read_text() != got:
            failures.append(f"{rel}: verdicts differ from {want_file.name}:\n--- want\n"
                            f"{want_file.read_text()}--- got\n{got}")
        print(f"{rel}:")
        for line in got.splitlines():
            print(f"    {line}")
    for f in failures:
        print(f"FAIL {f}")
    if failures:
        return 1
    print(f"ok: {len(captures)} captures, {len(EXPECTATIONS)} pinned expectations met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
