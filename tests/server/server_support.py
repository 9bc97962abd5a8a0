"""Shared by the server's end-to-end tests: a sample organisation with accounts, a real
`phaseout serve` on a loopback port the test picks, and a small HTTP client that keeps a
session cookie."""
import csv
import shutil
import tempfile
import unittest
import http.client
import json
import os
import pathlib
import signal
import socket
import subprocess
import sys
import time

# The database the suites run on: SQLite, or a fresh database on the throw-away PostgreSQL
# cluster when PHASEOUT_TEST_POSTGRES names it (the *.postgres registrations).
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "postgres"))
import pg_cluster  # noqa: E402

SKIP = 77  # ctest SKIP_RETURN_CODE
PASSWORD = "correct horse battery staple"


def run(binary, db, *args, stdin=None, expect=0, cwd=None):
    proc = subprocess.run([binary, "--db", db, "--actor", "setup", *args], input=stdin,
                          capture_output=True, text=True, cwd=cwd)
    if expect is not None and proc.returncode != expect:
        raise AssertionError(f"phaseout {' '.join(args)} exited {proc.returncode}\n"
                             f"stdout: {proc.stdout}\nstderr: {proc.stderr}")
    return proc


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def has_command(binary, *words):
    proc = subprocess.run([binary, *words, "--help"], capture_output=True, text=True)
    return proc.returncode == 0


def binary_from_argv(usage):
    """The phaseout binary named by the first argument (taken off sys.argv, so unittest sees
    the rest). Prints `usage` and exits 2 without one. A binary of this tree without serve or
    account is a broken build: the test fails rather than report itself skipped."""
    if len(sys.argv) < 2:
        print(usage)
        sys.exit(2)
    binary = str(pathlib.Path(sys.argv.pop(1)).resolve())
    pg_cluster.exit_if_unavailable()
    if not has_command(binary, "serve") or not has_command(binary, "account", "password"):
        print(f"FAILED: {binary} has no serve or account command (a broken build)")
        sys.exit(1)
    return binary


