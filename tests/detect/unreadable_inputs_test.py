#!/usr/bin/env python3
"""No partial success by accident: every command that reads several inputs (detect with
captures, --zeek, --eve and --access-log; observe; sightings import) fails with exit 1 when an
input cannot be read, names each such input, prints no verdicts and stores nothing -- unless
--keep-going is given, when it says on stderr what it skipped and goes on with the rest.

Uses only committed files (the synthetic captures and the log fixtures); needs no corpus.

Usage: unreadable_inputs_test.py --phaseout BIN --source SOURCE_DIR
Exit status: 0 pass, 1 failure (printed).
"""
import argparse
import json
import os
import pathlib
import sqlite3
import subprocess
import sys
import tempfile

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
    return cond


def run(cmd):
    env = {k: v for k, v in os.environ.items() if k not in ("PHASEOUT_SIGNATURES", "PHASEOUT_OUI")}
    return subprocess.run(cmd, capture_output=True, text=True, env=env)


def sightings(db):
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT COUNT(*) FROM sightings").fetchone()[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--phaseout", required=True)
    ap.add_argument("--source", required=True)
    args = ap.parse_args()
    px = args.phaseout
    if not pathlib.Path(px).is_file():
        print(f"FAIL: no phaseout binary at {px}")
        return 1
    src = pathlib.Path(args.source)
    good = str(src / "tests/detect/synthetic/ios_private_mac.pcap")
    logs = src / "tests/logs/data"

    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        missing = str(tmp / "missing.pcap")
        also_missing = str(tmp / "also-missing.pcap")
        not_capture = tmp / "notes.pcap"
        not_capture.write_text("not a capture\n")
        db = str(tmp / "s.db")
        r = run([px, "--db", db, "init"])
        check(r.returncode == 0, f"init: {r.stderr}")

        # detect a.pcap missing.pcap: exit 1, each unreadable input named, no verdicts printed,
        # nothing stored.
        r = run([px, "--db", db, "detect", "--store", good, missing, also_missing])
        check(r.returncode == 1, f"detect with missing inputs: exit {r.returncode}")
        check(missing in r.stderr and also_missing in r.stderr,
              f"each unreadable input named: {r.stderr}")
        check(r.stdout == "", f"no verdicts printed on failure: {r.stdout}")
        check("nothing stored" in r.stderr, f"says nothing was stored: {r.stderr}")
        check(sightings(db) == 0, "nothing stored without --keep-going")

        # A file that opens but is no capture is found while reading: the same failure.
        r = run([px, "--db", db, "detect", "--store", good, str(not_capture)])
        check(r.returncode == 1 and "notes.pcap" in r.stderr, f"not a capture: {r.stderr}")
        check(sightings(db) == 0, "nothing stored for a file that is no capture")

        # Logs: --access-log, --eve and --zeek inputs follow the same rule.
        for flag, value in (("--access-log", f"mail={tmp / 'missing.log'}"),
                            ("--eve", str(tmp / "missing.json")),
                            ("--zeek", str(tmp / "no-such-dir"))):
            r = run([px, "detect", "--access-log", f"mail={logs / 'mail.log'}", flag, value])
            check(r.returncode == 1, f"detect {flag} unreadable: exit {r.returncode}")
            check(value.split("=")[-1] in r.stderr, f"detect {flag}: input named: {r.stderr}")
            check(r.stdout == "", f"detect {flag}: no verdicts printed: {r.stdout}")

        # --keep-going: reads the rest, says what it skipped, stores.
        r = run([px, "--db", db, "detect", "--keep-going", "--store", "--format", "json", good,
                 missing, str(not_capture)])
        check(r.returncode == 0, f"--keep-going: exit {r.returncode} {r.stderr}")
        check(f"skipped {missing}" in r.stderr and "skipped " + str(not_capture) in r.stderr,
              f"--keep-going names what it skipped: {r.stderr}")
        if check(r.stdout.startswith("{"), "--keep-going prints the verdicts"):
            report = json.loads(r.stdout)
            check(report["stats"]["files"] == 1 and report["stats"]["unreadable_files"] == 2,
                  f"stats {report['stats']}")
        check(sightings(db) > 0, "--keep-going stores what was read")
        stored = sightings(db)

        # Nothing readable at all fails even with --keep-going.
        r = run([px, "detect", "--keep-going", missing, also_missing])
        check(r.returncode == 1 and "nothing could be read" in r.stderr,
              f"--keep-going with nothing readable: {r.returncode} {r.stderr}")

        # observe: the same rule, before any observation is printed.
        r = run([px, "observe", good, missing])
        check(r.returncode == 1 and missing in r.stderr, f"observe missing: {r.stderr}")
        check(not any(line.startswith('{"file"') for line in r.stdout.splitlines()),
              f"observe printed observations before failing: {r.stdout[:200]}")
        r = run([px, "observe", "--keep-going", good, missing])
        check(r.returncode == 0 and f"skipped {missing}" in r.stderr,
              f"observe --keep-going: {r.returncode} {r.stderr}")
        check('"frame"' in r.stdout, "observe --keep-going prints the readable file's observations")

        # sightings import: all files or none, unless --keep-going.
        r = run([px, "detect", "--format", "json", good])
        detect_json = tmp / "d.json"
        detect_json.write_text(r.stdout)
        r = run([px, "--db", db, "sightings", "import", str(detect_json), str(tmp / "gone.json")])
        check(r.returncode == 1 and "gone.json" in r.stderr, f"import missing: {r.stderr}")
        check(sightings(db) == stored, "import stored nothing")
        r = run([px, "--db", db, "sightings", "import", "--keep-going", str(detect_json),
                 str(tmp / "gone.json")])
        check(r.returncode == 0 and "gone.json" in r.stderr, f"import --keep-going: {r.stderr}")
        check(sightings(db) > stored, "import --keep-going stored the readable file")

    for f in failures:
        print(f"FAIL {f}")
    if not failures:
        print("ok")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
