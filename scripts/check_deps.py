#!/usr/bin/env python3
"""Dependencies point one way (STYLE.md). One table below is the rule; this script checks that
everything else says the same thing and obeys it:

  1. includes: every #include "x/..." in src/<component>/ names a component it may depend on,
     and only capture includes libpcap;
  2. the CMake link graph: every phaseout_<x> a component links is allowed, no component links
     itself into another one's target (no cmake_language(DEFER) tricks), and every component it
     includes is reachable through the libraries it links (nothing works by accident of order);
  3. the documents: each src/<component>/README.md "May depend on:" line and the table of
     docs/architecture.md list exactly the allowed components.

Prints each violation as file:line: what, and exits 1 when there is any."""
import pathlib
import re
import sys

ALLOWED = {
    "core": set(),
    "i18n": {"core"},
    "platform": {"core"},
    "inventory": {"core", "platform"},
    "policy": {"core", "platform", "inventory"},
    "audit": {"core"},
    "campaign": {"core", "i18n", "platform", "inventory", "policy"},
    "storage": {"core", "platform", "inventory", "policy", "audit", "campaign"},
    "capture": {"core"},
    "decode": {"core", "capture"},
    "dissect": {"core", "decode"},
    "detect": {"core", "platform", "decode", "dissect"},
    "logs": {"core", "platform", "decode", "dissect", "detect"},
    "report": {"core", "platform", "inventory", "policy", "campaign", "detect", "dissect"},
    "bus": {"core"},
    "service": {"core", "i18n", "platform", "inventory", "policy", "storage", "audit", "campaign",
                "capture", "decode", "dissect", "detect", "logs", "report", "bus"},
    "server": {"core", "i18n", "platform", "inventory", "policy", "campaign", "detect", "report",
               "service"},
    "cli": {"core", "platform", "inventory", "policy", "campaign", "dissect", "detect",
            "report", "service"},
}
# The one place where a front door wires in the other: `phaseout serve` (src/cli/serve_command.cc,
# alone in the target phaseout_cli_serve) starts the server. No other cli file includes server/,
# no other cli target links phaseout_server, and server never depends on cli.
SERVE_WIRING_FILE = "src/cli/serve_command.cc"
SERVE_WIRING_TARGET = "phaseout_cli_serve"
SERVE_WIRING_DEP = "server"
# Only capture may link libpcap.
EXTERNAL_ONLY = {"pcap.h": {"capture"}, "pcap/pcap.h": {"capture"}, "nats/nats.h": {"bus"}}

INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^">]+)[">]')
TARGET = re.compile(r"\bphaseout_([a-z0-9_]+)\b")
ROOT = pathlib.Path(__file__).resolve().parent.parent
SRC = ROOT / "src"


def component_of_target(name):
    """phaseout_cli_commands -> cli; phaseout_storage -> storage."""
    for comp in sorted(ALLOWED, key=len, reverse=True):
        if name == comp or name.startswith(comp + "_"):
            return comp
    return None


def check_includes(problems):
    included = {c: set() for c in ALLOWED}
    for path in sorted(SRC.rglob("*")):
        if path.suffix not in (".h", ".cc"):
            continue
        rel = path.relative_to(ROOT)
        component = path.relative_to(SRC).parts[0]
        allowed = ALLOWED.get(component)
        if allowed is None:
            problems.append(f"{rel}: component '{component}' is not in the dependency table")
            continue
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            target = m.group(1)
            if target in EXTERNAL_ONLY and component not in EXTERNAL_ONLY[target]:
                problems.append(f"{rel}:{lineno}: {component} may not include <{target}>")
                continue
            head = target.split("/")[0]
            if str(rel) == SERVE_WIRING_FILE and head == SERVE_WIRING_DEP:
                continue
            if head in ALLOWED and head != component:
                if head not in allowed:
                    problems.append(f"{rel}:{lineno}: {component} may not depend on {head} "
                                    f"(includes \"{target}\")")
                elif not path.name.endswith("_test.cc"):
                    included[component].add(head)
    return included


def cmake_calls(text, name):
    """Yields (line, argument text) of every call of `name`(...) in a CMake file."""
    for m in re.finditer(r"\b" + name + r"\s*\(", text):
        depth, i = 1, m.end()
        while i < len(text) and depth:
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            i += 1
        yield text.count("\n", 0, m.start()) + 1, text[m.end():i - 1]


