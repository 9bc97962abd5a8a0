#!/usr/bin/env python3
"""kill -9 of `phaseout serve` during a stream of writes, then a restart: every write the
server acknowledged is there exactly once, nothing else half-written, and the audit chain
verifies.

Usage: crash_test.py PHASEOUT_BINARY
"""
import http.client
import json
import pathlib
import shutil
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import server_support as support  # noqa: E402

PHASEOUT = None


class CrashTest(unittest.TestCase):
    def setUp(self):
        self.tmp = pathlib.Path(tempfile.mkdtemp(prefix="phaseout_crash_"))
        self.org = support.Org(PHASEOUT, self.tmp, people=120)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_acknowledged_writes_survive_kill_9(self):
        server = support.Server(PHASEOUT, self.org.db)
        acknowledged = []
        attempted = []
        stop = threading.Event()

        def writer(role):
            c = support.Client(server.port)
            status, _, _ = c.login(self.org.role_person[role])
            if status != 200:
                return
            n = 0
            while not stop.is_set():
                tag = f"crash-{role}-{n}"
                n += 1
                attempted.append(tag)
                try:
                    status, doc = c.json("POST", "/api/v1/declarations",
                                         {"model": "iPhone 12", "note": tag})
                except (OSError, http.client.HTTPException):
                    return  # the server is gone
                if status == 200:
                    acknowledged.append((tag, doc["event"]))

        threads = [threading.Thread(target=writer, args=(r,)) for r in ("holder", "auditor")]
        for t in threads:
            t.start()
        deadline = time.time() + 20
        while len(acknowledged) < 30 and time.time() < deadline:
            time.sleep(0.05)
        server.kill9()
        stop.set()
        for t in threads:
            t.join(timeout=30)
        self.assertGreater(len(acknowledged), 0, "no write was acknowledged before the kill")

        # Restarted, the server answers again on the same database.
        again = support.Server(PHASEOUT, self.org.db)
        c = support.Client(again.port)
        self.assertEqual(c.login(self.org.role_person["security-officer"])[0], 200)
        status, _, _ = c.request("GET", "/api/v1/status")
        self.assertEqual(status, 200)
        self.assertEqual(again.stop(), 0)

        lines = support.run(PHASEOUT, self.org.db, "audit", "export").stdout.splitlines()
        notes = {}
        for line in lines:
            e = json.loads(line)
            if e["kind"] == "device.declare":
                note = e["payload"]["detail"]["note"]
                notes.setdefault(note, []).append(e["seq"])
        for tag, seq in acknowledged:
            self.assertEqual(notes.get(tag), [seq], tag)
        for tag, seqs in notes.items():
            self.assertEqual(len(seqs), 1, tag)
            self.assertIn(tag, attempted)
        out = support.run(PHASEOUT, self.org.db, "audit", "verify").stdout
        self.assertIn("intact", out)


if __name__ == "__main__":
    PHASEOUT = support.binary_from_argv(__doc__)
    unittest.main()
