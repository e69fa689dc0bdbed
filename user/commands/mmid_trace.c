// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope mmid trace: live rmap histograms.  The patch series'
 * rmap:folio_mm_id tracepoint sees every MM-ID update, fork's included;
 * without it, fentry/fexit on folio_{add_anon,add_file,remove}_rmap_ptes
 * sees PTE map and unmap, not fork's header-inline duplication.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <json-c/json.h>

#include "jsonl.h"
#include "mmscope.h"
#include "attach.h"
#include "map_drain.h"
#include "hist.h"
#include "interval.h"
#include "probe.h"
#include "mmid.h"
#include "../bpf/mmid.h"	/* user/mmid.h shadows it on the include path */
#include "mmid.skel.h"
#include "commands.h"

static const char *const op_names[MMID_NR_OPS] = {
	"add_anon", "add_file", "remove", "dup_anon", "dup_file",
};

static struct bpf_program *fentry_progs(struct mmid_bpf *skel, int i)
{
	struct bpf_program *p[] = {
		skel->progs.in_add_anon, skel->progs.out_add_anon,
		skel->progs.in_add_file, skel->progs.out_add_file,
		skel->progs.in_remove, skel->progs.out_remove,
	};

	return i < 6 ? p[i] : NULL;
}

static const char *const fentry_targets[3] = {
	"folio_add_anon_rmap_ptes", "folio_add_file_rmap_ptes", "folio_remove_rmap_ptes",
};

/* The tracepoint when the kernel has it, else the fentry/fexit set. */
static int choose(struct mmid_bpf *skel, const char **source)
{
	bool tp = kernel_has_tracepoint("folio_mm_id");
	int i;

	bpf_program__set_autoload(skel->progs.tp_folio_mm_id, tp);
	for (i = 0; i < 6; i++)
		bpf_program__set_autoload(fentry_progs(skel, i), !tp);
	if (tp) {
		*source = "tp_btf:folio_mm_id";
		return 0;
	}
	for (i = 0; i < 3; i++)
		if (!kernel_has_function(fentry_targets[i])) {
			errmsg("no rmap:folio_mm_id tracepoint (patch series) and no %s in the "
			       "kernel's BTF: cannot trace rmap operations", fentry_targets[i]);
			return EXIT_NOFEATURE;
		}
	if (!kernel_allows_fentry()) {
		errmsg("no rmap:folio_mm_id tracepoint (patches/: mm/rmap: add MM-ID "
		       "tracepoints) and this kernel refuses fentry: cannot trace rmap operations");
		return EXIT_NOFEATURE;
	}
	*source = "fentry:folio_*_rmap_ptes (fork's duplication is not seen)";
	return 0;
}

/* What the tracer reads of a folio, and what it shows with it. */
static const struct {
	unsigned int bit;
	const char *field, *what, *json;
} folio_fields[] = {
	{ FOLIO_HAS_HEAD_FLAG, "flags/PG_head", "large_mapcount and the shared bit", NULL },
	{ FOLIO_HAS_LARGE_MAPCOUNT, "_large_mapcount", "large_mapcount_after", "large_mapcount" },
	{ FOLIO_HAS_MM_IDS, "_mm_ids", "shared bit transitions", "shared_set" },
};

/* The folio fields CO-RE found, from the object's syscall program. */
static unsigned int folio_features(struct mmid_bpf *skel)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);

	if (bpf_prog_test_run_opts(bpf_program__fd(skel->progs.features), &opts) || opts.retval) {
		verbose("mmid trace: cannot run the folio feature probe: %s", strerror(errno));
		return FOLIO_HAS_HEAD_FLAG | FOLIO_HAS_LARGE_MAPCOUNT | FOLIO_HAS_MM_IDS;
	}
	return skel->bss->folio_feature_mask;
}

_Static_assert(sizeof(struct mmid_trace_hists) % sizeof(unsigned long long) == 0,
	       "struct mmid_trace_hists holds only 64-bit counters");

/* The per-CPU histograms summed, then cleared. */
static int snapshot(struct mmid_bpf *skel, struct mmid_trace_hists *sum)
{
	int err = percpu_counters_take(bpf_map__fd(skel->maps.hists), (unsigned long long *)sum,
				       sizeof(*sum) / sizeof(unsigned long long));

	if (err)
		errmsg("cannot read the rmap histograms: %s", strerror(-err));
	return err;
}

