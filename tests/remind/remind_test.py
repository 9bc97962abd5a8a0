#!/usr/bin/env python3
"""End-to-end tests of `phaseout remind` against a real SMTP server (aiosmtpd, started by
smtp_sink.py on a free local port): a small organisation is built with the phaseout binary,
reminders are run on several days of a campaign, and what the server received is read back —
envelope recipients, headers, subjects and bodies — together with what phaseout recorded.

Usage: remind_test.py PHASEOUT_BINARY
"""
import email
import email.policy
import http.client
import json
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest

PHASEOUT = None
HERE = pathlib.Path(__file__).resolve().parent
DIRECTIVE = "pa-iphone-test"

DIRECTIVE_YAML = """\
id: pa-iphone-test
title: Officials of the Presidential Administration give up iPhones
issued: 2023-03-06
issuer: First Deputy Head of the Presidential Administration
reason: Information security ahead of the 2024 presidential election
scope:
  units: ["pa/**"]
  roles: [official]
ban:
  - platform: ios
  - {vendor: apple, kind: phone}
allow:
  platforms: [android, harmonyos, aurora]
replacement: {channels: [official]}
waivers: {approver_role: security-officer, max_days: 30, unit_wide: false}
reminders: {days_before: [14, 7, 3, 1], escalate_to_role: unit-officer}
milestones:
  - {name: handover, due: 2023-03-31, requires: banned_devices_surrendered}
  - {name: replace, due: 2023-04-01, requires: allowed_replacement_held}
"""

PEOPLE_HEADER = "person_id,name,email,unit,role,status\n"
PEOPLE = (
    "P-1,Ivan Petrov,{ivan},pa/press,official,active\n"
    "P-2,Ольга Смирнова,olga.smirnova@pa.example,pa/press,official,active\n"
    "P-3,Pavel Nomail,,pa/press,official,active\n"
    # The officer of the parent unit receives escalations for pa/press, which has none.
    "P-8,Sergei Volkov,sergei.volkov@pa.example,pa,unit-officer,active\n"
    # A sibling whose name shares the prefix: never an escalation target for pa/press.
    "P-9,Decoy Officer,decoy@pa.example,pa-press,unit-officer,active\n"
)
DEVICES = (
    "device_id,holder,kind,vendor,model,platform,os_version,ownership,channel,serial,imei,"
    "mac,hostname,state\n"
    "D-1,P-1,phone,Apple,iPhone 13 Pro,ios,16.4,corporate,official,,,,,active\n"
    "D-2,P-2,phone,Apple,iPhone 12,ios,16.1,corporate,official,,,,,active\n"
    "D-3,P-3,phone,Apple,iPhone 11,ios,15.7,corporate,official,,,,,active\n"
    # P-2 already holds an allowed replacement: the "replace" milestone is met for her.
    "D-4,P-2,phone,Samsung,Galaxy S23,android,13,corporate,official,,,,,active\n"
)
FROM = "phaseout@pa.example"


def aiosmtpd_python():
    """An interpreter that can import aiosmtpd (the Debian package installs it for the
    system python3, which may differ from the one running this script)."""
    for candidate in (sys.executable, "/usr/bin/python3", shutil.which("python3")):
        if not candidate:
            continue
        ok = subprocess.run([candidate, "-c", "import aiosmtpd"], capture_output=True)
        if ok.returncode == 0:
            return candidate
    raise RuntimeError("python3-aiosmtpd is not installed (scripts/bootstrap.sh installs it)")


