#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vm-timeout: 300
# vm-kernel: debug
# The module's lockless MM-ID reads against rmap at full speed: processes
# map, fault, fork, CoW, split (PMD splits, partial MADV_DONTNEED, debugfs
# split_huge_pages), collapse and free THPs and 64 KiB mTHPs continuously
# (tests/workloads/rmap-race.c), while its prober asks mmid/pfn about
# exactly those folios, pfn-sweep asks about all of memory, the census
# runs again and again and SLUB's sheaves files (patch series) are read in a loop.
#
# Passes when every answer was for the PFN asked and self-consistent,
# every worker made progress in every second (a folio whose mapcount lock
# a reader broke wedges the next rmap operation on it for good), and the
# kernel log is clean (the runner checks it).
. /src/tests/vm/lib.sh

SECONDS_TO_RUN=${SECONDS_TO_RUN:-60}
WORKERS=${WORKERS:-6}
MMID=$DBG/mmid
thp=/sys/kernel/mm/transparent_hugepage

[ -w $thp/enabled ] || skip_unless_ours "no THP in this kernel ($thp)"
load_module
[ -e $MMID/pfn ] || skip_unless_ours "the module has no mmid files (CONFIG_MM_ID=n)"

# 2 MiB THPs and 64 KiB mTHPs in MADV_HUGEPAGE regions; the knobs go back
# as they were whatever happens.
before=$(cat $thp/enabled $thp/hugepages-*/enabled)
restore() {
	echo "$saved_enabled" > $thp/enabled
	[ -n "$saved_64k" ] && echo "$saved_64k" > $thp/hugepages-64kB/enabled
	[ -n "$saved_2m" ] && echo "$saved_2m" > $thp/hugepages-2048kB/enabled
}
knob() { sed 's/.*\[\(.*\)\].*/\1/' "$1"; }
saved_enabled=$(knob $thp/enabled)
saved_64k= saved_2m=
[ -e $thp/hugepages-64kB/enabled ] && saved_64k=$(knob $thp/hugepages-64kB/enabled)
[ -e $thp/hugepages-2048kB/enabled ] && saved_2m=$(knob $thp/hugepages-2048kB/enabled)
trap restore EXIT
echo madvise > $thp/enabled || fail "cannot set THP to madvise"
[ -n "$saved_2m" ] && { echo inherit > $thp/hugepages-2048kB/enabled || fail "cannot enable 2 MiB THPs"; }
mthp=no
if [ -n "$saved_64k" ]; then
	echo madvise > $thp/hugepages-64kB/enabled || fail "cannot enable 64 KiB mTHPs"
	mthp=yes
fi
[ -w /sys/kernel/debug/split_huge_pages ] ||
	echo "note: no debugfs split_huge_pages: splits only through partial unmaps"

end=$(($(date +%s) + SECONDS_TO_RUN))

# The census, over and over; each pass must finish and say so.
(
	n=0
	while [ "$(date +%s)" -lt $end ]; do
		cat $MMID/census > /tmp/census.out || { echo "census read failed"; exit 1; }
		grep -q '^pfns_scanned: [1-9]' /tmp/census.out ||
			{ echo "census without pfns_scanned: $(head -3 /tmp/census.out)"; exit 1; }
		n=$((n + 1))
	done
	echo "$n"
) > /tmp/census-loop.log 2>&1 &
census=$!

