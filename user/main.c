// SPDX-License-Identifier: GPL-2.0
/* mmscope: one command for the MM-ID, sheaf/barn and DAMON views. */
#include <stdio.h>
#include <string.h>

#include "mmscope.h"
#include "complete.h"

static int do_root(const struct cmd *cmd, struct opts *o)
{
	if (o->set[OPT_VERSION]) {
		printf("mmscope %s\n", MMSCOPE_VERSION);
		return EXIT_OK;
	}
	cmd_help(cmd, "", stderr);
	return EXIT_USAGE;
}

static const struct cmd *const commands[] = {
	&cmd_status, &cmd_trace, &cmd_record, &cmd_report, &cmd_mmid, &cmd_bench,
	&cmd_slab, &cmd_damon, &cmd_export, &cmd_complete, &cmd_options, NULL,
};

const struct cmd cmd_root = {
	.name = "mmscope",
	.args = "",
	.opts = "version",
	.doc = "Show what large-folio MM-ID tracking, SLUB sheaves and barns, and\n"
	       "DAMON intervals auto-tuning are doing on this machine.  Options go\n"
	       "anywhere after the command; -j, -v and -h work for every command.\n",
	.examples = "mmscope status          what this kernel and module offer\n"
		    "mmscope status -j       the same as JSON\n"
		    "mmscope trace slab 1    allocations per slab cache, every second\n"
		    "mmscope record -o s.jsonl trace page -b comm 5 2\n"
		    "mmscope report s.jsonl",
	.run = do_root,
	.subs = commands,
};

int main(int argc, char **argv)
{
	return cmd_main(&cmd_root, argc - 1, argv + 1);
}
