"""uap-core's test files, read without a YAML library, and what their labels say.

The files are lists of mappings with single-quoted scalars ('' escapes a quote) or empty values:
test_os.yaml and additional_os_tests.yaml carry the OS `family`; test_device.yaml carries the
device `family`, `brand` and `model`. These are uap-core's expectations, not ground truth.
"""
import json
import pathlib
import re
import subprocess

# uap-core OS family -> phaseout platform (uap-core has no iPadOS: iPad UAs are 'iOS' there).
OS_FAMILY = {"iOS": "ios", "Android": "android", "HarmonyOS": "harmonyos", "KaiOS": "kaios",
             "Sailfish": "sailfish", "Mac OS X": "macos", "Mac OS": "macos",
             "Windows": "windows", "Windows Phone": "windows", "Linux": "linux",
             "Ubuntu": "linux", "Fedora": "linux", "watchOS": "watchos"}
# phaseout platform -> the uap-core OS family it agrees with.
FAMILY_OF = {"ios": "iOS", "ipados": "iOS", "android": "Android", "harmonyos": "HarmonyOS",
             "harmonyos-next": "HarmonyOS", "kaios": "KaiOS", "sailfish": "Sailfish"}
APPLE = {"ios", "ipados", "macos", "watchos"}
ANDROID_TOKEN = re.compile(r"(?<![A-Za-z0-9])android", re.I)

# Device families and model names that say the kind (uap-core's device parser names them so).
TV_FAMILIES = {"HbbTV", "NetCast.TV", "NetCast.Media", "Inettv", "Chromecast", "AppleTV",
               "Generic Smart TV", "Smart TV", "Roku"}
TABLET_NAMES = re.compile(r"\b(Galaxy Tab|Kindle Fire|MediaPad|MatePad|Xoom|Nexus (7|9|10)\b|"
                          r"MI PAD|Generic Tablet|Tablet)", re.I)
SAMSUNG_TABLET_CODES = re.compile(r"^(GT-P|SM-T|SM-P|GT-N80|GT-N51)", re.I)


def parse(path):
    cases, current = [], None
    for raw in pathlib.Path(path).read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("- user_agent_string:"):
            current = {}
            cases.append(current)
            line = line[2:]
        if current is None or ":" not in line:
            continue
        key, _, value = line.partition(":")
        value = value.strip()
        if value.startswith("'") and value.endswith("'") and len(value) >= 2:
            value = value[1:-1].replace("''", "'")
        elif value.startswith('"') and value.endswith('"') and len(value) >= 2:
            value = json.loads(value)
        current[key.strip()] = value
    return [c for c in cases if "\n" not in c.get("user_agent_string", "")]


def classify(phaseout, uas):
    """`phaseout ua` over the strings, one result dict per string (None on failure)."""
    run = subprocess.run([phaseout, "ua"], input="\n".join(uas) + "\n", capture_output=True,
                         text=True)
    if run.returncode != 0:
        raise RuntimeError(f"phaseout ua exited {run.returncode}: {run.stderr}")
    results = [json.loads(line) for line in run.stdout.splitlines()]
    if len(results) != len(uas):
        raise RuntimeError(f"{len(uas)} UAs in, {len(results)} lines out")
    return results


def apple_device(case):
    """(platform, kind) an Apple device label of test_device.yaml implies, or None."""
    if case.get("brand") != "Apple":
        return None
    model = case.get("model", "") + " " + case.get("family", "")
    if "iPhone" in model:
        return ("ios", "phone")
    if "iPad" in model:
        return ("ipados", "tablet")
    if "iPod" in model:
        return ("ios", "other")
    if "Watch" in model:
        return ("watchos", "watch")
    if "AppleTV" in model or "HomePod" in model:
        return ("other", "other")
    if model.startswith("Mac") or "MacBook" in model:
        return ("macos", None)
    return None


def device_kind(case):
    """The kind test_device.yaml's labels tell (phone, tablet, watch, other), or None."""
    apple = apple_device(case)
    if apple:
        return apple[1]
    family, model = case.get("family", ""), case.get("model", "")
    if family == "Generic Smartphone":
        return "phone"
    if family == "Kindle" and re.search(r"silk", case["user_agent_string"], re.I):
        return "tablet"  # uap-core's "Kindle" with the Silk browser is a Kindle Fire
    if family in TV_FAMILIES or family == "Kindle":
        return "other"  # TVs, set-top boxes, e-ink readers
    if TABLET_NAMES.search(family) or TABLET_NAMES.search(model):
        return "tablet"
    if case.get("brand") == "Samsung" and SAMSUNG_TABLET_CODES.search(model):
        return "tablet"
    return None


def device_class(case):
    """Row of the platform confusion table for a test_device.yaml case, or None."""
    apple = apple_device(case)
    if apple:
        model = case.get("model", "") + " " + case.get("family", "")
        for word in ("iPhone", "iPad", "iPod", "Watch", "AppleTV", "HomePod"):
            if word in model:
                return "Apple " + word
        return "Apple Mac" if apple[0] == "macos" else None
    if ANDROID_TOKEN.search(case["user_agent_string"]):
        return "Android token, other brand"
    return None
