#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The MM-ID study's report: docs/study-mmid.md and one SVG per workload.

usage: report.py STUDY_DIR DOCS_DIR
  STUDY_DIR  BUILD/study: KERNEL/WORKLOAD.jsonl as tests/study/guest-study.sh
             writes them (KERNEL: release, NO_PAGE_MAPCOUNT; debian,
             per-page mapcounts)
  DOCS_DIR   where study-mmid.md and study-mmid-WORKLOAD.svg go

Python's standard library only: it runs on the host after the guests.
What it computes, per workload, from the audit records the samples carry:
large folios by order, the share judged maybe shared, false positives
(judged maybe shared, mapped by one MM) over time with their median and
peak, the CoW copies the audit's "cow" counts attribute to false
positives (n/a when the CLI gave none), the processes behind the false
positives, and smaps_rollup's USS and PSS at the workload's "measure"
point on each kernel.
"""
import json
import os
import re
import statistics
import sys
from collections import Counter, defaultdict

ORDER = ["synthetic", "apache", "gunicorn", "redis", "pool", "make"]
WHAT = {
    "synthetic": "the seed's three-MM scenario (tests/workloads/mmid-thp.c -w 64 1 1 1 1): "
                 "one PTE-mapped THP each exclusive, shared by two MMs, mapped by three, "
                 "and mapped by C alone after A and B unmapped it (the known false positive); "
                 "then C writes 64 of its pages (phase `write`): 64 copies the bit forces",
    "apache": "apache2 2.4 prefork (MaxConnectionsPerChild 200, 4-8 workers) under "
              "`ab -c 8` on a 64 KiB page; only on a kernel with IPv4",
    "gunicorn": "gunicorn, pre-forking: the application (a 200,000-entry catalogue) loaded "
                "in the master (--preload), 4 sync workers each replaced after 40-50 "
                "requests (--max-requests), 8 clients over a Unix socket (tests/study/httpload.py)",
    "redis": "redis-server 8 with 100,000 keys of 1 KiB, SET/INCR load from "
             "redis-benchmark -P 16 and a BGSAVE snapshot child forked every few seconds "
             "(disable-thp no: redis's default turns THP off for itself)",
    "pool": "python3 multiprocessing: a parent with a 2,000,000-float list runs fork "
            "Pool rounds (4 workers, maxtasksperchild 4) and updates every 97th element "
            "between rounds (tests/study/pool.py)",
    "make": "make -j4 of a generated 13-file C project with gcc -O2 -g, rebuilt in a loop "
            "(tests/study/genproj.sh): many fork+exec",
}
KERNELS = {"release": "release kernel (CONFIG_NO_PAGE_MAPCOUNT)",
           "debian": "Debian's kernel (per-page mapcounts)"}
PAGE = 4096


def load(study_dir):
    """{kernel: {workload: [records]}}"""
    data = defaultdict(dict)
    if not os.path.isdir(study_dir):
        return data
    for kernel in sorted(os.listdir(study_dir)):
        kdir = os.path.join(study_dir, kernel)
        if not os.path.isdir(kdir) or kernel.startswith("vm-"):
            continue
        for name in sorted(os.listdir(kdir)):
            if not name.endswith(".jsonl"):
                continue
            recs = []
            with open(os.path.join(kdir, name)) as f:
                for n, line in enumerate(f, 1):
                    line = line.strip()
                    if not line:
                        continue
                    try:
                        recs.append(json.loads(line))
                    except ValueError as e:
                        print(f"report: {kernel}/{name}:{n}: not JSON ({e}); line skipped",
                              file=sys.stderr)
            data[kernel][name[:-len(".jsonl")]] = recs
    return data


def pct(a, b):
    return 100.0 * a / b if b else 0.0


def med(xs):
    return statistics.median(xs) if xs else 0


def fmt_pct(x):
    return f"{x:.1f}%"


def size_of(order):
    kib = (PAGE << int(order)) // 1024
    return f"{kib // 1024} MiB" if kib >= 1024 else f"{kib} KiB"


class Workload:
    """The samples of one workload on one kernel, digested."""

    def __init__(self, name, kernel, recs):
        self.name, self.kernel = name, kernel
        self.start = next((r for r in recs if r.get("type") == "study_start"), {})
        self.end = next((r for r in recs if r.get("type") == "study_end"), None)
        self.drivers = [r for r in recs if r.get("type") == "study_driver"]
        self.samples = [r for r in recs if r.get("type") == "study_sample"
                        and isinstance(r.get("audit"), dict)]
        self.status = self.end.get("status", "?") if self.end else "no end record (guest stopped?)"

    # --- the audit ---

    def per_sample(self):
        """[(t, folios, maybe, truly, fp, fp after the slot check)] over all orders."""
        out = []
        for s in self.samples:
            o = s["audit"].get("orders", {})
            tot = [sum(v.get(k, 0) for v in o.values())
                   for k in ("folios", "maybe_shared", "truly_shared", "false_positives")]
            raced = sum(1 for m in s["audit"].get("mismatches", [])
                        if m.get("verdict") == "false_positive" and slot_check(m) == RACED)
            out.append((s.get("t", 0.0), *tot, tot[3] - raced))
        return out

    def orders(self):
        """{order: {field: [per-sample values]}}, missing orders counted as 0."""
        keys = sorted({int(k) for s in self.samples for k in s["audit"].get("orders", {})})
        table = {}
        for k in keys:
            col = defaultdict(list)
            for s in self.samples:
                row = s["audit"].get("orders", {}).get(str(k), {})
                for f in ("folios", "maybe_shared", "truly_shared", "false_positives",
                          "false_negatives"):
                    col[f].append(row.get(f, 0))
                raced = sum(1 for m in s["audit"].get("mismatches", [])
                            if m.get("verdict") == "false_positive" and m.get("order") == k
                            and slot_check(m) == RACED)
                col["checked"].append(row.get("false_positives", 0) - raced)
            table[k] = col
        return table

    def cow(self):
        """Summed CoW counts, or None when no record carried them.

        Each record of `mmid audit INTERVAL COUNT` counts its own interval
        (as every [interval] [count] command of mmscope does), so the
        workload's total is the sum."""
        cows = [s["audit"]["cow"] for s in self.samples if isinstance(s["audit"].get("cow"), dict)]
        if not cows:
            return None
        return {k: sum(c.get(k, 0) for c in cows)
                for k in ("large_anon_copies", "false_positive_copies", "false_positive_bytes")}

    def fp_pattern(self):
        """Who maps the false positives: per (role, comm) the folio-samples,
        per order, and how often the one mapper holds a slot."""
        roles, orders = Counter(), Counter()
        tracked, checks = Counter(), Counter()
        pfn_runs = defaultdict(list)
        for i, s in enumerate(self.samples):
            procs = {p["pid"]: p for p in s.get("procs", [])}
            root = s.get("root_pid")
            for m in s["audit"].get("mismatches", []):
                if m.get("verdict") != "false_positive":
                    continue
                checks[slot_check(m)] += 1
                if slot_check(m) == RACED:
                    continue
                pids = m.get("mapped_by_pids", [])
                pid = pids[0] if pids else None
                p = procs.get(pid)
                if pid == root:
                    role = "the workload's root process"
                elif p and p.get("ppid") == root:
                    role = "a child of the root"
                elif p:
                    role = "a deeper descendant"
                else:
                    role = "a process outside the workload's tree"
                comm = p["comm"] if p else slot_comm(m, pid) or "?"
                roles[(role, comm)] += 1
                orders[m.get("order", "?")] += 1
                tracked[" + ".join(slot_state(m, j, pid) for j in (0, 1))] += 1
                pfn_runs[m.get("pfn")].append(i)
        # A folio judged wrongly in two samples in a row: less likely an
        # artefact (but a workload that forks every few seconds can race
        # two walks in a row).
        persistent = sum(1 for runs in pfn_runs.values()
                         if any(b == a + 1 for a, b in zip(runs, runs[1:])))
        return roles, orders, tracked, len(pfn_runs), persistent, checks

    # --- smaps_rollup ---

    def smaps_point(self):
        """(phase, n samples, median USS sum, median PSS sum, median root USS, median root PSS,
        median processes) over the samples of the "measure" phase, else of "load"."""
        for phase in ("measure", "load"):
            pts = [s for s in self.samples if s.get("phase") == phase and s.get("procs")]
            if pts:
                break
        else:
            return None
        uss = [sum(p["uss"] for p in s["procs"]) for s in pts]
        pss = [sum(p["pss"] for p in s["procs"]) for s in pts]
        russ = [sum(p["uss"] for p in s["procs"] if p["pid"] == s.get("root_pid")) for s in pts]
        rpss = [sum(p["pss"] for p in s["procs"] if p["pid"] == s.get("root_pid")) for s in pts]
        return phase, len(pts), med(uss), med(pss), med(russ), med(rpss), med([len(s["procs"]) for s in pts])

    def mthp_faults(self):
        """{size: anon_fault_alloc during the workload} from the start and end records."""
        a = self.start.get("mthp", {})
        b = (self.end or {}).get("mthp", {})
        out = {}
        for size, st in b.items():
            x, y = a.get(size, {}).get("anon_fault_alloc"), st.get("anon_fault_alloc")
            if isinstance(x, int) and isinstance(y, int) and y - x:
                out[size] = y - x
        return out


