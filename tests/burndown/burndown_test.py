#!/usr/bin/env python3
"""End-to-end test of `phaseout burndown`: a small campaign recorded through the CLI (baseline
imports, a disposition, a waiver granted then revoked, a person moving out of scope and a
device changing hands, each on its own day), then the daily counts checked against the story
written out by hand below, and against `status --at` for every single day; the forecast in its
three kinds; the SVG chart parsed as XML; bad input refused with exit code 1.

Usage: burndown_test.py PHASEOUT_BINARY SOURCE_DIR
"""
import json
import pathlib
import shutil
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET
from datetime import date, timedelta

PHASEOUT = None
SOURCE = None

PEOPLE = """person_id,name,email,unit,role,status
P-1,Ivan Petrov,ivan@pa.example,pa,official,active
P-2,Olga Smirnova,olga@pa.example,pa/press,official,active
P-3,Sergei Volkov,sergei@pa.example,pa/legal,official,active
P-4,Nikolai Novikov,nikolai@pa.example,pa/it,official;security-officer,active
P-5,Dmitry Sokolov,dmitry@gov.example,gov,official,active
"""
DEVICES = """device_id,holder,kind,vendor,model,platform,os_version,ownership,channel,serial,imei,mac,hostname,state
D-1,P-1,phone,Apple,iPhone 13,ios,16.3,corporate,official,,,,,active
D-2,P-2,phone,Apple,iPhone 14,ios,16.4,corporate,official,,,,,active
D-3,P-3,phone,Apple,iPhone 12,ios,16.1,corporate,official,,,,,active
D-4,P-4,phone,Samsung,Galaxy S23,android,13,corporate,official,,,,,active
D-5,P-5,phone,Apple,iPhone 13,ios,16.3,corporate,official,,,,,active
D-6,P-1,,,X-200,,,,,,,,,active
"""
# P-3 moves out of the directive's scope on 14 March.
PEOPLE_MOVE = """person_id,name,email,unit,role,status
P-3,Sergei Volkov,sergei@pa.example,gov/legal,official,active
"""
# D-5 is handed to P-2 (in scope) on 20 March.
DEVICE_HANDOVER = """device_id,holder,kind,vendor,model,platform,os_version,ownership,channel,serial,imei,mac,hostname,state
D-5,P-2,phone,Apple,iPhone 13,ios,16.3,corporate,official,,,,,active
"""


def run(db, *args, expect=0):
    proc = subprocess.run([PHASEOUT, "--db", db, *args], capture_output=True, text=True)
    if expect is not None and proc.returncode != expect:
        raise AssertionError(
            f"phaseout {' '.join(args)} exited {proc.returncode}, expected {expect}\n"
            f"stdout: {proc.stdout}\nstderr: {proc.stderr}")
    return proc


def days(first, last):
    d = date.fromisoformat(first)
    end = date.fromisoformat(last)
    while d <= end:
        yield d.isoformat()
        d += timedelta(days=1)


def expected_counts(day):
    """The story, day by day: (pending, overdue, exempt, unknown, compliant).

    D-4 (Android) is compliant and D-6 (no platform, vendor or kind) unknown throughout; D-5
    is out of scope until P-2 receives it. The directive's final due date is 1 April."""
    pending = 0
    exempt = 0
    if day < "2023-03-10":
        pending += 1                      # D-1, destroyed on 10 March
    if day < "2023-03-14":
        pending += 1                      # D-3, until P-3 leaves the scope on 14 March
    if "2023-03-12" <= day < "2023-03-16":
        exempt += 1                       # D-2 under waiver W-000001, revoked from 16 March
    else:
        pending += 1                      # D-2
    if day >= "2023-03-20":
        pending += 1                      # D-5, held by P-2 from 20 March
    overdue = 0
    if day > "2023-04-01":
        overdue, pending = pending, 0
    return (pending, overdue, exempt, 1, 1)


class BurndownTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = pathlib.Path(tempfile.mkdtemp(prefix="phaseout_burndown_"))
        cls.db = str(cls.tmp / "campaign.db")
        db = cls.db

        def write(name, text):
            path = cls.tmp / name
            path.write_text(text)
            return str(path)

        run(db, "init")
        run(db, "import", "people", write("people.csv", PEOPLE))
        run(db, "import", "devices", write("devices.csv", DEVICES))
        run(db, "directive", "add", str(SOURCE / "examples/directives/pa-iphone-2023.yaml"))
        run(db, "record", "disposition", "D-1", "--as", "destroyed", "--on", "2023-03-10",
            "--by", "P-4")
        run(db, "waiver", "grant", "--device", "D-2", "--approver", "P-4", "--reason",
            "travelling", "--from", "2023-03-12", "--until", "2023-03-18")
        run(db, "waiver", "revoke", "W-000001", "--on", "2023-03-16")
        run(db, "import", "people", write("move.csv", PEOPLE_MOVE), "--on", "2023-03-14")
        run(db, "import", "devices", write("handover.csv", DEVICE_HANDOVER), "--on", "2023-03-20")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def burndown(self, *args):
        return json.loads(run(self.db, "burndown", "--format", "json", *args).stdout)

    def test_daily_counts_follow_the_story(self):
        out = self.burndown("--from", "2023-03-01", "--to", "2023-04-05")
        self.assertEqual(out["directive"], "pa-iphone-2023")
        # Nothing is counted before the directive is in force (issued 6 March).
        self.assertEqual(out["from"], "2023-03-06")
        self.assertEqual(out["to"], "2023-04-05")
        self.assertEqual([d["date"] for d in out["days"]], list(days("2023-03-06", "2023-04-05")))
        for d in out["days"]:
            got = (d["pending"], d["overdue"], d["exempt"], d["unknown"], d["compliant"])
            self.assertEqual(got, expected_counts(d["date"]), d["date"])
            self.assertEqual(d["violating"], d["pending"] + d["overdue"])

    def test_every_day_equals_status_at_that_day(self):
        out = self.burndown("--to", "2023-04-03")
        for d in out["days"]:
            totals = json.loads(run(self.db, "status", "--at", d["date"], "--format",
                                    "json").stdout)["totals"]
            for key in ("pending", "overdue", "exempt", "unknown", "compliant"):
                self.assertEqual(d[key], totals[key], f"{key} on {d['date']}")

    def test_forecast_from_a_trend_before_the_due_dates(self):
        out = self.burndown("--to", "2023-03-20")
        self.assertEqual(out["as_of"], "2023-03-20")
        self.assertEqual(len(out["days"]), 15)
        self.assertEqual([f["milestone"] for f in out["forecast"]], ["handover", "replace"])
        for f in out["forecast"]:
            self.assertEqual(f["kind"], "trend")
            self.assertEqual(f["basis_days"], 14)
            self.assertIn("least-squares linear trend", f["method"])
            self.assertIn("2023-03-07..2023-03-20", f["method"])
            self.assertIn("80% prediction interval", f["method"])
            self.assertLessEqual(f["low"], f["expected"])
            self.assertLessEqual(f["expected"], f["high"])
            self.assertIsInstance(f["on_track"], bool)
            self.assertEqual(f["on_track"], f["expected"] < 0.5)

    def test_too_few_days_says_so(self):
        out = self.burndown("--to", "2023-03-08")
        for f in out["forecast"]:
            self.assertEqual(f["kind"], "unavailable")
            self.assertIsNone(f["expected"])
            self.assertIsNone(f["on_track"])
            self.assertEqual(f["method"], "no forecast: 3 days observed up to 2023-03-08; "
                                          "a trend needs at least 5 days.")
        text = run(self.db, "burndown", "--to", "2023-03-08").stdout
        self.assertIn("handover  due 2023-03-31  no forecast", text)

    def test_passed_milestones_report_what_was_observed(self):
        out = self.burndown("--to", "2023-04-05")
        handover, replace = out["forecast"]
        self.assertEqual((handover["kind"], handover["expected"], handover["on_track"]),
                         ("observed", 2.0, False))
        self.assertEqual((replace["kind"], replace["expected"], replace["on_track"]),
                         ("observed", 2.0, False))

    def test_default_range_ends_a_week_after_the_last_milestone(self):
        # Today is long after the campaign (1 April 2023), so --to defaults to 8 April.
        out = self.burndown()
        self.assertEqual((out["from"], out["to"]), ("2023-03-06", "2023-04-08"))

    def test_text_table(self):
        text = run(self.db, "burndown", "--to", "2023-03-20").stdout
        self.assertIn("pa-iphone-2023: burn-down from 2023-03-06 to 2023-03-20", text)
        self.assertIn("DATE       VIOLATING  PENDING  OVERDUE  EXEMPT  UNKNOWN  COMPLIANT", text)
        self.assertIn("2023-03-12         1        1        0       1        1          1", text)
        self.assertIn("forecast as of 2023-03-20", text)

    def test_svg_chart_is_well_formed_and_script_free(self):
        path = self.tmp / "chart.svg"
        proc = run(self.db, "burndown", "--to", "2023-03-20", "--format", "svg", "-o", str(path))
        self.assertIn("wrote svg burn-down to", proc.stderr)
        svg = path.read_text()
        root = ET.fromstring(svg)
        ns = "{http://www.w3.org/2000/svg}"
        self.assertEqual(root.tag, ns + "svg")
        self.assertNotIn("<script", svg)
        self.assertIn("Burn-down of pa-iphone-2023", root.find(ns + "title").text)
        classes = [e.get("class") for e in root.iter() if e.get("class")]
        self.assertEqual(classes.count("milestone"), 2)
        for cls in ("pending", "unknown", "exempt", "violating", "forecast", "forecast-interval",
                    "as-of"):
            self.assertIn(cls, classes)
        # Same inputs, same bytes.
        self.assertEqual(svg, run(self.db, "burndown", "--to", "2023-03-20", "--format",
                                  "svg").stdout)

    def test_json_is_stable(self):
        args = ("burndown", "--to", "2023-04-05", "--format", "json")
        self.assertEqual(run(self.db, *args).stdout, run(self.db, *args).stdout)

    def test_bad_input_is_refused(self):
        cases = [
            (["--from", "2023-02-30"], "--from"),
            (["--to", "yesterday"], "--to"),
            (["--from", "2023-03-20", "--to", "2023-03-10"], "--to: 2023-03-10 is before"),
            (["--to", "2023-03-01"], "first in force on 2023-03-06"),
            (["--from", "2023-03-06", "--to", "2040-01-01"], "at most"),
            (["--directive", "nope"], "nope"),
            (["--format", "pdf"], "pdf"),
        ]
        for args, message in cases:
            proc = run(self.db, "burndown", *args, expect=1)
            self.assertIn(message, proc.stderr, args)
            self.assertEqual(proc.stdout, "", args)

    def test_help_documents_defaults_method_and_exit_codes(self):
        out = run(self.db, "burndown", "--help").stdout
        for part in ("--directive", "--from", "--to", "--format", "least-squares",
                     "80% prediction interval", "Exit codes", "7 days after the last milestone"):
            self.assertIn(part, out)


if __name__ == "__main__":
    PHASEOUT = sys.argv[1]
    SOURCE = pathlib.Path(sys.argv[2])
    unittest.main(argv=sys.argv[:1], verbosity=2)
