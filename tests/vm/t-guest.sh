#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vm-kernel: debug release
# The guest is what the other tests assume: every CPU QEMU was given is
# online (per-CPU sheaves need more than one), the kernel clock has a real
# clock source (ns/op figures), and THP can be asked for with madvise().
. /src/tests/vm/lib.sh

expect_eq "online CPUs" "$(grep -c '^processor' /proc/cpuinfo)" "$MMSCOPE_VM_CPUS"
cs=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)
[ "$cs" = jiffies ] && fail "the clock source is jiffies: ns/op figures would be meaningless"
echo "ok: clock source $cs"
grep -q '\[madvise\]' /sys/kernel/mm/transparent_hugepage/enabled ||
	fail "THP is not in madvise mode: $(cat /sys/kernel/mm/transparent_hugepage/enabled)"
zcat /proc/config.gz | grep -qx CONFIG_ADVISE_SYSCALLS=y || fail "the kernel has no madvise()"
exit 0
