#!/usr/bin/env python3
"""The API's refusals in the caller's language, against a real `phaseout serve` on 127.0.0.1:
the person's stored language (PUT /api/v1/me/language), else Accept-Language, else English;
each refusal keeps its stable machine fields (code, message_id, field) whatever the language.
Every change of a person's language is one audit entry whose actor is the person.

Usage: language_test.py PHASEOUT_BINARY
"""
import csv
import json
import pathlib
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import server_support as support  # noqa: E402

RU = {"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"}
EN = {"Accept-Language": "en-GB"}


class LanguageTest(unittest.TestCase):
    BINARY = None

    @classmethod
    def setUpClass(cls):
        cls.tmp = pathlib.Path(tempfile.mkdtemp(prefix="phaseout_lang_"))
        cls.db = str(cls.tmp / "server.db")
        support.run(cls.BINARY, cls.db, "demo", "--people", "300", "--out-dir", str(cls.tmp),
                    cwd=cls.tmp)
        with open(cls.tmp / "people.csv", newline="", encoding="utf-8") as f:
            active = [r["person_id"] for r in csv.DictReader(f)
                      if r.get("status", "active") == "active"]
        cls.anna, cls.boris = active[0], active[1]
        for pid in (cls.anna, cls.boris):
            support.run(cls.BINARY, cls.db, "account", "password", pid,
                        stdin=support.PASSWORD + "\n")
        cls.server = support.Server(cls.BINARY, cls.db)

    @classmethod
    def tearDownClass(cls):
        rc = cls.server.stop()
        try:
            assert rc == 0, f"phaseout serve exited {rc} on SIGTERM"
        finally:
            shutil.rmtree(cls.tmp, ignore_errors=True)

    def client(self, who):
        c = support.Client(self.server.port)
        status, _, body = c.login(who)
        self.assertEqual(status, 200, body)
        return c

    def error(self, client, method, path, body=None, headers=None, csrf=True):
        status, hdrs, payload = client.request(method, path, body, headers=headers, csrf=csrf)
        return status, hdrs, json.loads(payload)["error"]

    def test_accept_language_chooses_when_nothing_is_stored(self):
        c = self.client(self.anna)
        status, hdrs, ru = self.error(c, "GET", "/api/v1/devices/D-999999999", headers=RU)
        self.assertEqual(status, 404)
        self.assertEqual(ru["message"], "устройство D-999999999 не найдено")
        self.assertEqual(ru["message_id"], "api.sentence.device_not_found")
        self.assertEqual(hdrs.get("content-language"), "ru")
        _, hdrs, en = self.error(c, "GET", "/api/v1/devices/D-999999999", headers=EN)
        self.assertEqual(en["message"], "device D-999999999 not found")
        self.assertNotIn("content-language", hdrs)
        # The machine fields are the same in every language.
        self.assertEqual((ru["code"], ru["message_id"], ru["field"]),
                         (en["code"], en["message_id"], en["field"]))
        # A language we do not have is skipped for the next one the client accepts; none: English.
        _, _, chosen = self.error(c, "GET", "/api/v1/devices/D-999999999",
                                  headers={"Accept-Language": "de-DE, ru;q=0.5"})
        self.assertEqual(chosen["message"], ru["message"])
        _, _, none = self.error(c, "GET", "/api/v1/devices/D-999999999",
                                headers={"Accept-Language": "de, fr"})
        self.assertEqual(none["message"], en["message"])
        # A malformed request names its field, in Russian.
        status, _, bad = self.error(c, "GET", "/api/v1/status?bogus=1", headers=RU)
        self.assertEqual((status, bad["field"], bad["message"]),
                         (400, "bogus", "неизвестный параметр запроса"))
        # Refusals before any person is known: the sign-in and a missing CSRF token.
        anonymous = support.Client(self.server.port)
        status, _, payload = anonymous.request(
            "POST", "/api/v1/login", {"login": self.anna, "password": "wrong"}, headers=RU)
        self.assertEqual(status, 401)
        self.assertEqual(json.loads(payload)["error"]["message"], "неверный логин или пароль")
        status, _, csrf = self.error(c, "PUT", "/api/v1/me/language", {"language": "en"},
                                     headers=RU, csrf=False)
        self.assertEqual((status, csrf["field"]), (403, "X-CSRF-Token"))
        self.assertIn("X-CSRF-Token", csrf["message"])
        self.assertNotEqual(csrf["message"], "missing or wrong X-CSRF-Token header")

    def test_the_stored_language_wins_and_every_change_is_audited(self):
        c = self.client(self.boris)
        status, me = c.json("GET", "/api/v1/me")
        self.assertEqual((status, me["language"]), (200, None))
        status, stored = c.json("PUT", "/api/v1/me/language", {"language": "ru"})
        self.assertEqual((status, stored["language"], stored["changed"]), (200, "ru", True))
        status, again = c.json("PUT", "/api/v1/me/language", {"language": "ru"})
        self.assertEqual((status, again["changed"]), (200, False))
        # Remembered across sign-ins.
        c2 = self.client(self.boris)
        self.assertEqual(c2.json("GET", "/api/v1/me")[1]["language"], "ru")
        # The person's Russian, whatever the browser asks for.
        _, _, err = self.error(c2, "GET", "/api/v1/devices/D-999999999", headers=EN)
        self.assertEqual(err["message"], "устройство D-999999999 не найдено")
        status, _, refused = self.error(c2, "PUT", "/api/v1/me/language", {"language": "xx"},
                                        headers=EN)
        self.assertEqual((status, refused["field"], refused["message"]),
                         (422, "language", "ожидается одно из: en, ru"))
        status, _, unknown = self.error(c2, "PUT", "/api/v1/me/language", {"lang": "ru"})
        self.assertEqual((status, unknown["field"], unknown["message"]),
                         (400, "lang", "неизвестное поле"))
        # Another person's language is untouched.
        other = self.client(self.anna)
        self.assertIsNone(other.json("GET", "/api/v1/me")[1]["language"])
        # Back to English: the refusals follow.
        self.assertEqual(c2.json("PUT", "/api/v1/me/language", {"language": "en"})[0], 200)
        _, _, err = self.error(c2, "GET", "/api/v1/devices/D-999999999", headers=RU)
        self.assertEqual(err["message"], "device D-999999999 not found")
        # One audit entry per change, its actor the person; the chain still verifies.
        lines = support.run(self.BINARY, self.db, "audit", "export").stdout.splitlines()
        entries = [json.loads(line) for line in lines if line.strip()]
        changes = [e for e in entries if e.get("kind") == "person.language"]
        self.assertEqual([(e["actor"], e["subject"]) for e in changes],
                         [(self.boris, self.boris)] * 2, changes)
        self.assertIn("intact", support.run(self.BINARY, self.db, "audit", "verify").stdout)


if __name__ == "__main__":
    LanguageTest.BINARY = support.binary_from_argv(__doc__)
    unittest.main()
