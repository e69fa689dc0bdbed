#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# 'damon record' against the host's own kdamonds, strictly read-only: it
# must see the aggregations of a running paddr kdamond with the sizes its
# sysfs regions give, and the tuning steps when tuning is on; not one DAMON
# sysfs file may change.  mmscope does not start a kdamond here: adding one
# means writing nr_kdamonds, which rebuilds every kdamond directory and is
# refused (EBUSY) while any kdamond runs (mm/damon/sysfs.c).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

admin=/sys/kernel/mm/damon/admin/kdamonds
if [ ! -d $admin ]; then
	echo "SKIP damon-host: no DAMON sysfs interface on this kernel (CONFIG_DAMON_SYSFS)"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "SKIP damon-host: needs root to read DAMON's sysfs files and load BPF"
	exit 0
fi
kd=""
for d in $admin/[0-9]*; do
	[ -d "$d" ] || continue
	if [ "$(cat $d/state)" = on ] && [ "$(cat $d/contexts/0/operations)" = paddr ]; then
		kd=${d##*/}
		break
	fi
done
if [ -z "$kd" ]; then
	echo "SKIP damon-host: no running paddr kdamond on this host to record (mmscope does not start one here, see the header)"
	exit 0
fi
ctx=$admin/$kd/contexts/0
ivs=$ctx/monitoring_attrs/intervals
# The regions of the one paddr target, from sysfs.
region_sz() {
	local r sz=0
	for r in $ctx/targets/0/regions/[0-9]*; do
		[ -d "$r" ] || continue
		sz=$(( sz + $(cat $r/end) - $(cat $r/start) ))
	done
	echo $sz
}
# Region files are left out: the host agent that owns the kdamond may commit
# a new region at any time, and mmscope never writes them in status/record.
snapshot() { find /sys/kernel/mm/damon -type f -readable | grep -v /regions/ | sort | while read -r f; do echo "$f: $(cat "$f" 2>/dev/null)"; done; }
before=$(snapshot)

kpid=$(cat $admin/$kd/pid)
aggr_us=$(cat $ivs/aggr_us)
sample_us=$(cat $ivs/sample_us)
aggrs=$(cat $ivs/intervals_goal/aggrs)
# Record for two and a half aggregation intervals (at least 4s, at most 60s).
secs=$(( aggr_us * 5 / 2 / 1000000 ))
[ $secs -lt 4 ] && secs=4
if [ $secs -gt 60 ]; then
	echo "SKIP damon-host: kdamond $kd aggregates every ${aggr_us}us; recording two aggregations would take over a minute"
	exit 0
fi
out=$(mktemp)
trap 'rm -f $out' EXIT
sz_before=$(region_sz)

# status is read-only for a kdamond mmscope did not start.
st=$("$MMSCOPE" damon status -j) || { echo "FAIL damon-host-status: status -j exited $?"; exit 1; }
if [ "$(jq -r ".kdamonds[$kd].owner" <<< "$st")" = other ] &&
   [ "$(jq -r ".kdamonds[$kd].tuned" <<< "$st")" = false ] &&
   [ "$(jq -r ".kdamonds[$kd].pid" <<< "$st")" = "$kpid" ] &&
   [ "$(jq -r ".kdamonds[$kd].sample_us" <<< "$st")" = "$sample_us" ]; then
	echo "PASS damon-host-status: kdamond $kd (pid $kpid) shown as someone else's, not refreshed"
else
	echo "FAIL damon-host-status: unexpected status for kdamond $kd: $st"
fi

"$MMSCOPE" damon record -k "$kd" -d $secs -o "$out" 2> /dev/null ||
	{ echo "FAIL damon-host-record: record exited $?"; exit 1; }

# Whoever runs the host's kdamond may commit a new region (e.g. after a
# memory resize) while we record: either size is right.
sz_after=$(region_sz)
want_sz="$sz_before"
[ "$sz_after" = "$sz_before" ] || want_sz="$sz_before or $sz_after"
n=$(jq -s '[.[] | select(.type == "aggr")] | length' "$out")
bad=$(jq -s --argjson pid "$kpid" --argjson s1 "$sz_before" --argjson s2 "$sz_after" \
	--argjson ns $((aggr_us / sample_us)) '
	[.[] | select(.type == "aggr") |
	 select(.pid != $pid or ($s1 > 0 and .sz != $s1 and .sz != $s2) or .aggr_samples != $ns or
		.ratio < 0 or .ratio > 1 or .max_nr_accesses > $ns or
		.access_sz > .sz * $ns)] | length' "$out")
if [ "$n" -ge 2 ] && [ "$bad" = 0 ]; then
	echo "PASS damon-host-aggr: $n aggregations of kdamond $kd, each over $want_sz bytes, ratios in [0,1], nr_accesses <= $((aggr_us / sample_us))"
else
	echo "FAIL damon-host-aggr: $n aggregations (want >= 2), $bad inconsistent with sysfs: $(head -c 600 "$out")"
fi

tunes=$(jq -s '[.[] | select(.type == "tune")] | length' "$out")
if [ "$aggrs" = 0 ]; then
	if [ "$tunes" = 0 ]; then
		echo "SKIP damon-host-tune: kdamond $kd has intervals tuning off (intervals_goal/aggrs 0), so there are no tuning steps to record (and none were); mmscope does not start a kdamond of its own while one runs"
	else
		echo "FAIL damon-host-tune: $tunes tuning steps recorded from a kdamond with tuning off"
	fi
else
	lo=$(cat $ivs/intervals_goal/min_sample_us)
	hi=$(cat $ivs/intervals_goal/max_sample_us)
	oob=$(jq -s --argjson lo "$lo" --argjson hi "$hi" '[.[] | select(.type == "tune" and (.sample_us < $lo or .sample_us > $hi))] | length' "$out")
	if [ "$tunes" -ge 1 ] && [ "$oob" = 0 ]; then
		echo "PASS damon-host-tune: $tunes tuning steps, all within [$lo, $hi]us"
	else
		echo "FAIL damon-host-tune: $tunes tuning steps, $oob outside [$lo, $hi]us"
	fi
fi

if [ "$(snapshot)" = "$before" ]; then
	echo "PASS damon-host-readonly: no DAMON sysfs file changed"
else
	echo "FAIL damon-host-readonly: DAMON sysfs changed: $(diff <(echo "$before") <(snapshot) | head -n 4)"
fi
