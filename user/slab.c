// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope slab: per-cache SLUB sheaf and barn state; `slab top` and
 * `slab hist` live in slab_top.c and slab_hist.c.
 */
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <string.h>
#include <json-c/json.h>

#include "interval.h"
#include "mmscope.h"
#include "slab.h"

static void slab_usage(FILE *out)
{
	fprintf(out,
		"usage: mmscope slab [-b bpf|kernel] [-d] [-s] [-a] [-j] [CACHE-GLOB]\n"
		"       mmscope slab top [options] [interval] [count]\n"
		"       mmscope slab hist [options] [interval] [count]\n"
		"\n"
		"Per-cache SLUB sheaf state: object size, sheaf capacity, objects held\n"
		"in the per-CPU main, spare and rcu_free sheaves (summed over CPUs),\n"
		"and the full and empty sheaves in each node's barn.\n"
		"\n"
		"  -b, --backend B  bpf: kmem_cache iterator (CO-RE reads of SLUB's\n"
		"                   private structures);\n"
		"                   kernel: SLUB's own files, /sys/kernel/slab and\n"
		"                   /sys/kernel/debug/slab/<cache>/sheaves (patched kernel);\n"
		"                   default: kernel when the sheaves files exist, else bpf\n"
		"  -d, --detail     per-CPU sheaves and per-node barns under each cache\n"
		"  -s, --stats      SLUB_STATS counters (CONFIG_SLUB_STATS=y kernels)\n"
		"  -a, --all        also caches without sheaves (capacity 0)\n"
		"  -j, --json       one JSON object\n"
		"  -h, --help       this help; 'mmscope slab top -h', 'mmscope slab hist -h'\n"
		"\n"
		"columns: MAIN, SPARE, RCU are objects cached in those sheaves over all\n"
		"CPUs, FILL%% is MAIN over the main sheaves' capacity, FULL/EMPTY the\n"
		"sheaves in the barns of all nodes.\n"
		"\n"
		"examples:\n"
		"  mmscope slab                     every cache with sheaves\n"
		"  mmscope slab -d maple_node       per-CPU and per-node detail\n"
		"  mmscope slab -s 'kmalloc-*'      with SLUB_STATS counters\n"
		"  mmscope slab top 1               rates, refreshed every second\n"
		"  mmscope slab hist -k bulk        kmem_cache_alloc_bulk() sizes\n");
}

struct totals {
	unsigned long long main, main_cap, spare, rcu, full, empty;
};

static void sum(const struct slab_cache_state *c, struct totals *t)
{
	unsigned int i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < c->nr_cpus; i++) {
		t->main += c->cpus[i].main_size;
		t->main_cap += c->cpus[i].main_capacity;
		t->spare += c->cpus[i].spare_size;
		t->rcu += c->cpus[i].rcu_free_size;
	}
	for (i = 0; i < c->nr_nodes; i++) {
		t->full += c->nodes[i].nr_full;
		t->empty += c->nodes[i].nr_empty;
	}
}

static void print_text(const struct slab_state *st, const char *glob, bool detail,
		       bool stats, bool all)
{
	size_t i;
	unsigned int k;

	printf("%-28s %7s %4s %7s %7s %5s %6s %5s %5s\n", "CACHE", "OBJSIZE", "CAP", "MAIN",
	       "FILL%", "SPARE", "RCU", "FULL", "EMPTY");
	for (i = 0; i < st->nr; i++) {
		const struct slab_cache_state *c = &st->caches[i];
		struct totals t;

		if (glob && fnmatch(glob, c->name, 0))
			continue;
		if (!all && !c->sheaf_capacity)
			continue;
		sum(c, &t);
		printf("%-28s %7u %4u %7llu %7.1f %5llu %6llu %5llu %5llu\n", c->name,
		       c->object_size, c->sheaf_capacity, t.main,
		       t.main_cap ? 100.0 * t.main / t.main_cap : 0.0, t.spare, t.rcu, t.full,
		       t.empty);
		for (k = 0; detail && k < c->nr_cpus; k++) {
			const struct slab_rec_cpu *r = &c->cpus[k];

			printf("  cpu%-4u main %u/%u spare %u/%u rcu_free %u/%u\n", r->cpu,
			       r->main_size, r->main_capacity, r->spare_size, r->spare_capacity,
			       r->rcu_free_size, r->rcu_free_capacity);
		}
		for (k = 0; detail && k < c->nr_nodes; k++)
			printf("  node%-3u barn full %u empty %u\n", c->nodes[k].node,
			       c->nodes[k].nr_full, c->nodes[k].nr_empty);
		if (stats && c->has_stats) {
			for (k = 0; k < SLAB_NR_STATS; k++)
				if (c->stats_mask & (1u << k))
					printf("  %-24s %llu\n", slab_stat_names[k], c->stats[k]);
		}
	}
}

static struct json_object *cache_json(const struct slab_cache_state *c, bool detail)
{
	struct json_object *o = json_object_new_object();
	struct totals t;
	unsigned int k;

