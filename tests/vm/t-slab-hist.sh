#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vm-kernel: release debian
# mmscope slab hist: the knob workload issues exactly K bulk allocations of
# N objects; the histogram of the test cache shows exactly those counts.
. /src/tests/vm/lib.sh
. /src/tests/vm/slab-lib.sh

K=7 N=24
load_module
fresh_cache 64 0
knob mode bulk
knob batch $N
knob iterations $K
knob cpus 0

# hist_run OUTFILE ARGS...: trace while the workload runs, report at SIGINT.
hist_run() {
	out=$1
	shift
	rm -f /tmp/hist.err	# a stale "Tracing" would start the workload too early
	mmscope -v slab hist -K bulk -C mmscope_test "$@" > "$out" 2> /tmp/hist.err &
	pid=$!
	n=0
	until grep -q 'Tracing' /tmp/hist.err; do
		n=$((n + 1))
		[ $n -gt 300 ] && { cat /tmp/hist.err; fail "hist did not attach in 30 s"; }
		kill -0 $pid 2>/dev/null || { cat /tmp/hist.err; fail "hist exited early"; }
		sleep 0.1
	done
	knob run 1
	wait_run 60
	kill -INT $pid
	wait $pid || fail "hist exited $?"
	cat /tmp/hist.err "$out"
}

hist_run /tmp/h.json -j
grep -q 'attaching fentry:kmem_cache_alloc_bulk_noprof' /tmp/hist.err ||
	fail "the guest did not choose fentry"
grep -q '^{"type":"hist","tracer":"slab",.*"name":"bulk",.*"by":"cache",' /tmp/h.json ||
	fail "slab hist -j is not a 'hist' record of bulk per cache"
grep -q '{"key":"mmscope_test","total":'$K',"buckets":\[{"min":16,"max":31,"count":'$K'}\],"sum":'$((K * N))'}' /tmp/h.json ||
	fail "log2 histogram is not exactly $K in [16, 31]"
echo "ok: log2 histogram has exactly $K allocations of $N"

hist_run /tmp/h.txt -l 0,64,8
grep -q '^@bulk\[mmscope_test\]:$' /tmp/h.txt || fail "text title is not bpftrace's @bulk[mmscope_test]:"
grep -Eq "^\[24, 32\) +$K \|@+ *\|$" /tmp/h.txt || fail "linear slot [24, 32) does not hold $K"
[ "$(grep -c '|' /tmp/h.txt)" = 1 ] || fail "more than one non-empty linear slot"
knob cache 0

# The maple tree's preallocation (kmem_cache_prefill_sheaf on maple_node,
# fentry without the patch): a map/mprotect/unmap loop must show some.
# (Few: in 7.2 most rounds are served by the tree's per-CPU sheaf, so
# the count is not one per round.)
mmscope -v slab hist -K prefill -C maple_node -j > /tmp/p.json 2> /tmp/p.err &
pid=$!
n=0
until grep -q Tracing /tmp/p.err; do
	n=$((n + 1)); [ $n -gt 300 ] && fail "prefill hist did not attach"; sleep 0.1
done
$WORKLOADS/slab-mmap 500 || fail "slab-mmap failed"
kill -INT $pid
wait $pid || fail "prefill hist exited $?"
cat /tmp/p.err /tmp/p.json
grep -Eq 'attaching (tp_btf:sheaf_prefill|fentry:kmem_cache_prefill_sheaf)' /tmp/p.err ||
	fail "no prefill attach point named"
c=$(sed -n 's/.*{"key":"maple_node","total":\([0-9]*\).*/\1/p' /tmp/p.json)
[ "${c:-0}" -ge 1 ] || fail "no maple_node prefill in 500 map/mprotect/unmap rounds"
echo "ok: $c maple_node prefills"
exit 0
