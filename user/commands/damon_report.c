// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope damon report: a `damon record` file as a table, an SVG plot and a
 * settling summary.
 *
 * Single aggregations are noisy (a region's sample is one random page), so
 * settling is judged on the moving mean of the observed ratio over a window
 * of aggregations (default: the goal's aggrs, what the tuner looks at per
 * step, but at least 3): settled from the first time after which that mean
 * stays within goal * (1 +- band) to the end of the record.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "commands.h"
#include "damon_cli.h"
#include "interval.h"
#include "mmscope.h"
#include "render.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double quantile(double *v, int n, double q)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[(int)floor(q * (n - 1) + 0.5)];
}

void damon_summarize(const struct damon_point *tune, int nt,
		     const struct damon_point *aggr, int na,
		     double goal, double band, int window,
		     struct damon_summary *out)
{
	double t0, sum = 0, *vals, settle_t;
	int i, settle = -1, n = 0;

	memset(out, 0, sizeof(*out));
	if (na < window || window < 1)
		return;
	t0 = aggr[0].t;
	if (nt && tune[0].t < t0)
		t0 = tune[0].t;
	/* Walk back from the end while the smoothed ratio stays in band. */
	for (i = na - 1; i >= window - 1; i--) {
		double m = 0;
		int j;

		for (j = i - window + 1; j <= i; j++)
			m += aggr[j].v;
		m /= window;
		if (fabs(m - goal) > band * goal)
			break;
		settle = i;
	}
	/* It must hold for at least a window, or it is a passing visit. */
	if (settle < 0 || na - settle < window)
		return;
	out->settled = true;
	settle_t = aggr[settle].t;
	out->settle_s = settle_t - t0;
	out->settle_t = settle_t;
	for (i = settle; i < na; i++)
		sum += aggr[i].v;
	out->mean_ratio = sum / (na - settle);

	vals = calloc(nt + 1, sizeof(*vals));
	if (!vals)
		return;
	for (i = 0; i < nt; i++) {
		if (tune[i].t < settle_t)
			continue;
		vals[n++] = tune[i].v;
	}
	/* No step after settling: the interval in force is the last one. */
	if (!n && nt)
		vals[n++] = tune[nt - 1].v;
	if (n) {
		int dir = 0;
		double med;

		for (i = 1; i < nt; i++) {
			int d;

			if (tune[i].t < settle_t || tune[i].v == tune[i - 1].v)
				continue;
			d = tune[i].v > tune[i - 1].v ? 1 : -1;
			if (dir && d != dir)
				out->reversals++;
			dir = d;
		}
		med = quantile(vals, n, 0.5);
		out->settled_sample_us = med;
		out->oscillation = med > 0 ? (quantile(vals, n, 0.9) - quantile(vals, n, 0.1)) / med : 0;
	}
	free(vals);
}

struct trace {
	struct damon_point *tune, *aggr;
	int nt, na, ct, ca;
	double goal;		/* access_bp / 10000 */
	long access_bp, aggrs, min_us, max_us;
	long init_us;		/* sample_us as committed: before the first step */
	int kd;
	double tmax;
	double from, to;	/* the window of the record to look at */
};

static int push(struct damon_point **v, int *n, int *cap, double t, double val)
{
	if (*n == *cap) {
		struct damon_point *p;

		*cap = *cap ? *cap * 2 : 256;
		p = realloc(*v, *cap * sizeof(**v));
		if (!p)
			return -ENOMEM;
		*v = p;
	}
	(*v)[*n].t = t;
	(*v)[*n].v = val;
	(*n)++;
	return 0;
}

static long jl(struct json_object *o, const char *k, long def)
{
	struct json_object *v;

	return json_object_object_get_ex(o, k, &v) && v ? json_object_get_int64(v) : def;
}

static double jd(struct json_object *o, const char *k, double def)
{
	struct json_object *v;

	return json_object_object_get_ex(o, k, &v) && v ? json_object_get_double(v) : def;
}