def slot_tasks(m, j):
    """[(pid, comm)] of the processes whose MM holds slot j (the module's
    " pid:comm pid:comm" list; "-" for none)."""
    # A comm may hold spaces (python's pool threads name the workers they
    # fork "Thread-7 (_hand"): an entry runs to the next " PID:".
    text = str((m.get(f"slot{j}") or {}).get("tasks", "")).strip()
    return [(int(p), c) for p, c in re.findall(r"(\d+):(.*?)(?= \d+:| \+\d+$|$)", text)]


# What the kernel's own per-MM counts, read with the verdict, say of a
# false positive of the audit.  The walk reads every process's page tables
# first and asks the module about each folio afterwards: a fork or an exit
# in between (under TCG the whole audit takes seconds) leaves a folio that
# two MMs map with only one of them in the walk.  The slots' mapcounts are
# exact for the MMs in them, so:
RACED = "the kernel's slots count a second MM: the walk raced a fork or an exit"
STALE = "the mapper's slot holds every mapping: the bit outlived the other MMs"
UNTRACKED = "the mapper is in no slot and the slots hold no mapping: the seed's case"
OTHERS = "mappings outside the mapper's slot: another, untracked MM, or the mapper's own"


def slot_check(m):
    pids = m.get("mapped_by_pids") or [None]
    pid = pids[0]
    mine, other = None, 0
    for j in (0, 1):
        slot = m.get(f"slot{j}") or {}
        if any(p == pid for p, _ in slot_tasks(m, j)):
            mine = slot.get("mapcount", 0)
        elif slot.get("mm_id") and slot.get("mapcount", 0) > 0:
            other += slot["mapcount"]
    if other:
        return RACED
    if mine is None:
        return UNTRACKED
    return STALE if mine >= m.get("large_mapcount", 0) else OTHERS


