#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vm-kernel: stress
# vm-timeout: 1800
# 100 cycles of insmod, read every file, rmmod, while memory churns (fork,
# THP map/split/unmap, compaction) and a DAMON paddr kdamond runs; then
# rmmod while a reader holds a file open.  The runner fails the test on any
# kernel report; this checks that nothing is left behind.
. /src/tests/vm/lib.sh

CYCLES=${CYCLES:-100}
unload_module
slabs_before=$(ls /sys/kernel/slab | sort)

"$WORKLOADS/stress-mm" 3600 8 > /tmp/stress.log 2>&1 &
stress=$!
damon_started=$(damon_start_paddr) || fail "could not start a DAMON paddr kdamond"
trap 'kill $stress 2>/dev/null; damon_stop "$damon_started"' EXIT

i=0
while [ $i -lt $CYCLES ]; do
	i=$((i + 1))
	load_module
	read_all_files > /dev/null || fail "cycle $i: reading the module's files failed"
	unload_module
	[ -e "$DBG" ] && fail "cycle $i: $DBG left behind"
	[ -e /sys/kernel/mmscope ] && fail "cycle $i: /sys/kernel/mmscope left behind"
done
echo "ok: $CYCLES load/use/unload cycles under churn"
# It runs for an hour: gone now means it failed.
kill -0 $stress 2>/dev/null || fail "the background workload died: $(cat /tmp/stress.log)"

# rmmod while a reader holds a file open: the open file pins the module
# (fops->owner), so rmmod is refused, the reader still gets whole data, and
# rmmod succeeds once the file is closed.
load_module
exec 3< "$DBG/features"
rmmod mmscope 2>/dev/null && fail "rmmod succeeded while a file was held open"
grep -q '^mmscope ' /proc/modules || fail "the module went away under an open file"
grep -q '^kernel: ' <&3 || fail "the held-open file no longer reads whole records"
exec 3<&-
unload_module
echo "ok: rmmod refused while a file is open, done after close"

slabs_after=$(ls /sys/kernel/slab | sort)
[ "$slabs_before" = "$slabs_after" ] ||
	fail "slab caches differ after the cycles: $(echo "$slabs_before" > /tmp/a; echo "$slabs_after" | diff /tmp/a - | grep '^[-+][^-+]')"
exit 0
