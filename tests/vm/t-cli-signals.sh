#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vm-kernel: release
# Ctrl-C, SIGTERM and SIGHUP in the middle of what changes the machine put
# it back as it was: 'bench mapcount' restores the THP and mTHP 'enabled'
# knobs, and 'damon start' stopped while it writes leaves no kdamond
# running and DAMON's sysfs as before.
. /src/tests/vm/damon-lib.sh

THP=/sys/kernel/mm/transparent_hugepage
[ -w $THP/enabled ] || skip "no writable $THP/enabled on this kernel"
knobs() { for f in $THP/enabled $THP/hugepages-*/enabled; do echo "$f $(cat "$f")"; done; }
# The field report's starting point: madvise, 2M inherit, 64K never.
echo madvise > $THP/enabled
[ -w $THP/hugepages-2048kB/enabled ] && echo inherit > $THP/hugepages-2048kB/enabled
[ -w $THP/hugepages-64kB/enabled ] && echo never > $THP/hugepages-64kB/enabled
knobs > /tmp/knobs.before

# --- bench: a signal once it has changed the knobs ----------------------------
for sig in INT TERM HUP; do
	mmscope bench mapcount -m 32 --runs 50 > /tmp/bench.out 2>&1 &
	pid=$!
	n=0
	until ! knobs | cmp -s - /tmp/knobs.before; do
		n=$((n + 1)); [ $n -gt 300 ] && fail "bench never changed a THP knob: $(cat /tmp/bench.out)"
		kill -0 $pid 2>/dev/null || fail "bench ended before changing a knob: $(cat /tmp/bench.out)"
		sleep 0.1
	done
	knobs > /tmp/knobs.during
	kill -$sig $pid
	wait $pid
	rc=$?
	[ $rc -gt 128 ] || fail "bench exited $rc on SIG$sig, not by the signal"
	knobs | cmp -s - /tmp/knobs.before ||
		fail "SIG$sig in bench left the knobs changed: $(knobs | diff /tmp/knobs.before - | tr '\n' ' ')"
	echo "ok: SIG$sig in bench (knobs were: $(grep -v "$(head -1 /tmp/knobs.before)" /tmp/knobs.during | head -2 | tr '\n' ' ')) restored them"
done

# --- damon start: a signal between its sysfs writes ---------------------------
damon_reset
start_workload -H 2M --cold 2M -r 5
trap 'kill $WL 2>/dev/null; damon_reset' EXIT
nr_before=$(cat $ADMIN/nr_kdamonds)
for sig in 2 15 1; do
	# -v prints a line before each write; with room for about six of
	# them, damon start blocks on the next one with the kdamond half set up.
	$WORKLOADS/sig-midway 600 $sig mmscope -v damon start -p "$WL" 4% 3 1ms 100ms \
		> /tmp/mid.out 2> /tmp/mid.err
	cat /tmp/mid.err
	expect_eq "damon start's end on signal $sig" "$(cat /tmp/mid.out)" "signal $sig"
	grep -q 'write .*/kdamonds/[0-9]*/contexts/nr_contexts' /tmp/mid.err ||
		fail "the signal came before damon start wrote anything: not the middle"
	grep -q 'write .*/state < on' /tmp/mid.err && fail "the signal came after 'state on': not the middle"
	expect_eq "nr_kdamonds after signal $sig" "$(cat $ADMIN/nr_kdamonds)" "$nr_before"
	for d in $ADMIN/[0-9]*; do
		[ -d "$d" ] || continue
		expect_eq "$(basename "$d")'s state after signal $sig" "$(cat "$d/state")" off
	done
	echo "ok: signal $sig in the middle of damon start: no kdamond running, nr_kdamonds $nr_before"
done
# ... and it still starts when left alone.
mmscope damon start -p "$WL" 4% 3 1ms 100ms || fail "damon start after the signals exited $?"
mmscope damon stop || fail "damon stop exited $?"
exit 0