def slot_comm(m, pid):
    for j in (0, 1):
        for p, c in slot_tasks(m, j):
            if p == pid:
                return c
    return None


def slot_state(m, j, pid):
    """What slot j of a false positive holds: nothing, the one MM that maps
    the folio, or another MM (by its processes' comm)."""
    slot = m.get(f"slot{j}") or {}
    if not slot.get("mm_id"):
        return "empty"
    tasks = slot_tasks(m, j)
    if any(p == pid for p, _ in tasks):
        return "the mapper"
    return "other MM (" + (",".join(sorted({c for _, c in tasks})) or "no process") + ")"


def svg_plot(path, name, series):
    """False-positive share over time, hand-written SVG.

    series: [(label, dash, [(t, checked % of maybe shared, audit's % of maybe shared)])]"""
    w, h, l, r, t, b = 720, 300, 60, 20, 30, 50
    tmax = max([p[0] for _, _, pts in series for p in pts] + [1.0])
    ymax = max([max(p[1], p[2]) for _, _, pts in series for p in pts] + [1.0])
    ymax = 10 * int(ymax / 10 + 1) if ymax > 10 else (5 if ymax <= 5 else 10)
    ymax = min(ymax, 100)
    X = lambda x: l + (w - l - r) * x / tmax
    Y = lambda y: h - b - (h - t - b) * min(y, ymax) / ymax
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
           f'viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="11">',
           f'<rect width="{w}" height="{h}" fill="white"/>',
           f'<text x="{w / 2}" y="16" text-anchor="middle" font-size="13">{name}: '
           f'false positives over time</text>']
    for i in range(6):
        yv = ymax * i / 5
        out.append(f'<line x1="{l}" y1="{Y(yv):.1f}" x2="{w - r}" y2="{Y(yv):.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{l - 6}" y="{Y(yv) + 4:.1f}" text-anchor="end">{yv:g}%</text>')
    for i in range(6):
        xv = tmax * i / 5
        out.append(f'<text x="{X(xv):.1f}" y="{h - b + 16}" text-anchor="middle">{xv:.0f}</text>')
    out.append(f'<line x1="{l}" y1="{h - b}" x2="{w - r}" y2="{h - b}" stroke="black"/>')
    out.append(f'<line x1="{l}" y1="{t}" x2="{l}" y2="{h - b}" stroke="black"/>')
    out.append(f'<text x="{(l + w - r) / 2}" y="{h - 12}" text-anchor="middle">'
               'seconds since the workload started</text>')
    colours = ["#c0392b", "#2471a3"]
    legend_y = t + 4
    for label, dash, pts in series:
        for k, colour in enumerate(colours):
            if not pts:
                continue
            d = " ".join(f"{X(p[0]):.1f},{Y(p[1 + k]):.1f}" for p in pts)
            out.append(f'<polyline points="{d}" fill="none" stroke="{colour}" stroke-width="1.6"'
                       f'{" stroke-dasharray=" + chr(34) + dash + chr(34) if dash else ""}/>')
            for p in pts:
                out.append(f'<circle cx="{X(p[0]):.1f}" cy="{Y(p[1 + k]):.1f}" r="2" fill="{colour}"/>')
            what = ("checked false positives, of maybe shared" if k == 0 else
                    "the audit's false positives, of maybe shared")
            out.append(f'<line x1="{l + 10}" y1="{legend_y}" x2="{l + 35}" y2="{legend_y}" '
                       f'stroke="{colour}" stroke-width="1.6"'
                       f'{" stroke-dasharray=" + chr(34) + dash + chr(34) if dash else ""}/>')
            out.append(f'<text x="{l + 40}" y="{legend_y + 4}">{label}: {what}</text>')
            legend_y += 14
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def workload_section(name, runs, docs):
    """Markdown for one workload; runs: {kernel: Workload}."""
    md = [f"### {name}", "", WHAT.get(name, name) + ".", ""]
    main = runs.get("release") or next(iter(runs.values()))
    for kernel, wl in sorted(runs.items()):
        drv = "; ".join(json.dumps({k: v for k, v in d.items() if k not in ("type", "workload")})
                        for d in wl.drivers) or "none"
        md.append(f"- {KERNELS.get(kernel, kernel)}: {len(wl.samples)} samples, status "
                  f"`{wl.status}`, audit `{wl.start.get('audit_mode', '?')}` every "
                  f"{wl.start.get('period', '?')} s; driver: {drv}")
        faults = wl.mthp_faults()
        if faults:
            md.append("  - mTHP anon faults during the run: " +
                      ", ".join(f"{s} {n}" for s, n in sorted(faults.items(), key=lambda x: int(x[0][:-2]))))
    md.append("")
    if not main.samples:
        md += ["No samples: nothing to report for this workload.", ""]
        return md, None
    if main.kernel != "release":
        md += [f"(No release-kernel run: the tables below are from {KERNELS.get(main.kernel)}.)", ""]

    md += [f"Large folios by order ({KERNELS.get(main.kernel, main.kernel)}; per sample, "
           "median and peak over the samples; \"checked\": the audit's false positives less "
           "those the kernel's own slot counts contradict, see Setup):", "",
           "| order | size | folios mapped (median / peak) | maybe shared (median) | truly shared "
           "(median) | false positives, audit (median / peak) | checked (median / peak) | "
           "checked, of maybe shared (median / peak) |",
           "|---|---|---|---|---|---|---|---|"]
    for o, col in main.orders().items():
        share = [pct(f, m) for f, m in zip(col["checked"], col["maybe_shared"])]
        maybe = [pct(m, n) for m, n in zip(col["maybe_shared"], col["folios"])]
        md.append(f"| {o} | {size_of(o)} | {med(col['folios']):g} / {max(col['folios'])} | "
                  f"{fmt_pct(med(maybe))} | {med(col['truly_shared']):g} | "
                  f"{med(col['false_positives']):g} / {max(col['false_positives'])} | "
                  f"{med(col['checked']):g} / {max(col['checked'])} | "
                  f"{fmt_pct(med(share))} / {fmt_pct(max(share))} |")
    ps = main.per_sample()
    raw_of_maybe = [pct(x[4], x[2]) for x in ps]
    fp_of_maybe = [pct(x[5], x[2]) for x in ps]
    fp_of_all = [pct(x[5], x[1]) for x in ps]
    maybe_all = [pct(x[2], x[1]) for x in ps]
    peak_at = ps[fp_of_maybe.index(max(fp_of_maybe))][0] if ps else 0
    fns = sum(sum(c["false_negatives"]) for c in main.orders().values())
    md += ["",
           f"- All orders: {fmt_pct(med(maybe_all))} of the large folios mapped are judged maybe "
           f"shared (median). Checked false positives are {fmt_pct(med(fp_of_maybe))} of those "
           f"(median), peak {fmt_pct(max(fp_of_maybe))}"
           f"{f' at {peak_at:.0f} s' if max(fp_of_maybe) > 0 else ''}; "
           f"{fmt_pct(med(fp_of_all))} (median) / {fmt_pct(max(fp_of_all))} (peak) of all large "
           f"folios mapped. The audit's own count, before the check: "
           f"{fmt_pct(med(raw_of_maybe))} / {fmt_pct(max(raw_of_maybe))} of maybe shared.",
           f"- False negatives over all samples: {fns} (none expected from the kernel; a walk "
           "that saw an MM which exited before the folio was asked about counts as one)."]
    roles, orders, tracked, distinct, persistent, checks = main.fp_pattern()
    if checks:
        md.append("- The audit's false positives by the kernel's slot counts "
                  f"({sum(checks.values())} folio-samples): " +
                  "; ".join(f"{k}: {n}" for k, n in checks.most_common()) + ".")
    cow = main.cow()
    if cow is None:
        md.append("- CoW copies caused by false positives: n/a (the audit records carry no "
                  "`cow` counts: run with a CLI whose `mmid audit` has [interval] [count]).")
    else:
        md.append(f"- CoW copies caused by false positives: {cow['false_positive_copies']} pages, "
                  f"{cow['false_positive_bytes'] / 2**20:.2f} MiB, "
                  f"{fmt_pct(pct(cow['false_positive_copies'], cow['large_anon_copies']))} of all "
                  f"{cow['large_anon_copies']} CoW copies out of large anon folios.")
    if roles:
        md.append(f"- Who maps the checked false positives ({sum(roles.values())} folio-samples, "
                  f"{distinct} distinct folios, {persistent} of them wrong in two samples in a row): " +
                  "; ".join(f"{role} `{comm}` {n}" for (role, comm), n in roles.most_common(6)) +
                  "; by order " + ", ".join(f"{o}: {n}" for o, n in sorted(orders.items())) +
                  "; slots (slot0 + slot1) " + ", ".join(f"{k}: {n}" for k, n in tracked.most_common(4)) + ".")
    else:
        md.append("- No checked false positive in any sample.")

    rows = []
    for kernel in ("release", "debian"):
        wl = runs.get(kernel)
        pt = wl.smaps_point() if wl else None
        if pt:
            rows.append((kernel, pt))
    if rows:
        md += ["", f"smaps_rollup of the workload's processes at its `{rows[0][1][0]}` point "
               "(median over those samples; kB):", "",
               "| kernel | samples | processes | USS (sum) | PSS (sum) | root USS | root PSS |",
               "|---|---|---|---|---|---|---|"]
        for kernel, (phase, n, uss, pss, russ, rpss, nproc) in rows:
            md.append(f"| {KERNELS.get(kernel, kernel)} | {n} | {nproc:g} | {uss:g} | {pss:g} | "
                      f"{russ:g} | {rpss:g} |")
        if len(rows) == 2:
            (_, a), (_, b) = rows
            md.append(f"| release - debian | | | {a[2] - b[2]:+g} ({pct(a[2] - b[2], b[2]):+.1f}%) | "
                      f"{a[3] - b[3]:+g} ({pct(a[3] - b[3], b[3]):+.1f}%) | {a[4] - b[4]:+g} | "
                      f"{a[5] - b[5]:+g} |")
        else:
            md.append("")
            md.append("(One kernel only: the difference needs both runs.)")

    series = []
    for kernel, dash in (("release", ""), ("debian", "5,3")):
        wl = runs.get(kernel)
        if wl and wl.samples:
            series.append((kernel, dash, [(x[0], pct(x[5], x[2]), pct(x[4], x[2]))
                                          for x in wl.per_sample()]))
    svg = f"study-mmid-{name}.svg"
    svg_plot(os.path.join(docs, svg), name, series)
    md += ["", f"![{name}: false positives over time]({svg})", ""]
    return md, (main, med(maybe_all), med(fp_of_maybe), max(fp_of_maybe), cow, rows,
                (distinct, persistent))


