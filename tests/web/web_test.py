#!/usr/bin/python3
"""The web pages end to end, in headless Chromium (Debian's chromium and chromium-driver, driven
by python3-selenium), against a real `phaseout serve` on 127.0.0.1 with a port picked here.

One journey per role on the small organisation of fixture/ (the scenario's directive):
  - the security officer grants a waiver and sees the device turn exempt;
  - the unit officer records a hand-over with evidence and sees the unit's numbers move;
  - the holder acknowledges, declares a device and sees only their own;
  - the auditor cannot change anything and sees the trail;
plus the sign-in refusal, the language (Accept-Language, switch, remembered), sign-out, and the
static assets' headers. Then the waiver requests (a holder asks, the security officer approves
and the device turns exempt; an officer asks, the refusal shows its reason to the holder), a case
step recorded by an officer, the auditor's "verified" and a network sighting on the device page,
and single sign-on (with the test OpenID provider of tests/oidc/). Every journey runs at 360 px or wide, in Russian or English, and fails on
any console error and on any request to another origin.

usage: web_test.py PHASEOUT [--screenshots DIR]
  --screenshots DIR  instead of testing, write the main pages in both languages as PNG files
Exit 77 (SKIPPED) when chromium, chromium-driver or python3-selenium is missing, or the binary
has no `serve` command."""
import argparse
import datetime
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.request

SKIP = 77
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FIXTURE = os.path.join(HERE, "fixture")
DIRECTIVE = os.path.join(ROOT, "examples", "directives", "pa-iphone-2023.yaml")
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
PASSWORD = "correct horse battery staple"
PEOPLE = ["P-SO", "P-UO", "P-AU", "P-H1", "P-H2", "P-L1"]
WAIT_S = 15

try:
    from selenium import webdriver
    from selenium.common.exceptions import (NoSuchElementException,
                                            StaleElementReferenceException, TimeoutException)
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import Select, WebDriverWait
except ImportError:  # reported as SKIPPED in main()
    webdriver = None


class Failure(Exception):
    pass


