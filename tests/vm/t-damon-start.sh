#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vm-kernel: release
# damon start/status/stop on vaddr and paddr: what mmscope writes is what
# DAMON's sysfs files say afterwards, status reports the tuned intervals of
# its own kdamond, and a kdamond mmscope did not start is left alone unless
# named with -k.
. /src/tests/vm/damon-lib.sh

damon_reset
start_workload -H 4M --cold 12M -r 20
trap 'kill $WL 2>/dev/null; damon_reset' EXIT

# --- vaddr ------------------------------------------------------------------
mmscope damon start -p "$WL" --sample 5ms --aggr 100ms --regions 10,500 4% 3 1ms 100ms || fail "start vaddr exited $?"
expect_eq "nr_kdamonds" "$(cat $ADMIN/nr_kdamonds)" 1
expect_eq "state" "$(kd_file 0 state)" on
expect_eq "operations" "$(ctx_file 0 operations)" vaddr
expect_eq "pid_target" "$(ctx_file 0 targets/0/pid_target)" "$WL"
expect_eq "access_bp" "$(ctx_file 0 monitoring_attrs/intervals/intervals_goal/access_bp)" 400
expect_eq "aggrs" "$(ctx_file 0 monitoring_attrs/intervals/intervals_goal/aggrs)" 3
expect_eq "min_sample_us" "$(ctx_file 0 monitoring_attrs/intervals/intervals_goal/min_sample_us)" 1000
expect_eq "max_sample_us" "$(ctx_file 0 monitoring_attrs/intervals/intervals_goal/max_sample_us)" 100000
expect_eq "nr_regions/min" "$(ctx_file 0 monitoring_attrs/nr_regions/min)" 10
expect_eq "nr_regions/max" "$(ctx_file 0 monitoring_attrs/nr_regions/max)" 500
kpid=$(kd_file 0 pid)
grep -qx "pid=$kpid" /run/mmscope/damon-kdamond.0 || fail "ownership file does not hold kdamond pid $kpid"
[ "$(cat /proc/$kpid/comm | cut -c1-8)" = kdamond. ] || fail "pid $kpid is not a kdamond"

# Once it has tuned, status must show the tuned values, read from sysfs.
n=0
until json=$(mmscope damon status -j) && [ "$(json_num "$json" sample_us)" != 5000 ]; do
	n=$((n + 1))
	[ $n -le 150 ] || fail "sample_us still the initial 5ms after 30s of tuning: $json"
	sleep 0.2
done
echo "$json"
expect_eq "status owner" "$(json_str "$json" owner)" mmscope
expect_eq "status state" "$(json_str "$json" state)" on
expect_eq "status pid" "$(json_num "$json" pid)" "$kpid"
expect_eq "status target" "$(json_num "$json" target_pid)" "$WL"
echo "$json" | grep -q '"tuned":true' || fail "status did not fetch tuned intervals"
s=$(json_num "$json" sample_us)
a=$(json_num "$json" aggr_us)
# update_tuned_intervals copied the tuned values into the files status read.
expect_eq "sample_us file after status" "$(ctx_file 0 monitoring_attrs/intervals/sample_us)" "$s"
[ "$s" -ge 1000 ] && [ "$s" -le 100000 ] || fail "tuned sample_us $s outside [1ms, 100ms]"
[ "$s" != 5000 ] || fail "sample_us still the initial 5ms after 4s of tuning"
# The tuner keeps aggr/sample (20 samples per aggregation).
[ $((a / s)) -eq 20 ] || fail "aggr_us $a is not 20 x sample_us $s"
mmscope damon status | tee /tmp/status.txt
grep -q 'kdamond 0 (started by mmscope)' /tmp/status.txt || fail "text status does not say mmscope started it"
grep -q 'goal: 4.00% (400 bp) over 3 aggregations, sampling interval 1ms..100ms' /tmp/status.txt ||
	fail "text status does not show the goal"

# tune changes our running kdamond's goal online: same kdamond, new goal.
mmscope damon tune 2% 2 1ms 100ms || fail "tune exited $?"
expect_eq "tuned access_bp" "$(ctx_file 0 monitoring_attrs/intervals/intervals_goal/access_bp)" 200
expect_eq "tuned aggrs" "$(ctx_file 0 monitoring_attrs/intervals/intervals_goal/aggrs)" 2
expect_eq "pid after tune" "$(kd_file 0 pid)" "$kpid"
expect_eq "status after tune" "$(json_num "$(mmscope damon status -j)" access_bp)" 200

# A second start while ours runs is refused and changes nothing.
before=$(damon_snapshot)
mmscope damon start -p "$WL" 4% 3 1ms 100ms 2> /tmp/err && fail "second start accepted"
grep -q 'still running' /tmp/err || fail "second start: $(cat /tmp/err)"
[ "$(damon_snapshot)" = "$before" ] || fail "refused start changed DAMON sysfs"

mmscope damon stop || fail "stop exited $?"
expect_eq "state after stop" "$(kd_file 0 state)" off
# Ownership outlives stop: the stopped directory is ours to reuse.
[ -e /run/mmscope/damon-kdamond.0 ] || fail "ownership file gone after stop"
mmscope damon stop 2> /tmp/err && fail "stop with nothing running succeeded"

# --- paddr: the region is the largest System RAM range --------------------
want=$(awk -F'[- :]+' '/^[0-9a-f]+-[0-9a-f]+ : System RAM/ {
	s = strtonum("0x" $1); e = strtonum("0x" $2) + 1
	if (e - s > best) { best = e - s; bs = s; be = e } }
	END { printf "%d %d", bs, be }' /proc/iomem 2>/dev/null)
