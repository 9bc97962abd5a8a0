#!/usr/bin/env python3
"""End-to-end tests of reconciliation: `phaseout detect --format json` output (of real corpus
captures, and hand-written) imported with `phaseout sightings import`, then every finding kind
and a negative for each through `phaseout sightings findings`, listing by device, an import
that is all-or-nothing, and the audit trail catching a sightings row altered with the sqlite3
shell.

Usage: sightings_test.py PHASEOUT_BINARY SOURCE_DIR SHARED_DIR [unittest names...]

Exit status: 0 every test ran and passed, 1 a failure, 77 (ctest's SKIP_RETURN_CODE) when
everything that ran passed but some tests were skipped (the corpus under SHARED_DIR is
absent); the skipped tests and their reasons are printed.
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
SHARED = None
DATA = pathlib.Path(__file__).resolve().parent / "data"

ANDROID_PHONE_UA = ("Mozilla/5.0 (Linux; Android 13; SM-S918B) AppleWebKit/537.36 (KHTML, like "
                    "Gecko) Chrome/112.0.0.0 Mobile Safari/537.36")
IPHONE_UA = ("Mozilla/5.0 (iPhone; CPU iPhone OS 16_3 like Mac OS X) AppleWebKit/605.1.15 "
             "(KHTML, like Gecko) Version/16.3 Mobile/15E148 Safari/604.1")
IPAD_UA = ("Mozilla/5.0 (iPad; CPU OS 16_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
           "Gecko) Version/16.3 Mobile/15E148 Safari/604.1")
DESKTOP_UA = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/112.0.0.0 Safari/537.36")


def run(db, *args, expect=0):
    proc = subprocess.run([PHASEOUT, "--db", db, "--actor", "officer", *args],
                          capture_output=True, text=True)
    if expect is not None and proc.returncode != expect:
        raise AssertionError(
            f"phaseout {' '.join(args)} exited {proc.returncode}, expected {expect}\n"
            f"stdout: {proc.stdout}\nstderr: {proc.stderr}")
    return proc


def device(key, platform="unknown", level="unknown", kind="unknown", **extra):
    d = {"key": key, "macs": [], "ips": [], "hostnames": [], "platform": platform, "kind": kind,
         "confidence": {"confirmed": 0.995, "likely": 0.95}.get(level, 0.5), "level": level,
         "candidates": [], "evidence": []}
    d.update(extra)
    return d


def service(name, user_agent, user="", line=1):
    return {"service": name, "user": user, "user_agent": user_agent, "count": 2,
            "file": "access.log", "line": line}


class Base(unittest.TestCase):
    def setUp(self):
        self.tmp = pathlib.Path(tempfile.mkdtemp(prefix="phaseout_sightings_"))
        self.db = pg_cluster.database(self.tmp / "s.db", "sightings")
        run(self.db, "init")
        run(self.db, "import", "people", str(DATA / "people.csv"))
        run(self.db, "import", "devices", str(DATA / "devices.csv"))
        run(self.db, "directive", "add", str(SOURCE / "examples/directives/pa-iphone-2023.yaml"))
        run(self.db, "directive", "add", str(DATA / "pa-usage-2023.yaml"))

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def write_json(self, name, devices):
        path = self.tmp / name
        path.write_text(json.dumps({"devices": devices, "stats": {}}))
        return str(path)

    def import_devices(self, devices, on=None, name="detect.json"):
        args = ["sightings", "import", self.write_json(name, devices), "--format", "json"]
        if on:
            args += ["--on", on]
        return json.loads(run(self.db, *args).stdout)

    def findings(self, at="2023-04-30", *extra):
        out = run(self.db, "sightings", "findings", "--at", at, "--format", "json", *extra).stdout
        return json.loads(out)["findings"]

    def of_kind(self, kind, at="2023-04-30"):
        return [f for f in self.findings(at) if f["kind"] == kind]

    def detect(self, capture):
        path = pathlib.Path(SHARED) / "corpus/pcap/ndpi" / capture
        if not path.exists():
            self.skipTest(f"{path} is absent (PH_SHARED_DIR has no corpus)")
        out = subprocess.run([PHASEOUT, "detect", "--format", "json", str(path)],
                             capture_output=True, text=True, check=True).stdout
        json_path = self.tmp / (capture + ".json")
        json_path.write_text(out)
        return str(json_path)

    def count_rows(self, table):
        return int(pg_cluster.sql(self.db, f"SELECT count(*) FROM {table}")[0])


class SightingsTest(Base):
    # --- real captures ----------------------------------------------------------------------

    def test_corpus_iphone_unknown_to_inventory_is_an_unknown_phone(self):
        detected = self.detect("iphone.pcap")
        # The capture is from 2020: replay it as if seen after the deadline.
        out = json.loads(run(self.db, "sightings", "import", detected, "--on", "2023-04-05",
                             "--format", "json").stdout)
        self.assertEqual(out["sightings"], 2)  # Lucas-iPhone and Lucas-iMac
        found = self.findings()
        self.assertEqual([f["kind"] for f in found], ["unknown-phone"], found)
        f = found[0]
        self.assertEqual(f["directive"], "pa-iphone-2023")
        self.assertEqual(f["sighting_key"], "mac:c4:61:8b:35:82:a9")
        self.assertIn("matches no device in the inventory", f["reason"])
        evidence = "\n".join(f["evidence"])
        self.assertIn("Lucas-iPhone", evidence)
        self.assertIn("iphone.pcap#", evidence)
        # The iMac is neither an unknown phone nor banned.
        self.assertFalse([x for x in found if x["sighting_key"] == "mac:c6:2c:03:60:6a:64"])
        # Before the directive was issued, nothing.
        self.assertEqual(self.findings("2023-04-04"), [])

    def test_corpus_iphone_of_an_official_is_banned_and_the_imac_is_not(self):
        run(self.db, "import", "devices", str(DATA / "lucas-devices.csv"))
        run(self.db, "sightings", "import", self.detect("iphone.pcap"), "--on", "2023-04-05")
        found = self.findings()
        self.assertEqual([(f["kind"], f["device"], f["person"]) for f in found],
                         [("banned-platform", "D-07", "P-1")], found)
        self.assertIn("banned by rule 1 (platform ios) of pa-iphone-2023", found[0]["reason"])
        self.assertIn("after the final due date 2023-04-01", found[0]["reason"])
        self.assertIn("matches inventory device D-07 by MAC c4:61:8b:35:82:a9",
                      found[0]["evidence"])
        # Listing by device finds the sightings matched to it.
        listed = json.loads(run(self.db, "sightings", "list", "--device", "D-08", "--format",
                                "json").stdout)["sightings"]
        self.assertEqual([s["hostnames"] for s in listed], [["Lucas-iMac"]])
        self.assertEqual(listed[0]["platform"], "macos")

    def test_detect_store_records_sightings_that_status_counts(self):
        path = pathlib.Path(SHARED) / "corpus/pcap/ndpi/iphone.pcap"
        if not path.exists():
            self.skipTest(f"{path} is absent (PH_SHARED_DIR has no corpus)")
        run(self.db, "import", "devices", str(DATA / "lucas-devices.csv"))
        before = json.loads(run(self.db, "status", "--directive", "pa-iphone-2023", "--at",
                                "2023-04-05", "--format", "json").stdout)["network"]
        self.assertEqual(before, {"sightings": 0, "findings": 0, "banned_platform": 0,
                                  "unknown_phone": 0, "disposed_seen_again": 0, "usage_ban": 0})
        # --on without --store is a usage error and stores nothing.
        run(self.db, "detect", "--on", "2023-04-05", str(path), expect=1)
        self.assertEqual(self.count_rows("sightings"), 0)
        proc = run(self.db, "detect", "--store", "--on", "2023-04-05", "--format", "json",
                   str(path))
        self.assertEqual(len(json.loads(proc.stdout)["devices"]), 2)  # output as without --store
        self.assertIn("stored 2 sighting(s)", proc.stderr)
        self.assertEqual(self.count_rows("sightings"), 2)
        status = json.loads(run(self.db, "status", "--directive", "pa-iphone-2023", "--at",
                                "2023-04-05", "--format", "json").stdout)
        self.assertEqual(status["network"]["sightings"], 2)
        self.assertEqual(status["network"]["banned_platform"], 1)
        self.assertEqual(status["network"]["findings"], 1)
        text = run(self.db, "status", "--directive", "pa-iphone-2023", "--at",
                   "2023-04-05").stdout
        self.assertIn("network: 2 device(s) seen, 1 finding(s): 1 banned platform", text)
        page = self.tmp / "report.html"
        run(self.db, "report", "--directive", "pa-iphone-2023", "--at", "2023-04-05",
            "--format", "html", "-o", str(page))
        html = page.read_text()
        self.assertIn("<h2>Seen on the network</h2>", html)
        self.assertIn("<tr><td>2</td><td>1</td><td>1</td><td>0</td><td>0</td><td>0</td></tr>", html)
        self.assertIn("phaseout sightings findings --directive pa-iphone-2023 --at 2023-04-05",
                      html)
        # Before the day they were seen, the network showed nothing.
        earlier = json.loads(run(self.db, "status", "--directive", "pa-iphone-2023", "--at",
                                 "2023-04-04", "--format", "json").stdout)["network"]
        self.assertEqual(earlier["sightings"], 0)
        self.assertIn("intact", run(self.db, "audit", "verify").stdout)

    def test_corpus_android_phone_unknown_has_no_directive(self):
        run(self.db, "sightings", "import", self.detect("android.pcap"), "--on", "2023-04-05")
        found = self.findings()
        unknown = [f for f in found if f["kind"] == "unknown-phone"]
        self.assertEqual(len(unknown), 1, found)
        self.assertEqual(unknown[0]["directive"], "")
        self.assertIn("Android phone", unknown[0]["reason"])
        self.assertEqual(self.findings("2023-04-30", "--directive", "pa-iphone-2023"), [])
        text = run(self.db, "sightings", "findings", "--at", "2023-04-30").stdout
        self.assertIn("unknown-phone  -  2023-04-05", text)

    # --- hand-written detect JSON -----------------------------------------------------------

    def test_banned_platform_and_its_negatives(self):
        self.import_devices([
            # D-01 (P-1, in scope): by its host name with a domain.
            device("ip:10.0.0.1", "ios", "likely", "phone", hostnames=["iphone-ivan.local"]),
            # D-06 (P-4, pa-press: out of scope).
            device("mac:aa:bb:cc:00:00:06", "ios", "confirmed", "phone",
                   macs=["aa:bb:cc:00:00:06"]),
            # D-01 again, but detect is not sure: never an accusation.
            device("mac:aa:bb:cc:00:00:01", "unknown", "unknown", "unknown",
                   macs=["aa:bb:cc:00:00:01"], vendor="apple"),
            # An iPad on D-01's address would not be an iPhone either.
            device("ip:10.0.0.2", "ipados", "confirmed", "tablet", hostnames=["iPhone-Ivan"]),
        ], on="2023-04-05")
        found = self.findings()
        banned = [f for f in found if f["kind"] == "banned-platform"]
        self.assertEqual([(f["device"], f["person"]) for f in banned], [("D-01", "P-1")], found)
        self.assertIn("matches inventory device D-01 by host name iphone-ivan.local",
                      banned[0]["evidence"])
        self.assertEqual(found, banned)  # and nothing else: D-06's holder is out of scope

    def test_banned_platform_by_authenticated_user(self):
        self.import_devices([device(
            "mac:02:aa:00:00:00:01", "ios", "confirmed", "phone", macs=["02:aa:00:00:00:01"],
            users=["PA\\Ivan.Petrov"],
            services=[service("intranet.example/", IPHONE_UA, "PA\\Ivan.Petrov")])],
            on="2023-04-05")
        banned = self.of_kind("banned-platform")
        self.assertEqual([(f["device"], f["person"]) for f in banned], [("", "P-1")])
        self.assertIn("attributed: user PA\\Ivan.Petrov is P-1 (ivan.petrov@pa.example)",
                      banned[0]["evidence"])
        self.assertEqual(len(self.of_kind("unknown-phone")), 1)

    def test_disposed_device_seen_again_and_not_before(self):
        run(self.db, "record", "disposition", "D-10", "--as", "destroyed", "--on", "2023-03-15",
            "--by", "P-9")
        self.import_devices([
            device("mac:aa:bb:cc:00:00:10", "unknown", "unknown", macs=["aa:bb:cc:00:00:10"],
                   last_seen="2023-03-14T09:00:00Z"),
            device("mac:aa:bb:cc:00:00:10", "unknown", "unknown", macs=["aa:bb:cc:00:00:10"],
                   last_seen="2023-03-15T18:00:00Z"),
        ], name="before.json")
        self.assertEqual(self.of_kind("disposed-seen-again"), [])
        self.import_devices([
            device("mac:aa:bb:cc:00:00:10", "ios", "likely", "phone", macs=["aa:bb:cc:00:00:10"],
                   first_seen="2023-04-03T08:00:00Z", last_seen="2023-04-03T09:00:00Z")],
            name="after.json")
        again = self.of_kind("disposed-seen-again")
        self.assertEqual([(f["device"], f["directive"], f["seen_on"]) for f in again],
                         [("D-10", "pa-iphone-2023", "2023-04-03")])
        self.assertIn("recorded destroyed on 2023-03-15", again[0]["reason"])
        self.assertIn("inventory: D-10 is destroyed since 2023-03-15", again[0]["evidence"])
        # As of a day before it came back, nothing.
        self.assertEqual(self.of_kind("disposed-seen-again", at="2023-04-02"), [])
        kinds = json.loads(run(self.db, "sightings", "findings", "--at", "2023-04-30", "--kind",
                               "disposed-seen-again", "--format", "json").stdout)["findings"]
        self.assertEqual(len(kinds), 1)

    def test_usage_ban_by_user_and_by_device_and_its_negatives(self):
        self.import_devices([
            # A proxy in front of many users: attribution by the authenticated user.
            device("ip:10.9.9.9", services=[
                service("mail.pa.example/owa/", ANDROID_PHONE_UA, "ivan.petrov", line=7),
                service("portal.pa.example/docs/plan.pdf", IPHONE_UA, "ivan.petrov", line=8),
                service("mail.pa.example/owa/", DESKTOP_UA, "olga.smirnova", line=9),
                service("mail.pa.example/owa/", IPAD_UA, "olga.smirnova", line=10),
                service("portal.pa.example/news/", IPHONE_UA, "olga.smirnova", line=11),
                service("news.example/", IPHONE_UA, "olga.smirnova", line=12),
                service("mail.pa.example/owa/", IPHONE_UA, "anna.kuznetsova", line=13),
                service("mail.pa.example/owa/", IPHONE_UA, "stranger", line=14),
            ]),
            # No user: the phone's MAC is D-03's, held by P-2.
            device("mac:3c:28:6d:00:00:03", "android", "likely", "phone",
                   macs=["3c:28:6d:00:00:03"],
                   services=[service("mail.pa.example", ANDROID_PHONE_UA)]),
        ], on="2023-04-05")
        usage = self.of_kind("usage-ban")
        self.assertEqual([(f["person"], f["device"], f["directive"]) for f in usage],
                         [("P-1", "", "pa-no-smartphones-2023"),
                          ("P-2", "D-03", "pa-no-smartphones-2023")], usage)
        self.assertIn("mail.pa.example/owa/, portal.pa.example/docs/plan.pdf", usage[0]["reason"])
        evidence = "\n".join(usage[0]["evidence"])
        self.assertIn("access.log:7", evidence)
        self.assertIn("SM-S918B", evidence)
        self.assertIn("attributed: device D-03 (by MAC 3c:28:6d:00:00:03) is held by P-2",
                      usage[1]["evidence"])
        # Before the usage ban was issued: nothing.
        self.import_devices([device("ip:10.9.9.8", services=[
            service("mail.pa.example", IPHONE_UA, "nikolai.novikov")])], on="2023-03-19",
            name="early.json")
        self.assertEqual(len(self.of_kind("usage-ban")), 2)
        only = self.findings("2023-04-30", "--directive", "pa-no-smartphones-2023")
        self.assertEqual(len(only), 2)

    # --- all-or-nothing, listing, errors ----------------------------------------------------

    def test_malformed_import_stores_nothing(self):
        events_before = len(run(self.db, "audit", "export").stdout.splitlines())
        bad = self.write_json("bad.json", [
            device("mac:aa:bb:cc:00:00:01", "ios", "confirmed", "phone"),
            device("mac:aa:bb:cc:00:00:02", "ios", "certain", "phone"),
        ])
        proc = run(self.db, "sightings", "import", bad, expect=1)
        self.assertIn("bad.json: devices[2].level: expected confirmed, likely or unknown",
                      proc.stderr)
        truncated = self.tmp / "truncated.json"
        truncated.write_text('{"devices": [{"key": "k", "platform": "ios"')
        proc = run(self.db, "sightings", "import", str(truncated), expect=1)
        self.assertIn("truncated.json: not valid JSON", proc.stderr)
        run(self.db, "sightings", "import", str(self.tmp / "missing.json"), expect=1)
        self.assertEqual(self.count_rows("sightings"), 0)
        self.assertEqual(len(run(self.db, "audit", "export").stdout.splitlines()), events_before)

    def test_list_filters_and_usage_errors(self):
        self.import_devices([device("mac:aa:bb:cc:00:00:01", "ios", "likely", "phone",
                                    macs=["aa:bb:cc:00:00:01"])], on="2023-04-01", name="a.json")
        self.import_devices([device("ip:10.0.0.5", "android", "likely", "phone")],
                            on="2023-04-06", name="b.json")
        listed = lambda *a: json.loads(run(self.db, "sightings", "list", "--format", "json",
                                           *a).stdout)["sightings"]
        self.assertEqual(len(listed()), 2)
        self.assertEqual([s["key"] for s in listed("--since", "2023-04-02")], ["ip:10.0.0.5"])
        self.assertEqual([s["key"] for s in listed("--at", "2023-04-02")],
                         ["mac:aa:bb:cc:00:00:01"])
        self.assertEqual([s["key"] for s in listed("--device", "D-01")],
                         ["mac:aa:bb:cc:00:00:01"])
        self.assertIn("2 sighting(s)", run(self.db, "sightings", "list").stdout)
        run(self.db, "sightings", "list", "--device", "D-404", expect=1)
        run(self.db, "sightings", "list", "--since", "April", expect=1)
        run(self.db, "sightings", "findings", "--kind", "banned", expect=1)
        run(self.db, "sightings", "findings", "--directive", "no-such", expect=1)
        run(self.db, "sightings", expect=1)
        for cmd in (["sightings"], ["sightings", "list"], ["sightings", "findings"],
                    ["sightings", "import"]):
            self.assertIn("Exit codes", run(self.db, *cmd, "--help").stdout)
        text = run(self.db, "sightings", "findings", "--at", "2023-04-30").stdout
        self.assertIn("banned-platform  pa-iphone-2023  2023-04-01", text)
        self.assertIn("finding(s) as of 2023-04-30", text)


class SightingsAuditTest(Base):
    def test_audit_trail_catches_an_altered_sightings_row(self):
        self.import_devices([
            device("mac:aa:bb:cc:00:00:01", "ios", "confirmed", "phone",
                   macs=["aa:bb:cc:00:00:01"]),
            device("ip:10.0.0.5", "android", "likely", "phone")], on="2023-04-05")
        ok = json.loads(run(self.db, "audit", "verify", "--format", "json").stdout)
        self.assertTrue(ok["ok"], ok)
        events = [json.loads(l) for l in run(self.db, "audit", "export").stdout.splitlines()]
        batch = [e for e in events if e["kind"] == "sightings.record"]
        self.assertEqual(len(batch), 1)
        self.assertEqual(batch[0]["payload"]["rows"], 2)
        # Make the iPhone an Android phone behind phaseout's back.
        pg_cluster.sql(self.db, "UPDATE sightings SET platform = 'android' "
                       "WHERE sighting_key = 'mac:aa:bb:cc:00:00:01'")
        proc = run(self.db, "audit", "verify", "--format", "json", expect=3)
        bad = json.loads(proc.stdout)
        self.assertFalse(bad["ok"])
        self.assertEqual(bad["first_broken_entry"], batch[0]["seq"])
        pg_cluster.sql(self.db, "UPDATE sightings SET platform = 'ios' "
                       "WHERE sighting_key = 'mac:aa:bb:cc:00:00:01'")
        run(self.db, "audit", "verify")
        # Removing a sighting is caught too.
        pg_cluster.sql(self.db, "DELETE FROM sightings WHERE sighting_key = "
                       "'ip:10.0.0.5'")
        run(self.db, "audit", "verify", expect=3)


if __name__ == "__main__":
    pg_cluster.exit_if_unavailable()
    PHASEOUT = os.path.abspath(sys.argv.pop(1))
    SOURCE = pathlib.Path(sys.argv.pop(1)).resolve()
    SHARED = sys.argv.pop(1)
    SKIP = 77
    if not pathlib.Path(PHASEOUT).is_file():
        print(f"FAIL: no phaseout binary at {PHASEOUT}", file=sys.stderr)
        sys.exit(1)
    program = unittest.main(verbosity=2, exit=False)
    result = program.result
    if not result.wasSuccessful():
        sys.exit(1)
    if result.skipped:
        for test, reason in result.skipped:
            print(f"SKIPPED {test.id()}: {reason}")
        sys.exit(SKIP)
    sys.exit(0)
