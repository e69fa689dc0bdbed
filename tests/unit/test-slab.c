// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope slab's user-space side: the stat names are 7.2's sysfs file
 * names, and SLUB's files parse into the records the BPF backend produces
 * (so the two backends print the same thing).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"
#include "slab.h"

/* /sys/kernel/slab/<cache>/ with CONFIG_SLUB_STATS on patched 7.2, in enum order. */
static const char *const sysfs_7_2[] = {
	"alloc_fastpath", "alloc_slowpath", "free_rcu_sheaf", "free_rcu_sheaf_fail",
	"free_fastpath", "free_slowpath", "free_add_partial", "free_remove_partial",
	"alloc_slab", "alloc_node_mismatch", "free_slab", "order_fallback",
	"cmpxchg_double_fail", "sheaf_flush", "sheaf_refill", "sheaf_alloc", "sheaf_free",
	"barn_get", "barn_get_fail", "barn_put", "barn_put_fail", "sheaf_prefill_fast",
	"sheaf_prefill_slow", "sheaf_prefill_oversize", "sheaf_return_fast",
	"sheaf_return_slow",
	"alloc_from_sheaf",	/* the patch series */
};

static void stat_names_are_sysfs_names(void)
{
	unsigned int i;

	CHECK(SLAB_NR_STATS == sizeof(sysfs_7_2) / sizeof(sysfs_7_2[0]), "%d stats",
	      SLAB_NR_STATS);
	for (i = 0; i < SLAB_NR_STATS; i++)
		CHECK_STR(slab_stat_names[i], sysfs_7_2[i]);
	CHECK(slab_stat_index("barn_put_fail") == SLAB_ST_BARN_PUT_FAIL, "index");
	CHECK(slab_stat_index("alloc_cpu_sheaf") == -1, "6.18 name accepted");
}

static void put(const char *dir, const char *file, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

static void sub(char *path, size_t len, const char *dir, const char *name)
{
	snprintf(path, len, "%s/%s", dir, name);
	CHECK(mkdir(path, 0700) == 0, "mkdir %s", path);
}

/* SLUB's files: sysfs attributes and the series' debugfs sheaves file. */
static void kernel_files_parse(void)
{
	char sys[] = "/tmp/mmscope-slab-sys-XXXXXX", dbg[] = "/tmp/mmscope-slab-dbg-XXXXXX";
	char d[512], cmd[1200];
	struct slab_state st = { 0 };
	const struct slab_cache_state *c;
	/* 50 characters: sysfs names it in full, the iterator keeps 47. */
	const char *longname = "a_cache_name_that_is_longer_than_the_limit_of_bpf_";

	CHECK(mkdtemp(sys) && mkdtemp(dbg), "mkdtemp");
	sub(d, sizeof(d), sys, "maple_node");
	put(d, "object_size", "256\n");
	put(d, "sheaf_capacity", "32\n");
	put(d, "sheaf_refill", "640 C0=600 C1=40\n");
	put(d, "alloc_from_sheaf", "73\n");
	sub(d, sizeof(d), sys, longname);
	put(d, "object_size", "64\n");
	put(d, "sheaf_capacity", "120\n");
	sub(d, sizeof(d), sys, "no_sheaves");
	put(d, "object_size", "8\n");
	put(d, "sheaf_capacity", "0\n");
	/* An alias of a merged cache: a symlink, left out. */
	snprintf(d, sizeof(d), "%s/:a-0000064", sys);
	CHECK(symlink("maple_node", d) == 0, "symlink");

	sub(d, sizeof(d), dbg, "maple_node");
	put(d, "sheaves", "# cpu main spare rcu_free\n"
		"0 9 14 26\n"
		"1 7 - -\n"
		"# node full empty\n"
		"0 10 3\n");
	sub(d, sizeof(d), dbg, longname);
	put(d, "sheaves", "# cpu main spare rcu_free\n0 1 - -\n# node full empty\n");

	CHECK(slab_state_kernel_dirs(sys, dbg, &st) == 0, "parse failed");
	CHECK(st.nr == 3, "%zu caches", st.nr);
	/* Sorted by name, as the BPF backend sorts. */
	c = &st.caches[0];
	CHECK(strlen(c->name) == SLAB_NAME_LEN - 1 && !strncmp(c->name, longname, SLAB_NAME_LEN - 1),
	      "long name '%s'", c->name);
	CHECK(c->nr_cpus == 1 && c->cpus[0].main_size == 1 && c->cpus[0].main_capacity == 120 &&
	      c->cpus[0].spare_capacity == 0, "long-named cache's CPU row");
	CHECK(c->nr_nodes == 0 && !c->has_stats, "long-named cache: no barn, no stats");
	c = &st.caches[1];
	CHECK_STR(c->name, "maple_node");
	CHECK(c->object_size == 256 && c->sheaf_capacity == 32, "static columns");
	CHECK(c->nr_cpus == 2 && c->cpus[1].cpu == 1 && c->cpus[0].rcu_free_size == 26 &&
	      c->cpus[0].spare_capacity == 32 && c->cpus[1].spare_capacity == 0 &&
	      c->cpus[1].rcu_free_size == 0, "cpu rows");
	CHECK(c->nr_nodes == 1 && c->nodes[0].nr_full == 10 && c->nodes[0].nr_empty == 3, "barn");
	CHECK(c->has_stats && c->stats[SLAB_ST_SHEAF_REFILL] == 640 &&
	      c->stats[SLAB_ST_ALLOC_FROM_SHEAF] == 73 &&
	      c->stats_mask == (1u << SLAB_ST_SHEAF_REFILL | 1u << SLAB_ST_ALLOC_FROM_SHEAF),
	      "stats");
	c = &st.caches[2];
	CHECK_STR(c->name, "no_sheaves");
	CHECK(c->sheaf_capacity == 0 && c->nr_cpus == 0, "a cache without sheaves");
	slab_state_free(&st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s'", sys, dbg);
	CHECK(system(cmd) == 0, "cleanup");
}

int main(void)
{
	RUN(stat_names_are_sysfs_names);
	RUN(kernel_files_parse);
	return unit_failed;
}
