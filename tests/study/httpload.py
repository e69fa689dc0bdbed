#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""HTTP load over a Unix socket, for gunicorn in the MM-ID study: ab only
speaks TCP, and the release kernel has no IPv4.

usage: httpload.py SOCKET SECONDS [CONCURRENCY]
Each of CONCURRENCY threads sends HTTP/1.0 GETs of /page/N, one connection
per request (as ab does without -k); prints one JSON line with the counts.
"""
import json
import socket
import sys
import threading
import time


def client(path, deadline, seed, counts):
    n = seed
    while time.monotonic() < deadline:
        n += 7919
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(path)
            s.sendall(b"GET /page/%d HTTP/1.0\r\nHost: study\r\n\r\n" % n)
            head = b""
            while True:
                data = s.recv(65536)
                if not data:
                    break
                head = head or data[:12]
            s.close()
            counts["ok" if head.startswith(b"HTTP/1.") and b" 200" in head else "bad"] += 1
        except OSError:
            counts["error"] += 1
            time.sleep(0.05)


def main():
    path, secs = sys.argv[1], float(sys.argv[2])
    conc = int(sys.argv[3]) if len(sys.argv) > 3 else 8
    counts = {"ok": 0, "bad": 0, "error": 0}
    deadline = time.monotonic() + secs
    threads = [threading.Thread(target=client, args=(path, deadline, i, counts)) for i in range(conc)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    counts["secs"] = round(time.monotonic() - t0, 1)
    counts["requests_per_s"] = round(counts["ok"] / counts["secs"], 1)
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
