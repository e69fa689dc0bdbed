// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope trace: the general tracers.  `slab` counts allocations and frees
 * per cache (slabratetop), `page` histograms page allocations by order.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "attach.h"
#include "mmscope.h"
#include "probe.h"
#include "render.h"
#include "trace_cmd.h"
#include "trace.skel.h"
#include "trace_slab.h"
#include "trace_attach.h"
#include "slab_alias.h"
#include "map_drain.h"


static void on_child(int sig)
{
	mmscope_exiting = 1;
}

static int parse_opts(struct opts *in, struct trace_opts *o, bool slab)
{
	long long v;

	o->top = 10;
	o->sort = "allocs";
	o->cmd = in->child;
	o->io.json = in->set[OPT_JSON];
	o->io.timestamp = in->set[OPT_TIMESTAMP];
	o->allocs_only = in->set[OPT_ALLOCS_ONLY];
	o->cache = in->arg[OPT_CACHE];
	if (in->set[OPT_PID]) {
		if (parse_num("-p PID", in->arg[OPT_PID], 1, 4194304, &v))
			return EXIT_USAGE;
		if (kill(v, 0) && errno == ESRCH) {
			errmsg("no process %lld", v);
			return EXIT_USAGE;
		}
		o->pid = v;
	}
	if (in->set[OPT_COMM]) {
		if (strlen(in->arg[OPT_COMM]) >= TRACE_COMM_LEN) {
			errmsg("-c: task names have at most %d characters ('%s')",
			       TRACE_COMM_LEN - 1, in->arg[OPT_COMM]);
			return EXIT_USAGE;
		}
		o->comm = in->arg[OPT_COMM];
	}
	if (in->set[OPT_BY]) {
		if (!strcmp(in->arg[OPT_BY], "pid")) {
			o->by = TRACE_BY_PID;
		} else if (!strcmp(in->arg[OPT_BY], "comm")) {
			o->by = TRACE_BY_COMM;
		} else {
			errmsg("-b takes 'pid' or 'comm', not '%s'", in->arg[OPT_BY]);
			return EXIT_USAGE;
		}
	}
	if (opt_num(in, OPT_ROWS, 0, 100000, &v))
		return EXIT_USAGE;
	if (in->set[OPT_ROWS])
		o->top = v;
	if (in->set[OPT_SORT]) {
		const char *s = in->arg[OPT_SORT];

		if (strcmp(s, "allocs") && strcmp(s, "frees") && strcmp(s, "alloc_bytes") &&
		    strcmp(s, "free_bytes") && strcmp(s, "cache")) {
			errmsg("-s takes allocs, frees, alloc_bytes, free_bytes or cache, not '%s'", s);
			return EXIT_USAGE;
		}
		o->sort = s;
	}
	return opt_interval(in, 0, &o->io.interval, &o->io.count);
}

/* --- slab ---------------------------------------------------------------- */

struct slab_row {
	char cache[TRACE_CACHE_NAME_LEN];
	struct slab_key key;
	unsigned long long allocs, frees, alloc_bytes, free_bytes;
};

static const char *sort_col;

static int row_cmp(const void *a, const void *b)
{
	const struct slab_row *x = a, *y = b;
	unsigned long long vx, vy;

	if (!strcmp(sort_col, "cache"))
		return strcmp(x->cache, y->cache);
	if (!strcmp(sort_col, "frees")) {
		vx = x->frees;
		vy = y->frees;
	} else if (!strcmp(sort_col, "alloc_bytes")) {
		vx = x->alloc_bytes;
		vy = y->alloc_bytes;
	} else if (!strcmp(sort_col, "free_bytes")) {
		vx = x->free_bytes;
		vy = y->free_bytes;
	} else {
		vx = x->allocs;
		vy = y->allocs;
	}
	if (vx != vy)
		return vx < vy ? 1 : -1;
	return strcmp(x->cache, y->cache);
}

static const char *by_name(enum trace_by by)
{
	return by == TRACE_BY_PID ? "pid" : by == TRACE_BY_COMM ? "comm" : NULL;
}

static void key_json(struct json_object *row, enum trace_by by, __u32 pid, const char *comm)
{
	if (by == TRACE_BY_PID)
		json_object_object_add(row, "pid", json_object_new_int64(pid));
	else if (by == TRACE_BY_COMM)
		json_object_object_add(row, "comm", json_object_new_string(comm));
}

