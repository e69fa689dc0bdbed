// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope slab top: per-cache sheaf rates.
 *
 * Counter sources, best first: the patch series' slab tracepoints (refill
 * and flush events with their object counts, barn get/put, prefill and
 * return paths), the SLUB_STATS counters (read for every cache at once by
 * the kmem_cache iterator), and kmem:kmem_cache_alloc/free through tp_btf,
 * which every kernel has but which cannot tell a sheaf hit from a miss.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <json-c/json.h>

#include "attach.h"
#include "interval.h"
#include "jsonl.h"
#include "mmscope.h"
#include "slab.h"
#include "slab_alias.h"
#include "render.h"
#include "commands.h"
#include "slabtop.skel.h"

enum top_field {
	F_ALLOC, F_ALLOC_SHEAF, F_ALLOC_SLOW, F_FREE, F_REFILL, F_REFILL_OBJS, F_FLUSH,
	F_FLUSH_OBJS, F_BGET, F_BGET_FAIL, F_BPUT, F_BPUT_FAIL, F_PF_FAST, F_PF_SLOW,
	F_PF_OVER, F_ALLOC_PREFILLED, NR_F,
};

static const char *const field_names[NR_F] = {
	"alloc", "alloc_sheaf", "alloc_slow", "free", "refill", "refill_objs", "flush",
	"flush_objs", "barn_get", "barn_get_fail", "barn_put", "barn_put_fail",
	"prefill_fast", "prefill_slow", "prefill_oversize", "alloc_prefilled",
};

struct top_cache {
	char name[SLAB_NAME_LEN];
	unsigned long long id;
	unsigned long long v[NR_F];	/* cumulative */
	unsigned long long delta[NR_F];	/* events in the last interval */
	double rate[NR_F];		/* per second over the last interval */
	bool seen;
};

struct top {
	struct attach_session sess;
	struct slabtop_bpf *skel;	/* sess.skel: NULL when no tracepoint is needed */
	bool use_tp_alloc, use_patch_tp, use_stats;
	unsigned int have;		/* bit per field: some source provides it */
	struct top_cache *c;
	size_t nr;
	const char *glob;
	int rows;
	bool batch, json;
};

static struct top_cache *top_find(struct top *t, unsigned long long id, const char *name)
{
	struct top_cache *c;
	size_t i;

	for (i = 0; i < t->nr; i++)
		if (t->c[i].id == id)
			return &t->c[i];
	c = realloc(t->c, (t->nr + 1) * sizeof(*c));
	if (!c)
		return NULL;
	t->c = c;
	c = &t->c[t->nr++];
	memset(c, 0, sizeof(*c));
	c->id = id;
	snprintf(c->name, sizeof(c->name), "%s", name);
	return c;
}

static void set(struct top *t, struct top_cache *c, enum top_field f,
		unsigned long long v, double secs)
{
	if (secs > 0 && c->seen) {
		c->delta[f] = v >= c->v[f] ? v - c->v[f] : 0;
		c->rate[f] = c->delta[f] / secs;
	}
	c->v[f] = v;
	t->have |= 1u << f;
}

