#!/usr/bin/env python3
"""Sensors at many sites, end to end: three sensors, NATS JetStream, two ingest processes, one
database; processes killed and the bus restarted on the way; every sighting stored once.

    sensors_test.py PHASEOUT CORPUS_PCAP_DIR

  - nats-server -js with a temporary store, on a free port, on this machine;
  - the database: a fresh PostgreSQL database on the ctest cluster (tests/postgres, fixture
    postgres_cluster); without a cluster (the test run alone, PHASEOUT_TEST_POSTGRES unset) a
    SQLite file, and the test says so;
  - three sensors, each in its own network namespace: a veth pair inside it carries what
    tcpreplay replays (a corpus capture at a fixed rate) to `phaseout detect --interface`, which
    publishes over a second veth pair routed to this machine's nats-server; each sensor runs
    ROUNDS detect runs of DURATION_S seconds (one batch each), with its own on-disk queue;
  - two `phaseout ingest` processes sharing one durable consumer; one is killed with SIGKILL
    mid-stream and started again; nats-server is stopped mid-stream (the sensors queue on disk)
    and started again on the same store (they send their queues, in order).
At the end: the batches the sensors printed (their --format json output) are exactly the
batches stored: one sightings.record audit event per batch, no batch twice, the same devices
with the same keys; the devices are those `phaseout detect` finds offline in the same
captures; and `phaseout audit verify` passes.

Needs root (network namespaces, live capture), ip, tcpreplay, nats-server and the corpus;
otherwise it exits 77 (skipped) and says why.
"""
import collections
import json
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "postgres"))
import pg_cluster  # noqa: E402

SKIP = 77
ROUNDS = 5
DURATION_S = 2
CAPTURES = ["ndpi/iphone.pcap", "ndpi/android.pcap", "ndpi/googledns_android10.pcap"]
DURABLE = "sensors"


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, check=False, **kw)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout_s=10):
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nats-server did not listen on {port}")


class Nats:
    def __init__(self, store, port, log):
        self.store, self.port, self.log, self.proc = store, port, log, None

    def start(self):
        self.proc = subprocess.Popen(
            ["nats-server", "-js", "-sd", str(self.store), "-a", "0.0.0.0", "-p", str(self.port)],
            stdout=self.log, stderr=subprocess.STDOUT)
        wait_port(self.port)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self.proc = None


