// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope trace: the general tracers.  `slab` counts allocations and frees
 * per cache (slabratetop), `page` histograms page allocations by order.
 */
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
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

#define MAX_LINKS 8

static void trace_usage(FILE *out)
{
	fprintf(out,
		"usage: mmscope trace slab [options] [interval [count]] [-- command [args]]\n"
		"       mmscope trace page [options] [interval [count]] [-- command [args]]\n"
		"       mmscope trace floor [-- command [args]]\n"
		"\n"
		"  slab   allocations and frees per slab cache, with bytes (slabratetop)\n"
		"  page   page allocations: a histogram of the order, per key\n"
		"  floor  an empty program on kmem:kmem_cache_alloc until Ctrl-C or the\n"
		"         command exits: what any tracer of it costs ('make bench')\n"
		"\n"
		"Without an interval, one report at Ctrl-C (or when the command exits).\n"
		"With '-- command', the command is started once the tracer is attached,\n"
		"only its process is traced (unless -p says otherwise), and the report\n"
		"is printed when it exits.\n"
		"\n"
		"options:\n"
		"  -p, --pid PID      only this process (thread group)\n"
		"  -c, --comm COMM    only tasks with this name\n"
		"  -C, --cache GLOB   slab: only caches whose name matches GLOB\n"
		"  -b, --by KEY       break down per 'pid' or 'comm' (page: one histogram each)\n"
		"  -n, --top N        slab: rows per report (default 10, 0 = all)\n"
		"  -A, --allocs-only  slab: attach nothing to frees (half the cost; frees read 0)\n"
		"  -s, --sort COL     slab: allocs (default), frees, alloc_bytes, free_bytes, cache\n"
		"  -T, --timestamp    print the time before each report\n"
		"  -j, --json         JSON Lines (schema in mmscope(8) and docs/schema/)\n"
		"  -v, --verbose      say which attach point is used\n"
		"  -h, --help         this help\n"
		"\n"
		"examples:\n"
		"  mmscope trace slab 1              top 10 caches every second\n"
		"  mmscope trace slab -C 'kmalloc-*' -n 0 5 3\n"
		"  mmscope trace slab -b comm -T 2   per process name, with times\n"
		"  mmscope trace page -b comm        order histograms per comm, at Ctrl-C\n"
		"  mmscope trace page -j -- ./a.out  orders ./a.out allocated, as JSON\n"
		"  mmscope trace floor -- ./a.out    ./a.out with an empty program attached\n");
}

static void on_child(int sig)
{
	mmscope_exiting = 1;
}

