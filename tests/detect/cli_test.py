#!/usr/bin/env python3
"""End-to-end behaviour of `phaseout detect` and `phaseout ua` as a user meets them: output
shapes (JSON keys of the issue, text), evidence attributed to the right file and frame,
signatures loaded at run time (--signatures, $PHASEOUT_SIGNATURES) with file:line errors, the
OUI registry flag, exit codes. Uses the committed synthetic captures (no corpus needed).

Exit status: 0 pass, 1 failure.
"""
import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
    return cond


def run(cmd, env=None, stdin=None):
    return subprocess.run(cmd, capture_output=True, text=True, env=env, input=stdin)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--phaseout", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--corpus", help="unused; the test needs only committed files")
    args = ap.parse_args()
    px = args.phaseout
    src = pathlib.Path(args.source)
    syn = src / "tests/detect/synthetic"
    ios, mac = str(syn / "ios_private_mac.pcap"), str(syn / "macbook_iphone_ua.pcap")
    env = {k: v for k, v in os.environ.items() if k not in ("PHASEOUT_SIGNATURES", "PHASEOUT_OUI")}

    # JSON shape, and evidence attributed to its file and frame across several files.
    r = run([px, "detect", "--format", "json", ios, mac], env=env)
    check(r.returncode == 0, f"detect two files: exit {r.returncode} {r.stderr}")
    report = json.loads(r.stdout)
    check(set(report) == {"devices", "stats"}, f"top-level keys {set(report)}")
    for d in report["devices"]:
        for key in ("key", "macs", "ips", "hostnames", "platform", "kind", "confidence", "level",
                    "evidence"):
            check(key in d, f"device lacks '{key}'")
        for e in d["evidence"]:
            for key in ("signal", "value", "signature", "weight", "group"):
                check(key in e, f"evidence lacks '{key}'")
        files = {e.get("file") for e in d["evidence"] if "frame" in e}
        want = mac if "f0:18:98:3b:77:e2" in d["macs"] else ios
        check(files == {want}, f"{d['key']}: evidence from {files}, expected only {want}")
    stats = report["stats"]
    check(stats["files"] == 2 and stats["devices"] == 3, f"stats {stats}")
    check(stats["confirmed"] + stats["likely"] + stats["unknown"] == stats["devices"], "level counts")
    check("user_agent.yaml@" in stats["signatures"], f"signature version {stats['signatures']}")

    # Signatures no public source backs are marked in the evidence, and only they.
    observed_only = set()
    for f in sorted((src / "data/signatures").glob("*.yaml")):
        current = None
        for line in f.read_text().splitlines():
            if line.strip().startswith("- id:"):
                current = line.split(":", 1)[1].strip()
            elif line.strip() == "observed_only: true" and current:
                observed_only.add(current)
    check(len(observed_only) > 0, "no observed_only signature in data/signatures")
    marked = 0
    for name in sorted(syn.glob("*.pcap")):
        r = run([px, "detect", "--format", "json", str(name)], env=env)
        for d in json.loads(r.stdout)["devices"] if r.returncode == 0 else []:
            for e in d["evidence"]:
                want = e["signature"] in observed_only
                marked += want
                check(e.get("observed_only", False) is want,
                      f"{name.name}: {e['signature']} observed_only={e.get('observed_only')}")
        t = run([px, "detect", str(name)], env=env)
        check(("observed only]" in t.stdout) == any(
            f"[{sig}," in t.stdout for sig in observed_only), f"{name.name}: text marker")
    check(marked > 0, "no observed-only evidence in the synthetic captures")

    # Text output names the verdict and its evidence.
    r = run([px, "detect", ios], env=env)
    check(r.returncode == 0 and "mac:5e:e3:12:4b:9a:07  ios phone  confirmed" in r.stdout,
          f"text output:\n{r.stdout}")
    check("hostname \"iPhone\" [name.iphone, device_name] ios_private_mac.pcap#" in r.stdout,
          "text evidence line")

    # Signatures from a directory at run time: a weight changed in a copy changes the verdict.
    with tempfile.TemporaryDirectory() as tmp:
        sigs = pathlib.Path(tmp) / "signatures"
        shutil.copytree(src / "data/signatures", sigs)
        names = (sigs / "names.yaml").read_text()
        check("weights: {macos: 3.5}\n    kind: laptop" in names, "names.yaml layout changed")
        (sigs / "names.yaml").write_text(names.replace("weights: {macos: 3.5}\n    kind: laptop",
                                                        "weights: {ios: 3.5}\n    kind: laptop", 1))
        r1 = run([px, "detect", "--format", "json", "--signatures", str(sigs), mac], env=env)
        env_sig = dict(env, PHASEOUT_SIGNATURES=str(sigs))
        r2 = run([px, "detect", "--format", "json", mac], env=env_sig)
        for label, rr in (("--signatures", r1), ("$PHASEOUT_SIGNATURES", r2)):
            if check(rr.returncode == 0, f"{label}: exit {rr.returncode} {rr.stderr}"):
                d = json.loads(rr.stdout)["devices"][0]
                sig = [e for e in d["evidence"] if e["signature"] == "model.mac-laptop"]
                check(bool(sig) and (sig[0]["weight"] == 0.0 or d["platform"] != "macos"),
                      f"{label}: the edited signature was not used: {d['platform']} {sig}")
        # A broken file: exit 1, and the message names file and line.
        (sigs / "dhcp.yaml").write_text("schema: 1\nversion: x\nsignatures:\n  - id: broken\n"
                                        "    signal: dhcp_param_list\n    match: '1,2'\n"
                                        "    weights: {iphone: 2}\n    group: dhcp_client\n"
                                        "    source: test\n")
        r = run([px, "detect", "--signatures", str(sigs), ios], env=env)
        check(r.returncode == 1, f"broken signatures: exit {r.returncode}")
        check("dhcp.yaml:7: weights: unknown platform 'iphone'" in r.stderr,
              f"broken signatures message: {r.stderr}")
        r = run([px, "ua", "--signatures", str(sigs)], env=env, stdin="x\n")
        check(r.returncode == 1 and "dhcp.yaml:7" in r.stderr, f"ua with broken signatures: {r.stderr}")

    # OUI registry: an explicit unreadable file is an error; a good one is named in the stats.
    r = run([px, "detect", "--oui", "/nonexistent/oui.txt", ios], env=env)
    check(r.returncode == 1 and "/nonexistent/oui.txt" in r.stderr, f"--oui missing: {r.stderr}")
    with tempfile.TemporaryDirectory() as tmp:
        manuf = pathlib.Path(tmp) / "manuf"
        manuf.write_text("F0:18:98\tApple\tApple, Inc.\n")
        r = run([px, "detect", "--format", "json", "--oui", str(manuf), mac], env=env)
        if check(r.returncode == 0, f"--oui manuf: {r.stderr}"):
            rep = json.loads(r.stdout)
            check(rep["stats"]["oui"] == str(manuf), f"oui source {rep['stats']['oui']}")
            check(any(e["signal"] == "mac_oui" and e["value"] == "Apple, Inc."
                      for e in rep["devices"][0]["evidence"]), "mac_oui evidence from --oui file")

    # Nothing readable: exit 1 with a message; --help: exit 0.
    r = run([px, "detect", "/nonexistent.pcap"], env=env)
    check(r.returncode == 1 and "nothing could be read" in r.stderr, f"unreadable: {r.returncode} {r.stderr}")
    r = run([px, "detect", "--help"], env=env)
    check(r.returncode == 0 and "confirmed" in r.stdout, "detect --help")
    r = run([px, "ua", "--help"], env=env)
    check(r.returncode == 0, "ua --help")

    # phaseout ua: standard input and files, JSON lines and text.
    uas = ("Mozilla/5.0 (iPhone; CPU iPhone OS 16_5 like Mac OS X) AppleWebKit/605.1.15\n"
           "Dalvik/2.1.0 (Linux; U; Android 10; Redmi Note 9 Pro MIUI/V12.0.3.0.QJZMIXM)\n"
           "\n"
           "curl/8.0\n")
    r = run([px, "ua"], env=env, stdin=uas)
    lines = [json.loads(x) for x in r.stdout.splitlines()]
    check(r.returncode == 0 and len(lines) == 4, f"ua lines: {r.stdout}")
    if len(lines) == 4:
        check(lines[0]["platform"] == "ios" and lines[0]["kind"] == "phone" and
              lines[0]["version"] == "16.5", f"ua iPhone {lines[0]}")
        check(lines[1]["platform"] == "android" and lines[1]["version"] == "10" and
              lines[1]["vendor"] == "xiaomi", f"ua Dalvik {lines[1]}")
        check(lines[2]["platform"] == "unknown" and lines[3]["platform"] == "unknown", "ua unknowns")
    with tempfile.TemporaryDirectory() as tmp:
        f = pathlib.Path(tmp) / "uas.txt"
        f.write_text(uas)
        r = run([px, "ua", "--format", "text", str(f)], env=env)
        check(r.returncode == 0 and r.stdout.startswith("ios\tphone\t16.5\tapple\tua.iphone.browser\t"),
              f"ua text: {r.stdout}")
        r = run([px, "ua", str(f), str(pathlib.Path(tmp) / "missing.txt")], env=env)
        check(r.returncode == 1 and len(r.stdout.splitlines()) == 4, "ua with a missing file")

    for f in failures:
        print(f"FAIL {f}")
    if not failures:
        print("ok")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