def check(condition, what):
    if not condition:
        raise Failure(what)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(binary, db, *args, stdin=None):
    result = subprocess.run([binary, "--db", db, "--actor", "web-test", *args], input=stdin,
                            capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise Failure(f"phaseout {' '.join(args)}: exit {result.returncode}: {result.stderr.strip()}")
    return result.stdout


class Server:
    """A real `phaseout serve` on a database built from fixture/."""

    def __init__(self, binary, workdir):
        self.db = os.path.join(workdir, "phaseout.db")
        run(binary, self.db, "init")
        run(binary, self.db, "import", "people", os.path.join(FIXTURE, "people.csv"))
        run(binary, self.db, "import", "devices", os.path.join(FIXTURE, "devices.csv"))
        run(binary, self.db, "directive", "add", DIRECTIVE)
        for person in PEOPLE:
            run(binary, self.db, "account", "password", person, stdin=PASSWORD + "\n")
        record_sighting(binary, self.db, workdir)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(os.path.join(workdir, "serve.log"), "w")
        self.process = subprocess.Popen(
            [binary, "--db", self.db, "serve", "--listen", f"127.0.0.1:{self.port}"],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise Failure(f"phaseout serve exited {self.process.returncode}: {self.tail()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise Failure("phaseout serve did not listen within 20 s")

    def tail(self):
        self.log.flush()
        with open(self.log.name) as f:
            return f.read()[-2000:]

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()


# The contrast of every visible text of the page (see Browser.assert_contrast): returns a list
# of "text: colour on background = ratio < required" strings.
CONTRAST_SCRIPT = r"""
const canvas = document.createElement('canvas').getContext('2d');
function rgba(css) {
  let m = /^rgba?\(([\d.]+)[, ]+([\d.]+)[, ]+([\d.]+)(?:[, /]+([\d.]+%?))?\)$/.exec(css);
  if (!m) {
    canvas.fillStyle = '#000';
    canvas.fillStyle = css;  // normalises any CSS colour to #rrggbb or rgba()
    const n = canvas.fillStyle;
    if (n.startsWith('#')) {
      return [parseInt(n.slice(1, 3), 16), parseInt(n.slice(3, 5), 16), parseInt(n.slice(5, 7), 16), 1];
    }
    m = /^rgba?\(([\d.]+)[, ]+([\d.]+)[, ]+([\d.]+)(?:[, /]+([\d.]+%?))?\)$/.exec(n);
    if (!m) return null;
  }
  let a = m[4] === undefined ? 1 : parseFloat(m[4]);
  if (m[4] && m[4].endsWith('%')) a /= 100;
  return [+m[1], +m[2], +m[3], a];
}
function over(top, below) {  // source-over compositing of an rgba on an opaque colour
  const a = top[3];
  return [0, 1, 2].map((i) => top[i] * a + below[i] * (1 - a)).concat(1);
}
function luminance(c) {
  const [r, g, b] = c.slice(0, 3).map((v) => {
    v /= 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
// The opaque colour behind `el`, or null when an image lies behind it.
function background(el) {
  const layers = [];
  for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
    const style = getComputedStyle(e);
    if (style.backgroundImage && style.backgroundImage !== 'none') return null;
    const c = rgba(style.backgroundColor);
    if (c && c[3] > 0) layers.push(c);
    if (c && c[3] >= 1) break;
  }
  let bg = [255, 255, 255, 1];
  for (const layer of layers.reverse()) bg = over(layer, bg);
  return bg;
}
function ownText(el) {
  if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) {
    return ['hidden', 'checkbox', 'radio', 'file', 'color', 'range'].includes(el.type) ? '' : el.value;
  }
  if (el instanceof HTMLSelectElement) return el.selectedOptions[0]?.text || '';
  let text = '';
  for (const n of el.childNodes) if (n.nodeType === 3) text += n.nodeValue;
  return text.trim();
}
const failures = [];
for (const el of document.querySelectorAll('body *')) {
  if (['SCRIPT', 'STYLE', 'OPTION', 'TITLE'].includes(el.tagName)) continue;
  const text = ownText(el);
  if (!text) continue;
  if (el.disabled || el.closest('[aria-hidden="true"], [hidden]')) continue;
  if (el.checkVisibility && !el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) continue;
  const rect = el.getBoundingClientRect();
  if (rect.width <= 1 || rect.height <= 1) continue;  // visually hidden (screen-reader text)
  const style = getComputedStyle(el);
  const bg = background(el);
  if (!bg) continue;
  const isSvg = el instanceof SVGElement;
  let fg = rgba(isSvg && style.fill && style.fill !== 'none' ? style.fill : style.color);
  if (!fg) continue;
  fg = over(fg, bg);
  const l1 = luminance(fg), l2 = luminance(bg);
  const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
  const size = parseFloat(style.fontSize);
  const bold = parseInt(style.fontWeight, 10) >= 700;
  const large = size >= 24 || (bold && size >= 18.66);
  const required = large ? 3 : 4.5;
  if (ratio + 1e-9 < required) {
    const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
        (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : '');
    failures.push(`${name} "${text.slice(0, 40)}": ${style.color} on rgb(${bg.slice(0, 3).map(Math.round)}) = ${ratio.toFixed(2)} < ${required}`);
  }
}
return failures;
"""


class Browser:
    """One fresh headless Chromium (no cookies, no storage) with a language and a width."""

    def __init__(self, base, lang="en", width=1280, height=900):
        self.base = base
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                    f"--window-size={width},{height}", f"--lang={lang}",
                    "--disable-features=Translate,OptimizationHints,MediaRouter",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync"):
            options.add_argument(arg)
        options.add_experimental_option("prefs", {"intl.accept_languages": lang})
        options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
        self.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        self.driver.set_window_size(width, height)
        self.width = width
        self.wait = WebDriverWait(self.driver, WAIT_S)
        self.console = []
        self.requests = []

    def quit(self):
        self.driver.quit()

    def go(self, hash_path=""):
        self.driver.get(self.base + "/" + hash_path)

    def find(self, css):
        return self.wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, css)))

    def visible(self, css):
        return self.wait.until(EC.visibility_of_element_located((By.CSS_SELECTOR, css)))

    def text_in(self, css, text):
        try:
            self.wait.until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, css), text))
        except TimeoutException:
            shown = [e.text for e in self.driver.find_elements(By.CSS_SELECTOR, css)]
            raise Failure(f"{css}: expected {text!r}, shows {shown!r}") from None

    def text_is(self, css, text):
        def equal(driver):
            try:
                return driver.find_element(By.CSS_SELECTOR, css).text == text
            except (NoSuchElementException, StaleElementReferenceException):
                return False
        try:
            self.wait.until(equal)
        except TimeoutException:
            shown = [e.text for e in self.driver.find_elements(By.CSS_SELECTOR, css)]
            raise Failure(f"{css}: expected exactly {text!r}, shows {shown!r}") from None

    def all(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def field(self, form_css, name):
        return self.find(f'{form_css} [name="{name}"]')

    def sign_in(self, login, password=PASSWORD, keyboard=False):
        self.go()
        login_box = self.visible('form.signin input[name="login"]')
        password_box = self.find('form.signin input[name="password"]')
        login_box.clear()
        login_box.send_keys(login)
        if keyboard:
            login_box.send_keys(Keys.TAB)
            self.driver.switch_to.active_element.send_keys(password, Keys.ENTER)
        else:
            password_box.send_keys(password)
            self.find('form.signin button[type="submit"]').click()

    def navigate(self, hash_path):
        self.driver.execute_script("window.location.hash = arguments[0];", hash_path)

    def collect_logs(self):
        for entry in self.driver.get_log("browser"):
            # Network-level lines ("Failed to load resource: 401") are answers the journeys
            # expect (signed-out /me, refused writes); script errors and console.error are not.
            if entry["level"] == "SEVERE" and entry.get("source") != "network":
                self.console.append(entry["message"])
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message.get("method") == "Network.requestWillBeSent":
                self.requests.append(message["params"]["request"]["url"])

    def assert_clean(self, journey):
        self.collect_logs()
        check(not self.console, f"{journey}: console errors: {self.console}")
        foreign = [u for u in self.requests
                   if not (u.startswith(self.base + "/") or u == self.base
                           or u.startswith(("data:", "blob:", "about:")))]
        check(not foreign, f"{journey}: requests to another origin: {foreign}")
        check(any(u.startswith(self.base + "/js/") for u in self.requests),
              f"{journey}: the performance log saw no request at all")

    def assert_labelled(self, journey):
        """Every control of the page has a label (WCAG 1.3.1 / 4.1.2)."""
        unlabelled = self.driver.execute_script("""
            return [...document.querySelectorAll('input, select, textarea, button')]
              .filter((el) => el.type !== 'hidden')
              .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') &&
                              !el.getAttribute('aria-labelledby') && !el.textContent.trim())
              .map((el) => el.outerHTML.slice(0, 80));""")
        check(not unlabelled, f"{journey}: controls without a label: {unlabelled}")

    def assert_contrast(self, journey):
        """WCAG 2.1 AA contrast (1.4.3) of every visible text on the page: the text's colour
        against its effective background (the element's and its ancestors' background colours
        composited over the white canvas) must reach 4.5:1, or 3:1 for large text (24 px, or
        18.66 px bold). Text over a background image and disabled controls are not judged."""
        failures = self.driver.execute_script(CONTRAST_SCRIPT)
        check(not failures, f"{journey}: text below WCAG AA contrast: {failures[:8]}")

    def assert_fits(self, journey):
        if self.width > 400:
            return
        overflow = self.driver.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth;")
        check(overflow <= 1, f"{journey}: the page is {overflow} px wider than the {self.width} px viewport")

    def post_json_from_page(self, path, body):
        """A write as the page makes it; returns {"status", "body"}."""
        return self.driver.execute_async_script("""
            const [path, body, done] = arguments;
            fetch(path, {method: 'POST', credentials: 'same-origin',
                         headers: {'Content-Type': 'application/json',
                                   'X-CSRF-Token': sessionStorage.getItem('phaseout.csrf') || ''},
                         body: JSON.stringify(body)})
              .then(async (r) => done({status: r.status, body: await r.json().catch(() => null)}),
                    () => done({status: 0, body: null}));
        """, path, body)

    def post_from_page(self, path, body):
        """A write the page could make, with the session's CSRF token; returns the status."""
        return self.driver.execute_async_script("""
            const [path, body, done] = arguments;
            fetch(path, {method: 'POST', credentials: 'same-origin',
                         headers: {'Content-Type': 'application/json',
                                   'X-CSRF-Token': sessionStorage.getItem('phaseout.csrf') || ''},
                         body: JSON.stringify(body)}).then((r) => done(r.status), () => done(0));
        """, path, body)


def submitted(b, form, css, text):
    """Waits until `css` shows `text` after submitting `form`; fails with the refusal the form
    shows instead, if any."""
    def settled(driver):
        try:
            refusals = driver.find_elements(By.CSS_SELECTOR, f"{form} .error, {form} .form-error")
            if refusals:
                return refusals[0].text or "(empty refusal)"
            shown = driver.find_elements(By.CSS_SELECTOR, css)
            return bool(shown) and text in shown[0].text
        except StaleElementReferenceException:  # the page was being redrawn
            return False
    try:
        outcome = b.wait.until(settled)
    except TimeoutException:
        shown = [e.text for e in b.all(css)]
        raise Failure(f"{form}: {css} never showed {text!r} (shows {shown!r})") from None
    check(outcome is True, f"{form} was refused: {outcome}")


def unit_row_counts(b, unit):
    """{column header: cell text} of the unit's row in the overview's unit table."""
    table = b.find("#units-table table")
    headers = [th.text for th in table.find_elements(By.CSS_SELECTOR, "thead th")]
    for row in table.find_elements(By.CSS_SELECTOR, "tbody tr"):
        cells = [td.text for td in row.find_elements(By.CSS_SELECTOR, "td")]
        if cells and cells[0] == unit:
            return dict(zip(headers, cells))
    raise Failure(f"no row for unit {unit} in the overview")


def journey_security_officer(base):
    b = Browser(base, "en", 1280)
    try:
        b.sign_in("P-SO")
        b.text_in("main h1", "Campaign overview")
        b.text_in("#totals", "overdue")
        b.text_is('[data-total="exempt"]', "0")
        b.navigate("#/device/D-L1")
        b.text_in("main h1", "Device D-L1")
        b.text_in("#verdicts", "overdue")
        b.assert_labelled("device page")
        form = "#waiver-form"
        b.field(form, "reason").send_keys("on mission abroad, replacement on order")
        # A term longer than the directive allows: the server's sentence beside its field.
        until = b.field(form, "until")
        good_until = until.get_attribute("value")
        b.driver.execute_script("arguments[0].value = arguments[1];", until, "2099-12-31")
        b.find(f"{form} button[type=submit]").click()
        refusal = b.find(f"{form} .error, {form} .form-error")
        answer = b.post_json_from_page("/api/v1/waivers", {
            "directive": "pa-iphone-2023", "device": "D-L1", "reason": "x", "until": "2099-12-31"})
        check(answer["status"] == 422, f"a too long waiver answered {answer}")
        error = answer["body"]["error"]
        check(refusal.text == error["message"], f"the page shows {refusal.text!r}, the API said {error}")
        if error.get("field"):
            beside = b.all(f'{form} .field:has([name="{error["field"]}"]) .error')
            check(beside and beside[0].text == error["message"],
                  f"the refusal is not beside the field {error['field']}")
        b.driver.execute_script("arguments[0].value = arguments[1];", until, good_until)
        b.find(f"{form} button[type=submit]").click()
        submitted(b, form, "#verdicts", "exempt")
        b.text_in("#device-waivers", "on mission abroad")
        b.navigate("#/overview")
        b.text_is('[data-total="exempt"]', "1")
        # Live: a change recorded elsewhere shows on the open overview without a reload.
        b.driver.execute_script("window.phaseoutNotReloaded = true;")
        answer = b.post_json_from_page("/api/v1/waivers", {
            "directive": "pa-iphone-2023", "device": "D-UO", "reason": "on leave", "until": good_until})
        check(answer["status"] in (200, 201), f"the second waiver answered {answer}")
        b.text_is('[data-total="exempt"]', "2")
        check(b.driver.execute_script("return window.phaseoutNotReloaded === true;"),
              "the overview reloaded the page instead of updating")
        b.assert_contrast("security officer")
        b.assert_clean("security officer")
    finally:
        b.quit()


def journey_unit_officer(base, workdir):
    b = Browser(base, "ru", 360, 780)
    try:
        b.sign_in("s.volkov@pa.example")
        b.text_in("#nav", "Обзор")
        b.text_in("main h1", "Ход кампании")
        before = unit_row_counts(b, "pa/press")
        overdue_before = int(before["просрочено"].replace("\u00a0", ""))
        in_scope = "Устройств в охвате"  # a device handed in leaves the scope
        in_scope_before = int(before[in_scope].replace("\u00a0", ""))
        check("pa/legal" not in b.find("#units-table").text,
              "a unit officer of pa/press sees pa/legal")
        b.assert_fits("unit officer overview")
        b.assert_labelled("overview")
        b.navigate("#/device/D-H2B")
        b.text_in("main h1", "D-H2B")
        form = "#disposition-form"
        Select(b.field(form, "as")).select_by_value("returned")
        evidence = os.path.join(workdir, "handover-receipt.txt")
        with open(evidence, "w") as f:
            f.write("Receipt: iPhone 14 F2LXH2B handed in to the press office.\n")
        b.field(form, "evidence").send_keys(evidence)
        b.find(f"{form} button[type=submit]").click()
        submitted(b, form, "#device-case", "сдано")
        b.assert_fits("unit officer device")
        b.navigate("#/overview")
        b.find("#units-table")
        after = unit_row_counts(b, "pa/press")
        check(int(after["просрочено"].replace("\u00a0", "")) == overdue_before - 1,
              f"pa/press overdue {before} -> {after}")
        check(int(after[in_scope].replace("\u00a0", "")) == in_scope_before - 1,
              f"pa/press devices in scope {before} -> {after}")
        b.assert_contrast("unit officer")
        b.assert_clean("unit officer")
    finally:
        b.quit()


def journey_holder(base):
    b = Browser(base, "en", 360, 780)
    try:
        b.sign_in("p.orlov@pa.example", keyboard=True)
        b.text_in("main h1", "My devices")
        b.find("#my-devices [data-device]")
        cards = b.all("#my-devices [data-device]")
        shown = sorted(c.get_attribute("data-device") for c in cards)
        check(set(shown) <= {"D-H2", "D-H2B"} and "D-H2" in shown, f"holder sees {shown}")
        check(not b.all('#nav a[href="#/overview"]'), "a holder is offered the overview")
        button = b.find('[data-device="D-H2"] button')
        check(button.text == "Acknowledge", f"first button reads {button.text!r}")
        button.send_keys(Keys.ENTER)
        b.text_in('[data-device="D-H2"]', "acknowledged")
        b.assert_fits("holder page")
        b.assert_labelled("holder page")
        form = "#declare-form"
        b.field(form, "vendor").send_keys("Apple")
        b.field(form, "model").send_keys("iPhone 15")
        b.find(f"{form} button[type=submit]").click()
        submitted(b, form, "#my-devices", "iPhone 15")
        b.navigate("#/device/D-L1")
        b.text_in("main h1", "No device D-L1")
        b.assert_contrast("holder")
        b.assert_clean("holder")
    finally:
        b.quit()


def journey_auditor(base):
    b = Browser(base, "ru", 1280)
    try:
        b.sign_in("P-AU")
        b.text_in("main h1", "Ход кампании")
        b.navigate("#/device/D-H2")
        b.text_in("main h1", "D-H2")
        check(not b.all("main form"), "an auditor is offered a form on the device page")
        status = b.post_from_page("/api/v1/devices/D-H2/acknowledge", {"directive": "pa-iphone-2023"})
        check(status in (403, 404), f"an auditor's write answered {status}")
        b.navigate("#/audit")
        b.text_in("main h1", "Журнал аудита")
        b.text_in("main table", "waiver")
        b.text_in("main table", "P-SO")
        b.assert_labelled("audit page")
        # The verification line settles: "intact" where the server verifies the chain
        # (GET /api/v1/audit/verify), else the count with the command that verifies it.
        b.wait.until(lambda d: "Проверка" not in d.find_element(By.ID, "audit-verify").text)
        check(any(w in b.find("#audit-verify").text
                  for w in ("Журнал цел", "Проверено", "phaseout audit verify")),
              f"audit verification shows {b.find('#audit-verify').text!r}")
        b.navigate("#/cases")
        b.find("#bulk-form table")
        b.assert_labelled("case queue")
        check(not b.all("#bulk-form button[type=submit]"), "an auditor is offered bulk acknowledge")
        b.assert_contrast("auditor")
        b.assert_clean("auditor")
    finally:
        b.quit()


def journey_language_and_sign_out(base):
    b = Browser(base, "ru", 360, 780)
    try:
        b.go()
        b.text_in("form.signin h1", "Вход")
        b.find('form.signin input[name="login"]').send_keys("P-H1")
        b.find('form.signin input[name="password"]').send_keys("not the password")
        b.find('form.signin button[type="submit"]').click()
        b.find("form.signin .form-error, form.signin .error")
        Select(b.find("#lang-select")).select_by_value("en")
        b.text_in("form.signin h1", "Sign in")
        b.driver.refresh()
        b.text_in("form.signin h1", "Sign in")
        check(b.driver.execute_script("return document.documentElement.lang") == "en",
              "html lang is not en after the switch")
        b.sign_in("P-H1")
        b.text_in("main h1", "My devices")
        b.text_in("#my-replacements", "D-H1A")
        b.find("#signout").click()
        b.visible('form.signin input[name="login"]')
        b.go()
        b.visible('form.signin input[name="login"]')
        b.assert_contrast("language and sign-out")
        b.assert_clean("language and sign-out")
    finally:
        b.quit()


def api_session(base, login):
    """A signed-in API client outside the browser: returns request(method, path, body, lang)
    -> (status, parsed JSON or text)."""
    opener = urllib.request.build_opener()
    body = json.dumps({"login": login, "password": PASSWORD}).encode()
    req = urllib.request.Request(base + "/api/v1/login", data=body, method="POST",
                                 headers={"Content-Type": "application/json"})
    with opener.open(req) as r:
        cookie = r.headers["Set-Cookie"].split(";")[0]
        csrf = json.load(r)["csrf_token"]

    def request(method, path, payload=None, lang="en"):
        data = None if payload is None else json.dumps(payload).encode()
        req = urllib.request.Request(base + path, data=data, method=method, headers={
            "Content-Type": "application/json", "Cookie": cookie, "X-CSRF-Token": csrf,
            "Accept-Language": lang})
        try:
            with opener.open(req) as r:
                status, text = r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            status, text = e.code, e.read().decode()
        try:
            return status, json.loads(text)
        except ValueError:
            return status, text
    return request


def journey_language_kept_with_the_person(base):
    """The switch stores the language with the person; a sign-in anywhere adopts it, the API
    says its refusals in it, and each change is an audit entry whose actor is the person."""
    b = Browser(base, "ru", 1280)
    try:
        b.sign_in("P-L1")
        b.text_in("main h1", "Мои устройства")
        Select(b.find("#lang-select")).select_by_value("en")
        b.text_in("main h1", "My devices")
        b.wait.until(lambda d: d.execute_script(
            "return fetch('/api/v1/me', {credentials: 'same-origin'}).then((r) => r.json())"
            ".then((me) => me.language);") == "en")
        b.find("#signout").click()
        b.visible('form.signin input[name="login"]')
        b.assert_clean("language switch")
    finally:
        b.quit()
    # Another browser, asking for Russian, and nothing remembered locally: the person's English.
    b = Browser(base, "ru", 360, 780)
    try:
        b.go()
        b.text_in("form.signin h1", "Вход")
        b.sign_in("P-L1")
        b.text_in("main h1", "My devices")
        check(b.driver.execute_script("return document.documentElement.lang") == "en",
              "the stored language was not adopted at sign-in")
        b.assert_contrast("language adopted")
        Select(b.find("#lang-select")).select_by_value("ru")
        b.text_in("main h1", "Мои устройства")
        b.assert_clean("language adopted")
    finally:
        b.quit()
    # The API: a person's stored language wins over Accept-Language.
    request = api_session(base, "P-L1")
    status, me = request("GET", "/api/v1/me")
    check(status == 200 and me.get("language") == "ru", f"/me after the switch back: {me}")
    status, doc = request("POST", "/api/v1/devices/D-NONE/acknowledge",
                          {"directive": "pa-iphone-2023"}, lang="en")
    check(status == 404 and doc["error"]["message_id"], f"a refusal: {status} {doc}")
    check(any("\u0400" <= ch <= "\u04ff" for ch in doc["error"]["message"]),
          f"the refusal is not in the person's Russian: {doc}")
    status, doc = request("PUT", "/api/v1/me/language", {"language": "de"})
    check(status == 422 and doc["error"]["field"] == "language", f"PUT de answered {status} {doc}")
    audit = api_session(base, "P-SO")
    status, lines = audit("GET", "/api/v1/audit")
    entries = [json.loads(line) for line in lines.splitlines() if line.strip()]
    changes = [e for e in entries if e.get("kind") == "person.language"]
    check(len(changes) == 2 and all(e.get("actor") == "P-L1" for e in changes),
          f"person.language entries: {changes}")


def journey_contrast(base):
    """Every page in both languages meets WCAG AA contrast (the security officer sees them
    all; the holder's page at 360 px)."""
    pages = ["#/overview", "#/cases", "#/devices", "#/device/D-H2", "#/mine", "#/waivers",
             "#/findings", "#/audit"]
    for lang in ("en", "ru"):
        b = Browser(base, lang, 1280)
        try:
            b.go()
            b.visible('form.signin input[name="login"]')
            b.assert_contrast(f"{lang} sign-in")
            b.find('form.signin button[type="submit"]').click()  # empty: refusals shown
            b.find("form.signin .error, form.signin .form-error")
            b.assert_contrast(f"{lang} sign-in refused")
            b.sign_in("P-SO")
            b.find("#nav a")
            for page in pages:
                b.navigate(page)
                b.wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "main h1"))
                time.sleep(0.4)  # the page's data arrives after its heading
                b.assert_contrast(f"{lang} {page}")
            b.assert_clean(f"contrast {lang}")
        finally:
            b.quit()
        b = Browser(base, lang, 360, 780)
        try:
            b.sign_in("P-H2")
            b.find("#my-devices [data-device]")
            b.assert_contrast(f"{lang} my devices at 360 px")
        finally:
            b.quit()
