#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vm-kernel: debug
# With DAMON's tracepoints exported, the module's ring (damon/recent) and a
# BPF 'damon record' of the same run list the same tuning steps and the
# same aggregation ratios, matched by kernel timestamp.
. /src/tests/vm/damon-lib.sh

load_module
mount -t debugfs none /sys/kernel/debug 2>/dev/null
feat=$(field "$DBG/features" patch_damon_exports | cut -c1)
[ "$feat" = y ] || skip "the kernel does not export DAMON's tracepoints (patches/ mm/damon: export tracepoints); t-module-damon-missing covers that case (run on the stock kernel)"

damon_reset
trap 'kill $WL 2>/dev/null; damon_reset; echo 0 > $DBG/damon/enable' EXIT
grep -q 'not recording' $DBG/damon/recent || fail "recent before enable: $(cat $DBG/damon/recent)"
echo 1 > $DBG/damon/enable || fail "enable failed"
expect_eq "enable" "$(cat $DBG/damon/enable)" 1

start_workload -H 4M --cold 12M -r 10
# Until stopped: a fixed duration ran out before the kdamond was stopped
# when the guest was slow, and the record then missed the last events.
mmscope damon record -o /tmp/ring.jsonl &
REC=$!
wait_recording /tmp/ring.jsonl
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
kill -INT $REC
wait $REC || fail "record exited $?"
cat $DBG/damon/recent > /tmp/recent.txt
echo 0 > $DBG/damon/enable
head -n 5 /tmp/recent.txt

kpid=$(sed -n 's/^kdamond pid \([0-9]*\) .*/\1/p' /tmp/recent.txt | head -n 1)
[ -n "$kpid" ] || fail "no kdamond in the ring"
# "ts value" lines from both sides, for the kdamond, oldest first.
grep '^tune ' /tmp/recent.txt | awk '{ print $2, $4 }' > /tmp/m.tune
grep '^aggr ' /tmp/recent.txt | awk '{ print $2, $4 }' > /tmp/m.aggr
grep "\"type\":\"tune\".*\"pid\":$kpid," /tmp/ring.jsonl |
	sed 's/.*"ts_ns":\([0-9]*\).*"sample_us":\([0-9]*\).*/\1 \2/' > /tmp/b.tune
grep "\"type\":\"aggr\".*\"pid\":$kpid," /tmp/ring.jsonl |
	sed 's/.*"ts_ns":\([0-9]*\).*"ratio_bp":\([0-9]*\).*/\1 \2/' > /tmp/b.aggr
for kind in tune aggr; do
	nm=$(wc -l < /tmp/m.$kind)
	nb=$(wc -l < /tmp/b.$kind)
	[ "$nm" -ge 3 ] || fail "module ring holds only $nm $kind events"
	[ "$nb" -ge "$nm" ] || fail "BPF record has $nb $kind events, fewer than the ring's $nm"
	# Every module event within the record's span has a BPF twin within
	# 2ms with the same value (the two probes run back to back).
	awk -v kind=$kind 'NR == FNR { bt[NR] = $1; bv[NR] = $2; n = NR; next }
		{ if ($1 < bt[1] - 2000000) next
		  hit = 0
		  for (i = 1; i <= n; i++) {
			d = $1 - bt[i]; if (d < 0) d = -d
			if (d < 2000000) { hit = 1; if ($2 != bv[i]) { print kind " at " $1 ": module " $2 ", BPF " bv[i]; exit 1 } }
		  }
		  if (!hit) { print kind " at " $1 ": no BPF event"; exit 1 }
		  m++ }
		END { print m " " kind " events agree" }' /tmp/b.$kind /tmp/m.$kind ||
		fail "module ring and BPF record disagree on $kind"
	echo "module $kind: $nm, BPF $kind: $nb"
done
exit 0
