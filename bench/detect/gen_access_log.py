#!/usr/bin/env python3
"""Writes a synthetic web access log in the nginx/Apache "combined" format for the detect
benchmark: N request lines from a few thousand clients, each client with one User-Agent and
(mostly) one authenticated user, over a realistic mix of paths, status codes and sizes.

User-Agents come from uap-core's test_os.yaml when given (the real-world strings of its
test cases), else from a small built-in list of current browsers and apps. Deterministic:
the same arguments give the same file.

usage: gen_access_log.py --lines N --out FILE [--uas test_os.yaml] [--clients N]
"""
import argparse
import random
import time

BUILTIN_UAS = [
    "Mozilla/5.0 (iPhone; CPU iPhone OS 16_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.5 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (iPad; CPU OS 16_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.5 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.5 Safari/605.1.15",
    "Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/112.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Linux; Android 12; NOH-AN00) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/99.0.4844.88 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/112.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:109.0) Gecko/20100101 Firefox/112.0",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/112.0.0.0 Safari/537.36",
    "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/112.0",
    "Mozilla/5.0 (Mobile; LYF/F300B/LYF-F300B-001-01-15-130718-i;Android; rv:48.0) Gecko/48.0 Firefox/48.0 KAIOS/2.5",
    "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.16327; Pro)",
    "Outlook-iOS/723.4027091.prod.iphone (4.2313.0)",
]
PATHS = ["/", "/owa/", "/owa/service.svc", "/owa/auth/logon.aspx", "/portal/", "/portal/inbox",
         "/portal/documents", "/hr/leave", "/hr/payslips", "/wiki/Main_Page", "/wiki/Special:Search",
         "/static/app.js", "/static/app.css", "/static/logo.png", "/favicon.ico",
         "/api/v1/messages", "/api/v1/calendar", "/api/v1/contacts", "/login", "/logout"]
STATUSES = [200] * 80 + [304] * 10 + [404] * 5 + [401] * 3 + [500] * 2


def load_uas(path):
    if not path:
        return BUILTIN_UAS
    try:
        seen, out = set(), []
        for line in open(path, encoding="utf-8"):
            line = line.strip()
            if line.startswith("- user_agent_string:"):
                ua = line.split(":", 1)[1].strip().strip("'\"").replace("''", "'")
                if ua and ua not in seen and '"' not in ua:
                    seen.add(ua)
                    out.append(ua)
        return out or BUILTIN_UAS
    except OSError:
        return BUILTIN_UAS


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--uas")
    ap.add_argument("--clients", type=int, default=5000)
    args = ap.parse_args()
    rng = random.Random(20230401)
    uas = load_uas(args.uas)
    clients = []
    for i in range(args.clients):
        ip = f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255 or 1}"
        user = f"user{i:05d}" if rng.random() < 0.7 else "-"
        clients.append((ip, user, uas[rng.randrange(len(uas))]))
    t = 1679302800  # 2023-03-20 09:00:00 UTC
    with open(args.out, "w", encoding="utf-8") as out:
        buf = []
        for n in range(args.lines):
            ip, user, ua = clients[rng.randrange(len(clients))]
            path = PATHS[rng.randrange(len(PATHS))]
            if rng.random() < 0.3:
                path += f"?id={rng.randrange(100000)}"
            status = STATUSES[rng.randrange(len(STATUSES))]
            stamp = time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(t + n // 10))
            method = "POST" if path.startswith("/api") and rng.random() < 0.3 else "GET"
            buf.append(f'{ip} - {user} [{stamp}] "{method} {path} HTTP/1.1" {status} '
                       f'{rng.randrange(100, 50000)} "-" "{ua}"\n')
            if len(buf) >= 10000:
                out.write("".join(buf))
                buf.clear()
        out.write("".join(buf))


if __name__ == "__main__":
    main()