def check_links(problems):
    links = {c: set() for c in ALLOWED}
    for cmake in sorted(SRC.glob("*/CMakeLists.txt")):
        component = cmake.parent.name
        if component not in ALLOWED:
            continue
        rel = cmake.relative_to(ROOT)
        text = re.sub(r"#[^\n]*", "", cmake.read_text(encoding="utf-8"))
        if "cmake_language" in text and "DEFER" in text:
            problems.append(f"{rel}: cmake_language(DEFER) links behind the dependency table's "
                            "back; list the dependency in the dependent's own CMakeLists.txt")
        for lineno, args in cmake_calls(text, "add_library"):
            words = args.split()
            if words and words[0] == SERVE_WIRING_TARGET and (
                    component != "cli" or words[1:] != ["STATIC", pathlib.Path(SERVE_WIRING_FILE).name]):
                problems.append(f"{rel}:{lineno}: {SERVE_WIRING_TARGET} must be src/cli's "
                                f"{pathlib.Path(SERVE_WIRING_FILE).name} alone")
        calls = list(cmake_calls(text, "ph_add_library")) + \
            list(cmake_calls(text, "target_link_libraries")) + list(cmake_calls(text, "set")) + \
            list(cmake_calls(text, "list"))
        for lineno, args in calls:
            names = TARGET.findall(args)
            if not names:
                continue
            first = args.split()[0] if args.split() else ""
            owner = component_of_target(first[len("phaseout_"):]) if first.startswith(
                "phaseout_") else component
            if owner not in (None, component):
                problems.append(f"{rel}:{lineno}: {component} links into phaseout_{owner}, "
                                f"which only src/{owner}/CMakeLists.txt may do")
                continue
            for n in names:
                dep = component_of_target(n)
                if dep is None or dep == component:
                    continue
                if first == SERVE_WIRING_TARGET and dep == SERVE_WIRING_DEP:
                    continue
                if dep not in ALLOWED[component]:
                    problems.append(f"{rel}:{lineno}: {component} may not link phaseout_{n}")
                links[component].add(dep)
    return links


def closure(links, component):
    seen, todo = set(), [component]
    while todo:
        for d in links.get(todo.pop(), ()):
            if d not in seen:
                seen.add(d)
                todo.append(d)
    return seen


def names_in(text):
    return {w for w in re.findall(r"[a-z][a-z0-9]*", text) if w in ALLOWED}


def check_documents(problems):
    for readme in sorted(SRC.glob("*/README.md")):
        component = readme.parent.name
        if component not in ALLOWED:
            continue
        rel = readme.relative_to(ROOT)
        lines = readme.read_text(encoding="utf-8").splitlines()
        hits = [(i, l) for i, l in enumerate(lines, 1) if re.search(r"may depend on", l, re.I)]
        if not hits:
            problems.append(f"{rel}: no 'May depend on:' line")
            continue
        i, line = hits[0]
        # The list runs from "May depend on:" to the end of its sentence, over line breaks.
        tail = re.split(r"may depend on:?", " ".join(lines[i - 1:i + 2]), flags=re.I)[1]
        said = names_in(re.split(r"\.(\s|$)", tail)[0])
        said = {"core"} if "standard library only" in line else said
        said.discard(component)
        if component == "core":
            said = set() if "standard library" in line else said
        if said != ALLOWED[component]:
            problems.append(f"{rel}:{i}: says {sorted(said)}, the table allows "
                            f"{sorted(ALLOWED[component])}")
    arch = ROOT / "docs" / "architecture.md"
    documented = set()
    for i, line in enumerate(arch.read_text(encoding="utf-8").splitlines(), 1):
        m = re.match(r"\|\s*`([a-z0-9]+)`\s*\|.*\|([^|]*)\|\s*$", line)
        if not m or m.group(1) not in ALLOWED:
            continue
        component = m.group(1)
        documented.add(component)
        said = set() if "standard library" in m.group(2) else names_in(m.group(2))
        if said != ALLOWED[component]:
            problems.append(f"docs/architecture.md:{i}: `{component}` may depend on "
                            f"{sorted(said)}, the table allows {sorted(ALLOWED[component])}")
    for component in ALLOWED:
        if (SRC / component).is_dir() and component not in documented:
            problems.append(f"docs/architecture.md: no row for `{component}`")


def main() -> int:
    problems = []
    included = check_includes(problems)
    links = check_links(problems)
    for component, heads in sorted(included.items()):
        if not (SRC / component / "CMakeLists.txt").exists():
            continue
        missing = heads - closure(links, component)
        for head in sorted(missing):
            problems.append(f"src/{component}/CMakeLists.txt: {component} includes {head} but "
                            f"does not link phaseout_{head} (directly or through its deps)")
    check_documents(problems)
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print(f"check_deps: {len(problems)} dependency violation(s)", file=sys.stderr)
        return 1
    print("check_deps: includes, the CMake link graph and the documents agree with the table")
    return 0


if __name__ == "__main__":
    sys.exit(main())
