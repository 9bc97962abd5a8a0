#!/usr/bin/env python3
"""A real SMTP server for tests (Debian's python3-aiosmtpd): listens on 127.0.0.1 on a free
port, prints the port on stdout once it accepts connections, and writes each message it
accepts to OUT_DIR as NNNN.eml (the bytes received) and NNNN.json (the envelope). The .json
is written last, by rename, so a reader that sees it can read the whole message.

Recipients whose address starts with "refuse" are rejected with 550, as a real server does
for an unknown mailbox.

Usage: smtp_sink.py OUT_DIR
"""
import asyncio
import json
import os
import pathlib
import sys

from aiosmtpd.smtp import SMTP


class Sink:
    def __init__(self, out):
        self.out = out
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower().startswith("refuse"):
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        stem = self.out / ("%04d" % self.count)
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8")
        stem.with_suffix(".eml").write_bytes(content)
        meta = {"mail_from": envelope.mail_from, "rcpt_tos": list(envelope.rcpt_tos),
                "peer": str(session.peer[0]) if session.peer else ""}
        tmp = stem.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(meta), encoding="utf-8")
        os.replace(tmp, stem.with_suffix(".json"))
        return "250 2.0.0 Message accepted for delivery"


async def main(out):
    sink = Sink(out)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(sink, hostname="sink.test"), "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    out_dir = pathlib.Path(sys.argv[1])
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        asyncio.run(main(out_dir))
    except KeyboardInterrupt:
        pass
