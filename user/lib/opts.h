/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one command-line vocabulary of mmscope: every option, its letter and
 * its meaning, in one table (opts.c), so a letter means one thing in every
 * command.  Commands are tables too (struct cmd): `mmscope <cmd> [<subcmd>]
 * [options] [args]`, options anywhere (GNU permutation), `--` ends them.
 */
#ifndef MMSCOPE_OPTS_H
#define MMSCOPE_OPTS_H

#include <stdbool.h>
#include <stdio.h>

enum opt_id {
	OPT_JSON, OPT_VERBOSE, OPT_HELP, OPT_VERSION, OPT_TIMESTAMP,
	OPT_PID, OPT_COMM, OPT_CACHE, OPT_KDAMOND, OPT_KIND, OPT_BY, OPT_ROWS,
	OPT_SORT, OPT_ALLOCS_ONLY, OPT_BATCH, OPT_OUTPUT, OPT_DURATION,
	OPT_LINEAR, OPT_ALL, OPT_DETAIL, OPT_STATS, OPT_BACKEND, OPT_PADDR,
	OPT_REGION, OPT_SAMPLE, OPT_AGGR, OPT_UPDATE, OPT_REGIONS, OPT_BAND,
	OPT_WINDOW, OPT_TIME, OPT_QUIET, OPT_HOT, OPT_COLD, OPT_RATE,
	OPT_CHANGE_AT, OPT_NEW_RATE, OPT_MIB, OPT_RUNS, OPT_SIZES, OPT_TESTS,
	OPT_OPENMETRICS, OPT_TEXTFILE, OPT_LISTEN, OPT_CENSUS, OPT_CENSUS_INTERVAL, OPT_PER_CPU,
	NR_OPTS,
};

struct opt_def {
	char letter;		/* 0: long option only */
	const char *name;	/* --name */
	const char *arg;	/* argument's name, NULL for a flag */
	const char *help;
	const char *values;	/* completion words, "" for files, NULL for none */
};

extern const struct opt_def opt_defs[NR_OPTS];

/* What the command line said, after parsing against a command's options. */
struct opts {
	bool set[NR_OPTS];
	const char *arg[NR_OPTS];
	int argc;		/* positional arguments */
	char **argv;
	char **child;		/* after "--", for commands that run one */
};

struct cmd;
/* A command: a table of subcommands, or a leaf that runs. */
struct cmd {
	const char *name;
	const char *summary;
	const char *args;	/* synopsis of the positionals, "" for none */
	const char *opts;	/* accepted options, by long name, space-separated */
	const char *doc;	/* description (before the options in -h) */
	const char *examples;	/* one per line */
	int (*run)(const struct cmd *cmd, struct opts *o);	/* do_<cmd>() */
	const struct cmd *const *subs;	/* NULL-terminated, or NULL */
	unsigned int flags;
};

#define CMD_CHILD	0x1	/* `-- command [args]` runs a child */
#define CMD_HIDDEN	0x2	/* not listed in -h (internal) */
#define CMD_RAW		0x4	/* from the first argument on, words are not parsed */

extern bool opt_verbose;
extern bool opt_json;

/* Run argv (after "mmscope") against the root table; the exit code. */
int cmd_main(const struct cmd *root, int argc, char **argv);
/* The full name ("slab top") of the command being run, for messages. */
const char *cmd_path(void);
void cmd_help(const struct cmd *c, const char *path, FILE *out);
bool cmd_accepts(const struct cmd *c, enum opt_id id);
/* Find an option by long name; NR_OPTS when there is none. */
enum opt_id opt_find(const char *name);

/*
 * The one number parser: a whole number from min to max; on error it says
 * "WHAT must be >= MIN" (or "a whole number") and returns EXIT_USAGE.
 */
int parse_num(const char *what, const char *s, long long min, long long max, long long *out);
/* The same for option id's argument, when given; *out untouched otherwise. */
int opt_num(const struct opts *o, enum opt_id id, long long min, long long max, long long *out);
/* Positional [interval] [count] from index first; EXIT_USAGE on junk or extras. */
int opt_interval(const struct opts *o, int first, unsigned int *interval, long *count);

#endif /* MMSCOPE_OPTS_H */