class Sensor(threading.Thread):
    """One site: a namespace, its veth pairs, and ROUNDS detect runs publishing to the bus."""

    def __init__(self, index, phaseout, capture, nats_port, tmp):
        super().__init__(daemon=True)
        self.index, self.phaseout, self.capture = index, phaseout, capture
        self.site = f"site{index}"
        self.ns = f"phbus{os.getpid() % 100000}s{index}"
        self.host_if = f"pb{os.getpid() % 100000}h{index}"
        self.net = f"10.231.{index}"
        self.nats_port = nats_port
        self.queue = tmp / f"queue-{self.site}"
        self.batches = []   # the devices of each published run (its stdout)
        self.stderr = []    # each run's stderr
        self.error = None

    def setup(self):
        r = run(["ip", "netns", "add", self.ns])
        if r.returncode != 0:
            return f"cannot create a network namespace: {r.stderr.strip()}"
        steps = [
            ["ip", "link", "add", self.host_if, "type", "veth", "peer", "name", "uplink",
             "netns", self.ns],
            ["ip", "addr", "add", f"{self.net}.1/24", "dev", self.host_if],
            ["ip", "link", "set", self.host_if, "up"],
        ]
        ns = ["ip", "netns", "exec", self.ns]
        steps += [ns + s for s in (
            ["sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1"],
            ["sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1"],
            ["ip", "link", "set", "lo", "up"],
            ["ip", "addr", "add", f"{self.net}.2/24", "dev", "uplink"],
            ["ip", "link", "set", "uplink", "up"],
            ["ip", "link", "add", "replay", "type", "veth", "peer", "name", "sniff"],
            ["ip", "link", "set", "replay", "mtu", "9000"],
            ["ip", "link", "set", "sniff", "mtu", "9000"],
            ["ip", "link", "set", "replay", "up"],
            ["ip", "link", "set", "sniff", "up"])]
        for step in steps:
            r = run(step)
            if r.returncode != 0:
                raise RuntimeError(f"{' '.join(step)} failed: {r.stderr.strip()}")
        return None

    def teardown(self):
        run(["ip", "netns", "del", self.ns])
        run(["ip", "link", "del", self.host_if])

    def one_round(self):
        ns = ["ip", "netns", "exec", self.ns]
        proc = subprocess.Popen(
            ns + [self.phaseout, "detect", "--interface", "sniff", "--duration", str(DURATION_S),
                  "--format", "json", "--publish", f"nats://{self.net}.1:{self.nats_port}",
                  "--site", self.site, "--queue-dir", str(self.queue)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        first = []
        while True:
            line = proc.stderr.readline()
            if not line:
                break
            first.append(line)
            if "listening on" in line:
                break
        r = run(ns + ["tcpreplay", "--intf1=replay", "--pps=2000", str(self.capture)])
        if r.returncode != 0:
            raise RuntimeError(f"tcpreplay failed: {r.stderr.strip()[-800:]}")
        out, err = proc.communicate(timeout=60)
        err = "".join(first) + err
        if proc.returncode != 0:
            raise RuntimeError(f"{self.site}: detect exited {proc.returncode}: {err}")
        self.stderr.append(err)
        devices = json.loads(out)["devices"]
        if devices:
            self.batches.append(devices)

    def run(self):
        try:
            for _ in range(ROUNDS):
                self.one_round()
        except Exception as e:  # reported by the main thread
            self.error = e


class Ingest:
    def __init__(self, phaseout, db, port, tmp, name):
        self.cmd = [phaseout, "--db", db, "ingest", "--from", f"nats://127.0.0.1:{port}",
                    "--durable", DURABLE, "--batch", "4", "--ack-wait", "3"]
        self.tmp, self.name, self.proc, self.log = tmp, name, None, None
        self.runs = 0

    def start(self):
        self.runs += 1
        self.log = open(self.tmp / f"{self.name}-{self.runs}.log", "w")
        self.proc = subprocess.Popen(self.cmd, stdout=self.log, stderr=subprocess.STDOUT)

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=20)
        self.log.close()
        return self.proc.returncode, (self.tmp / f"{self.name}-{self.runs}.log").read_text()


def phaseout_json(phaseout, db, *args):
    r = run([phaseout, "--db", db, *args])
    if r.returncode != 0:
        raise RuntimeError(f"phaseout {' '.join(args)}: {r.stderr}")
    return r.stdout


def main(argv):
    phaseout, corpus = argv[1], pathlib.Path(argv[2])
    if not pathlib.Path(phaseout).is_file():
        print(f"FAIL: no phaseout binary at {phaseout}")
        return 1
    if os.geteuid() != 0:
        print("SKIP: needs root (network namespaces and live capture)")
        return SKIP
    for tool in ("ip", "tcpreplay", "nats-server"):
        if shutil.which(tool) is None:
            print(f"SKIP: {tool} is not installed")
            return SKIP
    captures = [corpus / c for c in CAPTURES]
    missing = [str(c) for c in captures if not c.exists()]
    if missing:
        print(f"SKIP: the corpus is absent ({', '.join(missing)})")
        return SKIP
    pg_cluster.exit_if_unavailable()

    tmp = pathlib.Path(tempfile.mkdtemp(prefix="phaseout_bus_"))
    if pg_cluster.enabled():
        db = pg_cluster.fresh_database("bus_sensors")
        engine = "PostgreSQL"
    else:
        db = str(tmp / "central.db")
        engine = "SQLite (no PostgreSQL cluster given: PHASEOUT_TEST_POSTGRES is unset)"
    port = free_port()
    nats_log = open(tmp / "nats.log", "w")
    nats = Nats(tmp / "jetstream", port, nats_log)
    sensors = [Sensor(i + 1, phaseout, captures[i], port, tmp) for i in range(3)]
    ingests = []
    started = time.time()
    try:
        for s in sensors:
            why = s.setup()
            if why:
                print(f"SKIP: {why}")
                return SKIP
        phaseout_json(phaseout, db, "init")
        nats.start()
        ingests = [Ingest(phaseout, db, port, tmp, n) for n in ("ingest-a", "ingest-b")]
        for i in ingests:
            i.start()
        for s in sensors:
            s.start()

        time.sleep(5)
        ingests[0].kill()  # mid-stream: whatever it fetched and did not ack goes to the other
        print(f"t={time.time() - started:.1f}s: SIGKILL ingest-a")
        time.sleep(2)
        ingests[0].start()
        time.sleep(1)
        nats.stop()
        print(f"t={time.time() - started:.1f}s: nats-server stopped")
        time.sleep(5)
        nats.start()
        print(f"t={time.time() - started:.1f}s: nats-server started again")

        for s in sensors:
            s.join(timeout=90)
            if s.error:
                raise RuntimeError(f"{s.site}: {s.error}")
            if s.is_alive():
                raise RuntimeError(f"{s.site} did not finish its rounds")
        print(f"t={time.time() - started:.1f}s: sensors done")

        queued = [s.site for s in sensors if any("wait in" in e for e in s.stderr)]
        if not queued:
            raise RuntimeError("no sensor queued a batch while nats-server was down")
        for s in sensors:
            # A sensor whose rounds all ended while nats-server was away (a fast or a loaded
            # machine) sends its queue with its next run, as a deployed sensor's next run does.
            for _ in range(3):
                if "wait in" not in s.stderr[-1]:
                    break
                time.sleep(1)
                s.one_round()
            if "wait in" in s.stderr[-1]:
                raise RuntimeError(f"{s.site}: its last run still left batches queued: "
                                   f"{s.stderr[-1]}")

        batches = [b for s in sensors for b in s.batches]
        expected = collections.Counter(d["key"] for b in batches for d in b)
        stored = []
        deadline = time.time() + 30
        while time.time() < deadline:
            stored = json.loads(phaseout_json(phaseout, db, "sightings", "list", "--format",
                                              "json"))["sightings"]
            if len(stored) >= sum(expected.values()):
                break
            time.sleep(0.5)
        time.sleep(1)  # anything more would be a duplicate; give it the chance to show
        stored = json.loads(phaseout_json(phaseout, db, "sightings", "list", "--format",
                                          "json"))["sightings"]
        for i in ingests:
            rc, log = i.stop()
            if rc != 0:
                raise RuntimeError(f"{i.name} exited {rc}: {log}")
        ingests = []

        got = collections.Counter(s["key"] for s in stored)
        if got != expected:
            raise RuntimeError(f"stored {sum(got.values())} sightings, the sensors published "
                               f"{sum(expected.values())}: missing {expected - got}, extra "
                               f"{got - expected}")
        events = [json.loads(line) for line in
                  phaseout_json(phaseout, db, "audit", "export").splitlines() if line.strip()]
        records = [e for e in events if e["kind"] == "sightings.record"]
        subjects = [e["subject"] for e in records]
        if len(records) != len(batches) or len(set(subjects)) != len(subjects):
            raise RuntimeError(f"{len(batches)} batches published, {len(records)} stored "
                               f"({len(set(subjects))} distinct messages)")
        if any(not s.startswith("nats:site") for s in subjects) or \
                any(e["actor"] != f"ingest:{DURABLE}" for e in records):
            raise RuntimeError(f"unexpected audit events: {records[:2]}")
        r = run([phaseout, "--db", db, "audit", "verify"])
        if r.returncode != 0:
            raise RuntimeError(f"audit verify failed: {r.stdout}{r.stderr}")

        # What the sensors saw live is what detect finds offline in the same captures.
        for s in sensors:
            offline = json.loads(phaseout_json(phaseout, db, "detect", str(s.capture), "--format",
                                               "json"))["devices"]
            live = {d["key"] for b in s.batches for d in b}
            if live != {d["key"] for d in offline}:
                raise RuntimeError(f"{s.site}: live {sorted(live)} != offline "
                                   f"{sorted(d['key'] for d in offline)}")

        print(f"sensors: {len(batches)} batches of 3 sites ({', '.join(queued)} queued on disk "
              f"while nats-server was down), {sum(got.values())} sightings stored exactly once "
              f"on {engine} by two ingest processes (one killed and restarted); audit verified; "
              f"{time.time() - started:.1f}s")
        return 0
    finally:
        for i in ingests:
            if i.proc and i.proc.poll() is None:
                i.proc.kill()
                i.proc.wait()
        nats.stop()
        nats_log.close()
        for s in sensors:
            s.teardown()
        if pg_cluster.enabled() and db.startswith("postgresql://"):
            try:
                pg_cluster.drop_database(db)
            except Exception:  # noqa: BLE001 (tear-down: the cluster goes anyway)
                pass
        if os.environ.get("PHASEOUT_KEEP_TMP"):
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
