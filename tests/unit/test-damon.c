// SPDX-License-Identifier: GPL-2.0
/* The DAMON goal parser, DAMON's rules, and the settling summary. */
#include <getopt.h>
#include <unistd.h>

#include "unit.h"
#include "damon_cli.h"
#include "mmscope.h"

static int goal(struct damon_setup *s, char *a, char *b, char *c, char *d, char *err)
{
	char *w[4] = { a, b, c, d };

	memset(s, 0, sizeof(*s));
	if (damon_parse_goal(w, s, err, 400))
		return -1;
	damon_setup_defaults(s);
	return damon_validate(s, err, 400);
}

static void parses_damo_units(void)
{
	struct damon_setup s;
	char err[400];

	CHECK(goal(&s, "4%", "3", "5ms", "10s", err) == 0, "4%% 3 5ms 10s: %s", err);
	CHECK(s.access_bp == 400 && s.aggrs == 3, "bp %lu aggrs %lu", s.access_bp, s.aggrs);
	CHECK(s.min_sample_us == 5000 && s.max_sample_us == 10000000, "%lu %lu",
	      s.min_sample_us, s.max_sample_us);
	/* The default 5ms initial sampling interval, and 20 samples per aggregation. */
	CHECK(s.sample_us == 5000 && s.aggr_us == 100000, "%lu %lu", s.sample_us, s.aggr_us);
	CHECK(goal(&s, "0.5%", "1", "100us", "1.5s", err) == 0, "%s", err);
	CHECK(s.access_bp == 50 && s.min_sample_us == 100 && s.max_sample_us == 1500000, "units");
	CHECK(goal(&s, "400bp", "2", "1000", "2min", err) == 0 && s.access_bp == 400 &&
	      s.min_sample_us == 1000 && s.max_sample_us == 120000000, "bp/bare/min: %s", err);
	/* Clamped into the bounds when the default 5ms is outside. */
	CHECK(goal(&s, "400", "3", "10ms", "1s", err) == 0 && s.sample_us == 10000, "clamp %lu", s.sample_us);
}

static void refuses_every_invalid_class(void)
{
	struct damon_setup s;
	char err[400];

	CHECK(goal(&s, "4%", "3", "10s", "5ms", err) && strstr(err, "min_sample_us <= max_sample_us"),
	      "min > max: %s", err);
	CHECK(goal(&s, "0%", "3", "5ms", "10s", err) && strstr(err, "zero"), "zero goal: %s", err);
	CHECK(goal(&s, "4%", "0", "5ms", "10s", err) && strstr(err, "tuning off"), "aggrs 0: %s", err);
	CHECK(goal(&s, "4%", "3", "0", "10s", err) && strstr(err, "is 0"), "zero min: %s", err);
	CHECK(goal(&s, "4%", "3", "5xs", "10s", err) && strstr(err, "not a duration"), "junk unit: %s", err);
	CHECK(goal(&s, "4pct", "3", "5ms", "10s", err) && strstr(err, "not a percentage"), "junk bp: %s", err);
	CHECK(goal(&s, "101%", "3", "5ms", "10s", err) && strstr(err, "above 100%"), "101%%: %s", err);
	CHECK(goal(&s, "-4%", "3", "5ms", "10s", err), "negative accepted");
	CHECK(goal(&s, "4%", "x", "5ms", "10s", err), "junk aggrs accepted");
	CHECK(goal(&s, "4%", "3", "0.5us", "10s", err) && strstr(err, "whole number"), "0.5us: %s", err);

	/* Initial sampling interval outside the bounds, and aggr below sample. */
	memset(&s, 0, sizeof(s));
	s.access_bp = 400; s.aggrs = 3; s.min_sample_us = 1000; s.max_sample_us = 100000;
	s.sample_us = 200000;
	damon_setup_defaults(&s);
	CHECK(damon_validate(&s, err, sizeof(err)) && strstr(err, "min_sample_us <= sample_us <= max_sample_us"),
	      "sample > max: %s", err);
	s.sample_us = 50000; s.aggr_us = 10000;
	CHECK(damon_validate(&s, err, sizeof(err)) && strstr(err, "sample_us <= aggr_us"), "aggr < sample: %s", err);
	s.aggr_us = 1000000; s.min_nr_regions = 2;
	CHECK(damon_validate(&s, err, sizeof(err)) && strstr(err, ">= 3"), "2 regions: %s", err);
	s.min_nr_regions = 100; s.max_nr_regions = 10;
	CHECK(damon_validate(&s, err, sizeof(err)) && strstr(err, "nr_regions/min <= nr_regions/max"),
	      "min regions > max: %s", err);
}

