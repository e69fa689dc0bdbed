#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Benchmark, not a test: fork/munmap of a THP-mapped 2 MiB region, as in
# the MM-ID tracepoint test, on whatever kernel the guest runs.  With all
# tracepoints disabled the patched kernel should be within noise of the
# unpatched one.  Run it in the guest with
#   tests/vm/qemu.sh <tree> <build> run tests/bench/thp-fork.sh
# ROUNDS (default 2000) and REPEAT (default 5) come from the command line
# as mmscope.rounds= and mmscope.repeat=.
rounds=2000 repeat=5
for w in $(cat /proc/cmdline); do
	case $w in
	mmscope.rounds=*) rounds=${w#*=} ;;
	mmscope.repeat=*) repeat=${w#*=} ;;
	esac
done
# The test kernel has no madvise() (no CONFIG_ADVISE_SYSCALLS).
echo always > /sys/kernel/mm/transparent_hugepage/enabled
[ -d /sys/kernel/tracing/events/rmap ] && echo "patched kernel: events/rmap and the sheaf events in events/kmem exist"
cat /sys/kernel/tracing/tracing_on 2>/dev/null | sed 's/^/tracing_on=/'
grep -l 1 /sys/kernel/tracing/events/*/*/enable 2>/dev/null | sed 's/^/enabled: /'
/opt/mmscope/tests/thp_fork || echo "note: no THP, the numbers do not measure THP fork/munmap"
/opt/mmscope/tests/thp_fork bench 100 > /dev/null	# warm up
i=0
while [ $i -lt "$repeat" ]; do
	/opt/mmscope/tests/thp_fork bench "$rounds"
	i=$((i + 1))
done
