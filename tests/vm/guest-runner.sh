#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the guest: every tests/vm/t-*.sh (or those matching $1), one
# at a time, each with a timeout, each followed by a kernel-log check.
# Prints one "MMSCOPE-RESULT <PASS|FAIL|SKIP> <name> <secs> <limit> <reason>"
# line per test; the host turns those into its report and its table of
# margins (time against timeout).
filter=${1:-*}
dir=/src/tests/vm
logs=${MMSCOPE_VM_LOGS:-/mmscope/vm/tests}
timeout_s=${MMSCOPE_TEST_TIMEOUT:-300}
mkdir -p "$logs"
rm -f "$logs"/*.log

. "$dir/lib.sh"

now() { cut -d' ' -f1 /proc/uptime; }

# Processes a test left behind: every process of the test's session
# ($1, see below).  timeout kills only the test's shell; a workload it
# started is reparented to init and would go on holding the module's files
# open into the next test.
kill_leftovers() {
	local pids
	pids=$(awk -v sid="$1" 'FNR == 1 {
		rest = $0; sub(/^.*\) /, "", rest); split(rest, f, " ")
		if (f[4] == sid) { pid = FILENAME; sub("^/proc/", "", pid); sub("/stat$", "", pid); print pid }
	}' /proc/[0-9]*/stat 2>/dev/null)
	[ -n "$pids" ] || return 0
	kill -9 $pids 2>/dev/null
	sleep 0.5
	echo "runner: killed processes the test left behind: $pids"
}

# Kernel log lines stamped between uptimes $1 and $2: what the kernel said
# while a test ran.
kernel_log_between() {
	dmesg | awk -v a="$1" -v b="$2" '
	match($0, /^\[ *[0-9]+\.[0-9]+\]/) {
		t = substr($0, RSTART + 1, RLENGTH - 2) + 0
		if (t >= a && t <= b + 1) print
	}'
}

# Leaks that predate the suite are not ours: report only new ones.
KMEMLEAK=/sys/kernel/debug/kmemleak
if [ -w $KMEMLEAK ]; then
	echo scan > $KMEMLEAK
	echo clear > $KMEMLEAK
fi
rm -f /tmp/mmscope-ranges

failed=0
for t in "$dir"/t-*.sh; do
	name=$(basename "$t" .sh)
	name=${name#t-}
	selected=
	set -f	# comma-separated patterns for test names, not files
	for pattern in $(echo "$filter" | tr , ' '); do
		case $name in $pattern) selected=1 ;; esac
	done
	set +f
	[ -n "$selected" ] || continue
	log=$logs/$name.log
	splats_before=$(kernel_splats | wc -l)
	t0=$(now)
	# A test may ask for more time: a "# vm-timeout: SECONDS" line.
	limit=$(sed -n 's/^# vm-timeout: *\([0-9][0-9]*\)$/\1/p' "$t")
	limit=${limit:-$timeout_s}
	# busybox timeout runs the command as itself (its watchdog is the
	# child), and setsid makes that pid a session of its own: $! is the
	# session every process of the test belongs to.
	timeout -s KILL "$limit" setsid sh "$t" > "$log" 2>&1 &
	test_sid=$!
	wait $test_sid
	rc=$?
	kill_leftovers $test_sid >> "$log"
	secs=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')
	reason=$(grep -E '^(FAIL|SKIP): ' "$log" | head -n 1 | cut -d' ' -f2-)
	new_splats=$(kernel_splats | tail -n +$((splats_before + 1)))
	if [ -n "$new_splats" ]; then
		status=FAIL
		reason="kernel log: $(echo "$new_splats" | head -n 1)"
		dmesg >> "$log"
	elif [ $rc = 0 ]; then
		status=PASS
	elif [ $rc = 77 ]; then
		status=SKIP
		[ -n "$reason" ] || reason="skipped without a reason (a bug in the test)"
	elif [ $rc = 137 ]; then
		status=FAIL
		reason="timed out after ${limit}s"
	else
		status=FAIL
		[ -n "$reason" ] || reason="exit status $rc"
	fi
	if [ $status = FAIL ]; then
		failed=1
		# Enough to act on without the serial log: the end of the
		# test's own output and what the kernel said meanwhile.
		tail -n 25 "$log" | sed "s/^/    $name| /"
		kernel_log_between "$t0" "$(now)" > /tmp/klog.$$
		echo "    $name| --- kernel log during the test ($(wc -l < /tmp/klog.$$) lines, last 25) ---"
		tail -n 25 /tmp/klog.$$ | sed "s/^/    $name| /"
		cat /tmp/klog.$$ >> "$log"
		rm -f /tmp/klog.$$
	fi
	echo "MMSCOPE-RESULT $status $name $secs $limit $reason"
done

# After the suite: any unreferenced object allocated from mmscope's code
# (by symbol while loaded, by address range after unload) is a leak.
# The host asks for it with the whole debug suite (tests/vm/suite.sh).
if [ -w $KMEMLEAK ] && [ "${MMSCOPE_KMEMLEAK:-}" = 1 ]; then
	grep -q '^mmscope ' /proc/modules && rmmod mmscope
	t0=$(now)
	echo scan > $KMEMLEAK
	echo scan > $KMEMLEAK
	cat $KMEMLEAK > $logs/kmemleak.log
	leaks=$(kmemleak_mmscope_leaks $logs/kmemleak.log)
	secs=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')
	total=$(grep -c '^unreferenced object' $logs/kmemleak.log)
	if [ "$leaks" = 0 ]; then
		echo "MMSCOPE-RESULT PASS kmemleak $secs 0 no leak from mmscope ($total unreferenced objects elsewhere)"
	else
		failed=1
		grep -A 12 '^unreferenced object' $logs/kmemleak.log | head -n 40 | sed 's/^/    kmemleak| /'
		echo "MMSCOPE-RESULT FAIL kmemleak $secs 0 $leaks objects leaked from mmscope"
	fi
elif [ "${MMSCOPE_KMEMLEAK:-}" = 1 ]; then
	echo "MMSCOPE-RESULT SKIP kmemleak 0 0 this kernel has no CONFIG_DEBUG_KMEMLEAK"
fi
exit $failed
