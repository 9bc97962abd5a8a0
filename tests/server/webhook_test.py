#!/usr/bin/env python3
"""Webhooks of `phaseout serve` against receivers this test starts on loopback: every verdict
change arrives as JSON with a valid HMAC-SHA256 signature; a receiver that fails and recovers
gets the delivery later with the same idempotency key; a receiver that is down while serve is
killed with SIGKILL and restarted still gets every change (at least once, ids dedupe).

Usage: webhook_test.py PHASEOUT_BINARY
"""
import csv
import datetime
import hashlib
import hmac
import http.server
import json
import pathlib
import secrets
import shutil
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import server_support as support  # noqa: E402

PHASEOUT = None
DIRECTIVE = "pa-iphone-2023"


class Receiver:
    """An HTTP receiver on a loopback port: records every POST (headers and raw body) and
    answers 500 to the first `fail_first` of them, then 204."""

    def __init__(self, port=None, fail_first=0):
        self.port = port or support.free_port()
        self.fail_first = fail_first
        self.posts = []  # (status answered, headers, body bytes)
        self.lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver.lock:
                    status = 500 if receiver.fail_first > 0 else 204
                    receiver.fail_first -= 1
                    receiver.posts.append((status, {k.lower(): v for k, v in
                                                    self.headers.items()}, body))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def delivered(self):
        """The bodies answered 2xx, by delivery id."""
        with self.lock:
            return {h["x-phaseout-delivery"]: json.loads(b) for s, h, b in self.posts
                    if s < 300}

    def all_posts(self):
        with self.lock:
            return list(self.posts)


