#!/usr/bin/env python3
"""Exactness of `phaseout observe` against tshark, frame by frame.

For every capture under the corpus directory, runs `phaseout observe FILE` and
`tshark -T fields` and compares, for each frame, the values of:

  DHCP host name (option 12), vendor class (60), parameter request list (55),
  HTTP Host and User-Agent, TLS SNI (over TCP, and inside the QUIC Initial packets tshark
  decrypts), the SNI and User-Agent tags of Google QUIC CHLOs, DNS, mDNS and LLMNR query
  names.

A value tshark shows and observe does not, or the reverse, is a failure -- except for
the intentional differences below, each matched by a precise rule and reported:

  icmp-quote    ICMP/ICMPv6 error messages quote the datagram that caused them; tshark
                dissects the quote (e.g. the DNS query inside "port unreachable"). The
                device did not send that packet again, so observe does not report it.
  retransmission  tshark does not hand a retransmitted TCP segment to HTTP/TLS again;
                observe reads every packet on its own and reports the copy too. Excused
                only when tshark flags the frame as a retransmission and observe's values
                equal those of an earlier frame of the same TCP stream.
  reassembled   tshark reports an HTTP request or TLS ClientHello at the frame that
                completes its reassembly (the last segment, or the end of an HTTP body);
                observe reports it at the frame that carries the head. Excused only when
                tshark says frame A was "reassembled in" frame B, observe shows at A
                exactly what tshark shows at B, and nothing at B.

Besides the corpus files themselves, each Ethernet capture is rewritten into variants that
exercise other link layers and file forms -- Linux cooked v1 and v2, raw IP, QinQ-tagged
Ethernet, big-endian and nanosecond pcap, pcapng, gzip -- and compared the same way, since
both tools read the same variant file.

Exit status: 0 all equal, 1 differences (printed), 77 skipped (no corpus or no tshark).
"""
import argparse
import gzip
import json
import os
import pathlib
import shutil
import struct
import subprocess
import sys
import tempfile

SKIP = 77
AGGREGATOR = "\x1f"


def is_gquic(obj):
    """A quic observation of a Google QUIC version ("Q046"); tshark shows its values in
    gquic.tag.* fields, those of IETF QUIC in the tls.* fields of the decrypted ClientHello."""
    return obj["type"] == "quic" and obj.get("version", "").startswith("Q")


# (tshark field, which observations carry it, observe key)
FIELDS = [
    ("dhcp.option.hostname", lambda o: o["type"] == "dhcp", "hostname"),
    ("dhcp.option.vendor_class_id", lambda o: o["type"] == "dhcp", "vendor_class"),
    ("dhcp.option.request_list_item", lambda o: o["type"] == "dhcp", "param_list"),
    ("http.host", lambda o: o["type"] == "http", "host"),
    ("http.user_agent", lambda o: o["type"] == "http", "user_agent"),
    ("tls.handshake.extensions_server_name",
     lambda o: o["type"] == "tls" or (o["type"] == "quic" and not is_gquic(o)), "sni"),
    ("gquic.tag.sni", is_gquic, "sni"),
    ("gquic.tag.uaid", is_gquic, "user_agent"),
    ("dns.qry.name", lambda o: o["type"] in ("dns", "mdns"), "queries"),
]

PCAP_MAGICS = {b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\x4d\x3c\xb2\xa1",
               b"\xa1\xb2\x3c\x4d", b"\x0a\x0d\x0d\x0a", b"\x34\xcd\xb2\xa1",
               b"\xa1\xb2\xcd\x34"}


def is_capture(path):
    with open(path, "rb") as f:
        head = f.read(4)
    return head in PCAP_MAGICS or head[:2] == b"\x1f\x8b"


def tshark_frames(tshark, path, env):
    # Two passes so that tcp.reassembled_in is known for the first segments of a PDU.
    cmd = [tshark, "-2", "-n", "-r", str(path), "-T", "fields", "-E", "separator=\t",
           "-E", "occurrence=a", "-E", "aggregator=" + AGGREGATOR, "-E", "quote=n",
           "-e", "frame.number", "-e", "frame.protocols", "-e", "tcp.stream",
           "-e", "tcp.analysis.retransmission", "-e", "tcp.analysis.fast_retransmission",
           "-e", "tcp.analysis.spurious_retransmission", "-e", "tcp.reassembled_in"]
    for field, _, _ in FIELDS:
        cmd += ["-e", field]
    out = subprocess.run(cmd, capture_output=True, env=env, check=False)
    frames = {}
    for line in out.stdout.decode("utf-8", "replace").split("\n"):
        if not line:
            continue
        cols = line.split("\t")
        number = int(cols[0])
        meta = {
            "protocols": cols[1],
            "stream": cols[2],
            "retransmission": any(cols[3:6]),
            "reassembled_in": int(cols[6].split(AGGREGATOR)[0]) if cols[6] else None,
        }
        values = {}
        for (field, _, _), col in zip(FIELDS, cols[7:]):
            values[field] = col.split(AGGREGATOR) if col else []
        frames[number] = (meta, values)
    return frames


