#!/usr/bin/env python3
"""Live capture, for real: `phaseout sense` on one end of a veth pair sees what
`phaseout observe` sees in the file that tcpreplay sends into the other end.

Creates a private network namespace holding a veth pair (IPv6 off, so the kernel adds no
router solicitations or DAD packets of its own), starts `phaseout sense --interface` on one
end, waits for its "listening on" line, replays corpus captures with tcpreplay into the other
end, and compares the observations with `phaseout observe FILE`: the same observations in
the same order, timestamps excepted (they are capture times), frame numbers included (no
packet may be lost or added). The packet count must match too.

Needs root, iproute2 with netns support and tcpreplay; otherwise it exits 77 (skipped) and
says why. Only a missing capability skips (no root, no tool, no corpus, a kernel that refuses
a namespace or veth pair); anything else, a missing phaseout binary included, is a failure.
The namespace is removed on exit.
"""
import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys
import time

SKIP = 77
CAPTURES = ["ndpi/iphone.pcap", "ndpi/capwap.pcap", "ndpi/alexa-app.pcapng",
            "zeek/dhcp.pcap"]


class CapabilityMissing(Exception):
    """The machine cannot run this test (no network namespace or veth pair for us)."""


def skip(reason):
    print(f"SKIP: {reason}")
    return SKIP


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, check=False, **kw)


def observations(stdout):
    lines = [json.loads(line) for line in stdout.splitlines() if line.strip()]
    if not lines or "stats" not in lines[-1]:
        raise RuntimeError("no stats line in output")
    obs = []
    for o in lines[:-1]:
        o = dict(o)
        o.pop("ts", None)
        obs.append(o)
    return obs, lines[-1]["stats"]


class Namespace:
    def __init__(self, name):
        self.name = name
        self.created = False

    def __enter__(self):
        r = run(["ip", "netns", "add", self.name])
        if r.returncode != 0:
            raise CapabilityMissing(f"ip netns add failed: {r.stderr.strip()}")
        self.created = True
        return self

    def __exit__(self, *exc):
        if self.created:
            run(["ip", "netns", "del", self.name])

    def exec(self, cmd, **kw):
        return ["ip", "netns", "exec", self.name] + cmd


def setup_veth(ns):
    steps = [
        ["sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1"],
        ["sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1"],
        ["ip", "link", "add", "phs0", "type", "veth", "peer", "name", "phs1"],
        ["ip", "link", "set", "phs0", "mtu", "9000"],
        ["ip", "link", "set", "phs1", "mtu", "9000"],
        ["ip", "link", "set", "phs0", "up"],
        ["ip", "link", "set", "phs1", "up"],
    ]
    for step in steps:
        r = run(ns.exec(step))
        if r.returncode != 0:
            raise CapabilityMissing(f"{' '.join(step)} failed: {r.stderr.strip()}")


def sense_file(phaseout, ns, tcpreplay, path, packets, pps):
    proc = subprocess.Popen(
        ns.exec([phaseout, "sense", "--interface", "phs1", "--count", str(packets),
                 "--duration", "120"]),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # Wait for "listening on" so no packet is sent before the capture is open.
    first = proc.stderr.readline()
    if "listening on" not in first:
        proc.kill()
        out, err = proc.communicate()
        raise RuntimeError(f"sense did not start: {first}{err}")
    replay = run(ns.exec([tcpreplay, "--intf1=phs0", f"--pps={pps}", str(path)]))
    if replay.returncode != 0:
        proc.kill()
        proc.communicate()
        raise RuntimeError(f"tcpreplay failed: {replay.stderr.strip()[-800:]}")
    try:
        out, err = proc.communicate(timeout=150)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"sense exited {proc.returncode}: {err.strip()}")
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--phaseout", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--pps", type=int, default=4000)
    args = ap.parse_args()

    if not pathlib.Path(args.phaseout).is_file():
        print(f"FAIL: no phaseout binary at {args.phaseout}")
        return 1
    if os.geteuid() != 0:
        return skip("needs root to create a network namespace and capture")
    for tool in ("ip", "tcpreplay"):
        if shutil.which(tool) is None:
            return skip(f"{tool} not installed")
    corpus = pathlib.Path(args.corpus)
    files = [corpus / c for c in CAPTURES if (corpus / c).exists()]
    if not files:
        return skip(f"corpus captures not found under {corpus}")
    phaseout = str(pathlib.Path(args.phaseout).resolve())
    tcpreplay = shutil.which("tcpreplay")

    failures = 0
    try:
        with Namespace(f"ph-sense-{os.getpid()}") as ns:
            try:
                setup_veth(ns)
            except CapabilityMissing as e:
                return skip(f"cannot set up a veth pair: {e}")
            for path in files:
                expected_out = run([phaseout, "observe", str(path)])
                if expected_out.returncode != 0:
                    print(f"FAIL {path.name}: observe exited {expected_out.returncode}")
                    failures += 1
                    continue
                expected, expected_stats = observations(expected_out.stdout)
                started = time.monotonic()
                got, got_stats = observations(
                    sense_file(phaseout, ns, tcpreplay, path, expected_stats["packets"], args.pps))
                seconds = time.monotonic() - started
                ok = True
                if got_stats["packets"] != expected_stats["packets"]:
                    print(f"FAIL {path.name}: sense saw {got_stats['packets']} packets, file has "
                          f"{expected_stats['packets']} (dropped {got_stats.get('dropped')})")
                    ok = False
                if got != expected:
                    ok = False
                    print(f"FAIL {path.name}: {len(got)} observations live, {len(expected)} "
                          f"from the file")
                    for i, (a, b) in enumerate(zip(expected, got)):
                        if a != b:
                            print(f"  first difference at #{i}:\n    file {a}\n    live {b}")
                            break
                if ok:
                    print(f"ok {path.name}: {len(got)} observations from "
                          f"{got_stats['packets']} packets, equal ({seconds:.1f} s)")
                else:
                    failures += 1
    except CapabilityMissing as e:
        return skip(f"network namespaces unavailable: {e}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