/* A cache's SLUB_STATS counters (read by the kmem_cache iterator). */
static void sample_stats(struct top *t, struct top_cache *c, const struct slab_cache_state *s,
			 double secs)
{
	const unsigned long long *x = s->stats;
	/*
	 * Objects handed out of prefilled sheaves are neither fast nor slow
	 * path; only the patch series counts them.
	 */
	bool pf = s->stats_mask & (1u << SLAB_ST_ALLOC_FROM_SHEAF);
	unsigned long long prefilled = pf ? x[SLAB_ST_ALLOC_FROM_SHEAF] : 0;

	set(t, c, F_ALLOC, x[SLAB_ST_ALLOC_FASTPATH] + x[SLAB_ST_ALLOC_SLOWPATH] + prefilled, secs);
	if (pf)
		set(t, c, F_ALLOC_PREFILLED, prefilled, secs);
	set(t, c, F_ALLOC_SHEAF, x[SLAB_ST_ALLOC_FASTPATH] + prefilled, secs);
	set(t, c, F_ALLOC_SLOW, x[SLAB_ST_ALLOC_SLOWPATH], secs);
	set(t, c, F_FREE, x[SLAB_ST_FREE_FASTPATH] + x[SLAB_ST_FREE_SLOWPATH] +
	    x[SLAB_ST_FREE_RCU_SHEAF], secs);
	if (t->use_patch_tp)
		return;		/* the tracepoints count these per event */
	set(t, c, F_REFILL_OBJS, x[SLAB_ST_SHEAF_REFILL], secs);
	set(t, c, F_FLUSH_OBJS, x[SLAB_ST_SHEAF_FLUSH], secs);
	set(t, c, F_BGET, x[SLAB_ST_BARN_GET], secs);
	set(t, c, F_BGET_FAIL, x[SLAB_ST_BARN_GET_FAIL], secs);
	set(t, c, F_BPUT, x[SLAB_ST_BARN_PUT], secs);
	set(t, c, F_BPUT_FAIL, x[SLAB_ST_BARN_PUT_FAIL], secs);
	set(t, c, F_PF_FAST, x[SLAB_ST_SHEAF_PREFILL_FAST], secs);
	set(t, c, F_PF_SLOW, x[SLAB_ST_SHEAF_PREFILL_SLOW], secs);
	set(t, c, F_PF_OVER, x[SLAB_ST_SHEAF_PREFILL_OVERSIZE], secs);
}

/* A cache's tracepoint counts: its per-CPU slots of the counts map, summed. */
static void sample_events(struct top *t, struct top_cache *c, __u64 key, int ncpu, double secs)
{
	static const struct { enum top_field f; unsigned int ev; } patch[] = {
		{ F_REFILL, SLAB_EV_REFILL }, { F_REFILL_OBJS, SLAB_EV_REFILL_OBJS },
		{ F_FLUSH, SLAB_EV_FLUSH }, { F_FLUSH_OBJS, SLAB_EV_FLUSH_OBJS },
		{ F_BGET, SLAB_EV_BARN_GET }, { F_BGET_FAIL, SLAB_EV_BARN_GET_FAIL },
		{ F_BPUT, SLAB_EV_BARN_PUT }, { F_BPUT_FAIL, SLAB_EV_BARN_PUT_FAIL },
		{ F_PF_FAST, SLAB_EV_PREFILL_FAST }, { F_PF_SLOW, SLAB_EV_PREFILL_SLOW },
		{ F_PF_OVER, SLAB_EV_PREFILL_OVERSIZE },
	};
	struct slab_ev_counts *pc = calloc(ncpu, sizeof(*pc));
	unsigned long long ev[SLAB_NR_EV] = { 0 };
	size_t i;
	int k, cpu;

	if (pc && !bpf_map__lookup_elem(t->skel->maps.counts, &key, sizeof(key), pc,
					ncpu * sizeof(*pc), 0))
		for (cpu = 0; cpu < ncpu; cpu++)
			for (k = 0; k < SLAB_NR_EV; k++)
				ev[k] += pc[cpu].ev[k];
	free(pc);
	if (t->use_tp_alloc) {
		set(t, c, F_ALLOC, ev[SLAB_EV_ALLOC], secs);
		set(t, c, F_FREE, ev[SLAB_EV_FREE], secs);
	}
	for (i = 0; t->use_patch_tp && i < sizeof(patch) / sizeof(patch[0]); i++)
		set(t, c, patch[i].f, ev[patch[i].ev], secs);
}

