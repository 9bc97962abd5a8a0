#!/usr/bin/env python3
"""A throw-away PostgreSQL cluster for the tests: initdb + pg_ctl on a free loopback port and a
temporary directory, as an unprivileged user (initdb refuses root: as root the cluster runs as
`nobody`, which owns its directory).

    pg_cluster.py start STATE.json   # starts one; writes {"url", "bin", "data", "user"}
    pg_cluster.py stop STATE.json    # stops it and removes its directory

When the PostgreSQL server binaries are absent, `start` still succeeds but writes
{"unavailable": reason}: the tests that need the cluster then report themselves skipped.

As a module, the end-to-end tests use it through the PHASEOUT_TEST_POSTGRES environment variable
(the state file ctest's fixture wrote):

    import pg_cluster
    if pg_cluster.enabled(): url = pg_cluster.fresh_database("cli_test_x")

Authentication is `trust` on 127.0.0.1 only: the cluster lives for one test run.
"""
import glob
import json
import os
import pathlib
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

SUPERUSER = "phaseout"
ENV = "PHASEOUT_TEST_POSTGRES"


def find_bindir():
    """The directory holding initdb and pg_ctl, newest version first, or None."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                        key=lambda p: [int(x) for x in re.findall(r"\d+", p)], reverse=True)
    for d in candidates:
        if os.access(os.path.join(d, "initdb"), os.X_OK) and \
           os.access(os.path.join(d, "pg_ctl"), os.X_OK):
            return d
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return os.path.dirname(initdb)
    return None


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def as_user(user, argv):
    """argv run as `user` (when we are root), else as ourselves."""
    if user is None:
        return argv
    return ["runuser", "-u", user, "--", *argv]


def write_state(path, state):
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state))
    tmp.replace(path)


def start(state_path):
    if pathlib.Path(state_path).exists():
        stop(state_path)  # a cluster left by an interrupted run
    bindir = find_bindir()
    if bindir is None:
        write_state(state_path, {"unavailable": "PostgreSQL server binaries (initdb, pg_ctl) "
                                                "not found; install postgresql"})
        print("postgres: server binaries not found; PostgreSQL tests will be skipped")
        return 0
    user = None
    if os.geteuid() == 0:
        user = "nobody"
        if shutil.which("runuser") is None:
            write_state(state_path, {"unavailable": "running as root and runuser is missing"})
            return 0
    top = tempfile.mkdtemp(prefix="phaseout_pg_")
    os.chmod(top, 0o755)
    data = os.path.join(top, "data")
    sockets = os.path.join(top, "run")
    os.mkdir(data, 0o700)
    os.mkdir(sockets, 0o755)
    if user is not None:
        entry = pwd.getpwnam(user)
        for p in (top, data, sockets):
            os.chown(p, entry.pw_uid, entry.pw_gid)
    initdb = subprocess.run(
        as_user(user, [os.path.join(bindir, "initdb"), "-D", data, "-U", SUPERUSER,
                       "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync"]),
        capture_output=True, text=True, cwd=top)
    if initdb.returncode != 0:
        shutil.rmtree(top, ignore_errors=True)
        write_state(state_path, {"unavailable": "initdb failed: " + initdb.stderr.strip()[-500:]})
        print("postgres: initdb failed:", initdb.stderr, file=sys.stderr)
        return 1
    # Throw-away settings: nothing needs to survive a crash of the machine. PH_PG_SHARED_BUFFERS
    # sizes the buffer cache (PostgreSQL's default, 128MB, unless set: the benchmarks give it
    # what a server holding their data would have).
    shared_buffers = os.environ.get("PH_PG_SHARED_BUFFERS", "128MB")
    if not re.fullmatch(r"[0-9]+(kB|MB|GB)", shared_buffers):
        print(f"postgres: PH_PG_SHARED_BUFFERS={shared_buffers!r} is not a size like 4GB",
              file=sys.stderr)
        return 1
    options = ("-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={sock} "
               "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
               "-c max_connections=200 -c shared_buffers=" + shared_buffers)
    for attempt in range(5):
        port = free_port()
        ctl = subprocess.run(
            as_user(user, [os.path.join(bindir, "pg_ctl"), "-D", data, "-l",
                           os.path.join(top, "server.log"), "-w", "-t", "60",
                           "-o", options.format(port=port, sock=sockets), "start"]),
            capture_output=True, text=True, cwd=top)
        if ctl.returncode == 0:
            break
    else:
        log = pathlib.Path(top, "server.log")
        reason = log.read_text()[-500:] if log.exists() else ctl.stderr
        shutil.rmtree(top, ignore_errors=True)
        write_state(state_path, {"unavailable": "pg_ctl start failed: " + reason.strip()})
        print("postgres: pg_ctl start failed:", reason, file=sys.stderr)
        return 1
    write_state(state_path, {
        "url": f"postgresql://{SUPERUSER}@127.0.0.1:{port}/postgres",
        "host": "127.0.0.1", "port": port, "bin": bindir, "top": top, "data": data,
        "user": user})
    print(f"postgres: cluster on 127.0.0.1:{port} in {top}")
    return 0


def stop(state_path):
    path = pathlib.Path(state_path)
    if not path.exists():
        return 0
    state = json.loads(path.read_text())
    if "data" in state:
        subprocess.run(as_user(state.get("user"), [os.path.join(state["bin"], "pg_ctl"), "-D",
                                                   state["data"], "-m", "fast", "-w", "stop"]),
                       capture_output=True, cwd=state["top"])
        shutil.rmtree(state["top"], ignore_errors=True)
    path.unlink()
    return 0


# --- for tests -----------------------------------------------------------------------------

def state():
    """The cluster's state, or None when no cluster was asked for (PHASEOUT_TEST_POSTGRES)."""
    path = os.environ.get(ENV)
    if not path:
        return None
    try:
        return json.loads(pathlib.Path(path).read_text())
    except OSError as e:
        return {"unavailable": f"no cluster state at {path}: {e}"}


