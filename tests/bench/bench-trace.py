#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
The issue-8 benchmark, one run on one machine, as root:

  start-up  wall time from exec to exit and peak RSS, tracing a command
            that does nothing (/bin/true) with the per-cache allocation
            count: 'mmscope trace slab -A -- /bin/true' vs
            "bpftrace -e 'tracepoint:kmem:kmem_cache_alloc
            { @[str(args->name)] = count(); }' -c /bin/true"
  per-event the workload 'trace-alloc open N' (N open+close of /dev/null)
            timed (CPU time of the workload) with nothing attached (baseline), with the empty tp_btf
            program ('mmscope trace floor', the floor), with mmscope's
            per-cache count of every kmem_cache_alloc on the machine
            ('trace slab -A': allocations only, as bpftrace's), and
            with bpftrace's; extra ns per kmem_cache_alloc event =
            (loop time - baseline) / events the loop fires.

Usage: bench-trace.py BUILD_DIR [N] [REPEATS]
"""
import json
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

build = sys.argv[1] if len(sys.argv) > 1 else "build"
N = int(sys.argv[2]) if len(sys.argv) > 2 else 200000
REPEATS = int(sys.argv[3]) if len(sys.argv) > 3 else 5
MMSCOPE = os.path.join(build, "bin/mmscope")
WORK = os.path.join(build, "tests/trace-alloc")
BPFTRACE_PROG = "tracepoint:kmem:kmem_cache_alloc { @[str(args->name)] = count(); }"

if os.geteuid() != 0:
    sys.exit("bench-trace: run as root (it loads BPF programs)")
if not shutil.which("bpftrace"):
    sys.exit("bench-trace: no bpftrace (apt-get install bpftrace)")
if not os.path.isdir("/sys/kernel/tracing/events"):
    subprocess.run(["mount", "-t", "tracefs", "none", "/sys/kernel/tracing"], check=False)


def startup(cmd):
    """Median wall seconds from exec to exit, and peak RSS in KiB, over REPEATS runs.

    The peak comes from GNU time, not from our own wait4(): a child's
    ru_maxrss keeps the high-water mark of the image it was forked from,
    so a fork of this Python process (about 10 MiB) would hide anything
    smaller; time(1) is a 1 MiB C program (what /bin/true measures).
    """
    times, rss = [], 0
    with tempfile.NamedTemporaryFile("r") as out:
        for _ in range(REPEATS):
            t0 = time.monotonic()
            pid = os.fork()
            if pid == 0:
                fd = os.open(os.devnull, os.O_WRONLY)
                os.dup2(fd, 1)
                os.dup2(fd, 2)
                os.execvp("/usr/bin/time", ["/usr/bin/time", "-f", "%M", "-o", out.name] + cmd)
            _, status, _ = os.wait4(pid, 0)
            times.append(time.monotonic() - t0)
            if os.waitstatus_to_exitcode(status) != 0:
                sys.exit(f"bench-trace: {' '.join(cmd)} failed: {status}")
            out.seek(0)
            rss = max(rss, int(out.read().split()[-1]))
    return statistics.median(times), rss


def loop_ns():
    """CPU time (user + system) of the workload process: what an attached
    program adds to each of its events, and less disturbed than wall time
    by the other users of a shared machine."""
    pid = os.fork()
    if pid == 0:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, 1)
        os.execv(WORK, [WORK, "open", str(N)])
    _, status, ru = os.wait4(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit("bench-trace: the workload failed")
    return (ru.ru_utime + ru.ru_stime) * 1e9


def timed_with(tracer, ready, repeats):
    """Median workload loop time with tracer running in the background."""
    res = []
    for _ in range(repeats):
        p = None
        if tracer:
            p = subprocess.Popen(tracer, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            if ready:
                # bpftrace says "Attaching 1 probe..." before attaching: give it time after.
                said = []
                while True:
                    line = p.stdout.readline()
                    if not line:
                        sys.exit(f"bench-trace: {tracer[0]} said {''.join(said)!r}")
                    said.append(line)
                    if ready in line:
                        break
            time.sleep(1.5)
            if p.poll() is not None:
                sys.exit(f"bench-trace: {' '.join(tracer)} exited: {p.stdout.read()!r}")
        res.append(loop_ns())
        if p:
            p.send_signal(signal.SIGINT)
            try:
                p.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                print(f"  ({tracer[0]} ignored SIGINT for 60 s: killed)", file=sys.stderr)
                p.kill()
                p.communicate()
    return statistics.median(res)


def events_per_loop():
    """kmem_cache_alloc events the loop fires: 'open N' minus 'open 0', for its pid only."""
    def total(k):
        out = subprocess.run([MMSCOPE, "trace", "slab", "-j", "-n", "0", "--", WORK, "open", str(k)],
                             capture_output=True, text=True, check=True).stdout
        rec = [json.loads(l) for l in out.splitlines() if l.startswith("{")][0]
        return sum(r["allocs"] for r in rec["rows"])
    return total(N) - total(0)


print(f"kernel {os.uname().release}, {os.cpu_count()} CPUs, "
      f"{subprocess.run(['bpftrace', '--version'], capture_output=True, text=True).stdout.strip()}, "
      f"N={N}, median of {REPEATS}")

m_t, m_rss = startup([MMSCOPE, "trace", "slab", "-A", "--", "/bin/true"])
b_t, b_rss = startup(["bpftrace", "-e", BPFTRACE_PROG, "-c", "/bin/true"])
print("\nstart-up to exit (tracing /bin/true):")
print(f"  mmscope   {m_t * 1000:8.1f} ms  {m_rss / 1024:7.1f} MiB peak RSS")
print(f"  bpftrace  {b_t * 1000:8.1f} ms  {b_rss / 1024:7.1f} MiB peak RSS")
print(f"  ratio mmscope/bpftrace: time {m_t / b_t:.3f}, memory {m_rss / b_rss:.3f} (target <= 0.1)")

ev = events_per_loop()
# Interleaved rounds, so that load from other users of the machine hits
# every configuration alike; the minimum is the least disturbed run.
configs = (("baseline", None, None),
           ("floor", [MMSCOPE, "trace", "floor"], None),
           ("mmscope", [MMSCOPE, "trace", "slab", "-A"], None),
           ("bpftrace", ["bpftrace", "-e", BPFTRACE_PROG], "Attaching"))
runs = {name: [] for name, _, _ in configs}
for _ in range(REPEATS):
    for name, tracer, ready in configs:
        runs[name].append(timed_with(tracer, ready, 1))
print(f"\nper kmem_cache_alloc event ({ev} events per loop, {ev / N:.2f} per open), "
      f"min and median of {REPEATS} interleaved rounds:")
for stat in (min, statistics.median):
    t = {name: stat(v) for name, v in runs.items()}
    base = t["baseline"]
    per = {name: (t[name] - base) / ev for name in t}
    print(f"  {stat.__name__}:")
    print(f"    baseline  {base / N:8.1f} ns per open")
    for name in ("floor", "mmscope", "bpftrace"):
        print(f"    {name:9s} {t[name] / N:8.1f} ns per open, +{per[name]:6.1f} ns per event")
    print(f"    ratio mmscope/floor {per['mmscope'] / per['floor']:.2f} (target <= 2), "
          f"bpftrace/floor {per['bpftrace'] / per['floor']:.2f}, "
          f"mmscope/bpftrace {per['mmscope'] / per['bpftrace']:.3f}")
