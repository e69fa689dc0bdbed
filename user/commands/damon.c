// SPDX-License-Identifier: GPL-2.0
/* mmscope damon: set an intervals-tuning goal, record and check convergence. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "damon_cli.h"
#include "mmscope.h"

#define DAMON_SUB(sub)								\
	static int do_damon_##sub(const struct cmd *cmd, struct opts *o)	\
	{									\
		return damon_cmd_##sub(o);					\
	}

DAMON_SUB(start)
DAMON_SUB(stop)
DAMON_SUB(tune)
DAMON_SUB(status)
DAMON_SUB(record)
DAMON_SUB(report)
DAMON_SUB(workload)

static const struct cmd damon_start = {
	.name = "start", .summary = "start a kdamond with an intervals goal (sysfs)",
	.args = "(-p PID | --paddr) ACCESS_BP AGGRS MIN_SAMPLE MAX_SAMPLE",
	.opts = "pid paddr region sample aggr update regions kdamond",
	.doc = "Start a kdamond with intervals auto-tuning toward a goal: the ratio of\n"
	       "observed access samples to the maximum possible, measured over AGGRS\n"
	       "aggregations, with the sampling interval kept within [MIN_SAMPLE,\n"
	       "MAX_SAMPLE].  ACCESS_BP: 4%, 0.5% or basis points (400, 400bp).\n"
	       "Intervals: us, ms, s, min (a bare number is microseconds).  Everything\n"
	       "is checked against DAMON's rules before the first write; a signal\n"
	       "during the writes undoes them.\n",
	.examples = "mmscope damon start -p 1234 4% 3 5ms 10s\n"
		    "mmscope damon start --paddr --sample 10ms --aggr 200ms 400bp 4 1ms 100ms",
	.run = do_damon_start,
};
static const struct cmd damon_stop = {
	.name = "stop", .summary = "stop the kdamonds mmscope started (or -k IDX)",
	.args = "", .opts = "kdamond",
	.doc = "Stop the kdamonds mmscope started, or kdamond IDX whoever started it.\n",
	.examples = "mmscope damon stop\nmmscope damon stop -k 1",
	.run = do_damon_stop,
};
static const struct cmd damon_tune = {
	.name = "tune", .summary = "change a running kdamond's goal online (or 'off')",
	.args = "(ACCESS_BP AGGRS MIN_SAMPLE MAX_SAMPLE | off)", .opts = "kdamond",
	.doc = "Set the intervals goal of a running kdamond and commit it online; the\n"
	       "monitoring results it has gathered are kept.  Without -k this is the\n"
	       "kdamond mmscope started; a kdamond someone else started is changed only\n"
	       "when named with -k.  'off' clears the goal (all four intervals_goal\n"
	       "files 0): the kdamond goes back to its sysfs sample_us and aggr_us.\n"
	       "The goal's words are those of 'mmscope damon start'; the kdamond's\n"
	       "sample_us must lie within the new bounds, which is checked first.\n",
	.examples = "mmscope damon tune 2% 2 1ms 100ms\nmmscope damon tune -k 0 off",
	.run = do_damon_tune,
};
static const struct cmd damon_status = {
	.name = "status", .summary = "goal, tuned intervals and state of each kdamond",
	.args = "", .opts = "kdamond json",
	.doc = "Every kdamond: who started it, state, pid, operations, the intervals goal\n"
	       "and the sampling/aggregation intervals.  For a running kdamond that mmscope\n"
	       "started (or IDX, when named) the intervals are the tuned ones, fetched by\n"
	       "writing update_tuned_intervals to its state file; others are only read.\n",
	.examples = "mmscope damon status\nmmscope damon status -k 0 -j",
	.run = do_damon_status,
};
static const struct cmd damon_record = {
	.name = "record", .summary = "record tuning steps and observed access ratios (BPF)",
	.args = "", .opts = "output kdamond duration",
	.doc = "Record every damon_monitor_intervals_tune event (the new sampling interval)\n"
	       "and each aggregation's observed access ratio (from damon_aggregated) of all\n"
	       "kdamonds, or of kdamond IDX, as JSON Lines in FILE (- for stdout), until\n"
	       "Ctrl-C or -d SECS pass.  Nothing is written to DAMON.\n",
	.examples = "mmscope damon record -o tune.jsonl -d 40",
	.run = do_damon_record,
};
static const struct cmd damon_report = {
	.name = "report", .summary = "table, SVG plot and settling summary of a record",
	.args = "FILE", .opts = "kdamond output band window time quiet json",
	.doc = "Print a 'damon record' file as a table, plot it as SVG (time on x, the\n"
	       "sampling interval and the observed access ratio on y, the goal as a\n"
	       "line) and summarise: when the observed ratio settled within the band\n"
	       "around the goal, the settled sampling interval and its oscillation.\n"
	       "-o names the SVG (default FILE.svg); -w defaults to the goal's aggrs\n"
	       "(at least 3); with -t, settling is timed from the window's first event.\n"
	       "Exit status 0 when settled, 1 when not.\n",
	.examples = "mmscope damon report tune.jsonl\n"
		    "mmscope damon report tune.jsonl -j --band 50 -w 6 -t 0:60",
	.run = do_damon_report,
};
static const struct cmd damon_workload = {
	.name = "workload", .summary = "a process with a known hot/cold access pattern",
	.args = "", .opts = "hot cold rate change-at new-rate duration",
	.doc = "A validation workload: sweeps a hot set (-H, 16M; one write per page) -r\n"
	       "times a second (10) and leaves a cold set (--cold, 48M) untouched after\n"
	       "writing it once.  Prints 'pid N' when ready and 'phase RATE REALTIME'\n"
	       "when the rate changes; runs for -d SECS (at least 1), or until killed\n"
	       "when -d is not given.\n",
	.examples = "mmscope damon workload -H 8M --cold 24M -r 10 --change-at 20 -R 40",
	.run = do_damon_workload,
};

static const struct cmd *const damon_subs[] = {
	&damon_start, &damon_stop, &damon_tune, &damon_status, &damon_record, &damon_report,
	&damon_workload, NULL,
};

const struct cmd cmd_damon = {
	.name = "damon",
	.summary = "DAMON intervals auto-tuning: start, status, record, report",
	.doc = "DAMON monitoring-intervals auto-tuning: give a goal, watch the tuner\n"
	       "converge, and check that it reaches what it aims for.\n",
	.examples = "mmscope damon workload -H 16M --cold 48M -r 10 &\n"
		    "mmscope damon start -p $! 4% 3 1ms 100ms\n"
		    "mmscope damon record -o tune.jsonl -d 30\n"
		    "mmscope damon report tune.jsonl\n"
		    "mmscope damon stop",
	.subs = damon_subs,
};