# --- waiver requests, case steps, audit verification, sightings, single sign-on -------------

SIGHTING_MAC = "02:00:5e:10:00:02"


def record_sighting(binary, db, workdir):
    """A network sighting of D-H2 (matched by its serial), stored as `detect --store` would."""
    today = datetime.date.today().isoformat()
    path = os.path.join(workdir, "detect.json")
    with open(path, "w") as f:
        json.dump({"devices": [{
            "key": "mac:" + SIGHTING_MAC, "macs": [SIGHTING_MAC], "ips": ["10.20.0.7"],
            "hostnames": ["iPhone-Pavel"], "serial": "F2LXH2", "platform": "ios",
            "kind": "phone", "vendor": "apple", "confidence": 0.995, "level": "confirmed",
            "candidates": [], "evidence": [{"signal": "dhcp-hostname", "value": "iPhone-Pavel",
                           "weight": 0.6, "count": 1, "file": "office.pcap", "frame": 12}]}],
            "stats": {}}, f)
    run(binary, db, "sightings", "import", path, "--on", today)


def request_id_for(b, device, state="pending"):
    """The id of the device's waiver request in `state`, as the API lists it to this page."""
    doc = b.driver.execute_async_script("""
        const [state, done] = arguments;
        fetch('/api/v1/waiver-requests?state=' + state, {credentials: 'same-origin'})
          .then((r) => r.json()).then(done, () => done(null));""", state)
    ids = [r["request_id"] for r in (doc or {}).get("requests", []) if r["device"] == device]
    check(ids, f"no {state} waiver request for {device}: {doc}")
    return ids[-1]


