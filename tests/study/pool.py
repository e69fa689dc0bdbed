#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The multiprocessing workload of the MM-ID study (tests/study/guest-study.sh).

A parent builds a large list of floats, then runs rounds: a fork Pool of
WORKERS processes (recycled every few tasks, maxtasksperchild) reduces
chunks of the list, the pool is closed, and the parent updates every
STRIDE-th element, as a training or simulation loop does between parallel
steps.  Reading a Python object writes its reference count, so workers
copy the pages they touch (truly shared: correct copies), and after the
pool is gone the parent writes into folios that three or more MMs mapped:
where the shared bit outlives the workers, reuse is refused.

usage: pool.py SECONDS [ELEMENTS] [WORKERS]
Prints one JSON line per round and "ready" after the last, then waits for
SIGTERM with the list still mapped (the study samples it there).
"""
import json
import multiprocessing
import os
import signal
import sys
import time

DATA = []


def reduce_chunk(bounds):
    lo, hi = bounds
    total = 0.0
    for x in DATA[lo:hi]:
        total += x * x
    return total


def main():
    global DATA
    secs = float(sys.argv[1])
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 2_000_000
    workers = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    DATA = [float(i) for i in range(n)]
    chunk = n // (workers * 4)
    chunks = [(lo, min(lo + chunk, n)) for lo in range(0, n, chunk)]
    ctx = multiprocessing.get_context("fork")
    deadline = time.monotonic() + secs
    rnd = 0
    while rnd == 0 or time.monotonic() < deadline:
        t0 = time.monotonic()
        with ctx.Pool(processes=workers, maxtasksperchild=4) as pool:
            total = sum(pool.map(reduce_chunk, chunks, chunksize=1))
        t1 = time.monotonic()
        # The parent's update step, with the workers gone.
        for i in range(rnd % 97, n, 97):
            DATA[i] += 1.0
        t2 = time.monotonic()
        print(json.dumps({"round": rnd, "total": total, "pool_s": round(t1 - t0, 3),
                          "update_s": round(t2 - t1, 3), "pid": os.getpid()}), flush=True)
        rnd += 1
    print("ready", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:
        signal.pause()


if __name__ == "__main__":
    main()
