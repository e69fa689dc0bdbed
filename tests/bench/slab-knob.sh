#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Per-operation cost of the slab knob workload at two sheaf capacities, with
# the SLUB_STATS changes each run caused.  Run by hand, in the guest:
#   make vm-run SCRIPT=tests/bench/slab-knob.sh
# or, for costs without KASAN, on the patched release kernel with a build
# made against it:
#   make kernel-release && make all KDIR=$(cat build/kernel-release.path) BUILD=build/release
#   tests/vm/qemu.sh $(cat build/kernel-release.path) build/release run tests/bench/slab-knob.sh
# Same machine, one run; the anchor is capacity 0 (the kernel's default).
. /src/tests/vm/lib.sh
. /src/tests/vm/slab-lib.sh

OBJ=${OBJ:-1024}
ITER=${ITER:-20000}
STATS="alloc_fastpath alloc_slowpath free_fastpath free_slowpath sheaf_refill sheaf_flush barn_get barn_get_fail barn_put barn_put_fail"

load_module
for cap in 0 256; do
	for mode in burst bulk; do
		fresh_cache $OBJ $cap
		knob mode $mode
		knob batch 64
		knob iterations $ITER
		knob cpus 0
		for s in $STATS; do eval "b_$s=\$(stat_sum $s)"; done
		knob run 1
		wait_run 600
		echo "== object_size $OBJ, sheaf_capacity $(cat $SYS/sheaf_capacity) (asked $cap), $mode, batch 64 x $ITER"
		grep -E '_ns_per_op|_ops|error' $S/result | tr '\n' ' '
		echo
		for s in $STATS; do eval "printf '%s +%d ' $s \$(( \$(stat_sum $s) - \$b_$s ))"; done
		echo
	done
done
knob cache 0