static void report(const struct interval_opts *o, struct mmid_trace_hists *h, double secs,
		   const char *source, unsigned int features)
{
	bool mapcount = (features & FOLIO_HAS_HEAD_FLAG) && (features & FOLIO_HAS_LARGE_MAPCOUNT);
	bool shared = (features & FOLIO_HAS_HEAD_FLAG) && (features & FOLIO_HAS_MM_IDS);

	int op;

	if (o->json) {
		struct json_object *obj = json_object_new_object();
		struct json_object *ops = json_object_new_object();

		json_object_object_add(obj, "ts", json_object_new_double(now_realtime()));
		json_object_object_add(obj, "source", json_object_new_string(source));
		for (op = 0; op < MMID_NR_OPS; op++)
			json_object_object_add(ops, op_names[op],
					       hist_json_log2(h->nr_pages[op], HIST_LOG2_SLOTS));
		json_object_object_add(obj, "pages_per_op", ops);
		/* null: unsupported on this kernel. */
		json_object_object_add(obj, "large_mapcount", mapcount ?
				       hist_json_log2(h->large_mapcount, HIST_LOG2_SLOTS) : NULL);
		json_object_object_add(obj, "shared_set",
				       shared ? json_object_new_uint64(h->shared_set) : NULL);
		json_object_object_add(obj, "shared_clear",
				       shared ? json_object_new_uint64(h->shared_clear) : NULL);
		json_object_object_add(obj, "seconds", json_object_new_double(secs));
		jsonl_emit(obj);
		return;
	}
	interval_print_time(o, stdout);
	for (op = 0; op < MMID_NR_OPS; op++) {
		char name[32];
		unsigned long long n = 0;
		int s;

		for (s = 0; s < HIST_LOG2_SLOTS; s++)
			n += h->nr_pages[op][s];
		if (!n)
			continue;
		snprintf(name, sizeof(name), "pages_per_%s", op_names[op]);
		hist_print_log2(stdout, name, h->nr_pages[op], HIST_LOG2_SLOTS);
		printf("\n");
	}
	if (mapcount)
		hist_print_log2(stdout, "large_mapcount_after", h->large_mapcount, HIST_LOG2_SLOTS);
	else
		printf("large_mapcount_after: unsupported on this kernel\n");
	if (shared)
		printf("\nshared bit: %llu set (%.1f/s), %llu cleared (%.1f/s) in %.1f s\n\n",
		       h->shared_set, secs > 0 ? h->shared_set / secs : 0.0, h->shared_clear,
		       secs > 0 ? h->shared_clear / secs : 0.0, secs);
	else
		printf("\nshared bit: unsupported on this kernel (%.1f s)\n\n", secs);
	fflush(stdout);
}

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int do_mmid_trace(const struct cmd *cmd, struct opts *in)
{
	struct interval_opts o = { .json = in->set[OPT_JSON], .timestamp = in->set[OPT_TIMESTAMP] };
	struct mmid_trace_hists snap;
	unsigned int features;
	const char *source = NULL;
	size_t i;
	struct mmid_bpf *skel;
	double t0;
	long printed = 0;
	int err;

	if (opt_interval(in, 0, &o.interval, &o.count))
		return EXIT_USAGE;
	err = require_root("mmscope mmid trace");
	if (err)
		return err;
	bpf_quiet_libbpf();
	skel = mmid_bpf__open();
	if (!skel) {
		errmsg("cannot open the BPF object: %s", strerror(errno));
		return EXIT_FAIL;
	}
	err = choose(skel, &source);
	if (err)
		goto out;
	err = mmid_bpf__load(skel);
	if (err) {
		bpf_load_error(source, err);
		err = EXIT_FAIL;
		goto out;
	}
	features = folio_features(skel);
	if (mmid_bpf__attach(skel)) {
		errmsg("cannot attach %s: %s", source, strerror(errno));
		err = EXIT_FAIL;
		goto out;
	}
	verbose("mmid trace: %s", source);
	/* On stderr even with -j: scripts wait for it before starting work. */
	fprintf(stderr, "Tracing rmap operations via %s... Hit Ctrl-C to end.\n", source);
	for (i = 0; i < sizeof(folio_fields) / sizeof(folio_fields[0]); i++)
		if (!(features & folio_fields[i].bit))
			fprintf(stderr, "%s: unsupported on this kernel (no %s in its struct folio)\n",
				folio_fields[i].what, folio_fields[i].field);
	interval_install_signals();
	t0 = mono();
	while (interval_next(&o, printed)) {
		double t1 = mono();

		if (snapshot(skel, &snap))
			break;
		report(&o, &snap, t1 - t0, source, features);
		t0 = t1;
		printed++;
	}
	err = EXIT_OK;
out:
	mmid_bpf__destroy(skel);
	return err;
}

const struct cmd cmd_mmid_trace = {
	.name = "trace",
	.summary = "pages per rmap operation, large mapcount after it, shared-bit rates",
	.args = "[interval [count]]",
	.opts = "timestamp json",
	.doc = "Live histograms of pages per rmap operation (PTE batching), the large\n"
	       "mapcount after it, and shared-bit set/clear rates: from the patch\n"
	       "series' rmap:folio_mm_id tracepoint, else fentry on folio_*_rmap_ptes\n"
	       "(which does not see fork).\n",
	.examples = "mmscope mmid trace 5 3     three 5-second reports",
	.run = do_mmid_trace,
};
