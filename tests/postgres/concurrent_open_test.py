#!/usr/bin/env python3
"""Several processes at once on a brand-new, empty database: some run `phaseout init`, others
read (`directive list`, `status`) meanwhile. Readers never create a table (they report that the
database needs `phaseout init`, or read the migrated schema), and migrations run one after the
other under the engine's writer lock, so every init succeeds, each schema version is recorded
once, and the audit trail verifies. On SQLite (a new file), and on PostgreSQL when
PHASEOUT_TEST_POSTGRES names the throw-away cluster (a new database each round).

Usage: concurrent_open_test.py PHASEOUT_BINARY SOURCE_DIR
Exit 77 (skipped) when PostgreSQL was asked for and no cluster could be started.
"""
import pathlib
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import pg_cluster  # noqa: E402

PHASEOUT = None
ROUNDS = 4
INITS = 4
READERS = 4
# What a reader may say before the schema is there.
NOT_READY = "phaseout init"


class ConcurrentOpenTest(unittest.TestCase):
    def setUp(self):
        self.tmp = pathlib.Path(tempfile.mkdtemp(prefix="phaseout_concurrent_open_"))

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def start(self, db, *args):
        return subprocess.Popen([PHASEOUT, "--db", db, "--actor", "ops", *args],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def test_inits_and_readers_at_once_on_an_empty_database(self):
        for round_no in range(ROUNDS):
            with self.subTest(round=round_no):
                db = pg_cluster.database(self.tmp / f"r{round_no}.db", f"concurrent_{round_no}")
                procs = []
                for i in range(max(INITS, READERS)):
                    if i < INITS:
                        procs.append(("init", self.start(db, "init")))
                    if i < READERS:
                        reader = ("directive", "list") if i % 2 == 0 else ("status",)
                        procs.append(("read", self.start(db, *reader)))
                for role, proc in procs:
                    out, err = proc.communicate(timeout=120)
                    if role == "init":
                        self.assertEqual(proc.returncode, 0, f"init failed: {out}{err}")
                    elif proc.returncode != 0:
                        # Before the schema: told to run init. After it: no directive yet.
                        self.assertTrue(NOT_READY in err or "directive" in err,
                                        f"reader failed otherwise: {err}")
                        self.assertNotIn("duplicate", err)
                        self.assertNotIn("locked", err)
                versions = pg_cluster.sql(
                    db, "SELECT version, count(*) FROM schema_version GROUP BY version "
                        "ORDER BY version")
                self.assertTrue(versions, "schema versions recorded")
                for line in versions:
                    self.assertTrue(line.endswith("|1"), f"a version recorded twice: {versions}")
                again = subprocess.run([PHASEOUT, "--db", db, "init"], capture_output=True,
                                       text=True)
                self.assertEqual(again.returncode, 0, again.stderr)
                verify = subprocess.run([PHASEOUT, "--db", db, "audit", "verify"],
                                        capture_output=True, text=True)
                self.assertEqual(verify.returncode, 0, verify.stdout + verify.stderr)


if __name__ == "__main__":
    PHASEOUT = sys.argv.pop(1)
    sys.argv.pop(1)  # SOURCE_DIR (unused)
    pg_cluster.exit_if_unavailable()
    unittest.main()
