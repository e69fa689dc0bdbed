// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope export's slab families, from backends/slab_state.c: sheaf
 * capacity, objects in sheaves, barns per node, per-CPU main-sheaf fill as
 * a summary (a series per CPU with --per-cpu), SLUB_STATS' sheaf and barn
 * counters.  Only caches matching -C, by default those with sheaves.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "mmscope.h"
#include "slab.h"
#include "slab_alias.h"

struct sel {
	const struct slab_cache_state **c;
	size_t nr;
};

static void cache_info(struct prom *p, const struct sel *s)
{
	size_t i;

	prom_family(p, "slab_sheaf_capacity_objects", PROM_GAUGE,
		    "Objects a sheaf of the cache holds (0: no sheaves)");
	for (i = 0; i < s->nr; i++)
		prom_sample_u64(p, "", s->c[i]->sheaf_capacity, "cache", s->c[i]->name, NULL);
	prom_family(p, "slab_object_size_bytes", PROM_GAUGE, "Object size of the cache");
	for (i = 0; i < s->nr; i++)
		prom_sample_u64(p, "", s->c[i]->object_size, "cache", s->c[i]->name, NULL);
}

static void sheaf_totals(struct prom *p, const struct sel *s)
{
	static const char *const kinds[3] = { "main", "spare", "rcu_free" };
	size_t i, k;
	unsigned int cpu;

	prom_family(p, "slab_sheaf_objects", PROM_GAUGE,
		    "Free objects in the per-CPU sheaves, summed over CPUs, by sheaf");
	for (i = 0; i < s->nr; i++) {
		const struct slab_cache_state *c = s->c[i];

		for (k = 0; k < 3; k++) {
			unsigned long long n = 0;

			for (cpu = 0; cpu < c->nr_cpus; cpu++)
				n += k == 0 ? c->cpus[cpu].main_size :
				     k == 1 ? c->cpus[cpu].spare_size : c->cpus[cpu].rcu_free_size;
			prom_sample_u64(p, "", n, "cache", c->name, "sheaf", kinds[k], NULL);
		}
	}
}

static void barns(struct prom *p, const struct sel *s)
{
	char node[16];
	size_t i;
	unsigned int n;

	prom_family(p, "slab_barn_sheaves", PROM_GAUGE,
		    "Sheaves in the cache's barn of a node, full or empty");
	for (i = 0; i < s->nr; i++) {
		const struct slab_cache_state *c = s->c[i];

		for (n = 0; n < c->nr_nodes; n++) {
			snprintf(node, sizeof(node), "%u", c->nodes[n].node);
			prom_sample_u64(p, "", c->nodes[n].nr_full, "cache", c->name, "node", node,
					"state", "full", NULL);
			prom_sample_u64(p, "", c->nodes[n].nr_empty, "cache", c->name, "node", node,
					"state", "empty", NULL);
		}
	}
}

static int cmp_uint(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return (x > y) - (x < y);
}

/* Min, median and max of the main sheaves' fill over CPUs; sum and count. */
static void fill_summary(struct prom *p, const struct sel *s)
{
	static const char *const qs[3] = { "0", "0.5", "1" };
	unsigned int *v;
	size_t i, q;

	prom_family(p, "slab_cpu_main_sheaf_objects", PROM_SUMMARY,
		    "Objects in each CPU's main sheaf: quantiles over the CPUs");
	for (i = 0; i < s->nr; i++) {
		const struct slab_cache_state *c = s->c[i];
		unsigned long long sum = 0;
		unsigned int n = c->nr_cpus, cpu;

		v = n ? calloc(n, sizeof(*v)) : NULL;
		if (!v)
			continue;
		for (cpu = 0; cpu < n; cpu++)
			sum += v[cpu] = c->cpus[cpu].main_size;
		qsort(v, n, sizeof(*v), cmp_uint);
		for (q = 0; q < 3; q++)
			prom_sample_u64(p, "", v[q == 0 ? 0 : q == 1 ? (n - 1) / 2 : n - 1],
					"cache", c->name, "quantile", qs[q], NULL);
		prom_sample_u64(p, "_sum", sum, "cache", c->name, NULL);
		prom_sample_u64(p, "_count", n, "cache", c->name, NULL);
		free(v);
	}
}

