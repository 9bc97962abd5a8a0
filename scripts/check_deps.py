#!/usr/bin/env python3
"""Checks that every #include "x/..." in src/<component>/ names a component that <component>
may depend on (STYLE.md: dependencies point one way). Prints each violation as
file:line: and exits 1 when there is any."""
import pathlib
import re
import sys

ALLOWED = {
    "core": set(),
    "platform": {"core"},
    "inventory": {"core", "platform"},
    "policy": {"core", "platform", "inventory"},
    "audit": {"core"},
    "storage": {"core", "platform", "inventory", "policy", "audit", "campaign"},
    "campaign": {"core", "platform", "inventory", "policy"},
    "capture": {"core"},
    "decode": {"core", "capture"},
    "dissect": {"core", "decode"},
    "detect": {"core", "platform", "decode", "dissect"},
    "logs": {"core", "platform", "decode", "dissect", "detect"},
    "report": {"core", "platform", "inventory", "policy", "campaign", "detect", "dissect"},
    "service": {"core", "platform", "inventory", "policy", "storage", "audit", "campaign",
                "capture", "decode", "dissect", "detect", "logs", "report"},
    "server": {"core", "platform", "inventory", "policy", "campaign", "detect", "report",
               "service"},
    "cli": {"core", "platform", "inventory", "policy", "campaign", "dissect", "detect",
            "report", "service"},
}
# Only capture may link libpcap.
EXTERNAL_ONLY = {"pcap.h": {"capture"}, "pcap/pcap.h": {"capture"}}

INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^">]+)[">]')


def main() -> int:
    root = pathlib.Path(__file__).resolve().parent.parent / "src"
    problems = []
    for path in sorted(root.rglob("*")):
        if path.suffix not in (".h", ".cc"):
            continue
        component = path.relative_to(root).parts[0]
        allowed = ALLOWED.get(component)
        if allowed is None:
            problems.append(f"{path}: component '{component}' is not in the dependency table")
            continue
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            target = m.group(1)
            if target in EXTERNAL_ONLY and component not in EXTERNAL_ONLY[target]:
                problems.append(f"{path}:{lineno}: {component} may not include <{target}>")
                continue
            head = target.split("/")[0]
            if head in ALLOWED and head != component and head not in allowed:
                problems.append(f"{path}:{lineno}: {component} may not depend on {head} "
                                f"(includes \"{target}\")")
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print(f"check_deps: {len(problems)} dependency violation(s)", file=sys.stderr)
        return 1
    print("check_deps: include rules hold")
    return 0


if __name__ == "__main__":
    sys.exit(main())
