// SPDX-License-Identifier: GPL-2.0
/*
 * user/output/prom.c against expositions written out by hand: the text
 * format and OpenMetrics (counter family names, # EOF), label and HELP
 * escaping, summaries; and the mTHP reader (backends/mthp.c) on a tree of
 * its files made here.
 */
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"
#include "mthp.h"
#include "prom.h"

static void text_format(void)
{
	struct prom p;
	char *got;

	CAPTURE(got, (prom_begin(&p, out, false),
		      prom_family(&p, "x_seconds", PROM_GAUGE, "a gauge\nwith \\ in it"),
		      prom_sample(&p, "", 0.005, "a", "q\"uo\\te\nnl", NULL),
		      prom_family(&p, "ev", PROM_COUNTER, "a counter"),
		      prom_sample_u64(&p, "", 18446744073709551615ULL, "k", "v", "k2", "", NULL),
		      prom_family(&p, "s", PROM_SUMMARY, "a summary"),
		      prom_sample_u64(&p, "", 3, "quantile", "0.5", NULL),
		      prom_sample_u64(&p, "_count", 2, NULL),
		      prom_end(&p)));
	CHECK_STR(got,
		  "# HELP mmscope_x_seconds a gauge\\nwith \\\\ in it\n"
		  "# TYPE mmscope_x_seconds gauge\n"
		  "mmscope_x_seconds{a=\"q\\\"uo\\\\te\\nnl\"} 0.005\n"
		  "# HELP mmscope_ev_total a counter\n"
		  "# TYPE mmscope_ev_total counter\n"
		  "mmscope_ev_total{k=\"v\",k2=\"\"} 18446744073709551615\n"
		  "# HELP mmscope_s a summary\n"
		  "# TYPE mmscope_s summary\n"
		  "mmscope_s{quantile=\"0.5\"} 3\n"
		  "mmscope_s_count 2\n");
	free(got);
}

static void openmetrics_format(void)
{
	struct prom p;
	char *got;

	CAPTURE(got, (prom_begin(&p, out, true),
		      prom_family(&p, "ev", PROM_COUNTER, "a counter"),
		      prom_sample_u64(&p, "", 7, NULL),
		      prom_end(&p)));
	CHECK_STR(got,
		  "# HELP mmscope_ev a counter\n"
		  "# TYPE mmscope_ev counter\n"
		  "mmscope_ev_total 7\n"
		  "# EOF\n");
	free(got);
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
}

static void mthp_tree(void)
{
	char root[] = "/tmp/mmscope-unit-mthp-XXXXXX", path[256];
	struct mthp_stat *s;
	size_t nr;
	int err;

	CHECK(mkdtemp(root), "mkdtemp");
	CHECK(mthp_read(root, &s, &nr) == -ENOENT, "an empty tree is -ENOENT");
	snprintf(path, sizeof(path), "%s/hugepages-64kB", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/hugepages-64kB/stats", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/hugepages-2048kB", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/hugepages-2048kB/stats", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/hugepages-2048kB/stats/split", root);
	put(path, "5\n");
	snprintf(path, sizeof(path), "%s/hugepages-64kB/stats/split", root);
	put(path, "7\n");
	snprintf(path, sizeof(path), "%s/hugepages-64kB/stats/nr_anon", root);
	put(path, "3\n");
	err = mthp_read(root, &s, &nr);
	CHECK(!err && nr == 3, "err %d nr %zu", err, nr);
	/* By name, then by size as a number (64kB before 2048kB). */
	CHECK(!strcmp(s[0].name, "nr_anon") && s[0].value == 3, "%s", s[0].name);
	CHECK(!strcmp(s[1].size, "64kB") && s[1].value == 7, "%s %llu", s[1].size, s[1].value);
	CHECK(!strcmp(s[2].size, "2048kB") && s[2].value == 5, "%s %llu", s[2].size, s[2].value);
	free(s);
	snprintf(path, sizeof(path), "rm -rf %s", root);
	CHECK(system(path) == 0, "rm");
}

int main(void)
{
	RUN(text_format);
	RUN(openmetrics_format);
	RUN(mthp_tree);
	return unit_failed;
}