/* The goal of kdamond kd from a start/kdamonds line. */
static void take_goal(struct trace *tr, struct json_object *arr)
{
	size_t i;

	for (i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *k = json_object_array_get_idx(arr, i);

		if (jl(k, "kdamond", -1) != tr->kd || jl(k, "aggrs", 0) <= 0)
			continue;
		if (!tr->init_us)
			tr->init_us = jl(k, "sample_us", 0);
		tr->access_bp = jl(k, "access_bp", 0);
		tr->aggrs = jl(k, "aggrs", 0);
		tr->min_us = jl(k, "min_sample_us", 0);
		tr->max_us = jl(k, "max_sample_us", 0);
		tr->goal = tr->access_bp / 10000.0;
	}
}

/* A record type of 'damon record' (damon_tune), or of one from before 0.2 (tune). */
static bool is_type(const char *type, const char *name)
{
	return !strcmp(type, name) || (!strncmp(type, "damon_", 6) && !strcmp(type + 6, name));
}

static void print_tune(FILE *out, double t, long sample_us)
{
	fprintf(out, "%10.3f  %-6s %12ldus\n", t, "tune", sample_us);
}

static void print_aggr(FILE *out, double t, double ratio, long nr_regions)
{
	fprintf(out, "%10.3f  %-6s %14s %11.2f%% %8ld\n", t, "aggr", "", ratio * 100, nr_regions);
}

/* For 'mmscope report': each line of a damon record as 'damon report -v' lists it. */
void damon_record_render(FILE *out, struct json_object *rec)
{
	const char *type = json_object_get_string(json_object_object_get(rec, "type"));
	struct json_object *v;

	if (!type)
		return;
	if (is_type(type, "start"))
		fprintf(out, "%10s  %-6s %14s %12s %8s\n", "TIME(s)", "EVENT", "SAMPLE", "RATIO",
			"REGIONS");
	else if (is_type(type, "tune"))
		print_tune(out, jd(rec, "t", 0), jl(rec, "sample_us", 0));
	else if (is_type(type, "aggr") && json_object_object_get_ex(rec, "ratio", &v) && v)
		print_aggr(out, jd(rec, "t", 0), json_object_get_double(v), jl(rec, "nr_regions", 0));
	else if (is_type(type, "kdamonds"))
		fprintf(out, "%10.3f  %-6s %zu kdamonds now\n", jd(rec, "t", 0), "start",
			json_object_object_get_ex(rec, "kdamonds", &v) ? json_object_array_length(v) : 0);
	else if (is_type(type, "end"))
		fprintf(out, "recorded %ld tuning steps and %ld aggregations over %.1fs (%ld dropped); "
			"'mmscope damon report FILE' analyses them\n", jl(rec, "tunes", 0),
			jl(rec, "aggrs", 0), jd(rec, "t", 0), jl(rec, "dropped", 0));
}

static int load(const char *path, struct trace *tr, bool table)
{
	struct json_object *o, *v;
	struct jsonl_file jf;
	const char *type;
	int got;

	if (jsonl_open(&jf, path))
		return -1;
	if (table)
		printf("%10s  %-6s %14s %12s %8s\n", "TIME(s)", "EVENT", "SAMPLE", "RATIO", "REGIONS");
	while ((got = jsonl_next(&jf, "a 'mmscope damon record' line", &o, &type)) > 0) {
		if (is_type(type, "start") || is_type(type, "kdamonds")) {
			struct json_object *arr;

			if (json_object_object_get_ex(o, "kdamonds", &arr)) {
				/* Without -k: the first kdamond that has a goal. */
				if (tr->kd < 0) {
					size_t i;

					for (i = 0; i < json_object_array_length(arr); i++) {
						struct json_object *k = json_object_array_get_idx(arr, i);

						if (jl(k, "aggrs", 0) > 0 && jl(k, "pid", 0) > 0) {
							tr->kd = jl(k, "kdamond", -1);
							break;
						}
					}
				}
				take_goal(tr, arr);
			}
		} else if (is_type(type, "tune") || is_type(type, "aggr")) {
			double t = jd(o, "t", 0);
			long kd = jl(o, "kdamond", -1);

			if (tr->kd < 0)
				tr->kd = kd;
			if (kd == tr->kd && t >= tr->from && t <= tr->to) {
				if (t > tr->tmax)
					tr->tmax = t;
				if (is_type(type, "tune")) {
					push(&tr->tune, &tr->nt, &tr->ct, t, jl(o, "sample_us", 0));
					if (table)
						print_tune(stdout, t, jl(o, "sample_us", 0));
				} else if (json_object_object_get_ex(o, "ratio", &v) && v) {
					push(&tr->aggr, &tr->na, &tr->ca, t, json_object_get_double(v));
					if (table)
						print_aggr(stdout, t, json_object_get_double(v),
							   jl(o, "nr_regions", 0));
				}
			}
		}
		json_object_put(o);
	}
	jsonl_close(&jf);
	return got < 0 ? -1 : 0;
}

