#!/usr/bin/env python3
"""End-to-end tests of the campaign: dispositions, replacements (allowed and refused), waivers
(granted, expired, revoked), cases, milestone progress, history as of any day, the audit trail
(altered with the sqlite3 shell and caught), and two processes writing at once.

Usage: campaign_test.py PHASEOUT_BINARY SOURCE_DIR
"""
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "postgres"))
import pg_cluster  # noqa: E402  (the database a test runs on: SQLite, or PostgreSQL)

PHASEOUT = None
SOURCE = None
FIXTURE = pathlib.Path(__file__).resolve().parent.parent / "cli" / "fixture"


def run(db, *args, expect=0):
    proc = subprocess.run([PHASEOUT, "--db", db, "--actor", "officer", *args],
                          capture_output=True, text=True)
    if expect is not None and proc.returncode != expect:
        raise AssertionError(
            f"phaseout {' '.join(args)} exited {proc.returncode}, expected {expect}\n"
            f"stdout: {proc.stdout}\nstderr: {proc.stderr}")
    return proc


class CampaignTest(unittest.TestCase):
    def setUp(self):
        self.tmp = pathlib.Path(tempfile.mkdtemp(prefix="phaseout_campaign_"))
        self.db = pg_cluster.database(self.tmp / "c.db", "campaign")
        run(self.db, "init")
        run(self.db, "import", "people", str(FIXTURE / "people.csv"))
        run(self.db, "import", "devices", str(FIXTURE / "devices.csv"))
        run(self.db, "directive", "add", str(SOURCE / "examples/directives/pa-iphone-2023.yaml"))

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def status(self, at):
        out = run(self.db, "status", "--at", at, "--format", "json", "--devices").stdout
        return json.loads(out)

    def verdict(self, at, device):
        for d in self.status(at)["devices"]:
            if d["device_id"] == device:
                return d["status"]
        return None  # not in scope

    def test_disposition_takes_device_out_from_its_date(self):
        cert = self.tmp / "certificate.pdf"
        cert.write_bytes(b"%PDF-1.4 destruction certificate 42")
        out = json.loads(run(self.db, "record", "disposition", "D-01", "--as", "destroyed",
                             "--on", "2023-03-15", "--by", "P-9", "--evidence", str(cert),
                             "--format", "json").stdout)
        self.assertEqual(out["state"], "destroyed")
        self.assertEqual(len(out["evidence_sha256"]), 64)
        self.assertEqual(self.verdict("2023-03-14", "D-01"), "pending")
        self.assertIsNone(self.verdict("2023-03-15", "D-01"))
        # Recorded after the fact: a second disposition of a destroyed device is refused.
        proc = run(self.db, "record", "disposition", "D-01", "--as", "returned", "--on",
                   "2023-03-20", "--by", "P-9", expect=1)
        self.assertIn("not active", proc.stderr)
        # "give it to the children"
        run(self.db, "record", "disposition", "D-02", "--as", "transferred", "--to",
            "family member", "--on", "2023-03-18", "--by", "P-2")
        self.assertIsNone(self.verdict("2023-03-18", "D-02"))
        proc = run(self.db, "record", "disposition", "D-14", "--as", "transferred", "--on",
                   "2023-03-18", "--by", "P-9", expect=1)
        self.assertIn("--to", proc.stderr)

    def test_bad_disposition_input_is_refused(self):
        run(self.db, "record", "disposition", "D-404", "--as", "lost", "--by", "P-9", "--on",
            "2023-03-15", expect=1)
        run(self.db, "record", "disposition", "D-01", "--as", "sold", "--by", "P-9", expect=1)
        run(self.db, "record", "disposition", "D-01", "--as", "lost", "--by", "P-404", expect=1)
        run(self.db, "record", "disposition", "D-01", "--as", "lost", "--by", "P-9", "--on",
            "2023-02-30", expect=1)
        run(self.db, "record", "disposition", "D-01", "--as", "lost", "--by", "P-9",
            "--evidence", str(self.tmp / "missing.pdf"), expect=1)
        self.assertEqual(self.verdict("2023-03-20", "D-01"), "pending")

    def test_replacements_allowed_and_refused(self):
        out = json.loads(run(self.db, "record", "replacement", "P-1", "--model", "INOI R7",
                             "--platform", "Aurora OS 4.0.2", "--channel", "official", "--on",
                             "2023-03-16", "--format", "json").stdout)
        self.assertEqual(out["platform"], "aurora")
        proc = run(self.db, "record", "replacement", "P-2", "--model", "iPhone 14", "--platform",
                   "ios", "--channel", "official", "--on", "2023-03-16", expect=1)
        self.assertIn("allow list", proc.stderr)
        proc = run(self.db, "record", "replacement", "P-2", "--model", "Galaxy S23",
                   "--platform", "android", "--channel", "parallel-import", "--on", "2023-03-16",
                   expect=1)
        self.assertIn("parallel-import", proc.stderr)
        devfile = self.tmp / "new.csv"
        devfile.write_text("device_id,holder,model,platform,channel\nN-1,P-2,Mate 60,"
                           "HarmonyOS 4.0,official\n")
        run(self.db, "record", "replacement", "P-2", "--device-file", str(devfile), "--on",
            "2023-03-17")
        cases = json.loads(run(self.db, "case", "list", "--at", "2023-03-20", "--format",
                               "json").stdout)
        replace = [m for m in cases["milestones"] if m["name"] == "replace"][0]
        self.assertEqual(replace["requires"], "allowed_replacement_held")
        by_device = {c["device_id"]: c for c in cases["cases"]}
        self.assertTrue(by_device["D-01"]["replacement_held"])
        self.assertTrue(by_device["D-02"]["replacement_held"])
        self.assertFalse(by_device["D-14"]["replacement_held"])

    def test_waiver_exempts_until_expiry_then_overdue(self):
        run(self.db, "waiver", "grant", "--device", "D-02", "--approver", "P-9", "--reason",
            "medical device pairing", "--from", "2023-03-25", "--until", "2023-04-10")
        self.assertEqual(self.verdict("2023-03-24", "D-02"), "pending")
        self.assertEqual(self.verdict("2023-03-25", "D-02"), "exempt")
        self.assertEqual(self.verdict("2023-04-05", "D-02"), "exempt")
        self.assertEqual(self.verdict("2023-04-10", "D-02"), "exempt")
        self.assertEqual(self.verdict("2023-04-11", "D-02"), "overdue")
        listed = json.loads(run(self.db, "waiver", "list", "--at", "2023-04-11", "--format",
                                "json").stdout)
        self.assertEqual(listed[0]["state"], "expired")

    def test_waiver_revocation(self):
        out = json.loads(run(self.db, "waiver", "grant", "--person", "P-9", "--approver", "P-9",
                             "--reason", "travel", "--from", "2023-03-20", "--until",
                             "2023-04-15", "--format", "json").stdout)
        run(self.db, "waiver", "revoke", out["waiver_id"], "--on", "2023-04-05")
        self.assertEqual(self.verdict("2023-04-04", "D-14"), "exempt")
        self.assertEqual(self.verdict("2023-04-05", "D-14"), "overdue")
        run(self.db, "waiver", "revoke", out["waiver_id"], "--on", "2023-04-06", expect=1)
        run(self.db, "waiver", "revoke", "W-999999", expect=1)

    def test_waiver_rules(self):
        base = {"--device": "D-02", "--approver": "P-9", "--reason": "r",
                "--from": "2023-03-20", "--until": "2023-03-30"}
        cases = [
            ({"--approver": "P-1"}, "security-officer"),                         # no role
            ({"--from": "2023-03-01", "--until": "2023-04-30"}, "at most 30"),  # too long
            ({"--device": None, "--unit": "pa/**"}, "whole-unit"),               # unit-wide
            ({"--from": "2023-04-01", "--until": "2023-03-01"}, "before"),
            ({"--reason": " "}, "reason"),
        ]
        for change, fragment in cases:
            with self.subTest(change=change):
                flags = {**base, **change}
                args = ["waiver", "grant"]
                for k, v in flags.items():
                    if v is not None:
                        args += [k, v]
                proc = run(self.db, *args, expect=1)
                self.assertIn(fragment, proc.stderr)
        run(self.db, "waiver", "grant", "--device", "D-02", "--approver", "P-9", "--reason", "r",
            "--from", "2023-03-20", expect=1)  # open-ended
        self.assertEqual(json.loads(run(self.db, "waiver", "list", "--format", "json").stdout), [])

    def test_cases_steps_and_filters(self):
        cases = json.loads(run(self.db, "case", "list", "--at", "2023-03-20", "--format",
                               "json").stdout)["cases"]
        self.assertEqual(sorted(c["device_id"] for c in cases), ["D-01", "D-02", "D-14"])
        self.assertEqual({c["first_failing_at"] for c in cases}, {"2023-03-06"})
        run(self.db, "case", "step", "pa-iphone-2023/D-14", "--to", "acknowledged", "--on",
            "2023-03-12", "--note", "will hand in Friday")
        shown = json.loads(run(self.db, "case", "show", "D-14", "--at", "2023-03-20",
                               "--format", "json").stdout)
        self.assertEqual(shown["stage"], "acknowledged")
        self.assertEqual(shown["steps"][0]["note"], "will hand in Friday")
        before = json.loads(run(self.db, "case", "show", "D-14", "--at", "2023-03-11",
                                "--format", "json").stdout)
        self.assertEqual(before["stage"], "open")
        run(self.db, "case", "step", "D-01", "--to", "surrendered", expect=1)
        run(self.db, "case", "step", "D-03", "--to", "acknowledged", expect=1)  # no case
        only = json.loads(run(self.db, "case", "list", "--at", "2023-03-20", "--unit", "pa/it/**",
                              "--format", "json").stdout)["cases"]
        self.assertEqual([c["device_id"] for c in only], ["D-14"])
        overdue = json.loads(run(self.db, "case", "list", "--at", "2023-04-02", "--overdue",
                                 "--format", "json").stdout)["cases"]
        self.assertEqual(len(overdue), 3)
        acked = json.loads(run(self.db, "case", "list", "--at", "2023-03-20", "--status",
                               "acknowledged", "--format", "json").stdout)["cases"]
        self.assertEqual([c["device_id"] for c in acked], ["D-14"])
        # P-1 holds an allowed Aurora phone (D-16): D-01's case shows the replacement.
        self.assertEqual(json.loads(run(self.db, "case", "show", "D-01", "--at", "2023-03-20",
                                        "--format", "json").stdout)["stage"],
                         "replacement-issued")
        run(self.db, "record", "disposition", "D-01", "--as", "returned", "--on", "2023-03-21",
            "--by", "P-9")
        left = json.loads(run(self.db, "case", "list", "--at", "2023-03-22", "--milestone",
                              "handover", "--format", "json").stdout)["cases"]
        self.assertEqual(sorted(c["device_id"] for c in left), ["D-02", "D-14"])

    def test_history_report_for_a_past_day_is_stable(self):
        before = run(self.db, "status", "--at", "2023-03-25", "--format", "json",
                     "--devices").stdout
        # Later events do not change what 25 March looked like.
        run(self.db, "record", "disposition", "D-02", "--as", "returned", "--on", "2023-03-28",
            "--by", "P-9")
        run(self.db, "waiver", "grant", "--device", "D-14", "--approver", "P-9", "--reason", "x",
            "--from", "2023-03-29", "--until", "2023-04-05")
        self.assertEqual(before, run(self.db, "status", "--at", "2023-03-25", "--format", "json",
                                     "--devices").stdout)
        # A directive version from 26 March applies only from then on.
        src = (SOURCE / "examples/directives/pa-iphone-2023.yaml").read_text()
        v2 = self.tmp / "v2.yaml"
        v2.write_text(src.replace("due: 2023-04-01", "due: 2023-04-30"))
        run(self.db, "directive", "add", str(v2), "--on", "2023-03-26")
        self.assertEqual(before, run(self.db, "status", "--at", "2023-03-25", "--format", "json",
                                     "--devices").stdout)
        self.assertEqual(self.verdict("2023-04-10", "D-14"), "pending")

    def test_audit_trail_catches_tampering(self):
        run(self.db, "record", "disposition", "D-01", "--as", "destroyed", "--on", "2023-03-15",
            "--by", "P-9")
        run(self.db, "waiver", "grant", "--device", "D-02", "--approver", "P-9", "--reason", "r",
            "--from", "2023-03-20", "--until", "2023-03-30")
        ok = json.loads(run(self.db, "audit", "verify", "--format", "json").stdout)
        self.assertTrue(ok["ok"])
        events = [json.loads(l) for l in run(self.db, "audit", "export").stdout.splitlines()]
        self.assertEqual([e["seq"] for e in events], list(range(1, len(events) + 1)))
        self.assertEqual(events[-1]["actor"], "officer")
        disposition = [e for e in events if e["kind"] == "disposition"][0]

        # Un-destroy the phone behind phaseout's back, with the engine's own shell.
        pg_cluster.sql(self.db, "UPDATE device_versions SET state = 'active' "
                       "WHERE device_id = 'D-01' AND state = 'destroyed'")
        proc = run(self.db, "audit", "verify", "--format", "json", expect=3)
        bad = json.loads(proc.stdout)
        self.assertFalse(bad["ok"])
        self.assertEqual(bad["first_broken_entry"], disposition["seq"])
        pg_cluster.sql(self.db, "UPDATE device_versions SET state = 'destroyed' "
                       "WHERE device_id = 'D-01' AND seq = %d" % disposition["seq"])
        run(self.db, "audit", "verify")

        # Change who granted the waiver in the event itself.
        pg_cluster.sql(self.db, "UPDATE events SET actor = 'someone' WHERE kind = "
                       "'waiver.grant'")
        proc = run(self.db, "audit", "verify", expect=3)
        self.assertIn("BROKEN at entry %d" % events[-1]["seq"], proc.stdout)

    def test_two_processes_writing_at_once_lose_nothing(self):
        script = (
            "import subprocess, sys\n"
            "exe, db, who = sys.argv[1:4]\n"
            "for i in range(15):\n"
            "    subprocess.run([exe, '--db', db, '--actor', who, 'case', 'step', 'D-14', '--to',"
            " 'acknowledged', '--on', '2023-03-%02d' % (10 + i % 10), '--note', who + str(i)],"
            " check=True, capture_output=True)\n")
        procs = [subprocess.Popen([sys.executable, "-c", script, PHASEOUT, self.db, who])
                 for who in ("alice", "bob")]
        for p in procs:
            self.assertEqual(p.wait(), 0)
        notes = {s["note"] for s in json.loads(run(self.db, "case", "show", "D-14", "--at",
                                                   "2023-04-01", "--format",
                                                   "json").stdout)["steps"]}
        self.assertEqual(notes, {f"{w}{i}" for w in ("alice", "bob") for i in range(15)})
        verify = json.loads(run(self.db, "audit", "verify", "--format", "json").stdout)
        self.assertTrue(verify["ok"])
        self.assertEqual(pg_cluster.sql(self.db, "SELECT count(*) FROM case_steps"), ["30"])


if __name__ == "__main__":
    pg_cluster.exit_if_unavailable()
    PHASEOUT = os.path.abspath(sys.argv.pop(1))
    SOURCE = pathlib.Path(sys.argv.pop(1)).resolve()
    unittest.main(verbosity=2)
