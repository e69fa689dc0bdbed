// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope damon record: every intervals-tuning step and every aggregation's
 * observed access ratio, as JSON Lines (schema in README.md, "damon").
 *
 * The ratio is the tuner's own score input (damon_get_intervals_score() in
 * mm/damon/core.c): sum(nr_accesses * size) / (aggr_samples * sum(size)).
 * aggr_samples (samples per aggregation) is not in the tracepoints; the
 * tuner keeps it fixed at the committed aggr_us / sample_us, which sysfs
 * shows, so it is read from there per kdamond.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <json-c/json.h>

#include <linux/types.h>

#include "attach.h"
#include "kbtf.h"
#include "damon.h"
#include "damon_cli.h"
#include "damon.skel.h"
#include "interval.h"
#include "jsonl.h"
#include "mmscope.h"
#include "render.h"
#include "commands.h"

#define MAX_KD 64

struct kd_info {
	long pid;
	int index;
	unsigned long aggr_samples;
};

struct pending {
	long pid;
	double t;
	unsigned long long ts_ns;
	unsigned long long sz, access_sz;
	unsigned int nr_regions, max_nr_accesses;
	bool used;
};

static struct {
	FILE *out;
	double mono0;
	struct kd_info kd[MAX_KD];
	int nkd;
	struct pending pend[MAX_KD];
	long tunes, aggrs;
} rec;

static double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Every kdamond in sysfs, read only: its pid, and the header's description. */
static struct json_object *scan_kdamonds(void)
{
	struct json_object *arr = json_object_new_array();
	int nr = damon_nr_kdamonds(), i;

	rec.nkd = 0;
	for (i = 0; i < nr && rec.nkd < MAX_KD; i++) {
		static const char *const f[][2] = {
			{ "sample_us", "contexts/0/monitoring_attrs/intervals/sample_us" },
			{ "aggr_us", "contexts/0/monitoring_attrs/intervals/aggr_us" },
			{ "access_bp", "contexts/0/monitoring_attrs/intervals/intervals_goal/access_bp" },
			{ "aggrs", "contexts/0/monitoring_attrs/intervals/intervals_goal/aggrs" },
			{ "min_sample_us", "contexts/0/monitoring_attrs/intervals/intervals_goal/min_sample_us" },
			{ "max_sample_us", "contexts/0/monitoring_attrs/intervals/intervals_goal/max_sample_us" },
		};
		struct json_object *o = json_object_new_object();
		unsigned long v, sample = 0, aggr = 0, pid = 0;
		char s[32] = "";
		size_t j;

		damon_read_str(i, "state", s, sizeof(s));
		if (!strcmp(s, "on"))
			damon_read_ul(i, "pid", &pid);
		json_object_object_add(o, "kdamond", json_object_new_int(i));
		json_object_object_add(o, "state", json_object_new_string(s));
		json_object_object_add(o, "pid", json_object_new_int64(pid));
		json_object_object_add(o, "owner", json_object_new_string(damon_owned_pid(i) ? "mmscope" : "other"));
		s[0] = '\0';
		damon_read_str(i, "contexts/0/operations", s, sizeof(s));
		json_object_object_add(o, "operations", json_object_new_string(s));
		for (j = 0; j < sizeof(f) / sizeof(f[0]); j++) {
			if (damon_read_ul(i, f[j][1], &v))
				continue;
			json_object_object_add(o, f[j][0], json_object_new_int64(v));
			if (j == 0)
				sample = v;
			if (j == 1)
				aggr = v;
		}
		/* As damon_set_attrs() computes it. */
		v = aggr / (sample ? sample : 1);
		json_object_object_add(o, "aggr_samples", json_object_new_int64(v));
		json_object_array_add(arr, o);
		if (pid) {
			rec.kd[rec.nkd].pid = pid;
			rec.kd[rec.nkd].index = i;
			rec.kd[rec.nkd].aggr_samples = v;
			rec.nkd++;
		}
	}
	return arr;
}

