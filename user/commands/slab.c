// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope slab: per-cache SLUB sheaf and barn state; `slab top` and
 * `slab hist` live in slab_top.c and slab_hist.c.
 */
#include <errno.h>
#include <string.h>
#include <json-c/json.h>

#include "interval.h"
#include "jsonl.h"
#include "mmscope.h"
#include "slab.h"
#include "slab_alias.h"
#include "render.h"
#include "commands.h"

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

static long long geti(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : 0;
}

static const char *gets_(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && v ? json_object_get_string(v) : "";
}

/* The text of one "slab" record: what `mmscope slab` prints, live or in a report. */
void slab_state_render(FILE *out, struct json_object *rec)
{
	struct json_object *caches, *c, *arr, *x, *st;
	size_t i, k;

	fprintf(out, "%-28s %7s %4s %7s %7s %5s %6s %5s %5s\n", "CACHE", "OBJSIZE", "CAP", "MAIN",
		"FILL%", "SPARE", "RCU", "FULL", "EMPTY");
	if (!json_object_object_get_ex(rec, "caches", &caches))
		return;
	for (i = 0; i < json_object_array_length(caches); i++) {
		long long main_cap;

		c = json_object_array_get_idx(caches, i);
		main_cap = geti(c, "main_capacity");
		fprintf(out, "%-28s %7lld %4lld %7lld %7.1f %5lld %6lld %5lld %5lld\n",
			gets_(c, "cache"), geti(c, "object_size"), geti(c, "sheaf_capacity"),
			geti(c, "main"), main_cap ? 100.0 * geti(c, "main") / main_cap : 0.0,
			geti(c, "spare"), geti(c, "rcu_free"), geti(c, "barn_full"),
			geti(c, "barn_empty"));
		if (*gets_(c, "aliases"))
			fprintf(out, "  aliases: %s\n", gets_(c, "aliases"));
		if (json_object_object_get_ex(c, "cpus", &arr))
			for (k = 0; k < json_object_array_length(arr); k++) {
				x = json_object_array_get_idx(arr, k);
				fprintf(out, "  cpu%-4lld main %lld/%lld spare %lld/%lld rcu_free %lld/%lld\n",
					geti(x, "cpu"), geti(x, "main"), geti(x, "main_capacity"),
					geti(x, "spare"), geti(x, "spare_capacity"),
					geti(x, "rcu_free"), geti(x, "rcu_free_capacity"));
			}
		if (json_object_object_get_ex(c, "nodes", &arr))
			for (k = 0; k < json_object_array_length(arr); k++) {
				x = json_object_array_get_idx(arr, k);
				fprintf(out, "  node%-3lld barn full %lld empty %lld\n", geti(x, "node"),
					geti(x, "full"), geti(x, "empty"));
			}
		if (json_object_object_get_ex(c, "stats", &st)) {
			json_object_object_foreach(st, name, v)
				fprintf(out, "  %-24s %lld\n", name, (long long)json_object_get_int64(v));
		}
	}
}

static struct json_object *cache_json(const struct slab_cache_state *c, bool detail, bool stats)
{
	struct json_object *o = json_object_new_object();
	struct totals t;
	unsigned int k;

	sum(c, &t);
	char aliases[512];

	json_object_object_add(o, "cache", json_object_new_string(c->name));
	slab_aliases(c->name, aliases, sizeof(aliases));
	if (*aliases)
		json_object_object_add(o, "aliases", json_object_new_string(aliases));
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
	if (c->has_stats && stats) {
		struct json_object *s = json_object_new_object();

		for (k = 0; k < SLAB_NR_STATS; k++)
			if (c->stats_mask & (1u << k))
				json_object_object_add(s, slab_stat_names[k],
						       json_object_new_int64(c->stats[k]));
		json_object_object_add(o, "stats", s);
	}
	return o;
}

