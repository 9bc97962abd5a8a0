#!/usr/bin/env python3
"""Single sign-on against a real `phaseout serve` and the test OpenID provider
(tests/oidc/oidc_provider.py) on loopback: /api/v1/oidc/start sends the browser to the
provider, the callback opens the session of the person with the token's e-mail; an ID token
with a bad signature or the wrong audience is refused (401), and a state is used once.

Usage: oidc_login_test.py PHASEOUT_BINARY
"""
import pathlib
import shutil
import subprocess
import sys
import tempfile
import unittest
import urllib.parse
import urllib.request

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import server_support as support  # noqa: E402

PHASEOUT = None
PROVIDER = pathlib.Path(__file__).resolve().parent.parent / "oidc" / "oidc_provider.py"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def location_of(url):
    """GET url without following; the Location of the 302."""
    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(url, timeout=10)
    except urllib.error.HTTPError as e:
        if e.code == 302:
            return e.headers["Location"]
        raise
    raise AssertionError(f"{url} did not redirect")


class OidcLoginTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = pathlib.Path(tempfile.mkdtemp(prefix="phaseout_oidc_"))
        cls.org = support.Org(PHASEOUT, cls.tmp, people=120)
        cls.provider = subprocess.Popen([sys.executable, str(PROVIDER)], stdout=subprocess.PIPE,
                                        text=True)
        line = cls.provider.stdout.readline()
        if not line.startswith("listening"):
            cls.provider.wait()
            raise unittest.SkipTest(f"the test provider did not start ({line!r})")
        cls.issuer = f"http://127.0.0.1:{line.split()[1]}"
        cls.server = support.Server(PHASEOUT, cls.org.db, extra=(
            "--oidc-issuer", cls.issuer, "--oidc-client-id", "phaseout",
            "--public-url", "http://127.0.0.1:{port}"))

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.provider.terminate()
        cls.provider.wait()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def control(self, mode, email):
        urllib.request.urlopen(self.issuer + "/control?" + urllib.parse.urlencode(
            {"mode": mode, "email": email}), timeout=10).read()

    def sign_in(self):
        """Returns (status, headers) of the callback after the whole dance."""
        start = f"http://127.0.0.1:{self.server.port}/api/v1/oidc/start"
        authorize = location_of(start)
        self.assertTrue(authorize.startswith(self.issuer + "/authorize?"), authorize)
        callback = location_of(authorize)
        path = urllib.parse.urlsplit(callback)
        status, headers, _ = support.Client(self.server.port).request(
            "GET", path.path + "?" + path.query)
        return status, headers, path

    def test_sign_in_opens_the_persons_session(self):
        pid = self.org.role_person["unit-officer"]
        self.control("rs256", self.org.people[pid]["email"].upper())
        status, headers, callback = self.sign_in()
        self.assertEqual(status, 302)
        self.assertEqual(headers["location"], "/")
        c = support.Client(self.server.port)
        c.cookie = headers["set-cookie"].split(";")[0]
        self.assertIn("HttpOnly", headers["set-cookie"])
        status, me = c.json("GET", "/api/v1/me")
        self.assertEqual(status, 200, me)
        self.assertEqual(me["person_id"], pid)
        # The same state again: used once.
        again = support.Client(self.server.port).request(
            "GET", callback.path + "?" + callback.query)
        self.assertEqual(again[0], 401)

    def test_bad_tokens_are_refused(self):
        pid = self.org.role_person["holder"]
        for mode in ("bad-signature", "wrong-audience", "expired", "wrong-nonce"):
            with self.subTest(mode=mode):
                self.control(mode, self.org.people[pid]["email"])
                status, headers, _ = self.sign_in()
                self.assertEqual(status, 401)
                self.assertNotIn("set-cookie", headers)

    def test_an_unknown_person_is_refused(self):
        self.control("rs256", "nobody@elsewhere.example")
        self.assertEqual(self.sign_in()[0], 401)


if __name__ == "__main__":
    PHASEOUT = support.binary_from_argv(__doc__)
    try:
        import jwt  # noqa: F401
        import cryptography  # noqa: F401
    except ImportError:
        print("SKIPPED: python3-jwt or python3-cryptography missing (the test provider)")
        sys.exit(support.SKIP)
    unittest.main()
