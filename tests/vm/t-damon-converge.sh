#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vm-kernel: release
# The tuner against a workload whose access pattern is known: the hot set
# (8 of ~34 MiB monitored) is swept 10 times a second, then 40.  Recorded
# with 'damon record', the tuned sampling interval must stay within its
# bounds, the observed ratio must settle around the goal, and the interval
# must get shorter when the access rate rises (a higher rate raises the
# ratio above the goal, and damon_get_intervals_adaptation_bp() then scales
# the interval down).  A second goal gives a second settling time.
. /src/tests/vm/damon-lib.sh

OUT=/mmscope/damon
mkdir -p $OUT
damon_reset
trap 'kill $WL 2>/dev/null; damon_reset' EXIT

# run GOAL SECONDS WORKLOAD-ARGS...: record one convergence into $OUT/GOAL.jsonl
run() {
	goal=$1 secs=$2
	shift 2
	rec=$OUT/converge-$(echo "$goal" | tr -d '%').jsonl
	start_workload "$@"
	rm -f "$rec"
	mmscope damon record -o "$rec" -d "$secs" 2> /tmp/rec.err &
	REC=$!
	wait_recording "$rec"
	# Start at the lower bound, far below the goal, so settling is real.
	mmscope damon start -p "$WL" --sample 1ms --aggr 20ms "$goal" 3 1ms 100ms || fail "start exited $?"
	wait $REC || fail "record exited $?: $(cat /tmp/rec.err)"
	mmscope damon stop || fail "stop exited $?"
	kill $WL
	wait $WL 2>/dev/null
	grep -q '"dropped":0' "$rec" || fail "record dropped events: $(tail -n 1 "$rec")"
	# The bounds hold for every step.
	awk -F'"sample_us":' '/"type":"damon_tune"/ { split($2, a, /[,}]/); n++
		if (a[1] < 1000 || a[1] > 100000) { print "out of bounds: " a[1]; bad = 1 } }
		END { if (n < 5) { print "only " n " tuning steps"; bad = 1 }; exit bad }' "$rec" ||
		fail "$goal: tuned interval out of [1ms, 100ms] or too few steps"
}

# median SAMPLE_US of tune events with FROM <= t < TO
median_sample() {
	awk -F'"t":' -v from="$2" -v to="$3" '/"type":"damon_tune"/ {
		split($2, t, ","); split($0, s, "\"sample_us\":"); split(s[2], v, /[,}]/)
		if (t[1] >= from && t[1] < to) print v[1] }' "$1" | sort -n |
		awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print 0 }'
}

# --- goal 4%, with the access rate rising 4x after 20s -----------------------
run 4% 40 -H 8M --cold 24M -r 10 --change-at 20 -R 40
rec=$OUT/converge-4.jsonl
t0=$(sed -n 's/^{"type":"damon_start".*"realtime":\([0-9.]*\).*/\1/p' "$rec")
[ -n "$t0" ] || fail "no damon_start line with the realtime in $rec"
tp=$(sed -n 's/^phase 40 \([0-9.]*\)/\1/p' /tmp/workload.out)
[ -n "$tp" ] || fail "the workload did not change phase"
ph=$(awk -v a="$t0" -v b="$tp" 'BEGIN { printf "%.2f", b - a }')
echo "phase change at t=${ph}s of the record"

# Phase 1: settles within +-50% of the goal (6-aggregation mean) and stays.
j1=$(mmscope damon report -j --band 50 -w 6 -t "0:$ph" -o $OUT/converge-4-phase1.svg "$rec")
echo "phase 1: $j1"
echo "$j1" | grep -q '"settled":true' || fail "4% did not settle before the phase change: $j1"
s1=$(json_num "$j1" settle_s)
awk -v s="$s1" -v p="$ph" 'BEGIN { exit !(s < p - 5) }' || fail "settled only at ${s1}s, too late to tell"
m1=$(json_num "$j1" mean_ratio_bp)
[ "$m1" -ge 200 ] && [ "$m1" -le 600 ] || fail "mean ratio ${m1}bp after settling is not near 400bp"

# Phase 2: more accesses, so shorter intervals.
before=$(median_sample "$rec" "$(awk -v p="$ph" 'BEGIN { print p - 8 }')" "$ph")
after=$(median_sample "$rec" "$(awk -v p="$ph" 'BEGIN { print p + 5 }')" 1000)
echo "median sampling interval: ${before}us before, ${after}us after the rate went 10 -> 40/s"
[ "$before" -gt 0 ] && [ "$after" -gt 0 ] || fail "no tuning steps around the phase change"
[ $((after * 2)) -lt "$before" ] || fail "interval did not shorten: ${before}us -> ${after}us"
j2=$(mmscope damon report -j --band 50 -w 6 -t "$ph:1000" -o $OUT/converge-4-phase2.svg "$rec")
echo "phase 2: $j2"

# The whole run's plot, kept in the build directory.
mmscope damon report --band 50 -w 6 -o $OUT/converge-4.svg "$rec" > $OUT/converge-4.txt
grep -q '<polyline' $OUT/converge-4.svg && grep -q '</svg>' $OUT/converge-4.svg || fail "SVG incomplete"
tail -n 6 $OUT/converge-4.txt

# --- goal 10%, steady rate ----------------------------------------------------
run 10% 16 -H 8M --cold 24M -r 10
j3=$(mmscope damon report -j --band 50 -w 6 -o $OUT/converge-10.svg $OUT/converge-10.jsonl)
echo "goal 10%: $j3"
echo "$j3" | grep -q '"settled":true' || fail "10% did not settle: $j3"
s3=$(json_num "$j3" settle_s)
# A higher goal needs a longer interval at the same rate.
i1=$(json_num "$j1" settled_sample_us)
i3=$(json_num "$j3" settled_sample_us)
[ "$i3" -gt "$i1" ] || fail "goal 10% settled at ${i3}us, not above goal 4%'s ${i1}us"
echo "SETTLE goal=4% ${s1}s interval=${i1}us; goal=10% ${s3}s interval=${i3}us"
exit 0
