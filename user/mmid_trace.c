// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope mmid trace: live rmap histograms.  The patch series'
 * rmap:folio_mm_id tracepoint sees every MM-ID update, fork's included;
 * without it, fentry/fexit on folio_{add_anon,add_file,remove}_rmap_ptes
 * sees PTE map and unmap, not fork's header-inline duplication.
 */
#include <errno.h>
#include <getopt.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <json-c/json.h>

#include "mmscope.h"
#include "attach.h"
#include "hist.h"
#include "interval.h"
#include "probe.h"
#include "mmid.h"
#include "../bpf/mmid.h"	/* user/mmid.h shadows it on the include path */
#include "mmid.skel.h"

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

static void report(const struct interval_opts *o, struct mmid_trace_hists *h, double secs,
		   const char *source)
{
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
		json_object_object_add(obj, "large_mapcount",
				       hist_json_log2(h->large_mapcount, HIST_LOG2_SLOTS));
		json_object_object_add(obj, "shared_set", json_object_new_uint64(h->shared_set));
		json_object_object_add(obj, "shared_clear", json_object_new_uint64(h->shared_clear));
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
	hist_print_log2(stdout, "large_mapcount_after", h->large_mapcount, HIST_LOG2_SLOTS);
	printf("\nshared bit: %llu set (%.1f/s), %llu cleared (%.1f/s) in %.1f s\n\n",
	       h->shared_set, secs > 0 ? h->shared_set / secs : 0.0, h->shared_clear,
	       secs > 0 ? h->shared_clear / secs : 0.0, secs);
	fflush(stdout);
}

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int mmid_trace_run(int argc, char **argv, int first, bool json, bool timestamp)
{
	struct interval_opts o = { .json = json, .timestamp = timestamp };
	struct mmid_trace_hists snap;
	const char *source = NULL;
	struct mmid_bpf *skel;
	double t0;
	long printed = 0;
	int err;

	if (interval_parse(argc, argv, first, &o))
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
	if (mmid_bpf__load(skel) || mmid_bpf__attach(skel)) {
		errmsg("cannot load or attach %s: %s", source, strerror(errno));
		err = EXIT_FAIL;
		goto out;
	}
	verbose("mmid trace: %s", source);
	/* On stderr even with -j: scripts wait for it before starting work. */
	fprintf(stderr, "Tracing rmap operations via %s%s\n", source,
		o.interval ? "" : "; Ctrl-C to end");
	interval_install_signals();
	t0 = mono();
	while (interval_next(&o, printed)) {
		double t1 = mono();

		snap = skel->bss->hists;
		memset(&skel->bss->hists, 0, sizeof(skel->bss->hists));
		report(&o, &snap, t1 - t0, source);
		t0 = t1;
		printed++;
	}
	err = EXIT_OK;
out:
	mmid_bpf__destroy(skel);
	return err;
}
