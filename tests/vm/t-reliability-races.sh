#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vm-kernel: debug
# Every file of the module read over and over, the per-PFN file asked
# about PFN after PFN, and tasks' folios listed as they exit, while memory
# changes under it: THPs forked, split and unmapped, compaction, and memory
# blocks going offline and online again.  The runner fails the test on any
# kernel report.
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

# Per-PFN queries all over memory, each answer checked to be for the PFN
# asked, while THPs are split, migrated and offlined under them.
"$WORKLOADS/pfn-sweep" $DBG/mmid/pfn "$SECONDS_TO_RUN" > /tmp/sweep.log 2>&1 &
sweep=$!

# A task's folios read while it exits: the listing is complete, or the
# command fails saying the task went away; never a partial listing.
(
	complete=0 gone=0 before=0
	end=$(($(date +%s) + SECONDS_TO_RUN))
	while [ "$(date +%s)" -lt $end ]; do
		# It holds still at each of its steps for 0 to 2 s, then exits: some
		# listings finish first, some see it go, and a few start after it
		# was reaped (all three pauses 0 s).
		(
			for step in 1 2 3; do sleep $((RANDOM % 3)); echo; done
		) | "$WORKLOADS/thp_fork" step > /dev/null &
		pid=$!
		mmscope mmid $pid > /tmp/exiting.out 2> /tmp/exiting.err
		rc=$?
		wait
		if [ $rc = 0 ]; then
			complete=$((complete + 1))
		elif [ $rc = 1 ] && grep -qE "exited during the walk|is exiting|No such process" /tmp/exiting.err; then
			gone=$((gone + 1))
		elif [ $rc = 2 ] && grep -qx "mmscope: no process $pid" /tmp/exiting.err; then
			before=$((before + 1))
		else
			echo "mmscope mmid on an exiting task: exit $rc: $(cat /tmp/exiting.err)"
			exit 1
		fi
	done
	echo "$complete complete listings, $gone refused as the task exited, $before after it was reaped"
) > /tmp/exiting.log 2>&1 &
exiting=$!

reads=0
while kill -0 $stress 2>/dev/null; do
	read_all_files || fail "reading the module's files failed"
	reads=$((reads + 1))
done
wait $hotplug
wait $stress || fail "the workload failed: $(cat /tmp/stress.log)"
wait $sweep || fail "per-PFN queries: $(cat /tmp/sweep.log)"
wait $exiting || fail "$(cat /tmp/exiting.log)"
offline=$(cat /tmp/offline-cycles)
echo "ok: $reads passes over every file, $offline memory blocks offlined, $(cat /tmp/stress.log)"
echo "ok: per-PFN queries: $(tr '\n' ' ' < /tmp/sweep.log)"
echo "ok: exiting tasks: $(cat /tmp/exiting.log)"
[ "$offline" -gt 0 ] || fail "no memory block could be offlined: the race was not exercised"
grep -q ' large=[1-9]' /tmp/sweep.log || fail "the sweep met no large folio: the race was not exercised"
for b in /sys/devices/system/memory/memory*; do
	[ "$(cat "$b/state")" = online ] || fail "$b left $(cat "$b/state")"
done
unload_module
exit 0