/* Everything the map holds, summed over CPUs, merged by (cache name, key); map cleared. */
static struct json_object *slab_report(struct trace_bpf *skel, struct trace_opts *o,
				       struct cache_table *caches)
{
	struct slab_entry *e = NULL;
	struct slab_row *rows = NULL;
	size_t ne = 0, nrows = 0, i, j;
	struct json_object *rec, *cols, *arr;
	bool reloaded = false;

	ne = slab_collect(skel, &e);
	rows = calloc(ne ? ne : 1, sizeof(*rows));
	if (!rows)
		ne = 0;
	for (i = 0; i < ne; i++) {
		const struct cache_info *ci = cache_table_find(caches, e[i].key.cache);
		unsigned long long a = e[i].allocs, f = e[i].frees;
		struct slab_key *k = &e[i].key;
		struct slab_row *r = NULL;

		if (!ci && !reloaded) {
			/* Loaded on first need: the command starts sooner. */
			if (cache_table_load(skel->progs.cache_names, caches))
				errmsg("warning: no cache names (iter/kmem_cache refused); "
				       "caches show as '?'");
			reloaded = true;
			ci = cache_table_find(caches, k->cache);
		}
		if (o->cache && !slab_name_matches(ci ? ci->name : "?", o->cache))
			continue;
		for (j = 0; j < nrows; j++) {
			if (!strcmp(rows[j].cache, ci ? ci->name : "?") &&
			    rows[j].key.pid == k->pid &&
			    !memcmp(rows[j].key.comm, k->comm, TRACE_COMM_LEN)) {
				r = &rows[j];
				break;
			}
		}
		if (!r) {
			r = &rows[nrows++];
			snprintf(r->cache, sizeof(r->cache), "%s", ci ? ci->name : "?");
			r->key = *k;
		}
		r->allocs += a;
		r->frees += f;
		r->alloc_bytes += a * (ci ? ci->size : 0);
		r->free_bytes += f * (ci ? ci->size : 0);
	}
	sort_col = o->sort;
	qsort(rows, nrows, sizeof(*rows), row_cmp);

	rec = record_new("table", "slab");
	json_object_object_add(rec, "interval", json_object_new_int64(o->io.interval));
	cols = json_object_new_array();
	if (o->by)
		json_object_array_add(cols, json_object_new_string(by_name(o->by)));
	json_object_array_add(cols, json_object_new_string("cache"));
	json_object_array_add(cols, json_object_new_string("allocs"));
	json_object_array_add(cols, json_object_new_string("frees"));
	json_object_array_add(cols, json_object_new_string("alloc_bytes"));
	json_object_array_add(cols, json_object_new_string("free_bytes"));
	json_object_object_add(rec, "columns", cols);
	json_object_object_add(rec, "total_rows", json_object_new_int64(nrows));
	arr = json_object_new_array();
	for (i = 0; i < nrows && (!o->top || i < o->top); i++) {
		struct json_object *row = json_object_new_object();

		key_json(row, o->by, rows[i].key.pid, rows[i].key.comm);
		json_object_object_add(row, "cache", json_object_new_string(rows[i].cache));
		json_object_object_add(row, "allocs", json_object_new_uint64(rows[i].allocs));
		json_object_object_add(row, "frees", json_object_new_uint64(rows[i].frees));
		json_object_object_add(row, "alloc_bytes", json_object_new_uint64(rows[i].alloc_bytes));
		json_object_object_add(row, "free_bytes", json_object_new_uint64(rows[i].free_bytes));
		json_object_array_add(arr, row);
	}
	json_object_object_add(rec, "rows", arr);
	json_object_object_add(rec, "dropped", json_object_new_uint64(skel->bss->dropped));
	free(rows);
	free(e);
	return rec;
}

/* --- page ---------------------------------------------------------------- */

static const struct hist_linear order_lin = { .min = 0, .max = TRACE_MAX_ORDER, .step = 1 };

struct page_hist {
	struct page_key key;
	unsigned long long slots[TRACE_MAX_ORDER + 2];
};

struct page_drain {
	struct page_hist *h;
	size_t nh;
	int ncpu;
	bool oom;
};