/* Plot geometry. */
#define W 960
#define H 540
#define ML 90
#define MR 90
#define MT 60
#define MB 70

struct axes {
	double tmax, smin, smax, rmax;
};

static double px(const struct axes *a, double t)
{
	return ML + (W - ML - MR) * (a->tmax > 0 ? t / a->tmax : 0);
}

/* The sampling interval on a log scale: the bounds often span 100x. */
static double py_s(const struct axes *a, double us)
{
	double lo = log10(a->smin), hi = log10(a->smax);

	if (us < a->smin)
		us = a->smin;
	return H - MB - (H - MT - MB) * (log10(us) - lo) / (hi - lo);
}

static double py_r(const struct axes *a, double r)
{
	return H - MB - (H - MT - MB) * (r / a->rmax);
}

/* A round tick step (1, 2 or 5 times a power of ten) giving about n ticks. */
static double nice_step(double range, int n)
{
	double raw = range / n, p = pow(10, floor(log10(raw))), m = raw / p;

	return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

/* The axes' ranges: the bounds and every value seen, the ratio up to 3x the goal. */
static void svg_axes(struct axes *a, const struct trace *tr)
{
	int i;

	a->tmax = tr->tmax > 0 ? tr->tmax : 1;
	a->smin = tr->min_us > 0 ? tr->min_us : 1;
	a->smax = tr->max_us > 0 ? tr->max_us : 1e6;
	for (i = 0; i < tr->nt; i++) {
		if (tr->tune[i].v < a->smin)
			a->smin = tr->tune[i].v;
		if (tr->tune[i].v > a->smax)
			a->smax = tr->tune[i].v;
	}
	if (a->smax <= a->smin)
		a->smax = a->smin * 10;
	a->rmax = tr->goal * 3;
	for (i = 0; i < tr->na; i++)
		if (tr->aggr[i].v > a->rmax)
			a->rmax = tr->aggr[i].v;
	if (a->rmax <= 0)
		a->rmax = 0.1;
	a->rmax = fmin(1.0, a->rmax * 1.05);
}

/* The title, and the band around the goal with the goal itself, on the ratio axis. */
static void svg_frame(FILE *f, const struct axes *a, const struct trace *tr, double band)
{
	char b1[32], b2[32];

	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
		"font-family=\"sans-serif\" font-size=\"12\">\n"
		"<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n", W, H, W, H);
	fprintf(f, "<text x=\"%d\" y=\"24\" font-size=\"16\" text-anchor=\"middle\">DAMON intervals "
		"auto-tuning, kdamond %d: goal %.2f%% over %ld aggregations, sampling %s..%s</text>\n",
		W / 2, tr->kd, tr->goal * 100, tr->aggrs, damon_fmt_us(tr->min_us, b1, sizeof(b1)),
		damon_fmt_us(tr->max_us, b2, sizeof(b2)));
	if (tr->goal > 0) {
		double top = py_r(a, fmin(a->rmax, tr->goal * (1 + band)));
		double bot = py_r(a, fmax(0, tr->goal * (1 - band)));

		fprintf(f, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"#f5a623\" "
			"fill-opacity=\"0.12\"/>\n", ML, top, W - ML - MR, bot - top);
		fprintf(f, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#d0021b\" "
			"stroke-width=\"1.5\" stroke-dasharray=\"8 4\"/>\n", ML, W - MR,
			py_r(a, tr->goal), py_r(a, tr->goal));
	}
	fprintf(f, "<g stroke=\"#444\" fill=\"none\"><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/></g>\n",
		ML, MT, W - ML - MR, H - MT - MB);
}