def main():
    if len(sys.argv) != 3:
        print("usage: report.py STUDY_DIR DOCS_DIR", file=sys.stderr)
        return 2
    study, docs = sys.argv[1], sys.argv[2]
    data = load(study)
    if not data:
        print(f"report: no KERNEL/WORKLOAD.jsonl under {study}: run make study", file=sys.stderr)
        return 1
    os.makedirs(docs, exist_ok=True)
    names = sorted({w for k in data.values() for w in k},
                   key=lambda w: (ORDER.index(w) if w in ORDER else len(ORDER), w))
    sections, summary = [], []
    for name in names:
        runs = {k: Workload(name, k, recs[name]) for k, recs in data.items() if name in recs}
        md, s = workload_section(name, runs, docs)
        sections += md
        if s:
            summary.append((name, s))

    starts = [Workload(n, k, r[n]).start for k, r in data.items() for n in r]
    kinfo = {}
    for s in starts:
        if s.get("kernel"):
            kinfo[s["kernel"]] = s
    out = ["# MM-ID study: how often is \"maybe mapped shared\" wrong, and what does it cost?", "",
           "<!-- Generated by tests/study/report.py from build/study/*/*.jsonl (make study);"
           " edit the generator, not this file, except the conclusion. -->", "",
           "The MM-ID series tracks, per large folio, up to two MMs and a \"maybe mapped shared\" "
           "bit. Once a third MM maps a folio while both slots are taken, the bit stays set until "
           "an unmap by a tracked MM leaves one slot owning every mapping; if the untracked MMs "
           "are the last to go, the folio stays \"maybe shared\" although one MM maps it. Then "
           "`__wp_can_reuse_large_anon_folio()` refuses reuse and a write fault copies a page the "
           "process owns alone, and with `CONFIG_NO_PAGE_MAPCOUNT` smaps counts the folio as "
           "shared. The series asks \"if the imprecision in the simple approach is relevant in "
           "practice\"; this study measures it on real programs from Debian sid.", "",
           "## Setup", ""]
    for k, s in sorted(kinfo.items()):
        out.append(f"- {KERNELS.get(k, k)}: `{s.get('release', '?')}`, CONFIG_NO_PAGE_MAPCOUNT="
                   f"{s.get('no_page_mapcount', '?')}, CONFIG_MM_ID={s.get('mm_id', '?')}, "
                   f"{s.get('cpus', '?')} vCPUs, {int(s.get('mem_kb', 0)) // 1024} MiB, QEMU TCG; "
                   f"audit `{s.get('audit_mode', '?')}` every {s.get('period', '?')} s, "
                   f"{s.get('secs', '?')} s of load per workload.")
    out += ["- mTHP: every anon size from 16 KiB to 2 MiB `always`, and the top-level "
            "`enabled` `always`; the workloads run in a sid root unpacked in the guest's tmpfs "
            "(tests/study/rootfs.sh).",
            "- The pre-forking server: the release kernel has no `CONFIG_INET` (tinyconfig with "
            "what the tests need), so apache2 and ab, which speak only TCP, run on Debian's kernel "
            "alone; gunicorn, pre-forking over a Unix socket with its workers recycled by "
            "`--max-requests`, is the pre-forking server on both kernels. redis and the load "
            "clients use Unix sockets too.",
            "- A sample is one `mmscope mmid -j audit` record (every large folio any process "
            "maps: the kernel's `folio_maybe_mapped_shared()` against the distinct MMs whose page "
            "tables map it) and, at the same moment, `/proc/PID/smaps_rollup` of the workload's "
            "processes (USS = Private_Clean + Private_Dirty). The audit walks the processes one "
            "after the other: a fork or an exit during the walk can make a folio look wrong once, "
            "so the pattern lines also count the folios wrong in two samples in a row.",
            "- The audit walks every process's page tables first and asks the module about "
            "each folio afterwards; under TCG an audit takes seconds, and a fork or an exit in "
            "between makes a folio that two MMs map look mapped by one. The slots' mapcounts, "
            "read with the verdict, are exact for the MMs in them: a false positive whose other "
            "slot holds an MM with mappings is such a race, not the kernel's error, and the "
            "\"checked\" counts leave it out. What remains: the mapper's slot holds every "
            "mapping (the bit outlived the other MMs), the mapper is in no slot and the slots "
            "hold nothing (the seed's case), or there are mappings outside the mapper's slot "
            "(another, untracked MM the walk missed, or the mapper's own mappings from before "
            "it took its slot: kept, as the audit cannot tell).",
            "- A false positive here: judged maybe shared, mapped by one MM. Shares are per "
            "sample; median and peak are over the samples of the run.", "",
            "## Summary", "",
            "| workload | maybe shared (median) | checked false positives, of maybe shared "
            "(median / peak) | folios ever a checked false positive / twice in a row | CoW copies by false positives | "
            "USS release - debian |",
            "|---|---|---|---|---|---|"]
    for name, (main, maybe, fpm, fpp, cow, rows, (distinct, persistent)) in summary:
        cows = ("n/a" if cow is None else
                f"{cow['false_positive_copies']} pages, {cow['false_positive_bytes'] / 2**20:.2f} MiB, "
                f"{fmt_pct(pct(cow['false_positive_copies'], cow['large_anon_copies']))} of large-folio copies")
        uss = (f"{rows[0][1][2] - rows[1][1][2]:+g} kB" if len(rows) == 2 else "n/a (one kernel)")
        out.append(f"| {name} | {fmt_pct(maybe)} | {fmt_pct(fpm)} / {fmt_pct(fpp)} | "
                   f"{distinct} / {persistent} | {cows} | {uss} |")
    out += ["", "## Workloads", ""] + sections
    out += ["## Reproduce", "",
            "```sh",
            "make study                          # both kernels, then this report (about 15 min per kernel under TCG)",
            "make study STUDY_KERNELS=release    # the NO_PAGE_MAPCOUNT release kernel only",
            "make study STUDY_WORKLOADS=synthetic,pool STUDY_SECS=30   # a subset, shorter loads",
            "python3 tests/study/report.py build/study docs              # this report again from the records",
            "```", "",
            "The sid root (apache2, apache2-utils, gunicorn, redis-server, redis-tools, python3, "
            "make, gcc, libc6-dev and their closure) is fetched once into the cache and appended "
            "to the guest's initramfs. The records are `build/study/KERNEL/WORKLOAD.jsonl` "
            "(`study_start`, `study_phase`, `study_driver`, `study_sample` with the audit record "
            "and the processes, `study_end`); the guests' serial logs "
            "`build/study/vm-KERNEL/serial-run.log`.", "",
            "## TCG against hardware, and more CPUs", "",
            "- The guest is QEMU TCG on a 2-core host, both vCPUs on one host thread: every "
            "instruction is translated, so the workloads run 10-30x slower than on hardware and "
            "the loads complete far fewer requests, snapshots and builds per second. This report "
            "gives counts and ratios, never timings; per-second rates are not hardware rates.",
            "- What the ratios depend on is the order of forks, exits and unmaps, not speed. On "
            "hardware with more CPUs the servers would run more workers at once (apache's "
            "MaxRequestWorkers, gunicorn's --workers, Pool(processes=) and make -j scale with "
            "CPUs): more MMs map each inherited folio, the two slots are taken sooner, and more "
            "folios get the shared bit. Whether they end as false positives depends on which MM "
            "leaves last, which more concurrency makes more varied.",
            "- A sample takes longer under TCG, so the audit's walk overlaps more forks and exits "
            "than on hardware: transient mismatches are more frequent here; the persistent count "
            "is the one to carry over.",
            "- Memory size and mTHP availability: the guest has 4 GiB and little fragmentation, so "
            "large folios are easy to get; a long-running machine falls back to smaller orders "
            "more often (see the mTHP fault counts per size), which means fewer large folios to "
            "be wrong about.", "",
            "## Conclusion", "",
            ] + conclusion(summary)
    with open(os.path.join(docs, "study-mmid.md"), "w") as f:
        f.write("\n".join(out))
    print(f"  REPORT  {os.path.join(docs, 'study-mmid.md')} ({len(summary)} workloads, "
          f"{', '.join(sorted(data))})")
    return 0


