#!/usr/bin/env python3
"""The synthetic captures of tests/detect/synthetic/ (issue 4, deliverable 7).

1. The generator reproduces every committed capture and expected.json byte for byte (so the
   committed files are what the documented behaviour in generate.py describes).
2. `phaseout detect` gives each capture its expected verdicts: for every expected device (by
   MAC) the platform, at least the level, the kind and vendor when given, and never one of the
   `never` platforms (not even as a likely verdict); and the number of devices.

Exit status: 0 pass, 1 failure.
"""
import argparse
import filecmp
import json
import pathlib
import subprocess
import sys
import tempfile

LEVELS = {"unknown": 0, "likely": 1, "confirmed": 2}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--phaseout", required=True)
    ap.add_argument("--dir", required=True, help="tests/detect/synthetic")
    args = ap.parse_args()
    here = pathlib.Path(args.dir)
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, str(here / "generate.py"), "--out", tmp], check=True)
        for produced in sorted(pathlib.Path(tmp).iterdir()):
            committed = here / produced.name
            if not committed.exists():
                failures.append(f"{produced.name}: generated but not committed")
            elif not filecmp.cmp(produced, committed, shallow=False):
                failures.append(f"{produced.name}: the generator no longer reproduces the committed file")
    expected = json.loads((here / "expected.json").read_text())
    for name, want in expected.items():
        run = subprocess.run([args.phaseout, "detect", "--format", "json", str(here / name)],
                             capture_output=True, text=True)
        if run.returncode != 0:
            failures.append(f"{name}: exit {run.returncode}: {run.stderr.strip()}")
            continue
        devices = json.loads(run.stdout)["devices"]
        print(f"{name}:")
        for d in devices:
            print(f"    {d['key']} {d['platform']} {d['level']} {d['confidence']} {d['kind']} "
                  f"{d.get('vendor', '-')}")
        if len(devices) != want["device_count"]:
            failures.append(f"{name}: {len(devices)} devices, expected {want['device_count']}")
        for w in want["devices"]:
            got = next((d for d in devices if w["mac"] in d["macs"]), None)
            if got is None:
                failures.append(f"{name}: no device with MAC {w['mac']}")
                continue
            if got["platform"] != w["platform"]:
                failures.append(f"{name}: {w['mac']} is {got['platform']}, expected {w['platform']}")
            if LEVELS[got["level"]] < LEVELS[w["min_level"]]:
                failures.append(f"{name}: {w['mac']} is {got['level']}, expected at least {w['min_level']}")
            for key in ("kind", "vendor"):
                if key in w and got.get(key) != w[key]:
                    failures.append(f"{name}: {w['mac']} {key} {got.get(key)}, expected {w[key]}")
            for never in w.get("never", []):
                if got["platform"] == never:
                    failures.append(f"{name}: {w['mac']} must never be {never}")
    for f in failures:
        print(f"FAIL {f}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
