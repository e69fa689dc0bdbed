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
#include <fnmatch.h>
#include <getopt.h>
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
#include "mmscope.h"
#include "slab.h"
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
	struct slabtop_bpf *skel;
	bool use_tp_alloc, use_patch_tp, use_stats;
	unsigned int have;		/* bit per field: some source provides it */
	struct top_cache *c;
	size_t nr;
	const char *glob;
	int rows;
	bool batch, json;
};

static void top_usage(FILE *out)
{
	fprintf(out,
		"usage: mmscope slab top [-c GLOB] [-r ROWS] [-B] [-T] [-j] [interval] [count]\n"
		"\n"
		"Per-cache sheaf rates, busiest caches first, refreshed every interval\n"
		"(default 1 s): allocations and frees per second, the share served from\n"
		"per-CPU sheaves (HIT%%), refill events and the objects they moved into\n"
		"sheaves (OBJ/RF), objects flushed out, the barn get/put failure rates\n"
		"and caller-owned sheaf prefills (fast/slow/oversize) and the objects\n"
		"allocated from them (PF_ALC, the series' alloc_from_sheaf counter; they\n"
		"count as sheaf hits).  '-' marks a value no counter source on this\n"
		"kernel provides; -v names the sources.\n"
		"\n"
		"  -c, --cache GLOB  only caches whose name matches\n"
		"  -r, --rows N      caches per report (default: the terminal's height, or 20)\n"
		"  -B, --batch       plain reports one after another, no screen refresh\n"
		"  -T, --timestamp   time before each report\n"
		"  -j, --json        JSON Lines, one object per interval\n"
		"  -h, --help        this help\n"
		"\n"
		"examples:\n"
		"  mmscope slab top                  live view, every second\n"
		"  mmscope slab top -B 2 5           five reports two seconds apart\n"
		"  mmscope slab top -c 'kmalloc-*' -j 1 3\n");
}

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

