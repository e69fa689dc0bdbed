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

# MM-ID: PID 1 is init; a PTE-mapped THP the test mapped itself (mmid-thp's
# E, its one owner A) is what the PFN query says; the census visits every
# PFN of every zone's span once.
a=$(mmid_q task 1) || fail "mmid/task 1 refused"
expect_eq "mmid task 1 comm" "$(val "$a" comm)" init
mmid_start 1 0 0 0
e=$(wl_pfns E)
a=$(mmid_q pfn "$e") || fail "mmid/pfn $e refused"
answer_vars "$a"
expect_eq "E order" "$A_order" 9
expect_eq "E large_mapcount" "$A_large_mapcount" 512
# B and C have unmapped it: A's slot holds all 512, the other is free.
expect_eq "E slots" "$(printf '%s\n' "$A_slot0_mm_id:$A_slot0_mapcount" \
	"$A_slot1_mm_id:$A_slot1_mapcount" | sort | tr '\n' ' ')" \
	"$(printf '%s\n' "$WL_ID_A:512" 0:0 | sort | tr '\n' ' ')"
mmid_stop
census=$(cat "$MMID/census")
expect_eq "census pfns_scanned" "$(echo "$census" | sed -n 's/^pfns_scanned: //p')" \
	"$(awk '$1 == "spanned" { s += $2 } END { print s }' /proc/zoneinfo)"

# Slab: the sheaf capacity the BPF iterator reads is the one sysfs reports.
cap=$(mmscope slab --backend bpf -a -j kmalloc-64 | sed -n 's/.*"sheaf_capacity":\([0-9]*\).*/\1/p')
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