/* Time along x; the sampling interval, log scale, at the left; the ratio at the right. */
static void svg_ticks(FILE *f, const struct axes *a)
{
	double d, rstep, tstep = nice_step(a->tmax, 10);
	char b1[32];
	int i, m;

	for (i = 0; i * tstep <= a->tmax * 1.0001; i++) {
		double t = tstep * i;

		fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#ddd\"/>"
			"<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.3g</text>\n",
			px(a, t), px(a, t), MT, H - MB, px(a, t), H - MB + 16, t);
	}
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">time since the record started (s)</text>\n",
		(W - MR + ML) / 2, H - MB + 40);
	for (d = pow(10, floor(log10(a->smin))); d <= a->smax * 1.0001; d *= 10) {
		for (m = 1; m < 10; m++) {
			double v = d * m;

			if (v < a->smin * 0.9999 || v > a->smax * 1.0001)
				continue;
			fprintf(f, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#1f5fbf\"/>\n",
				ML - (m == 1 ? 6 : 3), ML, py_s(a, v), py_s(a, v));
			if (m == 1 || m == 2 || m == 5)
				fprintf(f, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" fill=\"#1f5fbf\">%s</text>\n",
					ML - 8, py_s(a, v) + 4, damon_fmt_us(v, b1, sizeof(b1)));
		}
	}
	fprintf(f, "<text transform=\"translate(20,%d) rotate(-90)\" text-anchor=\"middle\" fill=\"#1f5fbf\">"
		"sampling interval (log scale)</text>\n", (H - MB + MT) / 2);
	rstep = nice_step(a->rmax, 5);
	for (i = 0; i * rstep <= a->rmax * 1.0001; i++)
		fprintf(f, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#e07b00\"/>"
			"<text x=\"%d\" y=\"%.1f\" fill=\"#e07b00\">%.2f%%</text>\n",
			W - MR, W - MR + 5, py_r(a, rstep * i), py_r(a, rstep * i),
			W - MR + 8, py_r(a, rstep * i) + 4, rstep * i * 100);
	fprintf(f, "<text transform=\"translate(%d,%d) rotate(90)\" text-anchor=\"middle\" fill=\"#e07b00\">"
		"observed access ratio</text>\n", W - 18, (H - MB + MT) / 2);
}

/* The ratio per aggregation, its moving mean (what settling is judged on). */
static void svg_ratio(FILE *f, const struct axes *a, const struct trace *tr, int window)
{
	int i, j;

	if (tr->na >= window) {
		fprintf(f, "<polyline fill=\"none\" stroke=\"#b35900\" stroke-width=\"2.5\" points=\"");
		for (i = window - 1; i < tr->na; i++) {
			double m = 0;

			for (j = i - window + 1; j <= i; j++)
				m += tr->aggr[j].v;
			fprintf(f, "%.1f,%.1f ", px(a, tr->aggr[i].t), py_r(a, m / window));
		}
		fprintf(f, "\"/>\n");
	}
	fprintf(f, "<polyline fill=\"none\" stroke=\"#e07b00\" stroke-width=\"1\" stroke-opacity=\"0.7\" points=\"");
	for (i = 0; i < tr->na; i++)
		fprintf(f, "%.1f,%.1f ", px(a, tr->aggr[i].t), py_r(a, tr->aggr[i].v));
	fprintf(f, "\"/>\n");
}

