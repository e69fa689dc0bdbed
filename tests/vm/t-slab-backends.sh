#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vm-kernel: release debian
# SLUB's own files (sysfs, the patch series' debugfs sheaves file) and the
# BPF iterator give the same state for the same caches (t-slab-state checks
# the kernel backend's refusal where the series is missing).
. /src/tests/vm/lib.sh
. /src/tests/vm/slab-lib.sh

load_module
mount -t debugfs none /sys/kernel/debug 2>/dev/null
[ -r /sys/kernel/debug/slab/kmalloc-64/sheaves ] ||
	skip_unless_ours "the test kernel lacks the patch series' debugfs sheaves file (patches/)"

# Everything, for a quiet cache.
fresh_cache 256 24
knob mode burst
knob batch 50
knob iterations 10
knob cpus 0
knob run 1
wait_run 60
mmscope slab --backend bpf -D -S mmscope_test > /tmp/bpf.txt || fail "bpf backend failed"
mmscope slab --backend kernel -D -S mmscope_test > /tmp/mod.txt || fail "kernel backend failed"
[ -r /sys/kernel/debug/slab/mmscope_test/sheaves ] || fail "no sheaves file for the test cache"
cat /sys/kernel/debug/slab/mmscope_test/sheaves
cat /tmp/bpf.txt
diff /tmp/bpf.txt /tmp/mod.txt || fail "the backends disagree on mmscope_test"
knob cache 0
exit 0
