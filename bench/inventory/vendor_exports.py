#!/usr/bin/python3
"""Writes vendor-shaped exports of the devices bench_generate_inventory wrote, for
bench/inventory/importers.sh.

  vendor_exports.py --people people.csv --devices devices.csv --out DIR [--page 1000]

From the same devices (holders named by the person's e-mail, as MDMs name them):
  DIR/intune.json          every device as Microsoft Graph managedDevices pages
                           ({"@odata.context": ..., "value": [...], "@odata.nextLink": ...},
                           saved one after the other), with the fields a managedDevice carries
                           (https://learn.microsoft.com/graph/api/resources/intune-devices-manageddevice)
  DIR/merge-intune.json    the first half of the devices, as Graph pages
  DIR/merge-snipeit.json   devices from a quarter to three quarters, as Snipe-IT hardware pages
                           ({"total": N, "rows": [...]}); the first half of them carry the same
                           serial numbers as devices of merge-intune.json, so two sources of
                           N/2 devices overlap by half
Streams record by record; memory stays small.
"""
import argparse
import csv
import json
import sys
import uuid

MANUFACTURER_OS = {"ios": "iOS", "ipados": "iPadOS", "android": "Android", "windows": "Windows",
                   "macos": "macOS", "harmonyos": "Android"}


def timestamp(i, base_day=1):
    return "2024-03-%02dT%02d:%02d:%02dZ" % (base_day + i % 27, i % 24, i % 60, (i * 7) % 60)