case $want in
*[0-9]\ [0-9]*) ;;
*)	# busybox awk without strtonum: printf converts hex itself
	want=$(grep -E '^[0-9a-f]+-[0-9a-f]+ : System RAM' /proc/iomem | while IFS='- ' read -r s e rest; do
		echo "$(( 0x$e + 1 - 0x$s )) $(( 0x$s )) $(( 0x$e + 1 ))"; done | sort -n | tail -n 1 | cut -d' ' -f2-) ;;
esac
mmscope damon start --paddr --sample 10ms --aggr 200ms 2% 2 1ms 100ms || fail "start paddr exited $?"
expect_eq "paddr reuses our kdamond" "$(cat $ADMIN/nr_kdamonds)" 1
expect_eq "operations" "$(ctx_file 0 operations)" paddr
expect_eq "region" "$(ctx_file 0 targets/0/regions/0/start) $(ctx_file 0 targets/0/regions/0/end)" "$want"
expect_eq "state" "$(kd_file 0 state)" on
json=$(mmscope damon status -k 0 -j) || fail "status -k 0 exited $?"
expect_eq "paddr status operations" "$(json_str "$json" operations)" paddr
expect_eq "paddr status access_bp" "$(json_num "$json" access_bp)" 200
mmscope damon stop || fail "stop paddr exited $?"
expect_eq "state after stop" "$(kd_file 0 state)" off

# --- a kdamond someone else started ----------------------------------------
# Started by hand through sysfs, tuning on: mmscope must not stop it, must
# not refresh its intervals (that would rewrite sample_us), and must not
# reuse its directory without -k.
echo vaddr > $ADMIN/0/contexts/0/operations
echo "$WL" > $ADMIN/0/contexts/0/targets/0/pid_target
echo 0 > $ADMIN/0/contexts/0/targets/0/regions/nr_regions
echo 5000 > $ADMIN/0/contexts/0/monitoring_attrs/intervals/sample_us
echo 100000 > $ADMIN/0/contexts/0/monitoring_attrs/intervals/aggr_us
echo on > $ADMIN/0/state || fail "starting a foreign kdamond by hand failed"
# Give its tuner time to move sample_us, so that a refresh by mmscope
# below would show (nothing to wait for: the files change only on refresh).
sleep 2
mmscope damon stop 2> /tmp/err && fail "stop stopped a kdamond mmscope did not start"
expect_eq "foreign kdamond state" "$(kd_file 0 state)" on
json=$(mmscope damon status -j) || fail "status exited $?"
expect_eq "foreign owner" "$(json_str "$json" owner)" other
[ -e /run/mmscope/damon-kdamond.0 ] && fail "stale ownership file kept for a kdamond someone else restarted"
echo "$json" | grep -q '"tuned":false' || fail "status refreshed a foreign kdamond: $json"
expect_eq "foreign sample_us untouched" "$(ctx_file 0 monitoring_attrs/intervals/sample_us)" 5000
mmscope damon start -p "$WL" 4% 3 1ms 100ms 2> /tmp/err && fail "start took a foreign kdamond"
grep -q -- '-k IDX' /tmp/err || fail "refusal does not say how to name one: $(cat /tmp/err)"
# tune, too, leaves a foreign kdamond alone unless named, and checks the
# goal against its sysfs sample_us (5ms) before writing anything.
before=$(damon_snapshot)
mmscope damon tune 4% 3 1ms 100ms 2> /tmp/err && fail "tune changed a foreign kdamond without -k"
grep -q -- '-k IDX' /tmp/err || fail "tune refusal does not say how to name one: $(cat /tmp/err)"
mmscope damon tune -k 0 4% 3 10ms 100ms 2> /tmp/err && fail "tune accepted bounds that exclude sample_us"
grep -q 'min_sample_us <= sample_us <= max_sample_us' /tmp/err || fail "tune refusal does not state DAMON's rule: $(cat /tmp/err)"
[ "$(damon_snapshot)" = "$before" ] || fail "refused tune changed DAMON sysfs"
fpid=$(kd_file 0 pid)
mmscope damon tune -k 0 4% 3 1ms 100ms || fail "tune -k 0 exited $?"
expect_eq "foreign aggrs after tune -k" "$(ctx_file 0 monitoring_attrs/intervals/intervals_goal/aggrs)" 3
n=0
until echo update_tuned_intervals > $ADMIN/0/state &&
      [ "$(ctx_file 0 monitoring_attrs/intervals/sample_us)" != 5000 ]; do
	n=$((n + 1))
	[ $n -le 150 ] || fail "a goal committed with tune -k 0 did not tune (sample_us still 5ms after 30s)"
	sleep 0.2
done
mmscope damon tune -k 0 off || fail "tune -k 0 off exited $?"
expect_eq "goal after off" "$(for f in access_bp aggrs min_sample_us max_sample_us; do
	ctx_file 0 monitoring_attrs/intervals/intervals_goal/$f; done | tr '\n' ' ')" "0 0 0 0 "
expect_eq "pid after tune on/off" "$(kd_file 0 pid)" "$fpid"
mmscope damon stop -k 0 || fail "stop -k 0 exited $?"
expect_eq "foreign kdamond stopped by index" "$(kd_file 0 state)" off
# Named by index, a stopped foreign kdamond may be reused.
mmscope damon start -k 0 -p "$WL" 4% 3 1ms 100ms || fail "start -k 0 exited $?"
expect_eq "state" "$(kd_file 0 state)" on
mmscope damon stop || fail "stop after -k start exited $?"
exit 0
