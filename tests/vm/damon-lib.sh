# SPDX-License-Identifier: GPL-2.0
# Helpers for the t-damon-*.sh guest tests (busybox sh).
. /src/tests/vm/lib.sh

ADMIN=/sys/kernel/mm/damon/admin/kdamonds
[ -d "$ADMIN" ] || skip "no DAMON sysfs interface (CONFIG_DAMON_SYSFS) in this kernel"

# Every readable DAMON sysfs file with its content, one per line, sorted
# (one process: a fork per file made a snapshot of 24 files take 13 s).
damon_snapshot() {
	"$WORKLOADS/readfiles" -s /sys/kernel/mm/damon
}

kd_file() { cat "$ADMIN/$1/$2"; }
ctx_file() { cat "$ADMIN/$1/contexts/0/$2"; }

# Stop every kdamond and forget ownership, so each test starts clean.
damon_reset() {
	n=$(cat "$ADMIN/nr_kdamonds")
	i=0
	while [ "$i" -lt "$n" ]; do
		[ "$(cat "$ADMIN/$i/state")" = on ] && echo off > "$ADMIN/$i/state"
		i=$((i + 1))
	done
	echo 0 > "$ADMIN/nr_kdamonds"
	rm -rf /run/mmscope
}

# A JSON number field of a one-line object: json_num JSON KEY
json_num() { echo "$1" | sed -n "s/.*\"$2\":\([-0-9.e]*\).*/\1/p" | head -n 1; }
json_str() { echo "$1" | sed -n "s/.*\"$2\":\"\([^\"]*\)\".*/\1/p" | head -n 1; }

start_workload() {
	# Gone first: the background job truncates it only once it runs, and
	# the poll below could read the previous workload's pid meanwhile.
	rm -f /tmp/workload.out
	mmscope damon workload "$@" > /tmp/workload.out &
	WL=$!
	# It prints its pid once its memory is populated (after a re-exec).
	n=0
	until grep -q '^pid ' /tmp/workload.out 2>/dev/null; do
		n=$((n + 1))
		[ $n -gt 100 ] && fail "workload did not start"
		sleep 0.1
	done
	WL=$(sed -n 's/^pid \([0-9]*\).*/\1/p' /tmp/workload.out)
}

# wait_recording FILE: until 'damon record' has attached (its start line is
# written after the probes), so no event of what the test starts next is lost.
wait_recording() {
	i=0
	until grep -q '"type":"damon_start"' "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -le 300 ] || fail "damon record did not start within 30s"
		sleep 0.1
	done
}