static int top_sample(struct top *t, double secs)
{
	struct slab_state st = { 0 };
	size_t i;
	int err, ncpu = libbpf_num_possible_cpus();

	err = slab_state_bpf(&st);
	if (err) {
		errmsg("the kmem_cache iterator failed: %s", strerror(-err));
		return err;
	}
	for (i = 0; i < t->nr; i++)
		memset(t->c[i].rate, 0, sizeof(t->c[i].rate));
	for (i = 0; i < st.nr; i++) {
		const struct slab_cache_state *s = &st.caches[i];
		const unsigned long long *x = s->stats;
		struct top_cache *c = top_find(t, s->id, s->name);

		if (!c)
			break;
		if (t->use_stats && s->has_stats) {
			/*
			 * Objects handed out of prefilled sheaves are neither
			 * fast nor slow path; only the patch series counts them.
			 */
			bool pf = s->stats_mask & (1u << SLAB_ST_ALLOC_FROM_SHEAF);

			set(t, c, F_ALLOC, x[SLAB_ST_ALLOC_FASTPATH] + x[SLAB_ST_ALLOC_SLOWPATH] +
			    (pf ? x[SLAB_ST_ALLOC_FROM_SHEAF] : 0), secs);
			if (pf)
				set(t, c, F_ALLOC_PREFILLED, x[SLAB_ST_ALLOC_FROM_SHEAF], secs);
			set(t, c, F_ALLOC_SHEAF, x[SLAB_ST_ALLOC_FASTPATH] +
			    (pf ? x[SLAB_ST_ALLOC_FROM_SHEAF] : 0), secs);
			set(t, c, F_ALLOC_SLOW, x[SLAB_ST_ALLOC_SLOWPATH], secs);
			set(t, c, F_FREE, x[SLAB_ST_FREE_FASTPATH] + x[SLAB_ST_FREE_SLOWPATH] +
			    x[SLAB_ST_FREE_RCU_SHEAF], secs);
			if (!t->use_patch_tp) {
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
		}
		if (t->skel) {
			struct slab_ev_counts *pc = calloc(ncpu, sizeof(*pc));
			unsigned long long ev[SLAB_NR_EV] = { 0 };
			__u64 key = s->id;
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
			if (t->use_patch_tp) {
				set(t, c, F_REFILL, ev[SLAB_EV_REFILL], secs);
				set(t, c, F_REFILL_OBJS, ev[SLAB_EV_REFILL_OBJS], secs);
				set(t, c, F_FLUSH, ev[SLAB_EV_FLUSH], secs);
				set(t, c, F_FLUSH_OBJS, ev[SLAB_EV_FLUSH_OBJS], secs);
				set(t, c, F_BGET, ev[SLAB_EV_BARN_GET], secs);
				set(t, c, F_BGET_FAIL, ev[SLAB_EV_BARN_GET_FAIL], secs);
				set(t, c, F_BPUT, ev[SLAB_EV_BARN_PUT], secs);
				set(t, c, F_BPUT_FAIL, ev[SLAB_EV_BARN_PUT_FAIL], secs);
				set(t, c, F_PF_FAST, ev[SLAB_EV_PREFILL_FAST], secs);
				set(t, c, F_PF_SLOW, ev[SLAB_EV_PREFILL_SLOW], secs);
				set(t, c, F_PF_OVER, ev[SLAB_EV_PREFILL_OVERSIZE], secs);
			}
		}
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

/* A ratio, or -1 when it is undefined (no events) or not measurable here. */
static double ratio(const struct top *t, const struct top_cache *c, enum top_field num,
		    enum top_field den, enum top_field den2)
{
	double d;

	if (!(t->have & (1u << num)) || !(t->have & (1u << den)))
		return -1;
	d = c->rate[den] + (den2 < NR_F ? c->rate[den2] : 0);
	return d > 0 ? c->rate[num] / d : -1;
}

static void col(const struct top *t, enum top_field f, double v, const char *fmt, int w)
{
	if (!(t->have & (1u << f)))
		printf(" %*s", w, "-");
	else
		printf(fmt, w, v);
}

static void pct(double r, int w)
{
	if (r < 0)
		printf(" %*s", w, "-");
	else
		printf(" %*.1f", w, 100 * r);
}

static void top_print(struct top *t, const struct interval_opts *io)
{
	int shown = 0;
	size_t i;

	qsort(t->c, t->nr, sizeof(*t->c), by_activity);
	if (t->json) {
		struct json_object *root = json_object_new_object();
		struct json_object *arr = json_object_new_array();

		json_object_object_add(root, "ts", json_object_new_double(now_realtime()));
		json_object_object_add(root, "interval", json_object_new_int(io->interval));
		for (i = 0; i < t->nr && shown < t->rows; i++) {
			struct top_cache *c = &t->c[i];
			struct json_object *o;
			int f;

			if (t->glob && fnmatch(t->glob, c->name, 0))
				continue;
			o = json_object_new_object();
			json_object_object_add(o, "name", json_object_new_string(c->name));
			for (f = 0; f < NR_F; f++)
				if (t->have & (1u << f)) {
					char key[48];

					snprintf(key, sizeof(key), "%s_per_s", field_names[f]);
					json_object_object_add(o, key, json_object_new_double(c->rate[f]));
					/* The exact count, which a rate times a clock is not. */
					json_object_object_add(o, field_names[f],
							       json_object_new_uint64(c->delta[f]));
				}
			json_object_array_add(arr, o);
			shown++;
		}
		json_object_object_add(root, "caches", arr);
		jsonl_emit(root);
		return;
	}
	if (!t->batch)
		printf("\033[H\033[J");
	interval_print_time(io, stdout);
	printf("%-24s %9s %9s %6s %8s %9s %6s %9s %6s %6s %7s %7s %7s %7s\n", "CACHE", "ALLOC/s",
	       "FREE/s", "HIT%", "REFILL/s", "RF_OBJ/s", "OBJ/RF", "FL_OBJ/s", "BGETF%",
	       "BPUTF%", "PF_FST", "PF_SLW", "PF_OVR", "PF_ALC");
	for (i = 0; i < t->nr && shown < t->rows; i++) {
		struct top_cache *c = &t->c[i];
		double r;

		if (t->glob && fnmatch(t->glob, c->name, 0))
			continue;
		printf("%-24.24s", c->name);
		col(t, F_ALLOC, c->rate[F_ALLOC], " %*.0f", 9);
		col(t, F_FREE, c->rate[F_FREE], " %*.0f", 9);
		pct(ratio(t, c, F_ALLOC_SHEAF, F_ALLOC, NR_F), 6);
		col(t, F_REFILL, c->rate[F_REFILL], " %*.0f", 8);
		col(t, F_REFILL_OBJS, c->rate[F_REFILL_OBJS], " %*.0f", 9);
		r = ratio(t, c, F_REFILL_OBJS, F_REFILL, NR_F);
		if (r < 0)
			printf(" %6s", "-");
		else
			printf(" %6.1f", r);
		col(t, F_FLUSH_OBJS, c->rate[F_FLUSH_OBJS], " %*.0f", 9);
		pct(ratio(t, c, F_BGET_FAIL, F_BGET, F_BGET_FAIL), 6);
		pct(ratio(t, c, F_BPUT_FAIL, F_BPUT, F_BPUT_FAIL), 6);
		col(t, F_PF_FAST, c->rate[F_PF_FAST], " %*.0f", 7);
		col(t, F_PF_SLOW, c->rate[F_PF_SLOW], " %*.0f", 7);
		col(t, F_PF_OVER, c->rate[F_PF_OVER], " %*.0f", 7);
		col(t, F_ALLOC_PREFILLED, c->rate[F_ALLOC_PREFILLED], " %*.0f", 7);
		putchar('\n');
		shown++;
	}
	if (t->batch)
		putchar('\n');
	fflush(stdout);
}

/* Patch tracepoints when present; kmem_cache_alloc/free without SLUB_STATS. */
static int top_open(struct top *t)
{
	struct slabtop_bpf *skel;
	struct attach_candidate cand;
	int err;

	t->use_stats = access("/sys/kernel/slab/kmalloc-64/alloc_fastpath", R_OK) == 0 ||
		       access("/sys/kernel/slab/kmem_cache/alloc_fastpath", R_OK) == 0;
	t->use_patch_tp = kernel_has_tracepoint("sheaf_refill");
	t->use_tp_alloc = !t->use_stats;
	verbose("slab top: SLUB_STATS %s; patch slab tracepoints %s",
		t->use_stats ? "yes (allocation split, barn, prefill)" : "no (CONFIG_SLUB_STATS=n)",
		t->use_patch_tp ? "yes (refill/flush events, barn, prefill)" : "no");
	if (!t->use_patch_tp && !t->use_tp_alloc)
		return 0;

	bpf_quiet_libbpf();
	skel = slabtop_bpf__open();
	if (!skel)
		return -errno;
	{
		struct bpf_program *p;

		bpf_object__for_each_program(p, skel->obj)
			bpf_program__set_autoload(p, false);
	}
	if (t->use_tp_alloc) {
		cand = (struct attach_candidate){ skel->progs.top_alloc, BPF_KIND_TP_BTF,
						  "kmem_cache_alloc" };
		if (attach_select("kmem_cache allocations", &cand, 1) < 0)
			goto fail;
		cand = (struct attach_candidate){ skel->progs.top_free, BPF_KIND_TP_BTF,
						  "kmem_cache_free" };
		if (attach_select("kmem_cache frees", &cand, 1) < 0)
			goto fail;
	}
	if (t->use_patch_tp) {
		struct { struct bpf_program *p; const char *tp; } pt[] = {
			{ skel->progs.top_refill, "sheaf_refill" },
			{ skel->progs.top_flush, "sheaf_flush" },
			{ skel->progs.top_barn_get, "barn_get" },
			{ skel->progs.top_barn_put, "barn_put" },
			{ skel->progs.top_prefill, "sheaf_prefill" },
			{ skel->progs.top_return, "sheaf_return" },
		};
		size_t i;

		for (i = 0; i < sizeof(pt) / sizeof(pt[0]); i++) {
			cand = (struct attach_candidate){ pt[i].p, BPF_KIND_TP_BTF, pt[i].tp };
			if (attach_select(pt[i].tp, &cand, 1) < 0)
				goto fail;
		}
	}
	bpf_map__set_max_entries(skel->maps.counts, slab_cache_map_entries());
	err = slabtop_bpf__load(skel);
	if (err) {
		bpf_load_error("the slab top programs", err);
		slabtop_bpf__destroy(skel);
		return err;
	}
	err = slabtop_bpf__attach(skel);
	if (err) {
		errmsg("cannot attach the slab top programs: %s", strerror(-err));
		slabtop_bpf__destroy(skel);
		return err;
	}
	t->skel = skel;
	return 0;
fail:
	slabtop_bpf__destroy(skel);
	return -EOPNOTSUPP;
}

static int terminal_rows(void)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 4)
		return ws.ws_row - 3;
	return 20;
}

int slab_top_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "cache", required_argument, NULL, 'c' },
		{ "rows", required_argument, NULL, 'r' },
		{ "batch", no_argument, NULL, 'B' },
		{ "timestamp", no_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct interval_opts io = { .interval = 1 };
	struct top t = { .rows = 0 };
	struct timespec a, b;
	long printed = 0;
	int c, err;
	char *end;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:r:BTjh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			t.glob = optarg;
			break;
		case 'r':
			t.rows = strtol(optarg, &end, 10);
			if (*end || t.rows <= 0) {
				errmsg("-r takes a positive number of rows, not '%s'", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'B':
			t.batch = true;
			break;
		case 'T':
			io.timestamp = true;
			break;
		case 'j':
			t.json = io.json = true;
			break;
		case 'h':
			top_usage(stdout);
			return EXIT_OK;
		default:
			top_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (interval_parse(argc, argv, optind, &io))
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
		return err == -EOPNOTSUPP ? EXIT_NOFEATURE : EXIT_FAIL;
	interval_install_signals();
	clock_gettime(CLOCK_MONOTONIC, &a);
	err = top_sample(&t, 0);
	while (!err && interval_next(&io, printed)) {
		clock_gettime(CLOCK_MONOTONIC, &b);
		err = top_sample(&t, (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9);
		a = b;
		if (!err) {
			top_print(&t, &io);
			printed++;
		}
	}
	slabtop_bpf__destroy(t.skel);
	free(t.c);
	return err ? EXIT_FAIL : EXIT_OK;
}
