#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vm-kernel: smoke release
# The `make check` smoke run: the module loads, answers one query of each
# area with values the test can check, one tracer counts a known workload
# exactly, and unloading leaves nothing behind.
. /src/tests/vm/lib.sh
. /src/tests/vm/mmid-lib.sh

unload_module
load_module
expect_eq "version" "$(cat "$DBG/version")" "$(cat /sys/module/mmscope/version)"
expect_eq "features kernel" "$(field "$DBG/features" kernel)" "$(uname -r)"

# MM-ID: PID 1 is init, and PFN 0 answers for PFN 0.
a=$(mmid_q task 1) || fail "mmid/task 1 refused"
expect_eq "mmid task 1 comm" "$(val "$a" comm)" init
a=$(mmid_q pfn 0) || fail "mmid/pfn 0 refused"
expect_eq "mmid pfn 0" "$(val "$a" pfn)" 0
grep -q '^large_folios: ' "$MMID/census" || fail "census has no large_folios line"

# Slab: the sheaf capacity the BPF iterator reads is the one sysfs reports.
cap=$(mmscope slab -b bpf -a -j kmalloc-64 | sed -n 's/.*"sheaf_capacity":\([0-9]*\).*/\1/p')
expect_eq "kmalloc-64 sheaf capacity" "$cap" "$(cat /sys/kernel/slab/kmalloc-64/sheaf_capacity 2>/dev/null ||
	echo "no sysfs sheaf_capacity")"

# DAMON: the ring is idle until enabled.
grep -q 'not recording' "$DBG/damon/recent" || fail "damon/recent: $(cat "$DBG/damon/recent")"

# One tracer: 'open K' adds exactly K filp allocations to 'open 0'.
filp() {
	grep '^{' "$1" | sed -n 's/.*{"cache":"filp","allocs":\([0-9]*\).*/\1/p' |
		awk '{ n += $1 } END { print n + 0 }'
}
mmscope trace slab -j -n 0 -- "$WORKLOADS/trace-alloc" open 0 > /tmp/s0 || fail "trace slab exited $?"
mmscope trace slab -j -n 0 -- "$WORKLOADS/trace-alloc" open 200 > /tmp/s1 || fail "trace slab exited $?"
expect_eq "filp allocations of 200 opens" $(($(filp /tmp/s1) - $(filp /tmp/s0))) 200

unload_module
[ -e "$DBG" ] && fail "$DBG left behind after rmmod"
exit 0