static struct kd_info *kd_of(long pid)
{
	static struct kd_info unknown;
	int i, pass;

	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < rec.nkd; i++)
			if (rec.kd[i].pid == pid)
				return &rec.kd[i];
		/* A kdamond started after the record began. */
		if (pass == 0) {
			struct json_object *arr = scan_kdamonds();
			struct json_object *o = record_new("damon_kdamonds", NULL);

			json_object_object_add(o, "t", json_object_new_double(mono_now() - rec.mono0));
			json_object_object_add(o, "kdamonds", arr);
			jsonl_emit_to(rec.out, o);
		}
	}
	unknown.pid = pid;
	unknown.index = -1;
	unknown.aggr_samples = 0;
	return &unknown;
}

static void flush_pending(struct pending *p)
{
	struct kd_info *k;
	struct json_object *o;
	unsigned long long max;

	if (!p->used)
		return;
	p->used = false;
	k = kd_of(p->pid);
	o = record_new("damon_aggr", NULL);
	json_object_object_add(o, "t", json_object_new_double(p->t));
	json_object_object_add(o, "ts_ns", json_object_new_int64(p->ts_ns));
	json_object_object_add(o, "kdamond", json_object_new_int(k->index));
	json_object_object_add(o, "pid", json_object_new_int64(p->pid));
	json_object_object_add(o, "nr_regions", json_object_new_int(p->nr_regions));
	json_object_object_add(o, "sz", json_object_new_int64(p->sz));
	json_object_object_add(o, "access_sz", json_object_new_int64(p->access_sz));
	json_object_object_add(o, "max_nr_accesses", json_object_new_int(p->max_nr_accesses));
	json_object_object_add(o, "aggr_samples", json_object_new_int64(k->aggr_samples));
	max = p->sz * k->aggr_samples;
	if (max > 0) {
		json_object_object_add(o, "ratio", json_object_new_double((double)p->access_sz / max));
		/*
		 * Rounded down, as DAMON's own score (mult_frac()) and the
		 * module's damon/recent do, to compare exactly.
		 */
		json_object_object_add(o, "ratio_bp",
				       json_object_new_int64((unsigned __int128)p->access_sz * 10000 / max));
	} else {
		json_object_object_add(o, "ratio", NULL);
	}
	jsonl_emit_to(rec.out, o);
	rec.aggrs++;
}

static struct pending *pending_of(long pid)
{
	int i;

	for (i = 0; i < MAX_KD; i++)
		if (rec.pend[i].pid == pid)
			return &rec.pend[i];
	for (i = 0; i < MAX_KD; i++)
		if (!rec.pend[i].pid) {
			rec.pend[i].pid = pid;
			return &rec.pend[i];
		}
	return &rec.pend[0];
}

static int on_event(void *ctx, void *data, size_t len)
{
	const struct damon_ev *e = data;
	double t = e->ts_ns / 1e9 - rec.mono0;

	if (len < sizeof(*e))
		return 0;
	if (e->type == DAMON_EV_TUNE) {
		struct kd_info *k = kd_of(e->pid);
		struct json_object *o;

		/*
		 * Keep the file in time order.  The aggregation the tuner
		 * scored for this step is traced just after it (tuning runs
		 * before kdamond_reset_aggregated()).
		 */
		flush_pending(pending_of(e->pid));
		o = record_new("damon_tune", NULL);

		json_object_object_add(o, "t", json_object_new_double(t));
		json_object_object_add(o, "ts_ns", json_object_new_int64(e->ts_ns));
		json_object_object_add(o, "kdamond", json_object_new_int(k->index));
		json_object_object_add(o, "pid", json_object_new_int64(e->pid));
		json_object_object_add(o, "sample_us", json_object_new_int64(e->sample_us));
		if (e->has_score) {
			/* What the tuner decided from (patch series). */
			json_object_object_add(o, "aggr_samples",
					       json_object_new_int64(e->aggr_samples));
			json_object_object_add(o, "access_bp", json_object_new_int64(e->access_bp));
			json_object_object_add(o, "score_bp", json_object_new_int64(e->score_bp));
		}
		jsonl_emit_to(rec.out, o);
		rec.tunes++;
	} else if (e->type == DAMON_EV_AGGR) {
		struct pending *p = pending_of(e->pid);

		/* Targets of one aggregation come in order 0, 1, ...: sum them. */
		if (e->target_id == 0)
			flush_pending(p);
		if (!p->used) {
			memset(p, 0, sizeof(*p));
			p->pid = e->pid;
			p->used = true;
		}
		p->t = t;
		p->ts_ns = e->ts_ns;
		p->sz += e->sz;
		p->access_sz += e->access_sz;
		p->nr_regions += e->nr_regions;
		if (e->max_nr_accesses > p->max_nr_accesses)
			p->max_nr_accesses = e->max_nr_accesses;
	}
	return 0;
}