static int top_sample(struct top *t, double secs)
{
	struct slab_state st = { 0 };
	int err, ncpu = libbpf_num_possible_cpus();
	size_t i;

	err = slab_state_bpf(&st);
	if (err) {
		errmsg("the kmem_cache iterator failed: %s", strerror(-err));
		return err;
	}
	for (i = 0; i < t->nr; i++)
		memset(t->c[i].rate, 0, sizeof(t->c[i].rate));
	for (i = 0; i < st.nr; i++) {
		const struct slab_cache_state *s = &st.caches[i];
		struct top_cache *c = top_find(t, s->id, s->name);

		if (!c)
			break;
		if (t->use_stats && s->has_stats)
			sample_stats(t, c, s, secs);
		if (t->skel)
			sample_events(t, c, s->id, ncpu, secs);
		c->seen = true;
	}
	slab_state_free(&st);
	return 0;
}

static double activity(const struct top_cache *c)
{
	return c->rate[F_ALLOC] + c->rate[F_FREE] + c->rate[F_REFILL_OBJS] +
	       c->rate[F_FLUSH_OBJS] + c->rate[F_PF_FAST] + c->rate[F_PF_SLOW] +
	       c->rate[F_PF_OVER] + c->rate[F_ALLOC_PREFILLED];
}

static int by_activity(const void *a, const void *b)
{
	double x = activity(a), y = activity(b);

	if (x != y)
		return x < y ? 1 : -1;
	return strcmp(((const struct top_cache *)a)->name, ((const struct top_cache *)b)->name);
}

/* A cache's JSON row: counts and rates of the fields some source fills. */
static struct json_object *row_json(const struct top *t, const struct top_cache *c)
{
	struct json_object *o = json_object_new_object();
	int f;

	json_object_object_add(o, "cache", json_object_new_string(c->name));
	for (f = 0; f < NR_F; f++) {
		char key[48];

		if (!(t->have & (1u << f)))
			continue;
		snprintf(key, sizeof(key), "%s_per_s", field_names[f]);
		json_object_object_add(o, key, json_object_new_double(c->rate[f]));
		/* The exact count, which a rate times a clock is not. */
		json_object_object_add(o, field_names[f], json_object_new_uint64(c->delta[f]));
	}
	return o;
}

static void top_print(struct top *t, const struct interval_opts *io)
{
	struct json_object *rec = record_new("slab_top", NULL), *arr = json_object_new_array();
	struct json_object *have = json_object_new_array();
	int shown = 0, f;
	size_t i;

	qsort(t->c, t->nr, sizeof(*t->c), by_activity);
	json_object_object_add(rec, "interval", json_object_new_int(io->interval));
	json_object_object_add(rec, "source", json_object_new_string(
		t->use_patch_tp ? "patch tracepoints" : t->use_stats ? "SLUB_STATS" :
		"kmem tracepoints"));
	for (f = 0; f < NR_F; f++)
		if (t->have & (1u << f))
			json_object_array_add(have, json_object_new_string(field_names[f]));
	json_object_object_add(rec, "fields", have);
	for (i = 0; i < t->nr && shown < t->rows; i++) {
		struct top_cache *c = &t->c[i];

		if (t->glob && !slab_name_matches(c->name, t->glob))
			continue;
		/* Only what changed: a quiet cache is not a row. */
		if (activity(c) <= 0)
			continue;
		json_object_array_add(arr, row_json(t, c));
		shown++;
	}
	json_object_object_add(rec, "caches", arr);
	if (t->json) {
		jsonl_emit(rec);
		return;
	}
	if (!t->batch)
		printf("\033[H\033[J");
	interval_print_time(io, stdout);
	slab_top_render(stdout, rec);
	if (t->batch)
		putchar('\n');
	fflush(stdout);
	json_object_put(rec);
}

/* One event of slab top (@what for messages): its tp_btf program, then its raw_tp one. */
static void top_event(struct attach_session *s, const char *what, const char *tp,
		      struct bpf_program *btf, struct bpf_program *raw)
{
	const struct attach_candidate cand[] = {
		{ btf, BPF_KIND_TP_BTF, tp }, { raw, BPF_KIND_RAW_TP, tp },
	};

	attach_session_event(s, what ? what : tp, cand, 2);
}

