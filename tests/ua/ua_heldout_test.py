#!/usr/bin/env python3
"""Held-out accuracy of `phaseout ua` (issue 14): uap-core files the UA rules were NOT written from.

The rules of data/signatures/user_agent.yaml were written from uap-core's test_os.yaml (its
agreement is tests/detect/ua_agreement_test.py, a training score). This test measures them on
  - test_device.yaml (16,000 UAs labelled with brand and model), and
  - additional_os_tests.yaml (UAs labelled with their OS family),
and asserts:
  1. no UA carrying the Android token, of a brand other than Apple, is read as an Apple
     platform (iOS, iPadOS, macOS, watchOS): clones named "iPhone5", tablets named "OliPad",
     a model called "Darwin" stay non-Apple;
  2. every Apple device label (iPhone, iPad, iPod, Apple Watch, Apple TV/HomePod) gets its
     platform and its kind;
  3. where uap-core's labels tell the kind (see uap_cases.device_kind) and phaseout names one,
     it is right (at least MIN_KIND_PRECISION; "unknown" is no answer, never an accusation),
     phaseout names one for at least MIN_KIND_COVERAGE of them, and no labelled tablet is
     called a phone (a usage ban on phones would accuse its holder);
  4. additional_os_tests.yaml: every case of a family phaseout covers agrees.
With --markdown it prints the confusion tables of docs/detection-accuracy.md instead of only
the summary.

Exit status: 0 pass, 1 failure, 77 skipped (no corpus).
"""
import argparse
import collections
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import uap_cases  # noqa: E402

SKIP = 77
MIN_KIND_PRECISION = 0.99
MIN_KIND_COVERAGE = 0.85