def enabled():
    return state() is not None


def unavailable_reason():
    s = state()
    return s.get("unavailable") if s else None


def psql(sql, database="postgres"):
    s = state()
    url = f"postgresql://{SUPERUSER}@{s['host']}:{s['port']}/{database}"
    proc = subprocess.run([os.path.join(s["bin"], "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1",
                           "-At", "-d", url, "-c", sql], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"psql {sql!r}: {proc.stderr}")
    return proc.stdout


def database_name(hint):
    name = re.sub(r"[^a-z0-9_]", "_", hint.lower())[:40]
    return f"{name}_{os.getpid()}_{int(time.time() * 1000) % 10_000_000}"


def fresh_database(hint):
    """A new empty database on the cluster; its URL."""
    s = state()
    name = database_name(hint)
    psql(f'CREATE DATABASE "{name}"')
    return f"postgresql://{SUPERUSER}@{s['host']}:{s['port']}/{name}"


def drop_database(url):
    name = url.rsplit("/", 1)[-1]
    psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- what the end-to-end suites call: one line each, the same on both engines --------------

def database(sqlite_path, hint="test"):
    """The database a test runs on: a fresh PostgreSQL database (its URL) when the suite runs
    on the cluster, else the SQLite file `sqlite_path`."""
    if not enabled():
        return str(sqlite_path)
    return fresh_database(hint)


def sql(db, statement):
    """Runs `statement` on `db` behind phaseout's back (as a tamperer would): psql for a
    PostgreSQL URL, the sqlite3 shell for a file. Returns the rows as text lines."""
    if str(db).startswith(("postgresql://", "postgres://")):
        s = state()
        proc = subprocess.run([os.path.join(s["bin"], "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1",
                               "-At", "-d", db, "-c", statement], capture_output=True, text=True)
    else:
        proc = subprocess.run(["sqlite3", str(db), statement], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{statement!r}: {proc.stderr}")
    return proc.stdout.splitlines()


def exit_if_unavailable():
    """In a suite asked to run on the cluster (PHASEOUT_TEST_POSTGRES) that cannot start: print
    why and exit 77, ctest's SKIP_RETURN_CODE for these registrations."""
    reason = unavailable_reason()
    if reason:
        print(f"SKIPPED: PostgreSQL cluster unavailable: {reason}")
        sys.exit(77)


def main(argv):
    if len(argv) != 3 or argv[1] not in ("start", "stop"):
        print(__doc__, file=sys.stderr)
        return 2
    return start(argv[2]) if argv[1] == "start" else stop(argv[2])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
