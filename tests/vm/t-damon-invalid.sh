#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vm-kernel: release
# Every class of invalid goal is refused, the message states the rule, and
# not one DAMON sysfs file changes (nor does mmscope -v log a single write).
. /src/tests/vm/damon-lib.sh

damon_reset
start_workload -H 2M --cold 2M -r 5
trap 'kill $WL 2>/dev/null; damon_reset' EXIT

# A configured, stopped kdamond of ours, with values no case below uses.
# -v logs each sysfs write: the control for the 'no write' check below.
mmscope -v damon start --paddr --sample 3ms --aggr 90ms --regions 11,900 7% 5 2ms 50ms 2> /tmp/err ||
	fail "valid start exited $?: $(cat /tmp/err)"
grep -q 'write .*/state < on' /tmp/err || fail "mmscope -v does not log sysfs writes: $(cat /tmp/err)"
mmscope damon stop || fail "stop exited $?"

n=0
refused() {
	want_rule=$1
	shift
	before=$(damon_snapshot)
	mmscope -v damon start "$@" > /tmp/out 2> /tmp/err
	rc=$?
	after=$(damon_snapshot)
	[ $rc = 2 ] || fail "'$*': exit $rc, expected 2 (refused): $(cat /tmp/err)"
	grep -q -- "$want_rule" /tmp/err || fail "'$*': message lacks '$want_rule': $(cat /tmp/err)"
	grep -q 'write ' /tmp/err && fail "'$*': mmscope wrote to sysfs: $(grep 'write ' /tmp/err | head -n 1)"
	[ "$before" = "$after" ] || fail "'$*': DAMON sysfs changed"
	echo "ok: refused $*: $(cat /tmp/err)"
	n=$((n + 1))
}

P="-p $WL"
refused "min_sample_us <= max_sample_us" $P 4% 3 100ms 1ms
refused "min_sample_us <= sample_us <= max_sample_us" $P --sample 200ms --aggr 4s 4% 3 1ms 100ms
refused "min_sample_us <= sample_us <= max_sample_us" $P --sample 500us 4% 3 1ms 100ms
refused "sample_us <= aggr_us" $P --sample 50ms --aggr 10ms 4% 3 1ms 100ms
refused "zero" $P 0% 3 1ms 100ms
refused "zero" $P 0 3 1ms 100ms
refused "tuning off" $P 4% 0 1ms 100ms
refused "is 0" $P 4% 3 0 100ms
refused "is 0" $P 4% 3 0ms 0ms
refused "not a duration" $P 4% 3 5xs 10s
refused "not a duration" $P 4% 3 5ms 10sec
refused "not a duration" $P -- 4% 3 -5ms 10s
refused "not a percentage" $P 4pct 3 5ms 10s
refused "above 100%" $P 101% 3 5ms 10s
refused "whole number" $P 4% 3 0.5us 10s
refused "whole number" $P 4% x 5ms 10s
refused "nr_regions/min >= 3" $P --regions 2,100 4% 3 1ms 100ms
refused "nr_regions/min <= nr_regions/max" $P --regions 200,100 4% 3 1ms 100ms
refused "four words" $P 4% 3 1ms
refused "exactly one of" 4% 3 1ms 100ms
echo "$n invalid goals refused with nothing written"
expect_eq "kdamond still stopped" "$(kd_file 0 state)" off
expect_eq "goal kept" "$(ctx_file 0 monitoring_attrs/intervals/intervals_goal/access_bp)" 700
exit 0