def observe_frames(phaseout, path):
    out = subprocess.run([phaseout, "observe", str(path)], capture_output=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"observe {path} exited {out.returncode}: {out.stderr.decode()}")
    frames = {}
    lines = out.stdout.decode("utf-8").split("\n")
    stats = None
    for line in lines:
        if not line:
            continue
        obj = json.loads(line)
        if "stats" in obj:
            stats = obj["stats"]
            continue
        per = frames.setdefault(obj["frame"], {f: [] for f, _, _ in FIELDS})
        for field, carries, key in FIELDS:
            if not carries(obj) or key not in obj:
                continue
            value = obj[key]
            if isinstance(value, list):
                per[field].extend(str(v) for v in value)
            elif value != "":
                per[field].append(str(value))
    if stats is None:
        raise RuntimeError(f"observe {path}: no stats line")
    return frames, stats


def read_pcap_ethernet(editcap, path, workdir):
    """Records (ts_sec, ts_usec, data, orig_len) of an Ethernet capture, via editcap -F pcap."""
    plain = workdir / (path.name + ".plain.pcap")
    subprocess.run([editcap, "-F", "pcap", str(path), str(plain)], check=True,
                   capture_output=True)
    raw = plain.read_bytes()
    magic = raw[:4]
    order = "<" if magic == b"\xd4\xc3\xb2\xa1" else ">"
    link = struct.unpack(order + "I", raw[20:24])[0]
    if link != 1:
        return None
    records = []
    offset = 24
    while offset + 16 <= len(raw):
        sec, usec, incl, orig = struct.unpack(order + "IIII", raw[offset:offset + 16])
        records.append((sec, usec, raw[offset + 16:offset + 16 + incl], orig))
        offset += 16 + incl
    return records


def write_pcap(path, link, records, big_endian=False, nanosecond=False):
    order = ">" if big_endian else "<"
    magic = 0xA1B23C4D if nanosecond else 0xA1B2C3D4
    out = [struct.pack(order + "IHHiIII", magic, 2, 4, 0, 0, 262144, link)]
    for sec, usec, data, orig in records:
        frac = usec * 1000 if nanosecond else usec
        out.append(struct.pack(order + "IIII", sec, frac, len(data), orig) + data)
    path.write_bytes(b"".join(out))


def to_sll(data):
    # LINKTYPE_LINUX_SLL: packet type, ARPHRD_ETHER, address length, address (8), protocol.
    return struct.pack(">HHH", 0, 1, 6) + data[6:12] + b"\0\0" + data[12:]


def to_sll2(data):
    # LINKTYPE_LINUX_SLL2: protocol, reserved, ifindex, ARPHRD_ETHER, type, length, address.
    return data[12:14] + struct.pack(">HIHBB", 0, 2, 1, 0, 6) + data[6:12] + b"\0\0" + data[14:]


def to_qinq(data):
    return data[:12] + b"\x88\xa8\x00\x64\x81\x00\x00\x05" + data[12:]


def make_variants(editcap, path, workdir):
    records = read_pcap_ethernet(editcap, path, workdir)
    if records is None:
        return []
    stem = path.name
    out = []

    def add(name, link, recs, **kw):
        target = workdir / f"{stem}.{name}"
        write_pcap(target, link, recs, **kw)
        out.append(target)
        return target

    add("sll.pcap", 113, [(s_, u, to_sll(d), o + 2) for s_, u, d, o in records if len(d) >= 14])
    add("sll2.pcap", 276, [(s_, u, to_sll2(d), o + 6) for s_, u, d, o in records if len(d) >= 14])
    ip_only = [(s_, u, d[14:], o - 14) for s_, u, d, o in records
               if len(d) > 14 and d[12:14] in (b"\x08\x00", b"\x86\xdd")]
    add("raw.pcap", 101, ip_only)
    add("qinq.pcap", 1, [(s_, u, to_qinq(d), o + 8) for s_, u, d, o in records if len(d) >= 14])
    add("be-ns.pcap", 1, records, big_endian=True, nanosecond=True)
    ng = workdir / f"{stem}.ng.pcapng"
    subprocess.run([editcap, "-F", "pcapng", str(workdir / (stem + ".plain.pcap")), str(ng)],
                   check=True, capture_output=True)
    out.append(ng)
    gz = workdir / f"{stem}.pcap.gz"
    gz.write_bytes(gzip.compress((workdir / (stem + ".plain.pcap")).read_bytes()))
    out.append(gz)
    return out