static void *top_session_open(struct attach_session *s)
{
	struct top *t = s->ctx;
	struct slabtop_bpf *skel = slabtop_bpf__open();
	struct bpf_program *p;

	if (!skel)
		return NULL;
	bpf_object__for_each_program(p, skel->obj)
		bpf_program__set_autoload(p, false);
	if (t->use_tp_alloc) {
		top_event(s, "kmem_cache allocations", "kmem_cache_alloc", skel->progs.top_alloc,
			  skel->progs.top_alloc_raw);
		top_event(s, "kmem_cache frees", "kmem_cache_free", skel->progs.top_free,
			  skel->progs.top_free_raw);
	}
	if (t->use_patch_tp) {
		top_event(s, NULL, "sheaf_refill", skel->progs.top_refill, skel->progs.top_refill_raw);
		top_event(s, NULL, "sheaf_flush", skel->progs.top_flush, skel->progs.top_flush_raw);
		top_event(s, NULL, "barn_get", skel->progs.top_barn_get, skel->progs.top_barn_get_raw);
		top_event(s, NULL, "barn_put", skel->progs.top_barn_put, skel->progs.top_barn_put_raw);
		top_event(s, NULL, "sheaf_prefill", skel->progs.top_prefill, skel->progs.top_prefill_raw);
		top_event(s, NULL, "sheaf_return", skel->progs.top_return, skel->progs.top_return_raw);
	}
	return skel;
}

static int top_session_load(struct attach_session *s, void *p)
{
	struct slabtop_bpf *skel = p;

	bpf_map__set_max_entries(skel->maps.counts, slab_cache_map_entries());
	return slabtop_bpf__load(skel);
}

static void top_session_destroy(void *skel)
{
	slabtop_bpf__destroy(skel);
}

/* Patch tracepoints when present; kmem_cache_alloc/free without SLUB_STATS. */
static int top_open(struct top *t)
{
	int err;

	t->use_stats = access("/sys/kernel/slab/kmalloc-64/alloc_fastpath", R_OK) == 0 ||
		       access("/sys/kernel/slab/kmem_cache/alloc_fastpath", R_OK) == 0;
	t->use_patch_tp = kernel_has_tracepoint("sheaf_refill");
	t->use_tp_alloc = !t->use_stats;
	verbose("slab top: SLUB_STATS %s; patch slab tracepoints %s",
		t->use_stats ? "yes (allocation split, barn, prefill)" : "no (CONFIG_SLUB_STATS=n)",
		t->use_patch_tp ? "yes (refill/flush events, barn, prefill)" : "no");
	if (!t->use_patch_tp && !t->use_tp_alloc)
		return EXIT_OK;
	t->sess = (struct attach_session){
		.what = "the slab top programs", .ctx = t, .open = top_session_open,
		.load = top_session_load, .destroy = top_session_destroy,
	};
	err = attach_session_open(&t->sess);
	t->skel = t->sess.skel;
	return err;
}

static int terminal_rows(void)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 4)
		return ws.ws_row - 3;
	return 20;
}

