#!/usr/bin/env python3
"""`phaseout detect --zeek` on Zeek's own test-suite logs (dhcp.pcap.dhcp.log and
dhcp.pcap.conn.log of the shared corpus): every record is read (test baselines mask times as
XXXXXXXXXX.XXXXXX, which is no time, not a bad line), the client is found by its MAC with its
host name and leased address, and what dhcp.log cannot give (option 55) leaves the verdict
unknown rather than breaking it.

Exit status: 0 pass, 1 failure, 77 skipped (corpus absent).
"""
import argparse
import json
import pathlib
import subprocess
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--phaseout", required=True)
    ap.add_argument("--corpus", required=True)
    args = ap.parse_args()
    if not pathlib.Path(args.phaseout).is_file():  # a missing binary fails, never skips
        print(f"FAIL: no phaseout binary at {args.phaseout}")
        return 1
    corpus = pathlib.Path(args.corpus)
    if not (corpus / "dhcp.pcap.dhcp.log").exists():
        print(f"skipped: shared corpus not found at {corpus}")
        return 77
    p = subprocess.run([args.phaseout, "detect", "--format", "json", "--zeek", str(corpus)],
                       capture_output=True, text=True)
    failures = []
    if p.returncode != 0:
        failures.append(f"exit {p.returncode}: {p.stderr}")
    out = json.loads(p.stdout)
    stats = out["stats"]
    if stats["log_files"] != 2 or stats["log_records"] != 7 or stats["log_bad_lines"] != 0:
        failures.append(f"stats: {stats}")
    if "warning" in p.stderr and "OUI" not in p.stderr and "ieee" not in p.stderr:
        failures.append(f"unexpected warnings: {p.stderr}")
    keys = [d["key"] for d in out["devices"]]
    # With an IEEE registry the Dell MAC is evidence and the client is listed; without one it
    # has no evidence at all. Either way it is never given a platform from a host name alone.
    for d in out["devices"]:
        if d["key"] != "mac:90:b1:1c:99:49:29":
            failures.append(f"unexpected device {d['key']}")
            continue
        if d["hostnames"] != ["btest.is.cool"]:
            failures.append(f"hostnames {d['hostnames']}")
        if "128.2.6.97" not in d["ips"]:
            failures.append(f"ips {d['ips']}")
        if d["level"] != "unknown":
            failures.append(f"a Dell MAC and a host name are not a verdict: {d['level']}")
        if "first_seen" in d:
            failures.append("masked times are no times")
    print(f"devices: {keys}")
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
