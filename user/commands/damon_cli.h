/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mmscope damon: DAMON intervals auto-tuning through DAMON's sysfs ABI
 * (Documentation/admin-guide/mm/damon/usage.rst) and its tracepoints.
 */
#ifndef MMSCOPE_DAMON_CLI_H
#define MMSCOPE_DAMON_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "damon_fs.h"
#include "opts.h"

#define DAMON_RUN_DIR_DEFAULT "/run/mmscope"

/* What `damon start` writes, validated as a whole before any write. */
struct damon_setup {
	unsigned long access_bp;	/* goal: observed/max accesses, bp */
	unsigned long aggrs;		/* goal: aggregations per tuning step */
	unsigned long min_sample_us;
	unsigned long max_sample_us;
	unsigned long sample_us;	/* initial sampling interval */
	unsigned long aggr_us;		/* initial aggregation interval */
	unsigned long update_us;
	unsigned long min_nr_regions;
	unsigned long max_nr_regions;
};

/*
 * Parsers for the goal's words.  They return 0, or -1 with an explanation
 * in err (which names the accepted forms).
 */
int damon_parse_bp(const char *s, unsigned long *bp, char *err, size_t len);
int damon_parse_us(const char *s, unsigned long *us, char *err, size_t len);
int damon_parse_count(const char *s, unsigned long *n, char *err, size_t len);
/* -k's argument: 0, or EXIT_USAGE after saying why. */
int damon_parse_kd_arg(const char *s, int *kd);
/* "4% 3 5ms 10s" as four words. */
int damon_parse_goal(char *const words[4], struct damon_setup *s, char *err, size_t len);
/* Defaults for what the user left at 0 (initial intervals, region limits). */
void damon_setup_defaults(struct damon_setup *s);
/* DAMON's rules (mm/damon/core.c) and mmscope's own; 0 or -1 with why. */
int damon_validate(const struct damon_setup *s, char *err, size_t len);
/* "5ms", "1.5s", "250us" for output. */
const char *damon_fmt_us(unsigned long us, char *buf, size_t len);

/* Sysfs helpers (damon_sysfs.c; the readers are backends/damon_fs.c). */
int damon_write_str(int kd, const char *rel, const char *val);
bool damon_available(void);
/* -k IDX when given: 0, or EXIT_USAGE after saying why. */
int damon_opt_kd(const struct opts *o, int *kd);
/*
 * What stop and status do first: no positional argument, -k IDX, then
 * root (needed to root_for), DAMON present and IDX below *nr, the number
 * of kdamonds.  0 to go on, else the exit code to end with.
 */
int damon_begin_kd_command(const struct opts *o, const char *root_for, int *kd, int *nr);
const char *damon_run_dir(void);
/* The kdamond pid mmscope recorded starting at index kd, or 0. */
long damon_owned_pid(int kd);

/* Sub-commands. */
int damon_cmd_start(const struct opts *o);
int damon_cmd_stop(const struct opts *o);
int damon_cmd_tune(const struct opts *o);
int damon_cmd_status(const struct opts *o);
int damon_cmd_record(const struct opts *o);
int damon_cmd_report(const struct opts *o);
int damon_cmd_workload(const struct opts *o);

/* The report's analysis, for unit tests (damon_report.c). */
struct damon_point {
	double t;		/* seconds since the record started */
	double v;		/* sample_us for tune points, ratio (0..1) for aggr points */
};

struct damon_summary {
	bool settled;
	double settle_s;	/* first time after which the smoothed ratio stays in band */
	double settle_t;	/* the same, as a time of the record */
	double settled_sample_us;	/* median sampling interval after settling */
	double mean_ratio;	/* mean observed ratio after settling */
	double oscillation;	/* (p90 - p10) / median of the interval after settling */
	int reversals;		/* direction changes of the interval after settling */
};

void damon_summarize(const struct damon_point *tune, int nt,
		     const struct damon_point *aggr, int na,
		     double goal, double band, int window,
		     struct damon_summary *out);

#endif /* MMSCOPE_DAMON_CLI_H */
