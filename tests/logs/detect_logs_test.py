#!/usr/bin/env python3
"""End-to-end behaviour of `phaseout detect` over logs: Zeek logs (TSV and JSON lines) in a
directory, a Suricata eve.json, access logs with smartphone User-Agents and authenticated
users, a damaged access log (warnings with file:line, a result all the same), an unreadable
log (an error naming it), and a capture read beside an access log (the log's user joins the
capture's device through its address).

Exit status: 0 pass, 1 failure.
"""
import argparse
import json
import pathlib
import subprocess
import sys

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
    return cond


def detect(px, *args):
    p = subprocess.run([px, "detect", "--format", "json", *args], capture_output=True, text=True)
    try:
        out = json.loads(p.stdout) if p.stdout else None
    except json.JSONDecodeError as e:
        out = None
        failures.append(f"detect {' '.join(args)}: output is not JSON: {e}")
    return p.returncode, out, p.stderr


def device(out, key):
    for d in out["devices"] if out else []:
        if d["key"] == key:
            return d
    failures.append(f"no device {key} in {[d['key'] for d in out['devices']] if out else None}")
    return None


def services(d):
    return {(s["service"], s["user"]) for s in d["services"]} if d else set()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--phaseout", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--synthetic", required=True)
    args = ap.parse_args()
    px, data, syn = args.phaseout, pathlib.Path(args.data), pathlib.Path(args.synthetic)

    # Zeek: DHCP names and leases, JSON http.log with a user, ssl, dns (mDNS and unicast),
    # conn, software; weird.log is of a kind detect does not read and is skipped quietly.
    rc, out, err = detect(px, "--zeek", str(data / "zeek"))
    check(rc == 0, f"zeek: exit {rc}: {err}")
    check("weird.log" not in err, f"zeek: a foreign log in a directory is skipped quietly: {err}")
    check(out and out["stats"]["log_files"] == 7, "zeek: seven log files read")
    check(out and out["stats"]["log_bad_lines"] == 0, "zeek: no bad lines")
    anna = device(out, "mac:c4:61:8b:35:82:a9")
    if anna:
        check(anna["platform"] == "ios" and anna["level"] == "confirmed",
              f"zeek: Anna's iPhone is confirmed iOS: {anna['platform']} {anna['level']}")
        check(anna["users"] == ["anna"], f"zeek: http.log username: {anna['users']}")
        check(anna["hostnames"] == ["Anna-iPhone"], f"zeek: hostnames {anna['hostnames']}")
        check(anna.get("first_seen") == "2023-03-20T08:00:00.100000Z",
              f"zeek: first_seen {anna.get('first_seen')}")
        check(anna.get("last_seen") == "2023-03-20T08:02:00.500000Z",
              f"zeek: last_seen {anna.get('last_seen')}")
        check(("intranet.corp.example.org/hr/leave", "anna") in services(anna),
              f"zeek: the HTTP request is a service use: {services(anna)}")
        check(("mail.example.org", "") in services(anna), "zeek: the SNI is a service use")
        lines = {(e["signal"], e.get("file", "").split("/")[-1], e.get("line")) for e in anna["evidence"]}
        check(("hostname", "dhcp.log", 9) in lines, f"zeek: hostname from dhcp.log line 9: {lines}")
        check(("user_agent", "http.log", 1) in lines, f"zeek: UA from http.log line 1: {lines}")
        check(all("frame" not in e for e in anna["evidence"]), "zeek: log evidence has lines, not frames")
    pc = device(out, "mac:3c:a9:f4:a8:1f:ec")
    if pc:
        check(pc["platform"] == "windows", f"zeek: the office PC is Windows: {pc['platform']}")
        check(pc["hostnames"] == ["office-pc-12"], f"zeek: client_fqdn's first label: {pc['hostnames']}")

    # Suricata eve.json: an Android phone with a random MAC, joined to its IP by the ACK.
    rc, out, err = detect(px, "--eve", str(data / "eve.json"))
    check(rc == 0, f"eve: exit {rc}: {err}")
    galaxy = device(out, "mac:ae:9c:d5:92:41:22")
    if galaxy:
        check(galaxy["platform"] == "android" and galaxy["level"] == "confirmed",
              f"eve: the Galaxy is confirmed Android: {galaxy['platform']} {galaxy['level']}")
        check(("intranet.corp.example.org/news/today", "") in services(galaxy),
              f"eve: http service use: {services(galaxy)}")
        check(galaxy["ips"] == ["10.40.0.9"], f"eve: ips {galaxy['ips']}")
    check(out and len(out["devices"]) == 1, "eve: flow and stats events make no device")

    # An access log of the mail service: smartphones reaching it, with their users.
    rc, out, err = detect(px, "--access-log", f"mail={data / 'mail.log'}")
    check(rc == 0, f"access: exit {rc}: {err}")
    phone = device(out, "ip:10.30.0.5")
    if phone:
        check(phone["platform"] == "ios" and phone["kind"] == "phone",
              f"access: iPhone UA: {phone['platform']} {phone['kind']}")
        check(phone["users"] == ["jdoe"], f"access: users {phone['users']}")
        svc = {s["service"]: s for s in phone["services"]}
        check(set(svc) == {"mail/owa/", "mail/owa/service.svc"}, f"access: services {set(svc)}")
        if "mail/owa/service.svc" in svc:
            s = svc["mail/owa/service.svc"]
            check(s["count"] == 2 and s["user"] == "jdoe" and "iPhone" in s["user_agent"]
                  and s.get("line") == 2 and s.get("file", "").endswith("mail.log"),
                  f"access: service use record {s}")
        check(phone.get("first_seen") == "2023-03-20T09:15:00.000000Z",
              f"access: [20/Mar/2023:10:15:00 +0100] is 09:15Z: {phone.get('first_seen')}")
    android = device(out, "ip:10.30.0.6")
    if android:
        check(android["platform"] == "android" and android["users"] == ["asmith"],
              f"access: Android with asmith: {android['platform']} {android['users']}")
    desktop = device(out, "ip:10.30.0.7")
    if desktop:
        check(desktop["platform"] == "windows" and desktop["kind"] != "phone",
              f"access: the desktop is no phone: {desktop['platform']} {desktop['kind']}")
    # Without SERVICE= the service is the file's name.
    rc, out, err = detect(px, "--access-log", str(data / "mail.log"))
    d = device(out, "ip:10.30.0.5")
    check(d and ("mail/owa/", "jdoe") in services(d), "access: service named after the file")

    # A damaged log: warnings with file:line, the good lines still give a verdict.
    rc, out, err = detect(px, "--access-log", f"portal={data / 'damaged.log'}")
    check(rc == 0, f"damaged: exit {rc} (damage is a warning)")
    for n in (2, 3, 4):
        check(f"damaged.log:{n}:" in err, f"damaged: warning for line {n}: {err}")
    check(out and out["stats"]["log_bad_lines"] == 3, "damaged: three bad lines counted")
    d = device(out, "ip:10.30.0.8")
    check(d and d["platform"] == "ios" and d["users"] == ["kclark"], f"damaged: result {d}")

    # Unreadable inputs are errors naming them; no input at all is a usage error.
    rc, out, err = detect(px, "--access-log", str(data / "missing.log"))
    check(rc == 1 and "missing.log" in err, f"missing log: exit {rc}, {err}")
    rc, out, err = detect(px, "--zeek", str(data / "no-such-dir"))
    check(rc == 1 and "no-such-dir" in err, f"missing zeek dir: exit {rc}, {err}")
    p = subprocess.run([px, "detect"], capture_output=True, text=True)
    check(p.returncode == 1 and "needs input" in p.stderr, f"no input: {p.returncode} {p.stderr}")

    # A capture and an access log together: the portal's user lands on the capture's iPhone.
    rc, out, err = detect(px, str(syn / "ios_private_mac.pcap"), "--access-log",
                          f"portal={data / 'portal.log'}")
    check(rc == 0, f"mixed: exit {rc}: {err}")
    iphone = device(out, "mac:5e:e3:12:4b:9a:07")
    if iphone:
        check(iphone["platform"] == "ios", f"mixed: {iphone['platform']}")
        check(iphone["users"] == ["lucas"], f"mixed: the log's user joins the device: {iphone['users']}")
        check(("portal/portal/", "lucas") in services(iphone), f"mixed: {services(iphone)}")
        check(("captive.apple.com/hotspot-detect.html", "") in services(iphone),
              f"mixed: capture HTTP is a service use too: {services(iphone)}")
        check(any("frame" in e for e in iphone["evidence"]) and
              any("line" in e for e in iphone["evidence"]),
              "mixed: evidence from the capture has frames, from the log lines")
        check(iphone.get("first_seen") == "2023-03-20T07:00:00.000000Z",
              f"mixed: first seen in the capture: {iphone.get('first_seen')}")
        check(iphone.get("last_seen") == "2023-03-20T07:05:00.000000Z",
              f"mixed: last seen in the log (08:05 +0100): {iphone.get('last_seen')}")
    check(out and out["stats"]["files"] == 1 and out["stats"]["log_files"] == 1, "mixed: stats")

    # Text output names the users and log lines.
    p = subprocess.run([px, "detect", "--access-log", f"mail={data / 'mail.log'}"],
                       capture_output=True, text=True)
    check("users: jdoe" in p.stdout and "mail.log:1" in p.stdout and "service mail/owa/" in p.stdout,
          f"text output: {p.stdout[:400]}")

    for f in failures:
        print("FAIL", f)
    print(f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