static void summary_of_a_known_trace(void)
{
	struct damon_point tune[] = {
		{ 1, 10000 }, { 2, 20000 }, { 3, 40000 }, { 4, 36000 }, { 5, 40000 }, { 6, 38000 },
	};
	struct damon_point aggr[12];
	struct damon_summary sm;
	int i;

	/* Ratio far below the goal 0.04 for 4 aggregations, then at it. */
	for (i = 0; i < 12; i++) {
		aggr[i].t = 0.5 * (i + 1);
		aggr[i].v = i < 4 ? 0.005 : 0.04;
	}
	damon_summarize(tune, 6, aggr, 12, 0.04, 0.25, 3, &sm);
	CHECK(sm.settled, "not settled");
	/* The first mean of three in-band ratios ends at t = 3.5s: 3s after the first event. */
	CHECK(sm.settle_s > 2.99 && sm.settle_s < 3.01, "settle %f", sm.settle_s);
	CHECK(sm.settled_sample_us == 38000 || sm.settled_sample_us == 40000, "median %f", sm.settled_sample_us);
	CHECK(sm.reversals == 2, "reversals %d", sm.reversals);
	CHECK(sm.mean_ratio > 0.0399 && sm.mean_ratio < 0.0401, "mean %f", sm.mean_ratio);

	/* Leaving the band at the end means not settled. */
	aggr[11].v = aggr[10].v = aggr[9].v = 0.2;
	damon_summarize(tune, 6, aggr, 12, 0.04, 0.25, 3, &sm);
	CHECK(!sm.settled, "settled on an excursion at the end");
}

/* A record written out by hand through report: table, summary, SVG. */
static void report_of_a_handmade_record(void)
{
	char path[] = "/tmp/mmscope-test-damon-XXXXXX", svg[64], *out = NULL, *text;
	/* What `damon report -w 3 --band 25 -o SVG PATH` parses to. */
	char *args[] = { path, NULL };
	struct opts o = { .argc = 1, .argv = args };
	FILE *f;
	int fd, i, rc;
	size_t len;

	fd = mkstemp(path);
	CHECK(fd >= 0, "mkstemp");
	snprintf(svg, sizeof(svg), "%s.svg", path);
	f = fdopen(fd, "w");
	fprintf(f, "{\"type\":\"start\",\"realtime\":1,\"kdamonds\":[{\"kdamond\":0,\"state\":\"on\","
		"\"pid\":7,\"sample_us\":1000,\"aggr_us\":20000,\"access_bp\":400,\"aggrs\":3,"
		"\"min_sample_us\":1000,\"max_sample_us\":100000,\"aggr_samples\":20}]}\n");
	/*
	 * Ten aggregations below the goal, then twenty at it: the first mean of
	 * three in-band ratios ends at t = 12.5s, 12.5s after the first event.
	 */
	for (i = 0; i < 30; i++) {
		if (i % 3 == 0)
			fprintf(f, "{\"type\":\"tune\",\"t\":%d.0,\"kdamond\":0,\"pid\":7,\"sample_us\":%d}\n",
				i, i < 10 ? 1000 << (i / 3) : 8000);
		fprintf(f, "{\"type\":\"aggr\",\"t\":%d.5,\"kdamond\":0,\"pid\":7,\"ratio\":%s}\n",
			i, i < 10 ? "0.005" : "0.04");
	}
	fclose(f);

	{
		/* report prints to stdout: point it at a memory stream meanwhile. */
		FILE *saved = stdout, *mem = open_memstream(&out, &len);

		CHECK(mem, "open_memstream");
		stdout = mem;
		o.set[OPT_WINDOW] = true;
		o.arg[OPT_WINDOW] = "3";
		o.set[OPT_BAND] = true;
		o.arg[OPT_BAND] = "25";
		o.set[OPT_OUTPUT] = true;
		o.arg[OPT_OUTPUT] = svg;
		rc = damon_cmd_report(&o);
		stdout = saved;
		fclose(mem);
	}
	unlink(path);
	CHECK(rc == 0, "report exit %d (not settled?):\n%s", rc, out);
	CHECK(strstr(out, "settled after 12.5s"), "settle time: %s", out);
	CHECK(strstr(out, "settled sampling interval: 8ms"), "interval: %s", out);
	CHECK(strstr(out, "     9.000  tune"), "table: %s", out);
	free(out);

	f = fopen(svg, "r");
	CHECK(f, "no SVG written");
	text = NULL;
	len = 0;
	CHECK(getdelim(&text, &len, '\0', f) > 0, "empty SVG");
	fclose(f);
	unlink(svg);
	CHECK(strstr(text, "<svg xmlns=\"http://www.w3.org/2000/svg\"") && strstr(text, "</svg>"), "not an SVG");
	CHECK(strstr(text, "goal 4.00% over 3 aggregations, sampling 1ms..100ms"), "title");
	CHECK(strstr(text, "stroke-dasharray=\"8 4\""), "no goal line");
	CHECK(strstr(text, "settled 12.5s"), "no settle marker");
	free(text);
}

int main(void)
{
	RUN(parses_damo_units);
	RUN(refuses_every_invalid_class);
	RUN(summary_of_a_known_trace);
	RUN(report_of_a_handmade_record);
	return unit_failed;
}
