#!/usr/bin/env python3
"""End-to-end test of the MDM and asset-register importers: the same devices imported from
three sources (Intune Graph JSON, Snipe-IT CSV, Fleet hosts JSON) merge into one inventory;
the most recently synchronised source wins and the disagreement is shown; --dry-run stores
nothing; --full marks missing-from-source; a malformed export stores nothing; the audit trail
verifies; the banned devices go out for NAC (FreeRADIUS, CSV) and for the MDM that manages them. The exports are written here from the vendors' documented shapes (docs/importers.md).

Usage: importers_test.py PHASEOUT_BINARY SOURCE_DIR
"""
import json
import pathlib
import shutil
import sys
import tempfile
import unittest

import cli_run
from cli_run import run

SOURCE = None

PEOPLE = """person_id,name,email,unit
P-ANNA,Anna A,anna@example.org,pa/press
P-BORIS,Boris B,boris@example.org,pa/policy
"""

INTUNE = {
    "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#deviceManagement/managedDevices",
    "value": [
        {"id": "3f1c", "deviceName": "ANNA-IPHONE", "managedDeviceOwnerType": "company",
         "operatingSystem": "iOS", "osVersion": "16.4.1", "model": "iPhone 14",
         "manufacturer": "Apple", "serialNumber": "F17XK1ABC", "imei": "352099001761481",
         "meid": "", "wiFiMacAddress": "A4B1C2D3E4F5", "ethernetMacAddress": None,
         "userPrincipalName": "Anna@Example.org", "emailAddress": "anna@example.org",
         "lastSyncDateTime": "2024-02-01T08:00:00Z"},
        {"id": "7d2e", "deviceName": "BORIS-PIXEL", "managedDeviceOwnerType": "personal",
         "operatingSystem": "Android", "osVersion": "14", "model": "Pixel 8",
         "manufacturer": "Google", "serialNumber": "38XYZ0001", "imei": "", "meid": "",
         "wiFiMacAddress": "", "userPrincipalName": "boris@example.org",
         "lastSyncDateTime": "2024-02-02T08:00:00Z"},
    ],
}

# Snipe-IT knows Anna's phone by serial (written differently), synchronised later, and gives
# another holder: the later source wins, the conflict is kept.
SNIPEIT = """ID,Asset Tag,Asset Name,Serial,Model,Manufacturer,Category,Status,Email,IMEI,MAC Address,Updated at
11,A-0011,Anna phone,f17-xk1abc,iPhone 14,Apple,Mobile Phones,Deployed,boris@example.org,352099001761481,,2024-02-10 09:00:00
12,A-0012,Spare laptop,C02SPARE1,MacBook Air,Apple,Laptops,Ready to Deploy,,,,2024-02-10 09:00:00
"""

FLEET = {"hosts": [
    {"id": 501, "hostname": "annas-phone", "platform": "ios", "os_version": "iOS 17.2",
     "hardware_vendor": "Apple Inc.", "hardware_model": "iPhone15,2", "hardware_serial": "",
     "primary_mac": "a4:b1:c2:d3:e4:f5", "detail_updated_at": "2024-02-20T00:00:00Z",
     "seen_time": "2024-02-20T00:00:00Z",
     "device_mapping": [{"email": "stranger@example.org", "source": "google_chrome_profiles"}]},
]}


