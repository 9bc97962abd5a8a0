#!/usr/bin/env python3
"""Writes the seed corpus of fuzz/dissect_quic: QUIC client hellos built here, in the layout of
src/dissect/fuzz_input.h (UDP, client port 50575 to 443).

  rfc9001-a2.bin        the protected client Initial of RFC 9001 Appendix A.2
  v1-split.bin          a v1 Initial whose ClientHello is in three CRYPTO frames, out of order
  v1-coalesced.bin      two Initials in one datagram, the hello continuing in the second
  v1-cut-hello.bin      an Initial holding only the first part of a hello
  v2.bin, draft29.bin   the same hello under QUIC v2 (RFC 9369) and draft-29 protection
  q050.bin              a Q050 Initial (Google's salt) with a CHLO in a gQUIC CRYPTO frame
  q046.bin, q035.bin    plaintext CHLOs: Q046 long header, Q035 public header with an ACK
  *-short.bin           the same, cut in the middle

usage: make_seeds.py   (needs python3-cryptography; replaces the seeds it writes)
"""
import hashlib
import hmac
import pathlib
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

OUT = pathlib.Path(__file__).resolve().parent / "corpus"
SALTS = {
    0x00000001: ("38762cf7f55934b34d179ae6a4c80cadccbb7f0a", b"quic "),
    0x6B3343CF: ("0dede3def700a6db819381be6e269dcbf9bd2ed9", b"quicv2 "),
    0xFF00001D: ("afbfec289993d24c9e9786f19c6111e04390a899", b"quic "),
    0x51303530: ("504574efd066fe2f9d945cfcdbd3a7f0d3b56b45", b"quic "),
}
# RFC 9001 Appendix A.2: the ClientHello's CRYPTO frame and the whole protected packet.
RFC_FRAMES = bytes.fromhex(
    "060040f1010000ed0303ebf8fa56f12939b9584a3896472ec40bb863cfd3e868"
    "04fe3a47f06a2b69484c00000413011302010000c000000010000e00000b6578"
    "616d706c652e636f6dff01000100000a00080006001d00170018001000070005"
    "04616c706e000500050100000000003300260024001d00209370b2c9caa47fba"
    "baf4559fedba753de171fa71f50f1ce15d43e994ec74d748002b000302030400"
    "0d0010000e0403050306030203080408050806002d00020101001c0002400100"
    "3900320408ffffffffffffffff05048000ffff07048000ffff08011001048000"
    "75300901100f088394c8f03e51570806048000ffff")
HELLO = RFC_FRAMES[4:]


def expand_label(secret, label, length):
    full = b"tls13 " + label
    info = struct.pack(">HB", length, len(full)) + full + b"\x00\x01"
    return hmac.new(secret, info, hashlib.sha256).digest()[:length]


def protect(version, dcid, frames, payload_bytes=1162, pn=0):
    salt, prefix = SALTS[version]
    secret = expand_label(hmac.new(bytes.fromhex(salt), dcid, hashlib.sha256).digest(),
                          b"client in", 32)
    key = expand_label(secret, prefix + b"key", 16)
    iv = expand_label(secret, prefix + b"iv", 12)
    hp = expand_label(secret, prefix + b"hp", 16)
    plain = frames.ljust(payload_bytes, b"\x00")
    first = 0xC0 | ((1 if version == 0x6B3343CF else 0) << 4) | 0x03
    header = (bytes([first]) + struct.pack(">I", version) + bytes([len(dcid)]) + dcid +
              b"\x00\x00" + struct.pack(">H", 0x4000 | (4 + len(plain) + 16)))
    pn_offset = len(header)
    header += struct.pack(">I", pn)
    nonce = bytes(a ^ b for a, b in zip(iv, (0).to_bytes(4, "big") + pn.to_bytes(8, "big")))
    sealed = AESGCM(key).encrypt(nonce, plain, header)
    encryptor = Cipher(algorithms.AES(hp), modes.ECB()).encryptor()
    mask = encryptor.update(sealed[:16]) + encryptor.finalize()
    header = bytearray(header)
    header[0] ^= mask[0] & 0x0F
    for i in range(4):
        header[pn_offset + i] ^= mask[1 + i]
    return bytes(header) + sealed


def crypto(offset, data, frame_type=0x06):
    return bytes([frame_type]) + struct.pack(">HH", 0x4000 | offset, 0x4000 | len(data)) + data


def chlo(tags):
    out = b"CHLO" + struct.pack("<HH", len(tags), 0)
    end = 0
    for tag, value in tags:
        end += len(value)
        out += tag + struct.pack("<I", end)
    return out + b"".join(value for _, value in tags)


CHLO = chlo([(b"PAD\0", b"----"), (b"SNI\0", b"play.google.com"), (b"VER\0", b"Q046"),
             (b"UAID", b"Chrome/74.0.3729.157 Android 8.0.0; BND-L21")])


def fuzz_input(payload, sport=50575, dport=443):
    return bytes([0]) + struct.pack(">HH", sport, dport) + b"\x00\x00" + payload


def main():
    OUT.mkdir(exist_ok=True)
    dcid = bytes.fromhex("0011223344556677")
    seeds = {
        "v1-split": protect(1, dcid, crypto(150, HELLO[150:]) + b"\x01\x00" +
                            crypto(40, HELLO[40:150]) + crypto(0, HELLO[:60])),
        "v1-coalesced": protect(1, dcid, crypto(0, HELLO[:100]), 300, 0) +
                        protect(1, dcid, crypto(100, HELLO[100:]), 900, 1),
        "v1-cut-hello": protect(1, dcid, crypto(0, HELLO[:120])),
        "v2": protect(0x6B3343CF, dcid, crypto(0, HELLO)),
        "draft29": protect(0xFF00001D, dcid, crypto(0, HELLO)),
        "q050": protect(0x51303530, dcid, b"\x00\x00" + crypto(0, CHLO, 0x08), 1300),
        "q046": bytes.fromhex("c3513034365011223344556677880000000400112233445566778899aabb") +
                b"\xa4\x01\x04\x00" + struct.pack(">H", len(CHLO)) + CHLO,
        "q035": bytes.fromhex("0d1122334455667788513033350100112233445566778899aabb") +
                bytes.fromhex("400100000100") + b"\xa0\x01" + struct.pack("<H", len(CHLO)) + CHLO,
    }
    rfc = protect(1, bytes.fromhex("8394c8f03e515708"), RFC_FRAMES, 1162, 2)
    seeds["rfc9001-a2"] = rfc
    for name in ("rfc9001-a2", "q046", "q035"):
        seeds[name + "-short"] = seeds[name][: len(seeds[name]) // 2]
    for name, payload in sorted(seeds.items()):
        (OUT / f"{name}.bin").write_bytes(fuzz_input(payload))
    print(f"wrote {len(seeds)} seeds to {OUT}")


if __name__ == "__main__":
    main()
