#!/usr/bin/env python3
"""End-to-end tests of the phaseout CLI on a fixed sample: evaluation at several dates checked
device by device against hand-written expectations (fixture/expected.csv), the golden status
JSON, upsert counts, directive versions, and every kind of bad input leaving the store untouched.

Usage: cli_test.py PHASEOUT_BINARY SOURCE_DIR
"""
import csv
import json
import os
import pathlib
import shutil
import sys
import tempfile
import unittest

import cli_run
from cli_run import run

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "postgres"))
import pg_cluster  # noqa: E402  (the database a test runs on: SQLite, or PostgreSQL)

SOURCE = None
FIXTURE = pathlib.Path(__file__).resolve().parent / "fixture"
GOLDEN = pathlib.Path(__file__).resolve().parent / "golden"


class CliTest(unittest.TestCase):
    def setUp(self):
        self.tmp = pathlib.Path(tempfile.mkdtemp(prefix="phaseout_cli_"))
        self.db = pg_cluster.database(self.tmp / "test.db", "cli")
        run(self.db, "init")
        run(self.db, "import", "people", str(FIXTURE / "people.csv"))
        run(self.db, "import", "devices", str(FIXTURE / "devices.csv"))
        run(self.db, "directive", "add", str(SOURCE / "examples/directives/pa-iphone-2023.yaml"))

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def status(self, at, devices=True):
        args = ["status", "--directive", "pa-iphone-2023", "--at", at, "--format", "json"]
        if devices:
            args.append("--devices")
        return json.loads(run(self.db, *args).stdout)

    def write(self, name, text, encoding="utf-8"):
        path = self.tmp / name
        path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
        return str(path)

    # --- evaluation ------------------------------------------------------------------------

    def test_verdicts_match_expectations_at_each_date(self):
        with open(FIXTURE / "expected.csv", newline="") as f:
            rows = list(csv.DictReader(f))
        for at in ("2023-03-20", "2023-04-01", "2023-04-02"):
            got = {d["device_id"]: d for d in self.status(at)["devices"]}
            self.assertEqual(sorted(got), sorted(r["device_id"] for r in rows),
                             f"devices in scope at {at}")
            for r in rows:
                d = got[r["device_id"]]
                self.assertEqual(d["status"], r[at], f"{r['device_id']} at {at}: {d['reason']}")
                self.assertEqual(d["rule"], int(r["rule"]), f"{r['device_id']} rule")
                self.assertTrue(d["reason"].endswith((".", "left", "review", "ago")) or d["reason"],
                                "every verdict has a reason")

    def test_totals_count_devices_in_scope(self):
        s = self.status("2023-03-20", devices=False)
        self.assertEqual(s["directive"], "pa-iphone-2023")
        self.assertEqual(s["as_of"], "2023-03-20")
        self.assertEqual(s["totals"], {"people_in_scope": 5, "devices_in_scope": 10,
                                       "compliant": 5, "pending": 3, "overdue": 0,
                                       "exempt": 0, "unknown": 2})
        self.assertNotIn("devices", s)

    def test_reason_names_device_holder_unit_rule_and_days(self):
        d = {x["device_id"]: x for x in self.status("2023-03-20")["devices"]}
        reason = d["D-02"]["reason"]
        for part in ("iPhone 13 Pro", "P-2", "pa/domestic-policy", "rule 1", "2023-04-01",
                     "12 days left"):
            self.assertIn(part, reason)
        self.assertIn("overdue", self.status("2023-04-05")["devices"][0]["reason"])

    def test_golden_status_json_is_byte_for_byte_stable(self):
        out = run(self.db, "status", "--at", "2023-03-20", "--format", "json", "--devices").stdout
        golden = (GOLDEN / "status-2023-03-20.json").read_text()
        self.assertEqual(out, golden)
        self.assertEqual(out, run(self.db, "status", "--at", "2023-03-20", "--format", "json",
                                  "--devices").stdout)

    def test_text_status_has_unit_table_and_milestones(self):
        out = run(self.db, "status", "--at", "2023-03-20").stdout
        for part in ("UNIT", "COMPLIANT", "PENDING", "OVERDUE", "UNKNOWN", "pa/domestic-policy",
                     "TOTAL", "handover", "11 days left", "replace", "12 days left"):
            self.assertIn(part, out)

    def test_reports_html_and_csv(self):
        html = self.tmp / "r.html"
        run(self.db, "report", "--at", "2023-03-20", "--format", "html", "-o", str(html))
        page = html.read_text()
        self.assertIn("<!DOCTYPE html>", page)
        self.assertNotIn("<script", page)
        self.assertIn("D-02", page)
        self.assertIn("12 days left", page)
        rows = list(csv.DictReader(run(self.db, "report", "--at", "2023-03-20", "--format",
                                       "csv").stdout.splitlines()))
        self.assertEqual(len(rows), 10)
        self.assertEqual({r["device_id"]: r["status"] for r in rows}["D-05"], "unknown")

    # --- imports ---------------------------------------------------------------------------

    def test_reimport_reports_unchanged_and_updates(self):
        out = json.loads(run(self.db, "import", "people", str(FIXTURE / "people.csv"),
                             "--format", "json").stdout)
        self.assertEqual((out["added"], out["updated"], out["unchanged"]), (0, 0, 9))
        changed = (FIXTURE / "people.csv").read_text().replace("P-2,Olga Smirnova,olga.smirnova"
                                                              "@pa.example,pa/domestic-policy",
                                                              "P-2,Olga Smirnova,olga.smirnova"
                                                              "@pa.example,pa/legal")
        changed += "P-10,New Person,,pa/it,official,active\n"
        out = json.loads(run(self.db, "import", "people", self.write("p2.csv", changed),
                             "--format", "json").stdout)
        self.assertEqual((out["added"], out["updated"], out["unchanged"]), (1, 1, 8))

    def test_json_import_equals_csv_import(self):
        people = [{"person_id": "P-1", "unit": "pa", "role": ["official"], "name": "Ivan"}]
        path = self.write("people.json", json.dumps(people))
        out = json.loads(run(self.db, "import", "people", path, "--format", "json").stdout)
        self.assertEqual(out["updated"], 1)

    def test_from_names_the_source_whatever_the_extension(self):
        people = [{"person_id": "P-1", "unit": "pa", "role": ["official"], "name": "Ivan"}]
        path = self.write("people-export.txt", json.dumps(people))
        run(self.db, "import", "people", path, expect=1)
        out = json.loads(run(self.db, "import", "people", path, "--from", "json",
                             "--format", "json").stdout)
        self.assertEqual((out["records"], out["updated"]), (1, 1))
        proc = run(self.db, "import", "people", path, "--from", "csv", expect=1)
        self.assertIn("people-export.txt:1", proc.stderr)
        run(self.db, "import", "people", path, "--from", "xlsx", expect=1)
        help_text = run(self.db, "import", "devices", "--help").stdout
        self.assertIn("--from", help_text)
        for source in ("csv", "json"):
            self.assertRegex(help_text, rf"\n  {source} +\S")

    BAD_IMPORTS = [
        # (kind, file name, content, expected fragment of the message)
        ("people", "missing_id.csv", "person_id,unit\n,pa\n", "missing_id.csv:2: person_id"),
        ("people", "dup.csv", "person_id,unit\nP-1,pa\nP-1,pa/legal\n", "dup.csv:3: person_id"),
        ("people", "badunit.csv", "person_id,unit\nP-1,/pa//x\n", "badunit.csv:2: unit"),
        ("people", "badstatus.csv", "person_id,unit,status\nP-1,pa,retired\n",
         "badstatus.csv:2: status"),
        ("people", "quote.csv", "person_id,unit,name\nP-1,pa,\"Ivan\nP-2,pa,x\n", "quote.csv:2"),
        ("people", "latin1.csv", b"person_id,unit,name\nP-1,pa,Jos\xe9\n", "latin1.csv:2"),
        ("people", "unknowncol.csv", "person_id,unit,shoe_size\nP-1,pa,42\n", "shoe_size"),
        ("devices", "holder.csv", "device_id,holder\nD-01,P-404\n", "holder.csv:2: holder"),
        ("devices", "state.csv", "device_id,holder,state\nD-01,P-1,broken\n", "state.csv:2: state"),
        ("devices", "platform.csv", "device_id,platform\nD-01,symbian-ish-thing\n",
         "platform.csv:2: platform"),
        ("devices", "mac.csv", "device_id,mac\nD-01,zz:zz\n", "mac.csv:2: mac"),
        ("devices", "bad.json", '[{"device_id": "D-01"}, {"device_id": "D-01"}]', "bad.json:1"),
        ("devices", "devices.txt", "device_id\nD-01\n", "devices.txt"),
    ]

    def test_bad_imports_store_nothing(self):
        before = run(self.db, "status", "--at", "2023-03-20", "--format", "json",
                     "--devices").stdout
        for kind, name, content, fragment in self.BAD_IMPORTS:
            with self.subTest(file=name):
                path = self.write(name, content)
                proc = run(self.db, "import", kind, path, expect=1)
                self.assertIn(fragment, proc.stderr)
                after = run(self.db, "status", "--at", "2023-03-20", "--format", "json",
                            "--devices").stdout
                self.assertEqual(before, after, f"{name} changed the store")

    def test_every_problem_is_listed_up_to_fifty(self):
        rows = "".join(f"P-{i},/bad\n" for i in range(80))
        proc = run(self.db, "import", "people", self.write("many.csv", "person_id,unit\n" + rows),
                   expect=1)
        lines = [l for l in proc.stderr.splitlines() if "many.csv:" in l]
        self.assertEqual(len(lines), 50)
        self.assertIn("30 more", proc.stderr)

    # --- directives ------------------------------------------------------------------------

    def test_directive_versions(self):
        src = (SOURCE / "examples/directives/pa-iphone-2023.yaml").read_text()
        out = json.loads(run(self.db, "directive", "add", self.write("same.yaml", src),
                             "--format", "json").stdout)
        self.assertEqual((out["version"], out["created"]), (1, False))
        changed = src.replace("due: 2023-04-01", "due: 2023-04-15")
        out = json.loads(run(self.db, "directive", "add", self.write("v2.yaml", changed),
                             "--format", "json").stdout)
        self.assertEqual((out["version"], out["created"]), (2, True))
        s = self.status("2023-04-10")
        self.assertEqual(s["totals"]["overdue"], 0)
        listed = json.loads(run(self.db, "directive", "list", "--format", "json").stdout)
        self.assertEqual([(d["id"], d["version"]) for d in listed], [("pa-iphone-2023", 2)])
        shown = run(self.db, "directive", "show", "pa-iphone-2023", "--version", "1").stdout
        self.assertIn("due: 2023-04-01", shown)

    def test_bad_directives_are_refused_with_file_and_line(self):
        src = (SOURCE / "examples/directives/pa-iphone-2023.yaml").read_text()
        cases = {
            "unknown_key.yaml": (src + "colour: red\n", "colour"),
            "platform.yaml": (src.replace("platform: ios", "platform: iso"), "iso"),
            "due.yaml": (src.replace("due: 2023-03-31", "due: 2023-02-30"), "2023-02-30"),
            "scope.yaml": (src.replace('units: ["pa/**"]', "units: []"), "units"),
        }
        before = run(self.db, "directive", "list", "--format", "json").stdout
        for name, (text, fragment) in cases.items():
            with self.subTest(file=name):
                path = self.write(name, text)
                proc = run(self.db, "directive", "check", path, expect=1)
                self.assertIn(fragment, proc.stderr)
                self.assertRegex(proc.stderr, name.replace(".", r"\.") + r":\d+")
                run(self.db, "directive", "add", path, expect=1)
        self.assertEqual(before, run(self.db, "directive", "list", "--format", "json").stdout)

    # --- usage ----------------------------------------------------------------------------

    def test_help_everywhere_and_exit_codes(self):
        for cmd in ([], ["init"], ["import"], ["import", "people"], ["import", "devices"],
                    ["directive"], ["directive", "add"], ["directive", "check"],
                    ["directive", "list"], ["directive", "show"], ["status"], ["report"],
                    ["demo"]):
            proc = run(self.db, *cmd, "--help")
            self.assertIn("Usage", proc.stdout)
        self.assertIn("Exit codes", run(self.db, "--help").stdout)
        run(self.db, "no-such-command", expect=1)
        run(self.db, "status", "--at", "2023-13-01", expect=1)
        run(self.db, "status", "--directive", "nope", expect=1)

    def test_uninitialised_database_is_a_clear_error(self):
        proc = run(str(self.tmp / "fresh.db"), "status", expect=1)
        self.assertIn("phaseout init", proc.stderr)

    def test_demo_is_deterministic(self):
        outs = []
        for i in range(2):
            d = self.tmp / f"demo{i}"
            d.mkdir()
            run(str(d / "demo.db"), "demo", "--people", "300", "--report", str(d / "r.html"))
            outs.append(run(str(d / "demo.db"), "status", "--at", "2023-03-20", "--format",
                            "json", "--devices").stdout)
            self.assertTrue((d / "r.html").exists())
        self.assertEqual(outs[0], outs[1])
        totals = json.loads(outs[0])["totals"]
        self.assertGreater(totals["pending"], 0)
        self.assertGreater(totals["unknown"], 0)
        self.assertGreater(totals["compliant"], 0)

    def test_demo_writes_its_exports_beside_a_database_named_by_url(self):
        d = self.tmp / "by-url"
        d.mkdir()
        proc = run(f"sqlite://{d / 'x.db'}", "demo", "--people", "300", "--report", "")
        self.assertTrue((d / "people.csv").exists(), proc.stdout)
        self.assertTrue((d / "devices.csv").exists(), proc.stdout)
        self.assertIn(f"exports written to {d / 'people.csv'}", proc.stdout)
        self.assertIn("examples of verdicts:\n  pending  ", proc.stdout)
        # The campaign's destruction certificate goes to the same folder, not the current one.
        self.assertIn(f"certificate {d / 'destruction-certificate-'}", proc.stdout)
        self.assertTrue(list(d.glob("destruction-certificate-*.txt")), proc.stdout)


if __name__ == "__main__":
    pg_cluster.exit_if_unavailable()
    cli_run.PHASEOUT = os.path.abspath(sys.argv.pop(1))
    SOURCE = pathlib.Path(sys.argv.pop(1)).resolve()
    unittest.main(verbosity=2)
