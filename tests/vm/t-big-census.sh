#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vm-kernel: big
# vm-timeout: 600
# Resource bounds on a large guest (`make vm-test-big` boots one of
# VM_MEM_BIG MiB): the census covers all of its memory in bounded kernel
# memory, lets another task on its CPU run, and stops at once when its
# reader is killed.  The soft-lockup watchdog is tightened to a report
# after 8 s without rescheduling (the runner fails on any report): at its
# tightest, 2 s, a vCPU that the host deschedules under load (another guest
# alongside) is reported as a lockup of whatever it was running.
. /src/tests/vm/lib.sh

mem_kb=$(field /proc/meminfo MemTotal | sed 's/ kB$//')
[ "$mem_kb" -ge 6000000 ] ||
	fail "the guest has $mem_kb kB; big-* tests need a large guest (make vm-test-big)"
echo 4 > /proc/sys/kernel/watchdog_thresh
load_module
C=$DBG/mmid/census
[ -r $C ] || fail "no $C"

"$WORKLOADS/census-bounds" $C > /tmp/bounds.txt || fail "census-bounds failed"
cat /tmp/bounds.txt
b() { sed -n "s/^$1=//p" /tmp/bounds.txt; }
# lt A B: A < B, for decimals
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

pages=$((mem_kb / 4))
[ "$(b pfns_scanned)" -ge "$pages" ] ||
	fail "the census covered $(b pfns_scanned) PFNs; the guest has $pages pages"
echo "ok: one census covers $(b pfns_scanned) PFNs ($pages pages of memory) in $(b scan_ms) ms"

scan=$(b scan_ms)
lt 30 "$scan" || fail "a census took $scan ms: too short to interrupt or to starve a task; give the guest more memory"
expect_eq "reader still scanning when killed" "$(b killed_during_scan)" 1
# Uninterrupted, the reader would die only at the end: 2/3 of a scan later.
# The least of 3 kills (census-bounds.c): a descheduled vCPU only adds.
lt "$(b kill_latency_ms)" "$(awk -v s="$scan" 'BEGIN { print s / 3 }')" ||
	fail "the killed reader took $(b kill_latency_ms) ms to go (a scan takes $scan ms)"
echo "ok: a reader killed mid-scan was gone in $(b kill_latency_ms) ms"
lt "$(b max_gap_ms)" "$(awk -v s="$scan" 'BEGIN { print s / 2 }')" ||
	fail "a task on the census's CPU waited $(b max_gap_ms) ms (a scan takes $scan ms)"
echo "ok: over $(b reads) censuses, a task on the same CPU waited at most $(b max_gap_ms) ms"

# A census keeps a fixed-size tally, whatever the memory size: a bitmap of
# the PFNs alone would take 288 kB for 8 GiB.  (KASAN's quarantine keeps
# freed objects a while, so each census leaves its tally there.)
kmem=$(b kmem_per_census_kb)
lt "$kmem" 64 || fail "kernel memory grew by $kmem kB per census of $(b pfns_scanned) PFNs"
echo "ok: kernel memory grew by $kmem kB per census of $(b pfns_scanned) PFNs"
unload_module
exit 0
