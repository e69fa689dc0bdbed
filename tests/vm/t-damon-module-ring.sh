#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vm-kernel: debug release
# The module's ring (damon/recent; probes found by name, DAMON exports
# nothing) and a BPF 'damon record' of the same run list the same tuning
# steps and the same aggregation ratios, paired by position (the ring is the
# record's tail) and within 100 ms of each other.  With
# the patch series' tune event, both carry what the tuner decided from
# (aggr_samples, access_bp, score_bp), they agree, and the tuner's observed
# ratio is the ratio the module computed for the aggregation it scored.
# The debug kernel is built without DWARF and so without BTF (a third of
# its build time): there the ring's probes run under KASAN and lockdep and
# the ring is checked against itself; the release kernel adds the record.
. /src/tests/vm/damon-lib.sh

load_module
mount -t debugfs none /sys/kernel/debug 2>/dev/null
[ "$(field "$DBG/features" CONFIG_DAMON | cut -c1)" = y ] || skip_unless_ours "no CONFIG_DAMON"
score=$(field "$DBG/features" patch_damon_tune_score | cut -c1)
case $(kernel_kind) in
debug | big) with_bpf=0 ;;
*) with_bpf=1 ;;
esac

damon_reset
trap 'kill $WL 2>/dev/null; damon_reset; echo 0 > $DBG/damon/enable' EXIT
grep -q 'not recording' $DBG/damon/recent || fail "recent before enable: $(cat $DBG/damon/recent)"
echo 1 > $DBG/damon/enable || fail "enable failed"
expect_eq "enable" "$(cat $DBG/damon/enable)" 1

start_workload -H 4M --cold 12M -r 10
# Until stopped: a fixed duration ran out before the kdamond was stopped
# when the guest was slow, and the record then missed the last events.
if [ $with_bpf = 1 ]; then
	mmscope damon record -o /tmp/ring.jsonl &
	REC=$!
	wait_recording /tmp/ring.jsonl
fi
mmscope damon start -p "$WL" --sample 1ms --aggr 20ms 4% 3 1ms 100ms || fail "start exited $?"
# Until the ring holds several tuning steps and aggregations.
n=0
until [ "$(grep -c '^tune ' $DBG/damon/recent)" -ge 4 ] &&
      [ "$(grep -c '^aggr ' $DBG/damon/recent)" -ge 8 ]; do
	n=$((n + 1))
	[ $n -le 600 ] || fail "fewer than 4 tuning steps in 60s: $(cat $DBG/damon/recent)"
	sleep 0.1
done
# Stop DAMON, then the record, so both saw every event of the run.
mmscope damon stop || fail "stop exited $?"
if [ $with_bpf = 1 ]; then
	kill -INT $REC
	wait $REC || fail "record exited $?"
fi
cat $DBG/damon/recent > /tmp/recent.txt
echo 0 > $DBG/damon/enable
head -n 5 /tmp/recent.txt

kpid=$(sed -n 's/^kdamond pid \([0-9]*\) .*/\1/p' /tmp/recent.txt | head -n 1)
[ -n "$kpid" ] || fail "no kdamond in the ring"
# "ts value" lines from both sides, for the kdamond, oldest first.
grep '^tune ' /tmp/recent.txt | awk '{ print $2, $4 }' > /tmp/m.tune
grep '^aggr ' /tmp/recent.txt | awk '{ print $2, $4 }' > /tmp/m.aggr
if [ $with_bpf = 1 ]; then
	grep "\"type\":\"damon_tune\".*\"pid\":$kpid," /tmp/ring.jsonl |
		sed 's/.*"ts_ns":\([0-9]*\).*"sample_us":\([0-9]*\).*/\1 \2/' > /tmp/b.tune
	grep "\"type\":\"damon_aggr\".*\"pid\":$kpid," /tmp/ring.jsonl |
		sed 's/.*"ts_ns":\([0-9]*\).*"ratio_bp":\([0-9]*\).*/\1 \2/' > /tmp/b.aggr
