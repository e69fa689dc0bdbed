#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vm-kernel: release debian
# The module's tables (patch series' slab API) and the BPF iterator give
# the same state for the same caches.
. /src/tests/vm/lib.sh
. /src/tests/vm/slab-lib.sh

load_module
grep -q '^patch_slab_introspection: y' $DBG/features ||
	skip_unless_ours "the test kernel lacks the patch series' slab introspection API (patches/)"
for t in caches sheaves barns; do
	[ -r $S/$t ] || fail "the API is there but slab/$t is missing"
done

# Everything, for a quiet cache.
fresh_cache 256 24
knob mode burst
knob batch 50
knob iterations 10
knob cpus 0
knob run 1
wait_run 60
mmscope slab --backend bpf -D -S mmscope_test > /tmp/bpf.txt || fail "bpf backend failed"
mmscope slab --backend module -D -S mmscope_test > /tmp/mod.txt || fail "module backend failed"
cat /tmp/bpf.txt
diff /tmp/bpf.txt /tmp/mod.txt || fail "the backends disagree on mmscope_test"
knob cache 0
exit 0