static void page_one(const void *key, const void *values, void *arg)
{
	const struct page_key *k = key;
	const unsigned long long *v = values;
	struct page_drain *d = arg;
	struct page_hist *e = NULL;
	unsigned long long n = 0;
	size_t j;
	int cpu;

	for (cpu = 0; cpu < d->ncpu; cpu++)
		n += v[cpu];
	for (j = 0; j < d->nh; j++) {
		if (d->h[j].key.pid == k->pid && !memcmp(d->h[j].key.comm, k->comm, TRACE_COMM_LEN)) {
			e = &d->h[j];
			break;
		}
	}
	if (!e) {
		struct page_hist *p = realloc(d->h, (d->nh + 1) * sizeof(*p));

		if (!p) {
			d->oom = true;
			return;
		}
		d->h = p;
		e = &d->h[d->nh++];
		memset(e, 0, sizeof(*e));
		e->key = *k;
	}
	e->slots[hist_linear_slot(&order_lin, k->order)] += n;
}

static struct json_object *page_report(struct trace_bpf *skel, struct trace_opts *o)
{
	struct page_drain d = { .ncpu = libbpf_num_possible_cpus() };
	struct page_hist *h;
	struct json_object *rec;
	size_t nh, i;
	int err;

	err = map_drain(bpf_map__fd(skel->maps.page_counts), sizeof(struct page_key),
			sizeof(unsigned long long), page_one, &d);
	if (err || d.oom)
		errmsg("warning: reading the page counts: %s", err ? strerror(-err) : "out of memory");
	h = d.h;
	nh = d.nh;
	rec = hist_record_new("page", "order", by_name(o->by), &order_lin);
	for (i = 0; i < nh; i++) {
		char kbuf[32];
		const char *k = NULL;

		if (o->by == TRACE_BY_PID) {
			snprintf(kbuf, sizeof(kbuf), "%u", h[i].key.pid);
			k = kbuf;
		} else if (o->by == TRACE_BY_COMM) {
			memcpy(kbuf, h[i].key.comm, TRACE_COMM_LEN);
			kbuf[TRACE_COMM_LEN] = '\0';
			k = kbuf;
		}
		hist_record_add(rec, k, h[i].slots, hist_linear_nr_slots(&order_lin));
	}
	json_object_object_add(rec, "dropped", json_object_new_uint64(skel->bss->dropped));
	free(h);
	return rec;
}

/* --- the session ----------------------------------------------------------- */

struct trace_session {
	struct trace_opts *o;
	bool slab;
};

static void *trace_session_open(struct attach_session *s)
{
	struct trace_session *ts = s->ctx;
	struct trace_bpf *skel = trace_bpf__open();
	struct bpf_program *prog;

	if (!skel)
		return NULL;
	bpf_object__for_each_program(prog, skel->obj)
		bpf_program__set_autoload(prog, false);
	bpf_program__set_autoload(skel->progs.cache_names, ts->slab);
	if (ts->slab)
		trace_slab_events(s, skel, !ts->o->allocs_only);
	else
		trace_page_events(s, skel);
	return skel;
}

static int trace_session_load(struct attach_session *s, void *p)
{
	struct trace_session *ts = s->ctx;
	struct trace_opts *o = ts->o;
	struct trace_bpf *skel = p;
	bool keyed = o->pid || o->cmd || o->comm || o->by;

	/*
	 * Maps this session never touches: one entry each, not 8192 per CPU
	 * preallocated (creating them was a third of the start-up time).
	 */
	if (!ts->slab || !keyed)
		bpf_map__set_max_entries(skel->maps.slab_counts, 1);
	if (!ts->slab || keyed)
		bpf_map__set_max_entries(skel->maps.slab_by_cache, 1);
	if (ts->slab)
		bpf_map__set_max_entries(skel->maps.page_counts, 1);
	skel->rodata->targ_tgid = o->pid;
	skel->rodata->key_by = o->by;
	if (o->comm) {
		skel->rodata->filter_comm = true;
		strncpy((char *)skel->rodata->targ_comm, o->comm, TRACE_COMM_LEN - 1);
	}
	return trace_bpf__load(skel);
}

static void trace_session_destroy(void *skel)
{
	trace_bpf__destroy(skel);
}