class ImportersTest(unittest.TestCase):
    def setUp(self):
        self.tmp = pathlib.Path(tempfile.mkdtemp(prefix="phaseout_importers_"))
        self.db = str(self.tmp / "test.db")
        run(self.db, "init")
        run(self.db, "import", "people", self.write("people.csv", PEOPLE))

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def write(self, name, content):
        path = self.tmp / name
        path.write_text(content if isinstance(content, str) else json.dumps(content, indent=1))
        return str(path)

    def devices(self, *extra):
        return json.loads(run(self.db, "device", "list", "--format", "json", *extra).stdout)

    def import_json(self, path, *extra):
        return json.loads(run(self.db, "import", "devices", path, "--format", "json",
                              *extra).stdout)

    def test_three_sources_merge_into_one_inventory(self):
        intune = self.write("managedDevices.json", INTUNE)
        out = run(self.db, "import", "devices", intune).stdout
        self.assertIn("read as intune (recognised from its contents)", out)
        self.assertIn("2 added", out)

        # A dry run prints the same counts as the real import and stores nothing.
        snipeit = self.write("assets.csv", SNIPEIT)
        dry = self.import_json(snipeit, "--dry-run")
        self.assertEqual((dry["source"], dry["added"], dry["merged"], dry["dry_run"]),
                         ("snipeit", 1, 1, True))
        self.assertEqual(len(self.devices()), 2)
        real = self.import_json(snipeit)
        self.assertEqual((real["added"], real["merged"]), (dry["added"], dry["merged"]))
        self.assertEqual(real["conflicting_devices"], 1)

        fleet = self.write("hosts.json", FLEET)
        merged = self.import_json(fleet)
        self.assertEqual((merged["source"], merged["merged"], merged["unmatched_holders"]),
                         ("fleet", 1, 1))  # matched by its (non-random) Wi-Fi MAC

        devices = {d["device_id"]: d for d in self.devices()}
        self.assertEqual(sorted(devices), ["intune:3f1c", "intune:7d2e", "snipeit:12"])
        anna = devices["intune:3f1c"]
        self.assertEqual(sorted(s["source"] for s in anna["sources"]),
                         ["fleet", "intune", "snipeit"])
        self.assertEqual(anna["holder"], "P-BORIS")  # Snipe-IT named a person after Intune
        self.assertTrue(anna["needs_review"])  # Fleet names a holder who is nobody known
        self.assertEqual(anna["conflicts"], 2)  # holder and OS version
        self.assertEqual([d["device_id"] for d in self.devices("--source", "fleet")],
                         ["intune:3f1c"])

        show = json.loads(run(self.db, "device", "show", "intune:3f1c", "--format",
                              "json").stdout)
        fields = {f["field"]: f for f in show["fields"]}
        self.assertEqual(fields["os_version"]["value"], "17.2")
        self.assertEqual(fields["os_version"]["source"], "fleet")
        self.assertEqual(fields["os_version"]["record_id"], "501")
        self.assertEqual(fields["ownership"]["source"], "intune")
        self.assertEqual(fields["imei"]["value"], "352099001761481")
        self.assertTrue(fields["serial"]["file"].endswith("assets.csv"))
        kinds = {(f["kind"], f["field"]) for f in show["findings"]}
        self.assertEqual(kinds, {("source-conflict", "holder"),
                                 ("source-conflict", "os_version")})
        text = run(self.db, "device", "show", "intune:3f1c").stdout
        self.assertIn("source-conflict: os_version", text)
        self.assertIn("\"stranger@example.org\" matches no person", text)

        # Re-importing the same export changes nothing.
        again = self.import_json(intune)
        self.assertEqual((again["unchanged"], again["added"], again["updated"]), (2, 0, 0))

        # A full export that lacks a device marks it missing-from-source, and lists it.
        partial = dict(INTUNE, value=INTUNE["value"][:1])
        full = run(self.db, "import", "devices", self.write("partial.json", partial),
                   "--full").stdout
        self.assertIn("1 devices missing from intune", full)
        self.assertIn("intune:7d2e", full)
        boris = {d["device_id"]: d for d in self.devices()}["intune:7d2e"]
        self.assertEqual(boris["sources"][0]["presence"], "missing-from-source")

        # status counts what to review, in its text and in its JSON alike.
        run(self.db, "directive", "add",
            str(SOURCE / "examples/directives/pa-iphone-2023.yaml"))
        text = run(self.db, "status", "--at", "2023-03-20").stdout
        doc = json.loads(run(self.db, "status", "--at", "2023-03-20", "--format",
                             "json").stdout)
        review = doc["review"]
        self.assertEqual((review["unmatched_holders"], review["missing_from_source"]), (1, 1))
        self.assertGreaterEqual(review["source_conflicts"], 1)
        self.assertIn(f"{review['unmatched_holders']} devices whose holder matches no person "
                      f"(holder-unmatched), {review['source_conflicts']} whose sources disagree "
                      f"(source-conflict), {review['missing_from_source']} missing from their "
                      "source", text)

        verify = run(self.db, "audit", "verify")
        self.assertIn("intact", verify.stdout)

    def test_malformed_exports_store_nothing(self):
        bad = json.loads(json.dumps(INTUNE))
        bad["value"][1]["wiFiMacAddress"] = "not-a-mac"
        bad["value"][0]["lastSyncDateTime"] = "last tuesday"
        proc = run(self.db, "import", "devices", self.write("bad.json", bad), expect=None)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("nothing was stored", proc.stderr)
        self.assertIn("bad.json:/value/0: last synchronised: expected a timestamp", proc.stderr)
        self.assertIn("bad.json:/value/1: mac: expected a MAC address", proc.stderr)

        broken_csv = SNIPEIT.replace("Deployed,boris", "Deployed,\"boris")
        proc = run(self.db, "import", "devices", self.write("assets.csv", broken_csv),
                   expect=None)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("assets.csv:2:", proc.stderr)

        proc = run(self.db, "import", "devices", "--from", "jamf",
                   self.write("jamf.json", "{\"results\": [{\"id\": 1,}]}"), expect=None)
        self.assertIn("jamf.json:/results/0: expected valid JSON", proc.stderr)
        self.assertEqual(self.devices(), [])
        proc = run(self.db, "import", "devices", "--full", self.write("d.csv", "device_id\nD\n"),
                   expect=None)
        self.assertIn("--full", proc.stderr)
        self.assertIn("intact", run(self.db, "audit", "verify").stdout)

    def test_banned_devices_are_exported_for_nac_and_the_mdm(self):
        officials = PEOPLE.replace("email,unit", "email,unit,role").replace(
            "pa/press\n", "pa/press,official\n").replace("pa/policy\n", "pa/policy,official\n")
        run(self.db, "import", "people", self.write("officials.csv", officials), "--on",
            "2023-01-01")
        run(self.db, "import", "devices", self.write("managedDevices.json", INTUNE))
        run(self.db, "directive", "add",
            str(SOURCE / "examples/directives/pa-iphone-2023.yaml"))
        radius = run(self.db, "export", "nac", "--at", "2023-03-20", "--format", "freeradius")
        self.assertIn('a4-b1-c2-d3-e4-f5\tCalling-Station-Id == "a4-b1-c2-d3-e4-f5", '
                      'Auth-Type := Reject', radius.stdout)
        self.assertIn("1 banned devices in use: 1 MAC addresses written", radius.stderr)
        csv_out = run(self.db, "export", "nac", "--at", "2023-03-20", "--format", "csv").stdout
        self.assertIn("intune:3f1c,a4:b1:c2:d3:e4:f5,F17XK1ABC,P-ANNA,pa/press,pending,", csv_out)
        self.assertNotIn("7d2e", csv_out)  # the Pixel is allowed
        mdm = run(self.db, "export", "mdm", "--at", "2023-03-20", "--target", "intune").stdout
        self.assertIn("\n3f1c,intune:3f1c,pending\n", mdm)

    def test_directory_people_with_a_mapping(self):
        ldif = self.write("people.ldif", """version: 1

dn: uid=carla,ou=Press Office,ou=pa,dc=example,dc=org
uid: carla
cn: Carla C
mail: carla@example.org
memberOf: cn=Approvers,ou=Groups,dc=example,dc=org
userAccountControl: 514
""")
        mapping = self.write("map.yaml", "roles:\n  approver: [Approvers]\n")
        out = run(self.db, "import", "people", ldif, "--map", mapping).stdout
        self.assertIn("1 added", out)
        run(self.db, "import", "people", ldif, "--map", self.write("bad.yaml", "colour: red\n"),
            expect=None)

    def test_holders_are_matched_by_user_principal_name(self):
        # The directory's mailbox and user principal name differ; the MDM names the holder by
        # the latter, in another case.
        ldif = self.write("people.ldif", """version: 1

dn: CN=Dmitri D,OU=Press,OU=PA,DC=corp,DC=example,DC=org
sAMAccountName: dmitri
displayName: Dmitri D
mail: dmitri.d@example.org
userPrincipalName: d.dmitriev@corp.example.org
userAccountControl: 512
""")
        run(self.db, "import", "people", ldif)
        managed = dict(INTUNE["value"][0], id="9a9a", serialNumber="DMITRI001", imei="",
                       wiFiMacAddress="", userPrincipalName="D.Dmitriev@CORP.example.org",
                       emailAddress="")
        out = self.import_json(self.write("managed.json", {"value": [managed]}),
                               "--from", "intune")
        self.assertEqual(out["unmatched_holders"], 0, out)
        [device] = [d for d in self.devices() if d["device_id"] == "intune:9a9a"]
        self.assertEqual(device["holder"], "dmitri")
        self.assertEqual(device["sources"][0]["holder_match"], "upn")
        # A UPN nobody has is still imported, and needs review.
        ghost = dict(managed, id="9b9b", serialNumber="GHOST001",
                     userPrincipalName="ghost@corp.example.org")
        out = self.import_json(self.write("ghost.json", {"value": [ghost]}), "--from", "intune")
        self.assertEqual(out["unmatched_holders"], 1, out)
        [device] = [d for d in self.devices() if d["device_id"] == "intune:9b9b"]
        self.assertEqual(device["holder"], "")
        self.assertEqual(device["sources"][0]["holder_match"], "unmatched")
        self.assertTrue(device["needs_review"])


if __name__ == "__main__":
    cli_run.PHASEOUT = sys.argv[1]
    SOURCE = pathlib.Path(sys.argv[2])
    unittest.main(argv=[sys.argv[0]], verbosity=2)