def graph_device(i, row, email, name):
    platform = row["platform"] or ""
    os_name = MANUFACTURER_OS.get(platform.lower(), platform or "Unknown")
    mac = row["mac"].split(";")[0].replace(":", "").upper() if row["mac"] else ""
    device_id = str(uuid.UUID(int=(0x5EED << 96) | i))
    return {
        "id": device_id,
        "userId": str(uuid.UUID(int=(0xACE << 96) | (i // 2))),
        "deviceName": row["hostname"] or ("%s_%s" % (name.split(" ")[0], row["model"]))[:40],
        "managedDeviceOwnerType": "company" if row["ownership"] == "corporate" else
                                  "personal" if row["ownership"] == "personal" else "unknown",
        "enrolledDateTime": timestamp(i * 3),
        "lastSyncDateTime": timestamp(i),
        "operatingSystem": os_name,
        "complianceState": "compliant" if i % 9 else "noncompliant",
        "jailBroken": "False",
        "managementAgent": "mdm",
        "osVersion": row["os_version"],
        "easActivated": i % 3 == 0,
        "easDeviceId": "%016X" % (i * 2654435761 % (1 << 64)),
        "easActivationDateTime": "0001-01-01T00:00:00Z",
        "azureADRegistered": True,
        "deviceEnrollmentType": "userEnrollment",
        "activationLockBypassCode": None,
        "emailAddress": email,
        "azureADDeviceId": str(uuid.UUID(int=(0xAAD << 96) | i)),
        "deviceRegistrationState": "registered",
        "deviceCategoryDisplayName": "Unknown Category",
        "isSupervised": row["ownership"] == "corporate",
        "exchangeLastSuccessfulSyncDateTime": "0001-01-01T00:00:00Z",
        "exchangeAccessState": "none",
        "exchangeAccessStateReason": "none",
        "isEncrypted": True,
        "userPrincipalName": email,
        "model": row["model"],
        "manufacturer": row["vendor"],
        "imei": row["imei"],
        "complianceGracePeriodExpirationDateTime": "9999-12-31T23:59:59Z",
        "serialNumber": row["serial"],
        "phoneNumber": "",
        "androidSecurityPatchLevel": "2024-02-01" if platform == "android" else "",
        "userDisplayName": name,
        "wiFiMacAddress": mac,
        "subscriberCarrier": "",
        "meid": "",
        "totalStorageSpaceInBytes": 128849018880,
        "freeStorageSpaceInBytes": 60129542144 + i,
        "managedDeviceName": "%s_%s" % (email.split("@")[0], row["model"]),
        "partnerReportedThreatState": "unknown",
        "iccid": None,
        "udid": None,
        "notes": None,
        "ethernetMacAddress": None,
        "physicalMemoryInBytes": 0,
    }


def snipeit_asset(i, row, email, username):
    return {
        "id": 700000 + i,
        "name": row["hostname"] or None,
        "asset_tag": "A%07d" % i,
        "serial": row["serial"],
        "model": {"id": 1 + i % 50, "name": row["model"]},
        "model_number": None,
        "eol": None,
        "status_label": {"id": 2, "name": "Deployed", "status_type": "deployable",
                         "status_meta": "deployed"},
        "category": {"id": 3, "name": "Mobile Phones" if row["kind"] == "phone" else "Tablets"
                     if row["kind"] == "tablet" else "Laptops" if row["kind"] == "laptop"
                     else "Devices"},
        "manufacturer": {"id": 4, "name": row["vendor"]},
        "supplier": None,
        "notes": "",
        "order_number": None,
        "company": None,
        "location": None,
        "rtd_location": None,
        "image": None,
        "assigned_to": {"id": 10000 + i, "username": username, "name": username,
                        "first_name": username, "last_name": "", "email": email,
                        "employee_number": "", "type": "user"},
        "warranty_months": None,
        "purchase_cost": None,
        "purchase_date": None,
        "last_checkout": {"datetime": "2023-05-02 10:00:00", "formatted": "2023-05-02 10:00 AM"},
        "expected_checkin": None,
        "created_at": {"datetime": "2023-04-01 09:00:00", "formatted": "2023-04-01 09:00 AM"},
        "updated_at": {"datetime": "2024-04-%02d 12:00:00" % (1 + i % 28),
                       "formatted": "2024-04-01 12:00 PM"},
        "deleted_at": None,
        "custom_fields": {
            "IMEI": {"field": "_snipeit_imei_1", "value": row["imei"], "field_format": "ANY"},
            "MAC Address": {"field": "_snipeit_mac_address_2",
                            "value": row["mac"].split(";")[0] if row["mac"] else "",
                            "field_format": "MAC"},
        },
        "available_actions": {"checkout": True, "checkin": True, "clone": True,
                              "restore": False, "update": True, "delete": False},
    }


class Pages:
    """Writes records as pages of `size`: `head(page_index)` opens one, `tail` closes it."""

    def __init__(self, path, size, container, head, tail):
        self.out = open(path, "w", encoding="utf-8", buffering=1 << 20)
        self.size, self.container, self.head, self.tail = size, container, head, tail
        self.in_page = 0
        self.pages = 0

    def add(self, record):
        if self.in_page == 0:
            self.out.write(self.head(self.pages))
            self.out.write('"%s":[' % self.container)
        else:
            self.out.write(",")
        self.out.write(json.dumps(record, separators=(",", ":"), ensure_ascii=False))
        self.in_page += 1
        if self.in_page == self.size:
            self.close_page()

    def close_page(self):
        if self.in_page:
            self.out.write("]" + self.tail(self.pages) + "}\n")
            self.pages += 1
            self.in_page = 0

    def close(self):
        self.close_page()
        self.out.close()


def graph_pages(path, size):
    base = "https://graph.microsoft.com/v1.0/deviceManagement/managedDevices"
    return Pages(path, size, "value",
                 lambda p: '{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#'
                           'deviceManagement/managedDevices",',
                 lambda p: ',"@odata.nextLink":"%s?$skiptoken=page%d"' % (base, p + 1))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", required=True)
    parser.add_argument("--devices", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--page", type=int, default=1000)
    args = parser.parse_args()

    people = {}
    with open(args.people, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            people[row["person_id"]] = (row["email"], row["name"])
    with open(args.devices, newline="", encoding="utf-8") as f:
        total = sum(1 for _ in f) - 1
    half, quarter = total // 2, total // 4

    everything = graph_pages(args.out + "/intune.json", args.page)
    first = graph_pages(args.out + "/merge-intune.json", args.page)
    second_count = min(total, quarter + half) - quarter
    second = Pages(args.out + "/merge-snipeit.json", args.page, "rows",
                   lambda p: '{"total":%d,' % second_count, lambda p: "")
    with open(args.devices, newline="", encoding="utf-8") as f:
        for i, row in enumerate(csv.DictReader(f)):
            email, name = people.get(row["holder"], ("", ""))
            graph = graph_device(i, row, email, name)
            everything.add(graph)
            if i < half:
                first.add(graph)
            if quarter <= i < quarter + half:
                second.add(snipeit_asset(i, row, email, email.split("@")[0]))
    for pages in (everything, first, second):
        pages.close()
    print("wrote %d devices (intune.json), %d + %d for the merge to %s"
          % (total, half, second_count, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
