#!/usr/bin/python3
"""Times the dashboard's overview in headless Chromium (Debian's chromium and chromium-driver,
python3-selenium): for each run, a full navigation to URL#/overview, then the time from the
navigation's start to the overview being interactive — the `data-ready` attribute the page sets
on <main> the frame after it drew the totals, milestones and unit table (performance.now(),
milliseconds since navigation start).

usage: measure_overview.py RUNS NAME=BASE_URL [NAME=BASE_URL ...] [--login LOGIN --password-file F]
Runs alternate between the named sites so load on the machine falls on each alike. Signs in on a
site when --login is given (through the page's own API call, so the browser holds the session).
Prints one line per site: NAME ms1 ms2 ..."""
import argparse
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,900", "--lang=en", "--no-first-run",
                "--disable-background-networking", "--disable-component-update"):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def sign_in(driver, base, login, password):
    driver.get(base + "/")
    status = driver.execute_async_script("""
        const [login, password, done] = arguments;
        fetch('/api/v1/login', {method: 'POST', credentials: 'same-origin',
              headers: {'Content-Type': 'application/json'},
              body: JSON.stringify({login, password})})
          .then(async (r) => {
            if (r.ok) sessionStorage.setItem('phaseout.csrf', (await r.json()).csrf_token);
            done(r.status);
          }, () => done(0));""", login, password)
    if status != 200:
        sys.exit(f"sign-in on {base} answered {status}")


def one_run(driver, base, timeout_s):
    driver.get("about:blank")
    driver.get(base + "/#/overview")
    WebDriverWait(driver, timeout_s, poll_frequency=0.02).until(
        lambda d: d.execute_script("return document.querySelector('main[data-ready]') !== null"))
    return int(driver.execute_script("return document.querySelector('main').dataset.ready"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("runs", type=int)
    parser.add_argument("sites", nargs="+")
    parser.add_argument("--login")
    parser.add_argument("--password-file")
    parser.add_argument("--timeout", type=float, default=60)
    args = parser.parse_args()
    sites = [s.split("=", 1) for s in args.sites]
    drivers = {}
    try:
        for name, base in sites:
            drivers[name] = browser()
            if args.login and name == sites[0][0]:
                with open(args.password_file) as f:
                    sign_in(drivers[name], base, args.login, f.read().strip())
            one_run(drivers[name], base, args.timeout)  # the browser's own caches warm
        times = {name: [] for name, _ in sites}
        for _ in range(args.runs):
            for name, base in sites:
                times[name].append(one_run(drivers[name], base, args.timeout))
                time.sleep(0.2)
        for name, _ in sites:
            print(name, *times[name])
    finally:
        for d in drivers.values():
            d.quit()


if __name__ == "__main__":
    main()
