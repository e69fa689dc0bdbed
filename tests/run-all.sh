#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make test` and `make check`: host tests and the VM suites, each on the
# kernel it needs; one summary line and a table of margins at the end.
# usage: run-all.sh test|check MAKE BUILD_DIR
#   test   host tests; the debug suite (module, series, reliability; KASAN,
#          lockdep, kmemleak); the release suite (CLI, tracers, DAMON);
#          the large guest; Debian sid's own kernel (unpatched, as users run it)
#   check  host tests and the smoke run on the release kernel
#
# `test` runs in two lanes once what both need is built (test-prep: the
# CLI, the workloads, the release kernel).  Lane A runs the debug suite,
# both vCPUs busy; lane B runs the host tests, the single-threaded TCG
# guests (release, Debian), which leave a core to lane A, and last the big
# and stress guests on the debug kernel (two TCG threads each).  The debug
# kernel, lane A's first need and the longest build, starts with
# test-prep at a low priority, so that it takes only what test-prep leaves
# idle (serial steps, links, fetches), and runs at full priority once
# test-prep is done; whoever asks for it meanwhile waits on
# build-kernel.sh's lock.
# Each line of a lane's output starts with its letter.
set -uo pipefail
mode=$1 make=$2 build=$3
mkdir -p "$build"
t0=$(date +%s)

case $mode in
test) lanes=("A debug:vm" "B host release:release/vm debian:debian/vm big:big/vm stress:stress/vm") ;;
check) lanes=("- host smoke:release/vm-smoke") ;;
*) echo "run-all.sh: unknown mode '$mode' (test or check)" >&2; exit 2 ;;
esac
suites=$(printf '%s\n' "${lanes[@]}" | cut -d' ' -f2- | tr ' ' '\n' | grep : | tr '\n' ' ')
for s in $suites; do
	rm -f "$build/${s#*:}/counts" "$build/${s#*:}/results"
done
rm -f "$build/host-counts" "$build/host-results" "$build"/lane-*.status

# One lane: its steps in order; a failed step does not stop the next.
run_lane() {
	local name=$1 step kind target t status=0
	shift
	for step; do
		kind=${step%%:*}
		case $kind in
		host) target=host-test ;;
		smoke) target=vm-smoke ;;
		*) target=vm-test-$kind ;;
		esac
		t=$(date +%s)
		$make --no-print-directory $target || status=1
		echo "$kind $(( $(date +%s) - t ))" >> "$build/lane-$name.times"
	done
	echo $status > "$build/lane-$name.status"
}

descendants() { # PID
	local p
	for p in $(ps -o pid= --ppid "$1"); do
		echo "$p"
		descendants "$p"
	done
}

status=0
rm -f "$build"/lane-*.times
if [ $mode = test ]; then
	# In this session: a session of its own would be a scheduler autogroup
	# of its own, which shares the CPU equally whatever its nice value.
	nice -n 19 $make --no-print-directory kernel > "$build/early-kernel.log" 2>&1 &
	early=$!
	# Without what test-prep builds the lanes would build it both at once.
	prep=0
	$make --no-print-directory test-prep || prep=1
	# Children forked from here on inherit the new value from their parents.
	renice -n 0 -p "$early" $(descendants "$early") > /dev/null 2>&1
	if [ $prep = 0 ]; then
		lane_pids=()
		for lane in "${lanes[@]}"; do
			set -- $lane
			( run_lane "$@" 2>&1 | sed -u "s/^/$1 /" ) &
			lane_pids+=($!)
		done
		# Not a bare wait: it would reap the early build too, and
		# bash then has no status left to give for it.
		wait "${lane_pids[@]}"
	else
		echo "make test-prep failed: no suite runs (the lanes would both build what it lacks)"
		kill "$early" $(descendants "$early") 2>/dev/null
	fi
	# Lane A asked for the same kernel and so already reported the build's
	# failure; its output is kept for a look.
	wait "$early" 2>/dev/null || echo "early debug kernel build failed: $build/early-kernel.log"
else
	set -- ${lanes[0]}
	run_lane "$@"
fi
# A lane that wrote no status did not finish.
for lane in "${lanes[@]}"; do
	set -- $lane
	[ "$(cat "$build/lane-$1.status" 2>/dev/null)" = 0 ] || status=1
done

read -r pass fail skip < "$build/host-counts" 2>/dev/null || { pass=0 fail=1 skip=0; }
hp=$pass hf=$fail hs=$skip
vp=0 vf=0 vs=0
for s in $suites; do
	kind=${s%%:*} out=$build/${s#*:}
	# A suite that reports no counts failed before or while booting.
	read -r p f k < "$out/counts" 2>/dev/null || { p=0 f=1 k=0; }
	secs=$(cat "$build"/lane-*.times | awk -v k="$kind" '$1 == k { print $2 }')
	echo "vm/$kind: $p passed, $f failed, $k skipped in ${secs:-?}s"
	vp=$((vp + p)) vf=$((vf + f)) vs=$((vs + k))
done
for lane in "${lanes[@]}"; do
	set -- $lane
	[ "$1" = - ] && continue
	echo "lane $1: $(awk '{ printf "%s %ss, ", $1, $2; t += $2 } END { printf "%ds in all", t }' "$build/lane-$1.times")"
done

# Every test with its time against its timeout.  A test above half of its
# limit is named: one slow machine away from a timeout.
echo
echo "margins (time / timeout):"
{
	sed 's/^/host /' "$build/host-results" 2>/dev/null
	for s in $suites; do
		sed "s/^/${s%%:*} /" "$build/${s#*:}/results" 2>/dev/null
	done
} | awk '{
	share = ($5 > 0) ? 100 * $4 / $5 : 0
	# kmemleak is a scan at the end of its guest, with no limit of its own.
	limit = ($5 > 0) ? $5 "s" : "none"
	flag = (share > 50) ? "  ABOVE 50% OF ITS LIMIT" : ""
	printf "  %-8s %-34s %-7s %7.1fs of %6s  %3d%%%s\n", $1, $3, $2, $4, limit, share, flag
	if (share > 50) over++
} END { if (over) printf "%d tests above 50%% of their limit\n", over }' | tee "$build/margins.txt"

fail=$((hf + vf))
# A harness failure with no failed test still fails the run.
[ "$fail" = 0 ] && [ $status != 0 ] && fail=1
echo
echo "host: $hp passed, $hf failed, $hs skipped; vm: $vp passed, $vf failed, $vs skipped;" \
     "$(( $(date +%s) - t0 ))s"
echo "$((hp + vp)) passed, $fail failed, $((hs + vs)) skipped"
[ "$fail" = 0 ]