static int do_trace_run(struct opts *in, bool slab)
{
	struct trace_opts o = { 0 };
	struct trace_session ts = { &o, slab };
	struct attach_session sess = {
		.what = "the tracing programs", .ctx = &ts, .open = trace_session_open,
		.load = trace_session_load, .destroy = trace_session_destroy,
	};
	struct cache_table caches = { 0 };
	struct trace_bpf *skel = NULL;
	int ret;
	pid_t child = 0;
	long printed = 0;

	ret = parse_opts(in, &o, slab);
	if (ret)
		return ret;
	if (!slab && (o.cache || strcmp(o.sort, "allocs") || o.top != 10 || o.allocs_only)) {
		errmsg("-A, -C, -s and -n apply to 'trace slab' only");
		return EXIT_USAGE;
	}
	if (require_root("mmscope trace (it loads BPF programs)"))
		return EXIT_NOPRIV;
	/* Forked before anything is opened: it inherits no mmscope descriptor. */
	if (o.cmd) {
		ret = child_start(o.cmd, &child);
		if (ret)
			return ret;
		if (!o.pid)
			o.pid = child;
	}
	ret = attach_session_open(&sess);
	if (ret)
		goto out;
	skel = sess.skel;
	if (slab && o.cache && cache_table_load(skel->progs.cache_names, &caches) == 0 &&
	    !cache_table_match(&caches, o.cache)) {
		errmsg("no slab cache matches '%s' (nor an alias of one); 'mmscope slab -a' lists them",
		       o.cache);
		ret = EXIT_FAIL;
		goto out;
	}
	interval_install_signals();
	if (o.cmd)
		signal(SIGCHLD, on_child);
	ret = child_go();
	if (ret)
		goto out;
	if (!o.io.json && !o.cmd)
		fprintf(stderr, "Tracing %s... Hit Ctrl-C to end.\n",
			slab ? "slab allocations" : "page allocations");
	/* A command that exits before the first wait still gets its report. */
	while (interval_next(&o.io, printed) || !printed) {
		struct json_object *rec = slab ? slab_report(skel, &o, &caches) : page_report(skel, &o);

		record_emit(rec, &o.io);
		printed++;
	}
	ret = EXIT_OK;
out:
	if (child > 0) {
		int cret = child_finish(child);

		if (!ret)
			ret = cret;
	}
	cache_table_free(&caches);
	attach_session_close(&sess);
	return ret;
}

static int do_trace_slab(const struct cmd *cmd, struct opts *o)
{
	return do_trace_run(o, true);
}

static int do_trace_page(const struct cmd *cmd, struct opts *o)
{
	return do_trace_run(o, false);
}

static const struct cmd cmd_trace_slab = {
	.name = "slab",
	.summary = "allocations and frees per slab cache, with bytes (slabratetop)",
	.args = "[interval [count]] [-- command [args]]",
	.opts = "pid comm cache by rows sort allocs-only timestamp json",
	.doc = "Allocations and frees per slab cache, with bytes (count x the cache's\n"
	       "per-object footprint).  Without an interval, one report at Ctrl-C (or\n"
	       "when the command exits).  -C also matches the aliases of merged caches.\n",
	.examples = "mmscope trace slab 1              top 10 caches every second\n"
		    "mmscope trace slab -C 'kmalloc-*' -n 0 5 3\n"
		    "mmscope trace slab 2 -b comm -T   per process name, with times\n"
		    "mmscope trace slab -j -- ./a.out  what ./a.out allocated, as JSON",
	.run = do_trace_slab,
	.flags = CMD_CHILD,
};

static const struct cmd cmd_trace_page = {
	.name = "page",
	.summary = "page allocations: a histogram of the order, per key",
	.args = "[interval [count]] [-- command [args]]",
	.opts = "pid comm by timestamp json",
	.doc = "Page allocations as a linear histogram of the order (@order, or\n"
	       "@order[key] with -b), in bpftrace's layout.\n",
	.examples = "mmscope trace page -b comm        order histograms per comm, at Ctrl-C\n"
		    "mmscope trace page -j -- ./a.out  orders ./a.out allocated, as JSON",
	.run = do_trace_page,
	.flags = CMD_CHILD,
};

static const struct cmd *const trace_subs[] = {
	&cmd_trace_slab, &cmd_trace_page, &cmd_trace_floor, NULL,
};

const struct cmd cmd_trace = {
	.name = "trace",
	.summary = "slab allocations per cache, page allocations per order",
	.doc = "The general tracers.  With '-- command', the command is started once\n"
	       "the tracer is attached, only its process is traced (unless -p says\n"
	       "otherwise), and the report is printed when it exits.\n",
	.examples = "mmscope trace slab 1\n"
		    "mmscope trace page -b comm\n"
		    "mmscope trace floor -- ./a.out",
	.subs = trace_subs,
};
