#!/usr/bin/env python3
"""API v1 writes and the remaining reads against a real `phaseout serve` on 127.0.0.1, role x
endpoint x target, one cell at a time: dispositions, replacements, declarations, hand-over
reports and their confirmation, evidence uploads, waiver requests and their approval or refusal,
case steps, and the waiver, waiver request, finding and burn-down lists.
Every (role, target) pair writes to a device or person of its own, so no cell's write changes
another cell's answer. After all of it `phaseout audit verify` passes and every accepted write
is one audit event whose actor is the person who asked.

Usage: api_write_matrix_test.py PHASEOUT_BINARY
"""
import http.client
import json
import pathlib
import sys
import time
import unittest
from datetime import datetime, timedelta, timezone

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import server_support as support  # noqa: E402

PHASEOUT = None
ROLES = support.ROLES
TARGETS = ["own", "own unit", "other unit", "not found"]
OFFICER_UNITS = {"security-officer": {"own", "own unit", "other unit"},
                 "unit-officer": {"own", "own unit"}, "auditor": set(), "holder": set()}
SEES = {"security-officer": {"own", "own unit", "other unit"},
        "unit-officer": {"own", "own unit"},
        "auditor": {"own", "own unit", "other unit"},
        "holder": {"own"}}


# A waiver's term within the directive's limit (30 days).
UNTIL = (datetime.now(timezone.utc).date() + timedelta(days=20)).isoformat()
# Who decides waiver requests: the directive's approver role (security-officer).
APPROVERS = {"security-officer"}


def expected_decision(role, target):
    """Approve/refuse: the approver role on what it sees; 403 in view, else 404."""
    if target == "not found":
        return 404
    if target in SEES[role]:
        # Nobody decides a request for a device they hold (separation of duties).
        return 200 if role in APPROVERS and target != "own" else 403
    return 404


def expected_act(role, target):
    """An officer action (Caller::mayAct): allowed, else 403 in view, else 404."""
    if target in OFFICER_UNITS[role]:
        return 200
    return 403 if target in SEES[role] else 404


