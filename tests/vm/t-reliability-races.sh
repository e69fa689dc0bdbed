#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Every file of the module read over and over while memory changes under
# it: THPs forked, split and unmapped, compaction, and memory blocks going
# offline and online again.  The runner fails the test on any kernel report.
. /src/tests/vm/lib.sh

SECONDS_TO_RUN=${SECONDS_TO_RUN:-20}
load_module
"$WORKLOADS/stress-mm" "$SECONDS_TO_RUN" 8 > /tmp/stress.log 2>&1 &
stress=$!

# Offline and online memory blocks in a loop; blocks holding unmovable
# pages refuse (EBUSY), which is fine: the ones that go offline are the race.
# offline_pages() retries migration until a signal arrives, so each try is
# bounded.
(
	end=$(($(date +%s) + SECONDS_TO_RUN))
	cycles=0
	while [ "$(date +%s)" -lt $end ]; do
		for b in /sys/devices/system/memory/memory*; do
			if timeout 5 sh -c "echo offline > $b/state" 2>/dev/null; then
				cycles=$((cycles + 1))
				echo online > "$b/state" || echo "cannot online $b again"
			fi
		done
	done
	echo "$cycles" > /tmp/offline-cycles
) &
hotplug=$!

reads=0
while kill -0 $stress 2>/dev/null; do
	read_all_files || fail "reading the module's files failed"
	reads=$((reads + 1))
done
wait $hotplug
wait $stress || fail "the workload failed: $(cat /tmp/stress.log)"
offline=$(cat /tmp/offline-cycles)
echo "ok: $reads passes over every file, $offline memory blocks offlined, $(cat /tmp/stress.log)"
[ "$offline" -gt 0 ] || fail "no memory block could be offlined: the race was not exercised"
for b in /sys/devices/system/memory/memory*; do
	[ "$(cat "$b/state")" = online ] || fail "$b left $(cat "$b/state")"
done
unload_module
exit 0