class SmtpSink:
    """smtp_sink.py in a subprocess; messages() reads what it accepted."""

    def __init__(self, directory):
        self.dir = pathlib.Path(directory)
        self.proc = subprocess.Popen([aiosmtpd_python(), str(HERE / "smtp_sink.py"), str(self.dir)],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline().strip()
        if not line.isdigit():
            self.proc.kill()
            raise RuntimeError("SMTP sink did not start: " + line + self.proc.stderr.read())
        self.port = int(line)
        self.url = "smtp://127.0.0.1:%d" % self.port

    def messages(self):
        out = []
        for meta in sorted(self.dir.glob("*.json")):
            raw = meta.with_suffix(".eml").read_bytes()
            env = json.loads(meta.read_text(encoding="utf-8"))
            msg = email.message_from_bytes(raw, policy=email.policy.default)
            out.append({"raw": raw, "rcpt": env["rcpt_tos"], "mail_from": env["mail_from"],
                        "msg": msg, "subject": str(msg["Subject"]),
                        "body": msg.get_content().replace("\r\n", "\n"),
                        "step": str(msg["X-Phaseout-Step"]), "case": str(msg["X-Phaseout-Case"])})
        return out

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()
        self.proc.stderr.close()


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def keys(messages):
    """(case, milestone/step, recipients) of each message, as a sorted list."""
    return sorted((m["case"], m["step"], tuple(m["rcpt"])) for m in messages)


def one_line(text):
    return " ".join(text.split())


class RemindEndToEnd(unittest.TestCase):
    def setUp(self):
        self.tmp = pathlib.Path(tempfile.mkdtemp(prefix="phaseout_remind_"))
        self.db = str(self.tmp / "campaign.db")
        self.sinks = []

    def tearDown(self):
        for s in self.sinks:
            s.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def phaseout(self, *args, expect=0, env=None):
        full_env = dict(os.environ)
        full_env.pop("PHASEOUT_SMTP", None)
        full_env.pop("PHASEOUT_MAIL_FROM", None)
        full_env.update(env or {})
        proc = subprocess.run([PHASEOUT, "--db", self.db, "--actor", "remind-test", *args],
                              capture_output=True, text=True, env=full_env, timeout=120)
        if expect is not None and proc.returncode != expect:
            raise AssertionError("phaseout %s exited %d, expected %d\nstdout: %s\nstderr: %s" %
                                 (" ".join(args), proc.returncode, expect, proc.stdout,
                                  proc.stderr))
        return proc

    def build_org(self, ivan_email="ivan.petrov@pa.example", extra_holders=0):
        people = PEOPLE_HEADER + PEOPLE.format(ivan=ivan_email)
        devices = DEVICES
        for i in range(100, 100 + extra_holders):
            people += "P-%d,Holder %d,holder%d@pa.example,pa/press,official,active\n" % (i, i, i)
            devices += ("D-%d,P-%d,phone,Apple,iPhone 14,ios,16.5,corporate,official,,,,,"
                        "active\n" % (i, i))
        (self.tmp / "people.csv").write_text(people, encoding="utf-8")
        (self.tmp / "devices.csv").write_text(devices, encoding="utf-8")
        (self.tmp / "directive.yaml").write_text(DIRECTIVE_YAML, encoding="utf-8")
        self.phaseout("init")
        self.phaseout("import", "people", str(self.tmp / "people.csv"))
        self.phaseout("import", "devices", str(self.tmp / "devices.csv"))
        self.phaseout("directive", "add", str(self.tmp / "directive.yaml"))

    def sink(self, name="mail"):
        s = SmtpSink(self.tmp / name)
        self.sinks.append(s)
        return s

    def remind(self, at, sink=None, *extra, expect=0, smtp=None):
        args = ["remind", "--directive", DIRECTIVE, "--at", at, "--from", FROM,
                "--smtp", smtp or sink.url, *extra]
        return self.phaseout(*args, expect=expect)

    def remind_json(self, at, sink=None, *extra, expect=0, smtp=None):
        return json.loads(self.remind(at, sink, "--format", "json", *extra, expect=expect,
                                      smtp=smtp).stdout)

    def case_steps(self, device, at):
        out = self.phaseout("case", "show", DIRECTIVE + "/" + device, "--at", at,
                            "--format", "json").stdout
        return [(s["stage"], s["on"]) for s in json.loads(out)["steps"]]

    # --- the campaign, day by day ------------------------------------------------------

    def test_reminders_and_escalations_over_a_campaign(self):
        self.build_org()
        mail = self.sink()

        # 15 days before the first due date: nothing is due yet.
        r = self.remind_json("2023-03-16", mail)
        self.assertEqual(r["summary"]["sent"], 0)
        self.assertEqual(mail.messages(), [])

        # 14 days before handover: both reachable holders; Pavel has no address.
        r = self.remind_json("2023-03-17", mail)
        self.assertEqual(r["summary"]["sent"], 2, r)
        self.assertEqual(r["summary"]["undeliverable"], 1)
        self.assertEqual(r["undeliverable"][0]["person_id"], "P-3")
        self.assertIn("has no e-mail address", r["undeliverable"][0]["problem"])
        got = mail.messages()
        self.assertEqual(keys(got), [
            ("pa-iphone-test/D-1", "handover/before-14", ("ivan.petrov@pa.example",)),
            ("pa-iphone-test/D-2", "handover/before-14", ("olga.smirnova@pa.example",)),
        ])
        ivan = next(m for m in got if m["case"].endswith("/D-1"))
        self.check_reminder(ivan, days_left=14)
        olga = next(m for m in got if m["case"].endswith("/D-2"))
        # A Cyrillic name travels as RFC 2047 in the header and as 8-bit UTF-8 in the body.
        self.assertIn(b"=?UTF-8?B?", olga["raw"])
        self.assertEqual(olga["msg"]["To"].addresses[0].display_name, "Ольга Смирнова")
        self.assertIn("Dear Ольга Смирнова,", olga["body"])
        # The first reminder of a case records the case step "notified".
        self.assertIn(("notified", "2023-03-17"), self.case_steps("D-1", "2023-03-17"))
        self.assertNotIn("notified", [s for s, _ in self.case_steps("D-3", "2023-03-17")])

        # The same run again sends nothing: each step goes out once.
        text = self.remind("2023-03-17", mail).stdout
        self.assertIn("summary: 0 sent, 2 skipped (already sent), 1 undeliverable, "
                      "0 escalations", text)
        self.assertEqual(len(mail.messages()), 2)

        # A dry run a week before lists what is due, sends and records nothing.
        dry = self.remind_json("2023-03-24", mail, "--dry-run")
        self.assertTrue(dry["dry_run"])
        would = sorted((m["case"], m["milestone"], m["step"]) for m in dry["messages"])
        self.assertEqual(would, [("pa-iphone-test/D-1", "handover", "before-7"),
                                 ("pa-iphone-test/D-1", "replace", "before-14"),
                                 ("pa-iphone-test/D-2", "handover", "before-7")])
        self.assertTrue(all(m["outcome"] == "would-send" for m in dry["messages"]))
        self.assertEqual(dry["summary"]["would_send"], 3)
        self.assertEqual(len(mail.messages()), 2, "a dry run sends nothing")
        dry_text = self.remind("2023-03-24", mail, "--dry-run").stdout
        self.assertIn("--- would send: reminder pa-iphone-test/D-1 handover before-7", dry_text)
        self.assertIn("Subject: pa-iphone-test: hand in iPhone 13 Pro (D-1) by 2023-03-31", dry_text)
        self.assertEqual(len(mail.messages()), 2, "a dry run sends nothing")

        # The real run sends exactly what the dry run listed: the dry run recorded nothing.
        # Ivan's replacement milestone (due 2023-04-01) missed its 14-day day (2023-03-18):
        # the run catches that step up; Olga already holds an allowed phone.
        r = self.remind_json("2023-03-24", mail)
        self.assertEqual(r["summary"]["sent"], 3)
        new = mail.messages()[2:]
        self.assertEqual(keys(new), [
            ("pa-iphone-test/D-1", "handover/before-7", ("ivan.petrov@pa.example",)),
            ("pa-iphone-test/D-1", "replace/before-14", ("ivan.petrov@pa.example",)),
            ("pa-iphone-test/D-2", "handover/before-7", ("olga.smirnova@pa.example",)),
        ])
        handover7 = next(m for m in new if m["step"] == "handover/before-7" and
                         m["case"].endswith("/D-1"))
        self.check_reminder(handover7, days_left=7)
        replace = next(m for m in new if m["step"] == "replace/before-14")
        self.assertIn("replace iPhone 13 Pro (D-1) by 2023-04-01 - 8 days left", replace["subject"])
        self.assertIn("2023-04-01, 8 days left", one_line(replace["body"]))

        # Olga hands her iPhone in: her reminders stop.
        self.phaseout("record", "disposition", "D-2", "--as", "returned", "--on", "2023-03-27",
                      "--by", "P-8")
        # On the handover due date the missed 3-day steps are not sent; the 1-day steps are.
        r = self.remind_json("2023-03-31", mail)
        self.assertEqual(keys(mail.messages()[5:]), [
            ("pa-iphone-test/D-1", "handover/before-1", ("ivan.petrov@pa.example",)),
            ("pa-iphone-test/D-1", "replace/before-1", ("ivan.petrov@pa.example",)),
        ])
        due_day = next(m for m in mail.messages()[5:] if m["step"] == "handover/before-1")
        self.assertIn("due today", due_day["subject"])

        # After both due dates: escalations to the officer of the parent unit, once each;
        # Pavel (no e-mail address) is escalated too; Olga's case is resolved.
        r = self.remind_json("2023-04-02", mail)
        self.assertEqual(r["summary"]["escalations"], 4, r)
        self.assertEqual(r["summary"]["undeliverable"], 0)
        esc = mail.messages()[7:]
        self.assertEqual(keys(esc), [
            ("pa-iphone-test/D-1", "handover/escalation", ("sergei.volkov@pa.example",)),
            ("pa-iphone-test/D-1", "replace/escalation", ("sergei.volkov@pa.example",)),
            ("pa-iphone-test/D-3", "handover/escalation", ("sergei.volkov@pa.example",)),
            ("pa-iphone-test/D-3", "replace/escalation", ("sergei.volkov@pa.example",)),
        ])
        e = next(m for m in esc if m["step"] == "handover/escalation" and m["case"].endswith("/D-1"))
        self.assertTrue(e["subject"].startswith("Overdue: pa-iphone-test milestone handover"), e["subject"])
        body = one_line(e["body"])
        self.assertIn("Ivan Petrov (P-1), ivan.petrov@pa.example, unit pa/press", body)
        self.assertIn("D-1, iPhone 13 Pro", body)
        self.assertIn("was due on 2023-03-31 and is 2 days overdue", body)
        self.assertIn("Information security ahead of the 2024 presidential election", body)
        self.assertTrue(e["body"].startswith("Dear Sergei Volkov,\n"), e["body"])
        self.assertIn("the banned device has not been handed in. You receive this as "
                      "unit-officer of pa (pa/press has none of its own).", body)
        pavel = next(m for m in esc if m["case"].endswith("/D-3") and m["step"] == "handover/escalation")
        self.assertIn("Pavel Nomail (P-3)", one_line(pavel["body"]))

        # Running again afterwards sends nothing, on the same day or later.
        for day in ("2023-04-02", "2023-04-03", "2023-04-20"):
            r = self.remind_json(day, mail)
            self.assertEqual(r["summary"]["sent"], 0, day)
        self.assertEqual(len(mail.messages()), 11)
        # The decoy officer of pa-press never received anything.
        self.assertFalse(any("decoy@pa.example" in m["rcpt"] for m in mail.messages()))

    def check_reminder(self, m, days_left):
        msg = m["msg"]
        self.assertEqual(m["mail_from"], FROM)
        self.assertEqual(m["rcpt"], ["ivan.petrov@pa.example"])
        self.assertEqual(msg["From"], FROM)
        self.assertEqual(msg["To"].addresses[0].addr_spec, "ivan.petrov@pa.example")
        self.assertEqual(msg["To"].addresses[0].display_name, "Ivan Petrov")
        for header in ("Date", "Message-ID"):
            self.assertTrue(msg[header], header)
        self.assertEqual(msg["MIME-Version"], "1.0")
        self.assertEqual(msg.get_content_type(), "text/plain")
        self.assertEqual(msg.get_content_charset(), "utf-8")
        self.assertEqual(msg["Content-Transfer-Encoding"], "8bit")
        self.assertEqual(m["subject"], "pa-iphone-test: hand in iPhone 13 Pro (D-1) by 2023-03-31 "
                                       "- %d days left" % days_left)
        body = one_line(m["body"])
        self.assertIn("Dear Ivan Petrov,", body)
        # What, why, by when, how.
        self.assertIn("Device: D-1, iPhone 13 Pro (iOS 16.4)", body)
        self.assertIn("Why: Information security ahead of the 2024 presidential election.", body)
        self.assertIn("Officials of the Presidential Administration give up iPhones", body)
        self.assertIn("Due: 2023-03-31, %d days left" % days_left, body)
        self.assertIn("Hand in your iPhone 13 Pro (device D-1) to your unit's officer by "
                      "2023-03-31", body)
        self.assertIn("running one of: Android, HarmonyOS, Aurora", body)
        self.assertIn("through the official channel only", body)
        self.assertIn("security-officer for a waiver (at most 30 days)", body)

    # --- failures ----------------------------------------------------------------------

    def choose_language(self, person, language):
        """The person chooses their language as on their page: signed in to a real
        `phaseout serve`, PUT /api/v1/me/language."""
        password = "correct horse battery staple"
        subprocess.run(
            [PHASEOUT, "--db", self.db, "--actor", "remind-test", "account", "password", person],
            input=password + "\n", capture_output=True, text=True, check=True, timeout=120)
        port = closed_port()
        server = subprocess.Popen([PHASEOUT, "--db", self.db, "serve", "--listen",
                                   "127.0.0.1:%d" % port],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.time() + 30
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if time.time() > deadline or server.poll() is not None:
                        raise AssertionError("phaseout serve did not start")
                    time.sleep(0.1)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("POST", "/api/v1/login", json.dumps({"login": person,
                                                             "password": password}),
                         {"Content-Type": "application/json"})
            r = conn.getresponse()
            ticket = json.loads(r.read())
            self.assertEqual(r.status, 200, ticket)
            cookie = r.getheader("Set-Cookie").split(";")[0]
            conn.request("PUT", "/api/v1/me/language", json.dumps({"language": language}),
                         {"Content-Type": "application/json", "Cookie": cookie,
                          "X-CSRF-Token": ticket["csrf_token"]})
            r = conn.getresponse()
            self.assertEqual(r.status, 200, r.read())
            r.read()
            conn.close()
        finally:
            server.terminate()
            server.wait(timeout=20)

    def test_each_reminder_in_its_recipients_language(self):
        self.build_org()
        self.choose_language("P-2", "ru")
        mail = self.sink()
        r = self.remind_json("2023-03-17", mail)
        self.assertEqual(r["summary"]["sent"], 2, r)
        got = mail.messages()
        olga = next(m for m in got if m["case"].endswith("/D-2"))
        ivan = next(m for m in got if m["case"].endswith("/D-1"))
        # Olga chose Russian: subject and body from the catalog's Russian, dates as Russian
        # writes them, the plural form of 14.
        self.assertEqual(olga["subject"],
                         "pa-iphone-test: сдать iPhone 12 (D-2) до 31.03.2023 — осталось 14 дней")
        self.assertEqual(str(olga["msg"]["Content-Language"]), "ru")
        self.assertTrue(olga["body"].startswith("Уважаемый(ая) Ольга Смирнова!\n"), olga["body"])
        body = one_line(olga["body"])
        self.assertIn("Что нужно сделать:", body)
        self.assertIn("Сдайте iPhone 12 (устройство D-2) ответственному сотруднику", body)
        self.assertIn("Ссылка: дело pa-iphone-test/D-2, срок handover, напоминание before-14", body)
        self.assertNotIn("Dear", body)
        # Ivan chose nothing: English, as before.
        self.assertEqual(str(ivan["msg"]["Content-Language"]), "en")
        self.assertTrue(ivan["body"].startswith("Dear Ivan Petrov,\n"))
        self.assertIn("by 2023-03-31 - 14 days left", ivan["subject"])

    def test_unreachable_server_is_a_clear_error_and_records_nothing(self):
        self.build_org()
        url = "smtp://127.0.0.1:%d" % closed_port()
        proc = self.remind("2023-03-17", None, smtp=url, expect=2)
        self.assertIn("phaseout: cannot send mail through " + url, proc.stderr)
        self.assertIn("not attempted", proc.stdout)
        # Nothing was recorded: a dry run still lists both messages, none skipped.
        dry = self.remind_json("2023-03-17", None, "--dry-run", smtp=url)
        self.assertEqual(dry["summary"]["would_send"], 2)
        self.assertEqual(dry["summary"]["skipped_already_sent"], 0)
        self.assertNotIn("notified", [s for s, _ in self.case_steps("D-1", "2023-03-17")])
        # With the server back, the next run sends them.
        mail = self.sink()
        r = self.remind_json("2023-03-17", mail)
        self.assertEqual(r["summary"]["sent"], 2)
        self.assertEqual(len(mail.messages()), 2)

    def test_refused_recipient_is_not_recorded_and_others_go_out(self):
        self.build_org(ivan_email="refuse.ivan@pa.example")
        mail = self.sink()
        proc = self.remind("2023-03-17", mail, "--format", "json", expect=2)
        r = json.loads(proc.stdout)
        outcomes = {m["device_id"]: m["outcome"] for m in r["messages"]}
        self.assertEqual(outcomes, {"D-1": "failed", "D-2": "sent"})
        failed = next(m for m in r["messages"] if m["device_id"] == "D-1")
        self.assertIn("550", failed["error"])
        self.assertIn("refused", proc.stderr)
        self.assertEqual(keys(mail.messages()), [
            ("pa-iphone-test/D-2", "handover/before-14", ("olga.smirnova@pa.example",))])
        # The refused message is tried again on the next run; the accepted one is not.
        dry = self.remind_json("2023-03-17", mail, "--dry-run")
        self.assertEqual([m["device_id"] for m in dry["messages"]], ["D-1"])
        self.assertEqual(dry["summary"]["skipped_already_sent"], 1)

    def test_two_concurrent_runs_send_each_step_once(self):
        self.build_org(extra_holders=30)
        mail = self.sink()
        args = [PHASEOUT, "--db", self.db, "remind", "--directive", DIRECTIVE, "--at",
                "2023-03-17", "--from", FROM, "--smtp", mail.url, "--format", "json"]
        procs = [subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True) for _ in range(2)]
        results = []
        for p in procs:
            out, err = p.communicate(timeout=300)
            self.assertEqual(p.returncode, 0, err)
            results.append(json.loads(out)["summary"])
        # 32 holders with an address are due their 14-day step: each receives it once.
        self.assertEqual(sum(r["sent"] for r in results), 32, results)
        got = keys(mail.messages())
        self.assertEqual(len(got), 32)
        self.assertEqual(len(set(got)), 32, "no step was sent twice")
        for r in results:
            self.assertEqual(r["sent"] + r["skipped_already_sent"], 32, results)
        self.assertEqual(self.remind_json("2023-03-17", mail)["summary"]["sent"], 0)

    def test_bad_input_is_refused_with_exit_1(self):
        self.build_org()
        cases = [
            ({"--smtp": "http://127.0.0.1:25"}, "expected an smtp:// or smtps:// URL"),
            ({"--at": "2023-02-30"}, "--at: expected a date"),
            ({"--from": "not an address"}, "--from: expected a bare e-mail address"),
            ({"--directive": "no-such-directive"}, "no-such-directive"),
            ({"--at": "2023-03-01"}, "not in force on 2023-03-01"),
            ({"--format": "xml"}, "--format"),
        ]
        for change, message in cases:
            flags = {"--directive": DIRECTIVE, "--at": "2023-03-17",
                     "--smtp": "smtp://127.0.0.1:%d" % closed_port()}
            flags.update(change)
            args = ["remind"] + [x for kv in flags.items() for x in kv]
            proc = self.phaseout(*args, expect=1)
            self.assertIn(message, proc.stderr, change)
        proc = self.phaseout("remind", "--at", "2023-03-17", expect=1)
        self.assertIn("--directive", proc.stderr)

    def test_smtp_url_from_the_environment(self):
        self.build_org()
        mail = self.sink()
        proc = self.phaseout("remind", "--directive", DIRECTIVE, "--at", "2023-03-17",
                             env={"PHASEOUT_SMTP": mail.url, "PHASEOUT_MAIL_FROM": FROM})
        self.assertIn("through " + mail.url, proc.stdout)
        self.assertEqual(len(mail.messages()), 2)
        self.assertEqual(mail.messages()[0]["mail_from"], FROM)

    def test_help_documents_exit_codes(self):
        out = self.phaseout("remind", "--help").stdout
        for text in ("--dry-run", "--smtp", "--from", "--at", "Exit codes", "PHASEOUT_SMTP"):
            self.assertIn(text, out)


if __name__ == "__main__":
    PHASEOUT = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
