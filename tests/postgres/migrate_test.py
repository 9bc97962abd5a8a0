#!/usr/bin/env python3
"""`phaseout migrate` end to end on the throw-away cluster: a SQLite database with people,
devices, a directive, a disposition with its evidence file and a waiver is copied to
PostgreSQL; the copy's audit trail verifies and equals the original's plus the one entry that
records the copy; status reads the same on both; a non-empty target is refused; tampering with
the copy is caught; and the copy goes back to a new SQLite file. PHASEOUT_DB names the database
as --db does.

Usage: migrate_test.py PHASEOUT_BINARY SOURCE_DIR   (PHASEOUT_TEST_POSTGRES: the cluster state)
Exit 77 (skipped) when no cluster could be started.
"""
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import pg_cluster  # noqa: E402

PHASEOUT = None
SOURCE = None
FIXTURE = pathlib.Path(__file__).resolve().parent.parent / "cli" / "fixture"


def run(db, *args, expect=0, env=None):
    argv = [PHASEOUT, *(["--db", db] if db else []), "--actor", "officer", *args]
    proc = subprocess.run(argv, capture_output=True, text=True, env=env)
    if expect is not None and proc.returncode != expect:
        raise AssertionError(f"phaseout {' '.join(args)} exited {proc.returncode}, expected "
                             f"{expect}\nstdout: {proc.stdout}\nstderr: {proc.stderr}")
    return proc


class MigrateTest(unittest.TestCase):
    def setUp(self):
        self.tmp = pathlib.Path(tempfile.mkdtemp(prefix="phaseout_migrate_"))
        self.sqlite = f"sqlite://{self.tmp / 'a.db'}"
        db = self.sqlite
        run(db, "init")
        run(db, "import", "people", str(FIXTURE / "people.csv"))
        run(db, "import", "devices", str(FIXTURE / "devices.csv"))
        run(db, "directive", "add", str(SOURCE / "examples/directives/pa-iphone-2023.yaml"))
        cert = self.tmp / "certificate.pdf"
        cert.write_bytes(b"%PDF-1.4 destruction certificate \x00\x01\xff")
        run(db, "record", "disposition", "D-01", "--as", "destroyed", "--on", "2023-03-15",
            "--by", "P-9", "--evidence", str(cert))
        run(db, "waiver", "grant", "--device", "D-02", "--approver", "P-9", "--reason",
            "medical device\tpairing", "--from", "2023-03-25", "--until", "2023-04-10")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def status(self, db):
        return json.loads(run(db, "status", "--at", "2023-04-05", "--format", "json",
                              "--devices").stdout)

    def export(self, db):
        return [json.loads(line) for line in run(db, "audit", "export").stdout.splitlines()]

    def test_copy_to_postgres_verifies_and_reads_the_same(self):
        target = pg_cluster.fresh_database("migrate")
        out = json.loads(run(None, "migrate", "--from", self.sqlite, "--to", target,
                             "--format", "json").stdout)
        original = self.export(self.sqlite)
        self.assertEqual(out["events"], len(original))
        self.assertEqual(out["tables"]["evidence"], 1)
        self.assertEqual(out["tables"]["waivers"], 1)

        verify = json.loads(run(target, "audit", "verify", "--format", "json").stdout)
        self.assertTrue(verify["ok"], verify)
        copy = self.export(target)
        self.assertEqual(copy[:-1], original)
        self.assertEqual(copy[-1]["kind"], "database.copy")
        self.assertEqual(copy[-1]["actor"], "officer")
        self.assertEqual(copy[-1]["payload"]["detail"]["from"], "sqlite")
        self.assertNotIn("a.db", json.dumps(copy[-1]))  # no path or URL in the trail
        self.assertEqual(self.status(self.sqlite), self.status(target))

        # PHASEOUT_DB names the database as --db does.
        env = dict(os.environ, PHASEOUT_DB=target)
        self.assertIn("intact", run(None, "audit", "verify", env=env).stdout)

        # A target that holds rows is refused, and left as it was.
        proc = run(None, "migrate", "--from", self.sqlite, "--to", target, expect=1)
        self.assertIn("not empty", proc.stderr)
        self.assertNotIn("postgresql://", proc.stderr)
        self.assertEqual(self.export(target), copy)

        # Tampering with the copy is caught, as on the original.
        pg_cluster.sql(target, "UPDATE waivers SET reason = 'none'")
        run(target, "audit", "verify", expect=3)
        pg_cluster.sql(target, "UPDATE waivers SET reason = E'medical device\\tpairing'")
        run(target, "audit", "verify")

        # And back to a new SQLite file.
        back = f"sqlite://{self.tmp / 'b.db'}"
        run(None, "migrate", "--from", target, "--to", back)
        self.assertIn("intact", run(back, "audit", "verify").stdout)
        self.assertEqual(self.export(back)[:-1], copy)
        self.assertEqual(self.status(back), self.status(self.sqlite))

    def test_refuses_bad_sources_without_echoing_urls(self):
        target = pg_cluster.fresh_database("migrate_bad")
        proc = run(None, "migrate", "--from", f"sqlite://{self.tmp / 'missing.db'}", "--to",
                   target, expect=2)  # unavailable
        self.assertIn("--from", proc.stderr)
        proc = run(None, "migrate", "--from", self.sqlite, "--to", self.sqlite, expect=1)
        self.assertIn("--to", proc.stderr)
        proc = run(None, "migrate", "--from", self.sqlite, "--to",
                   "postgresql://phaseout:secret-pw@127.0.0.1:1/nothing", expect=2)
        self.assertIn("cannot connect to PostgreSQL", proc.stderr)
        self.assertNotIn("secret-pw", proc.stderr)
        # Nothing was written to the target that failed earlier.
        self.assertEqual(pg_cluster.sql(target, "SELECT count(*) FROM pg_tables WHERE "
                                                "tablename = 'events'"), ["0"])


if __name__ == "__main__":
    if not pg_cluster.enabled():
        print("SKIPPED: PHASEOUT_TEST_POSTGRES is not set (run through ctest)")
        sys.exit(77)
    pg_cluster.exit_if_unavailable()
    PHASEOUT = os.path.abspath(sys.argv.pop(1))
    SOURCE = pathlib.Path(sys.argv.pop(1)).resolve()
    unittest.main(verbosity=2)