struct record_session {
	int kd;
	long filter_pid;
};

static void *record_session_open(struct attach_session *s)
{
	struct damon_bpf *skel = damon_bpf__open();
	struct bpf_program *p;

	if (!skel)
		return NULL;
	bpf_object__for_each_program(p, skel->obj)
		bpf_program__set_autoload(p, false);
	{
		const struct attach_candidate tune[] = {
			{ skel->progs.tune_btf, BPF_KIND_TP_BTF, "damon_monitor_intervals_tune" },
			{ skel->progs.tune_raw, BPF_KIND_RAW_TP, "damon_monitor_intervals_tune" },
		};
		const struct attach_candidate aggr[] = {
			{ skel->progs.aggr_btf, BPF_KIND_TP_BTF, "damon_aggregated" },
			{ skel->progs.aggr_raw, BPF_KIND_RAW_TP, "damon_aggregated" },
		};

		attach_session_event(s, "DAMON interval tuning", tune, 2);
		attach_session_event(s, "DAMON aggregations", aggr, 2);
	}
	return skel;
}

static int record_session_load(struct attach_session *s, void *p)
{
	struct record_session *rs = s->ctx;
	struct damon_bpf *skel = p;
	int nargs = kbtf_tp_nr_args("damon_monitor_intervals_tune");

	skel->rodata->filter_pid = rs->filter_pid;
	/* The patched event carries what the tuner decided from (its BTF says). */
	skel->rodata->tune_nr_args = nargs > 0 ? nargs : 1;
	return damon_bpf__load(skel);
}

static void record_session_destroy(void *skel)
{
	damon_bpf__destroy(skel);
}

/* The first lines: the general record header, then the kdamonds as they are. */
static void write_start(const struct opts *opt, struct json_object *kdamonds)
{
	struct json_object *o = record_new("damon_start", NULL);
	char *argv[8] = { "damon", "record", "-o", (char *)opt->arg[OPT_OUTPUT] };
	int argc = 4;

	if (opt->set[OPT_KDAMOND]) {
		argv[argc++] = "-k";
		argv[argc++] = (char *)opt->arg[OPT_KDAMOND];
	}
	if (opt->set[OPT_DURATION]) {
		argv[argc++] = "-d";
		argv[argc++] = (char *)opt->arg[OPT_DURATION];
	}
	jsonl_emit_to(rec.out, record_header(argc, argv));
	json_object_object_add(o, "mmscope", json_object_new_string(MMSCOPE_VERSION));
	json_object_object_add(o, "realtime", json_object_new_double(now_realtime()));
	json_object_object_add(o, "kdamonds", kdamonds);
	jsonl_emit_to(rec.out, o);
}

static void write_end(struct damon_bpf *skel)
{
	struct json_object *o = record_new("damon_end", NULL);
	int i;

	for (i = 0; i < MAX_KD; i++)
		flush_pending(&rec.pend[i]);
	json_object_object_add(o, "t", json_object_new_double(mono_now() - rec.mono0));
	json_object_object_add(o, "tunes", json_object_new_int64(rec.tunes));
	json_object_object_add(o, "aggrs", json_object_new_int64(rec.aggrs));
	json_object_object_add(o, "dropped", json_object_new_int64(skel->bss->dropped));
	jsonl_emit_to(rec.out, o);
}