def security_officer_on_request(base, device):
    """A browser signed in as the security officer on the Waivers page, and the id of the
    device's pending request listed there."""
    b = Browser(base, "en", 1280)
    try:
        b.sign_in("P-SO")
        b.find("#nav a")
        b.navigate("#/waivers")
        b.text_in("#waiver-requests", device)
        return b, request_id_for(b, device)
    except BaseException:
        b.quit()
        raise


def journey_waiver_request_approved(base):
    """A holder asks for a waiver from My devices; the security officer approves it on the
    Waivers page and the device turns exempt."""
    b = Browser(base, "ru", 360, 780)
    try:
        b.sign_in("P-H1")
        b.text_in("main h1", "Мои устройства")
        card = '[data-device="D-H1"]'
        b.find(f"{card} details.waiver-ask summary").click()
        form = "#waiver-request-D-H1"
        b.field(form, "reason").send_keys("в командировке до конца месяца")
        b.assert_labelled("holder asks for a waiver")
        b.assert_fits("holder asks for a waiver")
        b.find(f"{form} button[type=submit]").click()
        submitted(b, form, f"{card} #requests-D-H1", "ожидает решения")
        b.assert_clean("holder asks for a waiver")
    finally:
        b.quit()
    b, request = security_officer_on_request(base, "D-H1")
    try:
        b.text_in(f'form[data-approve="{request}"]', "Approve")
        b.assert_labelled("waivers page")
        b.find(f'form[data-approve="{request}"] button[type=submit]').click()
        b.text_in("#waiver-requests", "Approved as waiver")
        b.navigate("#/device/D-H1")
        b.text_in("main h1", "Device D-H1")
        b.text_in("#verdicts", "exempt")
        b.text_in("#device-waiver-requests", "approved")
        b.assert_clean("security officer approves a request")
    finally:
        b.quit()