static int parse_opts(int argc, char **argv, struct trace_opts *o)
{
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "comm", required_argument, NULL, 'c' },
		{ "cache", required_argument, NULL, 'C' },
		{ "by", required_argument, NULL, 'b' },
		{ "top", required_argument, NULL, 'n' },
		{ "sort", required_argument, NULL, 's' },
		{ "allocs-only", no_argument, NULL, 'A' },
		{ "timestamp", no_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	long v;
	int c, i;

	/* Split off "-- command" before getopt can permute it. */
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			o->cmd = argv + i + 1;
			argc = i;
			if (!o->cmd[0]) {
				errmsg("nothing to run after '--'");
				return EXIT_USAGE;
			}
			break;
		}
	}
	o->top = 10;
	o->sort = "allocs";
	while ((c = getopt_long(argc, argv, "p:c:C:b:n:s:ATjvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || v <= 0 || v > 4194304) {
				errmsg("-p needs a process id, not '%s'", optarg);
				return EXIT_USAGE;
			}
			if (kill(v, 0) && errno == ESRCH) {
				errmsg("no process %ld", v);
				return EXIT_USAGE;
			}
			o->pid = v;
			break;
		case 'c':
			if (strlen(optarg) >= TRACE_COMM_LEN) {
				errmsg("-c: task names have at most %d characters ('%s')",
				       TRACE_COMM_LEN - 1, optarg);
				return EXIT_USAGE;
			}
			o->comm = optarg;
			break;
		case 'C':
			o->cache = optarg;
			break;
		case 'b':
			if (!strcmp(optarg, "pid")) {
				o->by = TRACE_BY_PID;
			} else if (!strcmp(optarg, "comm")) {
				o->by = TRACE_BY_COMM;
			} else {
				errmsg("-b takes 'pid' or 'comm', not '%s'", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'n':
			v = strtol(optarg, &end, 10);
			if (*end || v < 0 || v > 100000) {
				errmsg("-n needs a row count (0 = all), not '%s'", optarg);
				return EXIT_USAGE;
			}
			o->top = v;
			break;
		case 's':
			if (strcmp(optarg, "allocs") && strcmp(optarg, "frees") &&
			    strcmp(optarg, "alloc_bytes") && strcmp(optarg, "free_bytes") &&
			    strcmp(optarg, "cache")) {
				errmsg("-s takes allocs, frees, alloc_bytes, free_bytes or cache, not '%s'",
				       optarg);
				return EXIT_USAGE;
			}
			o->sort = optarg;
			break;
		case 'A':
			o->allocs_only = true;
			break;
		case 'T':
			o->io.timestamp = true;
			break;
		case 'j':
			o->io.json = true;
			break;
		case 'v':
			opt_verbose = true;
			break;
		case 'h':
			trace_usage(stdout);
			return -1;
		default:
			trace_usage(stderr);
			return EXIT_USAGE;
		}
	}
	return interval_parse(argc, argv, optind, &o->io);
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
		if (o->cache && fnmatch(o->cache, ci ? ci->name : "?", 0))
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
	json_object_object_add(rec, "interval_s", json_object_new_int64(o->io.interval));
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

static struct json_object *page_report(struct trace_bpf *skel, struct trace_opts *o)
{
	int fd = bpf_map__fd(skel->maps.page_counts), ncpu = libbpf_num_possible_cpus();
	struct page_key *keys = NULL, key, *prev = NULL;
	unsigned long long *vals = calloc(ncpu, sizeof(*vals));
	struct page_hist *h = NULL;
	size_t nkeys = 0, nh = 0, i, j;
	struct json_object *rec;

	while (bpf_map_get_next_key(fd, prev, &key) == 0) {
		struct page_key *p = realloc(keys, (nkeys + 1) * sizeof(*keys));

		if (!p)
			break;
		keys = p;
		keys[nkeys++] = key;
		prev = &keys[nkeys - 1];
	}
	h = calloc(nkeys ? nkeys : 1, sizeof(*h));
	for (i = 0; i < nkeys; i++) {
		unsigned long long n = 0;
		struct page_hist *e = NULL;
		int cpu;

		if (bpf_map_lookup_elem(fd, &keys[i], vals))
			continue;
		bpf_map_delete_elem(fd, &keys[i]);
		for (cpu = 0; cpu < ncpu; cpu++)
			n += vals[cpu];
		for (j = 0; j < nh; j++) {
			if (h[j].key.pid == keys[i].pid &&
			    !memcmp(h[j].key.comm, keys[i].comm, TRACE_COMM_LEN)) {
				e = &h[j];
				break;
			}
		}
		if (!e) {
			e = &h[nh++];
			e->key = keys[i];
		}
		e->slots[hist_linear_slot(&order_lin, keys[i].order)] += n;
	}
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
	free(keys);
	free(vals);
	return rec;
}

/* --- the session ----------------------------------------------------------- */

static int select_slab(struct trace_bpf *skel, struct attach_candidate *chosen, bool frees)
{
	struct attach_candidate alloc[] = {
		{ skel->progs.slab_alloc_fentry, BPF_KIND_FENTRY, "kmem_cache_alloc_noprof" },
		{ skel->progs.slab_alloc_tp_btf, BPF_KIND_TP_BTF, "kmem_cache_alloc" },
		{ skel->progs.slab_alloc_raw_tp, BPF_KIND_RAW_TP, "kmem_cache_alloc" },
	};
	struct attach_candidate free_[] = {
		{ skel->progs.slab_free_fentry, BPF_KIND_FENTRY, "kmem_cache_free" },
		{ skel->progs.slab_free_tp_btf, BPF_KIND_TP_BTF, "kmem_cache_free" },
		{ skel->progs.slab_free_raw_tp, BPF_KIND_RAW_TP, "kmem_cache_free" },
	};
	int a, f;

	attach_companion(skel->progs.slab_alloc_fentry, skel->progs.slab_alloc_lru_fentry);
	attach_companion(skel->progs.slab_alloc_fentry, skel->progs.slab_alloc_node_fentry);
	a = attach_select("slab allocations", alloc, 3);
	f = a < 0 || !frees ? 0 : attach_select("slab frees", free_, 3);

	if (a < 0 || f < 0)
		return EXIT_NOFEATURE;
	chosen[0] = alloc[a];
	chosen[1] = free_[f];
	return 0;
}

static int select_page(struct trace_bpf *skel, struct attach_candidate *chosen)
{
	struct attach_candidate alloc[] = {
		{ skel->progs.page_alloc_fentry, BPF_KIND_FENTRY, "__alloc_frozen_pages_noprof" },
		{ skel->progs.page_alloc_tp_btf, BPF_KIND_TP_BTF, "mm_page_alloc" },
		{ skel->progs.page_alloc_raw_tp, BPF_KIND_RAW_TP, "mm_page_alloc" },
	};
	int a = attach_select("page allocations", alloc, 3);

	if (a < 0)
		return EXIT_NOFEATURE;
	chosen[0] = alloc[a];
	return 0;
}

int trace_attach_plan(const char *recipe, char *buf, size_t len)
{
	struct attach_candidate chosen[2] = { 0 };
	struct trace_bpf *skel;
	char a[96], f[96];
	int ret;

	bpf_quiet_libbpf();
	skel = trace_bpf__open();
	if (!skel)
		return -1;
	if (!strcmp(recipe, "slab"))
		ret = select_slab(skel, chosen, true);
	else
		ret = select_page(skel, chosen);
	attach_select_done();
	if (!ret && !strcmp(recipe, "slab"))
		snprintf(buf, len, "%s %s", attach_label(&chosen[0], a, sizeof(a)),
			 attach_label(&chosen[1], f, sizeof(f)));
	else if (!ret)
		snprintf(buf, len, "%s", attach_label(&chosen[0], a, sizeof(a)));
	trace_bpf__destroy(skel);
	return ret ? -1 : 0;
}

static int trace_run(int argc, char **argv)
{
	struct trace_opts o = { 0 };
	struct attach_candidate chosen[2] = { 0 };
	struct bpf_link *links[MAX_LINKS];
	struct cache_table caches = { 0 };
	struct bpf_program *prog;
	struct trace_bpf *skel = NULL;
	int nr_chosen, nr_links = 0, ret, i;
	bool slab;
	pid_t child = 0;
	long printed = 0;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		trace_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	if (!strcmp(argv[1], "floor"))
		return trace_floor_run(argc - 1, argv + 1);
	if (strcmp(argv[1], "slab") && strcmp(argv[1], "page")) {
		errmsg("unknown recipe '%s': 'slab', 'page' or 'floor' (see 'mmscope trace -h')",
		       argv[1]);
		return EXIT_USAGE;
	}
	slab = !strcmp(argv[1], "slab");
	ret = parse_opts(argc - 1, argv + 1, &o);
	if (ret)
		return ret < 0 ? EXIT_OK : ret;
	if (!slab && (o.cache || strcmp(o.sort, "allocs") || o.top != 10 || o.allocs_only)) {
		errmsg("-A, -C, -s and -n apply to 'trace slab' only");
		return EXIT_USAGE;
	}
	if (require_root("mmscope trace (it loads BPF programs)"))
		return EXIT_NOPRIV;

	bpf_quiet_libbpf();
	skel = trace_bpf__open();
	if (!skel) {
		errmsg("cannot open the BPF object: %s", strerror(errno));
		return EXIT_FAIL;
	}
	bpf_object__for_each_program(prog, skel->obj)
		bpf_program__set_autoload(prog, false);
	bpf_program__set_autoload(skel->progs.cache_names, slab);
	ret = slab ? select_slab(skel, chosen, !o.allocs_only) : select_page(skel, chosen);
	if (ret)
		goto out;
	nr_chosen = slab && !o.allocs_only ? 2 : 1;
	attach_select_done();
	/*
	 * Maps this session never touches: one entry each, not 8192 per CPU
	 * preallocated (creating them was a third of the start-up time).
	 */
	if (!slab || !(o.pid || o.cmd || o.comm || o.by))
		bpf_map__set_max_entries(skel->maps.slab_counts, 1);
	if (!slab || o.pid || o.cmd || o.comm || o.by)
		bpf_map__set_max_entries(skel->maps.slab_by_cache, 1);
	if (slab)
		bpf_map__set_max_entries(skel->maps.page_counts, 1);

	if (o.cmd) {
		ret = trace_cmd_start(o.cmd, &child);
		if (ret)
			goto out;
		if (!o.pid)
			o.pid = child;
		signal(SIGCHLD, on_child);
	}
	skel->rodata->targ_tgid = o.pid;
	skel->rodata->key_by = o.by;
	if (o.comm) {
		skel->rodata->filter_comm = true;
		strncpy((char *)skel->rodata->targ_comm, o.comm, TRACE_COMM_LEN - 1);
	}
	ret = trace_bpf__load(skel);
	if (ret) {
		errmsg("cannot load the BPF programs: %s%s", strerror(-ret),
		       ret == -EPERM ? " (needs CAP_BPF and CAP_PERFMON, or root)" : "");
		ret = ret == -EPERM ? EXIT_NOPRIV : EXIT_FAIL;
		goto out;
	}
	for (i = 0; i < nr_chosen; i++) {
		if (!attach_chosen(i ? "slab frees" : argv[1], &chosen[i], links, MAX_LINKS,
				   &nr_links)) {
			ret = EXIT_FAIL;
			goto out;
		}
	}

	interval_install_signals();
	if (!o.io.json && !o.cmd && isatty(STDERR_FILENO))
		fprintf(stderr, "Tracing %s... %s\n", slab ? "slab caches" : "page allocations",
			o.io.interval ? "Ctrl-C to end." : "Ctrl-C to print and end.");
	trace_cmd_go();
	/* A command that exits before the first wait still gets its report. */
	while (interval_next(&o.io, printed) || !printed) {
		struct json_object *rec = slab ? slab_report(skel, &o, &caches) : page_report(skel, &o);

		record_emit(rec, &o.io);
		printed++;
	}
	ret = EXIT_OK;
out:
	if (child > 0) {
		int cret = trace_cmd_finish(child);

		if (!ret)
			ret = cret;
	}
	for (i = 0; i < nr_links; i++)
		bpf_link__destroy(links[i]);
	cache_table_free(&caches);
	trace_bpf__destroy(skel);
	return ret;
}

const struct mmscope_cmd cmd_trace = {
	.name = "trace",
	.summary = "slab allocations per cache, page allocations per order",
	.run = trace_run,
	.usage = trace_usage,
};
