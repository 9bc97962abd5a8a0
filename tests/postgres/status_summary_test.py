#!/usr/bin/env python3
"""`phaseout status` without --devices streams its counts (service statusSummary) instead of
evaluating every device into memory; this checks it prints what the full evaluation gives, on
SQLite and on PostgreSQL (PHASEOUT_TEST_POSTGRES set: the database is on the throw-away
cluster), over an organisation with history: the demo's campaign from 6 to 20 March 2023
(notices, hand-ins, replacements, a destroyed and a transferred device, a waiver that expired
and one still running), then people moved between units, one leaving, a device handed to
someone else and a unit-wide and a person waiver, each from a later day. Every day from before
the directive to after its final due date is compared: the JSON of `status` equals `report
--format json` (the full evaluation) without its device list, and the text of `status` equals
`status --devices` without its list of devices needing action.

Usage: status_summary_test.py PHASEOUT_BINARY SOURCE_DIR
Exit 77 (skipped) when PostgreSQL was asked for and no cluster could be started.
"""
import csv
import datetime
import json
import pathlib
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import pg_cluster  # noqa: E402

PHASEOUT = None


def run(db, *args):
    argv = [PHASEOUT, "--db", db, "--actor", "officer", *args]
    proc = subprocess.run(argv, capture_output=True, text=True)
    if proc.returncode != 0:
        raise AssertionError(f"phaseout {' '.join(args)} exited {proc.returncode}\n"
                             f"stdout: {proc.stdout}\nstderr: {proc.stderr}")
    return proc.stdout


class StatusSummaryTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = pathlib.Path(tempfile.mkdtemp(prefix="phaseout_status_summary_"))
        cls.db = pg_cluster.database(cls.tmp / "s.db", "status_summary")
        run(cls.db, "init")
        run(cls.db, "demo", "--people", "300", "--seed", "7", "--out-dir", str(cls.tmp / "demo"))
        report = json.loads(run(cls.db, "report", "--format", "json", "--at", "2023-03-20"))
        devices = report["devices"]
        # Pending devices of distinct holders.
        pending, holders = [], set()
        for d in devices:
            if d["status"] == "pending" and d["person_id"] not in holders:
                holders.add(d["person_id"])
                pending.append(d)
        compliant = [d for d in devices if d["status"] == "compliant"]
        assert len(pending) > 6 and compliant, "the demo has pending and compliant devices"
        with open(cls.tmp / "demo" / "people.csv", newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            fields = reader.fieldnames
            people = {row["person_id"]: row for row in reader}
        # Later history, each from its own day: one holder of a banned device moves to another
        # unit, another leaves.
        moved = dict(people[pending[0]["person_id"]], unit=compliant[0]["unit"])
        left = dict(people[pending[1]["person_id"]], status="left")
        changed = cls.tmp / "people-0401.csv"
        with open(changed, "w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=fields)
            writer.writeheader()
            writer.writerows([moved, left])
        run(cls.db, "import", "people", str(changed), "--on", "2023-04-01")
        run(cls.db, "record", "disposition", pending[2]["device_id"], "--as", "returned", "--on",
            "2023-04-03", "--by", pending[2]["person_id"])
        officer = cls.approver()
        if officer:
            run(cls.db, "waiver", "grant", "--person", pending[3]["person_id"], "--approver",
                officer, "--reason", "field work", "--from", "2023-04-02", "--until",
                "2023-04-20")
            run(cls.db, "waiver", "grant", "--device", pending[4]["device_id"], "--approver",
                officer, "--reason", "medical", "--from", "2023-03-28", "--until", "2023-04-05")

    @classmethod
    def approver(cls):
        """The approver of one of the demo's waivers (holds the approver role), or None."""
        listed = json.loads(run(cls.db, "waiver", "list", "--format", "json"))
        waivers = listed["waivers"] if isinstance(listed, dict) else listed
        return waivers[0]["approver"] if waivers else None

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def days(self):
        day = datetime.date(2023, 3, 6)
        while day <= datetime.date(2023, 7, 10):
            yield day.isoformat()
            day += datetime.timedelta(days=9)
        yield from ("2023-03-20", "2023-04-02", "2023-04-05", "2023-04-06", "2023-12-31")

    def test_json_equals_full_evaluation(self):
        for day in self.days():
            with self.subTest(day=day):
                streamed = json.loads(run(self.db, "status", "--at", day, "--format", "json"))
                full = json.loads(run(self.db, "report", "--format", "json", "--at", day))
                full.pop("devices")
                self.assertEqual(streamed, full)

    def test_text_equals_full_evaluation(self):
        for day in ("2023-03-20", "2023-04-05", "2023-12-31"):
            with self.subTest(day=day):
                streamed = run(self.db, "status", "--at", day)
                full = run(self.db, "status", "--at", day, "--devices")
                self.assertEqual(streamed, full.split("\ndevices needing action:\n")[0])

    def test_counts_are_not_trivial(self):
        streamed = json.loads(run(self.db, "status", "--at", "2023-04-05", "--format", "json"))
        totals = streamed["totals"]
        self.assertGreater(totals["pending"] + totals["overdue"], 0)
        self.assertGreater(totals["compliant"], 0)
        self.assertGreater(totals["exempt"], 0)
        self.assertTrue(any(m["total"] > 0 for m in streamed["milestones"]))


if __name__ == "__main__":
    PHASEOUT = sys.argv.pop(1)
    sys.argv.pop(1)  # SOURCE_DIR (unused)
    pg_cluster.exit_if_unavailable()
    unittest.main()
