#!/usr/bin/env python3
"""Robustness of `phaseout observe` against damaged captures.

Feeds hundreds of mutated and truncated versions of the corpus captures to
`phaseout observe` and checks, for each: no crash or hang (exit 0 or 1 within the time
limit, no signal), no sanitizer report on stderr, every stdout line valid JSON ending with
the stats line, and exit 0 whenever at least one packet was read (exit 1 only when nothing
could be read). Mutations are deterministic (seeded) so a failure reproduces; the failing
input is kept in --keep-dir.

Exit status: 0 all good, 1 failures, 77 skipped (no corpus).
"""
import argparse
import json
import pathlib
import random
import shutil
import struct
import subprocess
import sys
import tempfile

SKIP = 77
PCAP_MAGICS = {b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\x4d\x3c\xb2\xa1",
               b"\xa1\xb2\x3c\x4d", b"\x0a\x0d\x0d\x0a"}


def is_capture(path):
    with open(path, "rb") as f:
        return f.read(4) in PCAP_MAGICS


def mutate(data, rng, kind):
    b = bytearray(data)
    n = len(b)
    if kind == "truncate":
        return bytes(b[:rng.randrange(0, n)])
    if kind == "flip":
        for _ in range(rng.randint(1, 64)):
            b[rng.randrange(n)] ^= 1 << rng.randrange(8)
        return bytes(b)
    if kind == "header-flip":
        # Damage near the start, where file, block and packet headers are.
        for _ in range(rng.randint(1, 8)):
            b[rng.randrange(min(n, 256))] = rng.randrange(256)
        return bytes(b)
    if kind == "overwrite":
        start = rng.randrange(n)
        length = rng.randint(1, 512)
        b[start:start + length] = bytes(rng.randrange(256) for _ in range(length))
        return bytes(b[:n])
    if kind == "lengths":
        # Plant huge or odd 32-bit values at 4-aligned offsets (record / block lengths).
        for _ in range(rng.randint(1, 6)):
            at = rng.randrange(0, max(1, n - 4)) & ~3
            value = rng.choice([0, 1, 3, 11, 12, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF,
                                rng.randrange(1 << 32)])
            b[at:at + 4] = struct.pack("<I", value)
        return bytes(b)
    if kind == "splice":
        # Remove or duplicate a chunk: records lose their alignment.
        start = rng.randrange(n)
        length = rng.randint(1, 2048)
        if rng.random() < 0.5:
            del b[start:start + length]
        else:
            b[start:start] = b[start:start + length]
        return bytes(b)
    if kind == "packet-bytes":
        # Damage inside the packets only (past the first 64 bytes), at many points.
        for _ in range(rng.randint(16, 256)):
            b[rng.randrange(min(64, n - 1), n)] = rng.randrange(256)
        return bytes(b)
    raise ValueError(kind)


KINDS = ["truncate", "flip", "header-flip", "overwrite", "lengths", "splice", "packet-bytes"]


def check(phaseout, path, timeout):
    """Returns None when fine, else a description of the problem."""
    try:
        out = subprocess.run([phaseout, "observe", str(path)], capture_output=True,
                             timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return f"hang: no exit within {timeout} s"
    stderr = out.stderr.decode("utf-8", "replace")
    if out.returncode < 0:
        return f"killed by signal {-out.returncode}: {stderr[-2000:]}"
    if "Sanitizer" in stderr or "runtime error" in stderr:
        return f"sanitizer report: {stderr[-4000:]}"
    if out.returncode not in (0, 1):
        return f"exit {out.returncode}: {stderr[-1000:]}"
    lines = out.stdout.decode("utf-8", "strict").splitlines()
    if not lines:
        return "no stats line"
    try:
        objs = [json.loads(line) for line in lines]
    except ValueError as e:
        return f"invalid JSON line: {e}"
    if "stats" not in objs[-1] or any("stats" in o for o in objs[:-1]):
        return "stats line is not last, or repeated"
    packets = objs[-1]["stats"]["packets"]
    if packets > 0 and out.returncode != 0:
        return f"exit {out.returncode} although {packets} packets were read"
    if packets == 0 and out.returncode == 0 and objs[-1]["stats"]["warnings"] > 0:
        return "exit 0 although nothing could be read"
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--phaseout", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--per-file", type=int, default=24, help="mutants per corpus capture")
    ap.add_argument("--seed", type=int, default=20230401)
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--keep-dir", default=None, help="where failing inputs are copied")
    args = ap.parse_args()
    if not pathlib.Path(args.phaseout).is_file():  # a missing binary fails, never skips
        print(f"FAIL: no phaseout binary at {args.phaseout}")
        return 1

    corpus = pathlib.Path(args.corpus)
    if not corpus.is_dir():
        print(f"SKIP: corpus directory {corpus} not found")
        return SKIP
    captures = sorted(p for p in corpus.rglob("*") if p.is_file() and is_capture(p))
    if not captures:
        print(f"SKIP: no captures under {corpus}")
        return SKIP

    rng = random.Random(args.seed)
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="ph-mutants-"))
    keep = pathlib.Path(args.keep_dir) if args.keep_dir else None
    failures = 0
    runs = 0
    for path in captures:
        data = path.read_bytes()
        for i in range(args.per_file):
            kind = KINDS[i % len(KINDS)]
            mutant = workdir / f"{path.stem}.{i}.{kind}{path.suffix}"
            mutant.write_bytes(mutate(data, rng, kind))
            problem = check(args.phaseout, mutant, args.timeout)
            runs += 1
            if problem:
                failures += 1
                print(f"FAIL {path.name} mutant {i} ({kind}): {problem}")
                if keep:
                    keep.mkdir(parents=True, exist_ok=True)
                    shutil.copy(mutant, keep / mutant.name)
            mutant.unlink()
    shutil.rmtree(workdir, ignore_errors=True)
    print(f"{runs} mutated captures from {len(captures)} originals, {failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
