#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vm-kernel: release debian
# mmscope mmid trace against rmap operations the test knows: one
# PTE-mapped THP (mmid-thp 1 0 0 0) that B and C unmap after fork and A
# unmaps at exit, each in one batch of 512 pages.  The shared bit, set by
# each fork, is cleared whenever A is left alone: once or twice, as B may
# unmap before or after C is forked.
. /src/tests/vm/lib.sh
. /src/tests/vm/mmid-lib.sh

load_module
trap 'mmid_stop; [ -n "$tr" ] && kill $tr 2>/dev/null' EXIT
mmscope mmid -j trace > /tmp/trace.json 2> /tmp/trace.err &
tr=$!
i=0
while ! grep -q '^Tracing' /tmp/trace.err; do
	i=$((i + 1))
	[ $i -gt 120 ] && fail "trace did not start: $(cat /tmp/trace.err)"
	kill -0 $tr 2>/dev/null || fail "trace exited: $(cat /tmp/trace.err)"
	sleep 0.5
done
cat /tmp/trace.err
mmid_start 1 0 0 0
mmid_stop
kill -TERM $tr	# background jobs of a script ignore SIGINT
wait $tr || fail "trace exited $?: $(cat /tmp/trace.err)"
tr=
cat /tmp/trace.json

# fentry sees the PTE-level rmap calls only; the patch's tracepoint also
# sees the PMD mapping: its fault-time add and its removal at the split.
# Which one the trace must have used follows from the kernel, not from
# what the tool says it chose: a kernel with the tracepoint must get it.
mount -t tracefs none /sys/kernel/tracing 2>/dev/null
[ -d /sys/kernel/tracing/events/kmem ] || fail "tracefs is not mounted at /sys/kernel/tracing"
tp=$(ls -d /sys/kernel/tracing/events/*/folio_mm_id 2>/dev/null | head -n 1)
if [ -n "$tp" ]; then
	pmd=1
	grep -q 'fentry' /tmp/trace.err &&
		fail "the kernel has $tp, but the trace used fentry: $(cat /tmp/trace.err)"
else
	pmd=0
	grep -q 'fentry' /tmp/trace.err ||
		fail "the kernel has no folio_mm_id tracepoint, but the trace did not say fentry: $(cat /tmp/trace.err)"
fi
remove=$(sed -n 's/.*"remove":\[\([^]]*\)\].*/\1/p' /tmp/trace.json)
echo "$remove" | grep -q "{\"min\":512,\"max\":1023,\"count\":$((3 + pmd))}" ||
	fail "not exactly $((3 + pmd)) removals of 512 pages: $remove"
grep -q '"large_mapcount":\[{"min":0,"max":0,"count":[1-9]' /tmp/trace.json ||
	fail "no operation left a large folio unmapped"
clears=$(sed -n 's/.*"shared_clear":\([0-9]*\).*/\1/p' /tmp/trace.json)
case $clears in 1|2) echo "ok: $clears shared bit clears" ;; *) fail "shared bit clears: $clears, not 1 or 2" ;; esac
# The PMD split that PTE-maps the THP re-adds it as 512 PTEs at once.
echo "$(sed -n 's/.*"add_anon":\[\([^]]*\)\].*/\1/p' /tmp/trace.json)" |
	grep -q "{\"min\":512,\"max\":1023,\"count\":$((1 + pmd))}" ||
	fail "not exactly $((1 + pmd)) 512-page add_anon batches"
if [ "$pmd" = 0 ]; then
	# fork's duplication is header-inline: fentry never sees the set.
	expect_eq "shared bit sets (fentry)" "$(sed -n 's/.*"shared_set":\([0-9]*\).*/\1/p' /tmp/trace.json)" 0
else
	expect_eq "shared bit sets (tracepoint)" "$(sed -n 's/.*"shared_set":\([0-9]*\).*/\1/p' /tmp/trace.json)" "$clears"
fi
exit 0