static int do_slab_top(const struct cmd *cmd, struct opts *in)
{
	struct interval_opts io = { .interval = 1 };
	struct top t = { .rows = 0 };
	struct timespec a, b;
	long printed = 0;
	long long v;
	int err;

	t.glob = in->arg[OPT_CACHE];
	t.batch = in->set[OPT_BATCH];
	io.timestamp = in->set[OPT_TIMESTAMP];
	t.json = io.json = in->set[OPT_JSON];
	if (opt_num(in, OPT_ROWS, 1, 100000, &v))
		return EXIT_USAGE;
	if (in->set[OPT_ROWS])
		t.rows = v;
	if (opt_interval(in, 0, &io.interval, &io.count))
		return EXIT_USAGE;
	if (!isatty(STDOUT_FILENO))
		t.batch = true;
	if (!t.rows)
		t.rows = t.batch ? 20 : terminal_rows();
	if (t.json)
		t.rows = 1 << 30;
	if (require_root("mmscope slab top (it loads BPF programs)"))
		return EXIT_NOPRIV;

	err = top_open(&t);
	if (err)
		return err;
	err = top_sample(&t, 0);
	if (!err && t.glob) {
		size_t i;

		for (i = 0; i < t.nr && !slab_name_matches(t.c[i].name, t.glob); i++)
			;
		if (i == t.nr) {
			errmsg("no slab cache matches '%s' (nor an alias of one); 'mmscope slab -a' "
			       "lists them", t.glob);
			attach_session_close(&t.sess);
			free(t.c);
			return EXIT_FAIL;
		}
	}
	interval_install_signals();
	if (!t.json && t.batch && !io.count)
		fprintf(stderr, "Tracing slab caches... Hit Ctrl-C to end.\n");
	clock_gettime(CLOCK_MONOTONIC, &a);
	while (!err && interval_next(&io, printed)) {
		clock_gettime(CLOCK_MONOTONIC, &b);
		err = top_sample(&t, (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9);
		a = b;
		if (!err) {
			top_print(&t, &io);
			printed++;
		}
	}
	attach_session_close(&t.sess);
	free(t.c);
	return err ? EXIT_FAIL : EXIT_OK;
}

/* --- text, from the record (live and in `mmscope report`) ------------------ */

struct top_col {
	const char *title;
	int width;
	const char *num, *den, *den2;	/* field names; den: a ratio num/(den+den2) */
	bool pct;
};

/* 100 columns with every one shown: 17 for CACHE, then these. */
static const struct top_col top_cols[] = {
	{ "ALLOC/s", 8, "alloc", NULL, NULL, false },
	{ "FREE/s", 8, "free", NULL, NULL, false },
	{ "HIT%", 5, "alloc_sheaf", "alloc", NULL, true },
	{ "REFIL/s", 7, "refill", NULL, NULL, false },
	{ "OBJ/RF", 6, "refill_objs", "refill", NULL, false },
	{ "FLOBJ/s", 7, "flush_objs", NULL, NULL, false },
	{ "BGTF%", 5, "barn_get_fail", "barn_get", "barn_get_fail", true },
	{ "BPTF%", 5, "barn_put_fail", "barn_put", "barn_put_fail", true },
	{ "PFFST", 5, "prefill_fast", NULL, NULL, false },
	{ "PFSLW", 5, "prefill_slow", NULL, NULL, false },
	{ "PFOVR", 5, "prefill_oversize", NULL, NULL, false },
	{ "PFALC", 5, "alloc_prefilled", NULL, NULL, false },
};
#define NR_TOP_COLS (sizeof(top_cols) / sizeof(top_cols[0]))
/* The column only the series' SLUB_STATS counter fills. */
#define TOP_COL_SERIES (NR_TOP_COLS - 1)

static bool has_field(struct json_object *rec, const char *name)
{
	struct json_object *f;
	size_t i;

	if (!name)
		return true;
	if (!json_object_object_get_ex(rec, "fields", &f))
		return false;
	for (i = 0; i < json_object_array_length(f); i++)
		if (!strcmp(json_object_get_string(json_object_array_get_idx(f, i)), name))
			return true;
	return false;
}

static double field(struct json_object *row, const char *name, bool rate)
{
	char key[48];
	struct json_object *v;

	snprintf(key, sizeof(key), rate ? "%s_per_s" : "%s", name);
	return json_object_object_get_ex(row, key, &v) ? json_object_get_double(v) : 0;
}

static void top_cell(const struct top_col *c, struct json_object *row, bool free_blind)
{
	double n, d;

	if (!c->den) {
		if (free_blind && !strcmp(c->num, "free") && field(row, "free", false) == 0 &&
		    field(row, "alloc", false) > 0) {
			printf(" %*s", c->width, "?");
			return;
		}
		printf(" %*.0f", c->width, field(row, c->num, true));
		return;
	}
	n = field(row, c->num, false);
	d = field(row, c->den, false) + (c->den2 ? field(row, c->den2, false) : 0);
	if (d <= 0)
		printf(" %*s", c->width, "-");
	else
		printf(" %*.1f", c->width, (c->pct ? 100 : 1) * n / d);
}

void slab_top_render(FILE *out, struct json_object *rec)
{
	struct json_object *caches, *src;
	bool show[NR_TOP_COLS], free_blind, any_blind = false;
	char hidden[160] = "";
	bool series_hidden = false;
	size_t i, j, n;
	FILE *saved = stdout;

	/* kmem_cache_free's tracepoint does not see frees into sheaves (kfree_rcu). */
	free_blind = json_object_object_get_ex(rec, "source", &src) &&
		     !strcmp(json_object_get_string(src), "kmem tracepoints");
	stdout = out;
	printf("%-17s", "CACHE");
	for (j = 0; j < NR_TOP_COLS; j++) {
		show[j] = has_field(rec, top_cols[j].num) && has_field(rec, top_cols[j].den);
		if (show[j])
			printf(" %*s", top_cols[j].width, top_cols[j].title);
		else if (j == TOP_COL_SERIES && has_field(rec, "alloc_sheaf"))
			series_hidden = true;	/* SLUB_STATS without the series' counter */
		else if (strlen(hidden) + strlen(top_cols[j].title) + 2 < sizeof(hidden))
			snprintf(hidden + strlen(hidden), sizeof(hidden) - strlen(hidden), "%s%s",
				 *hidden ? " " : "", top_cols[j].title);
	}
	putchar('\n');
	n = json_object_object_get_ex(rec, "caches", &caches) ? json_object_array_length(caches) : 0;
	for (i = 0; i < n; i++) {
		struct json_object *row = json_object_array_get_idx(caches, i), *v;
		const char *name = json_object_object_get_ex(row, "cache", &v) ?
				   json_object_get_string(v) : "?";

		printf("%-17.17s", name);
		for (j = 0; j < NR_TOP_COLS; j++)
			if (show[j])
				top_cell(&top_cols[j], row, free_blind);
		if (free_blind && field(row, "free", false) == 0 && field(row, "alloc", false) > 0)
			any_blind = true;
		putchar('\n');
	}
	if (!n)
		printf("(no cache allocated or freed in this interval)\n");
	if (*hidden)
		printf("not shown: %s: this kernel has neither SLUB_STATS nor the patch series' "
		       "slab tracepoints\n", hidden);
	if (series_hidden)
		printf("not shown: %s: this kernel's SLUB_STATS have no alloc_from_sheaf (the patch "
		       "series' counter of allocations from prefilled sheaves)\n",
		       top_cols[TOP_COL_SERIES].title);
	if (any_blind)
		printf("?: frees served through sheaves (kfree_rcu, e.g. maple_node) do not pass "
		       "kmem_cache_free's tracepoint\n");
	stdout = saved;
}

const struct cmd cmd_slab_top = {
	.name = "top",
	.summary = "per-cache sheaf rates, busiest first",
	.args = "[interval [count]]",
	.opts = "cache rows batch timestamp json",
	.doc = "Per-cache sheaf rates, busiest caches first, every interval (default\n"
	       "1 s): allocations and frees per second, the share served from per-CPU\n"
	       "sheaves (HIT%), refills and objects per refill, objects flushed, the\n"
	       "barn get/put failure rates, caller-owned sheaf prefills and the objects\n"
	       "allocated from them (PFALC, the patch series' alloc_from_sheaf counter;\n"
	       "they count as sheaf hits).  Columns no source on this kernel fills are\n"
	       "left out, with a note; -v names the sources.  -j writes only the caches\n"
	       "that changed.\n",
	.examples = "mmscope slab top                  live view, every second\n"
		    "mmscope slab top -B 2 5           five reports two seconds apart\n"
		    "mmscope slab top 1 3 -C 'kmalloc-*' -j",
	.run = do_slab_top,
};
