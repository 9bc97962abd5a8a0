#!/usr/bin/env python3
"""API v1 against a real `phaseout serve` on 127.0.0.1: role x endpoint x (own device, own
unit, other unit, not found), asserted one cell at a time; CSRF; sign-in refusals (the same
401 for an unknown and a wrong login; 429 after repeated failures); hostile input (bad JSON,
wrong types, unknown fields, SQL metacharacters in every parameter); and after all of it
`phaseout audit verify` passes.

Usage: api_matrix_test.py PHASEOUT_BINARY
"""
import json
import pathlib
import sys
import unittest
import urllib.parse
from datetime import datetime, timedelta, timezone

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import server_support as support  # noqa: E402

PHASEOUT = None

# Who sees a device, by where it is relative to the caller.
SEES = {
    "security-officer": {"own device", "own unit", "other unit"},
    "unit-officer": {"own device", "own unit"},
    "auditor": {"own device", "own unit", "other unit"},
    "holder": {"own device"},
}
# Who may acknowledge a notice: the holder on their own device, and officers who may act.
ACKS = {
    "security-officer": {"own device", "own unit", "other unit"},
    "unit-officer": {"own device", "own unit"},
    "auditor": {"own device"},
    "holder": {"own device"},
}
# A waiver's term within the directive's limit (30 days).
UNTIL = (datetime.now(timezone.utc).date() + timedelta(days=20)).isoformat()
TARGETS = ["own device", "own unit", "other unit", "not found"]
ROLES = support.ROLES
SQL = ["' OR '1'='1", "1; DROP TABLE devices; --", "\" OR \"\"=\"", "%' --", "D-1' UNION SELECT *"]


