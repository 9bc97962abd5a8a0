#!/usr/bin/env python3
"""A live sensor that publishes every period: `phaseout detect --interface --publish
--publish-every 3` keeps capturing and sends one batch per period, each judged on the evidence
of its own period.

In a private network namespace: loopback up and nats-server -js on it (temporary store); a veth
pair, detect capturing on one end. After the first (empty) period, tcpreplay sends
ndpi/iphone.pcap; once that period has been published, zeek/dhcp.pcap; once that one has been
published too, SIGINT. Then:
  - detect exits 0 and printed one document per period, the iPhone in the first batch and not
    in the second (the evidence starts afresh each period);
  - `phaseout ingest --once` (in the namespace, a SQLite database) stores exactly the batches
    that had devices, as many sightings as they had devices, and `audit verify` passes.

Needs root, ip, tcpreplay, nats-server and the corpus; otherwise it exits 77 (skipped) and
says why.
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "support"))
from netns import SKIP, add_veth_pair, ns_exec, run, tear_down, wait_for, why_not  # noqa: E402
IPHONE_KEY = "mac:c4:61:8b:35:82:a9"


def documents(text):
    """The JSON documents printed one after another."""
    decoder = json.JSONDecoder()
    out, at = [], 0
    while True:
        while at < len(text) and text[at].isspace():
            at += 1
        if at == len(text):
            return out
        doc, at = decoder.raw_decode(text, at)
        out.append(doc)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--phaseout", required=True)
    parser.add_argument("--corpus", required=True)
    args = parser.parse_args()
    iphone = pathlib.Path(args.corpus) / "ndpi/iphone.pcap"
    small = pathlib.Path(args.corpus) / "zeek/dhcp.pcap"
    refused = why_not(args.phaseout, ("tcpreplay", "nats-server"), (iphone, small))
    if refused:
        print(refused[1])
        return refused[0]

    ns = f"phpub{os.getpid()}"
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="phaseout_live_publish_"))
    r = run(["ip", "netns", "add", ns])
    if r.returncode != 0:
        print(f"SKIP: cannot create a network namespace: {r.stderr.strip()}")
        return SKIP
    nats = proc = None
    try:
        add_veth_pair(ns, "php0", "php1", loopback=True)
        url = "nats://127.0.0.1:4222"  # the namespace's own loopback
        nats = subprocess.Popen(
            ns_exec(ns, ["nats-server", "-js", "-sd", str(tmp / "jetstream"), "-a", "127.0.0.1",
                         "-p", "4222"]),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)
        proc = subprocess.Popen(
            ns_exec(ns, [args.phaseout, "detect", "--interface", "php1", "--format", "json",
                         "--publish", url, "--site", "live", "--queue-dir", str(tmp / "queue"),
                         "--publish-every", "3", "--duration", "120"]),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        lines = []
        wait_for(proc, lines, lambda line: "listening on" in line)

        def replay(path):
            r = run(ns_exec(ns, ["tcpreplay", "--intf1=php0", "--pps=2000", str(path)]))
            if r.returncode != 0:
                raise RuntimeError(f"tcpreplay failed: {r.stderr.strip()[-800:]}")

        def period_with_devices(line):
            return line.startswith("phaseout: period ended:") and \
                not line.startswith("phaseout: period ended: 0 ")

        # A period boundary first, so each capture falls inside one period.
        wait_for(proc, lines, lambda line: line.startswith("phaseout: period ended:"))
        replay(iphone)
        wait_for(proc, lines, period_with_devices)
        wait_for(proc, lines, lambda line: line.startswith("phaseout: published 1 batch"))
        replay(small)
        wait_for(proc, lines, period_with_devices)
        wait_for(proc, lines, lambda line: line.startswith("phaseout: published 1 batch"))
        proc.send_signal(2)  # SIGINT
        out, err = proc.communicate(timeout=60)
        if proc.returncode != 0:
            raise RuntimeError(f"detect exited {proc.returncode}: {''.join(lines)}{err}")
        docs = documents(out)
        batches = [d for d in docs if d["devices"]]
        if len(batches) < 2:
            raise RuntimeError(f"expected two batches with devices, got {len(batches)}: "
                               f"{''.join(lines)}{err}")
        first = {d["key"] for d in batches[0]["devices"]}
        second = {d["key"] for d in batches[1]["devices"]}
        if IPHONE_KEY not in first or IPHONE_KEY in second:
            raise RuntimeError(f"the iPhone should be in the first period only: {first} / {second}")
        if len(batches) != 2:
            raise RuntimeError(f"a third batch with devices after the last replay: {batches[2:]}")

        db = tmp / "centre.db"
        r = run(ns_exec(ns, [args.phaseout, "--db", str(db), "init"]))
        if r.returncode != 0:
            raise RuntimeError(f"init failed: {r.stderr}")
        r = run(ns_exec(ns, [args.phaseout, "--db", str(db), "ingest", "--from", url, "--once"]))
        if r.returncode != 0:
            raise RuntimeError(f"ingest failed: {r.stdout}{r.stderr}")
        devices = len(batches[0]["devices"]) + len(batches[1]["devices"])
        want = f"ingested 2 message(s), {devices} sighting(s)"
        if want not in r.stdout + r.stderr:
            raise RuntimeError(f"expected '{want}': {r.stdout}{r.stderr}")
        r = run([args.phaseout, "--db", str(db), "audit", "verify"])
        if r.returncode != 0:
            raise RuntimeError(f"audit verify failed: {r.stdout}{r.stderr}")
        print(f"live publish: {len(docs)} periods, 2 batches ({len(first)} and {len(second)} "
              f"devices) published while capturing and stored once each")
        return 0
    finally:
        tear_down(ns, tmp, proc, nats)


if __name__ == "__main__":
    sys.exit(main())
