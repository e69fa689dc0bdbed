#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# 'damon record' and 'damon tune' against the host's own paddr kdamond: the
# record must see its aggregations with the sizes its sysfs regions give,
# and its tuning steps.  mmscope does not start a kdamond here: adding one
# means writing nr_kdamonds, which rebuilds every kdamond directory and is
# refused (EBUSY) while any kdamond runs (mm/damon/sysfs.c).  When the
# host's kdamond has tuning off, the test turns it on by index with both
# bounds pinned to the kdamond's own sampling interval, so the intervals it
# monitors with cannot move, and clears the goal again after: every DAMON
# sysfs file must end as it began.
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
n=$(jq -s '[.[] | select(.type == "damon_aggr")] | length' "$out")
bad=$(jq -s --argjson pid "$kpid" --argjson s1 "$sz_before" --argjson s2 "$sz_after" \
	--argjson ns $((aggr_us / sample_us)) '
	[.[] | select(.type == "damon_aggr") |
	 select(.pid != $pid or ($s1 > 0 and .sz != $s1 and .sz != $s2) or .aggr_samples != $ns or
		.ratio < 0 or .ratio > 1 or .max_nr_accesses > $ns or
		.access_sz > .sz * $ns)] | length' "$out")
if [ "$n" -ge 2 ] && [ "$bad" = 0 ]; then
	echo "PASS damon-host-aggr: $n aggregations of kdamond $kd, each over $want_sz bytes, ratios in [0,1], nr_accesses <= $((aggr_us / sample_us))"
else
	echo "FAIL damon-host-aggr: $n aggregations (want >= 2), $bad inconsistent with sysfs: $(head -c 600 "$out")"
fi

# One schema for every record; 'mmscope report' lists the file as 'damon
# report' does, one line per aggregation with its ratio.
validate="/usr/bin/python3 $(dirname "$0")/validate-jsonl.py"
if v=$($validate < "$out"); then
	echo "PASS damon-host-record-schema: $v"
else
	echo "FAIL damon-host-record-schema: $v"
fi
[ "$(head -n 1 "$out" | jq -r '.type + " " + .command[0] + " " + .command[1]')" = "header damon record" ] ||
	echo "FAIL damon-host-record-header: the first line is not the record header: $(head -n 1 "$out")"
rep=$("$MMSCOPE" report "$out") || echo "FAIL damon-host-report: mmscope report exited $?"
nrep=$(grep -c '^ *[0-9.]*  aggr  ' <<< "$rep")
nratio=$(jq -s '[.[] | select(.type == "damon_aggr" and .ratio != null)] | length' "$out")
if [ "$nrep" = "$nratio" ] && grep -q '^recorded [0-9]* tuning steps and '"$n"' aggregations' <<< "$rep"; then
	echo "PASS damon-host-report: mmscope report lists the $nrep aggregations and the end line"
else
	echo "FAIL damon-host-report: $nrep aggr lines for $nratio aggregations with a ratio: $(head -c 600 <<< "$rep")"
fi
# The aggregation event's tp_btf program refused at load (made real by
# MMSCOPE_FAULT_ATTACH): the record falls back to raw_tp and still sees
# every aggregation.
fb=$(mktemp)
if MMSCOPE_FAULT_ATTACH=tp_btf:damon_aggregated "$MMSCOPE" -v damon record -k "$kd" -d $secs -o "$fb" 2> "$fb.err" &&
   grep -q 'DAMON aggregations: attaching raw_tp:damon_aggregated' "$fb.err" &&
   [ "$(jq -s '[.[] | select(.type == "damon_aggr" and .pid == '"$kpid"')] | length' "$fb")" -ge 2 ]; then
	echo "PASS damon-host-record-fallback: tp_btf:damon_aggregated refused, raw_tp records the aggregations"
else
	echo "FAIL damon-host-record-fallback: $(grep -v '^libbpf' "$fb.err" | tail -n 5)"
fi
rm -f "$fb" "$fb.err"
# A record that cannot start leaves no file behind.
gone=$(mktemp -u)
if "$MMSCOPE" damon record -k 99 -d 1 -o "$gone" 2> /dev/null; then
	echo "FAIL damon-host-record-fail: a record of kdamond 99 succeeded"
elif [ -e "$gone" ]; then
	echo "FAIL damon-host-record-fail: the failed record left $gone"; rm -f "$gone"
else
	echo "PASS damon-host-record-fail: a failed record (no kdamond 99) leaves no file"
fi

check_tunes() {	# FILE LO HI WHAT
	local n oob
	n=$(jq -s '[.[] | select(.type == "damon_tune")] | length' "$1")
	oob=$(jq -s --argjson lo "$2" --argjson hi "$3" --argjson pid "$kpid" \
		'[.[] | select(.type == "damon_tune" and (.sample_us < $lo or .sample_us > $hi or .pid != $pid))] | length' "$1")
	if [ "$n" -ge 1 ] && [ "$oob" = 0 ]; then
		echo "PASS damon-host-tune: $n tuning steps of kdamond $kd ($4), all by pid $kpid within [$2, $3]us"
	else
		echo "FAIL damon-host-tune: $n tuning steps (want >= 1), $oob not by pid $kpid or outside [$2, $3]us ($4)"
	fi
}
if [ "$aggrs" = 0 ]; then
	tunes=$(jq -s '[.[] | select(.type == "damon_tune")] | length' "$out")
	[ "$tunes" = 0 ] || echo "FAIL damon-host-tune-off: $tunes tuning steps recorded from a kdamond with tuning off"
	# 100% is out of reach, so every step is a tuning event (a step that
	# would keep the interval is skipped, mm/damon/core.c); the pinned
	# bounds keep the interval where it was.
	trap '"$MMSCOPE" damon tune -k "$kd" off > /dev/null 2>&1; rm -f $out' EXIT
	if msg=$("$MMSCOPE" damon tune -k "$kd" 100% 1 "$sample_us" "$sample_us" 2>&1); then
		# The first step comes within two aggregations of the commit.
		"$MMSCOPE" damon record -k "$kd" -d $(( aggr_us * 7 / 2 / 1000000 + 1 )) -o "$out" 2> /dev/null ||
			echo "FAIL damon-host-tune: record exited $?"
		off=$("$MMSCOPE" damon tune -k "$kd" off 2>&1) || echo "FAIL damon-host-tune: 'tune -k $kd off' failed: $off"
		check_tunes "$out" "$sample_us" "$sample_us" "goal 100% 1 ${sample_us}us ${sample_us}us set with 'damon tune -k $kd'"
		[ "$(cat $admin/$kd/pid)" = "$kpid" ] ||
			echo "FAIL damon-host-tune: kdamond $kd's pid changed from $kpid to $(cat $admin/$kd/pid)"
	else
		echo "FAIL damon-host-tune: 'damon tune -k $kd' refused: $msg"
	fi
else
	check_tunes "$out" "$(cat $ivs/intervals_goal/min_sample_us)" "$(cat $ivs/intervals_goal/max_sample_us)" "its own goal"
fi

if [ "$(snapshot)" = "$before" ]; then
	echo "PASS damon-host-restored: every DAMON sysfs file as before"
else
	echo "FAIL damon-host-restored: DAMON sysfs changed: $(diff <(echo "$before") <(snapshot) | head -n 4)"
fi