class ApiWriteMatrixTest(support.RoleMatrixTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cells = cls.private_cells()

    @classmethod
    def private_cells(cls):
        """Per role and target, a (device, holder) of its own: the role's own device, a
        unit-mate's, and one of a unit no role is in, never shared between cells."""
        org = cls.org
        role_units = {org.unit_of(pid) for pid in org.role_person.values()}
        used_people = set(org.role_person.values())
        by_person = {}
        for d in org.devices:
            if d["status"] in ("pending", "overdue"):
                by_person.setdefault(d["person_id"], []).append(d["device_id"])

        def active(pid):
            p = org.people.get(pid)
            return p is not None and p.get("status", "active") == "active"

        def related(a, b):
            return a == b or a.startswith(b + "/") or b.startswith(a + "/")

        cells = {}
        for role in ROLES:
            me = org.role_person[role]
            unit = org.unit_of(me)
            mate = next(p for p in sorted(by_person) if p not in used_people and active(p)
                        and org.unit_of(p) == unit)
            used_people.add(mate)
            other = next(p for p in sorted(by_person) if p not in used_people and active(p)
                         and not any(related(org.unit_of(p), u) for u in role_units))
            used_people.add(other)
            cells[role] = {"own": (by_person[me][0], me),
                           "own unit": (by_person[mate][0], mate),
                           "other unit": (by_person[other][0], other),
                           "not found": ("D-999999999", "P-999999999")}
        return cells

    def audit_actors(self):
        status, _, payload = self.clients["security-officer"].request("GET",
                                                                      "/api/v1/audit?after=0")
        self.assertEqual(status, 200)
        return [json.loads(line) for line in payload.decode().splitlines() if line.strip()]

    def test_1_disposition_matrix(self):
        for role in ROLES:
            for target in TARGETS:
                device, _ = self.cells[role][target]
                status, doc = self.clients[role].json(
                    "POST", f"/api/v1/devices/{device}/disposition",
                    {"as": "returned", "by": self.org.role_person[role], "note": "matrix"})
                self.cell(role, "POST disposition", target, status, expected_act(role, target),
                          doc)
                if status == 200:
                    self.assertEqual(doc["device_id"], device, doc)

    def test_2_replacement_matrix(self):
        for role in ROLES:
            for target in TARGETS:
                _, person = self.cells[role][target]
                status, doc = self.clients[role].json(
                    "POST", f"/api/v1/people/{person}/replacements",
                    {"model": "Galaxy A54", "platform": "android", "channel": "official"})
                self.cell(role, "POST replacements", target, status,
                          expected_act(role, target), doc)

    def test_3_declaration_matrix(self):
        for role in ROLES:
            for target in TARGETS:
                _, person = self.cells[role][target]
                status, doc = self.clients[role].json(
                    "POST", "/api/v1/declarations",
                    {"person": person, "model": "iPhone 12", "platform": "ios"})
                # Everyone declares for themself; officers for the people they may act for.
                expected = 200 if target == "own" else expected_act(role, target)
                self.cell(role, "POST declarations", target, status, expected, doc)

    def test_4_handover_matrix(self):
        for role in ROLES:
            for target in TARGETS:
                device, _ = self.cells[role][target]
                # Reported to the other-unit person of the same role: an existing person.
                to = self.cells[role]["other unit"][1]
                status, doc = self.clients[role].json(
                    "POST", f"/api/v1/devices/{device}/handover", {"to": to})
                # Only the holder reports; in view but not held is 403, out of view 404.
                if target == "own":
                    expected = 200
                else:
                    expected = 403 if target in SEES[role] else 404
                self.cell(role, "POST handover", target, status, expected, doc)
        # Each role's own device now has a pending report: officers who may act confirm it.
        for role in ROLES:
            device, _ = self.cells[role]["own"]
            confirmer = "security-officer" if role in ("auditor", "holder") else role
            for asker in (role, confirmer) if confirmer != role else (role,):
                status, doc = self.clients[asker].json(
                    "POST", f"/api/v1/devices/{device}/handover/confirm", {})
                expected = 200 if asker in ("security-officer", "unit-officer") else 403
                self.cell(asker, f"POST handover/confirm ({role}'s device)", "own" if
                          asker == role else "other unit", status, expected, doc)

    def test_5_evidence_upload(self):
        for role in ROLES:
            status, doc = self.clients[role].json(
                "POST", "/api/v1/evidence?name=receipt.txt", f"receipt of {role}".encode(),
                raw=True, headers={"Content-Type": "application/octet-stream"})
            # Every person may upload evidence of their own hand-over; the file is kept by hash.
            self.cell(role, "POST evidence", "-", status, 201, doc)
            self.assertEqual(len(doc["sha256"]), 64, doc)

    def test_6_lists_are_narrowed(self):
        for role in ROLES:
            for path in ("/api/v1/waivers", "/api/v1/findings", "/api/v1/burndown"):
                status, doc = self.clients[role].json("GET", path)
                self.cell(role, f"GET {path}", "-", status, 200, doc)

    # The waiver request cells run first (test_0*): later cells hand devices over, after
    # which a role's "own" device is no longer its own.
    def pending_request(self, device):
        """The id of the device's pending waiver request, asked for by the security officer
        when there is none."""
        so = self.clients["security-officer"]
        status, doc = so.json("GET", "/api/v1/waiver-requests?state=pending")
        self.assertEqual(status, 200, doc)
        for r in doc["requests"]:
            if r["device"] == device:
                return r["request_id"]
        status, doc = so.json("POST", "/api/v1/waiver-requests",
                              {"device": device, "reason": "asked for the matrix", "until": UNTIL})
        self.assertEqual(status, 200, doc)
        self.assertEqual(doc["state"], "pending", doc)
        return doc["request_id"]

    def test_0a_waiver_request_matrix(self):
        for role in ROLES:
            for target in TARGETS:
                device, _ = self.cells[role][target]
                status, doc = self.clients[role].json(
                    "POST", "/api/v1/waiver-requests",
                    {"device": device, "reason": f"{role} asks", "until": UNTIL})
                # The holder asks for their own device; officers for devices they may act on.
                expected = 200 if target == "own" else expected_act(role, target)
                self.cell(role, "POST waiver-requests", target, status, expected, doc)
                if status == 200:
                    self.assertEqual((doc["device"], doc["state"], doc["requested_by"]),
                                     (device, "pending", self.org.role_person[role]), doc)
        # The list is narrowed: a holder sees the requests of their own devices only.
        for role in ROLES:
            status, doc = self.clients[role].json("GET", "/api/v1/waiver-requests")
            self.cell(role, "GET waiver-requests", "-", status, 200, doc)
            listed = {r["device"] for r in doc["requests"]}
            for target in ("own", "own unit", "other unit"):
                device, _ = self.cells[role][target]
                if target not in SEES[role]:
                    self.cell(role, "GET waiver-requests lists", target, device in listed, False)
        status, doc = self.clients["auditor"].json("GET", "/api/v1/waiver-requests?state=maybe")
        self.assertEqual((status, doc["error"]["field"]), (400, "state"), doc)

    def test_0b_case_step_matrix(self):
        for role in ROLES:
            for target in TARGETS:
                device, _ = self.cells[role][target]
                status, doc = self.clients[role].json(
                    "POST", f"/api/v1/cases/{device}/steps", {"to": "verified", "note": "matrix"})
                self.cell(role, "POST cases/{id}/steps", target, status,
                          expected_act(role, target), doc)
                if status == 200:
                    self.assertEqual(doc["stage"], "verified", doc)
        device, _ = self.cells["security-officer"]["own unit"]
        status, doc = self.clients["security-officer"].json(
            "POST", f"/api/v1/cases/{device}/steps", {"to": "surrendered"})
        # A stage reached by what is recorded (a disposition), not by hand: refused, named.
        self.assertEqual((status, doc["error"]["field"]), (422, "to"), doc)
        status, doc = self.clients["security-officer"].json(
            "POST", f"/api/v1/cases/{device}/steps", {"to": "teleported"})
        self.assertEqual((status, doc["error"]["field"]), (400, "to"), doc)

    def decision_matrix(self, verb, body):
        decided = {}
        for role in ROLES:
            for target in TARGETS:
                device, _ = self.cells[role][target]
                request_id = (self.pending_request(device) if target != "not found"
                              else "WR-999999")
                status, doc = self.clients[role].json(
                    "POST", f"/api/v1/waiver-requests/{request_id}/{verb}", body)
                self.cell(role, f"POST waiver-requests/{{id}}/{verb}", target, status,
                          expected_decision(role, target), doc)
                if status == 200:
                    decided[device] = doc
        return decided

    def test_0c_waiver_refuse_matrix(self):
        status, doc = self.clients["security-officer"].json(
            "POST", f"/api/v1/waiver-requests/{self.pending_request(self.cells['holder']['own'][0])}"
            "/refuse", {})
        self.assertEqual((status, doc["error"]["field"]), (422, "reason"), doc)
        for device, doc in self.decision_matrix("refuse", {"reason": "not this time"}).items():
            self.assertEqual((doc["state"], doc["decision_reason"], doc["decided_by"]),
                             ("refused", "not this time",
                              self.org.role_person["security-officer"]), doc)

    def test_0d_waiver_approve_matrix(self):
        decided = self.decision_matrix("approve", {})
        self.assertEqual(len(decided), 2, decided)
        status, doc = self.clients["security-officer"].json("GET", "/api/v1/waivers")
        self.assertEqual(status, 200, doc)
        listed = doc if isinstance(doc, list) else doc["waivers"]
        granted = {w["waiver_id"]: w for w in listed}
        for device, request in decided.items():
            self.assertEqual(request["state"], "approved", request)
            waiver = granted[request["waiver_id"]]
            self.assertEqual((waiver["target"], waiver["approver"]),
                             (f"device {device}", self.org.role_person["security-officer"]))
        # Decided once: approving again is refused.
        request = next(iter(decided.values()))
        status, doc = self.clients["security-officer"].json(
            "POST", f"/api/v1/waiver-requests/{request['request_id']}/approve", {})
        self.assertEqual(status, 422, doc)

    def test_7_every_write_has_its_person_as_actor(self):
        actors = {e.get("actor") for e in self.audit_actors()}
        for role in ("security-officer", "unit-officer", "holder"):
            self.assertIn(self.org.role_person[role], actors)
        self.assertNotIn("setup", {e.get("actor") for e in self.audit_actors()
                                   if e.get("kind", "").startswith(("handover", "device.declare"))})

    def test_8_an_open_event_stream_ends_when_its_person_is_locked(self):
        role = "holder"
        client = self.clients[role]
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        conn.request("GET", "/api/v1/events", headers={"Cookie": client.cookie})
        resp = conn.getresponse()
        self.assertEqual(resp.status, 200)
        self.assertTrue(resp.readline().startswith(b": stream after"))
        support.run(PHASEOUT, self.org.db, "account", "lock", self.org.role_person[role])
        started = time.time()
        while resp.readline():  # heartbeats or changes until the server ends the stream
            self.assertLess(time.time() - started, 20, "the stream outlived the lock")
        self.assertLess(time.time() - started, 20)
        conn.close()
        status, _ = client.json("GET", "/api/v1/me")
        self.assertEqual(status, 401)


if __name__ == "__main__":
    PHASEOUT = support.RoleMatrixTest.BINARY = support.binary_from_argv(__doc__)
    unittest.main()
