#!/usr/bin/env python3
"""Two `phaseout serve` processes on one database (PostgreSQL when PHASEOUT_TEST_POSTGRES names
the throw-away cluster, else one SQLite file), taking writes through both at once: every
acknowledged write is stored and audited exactly once with its own seq (no lost update, no
double entry), a write through one server appears on the other's /api/v1/events stream, each
server reads what the other wrote, and `phaseout audit verify` passes at the end.

Usage: multi_serve_test.py PHASEOUT_BINARY
"""
import http.client
import json
import shutil
import tempfile
import threading
import time
import unittest
import pathlib

import server_support as support

PHASEOUT = None
WRITERS_PER_SERVER = 3
WRITES_PER_WRITER = 8


class MultiServeTest(unittest.TestCase):
    def setUp(self):
        self.tmp = pathlib.Path(tempfile.mkdtemp(prefix="phaseout_multi_serve_"))
        self.org = support.Org(PHASEOUT, self.tmp, people=120)
        self.servers = [support.Server(PHASEOUT, self.org.db),
                        support.Server(PHASEOUT, self.org.db)]

    def tearDown(self):
        codes = [s.stop() for s in self.servers]
        shutil.rmtree(self.tmp, ignore_errors=True)
        self.assertEqual(codes, [0, 0], "each server stops with 0 on SIGTERM")

    def client(self, server, role):
        c = support.Client(server.port)
        status, _, body = c.login(self.org.role_person[role])
        self.assertEqual(status, 200, body)
        return c

    def last_seq(self):
        lines = support.run(PHASEOUT, self.org.db, "audit", "export").stdout.splitlines()
        return json.loads(lines[-1])["seq"] if lines else 0

    def stream_seqs(self, server, role, after, wanted, timeout_s=30):
        """The seqs the events stream of `server` delivers after `after`, read until every seq
        in `wanted` came or the time ran out."""
        c = self.client(server, role)
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout_s)
        conn.request("GET", f"/api/v1/events?after={after}", headers={"Cookie": c.cookie})
        resp = conn.getresponse()
        self.assertEqual(resp.status, 200)
        seen = set()
        deadline = time.time() + timeout_s
        try:
            while not wanted <= seen and time.time() < deadline:
                line = resp.fp.readline()
                if not line:
                    break
                if line.startswith(b"id: "):
                    seen.add(int(line[4:].strip()))
        finally:
            conn.close()
        return seen

    def test_concurrent_writes_through_two_servers(self):
        before = self.last_seq()
        acknowledged = []  # (note, seq, server index)
        failures = []
        lock = threading.Lock()

        def writer(server_index, role, n):
            c = self.client(self.servers[server_index], role)
            for i in range(WRITES_PER_WRITER):
                note = f"multi-{server_index}-{role}-{n}-{i}"
                status, doc = c.json("POST", "/api/v1/declarations",
                                     {"model": "iPhone 12", "note": note})
                with lock:
                    if status == 200:
                        acknowledged.append((note, doc["event"], server_index))
                    else:
                        failures.append((note, status, doc))

        threads = []
        for server_index in range(2):
            for n in range(WRITERS_PER_SERVER):
                role = ("holder", "auditor", "unit-officer")[n % 3]
                threads.append(threading.Thread(target=writer, args=(server_index, role, n)))
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        self.assertEqual(failures, [])
        self.assertEqual(len(acknowledged), 2 * WRITERS_PER_SERVER * WRITES_PER_WRITER)
        seqs = [seq for _, seq, _ in acknowledged]
        self.assertEqual(len(set(seqs)), len(seqs), "each write has its own event")

        # Each write audited exactly once, under the seq it was acknowledged with.
        notes = {}
        for line in support.run(PHASEOUT, self.org.db, "audit", "export").stdout.splitlines():
            e = json.loads(line)
            if e["kind"] == "device.declare":
                notes.setdefault(e["payload"]["detail"]["note"], []).append(e["seq"])
        for note, seq, _ in acknowledged:
            self.assertEqual(notes.get(note), [seq], note)

        # What went through one server is on the other's event stream.
        for reader in range(2):
            written_elsewhere = {seq for _, seq, s in acknowledged if s != reader}
            got = self.stream_seqs(self.servers[reader], "security-officer", before,
                                   written_elsewhere)
            self.assertTrue(written_elsewhere <= got,
                            f"server {reader} missed {sorted(written_elsewhere - got)[:5]}")

        # Both servers answer reads from the same, current database.
        answers = []
        for server in self.servers:
            c = self.client(server, "security-officer")
            status, doc = c.json("GET", "/api/v1/status")
            self.assertEqual(status, 200, doc)
            answers.append(doc)
        self.assertEqual(answers[0], answers[1])

        out = support.run(PHASEOUT, self.org.db, "audit", "verify").stdout
        self.assertIn("intact", out)


if __name__ == "__main__":
    PHASEOUT = support.binary_from_argv(__doc__)
    unittest.main()