def table(title, rows, cols, counts, row_total=True):
    out = [f"\n{title}\n", "| uap-core label | " + " | ".join(cols) + (" | total |" if row_total else " |"),
           "|---|" + "---:|" * (len(cols) + (1 if row_total else 0))]
    for r in rows:
        cells = [str(counts[(r, c)]) if counts[(r, c)] else "" for c in cols]
        total = sum(counts[(r, c)] for c in cols)
        out.append(f"| {r} | " + " | ".join(cells) + (f" | {total} |" if row_total else " |"))
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--phaseout", required=True)
    ap.add_argument("--uap-dir", required=True, help="../shared/corpus/ua/uap-core")
    ap.add_argument("--markdown", action="store_true", help="print the confusion tables")
    args = ap.parse_args()
    if not pathlib.Path(args.phaseout).is_file():  # a missing binary fails, never skips
        print(f"FAIL: no phaseout binary at {args.phaseout}")
        return 1
    uap = pathlib.Path(args.uap_dir)
    if not (uap / "test_device.yaml").is_file() or not (uap / "additional_os_tests.yaml").is_file():
        print(f"SKIP: uap-core test files not found in {uap}")
        return SKIP
    failures = []

    # --- test_device.yaml -------------------------------------------------------------------
    cases = uap_cases.parse(uap / "test_device.yaml")
    results = uap_cases.classify(args.phaseout, [c["user_agent_string"] for c in cases])
    platform_counts = collections.Counter()
    kind_counts = collections.Counter()
    android_kinds = collections.Counter()
    android_total = android_apple = 0
    apple_total = apple_right = 0
    kind_total = kind_right = kind_answered = tablet_as_phone = 0
    for case, res in zip(cases, results):
        ua, platform, kind = case["user_agent_string"], res["platform"], res["kind"]
        row = uap_cases.device_class(case)
        if row:
            platform_counts[(row, platform)] += 1
        if row == "Android token, other brand":
            android_total += 1
            android_kinds[("Android token, other brand", kind)] += 1
            if platform in uap_cases.APPLE:
                android_apple += 1
                failures.append(f"Android UA read as {platform} ({res['signature']}): {ua!r}")
        apple = uap_cases.apple_device(case)
        if apple and apple[0] != "macos":
            apple_total += 1
            want_platform, want_kind = apple
            if platform == want_platform and kind == want_kind:
                apple_right += 1
            else:
                failures.append(f"{case['family']} {case['model']}: got {platform} {kind}, "
                                f"want {want_platform} {want_kind}: {ua!r}")
        want_kind = uap_cases.device_kind(case)
        if want_kind:
            kind_total += 1
            kind_counts[(want_kind, kind)] += 1
            if kind != "unknown":
                kind_answered += 1
            if kind == want_kind:
                kind_right += 1
            if want_kind == "tablet" and kind == "phone":
                tablet_as_phone += 1
                failures.append(f"tablet {case['brand']} {case['model']} called a phone: {ua!r}")
    precision = kind_right / kind_answered if kind_answered else 0.0
    coverage = kind_answered / kind_total if kind_total else 0.0
    if precision < MIN_KIND_PRECISION:
        failures.append(f"kind right {precision:.2%} of answers, below {MIN_KIND_PRECISION:.0%}")
    if coverage < MIN_KIND_COVERAGE:
        failures.append(f"kind named for {coverage:.2%}, below {MIN_KIND_COVERAGE:.0%}")

    # --- additional_os_tests.yaml -----------------------------------------------------------
    extra = uap_cases.parse(uap / "additional_os_tests.yaml")
    extra_results = uap_cases.classify(args.phaseout, [c["user_agent_string"] for c in extra])
    os_counts = collections.Counter()
    extra_total = extra_right = 0
    for case, res in zip(extra, extra_results):
        family = case.get("family", "")
        os_counts[(family, res["platform"])] += 1
        if family in uap_cases.FAMILY_OF.values():
            extra_total += 1
            if uap_cases.FAMILY_OF.get(res["platform"]) == family:
                extra_right += 1
            else:
                failures.append(f"additional_os_tests: {family} read as {res['platform']}: "
                                f"{case['user_agent_string']!r}")
        elif res["platform"] in uap_cases.APPLE and family not in ("Mac OS X", "Mac OS"):
            failures.append(f"additional_os_tests: {family} read as {res['platform']}: "
                            f"{case['user_agent_string']!r}")

    print(f"test_device.yaml: {len(cases)} UAs")
    print(f"  Android-token UAs of other brands read as Apple: {android_apple}/{android_total}")
    print(f"  Apple device labels right (platform and kind): {apple_right}/{apple_total}")
    print(f"  kind, where the labels tell it: {kind_total} UAs, named for {kind_answered} "
          f"({coverage:.2%}), right {kind_right}/{kind_answered} ({precision:.2%}); "
          f"tablets called phones: {tablet_as_phone}")
    print(f"additional_os_tests.yaml: {len(extra)} UAs; covered families right: "
          f"{extra_right}/{extra_total}")
    if args.markdown:
        rows = ["Android token, other brand", "Apple iPhone", "Apple iPad", "Apple iPod",
                "Apple Watch", "Apple AppleTV", "Apple HomePod", "Apple Mac"]
        cols = sorted({c for (_, c) in platform_counts})
        print(table("Platform, test_device.yaml (rows: uap-core's label; columns: phaseout ua)",
                    rows, cols, platform_counts))
        krows = ["phone", "tablet", "watch", "other"]
        kcols = ["phone", "tablet", "laptop", "desktop", "watch", "other", "unknown"]
        print(table("Kind, test_device.yaml, where the labels tell it", krows, kcols, kind_counts))
        print(table("Kind phaseout gives every Android-token UA (most have no kind label)",
                    ["Android token, other brand"], kcols, android_kinds))
        frows = sorted({f for (f, _) in os_counts})
        fcols = sorted({c for (_, c) in os_counts})
        print(table("Platform, additional_os_tests.yaml (rows: uap-core's OS family)", frows, fcols,
                    os_counts))
    for f in failures:
        print(f"FAIL {f}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
