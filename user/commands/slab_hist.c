// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope slab hist: per-cache histograms of allocation counts: the count
 * asked of kmem_cache_alloc_bulk(), caller-owned sheaf prefill sizes (the
 * maple tree's worst-case preallocation), objects per sheaf refill and
 * flush, and kmalloc request sizes (which every kernel can trace).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <json-c/json.h>

#include "attach.h"
#include "hist.h"
#include "interval.h"
#include "jsonl.h"
#include "mmscope.h"
#include "slab.h"
#include "slab_alias.h"
#include "render.h"
#include "commands.h"
#include "slabhist.skel.h"

struct hist_kind {
	const char *name;
	const char *what;	/* for messages and the histogram title */
	bool per_cache;
};

static const struct hist_kind kinds[SLAB_NR_HIST] = {
	[SLAB_HIST_BULK] = { "bulk", "kmem_cache_alloc_bulk() count", true },
	[SLAB_HIST_PREFILL] = { "prefill", "sheaf prefill size", true },
	[SLAB_HIST_REFILL] = { "refill", "objects per sheaf refill", true },
	[SLAB_HIST_FLUSH] = { "flush", "objects per sheaf flush", true },
	[SLAB_HIST_SIZE] = { "kmalloc", "kmalloc() requested bytes", false },
};

/* The programs that can observe a kind, best first: the session's one event. */
static void hist_event(struct attach_session *s, struct slabhist_bpf *skel, enum slab_hist_kind k)
{
	struct attach_candidate c[ATTACH_MAX_CANDIDATES];
	int n = 0;

#define CAND(prog, kind, target) (c[n++] = (struct attach_candidate){ skel->progs.prog, kind, target })
	switch (k) {
	case SLAB_HIST_BULK:
		CAND(bulk_fentry, BPF_KIND_FENTRY, "kmem_cache_alloc_bulk_noprof");
		break;
	case SLAB_HIST_PREFILL:
		CAND(prefill_tp, BPF_KIND_TP_BTF, "sheaf_prefill");
		CAND(prefill_raw_tp, BPF_KIND_RAW_TP, "sheaf_prefill");
		CAND(prefill_fentry, BPF_KIND_FENTRY, "kmem_cache_prefill_sheaf");
		break;
	case SLAB_HIST_REFILL:
		CAND(refill_tp, BPF_KIND_TP_BTF, "sheaf_refill");
		CAND(refill_raw_tp, BPF_KIND_RAW_TP, "sheaf_refill");
		break;
	case SLAB_HIST_FLUSH:
		CAND(flush_tp, BPF_KIND_TP_BTF, "sheaf_flush");
		CAND(flush_raw_tp, BPF_KIND_RAW_TP, "sheaf_flush");
		break;
	case SLAB_HIST_SIZE:
		CAND(kmalloc_tp_btf, BPF_KIND_TP_BTF, "kmalloc");
		CAND(kmalloc_raw_tp, BPF_KIND_RAW_TP, "kmalloc");
		break;
	default:
		break;
	}
#undef CAND
	attach_session_event(s, kinds[k].what, c, n);
}

struct hist_session {
	enum slab_hist_kind kind;
	const struct hist_linear *lin;
};

static void *hist_session_open(struct attach_session *s)
{
	struct hist_session *hs = s->ctx;
	struct slabhist_bpf *skel = slabhist_bpf__open();
	struct bpf_program *p;

	if (!skel)
		return NULL;
	bpf_object__for_each_program(p, skel->obj)
		bpf_program__set_autoload(p, false);
	hist_event(s, skel, hs->kind);
	return skel;
}

static int hist_session_load(struct attach_session *s, void *p)
{
	struct hist_session *hs = s->ctx;
	const struct hist_linear *lin = hs->lin;
	struct slabhist_bpf *skel = p;
	bool per_cache = kinds[hs->kind].per_cache;

	skel->rodata->per_cache = per_cache;
	if (lin) {
		skel->rodata->linear = true;
		skel->rodata->lin_min = lin->min;
		skel->rodata->lin_max = lin->max;
		skel->rodata->lin_step = lin->step;
		skel->rodata->lin_nr_slots = hist_linear_nr_slots(lin);
	}
	bpf_map__set_max_entries(skel->maps.hists, per_cache ? slab_cache_map_entries() : 1);
	return slabhist_bpf__load(skel);
}

static void hist_session_destroy(void *skel)
{
	slabhist_bpf__destroy(skel);
}

static const char *cache_name(const struct slab_state *st, unsigned long long id)
{
	size_t i;

	for (i = 0; i < st->nr; i++)
		if (st->caches[i].id == id)
			return st->caches[i].name;
	return "(destroyed cache)";
}

struct entry {
	struct slab_hist_key key;
	const char *name;
	struct slab_hist_val v;
};

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

/* A per-CPU value summed over the CPUs; 0 or -errno. */
static int lookup_sum(int fd, const void *key, struct slab_hist_val *out)
{
	int ncpu = libbpf_num_possible_cpus(), cpu, i, err;
	struct slab_hist_val *v;

	if (ncpu <= 0)
		return -EINVAL;
	v = calloc(ncpu, sizeof(*v));
	if (!v)
		return -ENOMEM;
	err = bpf_map_lookup_elem(fd, key, v) ? -errno : 0;
	memset(out, 0, sizeof(*out));
	for (cpu = 0; !err && cpu < ncpu; cpu++) {
		for (i = 0; i < SLAB_HIST_SLOTS; i++)
			out->slots[i] += v[cpu].slots[i];
		out->count += v[cpu].count;
		out->sum += v[cpu].sum;
	}
	free(v);
	return err;
}

static void report(struct slabhist_bpf *skel, const struct hist_kind *kind, const char *glob,
		   const struct hist_linear *lin, const struct interval_opts *io)
{
	struct slab_hist_key key, next, *prev = NULL;
	struct slab_state st = { 0 };
	struct entry *e = NULL;
	size_t n = 0, i;
	int fd = bpf_map__fd(skel->maps.hists);
	unsigned int nslots = lin ? hist_linear_nr_slots(lin) : HIST_LOG2_SLOTS;
	struct json_object *rec;

	if (kind->per_cache && slab_state_bpf(&st))
		errmsg("warning: cache names unavailable (kmem_cache iterator failed)");
	if (!kind->per_cache) {
		int tfd = bpf_map__fd(skel->maps.total), ncpu = libbpf_num_possible_cpus();
		struct slab_hist_val *zero = calloc(ncpu > 0 ? ncpu : 1, sizeof(*zero));
		__u32 idx = 0;

		e = calloc(1, sizeof(*e));
		if (e && zero && lookup_sum(tfd, &idx, &e->v) == 0 && e->v.count) {
			e->name = "all";
			n = 1;
			bpf_map_update_elem(tfd, &idx, zero, BPF_ANY);
		}
		free(zero);
	}
	while (kind->per_cache && bpf_map_get_next_key(fd, prev, &next) == 0) {
		struct entry *p = realloc(e, (n + 1) * sizeof(*e));

		if (!p)
			break;
		e = p;
		e[n].key = next;
		e[n].name = cache_name(&st, next.cache);
		if (lookup_sum(fd, &next, &e[n].v) == 0 && (!glob || slab_name_matches(e[n].name, glob)))
			n++;
		key = next;
		prev = &key;
	}
	qsort(e, n, sizeof(*e), by_name);
	rec = hist_record_new("slab", kind->name, kind->per_cache ? "cache" : NULL, lin);
	for (i = 0; i < n; i++) {
		struct json_object *hists, *h;

		hist_record_add(rec, kind->per_cache ? e[i].name : NULL, e[i].v.slots, nslots);
		json_object_object_get_ex(rec, "hists", &hists);
		h = json_object_array_get_idx(hists, json_object_array_length(hists) - 1);
		json_object_object_add(h, "sum", json_object_new_uint64(e[i].v.sum));
	}
	json_object_object_add(rec, "dropped", json_object_new_uint64(0));
	if (!n && !io->json) {
		interval_print_time(io, stdout);
		printf("no %s events\n", kind->what);
		json_object_put(rec);
	} else {
		record_emit(rec, io);
	}
	/*
	 * Each interval's report stands alone, as in the libbpf-tools; events
	 * between the read and the delete are lost, as there.
	 */
	for (i = 0; kind->per_cache && i < n; i++)
		bpf_map_delete_elem(fd, &e[i].key);
	free(e);
	slab_state_free(&st);
}

static int parse_linear(const char *arg, struct hist_linear *lin)
{
	char *end;

	lin->min = strtoll(arg, &end, 10);
	if (*end != ',')
		goto bad;
	lin->max = strtoll(end + 1, &end, 10);
	if (*end != ',')
		goto bad;
	lin->step = strtoll(end + 1, &end, 10);
	if (*end || lin->min < 0 || lin->max <= lin->min || lin->step <= 0 ||
	    hist_linear_nr_slots(lin) > SLAB_HIST_SLOTS)
		goto bad;
	return 0;
bad:
	errmsg("-l takes MIN,MAX,STEP with 0 <= MIN < MAX, STEP > 0 and at most %d "
	       "slots, not '%s'", SLAB_HIST_SLOTS - 2, arg);
	return EXIT_USAGE;
}

static int do_slab_hist(const struct cmd *cmd, struct opts *o)
{
	struct hist_session hs;
	struct attach_session sess = {
		.what = "the histogram programs", .ctx = &hs, .open = hist_session_open,
		.load = hist_session_load, .destroy = hist_session_destroy,
	};
	struct interval_opts io = { 0 };
	struct hist_linear lin, *linp = NULL;
	enum slab_hist_kind kind = SLAB_HIST_BULK;
	struct slabhist_bpf *skel;
	const char *glob = o->arg[OPT_CACHE];
	long printed = 0;
	int i, err;

	if (o->set[OPT_KIND]) {
		for (i = 0; i < SLAB_NR_HIST; i++)
			if (!strcmp(o->arg[OPT_KIND], kinds[i].name))
				break;
		if (i == SLAB_NR_HIST) {
			errmsg("unknown kind '%s': bulk, prefill, refill, flush or kmalloc",
			       o->arg[OPT_KIND]);
			return EXIT_USAGE;
		}
		kind = i;
	}
	if (o->set[OPT_LINEAR]) {
		if (parse_linear(o->arg[OPT_LINEAR], &lin))
			return EXIT_USAGE;
		linp = &lin;
	}
	io.timestamp = o->set[OPT_TIMESTAMP];
	io.json = o->set[OPT_JSON];
	if (opt_interval(o, 0, &io.interval, &io.count))
		return EXIT_USAGE;
	if (glob && !kinds[kind].per_cache) {
		errmsg("-C does not apply to -K %s, which is not per cache", kinds[kind].name);
		return EXIT_USAGE;
	}
	if (require_root("mmscope slab hist (it loads BPF programs)"))
		return EXIT_NOPRIV;

	hs = (struct hist_session){ kind, linp };
	err = attach_session_open(&sess);
	if (err)
		return err;
	skel = sess.skel;
	interval_install_signals();
	if (!io.interval || !io.count)
		fprintf(stderr, "Tracing %s... Hit Ctrl-C to end.\n", kinds[kind].what);
	while (interval_next(&io, printed)) {
		report(skel, &kinds[kind], glob, linp, &io);
		printed++;
	}
	attach_session_close(&sess);
	return EXIT_OK;
}

const struct cmd cmd_slab_hist = {
	.name = "hist",
	.summary = "per-cache histograms of allocation counts (bulk, prefill, ...)",
	.args = "[interval [count]]",
	.opts = "kind cache linear timestamp json",
	.doc = "Histograms, per cache, of how many objects each operation asked for\n"
	       "(bpftrace layout).  Kinds and where they are traced (-v shows the one\n"
	       "chosen):\n"
	       "  bulk     count passed to kmem_cache_alloc_bulk()  fentry\n"
	       "  prefill  size asked of kmem_cache_prefill_sheaf() kmem:sheaf_prefill (patch), fentry\n"
	       "  refill   objects obtained by a sheaf refill       kmem:sheaf_refill (patch)\n"
	       "  flush    objects flushed from a sheaf             kmem:sheaf_flush (patch)\n"
	       "  kmalloc  bytes asked of kmalloc(), all caches     tp_btf, raw_tp\n"
	       "With no interval, one report at Ctrl-C.\n",
	.examples = "mmscope slab hist -K prefill -C maple_node      maple tree preallocation\n"
		    "mmscope slab hist -K bulk 5 1                   one report after 5 s\n"
		    "mmscope slab hist -K kmalloc -l 0,512,64 1 3",
	.run = do_slab_hist,
};