class ApiMatrixTest(support.RoleMatrixTest):
    def test_device_detail_matrix(self):
        for role in ROLES:
            for target in TARGETS:
                device = self.org.cells[role][target]
                status, doc = self.clients[role].json("GET", f"/api/v1/devices/{device}")
                expected = 200 if target in SEES[role] else 404
                self.cell(role, "GET /devices/{id}", target, status, expected, doc)
                if status == 404:
                    self.cell(role, "GET /devices/{id} body", target, doc["error"]["code"],
                              "not_found")

    def list_matrix(self, collection):
        """GET /api/v1/<collection> lists, per role, exactly the target devices it sees."""
        for role in ROLES:
            status, doc = self.clients[role].json("GET", f"/api/v1/{collection}")
            self.assertEqual(status, 200, doc)
            listed = {item["device_id"] for item in doc[collection]}
            for target in TARGETS:
                device = self.org.cells[role][target]
                self.cell(role, f"GET /{collection}", target, device in listed,
                          target in SEES[role])

    def test_device_list_matrix(self):
        self.list_matrix("devices")

    def test_case_list_matrix(self):
        self.list_matrix("cases")

    def test_acknowledge_matrix(self):
        for role in ROLES:
            for target in TARGETS:
                device = self.org.cells[role][target]
                status, doc = self.clients[role].json(
                    "POST", f"/api/v1/devices/{device}/acknowledge", {"note": "matrix"})
                if target in ACKS[role]:
                    expected = 200
                elif target in SEES[role]:
                    expected = 403
                else:
                    expected = 404
                self.cell(role, "POST acknowledge", target, status, expected, doc)

    def test_audit_and_admin_matrix(self):
        for role in ROLES:
            status, _, _ = self.clients[role].request("GET", "/api/v1/audit?after=0")
            expected = 200 if role in ("security-officer", "auditor") else 403
            self.cell(role, "GET /audit", "-", status, expected)
            device = self.org.cells[role]["own unit"]
            status, doc = self.clients[role].json(
                "POST", "/api/v1/waivers",
                {"device": device, "reason": "matrix", "until": UNTIL})
            expected = 200 if role == "security-officer" else 403
            self.cell(role, "POST /waivers", "own unit", status, expected, doc)

    def test_audit_verify_matrix(self):
        """GET /api/v1/audit/verify: what `phaseout audit verify` says, to whoever reads audit."""
        for role in ROLES:
            status, doc = self.clients[role].json("GET", "/api/v1/audit/verify")
            expected = 200 if role in ("security-officer", "auditor") else 403
            self.cell(role, "GET /audit/verify", "-", status, expected, doc)
            if status == 200:
                self.assertIs(doc["ok"], True, doc)
                self.assertGreater(doc["events"], 0, doc)
                self.assertNotIn("first_broken_entry", doc)
        status, doc = support.Client(self.server.port).json("GET", "/api/v1/audit/verify")
        self.assertEqual(status, 401, doc)

    def test_sign_in_options_are_public(self):
        status, doc = support.Client(self.server.port).json("GET", "/api/v1/login")
        self.assertEqual(status, 200, doc)
        self.assertEqual((doc["password"], doc["sso"]), (True, False), doc)
        self.assertNotIn("sso_start", doc)

    def test_status_is_narrowed(self):
        totals = {}
        for role in ROLES:
            status, doc = self.clients[role].json("GET", "/api/v1/status")
            self.assertEqual(status, 200, doc)
            totals[role] = doc["totals"]["devices_in_scope"]
        self.assertEqual(totals["security-officer"], totals["auditor"])
        self.assertLess(totals["unit-officer"], totals["security-officer"])
        self.assertLess(totals["holder"], totals["unit-officer"])
        cli = json.loads(support.run(PHASEOUT, self.org.db, "status", "--format", "json").stdout)
        self.assertEqual(cli["totals"], self.clients["auditor"].json("GET", "/api/v1/status")[1]
                         ["totals"])

    def test_csrf(self):
        c = self.clients["security-officer"]
        device = self.org.cells["security-officer"]["own device"]
        status, doc = c.json("POST", f"/api/v1/devices/{device}/acknowledge", {}, csrf=False)
        self.assertEqual(status, 403, doc)
        self.assertEqual(doc["error"]["field"], "X-CSRF-Token")
        status, doc = c.json("POST", f"/api/v1/devices/{device}/acknowledge", {},
                             headers={"X-CSRF-Token": "forged"}, csrf=False)
        self.assertEqual(status, 403, doc)

    def test_bearer_tokens_need_no_csrf(self):
        if not support.has_command(PHASEOUT, "token", "create"):
            self.skipTest("phaseout token create is not built")
        pid = self.org.role_person["security-officer"]
        out = support.run(PHASEOUT, self.org.db, "token", "create", pid, "--name", "matrix",
                          "--scope", "write").stdout
        secret = next(w for w in out.split() if w.startswith("po_"))
        c = support.Client(self.server.port)
        c.bearer = secret
        device = self.org.cells["security-officer"]["own device"]
        status, doc = c.json("POST", f"/api/v1/devices/{device}/acknowledge", {"note": "token"})
        self.assertEqual(status, 200, doc)
        read = support.run(PHASEOUT, self.org.db, "token", "create", pid, "--name", "reader",
                           "--scope", "read").stdout
        c.bearer = next(w for w in read.split() if w.startswith("po_"))
        status, doc = c.json("POST", f"/api/v1/devices/{device}/acknowledge", {})
        self.assertEqual(status, 403, doc)
        status, doc = c.json("GET", "/api/v1/status")
        self.assertEqual(status, 200, doc)
        c.bearer = "po_" + "A" * 43
        self.assertEqual(c.json("GET", "/api/v1/status")[0], 401)

    def test_login_refusals(self):
        c = support.Client(self.server.port)
        unknown = c.request("POST", "/api/v1/login", {"login": "P-nobody", "password": "x" * 12})
        wrong = c.request("POST", "/api/v1/login",
                          {"login": self.org.role_person["holder"], "password": "x" * 12})
        self.assertEqual(unknown[0], 401)
        self.assertEqual(wrong[0], 401)
        self.assertEqual(unknown[2], wrong[2])
        target = "P-ratelimited"
        statuses = [c.request("POST", "/api/v1/login", {"login": target, "password": "y" * 12})
                    for _ in range(6)]
        self.assertEqual([s[0] for s in statuses[:5]], [401] * 5)
        self.assertEqual(statuses[5][0], 429)
        self.assertGreater(int(statuses[5][1]["retry-after"]), 0)
        self.assertEqual(c.request("GET", "/api/v1/me")[0], 401)

    def test_security_headers(self):
        c = self.clients["holder"]
        for path in ["/api/v1/status", "/api/v1/nothing", "/api/v1/openapi.json"]:
            status, headers, _ = c.request("GET", path)
            self.assertEqual(headers.get("content-security-policy"),
                             "default-src 'self'; frame-ancestors 'none'", path)
            self.assertEqual(headers.get("x-content-type-options"), "nosniff")
            self.assertEqual(headers.get("referrer-policy"), "no-referrer")
            self.assertEqual(headers.get("cache-control"), "no-store")
        cookie = self.clients["holder"]
        self.assertTrue(cookie.cookie.startswith("phaseout_session="))

    def test_hostile_input(self):
        c = self.clients["security-officer"]
        device = self.org.cells["security-officer"]["own unit"]
        path = f"/api/v1/devices/{device}/disposition"
        cases = [
            (b"{", "body"), (b"[]", "body"), (b"\xff\xfe", "body"), (b'"x"', "body"),
            (json.dumps({"as": "returned", "colour": "red"}).encode(), "colour"),
            (json.dumps({"as": 1}).encode(), "as"),
            (json.dumps({"as": "returned", "on": "yesterday"}).encode(), "on"),
            (json.dumps({"as": "returned", "by": ["P-1"]}).encode(), "by"),
            (json.dumps({"as": "eaten"}).encode(), "as"),
        ]
        for raw, field in cases:
            status, headers, payload = c.request("POST", path, raw, raw=True)
            with self.subTest(body=raw):
                self.assertEqual(status, 400, payload)
                self.assertEqual(json.loads(payload)["error"]["field"], field)
        for bad in SQL:
            q = urllib.parse.quote(bad, safe="")
            for p in [f"/api/v1/devices/{q}", f"/api/v1/devices?unit={q}",
                      f"/api/v1/status?directive={q}", f"/api/v1/cases?unit={q}",
                      f"/api/v1/devices?status={q}", f"/api/v1/waivers?directive={q}",
                      f"/api/v1/findings?kind={q}", f"/api/v1/audit?after={q}",
                      f"/api/v1/directives/{q}", f"/api/v1/status?at={q}"]:
                status, _, payload = c.request("GET", p)
                with self.subTest(path=p):
                    self.assertIn(status, (200, 400, 404, 422), payload)
                    if status != 200:
                        self.assertIn("error", json.loads(payload))
            status, doc = c.json("POST", f"/api/v1/devices/{device}/disposition",
                                 {"as": "returned", "by": bad, "note": bad})
            self.assertIn(status, (404, 422), doc)
            self.assertEqual(doc["error"]["field"], "by")
        status, doc = c.json("GET", "/api/v1/status?bogus=1")
        self.assertEqual((status, doc["error"]["field"]), (400, "bogus"))
        self.assertTrue(self.server.alive())
        # Nothing half-written: the device is untouched by every refused request.
        status, doc = c.json("GET", f"/api/v1/devices/{device}")
        self.assertEqual(doc["device"]["state"], "active")

    def test_openapi_lists_the_routes(self):
        status, doc = support.Client(self.server.port).json("GET", "/api/v1/openapi.json")
        self.assertEqual(status, 200)
        self.assertIn("/api/v1/status", doc["paths"])


if __name__ == "__main__":
    PHASEOUT = support.RoleMatrixTest.BINARY = support.binary_from_argv(__doc__)
    unittest.main()
