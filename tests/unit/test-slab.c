// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope slab's user-space side: the stat names are 7.2's sysfs file
 * names, and the module's tables parse into the records the BPF backend
 * produces (so the two backends print the same thing).
 */
#include <stdlib.h>
#include <unistd.h>

#include "unit.h"
#include "slab.h"

/* /sys/kernel/slab/<cache>/ with CONFIG_SLUB_STATS on 7.2, in enum order. */
static const char *const sysfs_7_2[] = {
	"alloc_fastpath", "alloc_slowpath", "free_rcu_sheaf", "free_rcu_sheaf_fail",
	"free_fastpath", "free_slowpath", "free_add_partial", "free_remove_partial",
	"alloc_slab", "alloc_node_mismatch", "free_slab", "order_fallback",
	"cmpxchg_double_fail", "sheaf_flush", "sheaf_refill", "sheaf_alloc", "sheaf_free",
	"barn_get", "barn_get_fail", "barn_put", "barn_put_fail", "sheaf_prefill_fast",
	"sheaf_prefill_slow", "sheaf_prefill_oversize", "sheaf_return_fast",
	"sheaf_return_slow",
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

static void module_tables_parse(void)
{
	char dir[] = "/tmp/mmscope-slab-XXXXXX";
	struct slab_state st = { 0 };
	const struct slab_cache_state *c;
	/* 50 characters: the table names it in full, the iterator keeps 47. */
	const char *longname = "a_cache_name_that_is_longer_than_the_limit_of_bpf_";

	CHECK(mkdtemp(dir), "mkdtemp");
	put(dir, "caches", "# cache object_size sheaf_capacity\n"
		"maple_node 256 32\n"
		"a_cache_name_that_is_longer_than_the_limit_of_bpf_ 64 120\n");
	put(dir, "sheaves", "# header\n"
		"maple_node 0 9 32 14 32 26 32\n"
		"maple_node 1 7 32 0 0 3 32\n"
		"a_cache_name_that_is_longer_than_the_limit_of_bpf_ 0 1 120 0 0 0 0\n");
	put(dir, "barns", "# header\nmaple_node 0 10 3\n");
	put(dir, "stats", "# header\nmaple_node sheaf_refill 640\nmaple_node no_such_stat 1\n");
	CHECK(slab_state_module_dir(dir, &st) == 0, "parse failed");
	CHECK(st.nr == 2, "%zu caches", st.nr);
	/* Sorted by name, as the BPF backend sorts. */
	c = &st.caches[0];
	CHECK(strlen(c->name) == SLAB_NAME_LEN - 1 && !strncmp(c->name, longname, SLAB_NAME_LEN - 1),
	      "long name '%s'", c->name);
	CHECK(c->nr_cpus == 1 && c->cpus[0].main_size == 1 && c->cpus[0].main_capacity == 120,
	      "long-named cache's CPU row");
	c = &st.caches[1];
	CHECK_STR(c->name, "maple_node");
	CHECK(c->object_size == 256 && c->sheaf_capacity == 32, "static columns");
	CHECK(c->nr_cpus == 2 && c->cpus[1].cpu == 1 && c->cpus[0].rcu_free_size == 26 &&
	      c->cpus[1].spare_capacity == 0, "cpu rows");
	CHECK(c->nr_nodes == 1 && c->nodes[0].nr_full == 10 && c->nodes[0].nr_empty == 3, "barn");
	CHECK(c->has_stats && c->stats[SLAB_ST_SHEAF_REFILL] == 640 &&
	      c->stats_mask == 1u << SLAB_ST_SHEAF_REFILL, "stats");
	slab_state_free(&st);
	for (unsigned int i = 0; i < 4; i++) {
		static const char *const files[] = { "caches", "sheaves", "barns", "stats" };
		char path[512];

		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	CHECK(rmdir(dir) == 0, "cleanup of %s", dir);
}

int main(void)
{
	RUN(stat_names_are_sysfs_names);
	RUN(module_tables_parse);
	return unit_failed;
}
