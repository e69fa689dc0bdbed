#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vm-kernel: debug
# vm-timeout: 600
# The slab workload knobs: bad values are refused with the right errno,
# writes during a run get EBUSY, the workload's counts show in SLUB_STATS,
# and rmmod during a run stops it and leaves no cache behind.
. /src/tests/vm/lib.sh
. /src/tests/vm/slab-lib.sh

load_module
[ -d $S ] || fail "no $S"

for k in object_size batch iterations; do
	expect_errno $k 0 "Invalid argument"
done
for k in object_size sheaf_capacity batch refill iterations; do
	expect_errno $k -1 "Invalid argument"
	expect_errno $k abc "Invalid argument"
	expect_errno $k 12abc "Invalid argument"
	expect_errno $k 99999999999 "Numerical result out of range"
done
expect_errno object_size 65537 "Invalid argument"
expect_errno sheaf_capacity 1025 "Invalid argument"
expect_errno batch 4097 "Invalid argument"
expect_errno iterations 10000001 "Invalid argument"
expect_errno mode fast "Invalid argument"
expect_errno cpus 99 "Numerical result out of range"
expect_errno cpus x "Invalid argument"
expect_errno cache 7 "Invalid argument"
expect_errno run maybe "Invalid argument"
[ "$(cat $S/cache)" = none ] || fail "a cache exists before any was created"
expect_errno run 1 "No such file or directory"
expect_errno cache 0 "No such file or directory"
if grep -q '^patch_sheaf_api: y' $DBG/features; then
	knob mode sheaf
	knob mode burst
else
	expect_errno mode sheaf "Operation not supported"
fi

# Exact counts: 3 iterations of 50 allocations and frees on CPU 0.
fresh_cache 96 16
expect_errno object_size 64 "Device or resource busy"
expect_errno sheaf_capacity 8 "Device or resource busy"
expect_errno cache 1 "File exists"
knob mode burst
knob batch 50
knob iterations 3
knob cpus 0
a0=$(( $(stat_sum alloc_fastpath) + $(stat_sum alloc_slowpath) ))
f0=$(( $(stat_sum free_fastpath) + $(stat_sum free_slowpath) ))
knob run 1
wait_run 60
cat $S/result
expect_eq "state" "$(result state)" done
expect_eq "alloc ops" "$(result alloc_ops)" 150
expect_eq "free ops" "$(result free_ops)" 150
# KASAN holds freed objects in its quarantine before SLUB sees them;
# shrinking the cache hands this cache's quarantined objects back.
zcat /proc/config.gz | grep -qx CONFIG_KASAN=y && echo 1 > "$SYS/shrink"
a1=$(( $(stat_sum alloc_fastpath) + $(stat_sum alloc_slowpath) ))
f1=$(( $(stat_sum free_fastpath) + $(stat_sum free_slowpath) ))
expect_eq "SLUB_STATS allocations" $((a1 - a0)) 150
expect_eq "SLUB_STATS frees" $((f1 - f0)) 150
# A 16-object sheaf cannot serve a 50-object burst alone: the rest came
# from the slow path or refills.
[ $(stat_sum sheaf_refill) -gt 0 ] || [ $(stat_sum alloc_slowpath) -gt 0 ] ||
	fail "a burst of 50 on a capacity-16 cache used no refill and no slow path"
result alloc_ns_per_op | grep -Eq '^[0-9]+\.[0-9]$' || fail "alloc_ns_per_op is not a number"

# Bulk mode on every online CPU.
online=$(cat /sys/devices/system/cpu/online)
ncpu=$(( ${online##*-} + 1 ))
knob mode bulk
knob batch 32
knob iterations 5
knob cpus "$online"
knob run 1
wait_run 60
cat $S/result
expect_eq "bulk state" "$(result state)" done
expect_eq "bulk objects" "$(result alloc_bulk_ops)" $((ncpu * 160))
expect_eq "bulk cpus" "$(result cpus)" "$(seq -s ' ' 0 $((ncpu - 1)))"

# Writes while a run is active.
knob mode burst
knob batch 64
knob iterations 10000000
knob run 1
[ "$(cat $S/run)" = running ] || fail "a 10M-iteration run is not running"
for k in object_size batch iterations refill; do
	expect_errno $k 8 "Device or resource busy"
done
expect_errno mode bulk "Device or resource busy"
expect_errno cpus 0 "Device or resource busy"
expect_errno cache 0 "Device or resource busy"
expect_errno run 1 "Device or resource busy"
knob run 0
expect_eq "state after run 0" "$(result state)" stopped
expect_eq "run file after stop" "$(cat $S/run)" done

# rmmod during a run: it stops the workers and destroys the cache.
knob run 1
[ "$(cat $S/run)" = running ] || fail "second run is not running"
rmmod mmscope || fail "rmmod during a run failed"
[ -d $SYS ] && fail "rmmod left $SYS behind"
grep -q mmscope_test /proc/slabinfo 2>/dev/null && fail "mmscope_test still in /proc/slabinfo"
ps | grep -v grep | grep -q 'mmscope_slab/' && fail "worker threads survived rmmod"
load_module
[ "$(cat $S/cache)" = none ] || fail "a fresh load has a cache"
exit 0
