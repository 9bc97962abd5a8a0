#!/usr/bin/python3
"""Holds N keep-alive connections to 127.0.0.1:PORT open, each sending `GET /` and reading the
answer every INTERVAL seconds (a dashboard polling, an event stream's client), until killed.
Prints "ready" once every connection has had its first answer. Usage: PORT N INTERVAL"""
import selectors
import socket
import sys
import time

port, count, interval = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
request = b"GET / HTTP/1.1\r\nHost: bench\r\n\r\n"
sel = selectors.DefaultSelector()
conns = []
for _ in range(count):
    s = socket.create_connection(("127.0.0.1", port))
    s.setblocking(False)
    conns.append(s)
    sel.register(s, selectors.EVENT_READ)
next_send = {}
answered = set()
start = time.monotonic()
for s in conns:
    s.sendall(request)
    next_send[s] = start + interval
ready = False
while True:
    for key, _ in sel.select(timeout=0.1):
        s = key.fileobj
        try:
            data = s.recv(65536)
        except (BlockingIOError, InterruptedError):
            continue
        except OSError:
            data = b""
        if not data:  # closed by the server: reconnect, as a browser would
            sel.unregister(s)
            s.close()
            conns.remove(s)
            del next_send[s]
            s = socket.create_connection(("127.0.0.1", port))
            s.setblocking(False)
            sel.register(s, selectors.EVENT_READ)
            conns.append(s)
            s.sendall(request)
            next_send[s] = time.monotonic() + interval
            continue
        answered.add(s)
    if not ready and len(answered) >= count:
        ready = True
        print("ready", flush=True)
    now = time.monotonic()
    for s in conns:
        if next_send[s] <= now:
            try:
                s.send(request)
            except OSError:
                pass
            next_send[s] = now + interval
