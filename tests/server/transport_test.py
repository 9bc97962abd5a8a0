#!/usr/bin/python3
"""Hostile input at the HTTP level against a real `phaseout serve` on a loopback port the test
picks: malformed HTTP, oversized headers and bodies, slow clients, path traversal; the request
log; and SIGTERM finishing a request in flight and exiting 0. The server must stay up through
all of it. Usage: transport_test.py PATH/TO/phaseout"""
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

BODY_LIMIT = 4096
HEADER_LIMIT = 4096
READ_TIMEOUT_MS = 2000
SECURITY_HEADERS = {
    "content-security-policy": "default-src 'self'; frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}

failures = []


def check(condition, what):
    if not condition:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Raw:
    """One TCP connection; sends bytes as given and parses what comes back."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.buf = b""

    def send(self, data):
        try:
            self.sock.sendall(data if isinstance(data, bytes) else data.encode("latin-1"))
            return True
        except OSError:
            return False

    def _fill(self):
        try:
            chunk = self.sock.recv(65536)
        except OSError:
            return False
        if not chunk:
            return False
        self.buf += chunk
        return True

    def response(self, head_only=False):
        """(status, headers, body) or (0, {}, b"") when the connection ends first."""
        while b"\r\n\r\n" not in self.buf:
            if not self._fill():
                return 0, {}, b""
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if head_only:
            return status, headers, b""
        length = int(headers.get("content-length", "0"))
        while len(self.buf) < length:
            if not self._fill():
                break
        body, self.buf = self.buf[:length], self.buf[length:]
        return status, headers, body

    def closed_within(self, seconds):
        self.sock.settimeout(seconds)
        try:
            while True:
                data = self.sock.recv(65536)
                if not data:
                    return True
        except socket.timeout:
            return False
        except OSError:
            return True

    def close(self):
        self.sock.close()


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    binary = sys.argv[1]
    if subprocess.run([binary, "serve", "--help"], capture_output=True).returncode != 0:
        print(f"FAILED: {binary} has no `serve` command (a broken build)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "phaseout.db")
        init = subprocess.run([binary, "--db", db, "init"], capture_output=True, text=True)
        if init.returncode != 0:
            print("phaseout init failed:", init.stderr, file=sys.stderr)
            return 1
        config = os.path.join(tmp, "server.yaml")
        with open(config, "w", encoding="utf-8") as f:
            f.write(f"header_limit: {HEADER_LIMIT}\nread_timeout_ms: {READ_TIMEOUT_MS}\n"
                    "idle_timeout_ms: 5000\nthreads: 2\nbody_limit: 999999\n")
        port = free_port()
        log_path = os.path.join(tmp, "serve.log")
        log = open(log_path, "wb")
        # --body-limit wins over the config file's body_limit.
        proc = subprocess.Popen([binary, "--db", db, "serve", "--listen", f"127.0.0.1:{port}",
                                 "--config", config, "--body-limit", str(BODY_LIMIT)],
                                stdout=subprocess.DEVNULL, stderr=log)
        try:
            return run(proc, port, log_path)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            log.close()


def wait_listening(proc, port, log_path):
    deadline = time.time() + 30
    while time.time() < deadline:
        if proc.poll() is not None:
            return False
        with open(log_path, "rb") as f:
            if f"phaseout: serving on http://127.0.0.1:{port}".encode() in f.read():
                return True
        time.sleep(0.05)
    return False


def expect_refused(port, request, status, what):
    c = Raw(port)
    c.send(request)
    got, headers, body = c.response()
    check(got == status, f"{what}: status {got}, expected {status}")
    if got:
        for name, value in SECURITY_HEADERS.items():
            check(headers.get(name) == value, f"{what}: header {name} is {headers.get(name)!r}")
        check(headers.get("connection") == "close", f"{what}: connection not closed")
        try:
            doc = json.loads(body)
            check("message" in doc["error"], f"{what}: no error message in {body!r}")
            expected_code = "invalid_argument" if status == 400 else "resource_exhausted"
            check(doc["error"]["code"] == expected_code and "field" in doc["error"],
                  f"{what}: error shape {body!r}")
        except (ValueError, KeyError, TypeError):
            check(False, f"{what}: body is not an error object: {body!r}")
        check(b"root:" not in body, f"{what}: leaked a file")
    check(c.closed_within(3), f"{what}: connection left open")
    c.close()


def alive(proc, port, what):
    check(proc.poll() is None, f"server died after {what}")
    c = Raw(port)
    c.send("GET /api/v1/openapi.json HTTP/1.1\r\nHost: t\r\n\r\n")
    status, _, _ = c.response()
    c.close()
    check(status == 200, f"server not answering after {what}: {status}")


def run(proc, port, log_path):
    if not wait_listening(proc, port, log_path):
        print("phaseout serve did not start:", open(log_path, "rb").read().decode(), file=sys.stderr)
        return 1

    # Keep-alive and HEAD.
    c = Raw(port)
    c.send("GET /api/v1/openapi.json HTTP/1.1\r\nHost: t\r\n\r\n")
    status, headers, body = c.response()
    check(status == 200 and body.startswith(b"{"), f"openapi.json: {status}")
    length = headers.get("content-length")
    c.send("HEAD /api/v1/openapi.json HTTP/1.1\r\nHost: t\r\n\r\n")
    status, headers, _ = c.response(head_only=True)
    check(status == 200 and headers.get("content-length") == length,
          f"HEAD: {status} {headers.get('content-length')} vs {length}")
    c.send("GET /api/v1/nothing-here HTTP/1.1\r\nHost: t\r\n\r\n")
    status, _, _ = c.response()
    check(status == 404, f"unknown path on a kept-alive connection: {status}")
    c.close()

    # Malformed HTTP.
    for i, bad in enumerate(["GARBAGE\r\n\r\n", "GET / HTTP/7.0\r\n\r\n",
                             "GET / HTTP/1.1\r\nBad Header: x\r\n\r\n",
                             "GET / HTTP/1.1\r\nNo-colon-here\r\n\r\n",
                             "POST /api/v1/login HTTP/1.1\r\nContent-Length: 1\r\n"
                             "Content-Length: 5\r\n\r\nx",
                             "POST /api/v1/login HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                             "nothex\r\n"]):
        expect_refused(port, bad, 400, f"malformed request {i}")
    alive(proc, port, "malformed HTTP")

    # Path traversal, plain and encoded.
    for path in ["/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/api/v1/..%2f..%2fetc/passwd",
                 "/api/v1/%2E%2E/%2E%2E/etc/passwd", "/./etc/passwd", "/api/v1/devices/..",
                 "/a%00b", "/%c0%ae%c0%ae/etc/passwd"]:
        expect_refused(port, f"GET {path} HTTP/1.1\r\nHost: t\r\n\r\n", 400, f"traversal {path}")
    alive(proc, port, "path traversal")

    # Oversized headers and bodies.
    expect_refused(port, "GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + "a" * (HEADER_LIMIT + 10) +
                   "\r\n\r\n", 431, "oversized header")
    expect_refused(port, "GET /" + "b" * (HEADER_LIMIT + 10) + " HTTP/1.1\r\n\r\n", 431,
                   "oversized request line")
    expect_refused(port, "POST /api/v1/evidence HTTP/1.1\r\nHost: t\r\nContent-Length: "
                   f"{BODY_LIMIT + 1}\r\n\r\n", 413, "oversized body by Content-Length")
    big = "POST /api/v1/evidence HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
    big += ("400\r\n" + "c" * 1024 + "\r\n") * 5 + "0\r\n\r\n"
    expect_refused(port, big, 413, "oversized chunked body")
    # A client that keeps sending a refused body still reads its answer.
    c = Raw(port)
    c.send("POST /api/v1/evidence HTTP/1.1\r\nHost: t\r\nContent-Length: 10000000\r\n\r\n")
    c.send(b"x" * 100000)
    status, _, _ = c.response()
    check(status == 413, f"oversized body sent anyway: {status}")
    c.close()
    alive(proc, port, "oversized input")

    # Slow clients: one stalls in its headers, one never sends; both are dropped after the read
    # timeout while others are served at once.
    slow = Raw(port)
    slow.send("GET /api/v1/openapi.json HTTP/1.1\r\nHost: t\r\nX-Slow: ")
    silent = Raw(port)
    start = time.monotonic()
    alive(proc, port, "a slow client")
    check(time.monotonic() - start < READ_TIMEOUT_MS / 1000 * 0.75,
          "a request waited for the slow client")
    alive(proc, port, "a slow client")
    check(slow.closed_within(READ_TIMEOUT_MS / 1000 + 3), "the slow client was not dropped")
    check(silent.closed_within(READ_TIMEOUT_MS / 1000 + 3), "the silent client was not dropped")
    elapsed = time.monotonic() - start
    check(elapsed >= READ_TIMEOUT_MS / 1000 * 0.9, f"slow client dropped too early ({elapsed:.2f} s)")
    slow.close()
    silent.close()
    # Trickling bytes does not extend the deadline: the whole request has READ_TIMEOUT_MS.
    trickle = Raw(port)
    start = time.monotonic()
    dropped = False
    for ch in "GET /api/v1/openapi.json HTTP/1.1\r\nHost: t\r\nX-Trickle: " + "z" * 100:
        if not trickle.send(ch):
            dropped = True
            break
        time.sleep(0.05)
        if time.monotonic() - start > READ_TIMEOUT_MS / 1000 + 3:
            break
    dropped = dropped or trickle.closed_within(3)
    check(dropped and time.monotonic() - start < READ_TIMEOUT_MS / 1000 + 4,
          "a trickling client was not dropped by the read timeout")
    trickle.close()
    alive(proc, port, "slow clients")

    # The request log: one JSON line per request, no query string, no cookie, no token.
    c = Raw(port)
    c.send("GET /api/v1/me?password=hunter2-secret HTTP/1.1\r\nHost: t\r\n"
           "Cookie: phaseout_session=cookie-secret\r\nAuthorization: Bearer token-secret\r\n\r\n")
    status, _, _ = c.response()
    check(status == 401, f"/api/v1/me with a bogus token: {status}")
    c.close()

    # SIGTERM while a request is in flight: it is answered, then the server exits 0.
    inflight = Raw(port)
    body = b'{"login": "nobody@example.org", "password": "not the password"}'
    inflight.send(b"POST /api/v1/login HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                  b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body[:10])
    time.sleep(0.2)
    idle = Raw(port)  # connected and idle: closed at once on stop
    time.sleep(0.1)
    proc.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    inflight.send(body[10:])
    status, headers, payload = inflight.response()
    check(status == 401, f"in-flight request during SIGTERM: {status} {payload!r}")
    check(headers.get("connection") == "close", "in-flight answer did not say Connection: close")
    check(idle.closed_within(3), "idle connection not closed on SIGTERM")
    try:
        code = proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        code = None
    check(code == 0, f"exit code after SIGTERM: {code}")
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        check(False, "still accepting after SIGTERM")
    except OSError:
        pass

    log_text = open(log_path, "rb").read().decode("utf-8", "replace")
    for secret in ("hunter2-secret", "cookie-secret", "token-secret", "not the password"):
        check(secret not in log_text, f"the log shows {secret}")
    lines = [json.loads(line) for line in log_text.splitlines() if line.startswith("{")]
    check(len(lines) >= 30, f"only {len(lines)} request log lines")
    for line in lines:
        check(set(line) == {"time", "method", "path", "status", "ms", "person"},
              f"log line fields: {sorted(line)}")
    check(any(l["path"] == "/api/v1/me" and l["status"] == 401 for l in lines),
          "no log line for /api/v1/me")
    check(any(l["status"] == 413 for l in lines) and any(l["status"] == 431 for l in lines) and
          any(l["status"] == 400 for l in lines), "refusals are not logged")
    check("phaseout: stopped" in log_text, "no 'stopped' line")

    if failures:
        print(f"{len(failures)} failure(s)", file=sys.stderr)
        return 1
    print("transport: all hostile-input checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