/* Until Ctrl-C or @dur seconds; 0 or EXIT_FAIL after saying why. */
static int record_loop(struct ring_buffer *rb, long long dur)
{
	double end_at = dur ? mono_now() + dur : 0;
	int err;

	while (!mmscope_exiting && (!end_at || mono_now() < end_at)) {
		err = ring_buffer__poll(rb, 200);
		if (err < 0 && err != -EINTR) {
			errmsg("ring buffer: %s", strerror(-err));
			return EXIT_FAIL;
		}
	}
	ring_buffer__consume(rb);
	return 0;
}

/* The kdamond -k names, as a pid to filter on; 0 for all. */
static int filter_of(int kd, long *pid)
{
	int i;

	*pid = 0;
	if (kd < 0)
		return 0;
	for (i = 0; i < rec.nkd; i++)
		if (rec.kd[i].index == kd)
			*pid = rec.kd[i].pid;
	if (*pid)
		return 0;
	errmsg("kdamond %d is not running ('mmscope damon status')", kd);
	return EXIT_USAGE;
}

int damon_cmd_record(const struct opts *o)
{
	struct record_session rs = { .kd = -1 };
	struct attach_session sess = {
		.what = "the DAMON tracer", .ctx = &rs, .open = record_session_open,
		.load = record_session_load, .destroy = record_session_destroy,
	};
	const char *output = o->arg[OPT_OUTPUT];
	struct ring_buffer *rb = NULL;
	struct json_object *kdamonds;
	long long dur = 0;
	int ret;

	if ((ret = damon_opt_kd(o, &rs.kd)) ||
	    (ret = opt_num(o, OPT_DURATION, 0, 86400 * 365, &dur)))
		return ret;
	if (!output || o->argc) {
		errmsg("give the output file with -o FILE (and no argument); see 'mmscope damon record -h'");
		return EXIT_USAGE;
	}
	if (require_root("trace DAMON"))
		return EXIT_NOPRIV;
	rec.mono0 = mono_now();
	kdamonds = scan_kdamonds();
	ret = filter_of(rs.kd, &rs.filter_pid);
	if (!ret)
		ret = attach_session_open(&sess);
	if (ret) {
		json_object_put(kdamonds);
		return ret;
	}
	ret = EXIT_FAIL;
	rb = ring_buffer__new(bpf_map__fd(((struct damon_bpf *)sess.skel)->maps.events), on_event,
			      NULL, NULL);
	if (!rb) {
		errmsg("cannot create the ring buffer: %s", strerror(errno));
		json_object_put(kdamonds);
		goto out;
	}
	/*
	 * Written as it comes, not renamed at the end like 'mmscope record':
	 * a script waits for the damon_start line before starting DAMON.  A
	 * record that fails is removed, so no file looks like a success.
	 */
	rec.out = strcmp(output, "-") ? fopen(output, "w") : stdout;
	if (!rec.out) {
		errmsg("cannot write %s: %s", output, strerror(errno));
		json_object_put(kdamonds);
		goto out;
	}
	write_start(o, kdamonds);
	interval_install_signals();
	fprintf(stderr, "Recording DAMON tuning steps and aggregations into %s... Hit Ctrl-C to end.\n",
		output);
	if (record_loop(rb, dur))
		goto out;
	write_end(sess.skel);
	fprintf(stderr, "recorded %ld tuning steps and %ld aggregations into %s\n",
		rec.tunes, rec.aggrs, output);
	ret = EXIT_OK;
out:
	if (rec.out && rec.out != stdout) {
		fclose(rec.out);
		if (ret != EXIT_OK)
			unlink(output);
	}
	ring_buffer__free(rb);
	attach_session_close(&sess);
	return ret;
}