def is_icmp_quote(protocols):
    layers = protocols.split(":")
    for i, layer in enumerate(layers):
        if layer in ("icmp", "icmpv6") and i + 1 < len(layers) and layers[i + 1] in ("ip", "ipv6"):
            return True
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--phaseout", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--tshark", default=shutil.which("tshark"))
    ap.add_argument("--editcap", default=shutil.which("editcap"))
    ap.add_argument("--no-variants", action="store_true", help="compare the corpus files only")
    args = ap.parse_args()
    if not pathlib.Path(args.phaseout).is_file():  # a missing binary fails, never skips
        print(f"FAIL: no phaseout binary at {args.phaseout}")
        return 1

    corpus = pathlib.Path(args.corpus)
    if not corpus.is_dir():
        print(f"SKIP: corpus directory {corpus} not found")
        return SKIP
    if not args.tshark:
        print("SKIP: tshark not installed")
        return SKIP
    captures = sorted(p for p in corpus.rglob("*") if p.is_file() and is_capture(p))
    if not captures:
        print(f"SKIP: no captures under {corpus}")
        return SKIP

    # tshark with default preferences, whatever the user's profile says.
    env = dict(os.environ)
    profile = tempfile.mkdtemp(prefix="ph-tshark-profile-")
    env["WIRESHARK_CONFIG_DIR"] = profile

    workdir = pathlib.Path(tempfile.mkdtemp(prefix="ph-differential-"))
    inputs = list(captures)
    if not args.no_variants:
        if not args.editcap:
            print("SKIP: editcap not installed (needed for the link-layer variants)")
            return SKIP
        for path in captures:
            inputs += make_variants(args.editcap, path, workdir)

    failures = 0
    compared = 0
    excused = {}
    empty = {f: [] for f, _, _ in FIELDS}
    no_meta = {"protocols": "", "stream": "", "retransmission": False, "reassembled_in": None}
    for path in inputs:
        ts = tshark_frames(args.tshark, path, env)
        ours, stats = observe_frames(args.phaseout, path)
        if stats["packets"] != len(ts):
            print(f"{path.name}: observe read {stats['packets']} packets, tshark {len(ts)}")
            failures += 1
        numbers = sorted(set(ts) | set(ours))
        diffs = []  # (frame, field, tshark values, observe values)
        for number in numbers:
            theirs = ts.get(number, (no_meta, empty))[1]
            mine = ours.get(number, empty)
            for field, _, _ in FIELDS:
                if theirs[field] == mine[field]:
                    compared += len(mine[field])
                else:
                    diffs.append((number, field, theirs[field], mine[field]))

        def meta(number):
            return ts.get(number, (no_meta, empty))[0]

        # What observe reported per (stream, field), by frame: retransmissions repeat it.
        seen_in_stream = {}
        for number, values in ours.items():
            stream = meta(number)["stream"]
            for field, _, _ in FIELDS:
                if stream and values[field]:
                    seen_in_stream[(stream, field, number)] = values[field]
        remaining = []
        settled = set()
        for number, field, a, b in diffs:
            if (number, field) in settled:
                continue
            m = meta(number)
            rule = None
            if not b and is_icmp_quote(m["protocols"]):
                rule = "icmp-quote"
            elif not a and m["retransmission"] and m["stream"]:
                earlier = [v for (s_, f_, n_), v in seen_in_stream.items()
                           if s_ == m["stream"] and f_ == field and n_ < number]
                if b in earlier:
                    rule = "retransmission"
            elif not a and m["reassembled_in"] is not None:
                target = m["reassembled_in"]
                target_theirs = ts.get(target, (no_meta, empty))[1][field]
                target_mine = ours.get(target, empty)[field]
                if target_theirs == b and not target_mine:
                    rule = "reassembled"
                    settled.add((target, field))
            if rule:
                excused[rule] = excused.get(rule, 0) + 1
            else:
                remaining.append((number, field, a, b))
        for number, field, a, b in remaining:
            print(f"{path.name} frame {number} {field}: tshark {a!r} observe {b!r}"
                  f" [{meta(number)['protocols']}]")
        if remaining:
            print(f"{path.name}: {len(remaining)} differences")
        failures += len(remaining)
    shutil.rmtree(profile, ignore_errors=True)
    shutil.rmtree(workdir, ignore_errors=True)
    print(f"{len(captures)} captures ({len(inputs)} with variants), {compared} values equal, "
          f"excused: {excused or 'none'}, differences: {failures}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
