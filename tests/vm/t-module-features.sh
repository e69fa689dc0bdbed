#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vm-kernel: debug debian
# The module's features file reports each part of the patch series as the
# running kernel has it: all y on the patched test kernel, all n on
# Debian's own kernel (`make vm-test-debian` boots it with
# mmscope.kernel=debian).
. /src/tests/vm/lib.sh

kind=patched
for w in $(cat /proc/cmdline); do
	case $w in mmscope.kernel=*) kind=${w#*=} ;; esac
done
want=y
[ "$kind" = debian ] && want=n

load_module
for p in patch_slab_tracepoints patch_slab_introspection \
	 patch_rmap_tracepoints patch_damon_exports; do
	got=$(field "$DBG/features" "$p") || fail "no $p line in features"
	expect_eq "$p ($kind kernel)" "$(echo "$got" | cut -c1)" "$want"
done

# What the kernel itself has must agree with what the module reports.
have() { [ -d "/sys/kernel/tracing/events/$1" ] && echo y || echo n; }
expect_eq "tracefs events/slab ($kind kernel)" "$(have slab)" "$want"
expect_eq "tracefs events/rmap ($kind kernel)" "$(have rmap)" "$want"
sym=n
grep -q ' kmem_cache_get_sheaf_info$' /proc/kallsyms && sym=y
expect_eq "kmem_cache_get_sheaf_info in kallsyms ($kind kernel)" "$sym" "$want"

# Debian's kernel, like every distribution's, keeps per-page mapcounts
# (CONFIG_PAGE_MAPCOUNT) and has no SLUB_STATS; the test kernel has
# NO_PAGE_MAPCOUNT and SLUB_STATS.
expect_eq "CONFIG_NO_PAGE_MAPCOUNT ($kind kernel)" \
	"$(field "$DBG/features" CONFIG_NO_PAGE_MAPCOUNT | cut -c1)" "$want"
expect_eq "CONFIG_SLUB_STATS ($kind kernel)" \
	"$(field "$DBG/features" CONFIG_SLUB_STATS | cut -c1)" "$want"
stats=n
[ -e /sys/kernel/slab/kmalloc-64/alloc_fastpath ] && stats=y
expect_eq "SLUB_STATS files in /sys/kernel/slab ($kind kernel)" "$stats" "$want"
unload_module
exit 0
