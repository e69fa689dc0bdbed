// SPDX-License-Identifier: GPL-2.0
/* mmscope damon: set an intervals-tuning goal, record and check convergence. */
#include <stdio.h>
#include <string.h>

#include "damon_cli.h"
#include "mmscope.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} subs[] = {
	{ "start", damon_cmd_start, "start a kdamond with an intervals goal (sysfs)" },
	{ "stop", damon_cmd_stop, "stop the kdamonds mmscope started (or -k IDX)" },
	{ "tune", damon_cmd_tune, "change a running kdamond's goal online (or 'off')" },
	{ "status", damon_cmd_status, "goal, tuned intervals and state of each kdamond" },
	{ "record", damon_cmd_record, "record tuning steps and observed access ratios (BPF)" },
	{ "report", damon_cmd_report, "table, SVG plot and settling summary of a record" },
	{ "workload", damon_cmd_workload, "a process with a known hot/cold access pattern" },
};

static void damon_usage(FILE *out)
{
	size_t i;

	fprintf(out,
		"usage: mmscope damon <subcommand> [options]\n"
		"\n"
		"DAMON monitoring-intervals auto-tuning: give a goal, watch the tuner\n"
		"converge, and check that it reaches what it aims for.\n"
		"\n");
	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		fprintf(out, "  %-9s %s\n", subs[i].name, subs[i].summary);
	fprintf(out,
		"\n'mmscope damon <subcommand> -h' for each.\n"
		"\n"
		"examples:\n"
		"  mmscope damon workload -H 16M -C 48M -r 10 &\n"
		"  mmscope damon start -p $! 4%% 3 1ms 100ms\n"
		"  mmscope damon record -o tune.jsonl -d 30\n"
		"  mmscope damon report tune.jsonl\n"
		"  mmscope damon stop\n");
}

static int damon_run(int argc, char **argv)
{
	size_t i;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		damon_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (!strcmp(argv[1], subs[i].name))
			return subs[i].run(argc - 1, argv + 1);
	errmsg("unknown damon subcommand '%s'; 'mmscope damon -h' lists them", argv[1]);
	return EXIT_USAGE;
}

const struct mmscope_cmd cmd_damon = {
	.name = "damon",
	.summary = "DAMON intervals auto-tuning: start, status, record, report",
	.run = damon_run,
	.usage = damon_usage,
};
