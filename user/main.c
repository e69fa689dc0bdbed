// SPDX-License-Identifier: GPL-2.0
/* mmscope: one command for the MM-ID, sheaf/barn and DAMON views. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "mmscope.h"

static const struct mmscope_cmd *const commands[] = {
	&cmd_status,
	&cmd_trace,
	&cmd_record,
	&cmd_report,
	&cmd_mmid,
	&cmd_bench,
	&cmd_slab,
	&cmd_damon,
};

const struct mmscope_cmd *mmscope_find_command(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(name, commands[i]->name) == 0)
			return commands[i];
	return NULL;
}

static void usage(FILE *out)
{
	size_t i;

	fprintf(out,
		"usage: mmscope [-v] <command> [options]\n"
		"\n"
		"Show what large-folio MM-ID tracking, SLUB sheaves and barns, and\n"
		"DAMON intervals auto-tuning are doing on this machine.\n"
		"\n"
		"commands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(out,
		"\n"
		"options:\n"
		"  -v, --verbose   say which kernel interfaces are used\n"
		"  -V, --version   print mmscope's version\n"
		"  -h, --help      this help; 'mmscope <command> -h' for a command\n"
		"\n"
		"examples:\n"
		"  mmscope status          what this kernel and module offer\n"
		"  mmscope status -j       the same as JSON\n"
		"  mmscope trace slab 1    allocations per slab cache, every second\n"
		"  mmscope record -o s.jsonl trace page -b comm 5 2\n"
		"  mmscope report s.jsonl\n"
		"\n"
		"exit status: 0 ok, 1 failed, 2 bad command line, 3 a privilege is\n"
		"missing, 4 the kernel or module lacks a feature.  See mmscope(8).\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	size_t i;
	int c;

	/* '+' stops at the command name: its options are its own. */
	while ((c = getopt_long(argc, argv, "+vVh", longopts, NULL)) != -1) {
		switch (c) {
		case 'v':
			opt_verbose = true;
			break;
		case 'V':
			printf("mmscope %s\n", MMSCOPE_VERSION);
			return EXIT_OK;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[optind], commands[i]->name) == 0) {
			argc -= optind;
			argv += optind;
			optind = 0;
			return commands[i]->run(argc, argv);
		}
	}
	errmsg("unknown command '%s'; 'mmscope -h' lists the commands", argv[optind]);
	return EXIT_USAGE;
}