fi
for kind in tune aggr; do
	nm=$(wc -l < /tmp/m.$kind)
	[ "$nm" -ge 3 ] || fail "module ring holds only $nm $kind events"
	! grep -qv '^[0-9][0-9]* [0-9][0-9]*$' /tmp/m.$kind ||
		fail "module $kind lines without a time and a value: $(head -n 3 /tmp/m.$kind)"
	if [ $with_bpf = 0 ]; then
		echo "module $kind: $nm (the BPF record is compared on the release kernel)"
		continue
	fi
	nb=$(wc -l < /tmp/b.$kind)
	[ "$nb" -ge "$nm" ] || fail "BPF record has $nb $kind events, fewer than the ring's $nm"
	# The ring holds the run's last events (all of them unless it wrapped)
	# and the record all of the run's: the ring is the record's tail, in
	# the same order with the same values.  Pairs are matched by position:
	# the two probes run back to back, but a host that deschedules the
	# vCPU between them (TCG on a loaded machine) can stretch their gap
	# past any window narrower than an aggregation.  The timestamps only
	# have to be within 100 ms, a check that the pair is one event.
	tail -n "$nm" /tmp/b.$kind | paste -d ' ' - /tmp/m.$kind |
		awk -v kind=$kind -v nm=$nm '
		{ d = $1 - $3; if (d < 0) d = -d
		  if ($2 != $4) { print kind " " NR " at " $3 ": module " $4 ", BPF " $2; exit 1 }
		  if (d > 100000000) { print kind " " NR ": module at " $3 ", BPF at " $1; exit 1 }
		  m++ }
		END { print m + 0 " of " nm " " kind " events agree"; if (m != nm) exit 1 }' ||
		fail "module ring and BPF record disagree on $kind"
	echo "module $kind: $nm, BPF $kind: $nb"
done

# The tune event's inputs are the series' (patches/ mm/damon: trace what the
# intervals auto-tuner decided): our kernels must have them.
if [ "$score" != y ]; then
	case $(kernel_kind) in
	debian | "") exit 0 ;;
	*) fail "no patched tune event (patch_damon_tune_score: $score; the $(kernel_kind) test kernel must have it)" ;;
	esac
fi
# "ts aggr_samples access_bp score_bp" from both sides.
grep '^tune ' /tmp/recent.txt | awk '{ print $2, $6, $8, $10 }' > /tmp/m.score
[ $with_bpf = 0 ] || grep "\"type\":\"damon_tune\".*\"pid\":$kpid," /tmp/ring.jsonl |
	sed 's/.*"ts_ns":\([0-9]*\).*"aggr_samples":\([0-9]*\),"access_bp":\([0-9]*\),"score_bp":\([0-9]*\).*/\1 \2 \3 \4/' > /tmp/b.score
head -n 3 /tmp/m.score
[ -s /tmp/m.score ] && ! grep -qv '^[0-9]* [0-9][0-9]* [0-9][0-9]* [0-9][0-9]*$' /tmp/m.score ||
	fail "tune lines without the tuner's inputs: $(head -n 3 /tmp/m.score)"
# Paired by position, as above: the ring's tune events are the record's last.
nm=$(wc -l < /tmp/m.score)
if [ $with_bpf = 1 ]; then
	tail -n "$nm" /tmp/b.score | paste -d ' ' - /tmp/m.score |
		awk -v nm="$nm" '
		{ d = $1 - $5; if (d < 0) d = -d
		  if ($2 " " $3 " " $4 != $6 " " $7 " " $8) {
			print "tune at " $5 ": module " $6 " " $7 " " $8 ", BPF " $2 " " $3 " " $4; exit 1 }
		  if (d > 100000000) { print "tune " NR ": module at " $5 ", BPF at " $1; exit 1 }
		  m++ }
		END { print m + 0 " of " nm " tuner inputs agree"; if (m != nm) exit 1 }' ||
		fail "module ring and BPF record disagree on the tuner's inputs"
fi
# The tuner scores the aggregation that ends with it; damon_aggregated
# reports that aggregation's regions right after (one target here), and the
# module's ratio for it is the tuner's access_bp, both rounded down.
awk '$1 == "tune" && NF >= 10 { want = $8; ts = $2; next }
     $1 == "aggr" && want != "" { d = $4 - want; if (d < 0) d = -d
				  if (d > 1) { print "tune at " ts ": access_bp " want ", next aggr ratio_bp " $4; bad = 1 }
				  n++; want = "" }
     END { print n " tuner ratios checked"; exit bad || !n }' /tmp/recent.txt ||
	fail "the tuner's access_bp is not the ratio of the aggregation it scored"
exit 0