	sum(c, &t);
	json_object_object_add(o, "name", json_object_new_string(c->name));
	json_object_object_add(o, "object_size", json_object_new_int64(c->object_size));
	json_object_object_add(o, "sheaf_capacity", json_object_new_int64(c->sheaf_capacity));
	json_object_object_add(o, "main", json_object_new_int64(t.main));
	json_object_object_add(o, "main_capacity", json_object_new_int64(t.main_cap));
	json_object_object_add(o, "spare", json_object_new_int64(t.spare));
	json_object_object_add(o, "rcu_free", json_object_new_int64(t.rcu));
	json_object_object_add(o, "barn_full", json_object_new_int64(t.full));
	json_object_object_add(o, "barn_empty", json_object_new_int64(t.empty));
	if (detail) {
		struct json_object *cpus = json_object_new_array();
		struct json_object *nodes = json_object_new_array();

		for (k = 0; k < c->nr_cpus; k++) {
			const struct slab_rec_cpu *r = &c->cpus[k];
			struct json_object *x = json_object_new_object();

			json_object_object_add(x, "cpu", json_object_new_int64(r->cpu));
			json_object_object_add(x, "main", json_object_new_int64(r->main_size));
			json_object_object_add(x, "main_capacity",
					       json_object_new_int64(r->main_capacity));
			json_object_object_add(x, "spare", json_object_new_int64(r->spare_size));
			json_object_object_add(x, "spare_capacity",
					       json_object_new_int64(r->spare_capacity));
			json_object_object_add(x, "rcu_free",
					       json_object_new_int64(r->rcu_free_size));
			json_object_object_add(x, "rcu_free_capacity",
					       json_object_new_int64(r->rcu_free_capacity));
			json_object_array_add(cpus, x);
		}
		for (k = 0; k < c->nr_nodes; k++) {
			struct json_object *x = json_object_new_object();

			json_object_object_add(x, "node", json_object_new_int64(c->nodes[k].node));
			json_object_object_add(x, "full", json_object_new_int64(c->nodes[k].nr_full));
			json_object_object_add(x, "empty",
					       json_object_new_int64(c->nodes[k].nr_empty));
			json_object_array_add(nodes, x);
		}
		json_object_object_add(o, "cpus", cpus);
		json_object_object_add(o, "nodes", nodes);
	}
	if (c->has_stats) {
		struct json_object *s = json_object_new_object();

		for (k = 0; k < SLAB_NR_STATS; k++)
			if (c->stats_mask & (1u << k))
				json_object_object_add(s, slab_stat_names[k],
						       json_object_new_int64(c->stats[k]));
		json_object_object_add(o, "stats", s);
	}
	return o;
}

static int slab_state_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "backend", required_argument, NULL, 'b' },
		{ "detail", no_argument, NULL, 'd' },
		{ "stats", no_argument, NULL, 's' },
		{ "all", no_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum slab_backend backend = SLAB_BACKEND_AUTO;
	bool detail = false, stats = false, all = false, json = false;
	struct slab_state st = { 0 };
	const char *glob = NULL;
	int c, err;

	while ((c = getopt_long(argc, argv, "b:dsajh", longopts, NULL)) != -1) {
		switch (c) {
		case 'b':
			if (!strcmp(optarg, "bpf")) {
				backend = SLAB_BACKEND_BPF;
			} else if (!strcmp(optarg, "kernel")) {
				backend = SLAB_BACKEND_KERNEL;
			} else {
				errmsg("-b takes 'bpf' or 'kernel', not '%s'", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'd':
			detail = true;
			break;
		case 's':
			stats = true;
			break;
		case 'a':
			all = true;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			slab_usage(stdout);
			return EXIT_OK;
		default:
			slab_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		glob = argv[optind++];
	if (optind < argc) {
		errmsg("unexpected argument '%s'; see 'mmscope slab -h'", argv[optind]);
		return EXIT_USAGE;
	}
	if (require_root("mmscope slab (it loads a BPF iterator or reads debugfs)"))
		return EXIT_NOPRIV;

	err = slab_state_read(backend, &st);
	if (err)
		return err == -ENODEV ? EXIT_NOFEATURE : EXIT_FAIL;
	if (json) {
		struct json_object *root = json_object_new_object();
		struct json_object *arr = json_object_new_array();
		size_t i;

		json_object_object_add(root, "backend", json_object_new_string(st.backend));
		for (i = 0; i < st.nr; i++) {
			if (glob && fnmatch(glob, st.caches[i].name, 0))
				continue;
			if (!all && !st.caches[i].sheaf_capacity)
				continue;
			json_object_array_add(arr, cache_json(&st.caches[i], detail));
		}
		json_object_object_add(root, "caches", arr);
		jsonl_emit(root);
	} else {
		if (stats && st.nr && !st.caches[0].has_stats)
			errmsg("no SLUB_STATS counters: the kernel was built without "
			       "CONFIG_SLUB_STATS");
		print_text(&st, glob, detail, stats, all);
	}
	slab_state_free(&st);
	return EXIT_OK;
}

static int slab_run(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "top"))
		return slab_top_run(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "hist"))
		return slab_hist_run(argc - 1, argv + 1);
	return slab_state_run(argc, argv);
}

const struct mmscope_cmd cmd_slab = {
	.name = "slab",
	.summary = "SLUB sheaves and barns: state, rates (top), allocation-count histograms",
	.run = slab_run,
	.usage = slab_usage,
};
