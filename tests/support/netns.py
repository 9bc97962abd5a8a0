"""What the live tests share: commands run inside a private network namespace holding a veth
pair (one end to replay captures into, the other to capture on), and reading a process's
stderr until an expected line."""
import os
import pathlib
import shutil
import subprocess
import time


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, check=False, **kw)


def ns_exec(name, cmd):
    return ["ip", "netns", "exec", name] + cmd


def add_veth_pair(ns, replay_end, capture_end, loopback=False):
    """Inside namespace `ns` (already added): IPv6 off (no router solicitations in the capture),
    a veth pair with a large MTU, both ends up; the loopback up too when asked."""
    steps = [["ip", "link", "set", "lo", "up"]] if loopback else []
    steps += [["sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1"],
              ["sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1"],
              ["ip", "link", "add", replay_end, "type", "veth", "peer", "name", capture_end],
              ["ip", "link", "set", replay_end, "mtu", "9000"],
              ["ip", "link", "set", capture_end, "mtu", "9000"],
              ["ip", "link", "set", replay_end, "up"],
              ["ip", "link", "set", capture_end, "up"]]
    for step in steps:
        r = run(ns_exec(ns, step))
        if r.returncode != 0:
            raise RuntimeError(f"{' '.join(step)} failed: {r.stderr.strip()}")


def wait_for(proc, lines, match, timeout_s=30):
    """Reads proc's stderr lines (kept in `lines`) until one contains `match` (a string) or
    satisfies it (a function); returns that line."""
    test = match if callable(match) else (lambda line: match in line)
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        lines.append(line)
        if test(line):
            return line
    raise RuntimeError(f"no stderr line matching {match!r}; got: {''.join(lines)}")


SKIP = 77


def why_not(phaseout, tools, files):
    """None when a live test can run; else (exit code, what to print): a missing phaseout binary
    fails, never skips; not root, a tool or a corpus file missing skip (77)."""
    if not pathlib.Path(phaseout).is_file():
        return 1, f"FAIL: no phaseout binary at {phaseout}"
    if os.geteuid() != 0:
        return SKIP, "SKIP: needs root (network namespaces and live capture)"
    for tool in ("ip",) + tuple(tools):
        if shutil.which(tool) is None:
            return SKIP, f"SKIP: {tool} is not installed"
    for path in files:
        if not pathlib.Path(path).exists():
            return SKIP, f"SKIP: the corpus is absent ({path})"
    return None


def tear_down(ns, tmp, *procs):
    """Kills what still runs, deletes the namespace and the temporary directory."""
    for proc in procs:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.communicate()
    run(["ip", "netns", "del", ns])
    shutil.rmtree(tmp, ignore_errors=True)