# SLUB's sheaves files in a loop, where the kernel has the series' file:
# each read queues a work item on every CPU while the workload runs.
(
	n=0
	mount -t debugfs none /sys/kernel/debug 2>/dev/null
	[ -e /sys/kernel/debug/slab/kmalloc-64/sheaves ] || { echo "none"; exit 0; }
	# One process reads every cache's file per round (a cat per file took
	# a whole minute a round under KASAN); -s puts each file on one line.
	while [ "$(date +%s)" -lt $end ]; do
		"$WORKLOADS/readfiles" -s /sys/kernel/debug/slab/*/sheaves > /tmp/table.out ||
			{ echo "reading the sheaves files failed"; exit 1; }
		short=$(grep -v ': .*# node full empty' /tmp/table.out | head -n 1)
		[ -z "$short" ] || { echo "cut short: $short"; exit 1; }
		n=$((n + 1))
	done
	echo "$n"
) > /tmp/tables-loop.log 2>&1 &
tables=$!

# Per-PFN queries over all of memory, answers checked against the PFN asked.
"$WORKLOADS/pfn-sweep" $MMID/pfn "$SECONDS_TO_RUN" > /tmp/sweep.log 2>&1 &
sweep=$!

# The three sweeps above are CPU-bound and would take most of the guest's
# two vCPUs: a little lower priority, so that they run beside the rmap
# workload (and whenever it waits) instead of in its place.
renice -n 5 -p $census $tables $sweep > /dev/null || fail "renice failed"

t0=$(cut -d' ' -f1 /proc/uptime)
"$WORKLOADS/rmap-race" "$SECONDS_TO_RUN" "$WORKERS" $MMID/pfn $MMID/task \
	> /tmp/race.log 2> /tmp/race.err
race_rc=$?
t1=$(cut -d' ' -f1 /proc/uptime)
wait $census; census_rc=$?
wait $tables; tables_rc=$?
wait $sweep; sweep_rc=$?

grep -v '^beat ' /tmp/race.log
cat /tmp/race.err
grep '^beat ' /tmp/race.log
echo "census passes: $(cat /tmp/census-loop.log); sheaf table rounds: $(cat /tmp/tables-loop.log)"
echo "workload: $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s"

[ $race_rc = 0 ] || fail "rmap-race exited $race_rc: $(cat /tmp/race.err)"
[ $census_rc = 0 ] || fail "census loop: $(cat /tmp/census-loop.log)"
[ $tables_rc = 0 ] || fail "sheaf tables loop: $(cat /tmp/tables-loop.log)"
[ $sweep_rc = 0 ] || fail "pfn-sweep: $(cat /tmp/sweep.log)"

tally() { sed -n "s/^rmap-race: .* $1=\([0-9]*\).*/\1/p" /tmp/race.log; }

# Progress in every second.  A second in which the guest itself got
# (almost) no CPU from the host (pulse: under 10 of about 100 10-ms sleeps
# ended) says nothing about rmap and is reported, not judged; too many of
# them and the run says nothing at all.
beats=$(grep -c '^beat ' /tmp/race.log)
[ "$beats" -ge "$SECONDS_TO_RUN" ] || fail "only $beats heartbeats in $SECONDS_TO_RUN s"
field_of() { awk -v k="$1" '/^beat / { for (i = 3; i <= NF; i++) if (index($i, k "=") == 1) { split($i, v, "="); print $2, v[2] } }' /tmp/race.log; }
field_of total > /tmp/beat-total
field_of pulse > /tmp/beat-pulse
zero= starved=
while read -r sec total && read -r _ pulse <&3; do
	[ "$total" = 0 ] || continue
	if [ "$pulse" -lt 10 ]; then
		starved="$starved $sec"
	else
		zero="$zero $sec"
	fi
done < /tmp/beat-total 3< /tmp/beat-pulse
[ -z "$zero" ] || fail "no rmap progress at all in second(s)$zero, though the guest ran"
if [ -n "$starved" ]; then
	echo "note: no progress in second(s)$starved, when the host did not run the guest"
	[ $(echo $starved | wc -w) -le $((SECONDS_TO_RUN / 4)) ] ||
		skip "the host starved the guest in $(echo $starved | wc -w) of $SECONDS_TO_RUN s"
fi
# Each worker: an rmap operation that never completes stops its worker
# for good (and rmap-race fails when one does not stop); a busy guest
# under TCG stalls one for several seconds at most.
longest=$(tally longest_stall)
[ "$longest" -le 15 ] || fail "a worker made no progress for $longest s in a row"

[ "$(tally probes)" -gt 0 ] || fail "the prober asked nothing"
[ "$(tally order9)" -gt 0 ] || fail "the prober met no 2 MiB THP: the race was not exercised"
if [ $mthp = yes ]; then
	[ "$(tally order4)" -gt 0 ] || fail "the prober met no 64 KiB mTHP: the race was not exercised"
fi
grep -q ' large=[1-9]' /tmp/sweep.log || fail "pfn-sweep met no large folio"
n=$(cat /tmp/census-loop.log)
[ "$n" -gt 0 ] 2>/dev/null || fail "no census pass finished"
tables_n=$(cat /tmp/tables-loop.log)
if [ "$tables_n" = none ]; then
	case $(kernel_kind) in
	debian | "") ;;
	*) fail "no SLUB sheaves files (the $(kernel_kind) test kernel has the series' debugfs file)" ;;
	esac
else
	[ "$tables_n" -gt 0 ] 2>/dev/null || fail "no round of the sheaf tables finished"
fi
echo "ok: $n census passes, sheaf tables read $tables_n times"
echo "ok: pfn-sweep: $(tr '\n' ' ' < /tmp/sweep.log)"
echo "ok: rmap progress in each of $beats seconds, no worker still for more than $longest s"

restore
trap - EXIT
expect_eq "THP knobs restored" "$(cat $thp/enabled $thp/hugepages-*/enabled)" "$before"
unload_module
exit 0