def journey_waiver_request_refused_and_case_step(base):
    """The unit officer asks for a waiver of a holder's device and records a case step; the
    security officer refuses the request with a reason, which the holder then reads."""
    b = Browser(base, "en", 1280)
    try:
        b.sign_in("P-UO")
        b.find("#nav a")
        b.navigate("#/device/D-H2")
        b.text_in("main h1", "Device D-H2")
        form = "#waiver-request-form"
        b.field(form, "reason").send_keys("the replacement is late")
        b.find(f"{form} button[type=submit]").click()
        submitted(b, form, "#device-waiver-requests", "pending")
        step = "#case-step-form"
        Select(b.field(step, "to")).select_by_value("verified")
        b.field(step, "note").send_keys("checked at the desk")
        b.assert_labelled("device page with a case step")
        b.find(f"{step} button[type=submit]").click()
        submitted(b, step, "#device-history", "checked at the desk")
        b.assert_clean("unit officer asks and records a step")
    finally:
        b.quit()
    b, request = security_officer_on_request(base, "D-H2")
    try:
        form = f'form[data-refuse="{request}"]'
        b.field(form, "reason").send_keys("a replacement is in stock")
        b.find(f"{form} button[type=submit]").click()
        b.text_in("#waiver-requests", "Refused: a replacement is in stock")
        b.assert_clean("security officer refuses a request")
    finally:
        b.quit()
    b = Browser(base, "ru", 360, 780)
    try:
        b.sign_in("P-H2")
        b.text_in("main h1", "Мои устройства")
        b.text_in('[data-device="D-H2"]', "Отказано: a replacement is in stock")
        b.assert_fits("holder reads a refusal")
        b.assert_clean("holder reads a refusal")
    finally:
        b.quit()