def wait_for(predicate, what, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


class WebhookTest(unittest.TestCase):
    def setUp(self):
        self.tmp = pathlib.Path(tempfile.mkdtemp(prefix="phaseout_webhook_"))
        self.db = str(self.tmp / "server.db")
        support.run(PHASEOUT, self.db, "demo", "--people", "120", "--out-dir", str(self.tmp),
                    cwd=self.tmp)
        status = json.loads(support.run(PHASEOUT, self.db, "status", "--format", "json",
                                        "--devices").stdout)
        self.devices = {d["device_id"]: d for d in status["devices"]}
        self.violating = [d for d in status["devices"] if d["status"] in ("pending", "overdue")]
        self.assertGreaterEqual(len(self.violating), 3)
        with open(self.tmp / "people.csv", newline="", encoding="utf-8") as f:
            people = list(csv.DictReader(f))
        self.officer = next(p["person_id"] for p in people
                            if "security-officer" in p["role"].split(";")
                            and p.get("status", "active") == "active")
        self.secret = secrets.token_hex(24)
        (self.tmp / "hook.secret").write_text(self.secret + "\n")
        self.server = None
        self.receiver = None

    def tearDown(self):
        if self.server is not None and self.server.alive():
            self.server.stop()
        if self.receiver is not None:
            self.receiver.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def config(self, port):
        path = self.tmp / "server.yaml"
        path.write_text(f"""webhook_poll_ms: 100
webhooks:
  - url: http://127.0.0.1:{port}/hooks/phaseout
    secret_file: hook.secret
    directives: [{DIRECTIVE}]
    timeout_ms: 2000
    max_attempts: 60
    backoff_initial_ms: 100
    backoff_max_ms: 400
""")
        return str(path)

    def serve(self, port):
        return support.Server(PHASEOUT, self.db, extra=["--config", self.config(port)])

    def log_text(self):
        return pathlib.Path(self.db).with_suffix(".log").read_text(errors="replace")

    def wait_baseline(self, count=1):
        wait_for(lambda: self.log_text().count("baseline") >= count, "the webhook baseline")

    def dispose(self, device_id):
        support.run(PHASEOUT, self.db, "record", "disposition", device_id, "--as", "destroyed",
                    "--by", self.officer)

    def waive(self, device_id):
        until = (datetime.date.today() + datetime.timedelta(days=20)).isoformat()
        support.run(PHASEOUT, self.db, "waiver", "grant", "--device", device_id, "--approver",
                    self.officer, "--reason", "replacement on order", "--until", until)

    def assert_signed(self, headers, body):
        expected = hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
        self.assertEqual(headers["x-phaseout-signature"], "sha256=" + expected)
        self.assertEqual(headers["content-type"], "application/json")
        self.assertLess(abs(int(headers["x-phaseout-timestamp"]) - time.time()), 120)
        self.assertEqual(json.loads(body)["delivery_id"], headers["x-phaseout-delivery"])

    def test_each_change_arrives_signed(self):
        self.receiver = Receiver()
        self.server = self.serve(self.receiver.port)
        self.wait_baseline()
        gone, waived = self.violating[0], self.violating[1]
        self.dispose(gone["device_id"])
        self.waive(waived["device_id"])
        got = wait_for(lambda: len(self.receiver.delivered()) >= 2 and self.receiver.delivered(),
                       "two deliveries")
        time.sleep(0.5)  # nothing more comes
        got = self.receiver.delivered()
        by_device = {b["device"]: b for b in got.values()}
        self.assertEqual(set(by_device), {gone["device_id"], waived["device_id"]}, got)
        for status, headers, body in self.receiver.all_posts():
            self.assertEqual(status, 204)
            self.assert_signed(headers, body)
        today = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
        for before, new_status in ((gone, "out-of-scope"), (waived, "exempt")):
            b = by_device[before["device_id"]]
            self.assertEqual(b["type"], "verdict.changed")
            self.assertEqual(b["directive"], DIRECTIVE)
            self.assertEqual(b["old_status"], before["status"])
            self.assertEqual(b["new_status"], new_status)
            self.assertEqual(b["holder"], before["person_id"])
            self.assertTrue(b["unit"])
            self.assertTrue(b["reason"])
            self.assertIsInstance(b["event_seq"], int)
            self.assertEqual(b["day"], today)
            self.assertTrue(b["at"].startswith(today))
        self.assertIn("destroyed", by_device[gone["device_id"]]["reason"])
        self.assertEqual(self.server.stop(), 0)
        self.assertNotIn(self.secret, self.log_text())
        out = support.run(PHASEOUT, self.db, "audit", "verify").stdout
        self.assertIn("intact", out)

    def test_a_failing_receiver_gets_it_later_with_the_same_key(self):
        self.receiver = Receiver(fail_first=3)
        self.server = self.serve(self.receiver.port)
        self.wait_baseline()
        device = self.violating[0]["device_id"]
        self.dispose(device)
        got = wait_for(self.receiver.delivered, "the delivery after three failures")
        posts = self.receiver.all_posts()
        self.assertEqual([s for s, _, _ in posts], [500, 500, 500, 204])
        ids = {h["x-phaseout-delivery"] for _, h, _ in posts}
        self.assertEqual(len(ids), 1, "every attempt carries the same idempotency key")
        self.assertEqual({b for _, _, b in posts}.__len__(), 1, "every attempt the same body")
        for _, headers, body in posts:
            self.assert_signed(headers, body)
        self.assertEqual(list(got.values())[0]["device"], device)
        self.assertIn("will retry", self.log_text())
        self.assertNotIn(self.secret, self.log_text())
        self.assertEqual(self.server.stop(), 0)

    def test_every_change_survives_a_receiver_down_and_kill_9(self):
        self.receiver = Receiver()
        port = self.receiver.port
        self.server = self.serve(port)
        self.wait_baseline()
        self.receiver.stop()
        self.receiver = None
        first, second, third = (d["device_id"] for d in self.violating[:3])
        self.dispose(first)
        wait_for(lambda: "will retry" in self.log_text(), "a failed attempt while down")
        self.server.kill9()
        # Recorded while no server runs.
        self.dispose(second)
        self.waive(third)
        self.server = self.serve(port)
        time.sleep(0.5)  # the restarted server compares and tries while the receiver is down
        self.receiver = Receiver(port=port)
        got = wait_for(lambda: len({b["device"] for b in self.receiver.delivered().values()})
                       >= 3 and self.receiver.delivered(), "three changes after the restart")
        time.sleep(0.5)
        got = self.receiver.delivered()
        # At least once: the ids dedupe, and one id is always the same change.
        per_device = {}
        for delivery_id, body in got.items():
            per_device.setdefault(body["device"], set()).add(delivery_id)
        self.assertEqual(set(per_device), {first, second, third})
        for device, ids in per_device.items():
            self.assertEqual(len(ids), 1, f"{device} announced under several ids: {ids}")
        bodies = {}
        for _, headers, body in self.receiver.all_posts():
            self.assert_signed(headers, body)
            bodies.setdefault(headers["x-phaseout-delivery"], set()).add(body)
        self.assertTrue(all(len(b) == 1 for b in bodies.values()))
        new = {body["device"]: body["new_status"] for body in got.values()}
        self.assertEqual(new, {first: "out-of-scope", second: "out-of-scope", third: "exempt"})
        self.assertEqual(self.log_text().count("baseline"), 1, "the restart keeps the snapshot")
        self.assertEqual(self.server.stop(), 0)


if __name__ == "__main__":
    PHASEOUT = support.binary_from_argv(__doc__)
    unittest.main()
