#!/usr/bin/env python3
"""Live detection, for real, with a signature reload: `phaseout detect --interface` on one end
of a veth pair judges what tcpreplay sends into the other end, and SIGHUP reloads the
signatures from disk while it runs.

In a private network namespace (as observe's live test): start `phaseout detect --interface
phs1 --signatures DIR --format json` with DIR a copy of data/signatures, wait for its
"listening on" line, replay ndpi/iphone.pcap, then
  1. put a broken signature file in DIR and send SIGHUP: the reload is refused, with the
     reason, and the signatures in force stay (the count is unchanged);
  2. remove the broken file and names.yaml (the host-name signatures) and send SIGHUP: the
     reload succeeds with fewer signatures;
  3. SIGINT: the verdicts printed judge the evidence already collected with the new set: no
     evidence cites a signature of names.yaml any more, so the iPhone, whose host name
     "Lucas-iPhone" was seen before the reload, leans to iOS but is no longer decided.
Between the steps a small capture is replayed, so the reload is applied between two batches
of packets, as it is on a busy network.

Needs root, iproute2 with netns support and tcpreplay; otherwise it exits 77 (skipped) and
says why.
"""
import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "support"))
from netns import SKIP, add_veth_pair, ns_exec, run, tear_down, wait_for, why_not  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--phaseout", required=True)
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--signatures", required=True, help="the repository's data/signatures")
    args = parser.parse_args()
    iphone = pathlib.Path(args.corpus) / "ndpi/iphone.pcap"
    small = pathlib.Path(args.corpus) / "zeek/dhcp.pcap"
    refused = why_not(args.phaseout, ("tcpreplay",), (iphone, small))
    if refused:
        print(refused[1])
        return refused[0]

    names_ids = set()
    for line in (pathlib.Path(args.signatures) / "names.yaml").read_text().splitlines():
        line = line.strip()
        if line.startswith("- id:"):
            names_ids.add(line.split(":", 1)[1].strip())
    if not names_ids:
        raise RuntimeError("names.yaml has no signature ids")

    ns = f"phdetect{os.getpid()}"
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="phaseout_live_detect_"))
    sigs = tmp / "signatures"
    shutil.copytree(args.signatures, sigs)
    r = run(["ip", "netns", "add", ns])
    if r.returncode != 0:
        print(f"SKIP: cannot create a network namespace: {r.stderr.strip()}")
        return SKIP
    proc = None
    try:
        add_veth_pair(ns, "phs0", "phs1")
        proc = subprocess.Popen(
            ns_exec(ns, [args.phaseout, "detect", "--interface", "phs1", "--signatures",
                         str(sigs), "--format", "json", "--duration", "120"]),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        lines = []
        wait_for(proc, lines, "listening on")

        def replay(path):
            r = run(ns_exec(ns, ["tcpreplay", "--intf1=phs0", "--pps=2000", str(path)]))
            if r.returncode != 0:
                raise RuntimeError(f"tcpreplay failed: {r.stderr.strip()[-800:]}")

        replay(iphone)
        # 1. A broken file: refused, the set in force stays.
        (sigs / "zz-broken.yaml").write_text("version: 1\nsignatures:\n  - id: [not, a, name\n")
        proc.send_signal(1)  # SIGHUP
        replay(small)
        refused = wait_for(proc, lines, "reload from")
        if "failed" not in refused or "zz-broken.yaml" not in refused:
            raise RuntimeError(f"a broken signature file was not refused by name: {refused}")
        # 2. Without the broken file and without names.yaml: accepted, fewer signatures.
        (sigs / "zz-broken.yaml").unlink()
        (sigs / "names.yaml").unlink()
        proc.send_signal(1)
        replay(small)
        accepted = wait_for(proc, lines, "reloaded")
        stayed = int(refused.split(" signatures stay")[0].rsplit(" ", 1)[1])
        now = int(accepted.split("reloaded ")[1].split(" ")[0])
        if not now < stayed:
            raise RuntimeError(f"the reload did not drop names.yaml: {stayed} -> {now}")
        # 3. Stop and read the verdicts.
        proc.send_signal(2)  # SIGINT
        out, err = proc.communicate(timeout=60)
        if proc.returncode != 0:
            raise RuntimeError(f"detect exited {proc.returncode}: {''.join(lines)}{err}")
        devices = json.loads(out)["devices"]
        iphone = [d for d in devices if d["key"] == "mac:c4:61:8b:35:82:a9"]
        if not iphone:
            raise RuntimeError(f"the iPhone was not seen: {[d['key'] for d in devices]}")
        iphone = iphone[0]
        # Its host name (Lucas-iPhone) was seen before the reload; judged again without the
        # host-name signatures, it no longer counts as evidence, and what is left (Apple stack,
        # DHCP, destinations) leans to iOS without telling it from iPadOS: no longer decided.
        cited = {e["signature"] for d in devices for e in d["evidence"]}
        if cited & names_ids:
            raise RuntimeError(f"evidence still cites removed signatures: {cited & names_ids}")
        if "Lucas-iPhone" not in iphone["hostnames"]:
            raise RuntimeError(f"the iPhone lost its host name: {iphone['hostnames']}")
        if iphone["candidates"][0]["platform"] != "ios" or iphone["level"] == "confirmed":
            raise RuntimeError(f"unexpected verdict after the reload: {iphone['platform']} "
                               f"{iphone['level']} {iphone['candidates']}")
        print(f"live detect: {len(devices)} devices; reload refused a broken file and then "
              f"went from {stayed} to {now} signatures; the iPhone, judged again without "
              f"host names, is {iphone['level']} (ios p={iphone['candidates'][0]['p']})")
        return 0
    finally:
        tear_down(ns, tmp, proc)


if __name__ == "__main__":
    sys.exit(main())
