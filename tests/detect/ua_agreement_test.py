#!/usr/bin/env python3
"""Agreement of `phaseout ua` with uap-core's tests/test_os.yaml (issue 4, deliverable 6).

For every case whose uap-core family is iOS, Android, HarmonyOS, KaiOS or Sailfish, the
platform phaseout reads from the User-Agent must map to the same family:
  ios, ipados -> iOS (uap-core has no iPadOS family: iPad UAs are 'iOS' there)
  android -> Android; harmonyos, harmonyos-next -> HarmonyOS; kaios -> KaiOS;
  sailfish -> Sailfish.
At least 99% must agree, and every disagreement must be listed in JUSTIFIED below with the
reason phaseout reads the string differently; an unlisted disagreement fails the test, and so
does a listed one that no longer occurs (the list stays true).

The reverse direction is reported too: cases of other uap-core families ('Mac OS X', 'Linux',
'Other'...) that phaseout reads as one of these platforms; they must be listed in
JUSTIFIED_REVERSE. A 'Mac OS X' UA read as iOS would be the false accusation the product
must not make.

Exit status: 0 pass, 1 failure, 77 skipped (no corpus).
"""
import argparse
import pathlib
import sys

# uap-core's YAML reader and `phaseout ua` over many strings, shared with tests/ua.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "ua"))
import uap_cases  # noqa: E402

SKIP = 77
TARGET = ("iOS", "Android", "HarmonyOS", "KaiOS", "Sailfish")
FAMILY = uap_cases.FAMILY_OF
MIN_AGREEMENT = 0.99

# UA string -> why phaseout's family differs from uap-core's (target families).
JUSTIFIED = {}

# UA string -> why phaseout reads a non-target uap-core family as a target platform.
JUSTIFIED_REVERSE = {
    "Mozilla/5.0 (Linux; Android 7.0;) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 "
    "(compatible; AspiegelBot)":
        "Huawei's crawler announces itself with an Android UA; uap-core files bots as 'Other'. "
        "phaseout reads what the string says (Android) and never uses a UA alone for a verdict.",
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--phaseout", required=True)
    ap.add_argument("--test-os", required=True, help="../shared/corpus/ua/uap-core/test_os.yaml")
    args = ap.parse_args()
    if not pathlib.Path(args.phaseout).is_file():  # a missing binary fails, never skips
        print(f"FAIL: no phaseout binary at {args.phaseout}")
        return 1
    path = pathlib.Path(args.test_os)
    if not path.is_file():
        print(f"SKIP: {path} not found")
        return SKIP
    cases = uap_cases.parse(path)
    try:
        results = uap_cases.classify(args.phaseout, [c["user_agent_string"] for c in cases])
    except RuntimeError as e:
        print(f"FAIL: {e}")
        return 1
    failures = []
    total = agree = 0
    disagreements, reverse = set(), set()
    per_family = {f: [0, 0] for f in TARGET}
    for case, result in zip(cases, results):
        ua, family = case["user_agent_string"], case["family"]
        ours = FAMILY.get(result["platform"], result["platform"])
        if family in TARGET:
            total += 1
            per_family[family][1] += 1
            if ours == family:
                agree += 1
                per_family[family][0] += 1
            else:
                disagreements.add(ua)
                why = JUSTIFIED.get(ua)
                print(f"DISAGREE {family} -> {result['platform']}: {ua!r}\n    "
                      f"{why or 'NOT JUSTIFIED'}")
                if why is None:
                    failures.append(f"unjustified disagreement: {ua!r}")
        elif ours in TARGET:
            reverse.add(ua)
            why = JUSTIFIED_REVERSE.get(ua)
            print(f"REVERSE {family} -> {result['platform']}: {ua!r}\n    {why or 'NOT JUSTIFIED'}")
            if why is None:
                failures.append(f"unjustified reverse reading: {ua!r}")
            if ours == "iOS" and family in ("Mac OS X", "Mac OS"):
                failures.append(f"a Mac UA read as iOS: {ua!r}")
    for ua in JUSTIFIED:
        if ua not in disagreements:
            failures.append(f"JUSTIFIED lists a UA that now agrees (remove it): {ua!r}")
    for ua in JUSTIFIED_REVERSE:
        if ua not in reverse:
            failures.append(f"JUSTIFIED_REVERSE lists a UA no longer read so (remove it): {ua!r}")
    rate = agree / total if total else 0.0
    for family, (ok, n) in per_family.items():
        print(f"{family}: {ok}/{n}")
    print(f"agreement: {agree}/{total} = {rate:.2%} (required {MIN_AGREEMENT:.0%})")
    if rate < MIN_AGREEMENT:
        failures.append(f"agreement {rate:.2%} below {MIN_AGREEMENT:.0%}")
    for f in failures:
        print(f"FAIL {f}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
