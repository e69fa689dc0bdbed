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
for p in patch_slab_tracepoints patch_sheaf_api \
	 patch_rmap_tracepoints patch_mm_id_accessors patch_damon_tune_score; do
	got=$(field "$DBG/features" "$p") || fail "no $p line in features"
	expect_eq "$p ($kind kernel)" "$(echo "$got" | cut -c1)" "$want"
done

# What the kernel itself has must agree with what the module reports.
have() { [ -e "$1" ] && echo y || echo n; }
T=/sys/kernel/tracing/events
expect_eq "tracefs kmem/sheaf_refill ($kind kernel)" "$(have $T/kmem/sheaf_refill)" "$want"
expect_eq "tracefs rmap/folio_mm_id ($kind kernel)" "$(have $T/rmap/folio_mm_id)" "$want"
score=n
grep -q score_bp $T/damon/damon_monitor_intervals_tune/format 2>/dev/null && score=y
expect_eq "damon_monitor_intervals_tune has score_bp ($kind kernel)" "$score" "$want"
# No trace system of the series' own for slab, no DAMON export.
expect_eq "tracefs events/slab ($kind kernel)" "$(have $T/slab)" n
sym=n
grep -q ' __ksymtab_kmem_cache_prefill_sheaf$' /proc/kallsyms && sym=y
expect_eq "kmem_cache_prefill_sheaf exported ($kind kernel)" "$sym" "$want"
sym=n
grep -q ' __ksymtab___tracepoint_damon' /proc/kallsyms && sym=y
expect_eq "a DAMON tracepoint exported ($kind kernel)" "$sym" n
mount -t debugfs none /sys/kernel/debug 2>/dev/null
expect_eq "SLUB's debugfs kmalloc-64/sheaves ($kind kernel)" \
	"$(have /sys/kernel/debug/slab/kmalloc-64/sheaves)" "$want"

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