def journey_auditor_verification_and_sighting(base):
    b = Browser(base, "ru", 1280)
    try:
        b.sign_in("P-AU")
        b.find("#nav a")
        b.navigate("#/audit")
        b.find('#audit-verify[data-ok="true"]')
        b.text_in("#audit-verify", "Проверено: журнал аудита цел")
        b.navigate("#/device/D-H2")
        b.text_in("main h1", "D-H2")
        b.text_in("#device-sightings", SIGHTING_MAC)
        b.text_in("#device-sightings", "iPhone-Pavel")
        b.assert_labelled("device page with a sighting")
        b.assert_clean("auditor verification and sighting")
    finally:
        b.quit()


def journey_single_sign_on(binary, db, workdir):
    """With an OpenID provider configured the sign-in page offers single sign-on, and the
    button signs the person in; without one (the main server) it does not."""
    provider_path = os.path.join(ROOT, "tests", "oidc", "oidc_provider.py")
    provider = subprocess.Popen([sys.executable, provider_path], stdout=subprocess.PIPE, text=True)
    server = None
    try:
        line = provider.stdout.readline()
        if not line.startswith("listening"):
            print(f"      single sign-on: the test provider did not start ({line!r}); skipped")
            return
        issuer = f"http://127.0.0.1:{line.split()[1]}"
        urllib.request.urlopen(issuer + "/control?mode=rs256&email=o.smirnova%40pa.example",
                               timeout=10).read()
        port = free_port()
        log = open(os.path.join(workdir, "serve-sso.log"), "w")
        server = subprocess.Popen(
            [binary, "--db", db, "serve", "--listen", f"127.0.0.1:{port}", "--oidc-issuer",
             issuer, "--oidc-client-id", "phaseout", "--public-url", f"http://127.0.0.1:{port}"],
            stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        deadline = time.time() + 20
        while True:
            try:
                with urllib.request.urlopen(base + "/api/v1/login", timeout=2) as r:
                    options = json.load(r)
                break
            except OSError:
                check(server.poll() is None and time.time() < deadline,
                      "phaseout serve with single sign-on did not start")
                time.sleep(0.2)
        check(options.get("sso") is True, f"GET /api/v1/login answered {options}")
        b = Browser(base, "en", 360, 780)
        try:
            b.go()
            link = b.visible("#sso-link")
            check(link.text == "Sign in with single sign-on", f"the button reads {link.text!r}")
            check(link.get_attribute("href") == base + options["sso_start"],
                  f"the button leads to {link.get_attribute('href')}")
            b.assert_labelled("sign-in with single sign-on")
            link.click()
            b.text_in("main h1", "My devices")
            b.find('#my-devices [data-device="D-H1"]')
            # The provider is the one other origin this journey may reach.
            b.collect_logs()
            b.requests = [u for u in b.requests if not u.startswith(issuer + "/")]
            b.assert_clean("single sign-on")
        finally:
            b.quit()
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        provider.terminate()
        provider.wait(timeout=10)


def check_no_sso_button(base):
    with urllib.request.urlopen(base + "/api/v1/login") as r:
        options = json.load(r)
    check(options == {"password": True, "sso": False}, f"GET /api/v1/login answered {options}")
    b = Browser(base, "en", 360, 780)
    try:
        b.go()
        b.visible('form.signin input[name="login"]')
        check(not b.find("#sso-link").is_displayed(), "single sign-on offered without a provider")
        b.assert_clean("sign-in without single sign-on")
    finally:
        b.quit()


def check_assets(base):
    """Headers of the embedded pages, and no inline script or style in the page."""
    with urllib.request.urlopen(base + "/") as r:
        page = r.read().decode()
        check(r.headers["Content-Type"].startswith("text/html"), f"/ is {r.headers['Content-Type']}")
        csp = r.headers.get("Content-Security-Policy", "")
        check("default-src 'self'" in csp, f"/ CSP is {csp!r}")
        check(r.headers.get("X-Content-Type-Options") == "nosniff", "/ lacks nosniff")
        etag = r.headers.get("ETag")
        check(etag, "/ has no ETag")
    check("<script>" not in page and " style=" not in page and "<style" not in page,
          "index.html has inline script or style")
    request = urllib.request.Request(base + "/", headers={"If-None-Match": etag})
    try:
        urllib.request.urlopen(request)
        raise Failure("If-None-Match with the current ETag did not answer 304")
    except urllib.error.HTTPError as e:
        check(e.code == 304, f"If-None-Match answered {e.code}")
    for path, kind in (("/js/app.js", "text/javascript"), ("/css/style.css", "text/css"),
                       ("/i18n/ru.json", "application/json")):
        with urllib.request.urlopen(base + path) as r:
            check(r.headers["Content-Type"].startswith(kind), f"{path} is {r.headers['Content-Type']}")
    with urllib.request.urlopen(base + "/i18n/en.json") as r:
        en = json.load(r)
    with urllib.request.urlopen(base + "/i18n/ru.json") as r:
        ru = json.load(r)
    missing = sorted(k for k in en if k not in ru)
    check(not missing, f"ru.json lacks {missing[:10]}")


def screenshots(base, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    pages = [("overview", "P-SO", "#/overview", 1280), ("device", "P-SO", "#/device/D-L1", 1280),
             ("cases", "P-UO", "#/cases", 1280), ("audit", "P-AU", "#/audit", 1280),
             ("waivers", "P-SO", "#/waivers", 1280),
             ("my-devices", "P-H2", "#/mine", 360)]
    for lang in ("en", "ru"):
        b = Browser(base, lang, 360)
        try:
            b.go()
            b.visible('form.signin input[name="login"]')
            b.driver.save_screenshot(os.path.join(out_dir, f"sign-in-{lang}.png"))
        finally:
            b.quit()
        for name, person, path, width in pages:
            b = Browser(base, lang, width, 900)
            try:
                b.sign_in(person)
                b.find("#nav a")
                b.navigate(path)
                b.find("main table, main .devices, main dl, #waiver-requests")
                time.sleep(0.5)
                height = b.driver.execute_script("return document.documentElement.scrollHeight")
                b.driver.set_window_size(width, min(max(height, 600), 2400))
                time.sleep(0.2)
                b.driver.save_screenshot(os.path.join(out_dir, f"{name}-{lang}.png"))
            finally:
                b.quit()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("phaseout")
    parser.add_argument("--screenshots")
    args = parser.parse_args()
    for path, what in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not os.access(path, os.X_OK):
            print(f"SKIPPED: {what} is not installed ({path})")
            return SKIP
    if webdriver is None:
        print("SKIPPED: python3-selenium is not installed")
        return SKIP
    external = os.environ.get("PHASEOUT_WEB_TEST_BASE")
    if not external:
        helps = subprocess.run([args.phaseout, "--help"], capture_output=True, text=True).stdout
        if " serve " not in helps or " account " not in helps:
            print("SKIPPED: this phaseout has no `serve` or `account` command")
            return SKIP
    workdir = tempfile.mkdtemp(prefix="phaseout-web-")
    server = None
    try:
        if external:
            # An already running server on a database built from fixture/ (to debug the pages).
            server = argparse.Namespace(base=external,
                                        tail=lambda: "", stop=lambda: None)
        else:
            server = Server(args.phaseout, workdir)
        if args.screenshots:
            screenshots(server.base, args.screenshots)
            print(f"screenshots written to {args.screenshots}")
            return 0
        steps = [("assets", lambda: check_assets(server.base)),
                 ("security officer", lambda: journey_security_officer(server.base)),
                 ("unit officer", lambda: journey_unit_officer(server.base, workdir)),
                 ("holder", lambda: journey_holder(server.base)),
                 ("auditor", lambda: journey_auditor(server.base)),
                 ("language and sign-out", lambda: journey_language_and_sign_out(server.base)),
                 ("language kept with the person",
                  lambda: journey_language_kept_with_the_person(server.base)),
                 ("contrast (WCAG AA), every page in both languages",
                  lambda: journey_contrast(server.base)),
                 ("waiver request approved",
                  lambda: journey_waiver_request_approved(server.base)),
                 ("waiver request refused, case step",
                  lambda: journey_waiver_request_refused_and_case_step(server.base)),
                 ("auditor verification and sighting",
                  lambda: journey_auditor_verification_and_sighting(server.base)),
                 ("no single sign-on without a provider",
                  lambda: check_no_sso_button(server.base))]
        if not external:
            steps.append(("single sign-on",
                          lambda: journey_single_sign_on(args.phaseout, server.db, workdir)))
        failed = 0
        for name, step in steps:
            started = time.time()
            try:
                step()
                print(f"ok    {name} ({time.time() - started:.1f} s)")
            except Exception as e:  # report every journey, then fail
                failed += 1
                where = [f for f in traceback.extract_tb(e.__traceback__)
                         if f.filename == os.path.abspath(__file__)][-1]
                first_line = str(e).strip().splitlines()[0] if str(e).strip() else ""
                print(f"FAIL  {name}: {type(e).__name__}: {first_line} "
                      f"(web_test.py:{where.lineno}: {where.line})")
        if failed:
            print("--- phaseout serve log (tail) ---")
            print(server.tail())
        return 1 if failed else 0
    finally:
        if server:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
