#!/usr/bin/env python3
"""Extracts fuzz seeds for the dissect_* harnesses from real captures, with tshark.

Usage: extract_seeds.py CAPTURE_DIR [FUZZ_DIR]
For each dissector, frames matching a tshark display filter are written in the layout of
src/dissect/fuzz_input.h (selector, ports, TCP flags, TCP options, transport payload) to
FUZZ_DIR/dissect_<proto>/corpus/<capture>-<frame>.bin. Payloads are de-duplicated and kept
small; a few per capture are enough to seed the fuzzer and replay under ctest.
"""
import hashlib
import pathlib
import struct
import subprocess
import sys

FILTERS = {
    "dhcp": "dhcp",
    "dhcpv6": "dhcpv6",
    "dns": "dns or mdns",
    "http": "http.request",
    "tls": "tls.handshake.type == 1 and tcp",
    "tcp_syn": "tcp.flags.syn == 1 and tcp.flags.ack == 0",
}
# Frames kept in any case, because tests read them: (capture stem, frame number).
REQUIRED = {
    "dhcp": [("iphone", 29)],
    "dns": [("iphone", 3), ("telegram", 9)],
    "tls": [("iphone", 68)],
    "tcp_syn": [("iphone", 58)],
}
PER_CAPTURE = 4
MAX_PAYLOAD = 2048
FIELDS = ["frame.number", "eth.src", "ipv6.src", "udp.srcport", "udp.dstport", "udp.length",
          "udp.payload", "tcp.srcport", "tcp.dstport", "tcp.flags", "tcp.options", "tcp.payload"]


def frames(capture, display_filter):
    cmd = ["tshark", "-o", "tcp.desegment_tcp_streams:FALSE", "-o",
           "tcp.analyze_sequence_numbers:FALSE", "-r", str(capture), "-Y", display_filter,
           "-T", "fields", "-E", "occurrence=l"]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False).stdout
    for line in out.splitlines():
        yield dict(zip(FIELDS, line.split("\t")))


def encode(v):
    tcp = bool(v["tcp.srcport"]) and bool(v["tcp.flags"])
    selector = (1 if tcp else 0) | (2 if v["eth.src"] else 0) | (4 if v["ipv6.src"] else 0)
    if tcp:
        sport, dport = int(v["tcp.srcport"]), int(v["tcp.dstport"])
        flags = int(v["tcp.flags"], 16) & 0xFF
        options = bytes.fromhex(v["tcp.options"])[:40]
        payload = bytes.fromhex(v["tcp.payload"])
    else:
        sport, dport = int(v["udp.srcport"]), int(v["udp.dstport"])
        flags, options = 0, b""
        payload = bytes.fromhex(v["udp.payload"])
        # Tunnelled frames (CAPWAP): the innermost UDP payload ends the outer one.
        if v["udp.length"]:
            inner = int(v["udp.length"]) - 8
            if 0 <= inner < len(payload):
                payload = payload[len(payload) - inner:]
    return struct.pack("!BHHBB", selector, sport, dport, flags, len(options)) + options + payload


def main():
    captures = sorted(p for p in pathlib.Path(sys.argv[1]).rglob("*")
                      if p.suffix in (".pcap", ".pcapng"))
    fuzz_dir = pathlib.Path(sys.argv[2] if len(sys.argv) > 2 else pathlib.Path(__file__).parent.parent)
    for proto, display_filter in FILTERS.items():
        corpus = fuzz_dir / f"dissect_{proto}" / "corpus"
        corpus.mkdir(parents=True, exist_ok=True)
        seen = set()
        for stem, number in REQUIRED.get(proto, []):
            for capture in captures:
                if capture.stem != stem:
                    continue
                for v in frames(capture, f"({display_filter}) and frame.number == {number}"):
                    data = encode(v)
                    seen.add(hashlib.sha256(data[7:]).hexdigest())
                    (corpus / f"{capture.stem}-{number}.bin").write_bytes(data)
        for capture in captures:
            kept = 0
            for v in frames(capture, display_filter):
                if kept == PER_CAPTURE:
                    break
                if not (v["udp.srcport"] or v["tcp.srcport"]):
                    continue
                data = encode(v)
                digest = hashlib.sha256(data[7:]).hexdigest()
                if len(data) > MAX_PAYLOAD + 47 or digest in seen:
                    continue
                seen.add(digest)
                (corpus / f"{capture.stem}-{v['frame.number']}.bin").write_bytes(data)
                kept += 1


if __name__ == "__main__":
    main()
