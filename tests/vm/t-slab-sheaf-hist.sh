#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vm-kernel: release
# mmscope slab hist -K prefill on caller-owned sheaves: the knob workload
# (the patch series' export of the prefill API) makes exactly K prefills of
# N objects, and the histogram of the test cache holds exactly those.
. /src/tests/vm/lib.sh
. /src/tests/vm/slab-lib.sh

load_module
grep -q '^patch_sheaf_api: y' $DBG/features ||
	skip_unless_ours "the test kernel lacks the patch series' export of the prefill API (patches/)"
fresh_cache 64 32
knob mode sheaf
knob cpus 0
knob refill 0

# Exactly K prefills of N in the prefill histogram.
K=6 N=10
knob batch $N
knob iterations $K
rm -f /tmp/h.err
mmscope -v slab hist -K prefill -C mmscope_test -j > /tmp/h.json 2> /tmp/h.err &
pid=$!
n=0
until grep -q Tracing /tmp/h.err; do
	n=$((n + 1)); [ $n -gt 300 ] && fail "hist did not attach"; sleep 0.1
done
knob run 1
wait_run 60
kill -INT $pid
wait $pid || fail "hist exited $?"
cat /tmp/h.err /tmp/h.json
grep -q '{"key":"mmscope_test","total":'$K',"buckets":\[{"min":8,"max":15,"count":'$K'}\],"sum":'$((K * N))'}' /tmp/h.json ||
	fail "prefill histogram is not exactly $K in [8, 15]"
knob cache 0
exit 0
