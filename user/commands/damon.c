// SPDX-License-Identifier: GPL-2.0
/* mmscope damon: set an intervals-tuning goal, record and check convergence. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "damon_cli.h"
#include "mmscope.h"

/*
 * The damon subcommands' bodies still take the argv of their first
 * version; the options, parsed once against the common vocabulary, are
 * handed to them in that form (letters mapped below).
 */
struct damon_sub {
	int (*run)(int argc, char **argv);
	const char *map;	/* "long=letter,..." */
};

static int run_sub(const struct cmd *cmd, struct opts *o, const struct damon_sub *s)
{
	char **argv = calloc(2 * NR_OPTS + o->argc + 3, sizeof(*argv)), flags[NR_OPTS][3];
	int argc = 0, i, ret;

	if (!argv)
		return EXIT_FAIL;
	argv[argc++] = (char *)cmd->name;
	for (i = 0; i < NR_OPTS; i++) {
		const char *p;
		size_t n = strlen(opt_defs[i].name);

		if (!o->set[i] || i == OPT_VERBOSE)
			continue;
		for (p = s->map; (p = strstr(p, opt_defs[i].name)); p += n)
			if ((p == s->map || p[-1] == ',') && p[n] == '=')
				break;
		if (!p)
			continue;
		flags[i][0] = '-';
		flags[i][1] = p[n + 1];
		flags[i][2] = '\0';
		argv[argc++] = flags[i];
		if (opt_defs[i].arg)
			argv[argc++] = (char *)o->arg[i];
	}
	argv[argc++] = "--";
	for (i = 0; i < o->argc; i++)
		argv[argc++] = o->argv[i];
	optind = 0;
	ret = s->run(argc, argv);
	free(argv);
	return ret;
}

#define DAMON_SUB(sub, fn, m)							\
	static int do_damon_##sub(const struct cmd *cmd, struct opts *o)	\
	{									\
		static const struct damon_sub s = { fn, m };			\
		return run_sub(cmd, o, &s);					\
	}

DAMON_SUB(start, damon_cmd_start, "pid=p,paddr=P,region=r,sample=s,aggr=a,update=u,"
	  "regions=n,kdamond=k")
DAMON_SUB(stop, damon_cmd_stop, "kdamond=k")
DAMON_SUB(tune, damon_cmd_tune, "kdamond=k")
DAMON_SUB(status, damon_cmd_status, "kdamond=k,json=j")
DAMON_SUB(record, damon_cmd_record, "output=o,kdamond=k,duration=d")
DAMON_SUB(report, damon_cmd_report, "kdamond=k,output=s,band=b,window=w,time=t,quiet=q,json=j")
DAMON_SUB(workload, damon_cmd_workload, "hot=H,cold=C,rate=r,change-at=c,new-rate=R,duration=d")

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
	.examples = "mmscope damon stop\nmmscope damon stop -k 1",
	.run = do_damon_stop,
};
static const struct cmd damon_tune = {
	.name = "tune", .summary = "change a running kdamond's goal online (or 'off')",
	.args = "(ACCESS_BP AGGRS MIN_SAMPLE MAX_SAMPLE | off)", .opts = "kdamond",
	.examples = "mmscope damon tune 2% 2 1ms 100ms\nmmscope damon tune -k 0 off",
	.run = do_damon_tune,
};
static const struct cmd damon_status = {
	.name = "status", .summary = "goal, tuned intervals and state of each kdamond",
	.args = "", .opts = "kdamond json",
	.examples = "mmscope damon status\nmmscope damon status -k 0 -j",
	.run = do_damon_status,
};
static const struct cmd damon_record = {
	.name = "record", .summary = "record tuning steps and observed access ratios (BPF)",
	.args = "", .opts = "output kdamond duration",
	.examples = "mmscope damon record -o tune.jsonl -d 40",
	.run = do_damon_record,
};
static const struct cmd damon_report = {
	.name = "report", .summary = "table, SVG plot and settling summary of a record",
	.args = "FILE", .opts = "kdamond output band window time quiet json",
	.doc = "-o names the SVG (default FILE.svg).  Exit status 0 when settled, 1 when not.\n",
	.examples = "mmscope damon report tune.jsonl\n"
		    "mmscope damon report tune.jsonl -j --band 50 -w 6 -t 0:60",
	.run = do_damon_report,
};
static const struct cmd damon_workload = {
	.name = "workload", .summary = "a process with a known hot/cold access pattern",
	.args = "", .opts = "hot cold rate change-at new-rate duration",
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