/* The sampling interval: a step function, held until the next tune. */
static void svg_sampling(FILE *f, const struct axes *a, const struct trace *tr)
{
	int i;

	if (!tr->nt)
		return;
	fprintf(f, "<polyline fill=\"none\" stroke=\"#1f5fbf\" stroke-width=\"2\" points=\"");
	/* From the first aggregation, at the committed interval. */
	if (tr->init_us > 0 && tr->na && tr->aggr[0].t < tr->tune[0].t)
		fprintf(f, "%.1f,%.1f %.1f,%.1f ", px(a, tr->aggr[0].t), py_s(a, tr->init_us),
			px(a, tr->tune[0].t), py_s(a, tr->init_us));
	for (i = 0; i < tr->nt; i++) {
		if (i)
			fprintf(f, "%.1f,%.1f ", px(a, tr->tune[i].t), py_s(a, tr->tune[i - 1].v));
		fprintf(f, "%.1f,%.1f ", px(a, tr->tune[i].t), py_s(a, tr->tune[i].v));
	}
	fprintf(f, "%.1f,%.1f\"/>\n", px(a, a->tmax), py_s(a, tr->tune[tr->nt - 1].v));
}

static void svg_legend(FILE *f, const struct axes *a, const struct damon_summary *sm, double band,
		       int window)
{
	if (sm->settled) {
		double x = px(a, sm->settle_t);

		fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#2a9d3a\" "
			"stroke-dasharray=\"4 3\"/><text x=\"%.1f\" y=\"%d\" fill=\"#2a9d3a\">settled %.1fs</text>\n",
			x, x, MT, H - MB, x + 4, MT + 14, sm->settle_s);
	}
	fprintf(f, "<g transform=\"translate(%d,%d)\">"
		"<line x1=\"0\" x2=\"24\" y1=\"0\" y2=\"0\" stroke=\"#1f5fbf\" stroke-width=\"2\"/>"
		"<text x=\"30\" y=\"4\">sampling interval</text>"
		"<line x1=\"150\" x2=\"174\" y1=\"0\" y2=\"0\" stroke=\"#e07b00\"/>"
		"<text x=\"180\" y=\"4\">observed ratio per aggregation</text>"
		"<line x1=\"380\" x2=\"404\" y1=\"0\" y2=\"0\" stroke=\"#d0021b\" stroke-dasharray=\"8 4\"/>"
		"<text x=\"410\" y=\"4\">goal, band +-%.0f%%</text>"
		"<line x1=\"560\" x2=\"584\" y1=\"0\" y2=\"0\" stroke=\"#b35900\" stroke-width=\"2.5\"/>"
		"<text x=\"590\" y=\"4\">%d-aggregation mean</text></g>\n",
		ML, H - 12, band * 100, window);
}

