#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vm-kernel: debug
# Caller-owned sheaves through the knob workload (needs the patch series'
# exports): a prefill on a CPU with no spare sheaf takes the slow path, the
# next one the spare (fast), a request above capacity an oversize sheaf;
# sysfs counts every object taken from a prefilled sheaf (the series'
# alloc_from_sheaf).  The prefill histogram of the same workload is
# t-slab-sheaf-hist.sh, on the release kernel (BPF needs BTF).
. /src/tests/vm/lib.sh
. /src/tests/vm/slab-lib.sh

load_module
grep -q '^patch_sheaf_api: y' $DBG/features ||
	skip_unless_ours "the test kernel lacks the patch series' export of the prefill API (patches/)"

SHEAF_STATS="sheaf_prefill_fast sheaf_prefill_slow sheaf_prefill_oversize sheaf_return_fast
	     sheaf_return_slow alloc_from_sheaf alloc_fastpath alloc_slowpath"
fresh_cache 64 32
C=$(cat $SYS/sheaf_capacity)
knob mode sheaf
knob cpus 0
knob batch 10
knob iterations 1

# sheaf_run: one run, then the change of each prefill/return counter.
sheaf_run() {
	for s in $SHEAF_STATS; do
		eval "b_$s=\$(stat_sum $s)"
	done
	knob run 1
	wait_run 60
	cat $S/result
	expect_eq "run error" "$(result error)" 0
	for s in $SHEAF_STATS; do
		eval "d_$s=\$(( \$(stat_sum $s) - \$b_$s ))"
	done
}

sheaf_run
expect_eq "first prefill: slow" "$d_sheaf_prefill_slow" 1
expect_eq "first prefill: fast" "$d_sheaf_prefill_fast" 0
expect_eq "alloc_from_sheaf counts the objects" "$d_alloc_from_sheaf" "$(result alloc_from_sheaf_ops)"
expect_eq "no fast or slow path allocation" $((d_alloc_fastpath + d_alloc_slowpath)) 0
expect_eq "return reattached the spare" "$d_sheaf_return_fast" 1

sheaf_run
expect_eq "second prefill: fast (the spare)" "$d_sheaf_prefill_fast" 1
expect_eq "second prefill: slow" "$d_sheaf_prefill_slow" 0

knob batch $((C + 1))
sheaf_run
expect_eq "oversize prefill" "$d_sheaf_prefill_oversize" 1
expect_eq "alloc_from_sheaf objects" "$(result alloc_from_sheaf_ops)" $((C + 1))
expect_eq "alloc_from_sheaf counter, oversize sheaf" "$d_alloc_from_sheaf" $((C + 1))

# Refill: prefill 5, take 5, refill to 8.
knob batch 5
knob refill 8
sheaf_run
expect_eq "refill ops" "$(result refill_ops)" 1
knob refill 0

knob cache 0
exit 0
