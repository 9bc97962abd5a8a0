#!/usr/bin/env python3
"""End-to-end test of `phaseout account` and `phaseout token` on the demo's sample organisation:
passwords from standard input, lock and unlock, tokens created (printed once), listed and
revoked, every kind of bad input refused with its message and exit code 1, nothing secret in
the database file or the audit trail, and `audit verify` intact afterwards.

Usage: accounts_test.py PHASEOUT_BINARY
"""
import csv
import json
import pathlib
import shutil
import subprocess
import sys
import tempfile
import unittest

PHASEOUT = None
PASSWORD = "a long enough passphrase"


def run(db, *args, expect=0, stdin=None):
    proc = subprocess.run([PHASEOUT, "--db", db, "--actor", "sec-office", *args],
                          capture_output=True, text=True, input=stdin)
    if expect is not None and proc.returncode != expect:
        raise AssertionError(
            f"phaseout {' '.join(args)} exited {proc.returncode}, expected {expect}\n"
            f"stdout: {proc.stdout}\nstderr: {proc.stderr}")
    return proc


class AccountsCliTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = pathlib.Path(tempfile.mkdtemp(prefix="phaseout_accounts_"))
        cls.db = str(cls.tmp / "demo.db")
        run(cls.db, "demo", "--people", "200", "--out-dir", str(cls.tmp))
        with open(cls.tmp / "people.csv", newline="", encoding="utf-8") as f:
            cls.people = list(csv.DictReader(f))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def person(self, status="active", role=None):
        for p in self.people:
            roles = (p.get("role") or p.get("roles") or "").split(";")
            if p.get("status", "active") == status and (role is None or role in roles):
                return p["person_id"]
        self.skipTest(f"the sample has no {status} person with role {role}")

    def db_bytes(self):
        """The database file and its write-ahead log, as stored on disk."""
        files = [pathlib.Path(self.db), pathlib.Path(self.db + "-wal")]
        return b"".join(f.read_bytes() for f in files if f.exists())

    def audit_lines(self):
        out = run(self.db, "audit", "export").stdout
        return [json.loads(line) for line in out.splitlines() if line]

    def test_password_lock_unlock_are_audited_without_the_password(self):
        officer = self.person(role="security-officer")
        before = len(self.audit_lines())
        out = run(self.db, "account", "password", officer, stdin=PASSWORD + "\n").stdout
        self.assertIn(f"password set for {officer}", out)
        run(self.db, "account", "lock", officer)
        err = run(self.db, "account", "lock", officer, expect=1).stderr
        self.assertIn("already locked", err)
        run(self.db, "account", "unlock", officer)
        lines = self.audit_lines()[before:]
        self.assertEqual([e["kind"] for e in lines],
                         ["account.password", "account.lock", "account.unlock"])
        for e in lines:
            self.assertEqual(e["actor"], "sec-office")
            self.assertEqual(e["subject"], officer)
            self.assertNotIn(PASSWORD, json.dumps(e))
            self.assertNotIn("argon2", json.dumps(e))
        self.assertNotIn(PASSWORD.encode(), self.db_bytes())
        verify = json.loads(run(self.db, "audit", "verify", "--format", "json").stdout)
        self.assertTrue(verify["ok"], verify)

    def test_bad_passwords_and_people_are_refused(self):
        holder = self.person()
        err = run(self.db, "account", "password", holder, stdin="short\n", expect=1).stderr
        self.assertIn("at least 12 characters", err)
        err = run(self.db, "account", "password", holder, stdin="", expect=1).stderr
        self.assertIn("no password on standard input", err)
        err = run(self.db, "account", "password", "P-NOBODY", stdin=PASSWORD + "\n",
                  expect=1).stderr
        self.assertIn("no person 'P-NOBODY'", err)
        err = run(self.db, "account", "lock", "P-NOBODY", expect=1).stderr
        self.assertIn("no person 'P-NOBODY'", err)
        run(self.db, "account", expect=None)  # usage: a subcommand is required
        self.assertNotEqual(run(self.db, "account", "lock", expect=None).returncode, 0)
        # Only the first line is the password; a trailing CR (a Windows pipe) is dropped.
        run(self.db, "account", "password", holder, stdin=PASSWORD + "\r\nignored\n")

    def test_tokens_are_printed_once_listed_and_revoked(self):
        holder = self.person()
        created = run(self.db, "token", "create", holder, "--name", "laptop", "--scope", "write",
                      "--expires", "2099-12-31")
        secret = created.stdout.strip()
        self.assertRegex(secret, r"^po_[A-Za-z0-9_-]{43}$")
        self.assertIn("not shown again", created.stderr)
        token_id = created.stderr.split()[1]
        self.assertRegex(token_id, r"^tok-\d+$")
        sensor = run(self.db, "token", "create", holder, "--name", "sensor-1", "--scope", "sensor")
        self.assertNotEqual(sensor.stdout.strip(), secret)

        listed = json.loads(run(self.db, "token", "list", holder, "--format", "json").stdout)
        by_name = {t["name"]: t for t in listed["tokens"]}
        self.assertEqual(by_name["laptop"]["scope"], "write")
        self.assertEqual(by_name["laptop"]["expires"], "2099-12-31")
        self.assertIsNone(by_name["laptop"]["revoked"])
        self.assertIsNone(by_name["sensor-1"]["expires"])
        self.assertNotIn(secret, json.dumps(listed))
        text = run(self.db, "token", "list").stdout
        self.assertIn("laptop", text)
        self.assertNotIn(secret, text)

        run(self.db, "token", "revoke", token_id)
        err = run(self.db, "token", "revoke", token_id, expect=1).stderr
        self.assertIn("already revoked", err)
        listed = json.loads(run(self.db, "token", "list", holder, "--format", "json").stdout)
        self.assertIsNotNone({t["name"]: t for t in listed["tokens"]}["laptop"]["revoked"])

        kinds = [e["kind"] for e in self.audit_lines() if e["kind"].startswith("token.")]
        self.assertIn("token.create", kinds)
        self.assertIn("token.revoke", kinds)
        self.assertNotIn(secret.encode(), self.db_bytes())
        self.assertNotIn(secret, run(self.db, "audit", "export").stdout)
        verify = json.loads(run(self.db, "audit", "verify", "--format", "json").stdout)
        self.assertTrue(verify["ok"], verify)

    def test_bad_token_requests_are_refused_and_write_nothing(self):
        holder = self.person()
        run(self.db, "token", "create", holder, "--name", "dup")
        before = len(self.audit_lines())
        cases = [
            (["token", "create", holder, "--name", "dup"], "already has a token named 'dup'"),
            (["token", "create", holder, "--name", "x", "--expires", "2001-01-01"],
             "already past"),
            (["token", "create", holder, "--name", "x", "--expires", "31/12/2099"], "--expires"),
            (["token", "create", "P-NOBODY", "--name", "x"], "no person 'P-NOBODY'"),
            (["token", "revoke", "tok-99999"], "token tok-99999 not found"),
        ]
        for args, message in cases:
            with self.subTest(args=args):
                err = run(self.db, *args, expect=1).stderr
                self.assertIn(message, err)
        self.assertNotEqual(run(self.db, "token", "create", holder, "--name", "x", "--scope",
                                "admin", expect=None).returncode, 0)
        self.assertNotEqual(run(self.db, "token", "create", holder, expect=None).returncode, 0)
        self.assertEqual(len(self.audit_lines()), before)

    def test_people_who_left_get_no_password_or_token(self):
        people = self.tmp / "left.csv"
        people.write_text("person_id,name,email,unit,role,status\n"
                          "P-LEFT,Lena Left,lena.left@example.org,pa,official,left\n")
        run(self.db, "import", "people", str(people))
        left = "P-LEFT"
        err = run(self.db, "account", "password", left, stdin=PASSWORD + "\n", expect=1).stderr
        self.assertIn("not active", err)
        err = run(self.db, "token", "create", left, "--name", "x", expect=1).stderr
        self.assertIn("not active", err)


if __name__ == "__main__":
    PHASEOUT = sys.argv.pop(1)
    unittest.main(verbosity=2)