def conclusion(summary):
    """The seed's question answered from the numbers above, so that every
    run of `make study` writes its own."""
    real = [x for x in summary if x[0] != "synthetic"]
    syn = [x for x in summary if x[0] == "synthetic"]
    cows = [x[1][4] for x in real if x[1][4] is not None]
    copies = sum(c["large_anon_copies"] for c in cows)
    fp = sum(c["false_positive_copies"] for c in cows)
    peak = max((x[1][3] for x in real if x[1][3] is not None), default=None)
    persistent = sum(x[1][6][1] for x in real)
    busiest = max(real, key=lambda x: x[1][1] or 0) if real else None
    out = []
    if real:
        out.append(
            f"- **On the {len(real)} real workloads** ({', '.join(x[0] for x in real)}) the audit "
            f"found {persistent} folio(s) that stayed a checked false positive two samples in a row; "
            f"the peak share of false positives among maybe-shared folios in any sample was "
            f"{fmt_pct(peak)}. Their write faults copied {copies} pages of large anon folios, and "
            f"{fp} of those ({fmt_pct(pct(fp, copies))}) only because of a false shared bit.")
    if real and fp == 0 and persistent == 0:
        out.append(
            "- **In the seed's terms, the imprecision of the simple approach was not relevant in "
            f"practice here.** The bit is set often (a median of {fmt_pct(busiest[1][1])} of large "
            f"folios in {busiest[0]}) and it is right: none of the copies was forced by a false bit, "
            "so each was of a folio that another MM still mapped or that held another reference. "
            "The kernel clears the bit once one slot holds every mapping; in these programs the "
            "MM that mapped a folio first (the server's parent, redis, the pool's parent, make) "
            "outlives the children that shared it, which is consistent with the bit being cleared "
            "before it can mislead.")
    elif real:
        out.append(
            "- **The imprecision shows in practice**, in the workloads whose row above has false "
            "positives or copies caused by them.")
    if syn and syn[0][1][4] is not None:
        c = syn[0][1][4]
        out.append(
            "- **The pattern that makes it costly is the seed's own** (synthetic): an MM that maps "
            "a folio while both slots are taken, outlives both slot owners, and then writes. Here "
            f"that cost {c['false_positive_copies']} copies "
            f"({c['false_positive_bytes'] / 2**20:.2f} MiB) that reuse would have saved, "
            f"{fmt_pct(pct(c['false_positive_copies'], c['large_anon_copies']))} of that run's "
            "large-folio copies. Programs that would show it hand memory from a parent to a "
            "grandchild and let the parent and child exit first (double-fork daemons, a "
            "supervisor replaced by its workers).")
    out.append(
        f"- **What the advanced approach (exact per-MM tracking) would save** in these "
        f"workloads: {fp} page copies. The USS column compares smaps_rollup on the two kernels "
        "at the same phase, one run each: NO_PAGE_MAPCOUNT can only under-estimate USS for "
        "pages of folios it judges shared, but a difference between two runs also holds what "
        "the workload allocated differently, and separating the two needs repeated runs per "
        "kernel (not made).")
    return out + [""]


if __name__ == "__main__":
    sys.exit(main())