class Org:
    """The demo organisation with roles assigned to chosen people (through the directory:
    the people CSV re-imported with their roles changed)."""

    def __init__(self, binary, tmp, people=300):
        self.binary = binary
        self.tmp = pathlib.Path(tmp)
        self.db = pg_cluster.database(self.tmp / "server.db", "server")
        # In its own folder: the demo also writes its report to the current folder.
        run(binary, self.db, "demo", "--people", str(people), "--out-dir", str(self.tmp),
            cwd=self.tmp)
        status = json.loads(run(binary, self.db, "status", "--format", "json",
                                "--devices").stdout)
        with open(self.tmp / "people.csv", newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        self.people_fields = list(rows[0].keys())
        self.people = {r["person_id"]: r for r in rows}
        self.devices = status["devices"]
        violating = [d for d in self.devices if d["status"] in ("pending", "overdue")]
        by_person = {}
        for d in violating:
            by_person.setdefault(d["person_id"], []).append(d)
        # People with a violating device, active, and a unit-mate with one too.
        by_unit = {}
        for pid, devs in by_person.items():
            p = self.people.get(pid)
            if p and p.get("status", "active") == "active":
                by_unit.setdefault(p["unit"], []).append(pid)
        units = [u for u, pids in by_unit.items() if len(pids) >= 2]
        units.sort(key=lambda u: -len(by_unit[u]))
        if len(units) < 4:
            raise RuntimeError("the demo organisation has too few units with two violators")
        self.role_person = {}
        self.cells = {}
        roles = ["security-officer", "unit-officer", "auditor", "holder"]
        for role, unit in zip(roles, units):
            me, mate = by_unit[unit][0], by_unit[unit][1]
            self.role_person[role] = me
            other_units = [u for u in units if u != unit and not u.startswith(unit + "/")
                           and not unit.startswith(u + "/")]
            other_person = by_unit[other_units[0]][0]
            self.cells[role] = {
                "own device": by_person[me][0]["device_id"],
                "own unit": by_person[mate][0]["device_id"],
                "other unit": by_person[other_person][0]["device_id"],
                "not found": "D-999999999",
            }
        for role, pid in self.role_person.items():
            keep = [r for r in self.people[pid]["role"].split(";") if r and r not in (
                "security-officer", "unit-officer", "auditor")]
            if role != "holder":
                keep.append(role)
            self.people[pid]["role"] = ";".join(keep)
        # Nobody else holds the roles under test, so each scope is what the test says.
        for pid, p in self.people.items():
            if pid in self.role_person.values():
                continue
            p["role"] = ";".join(r for r in p["role"].split(";")
                                  if r not in ("security-officer", "unit-officer", "auditor"))
        with open(self.tmp / "people-roles.csv", "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=self.people_fields)
            w.writeheader()
            w.writerows(self.people.values())
        run(binary, self.db, "import", "people", str(self.tmp / "people-roles.csv"))
        for pid in self.role_person.values():
            run(binary, self.db, "account", "password", pid, stdin=PASSWORD + "\n")

    def unit_of(self, pid):
        return self.people[pid]["unit"]


class Server:
    def __init__(self, binary, db, extra=()):
        self.binary = binary
        self.db = db
        self.port = free_port()
        # Beside an SQLite file; for a PostgreSQL URL, in the temporary folder.
        log = (pathlib.Path(tempfile.gettempdir()) / f"phaseout_serve_{self.port}.log"
               if pg_cluster.enabled() else pathlib.Path(db).with_suffix(".log"))
        self.log = open(log, "ab")
        # "{port}" in an extra argument is this server's port (e.g. in --public-url).
        extra = [a.replace("{port}", str(self.port)) for a in extra]
        self.proc = subprocess.Popen(
            [binary, "--db", db, "serve", "--listen", f"127.0.0.1:{self.port}", *extra],
            stdout=subprocess.DEVNULL, stderr=self.log)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"phaseout serve exited {self.proc.returncode}")
            try:
                status, _, _ = Client(self.port).request("GET", "/api/v1/openapi.json")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError("phaseout serve did not answer within 30 s")

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.log.close()


# PHASEOUT_TEST_LANGUAGE=ru runs a test's requests in that language (Accept-Language) and
# checks every refusal the server gives: it must come from the message catalog (a message_id)
# and read in the language (Russian: Cyrillic letters), so no sentence reaching the API lacks
# a translation. ctest runs the role matrices so as `server.*.ru`.
TEST_LANGUAGE = os.environ.get("PHASEOUT_TEST_LANGUAGE", "")


def check_refusal_language(method, path, status, headers, payload):
    if not TEST_LANGUAGE or status < 400 or "json" not in headers.get("content-type", ""):
        return
    try:
        error = json.loads(payload)["error"]
    except (ValueError, KeyError, TypeError):
        return
    where = f"{method} {path} answered {status} {error}"
    problem = None
    if not error.get("message_id"):
        problem = f"no catalog entry for the sentence: {where}"
    elif TEST_LANGUAGE == "ru" and not any("\u0400" <= ch <= "\u04ff" for ch in error["message"]):
        problem = f"the sentence is not in Russian: {where}"
    if problem and os.environ.get("PHASEOUT_TEST_LANGUAGE_REPORT"):
        # To list every missing sentence in one run (while adding them to the catalog).
        with open(os.environ["PHASEOUT_TEST_LANGUAGE_REPORT"], "a", encoding="utf-8") as f:
            f.write(problem + "\n")
    elif problem:
        raise AssertionError(problem)


class Client:
    def __init__(self, port):
        self.port = port
        self.cookie = None
        self.csrf = None
        self.bearer = None

    def request(self, method, path, body=None, headers=None, csrf=True, raw=False):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        h = dict(headers or {})
        if TEST_LANGUAGE:
            h.setdefault("Accept-Language", TEST_LANGUAGE)
        if self.cookie:
            h["Cookie"] = self.cookie
        if self.bearer:
            h["Authorization"] = "Bearer " + self.bearer
        if csrf and self.csrf and method not in ("GET", "HEAD"):
            h["X-CSRF-Token"] = self.csrf
        data = None
        if body is not None:
            data = body if isinstance(body, (bytes, str)) and raw else json.dumps(body)
            if isinstance(data, str):
                data = data.encode("utf-8")
            h.setdefault("Content-Type", "application/json")
        conn.request(method, path, body=data, headers=h)
        resp = conn.getresponse()
        payload = resp.read()
        headers_out = {k.lower(): v for k, v in resp.getheaders()}
        conn.close()
        check_refusal_language(method, path, resp.status, headers_out, payload)
        return resp.status, headers_out, payload

    def json(self, method, path, body=None, **kw):
        status, headers, payload = self.request(method, path, body, **kw)
        try:
            doc = json.loads(payload) if payload else None
        except ValueError:
            doc = payload.decode("utf-8", "replace")
        return status, doc

    def login(self, login, password=PASSWORD):
        status, headers, payload = self.request("POST", "/api/v1/login",
                                                {"login": login, "password": password})
        if status == 200:
            self.cookie = headers["set-cookie"].split(";")[0]
            self.csrf = json.loads(payload)["csrf_token"]
        return status, headers, payload


ROLES = ["security-officer", "unit-officer", "auditor", "holder"]


class RoleMatrixTest(unittest.TestCase):
    """A sample organisation, a running server and one signed-in client per role (BINARY is
    set by the test's main); on tear-down the server must stop with 0 on SIGTERM and
    `phaseout audit verify` must pass. `cell` asserts one cell of a role matrix."""
    BINARY = None

    @classmethod
    def setUpClass(cls):
        cls.tmp = pathlib.Path(tempfile.mkdtemp(prefix="phaseout_api_"))
        cls.org = Org(cls.BINARY, cls.tmp)
        cls.server = Server(cls.BINARY, cls.org.db)
        cls.clients = {}
        for role in ROLES:
            c = Client(cls.server.port)
            status, _, body = c.login(cls.org.role_person[role])
            assert status == 200, (role, status, body)
            cls.clients[role] = c

    @classmethod
    def tearDownClass(cls):
        rc = cls.server.stop()
        try:
            assert rc == 0, f"phaseout serve exited {rc} on SIGTERM"
            out = run(cls.BINARY, cls.org.db, "audit", "verify").stdout
            assert "intact" in out, out
        finally:
            shutil.rmtree(cls.tmp, ignore_errors=True)

    def cell(self, role, endpoint, target, got, expected, body=None):
        with self.subTest(role=role, endpoint=endpoint, target=target):
            self.assertEqual(got, expected, f"{role} {endpoint} {target}: {body}")