static void per_cpu(struct prom *p, const struct sel *s)
{
	char cpu[16];
	size_t i;
	unsigned int k;

	prom_family(p, "slab_cpu_sheaf_objects", PROM_GAUGE,
		    "Objects in one CPU's sheaves (--per-cpu)");
	for (i = 0; i < s->nr; i++) {
		const struct slab_cache_state *c = s->c[i];

		for (k = 0; k < c->nr_cpus; k++) {
			const struct slab_rec_cpu *r = &c->cpus[k];

			snprintf(cpu, sizeof(cpu), "%u", r->cpu);
			prom_sample_u64(p, "", r->main_size, "cache", c->name, "cpu", cpu,
					"sheaf", "main", NULL);
			prom_sample_u64(p, "", r->spare_size, "cache", c->name, "cpu", cpu,
					"sheaf", "spare", NULL);
			prom_sample_u64(p, "", r->rcu_free_size, "cache", c->name, "cpu", cpu,
					"sheaf", "rcu_free", NULL);
		}
	}
}

/* SLUB_STATS counters of sheaves and barns (CONFIG_SLUB_STATS=y), one family each. */
static void stats(struct prom *p, const struct sel *s)
{
	char name[64], help[128];
	size_t i;
	int k;

	for (k = 0; k < SLAB_NR_STATS; k++) {
		const char *stat = slab_stat_names[k];
		bool any = false;

		if (!strstr(stat, "sheaf") && !strstr(stat, "barn"))
			continue;
		for (i = 0; i < s->nr; i++)
			any |= s->c[i]->has_stats && (s->c[i]->stats_mask & (1u << k));
		if (!any)
			continue;
		snprintf(name, sizeof(name), "slab_%s", stat);
		snprintf(help, sizeof(help), "SLUB_STATS %s of the cache, summed over CPUs", stat);
		prom_family(p, name, PROM_COUNTER, help);
		for (i = 0; i < s->nr; i++)
			if (s->c[i]->has_stats && (s->c[i]->stats_mask & (1u << k)))
				prom_sample_u64(p, "", s->c[i]->stats[k], "cache", s->c[i]->name, NULL);
	}
}

int export_slab(struct prom *p, const struct export_cfg *cfg, struct export_status *st)
{
	struct slab_state ss = { 0 };
	struct sel s = { 0 };
	size_t i;
	int err;

	err = slab_state_read(SLAB_BACKEND_AUTO, &ss);
	if (err) {
		snprintf(st->reason[SRC_SLAB], sizeof(st->reason[SRC_SLAB]), "%s",
			 err == -ENODEV ? "no SLUB sheaves interface" : strerror(-err));
		return -1;
	}
	st->slab_backend = ss.backend;
	s.c = calloc(ss.nr + 1, sizeof(*s.c));
	if (!s.c) {
		slab_state_free(&ss);
		snprintf(st->reason[SRC_SLAB], sizeof(st->reason[SRC_SLAB]), "out of memory");
		return -1;
	}
	for (i = 0; i < ss.nr; i++) {
		const struct slab_cache_state *c = &ss.caches[i];

		if (cfg->cache_glob ? slab_name_matches(c->name, cfg->cache_glob) : c->sheaf_capacity)
			s.c[s.nr++] = c;
	}
	cache_info(p, &s);
	sheaf_totals(p, &s);
	barns(p, &s);
	fill_summary(p, &s);
	if (cfg->per_cpu)
		per_cpu(p, &s);
	stats(p, &s);
	free(s.c);
	slab_state_free(&ss);
	return 0;
}