static int write_svg(const char *path, const struct trace *tr, const struct damon_summary *sm,
		     double band, int window)
{
	FILE *f = fopen(path, "w");
	struct axes a;

	if (!f) {
		errmsg("cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	svg_axes(&a, tr);
	svg_frame(f, &a, tr, band);
	svg_ticks(f, &a);
	svg_ratio(f, &a, tr, window);
	svg_sampling(f, &a, tr);
	svg_legend(f, &a, sm, band, window);
	fprintf(f, "</svg>\n");
	fclose(f);
	return 0;
}

int damon_cmd_report(const struct opts *o)
{
	struct trace tr = { .kd = -1, .from = 0, .to = 1e300 };
	struct damon_summary sm;
	bool json = o->set[OPT_JSON], quiet = json || o->set[OPT_QUIET];
	char svg[4096], b1[32], b2[32];
	const char *svgpath = o->arg[OPT_OUTPUT];
	unsigned long band_pct, window;
	long long bp = 50, w = 0;
	int ret;

	if ((ret = damon_opt_kd(o, &tr.kd)) || (ret = opt_num(o, OPT_BAND, 1, 1000, &bp)) ||
	    (ret = opt_num(o, OPT_WINDOW, 1, 100000, &w)))
		return ret;
	band_pct = bp;
	window = w;
	if (o->set[OPT_TIME] && (sscanf(o->arg[OPT_TIME], "%lf:%lf", &tr.from, &tr.to) != 2 ||
				 tr.from < 0 || tr.to <= tr.from)) {
		errmsg("-t: '%s' is not FROM:TO in seconds of the record, FROM < TO", o->arg[OPT_TIME]);
		return EXIT_USAGE;
	}
	if (o->argc != 1) {
		errmsg("damon report takes one record file; see 'mmscope damon report -h'");
		return EXIT_USAGE;
	}
	if (load(o->argv[0], &tr, !quiet))
		return EXIT_USAGE;
	if (tr.goal <= 0) {
		errmsg("%s has no kdamond with an intervals goal%s", o->argv[0],
		       tr.kd >= 0 ? " for that kdamond" : "");
		return EXIT_USAGE;
	}
	if (!window)
		window = tr.aggrs > 3 ? tr.aggrs : 3;
	damon_summarize(tr.tune, tr.nt, tr.aggr, tr.na, tr.goal, band_pct / 100.0, window, &sm);
	if (!svgpath) {
		snprintf(svg, sizeof(svg), "%s.svg", o->argv[0]);
		svgpath = svg;
	}
	ret = write_svg(svgpath, &tr, &sm, band_pct / 100.0, window);
	if (json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "kdamond", json_object_new_int(tr.kd));
		json_object_object_add(o, "goal_bp", json_object_new_int64(tr.access_bp));
		json_object_object_add(o, "tunes", json_object_new_int(tr.nt));
		json_object_object_add(o, "aggrs", json_object_new_int(tr.na));
		json_object_object_add(o, "settled", json_object_new_boolean(sm.settled));
		json_object_object_add(o, "settle_s", json_object_new_double(sm.settle_s));
		json_object_object_add(o, "settled_sample_us", json_object_new_int64(llround(sm.settled_sample_us)));
		json_object_object_add(o, "mean_ratio_bp", json_object_new_int64(llround(sm.mean_ratio * 10000)));
		json_object_object_add(o, "oscillation", json_object_new_double(sm.oscillation));
		json_object_object_add(o, "reversals", json_object_new_int(sm.reversals));
		json_object_object_add(o, "svg", json_object_new_string(svgpath));
		jsonl_emit(o);
	} else {
		printf("\nkdamond %d: goal %.2f%% (%ld bp) over %ld aggregations, sampling interval %s..%s\n",
		       tr.kd, tr.goal * 100, tr.access_bp, tr.aggrs,
		       damon_fmt_us(tr.min_us, b1, sizeof(b1)), damon_fmt_us(tr.max_us, b2, sizeof(b2)));
		printf("tuning steps: %d, aggregations: %d, over %.1fs\n", tr.nt, tr.na, tr.tmax);
		if (sm.settled) {
			printf("settled after %.1fs (%lu-aggregation mean within +-%lu%% of the goal from then on)\n",
			       sm.settle_s, window, band_pct);
			printf("settled sampling interval: %s (median); mean observed ratio %.2f%%\n",
			       damon_fmt_us(llround(sm.settled_sample_us), b1, sizeof(b1)), sm.mean_ratio * 100);
			printf("oscillation: (p90-p10)/median %.2f, %d direction reversals\n",
			       sm.oscillation, sm.reversals);
		} else {
			printf("not settled: the %lu-aggregation mean does not stay within +-%lu%% of the goal\n",
			       window, band_pct);
		}
		printf("plot: %s\n", svgpath);
	}
	free(tr.tune);
	free(tr.aggr);
	if (ret)
		return EXIT_USAGE;
	return sm.settled ? EXIT_OK : EXIT_FAIL;
}
