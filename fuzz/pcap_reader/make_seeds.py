#!/usr/bin/env python3
"""Writes the seed corpora of fuzz/pcap_reader and fuzz/pcapng_reader from the shared
captures: for each capture, the frames that carry observations (a few per type) plus the
first frames, as a small pcap and a small pcapng (each at most --max-bytes), and a few
variants of the pcap form (big-endian nanosecond, Linux cooked, cut mid-record).

usage: make_seeds.py --phaseout build/.../phaseout --corpus ../shared/corpus/pcap
Needs editcap. Existing seeds with the same names are replaced; kept crashers are not touched.
"""
import argparse
import json
import pathlib
import struct
import subprocess
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
PCAP_OUT = HERE / "corpus"
PCAPNG_OUT = HERE.parent / "pcapng_reader" / "corpus"
MAGICS = {b"\xd4\xc3\xb2\xa1", b"\x0a\x0d\x0d\x0a"}


def interesting_frames(phaseout, path, per_type):
    out = subprocess.run([phaseout, "observe", str(path)], capture_output=True, text=True,
                         check=True).stdout
    by_type = {}
    for line in out.splitlines():
        obj = json.loads(line)
        if "stats" in obj:
            continue
        frames = by_type.setdefault(obj["type"], [])
        if len(frames) < per_type and obj["frame"] not in frames:
            frames.append(obj["frame"])
    picked = {1, 2}
    for frames in by_type.values():
        picked.update(frames)
    return sorted(picked)


def editcap(src, dst, fmt, frames):
    subprocess.run(["editcap", "-F", fmt, "-r", str(src), str(dst)] + [str(f) for f in frames],
                   check=True, capture_output=True)


def records(pcap_bytes):
    order = "<" if pcap_bytes[:4] == b"\xd4\xc3\xb2\xa1" else ">"
    link = struct.unpack(order + "I", pcap_bytes[20:24])[0]
    out, offset = [], 24
    while offset + 16 <= len(pcap_bytes):
        sec, usec, incl, orig = struct.unpack(order + "IIII", pcap_bytes[offset:offset + 16])
        out.append((sec, usec, pcap_bytes[offset + 16:offset + 16 + incl], orig))
        offset += 16 + incl
    return link, out


def write(path, link, recs, big_endian=False, nanosecond=False):
    order = ">" if big_endian else "<"
    magic = 0xA1B23C4D if nanosecond else 0xA1B2C3D4
    data = [struct.pack(order + "IHHiIII", magic, 2, 4, 0, 0, 262144, link)]
    for sec, usec, frame, orig in recs:
        data.append(struct.pack(order + "IIII", sec, usec * 1000 if nanosecond else usec,
                                len(frame), orig) + frame)
    path.write_bytes(b"".join(data))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--phaseout", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--per-type", type=int, default=2)
    ap.add_argument("--max-bytes", type=int, default=12000)
    args = ap.parse_args()
    PCAP_OUT.mkdir(exist_ok=True)
    PCAPNG_OUT.mkdir(exist_ok=True)
    captures = sorted(p for p in pathlib.Path(args.corpus).rglob("*")
                      if p.is_file() and open(p, "rb").read(4) in MAGICS)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        for path in captures:
            frames = interesting_frames(args.phaseout, path, args.per_type)
            # Drop frames from the end until the seed is small enough.
            while True:
                pcap = tmp / "seed.pcap"
                editcap(path, pcap, "pcap", frames)
                if pcap.stat().st_size <= args.max_bytes or len(frames) <= 1:
                    break
                frames = frames[:-1]
            stem = path.name.split(".")[0]
            seed = pcap.read_bytes()
            (PCAP_OUT / f"{stem}.pcap").write_bytes(seed)
            editcap(path, PCAPNG_OUT / f"{stem}.pcapng", "pcapng", frames)
            link, recs = records(seed)
            if stem in ("iphone", "capwap", "android"):
                write(PCAP_OUT / f"{stem}.be-ns.pcap", link, recs, True, True)
                sll = [(s, u, struct.pack(">HHH", 0, 1, 6) + f[6:12] + b"\0\0" + f[12:], o + 2)
                       for s, u, f, o in recs if len(f) >= 14]
                write(PCAP_OUT / f"{stem}.sll.pcap", 113, sll)
                (PCAP_OUT / f"{stem}.cut.pcap").write_bytes(seed[:len(seed) * 2 // 3])
    total = sum(p.stat().st_size for d in (PCAP_OUT, PCAPNG_OUT) for p in d.iterdir())
    print(f"seeds written: {len(list(PCAP_OUT.iterdir()))} pcap, "
          f"{len(list(PCAPNG_OUT.iterdir()))} pcapng, {total} bytes")


if __name__ == "__main__":
    main()