static int do_slab(const struct cmd *cmd, struct opts *o)
{
	enum slab_backend backend = SLAB_BACKEND_AUTO;
	bool detail = o->set[OPT_DETAIL], stats = o->set[OPT_STATS], all = o->set[OPT_ALL];
	bool no_stats;
	struct slab_state st = { 0 };
	struct json_object *root, *arr;
	const char *glob = o->argc ? o->argv[0] : NULL;
	size_t i, shown = 0;
	int err;

	if (o->set[OPT_BACKEND]) {
		if (!strcmp(o->arg[OPT_BACKEND], "bpf")) {
			backend = SLAB_BACKEND_BPF;
		} else if (!strcmp(o->arg[OPT_BACKEND], "kernel")) {
			backend = SLAB_BACKEND_KERNEL;
		} else {
			errmsg("--backend takes 'bpf' or 'kernel', not '%s'", o->arg[OPT_BACKEND]);
			return EXIT_USAGE;
		}
	}
	if (o->argc > 1) {
		errmsg("unexpected argument '%s'; see 'mmscope slab -h'", o->argv[1]);
		return EXIT_USAGE;
	}
	if (require_root("mmscope slab (it loads a BPF iterator or reads debugfs)"))
		return EXIT_NOPRIV;

	err = slab_state_read(backend, &st);
	if (err)
		return err == -ENODEV ? EXIT_NOFEATURE : EXIT_FAIL;
	root = record_new("slab", NULL);
	arr = json_object_new_array();
	json_object_object_add(root, "backend", json_object_new_string(st.backend));
	for (i = 0; i < st.nr; i++) {
		if (glob && !slab_name_matches(st.caches[i].name, glob))
			continue;
		if (!all && !glob && !st.caches[i].sheaf_capacity)
			continue;
		json_object_array_add(arr, cache_json(&st.caches[i], detail, stats));
		shown++;
	}
	json_object_object_add(root, "caches", arr);
	no_stats = stats && st.nr && !st.caches[0].has_stats;
	slab_state_free(&st);
	if (!shown) {
		json_object_put(root);
		errmsg("no slab cache%s matches '%s'; 'mmscope slab -a' lists them all",
		       all ? "" : " with sheaves", glob ? glob : "*");
		return EXIT_FAIL;
	}
	if (no_stats)
		errmsg("no SLUB_STATS counters: the kernel was built without CONFIG_SLUB_STATS");
	if (o->set[OPT_JSON]) {
		jsonl_emit(root);
	} else {
		slab_state_render(stdout, root);
		json_object_put(root);
	}
	return EXIT_OK;
}

static const struct cmd *const slab_subs[] = { &cmd_slab_top, &cmd_slab_hist, NULL };

const struct cmd cmd_slab = {
	.name = "slab",
	.summary = "SLUB sheaves and barns: state, rates (top), allocation-count histograms",
	.args = "[CACHE-GLOB]",
	.opts = "backend detail stats all json",
	.doc = "Per-cache SLUB sheaf state: object size, sheaf capacity, objects held\n"
	       "in the per-CPU main, spare and rcu_free sheaves (summed over CPUs), and\n"
	       "the full and empty sheaves in each node's barn.  FILL% is MAIN over the\n"
	       "main sheaves' capacity.  The glob also matches merged caches' aliases.\n"
	       "Backends: bpf, the kmem_cache iterator (CO-RE reads of SLUB's private\n"
	       "structures); kernel, SLUB's own files (/sys/kernel/slab/<cache>/ and\n"
	       "the patch series' /sys/kernel/debug/slab/<cache>/sheaves).  Default:\n"
	       "kernel when the sheaves files exist, else bpf.\n",
	.examples = "mmscope slab                     every cache with sheaves\n"
		    "mmscope slab -D maple_node       per-CPU and per-node detail\n"
		    "mmscope slab -S 'kmalloc-*'      with SLUB_STATS counters\n"
		    "mmscope slab top 1               rates, refreshed every second\n"
		    "mmscope slab hist -K kmalloc     kmalloc() request sizes",
	.run = do_slab,
	.subs = slab_subs,
};
