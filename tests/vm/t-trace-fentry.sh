#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vm-kernel: release debian
# The general tracers in the guest, where fentry works: -v must name the
# fentry attach points, and the counts must match trace-alloc's known
# allocations exactly ('open K' adds K filp allocations and frees to
# 'open 0'; 'thp K' does K order-9 page allocations).
. /src/tests/vm/lib.sh

W=$WORKLOADS/trace-alloc
K=500

# field_of FILE CACHE FIELD: from the one-line JSON table (busybox has no jq)
field_of() {
	grep '^{' "$1" | sed -n "s/.*{\"cache\":\"$2\",\"allocs\":\([0-9]*\),\"frees\":\([0-9]*\).*/\1 \2/p" |
		awk -v f="$3" '{ n += (f == "allocs" ? $1 : $2) } END { print n + 0 }'
}

mmscope -v trace slab -j -n 0 -- "$W" open 0 > /tmp/s0 2> /tmp/s0.err || fail "trace slab exited $?: $(cat /tmp/s0.err)"
cat /tmp/s0.err
grep -q 'slab allocations: attaching fentry:kmem_cache_alloc_noprof' /tmp/s0.err ||
	fail "slab allocations do not use fentry: $(cat /tmp/s0.err)"
grep -q 'attaching fentry:kmem_cache_alloc_node_noprof' /tmp/s0.err ||
	fail "kmem_cache_alloc_node_noprof is not attached with the rest: $(cat /tmp/s0.err)"
grep -q 'slab frees: attaching fentry:kmem_cache_free' /tmp/s0.err ||
	fail "slab frees do not use fentry: $(cat /tmp/s0.err)"
mmscope trace slab -j -n 0 -- "$W" open $K > /tmp/s1 || fail "trace slab exited $?"
cat /tmp/s1
for f in allocs frees; do
	a=$(field_of /tmp/s0 filp $f)
	b=$(field_of /tmp/s1 filp $f)
	expect_eq "filp $f added by $K opens (fentry)" $((b - a)) $K
done

# the text table of the same session
mmscope trace slab -C filp -- "$W" open $K > /tmp/s2 || fail "trace slab (text) exited $?"
cat /tmp/s2
grep -q "^filp  *$(field_of /tmp/s1 filp allocs) " /tmp/s2 || fail "text table disagrees with -j"

# The test kernel has no madvise() (tinyconfig): THP "always" instead.
thp=/sys/kernel/mm/transparent_hugepage/enabled
[ -w $thp ] || skip "no THP in the guest kernel (CONFIG_TRANSPARENT_HUGEPAGE)"
thp_was=$(sed 's/.*\[\(.*\)\].*/\1/' $thp)
echo always > $thp || fail "cannot set THP to always"
trap 'echo $thp_was > $thp' EXIT
mmscope -v trace page -j -- "$W" thp 4 > /tmp/p1 2> /tmp/p1.err || fail "trace page exited $?: $(cat /tmp/p1.err)"
cat /tmp/p1.err /tmp/p1
grep -q 'page allocations: attaching fentry:__alloc_frozen_pages_noprof' /tmp/p1.err ||
	fail "page allocations do not use fentry: $(cat /tmp/p1.err)"
n9=$(grep '^{' /tmp/p1 | sed -n 's/.*{"min":9,"max":9,"count":\([0-9]*\)}.*/\1/p')
expect_eq "order-9 allocations for 4 THP faults (fentry)" "$n9" 4

# record in the guest, report in the guest (the host test covers report elsewhere)
mmscope record -o /tmp/rec.jsonl trace page -b comm -- "$W" thp 2 > /dev/null || fail "record exited $?"
mmscope report /tmp/rec.jsonl > /tmp/rep || fail "report exited $?"
cat /tmp/rep
grep -q '^@order\[trace-alloc\]:$' /tmp/rep || fail "report lacks @order[trace-alloc]"
grep -q '^\[9, 10)  *2 |' /tmp/rep || fail "report lacks the 2 order-9 allocations"

# status sees the patch-series parts through BTF even without the module,
# and says what tracefs, read here independently, says the kernel has.
unload_module
mount -t tracefs none /sys/kernel/tracing 2>/dev/null
[ -d /sys/kernel/tracing/events/kmem ] || fail "tracefs is not mounted at /sys/kernel/tracing"
has_event() { ls -d /sys/kernel/tracing/events/*/"$1" > /dev/null 2>&1 && echo true || echo false; }
sheaf=$(has_event sheaf_refill) mmid=$(has_event folio_mm_id)
mmscope status -j > /tmp/st || fail "status exited $?"
grep -q "\"patch\":{\"sheaf_tracepoints\":$sheaf,\"mm_id_tracepoints\":$mmid}" /tmp/st ||
	fail "status -j does not report sheaf_tracepoints=$sheaf, mm_id_tracepoints=$mmid (tracefs): $(cat /tmp/st)"
grep -q '"tracers":{"slab":"fentry:kmem_cache_alloc_noprof fentry:kmem_cache_free","page":"fentry:__alloc_frozen_pages_noprof"}' /tmp/st ||
	fail "status -j does not name the fentry points the tracers use: $(cat /tmp/st)"
exit 0
