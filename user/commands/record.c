// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope record / mmscope report: a tracing session as a JSON Lines file
 * (a header record, then the command's own -j records), and that file
 * printed later as the same text the live command prints.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "mmscope.h"
#include "render.h"
#include "child.h"
#include "commands.h"

struct json_object *record_header(int argc, char **argv)
{
	struct json_object *rec = record_new("header", NULL), *cmd = json_object_new_array();
	struct utsname uts;
	int i;

	uname(&uts);
	json_object_object_add(rec, "mmscope", json_object_new_string(MMSCOPE_VERSION));
	json_object_object_add(rec, "kernel", json_object_new_string(uts.release));
	json_object_object_add(rec, "machine", json_object_new_string(uts.machine));
	json_object_object_add(rec, "host", json_object_new_string(uts.nodename));
	for (i = 0; i < argc; i++)
		json_object_array_add(cmd, json_object_new_string(argv[i]));
	json_object_object_add(rec, "command", cmd);
	return rec;
}

static int do_record(const struct cmd *cmd, struct opts *o)
{
	const char *path = o->arg[OPT_OUTPUT];
	char tmp[4096];
	int fd, saved, ret;

	if (!path || !o->argc) {
		errmsg("record needs -o FILE and a command, e.g. "
		       "'mmscope record -o s.jsonl trace slab 1 5'");
		return EXIT_USAGE;
	}
	if (!strcmp(o->argv[0], "record") || !strcmp(o->argv[0], "report") ||
	    !strcmp(o->argv[0], "bench") || o->argv[0][0] == '_') {
		errmsg("cannot record '%s': record takes a command with -j (trace, status, "
		       "mmid, slab, damon status)", o->argv[0]);
		return EXIT_USAGE;
	}
	/* Written aside and renamed when the command succeeded: no half file. */
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		errmsg("cannot write %s: %s", tmp, strerror(errno));
		return EXIT_FAIL;
	}
	fflush(stdout);
	saved = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
	child_stdout = saved;
	dup2(fd, STDOUT_FILENO);
	close(fd);
	jsonl_emit(record_header(o->argc, o->argv));
	cmd_require_json = true;
	ret = cmd_main(&cmd_root, o->argc, o->argv);
	cmd_require_json = false;
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	child_stdout = -1;
	if (ret != EXIT_OK) {
		unlink(tmp);
		errmsg("nothing recorded: the command failed (exit status %d)", ret);
		return ret;
	}
	if (rename(tmp, path)) {
		errmsg("cannot rename %s to %s: %s", tmp, path, strerror(errno));
		unlink(tmp);
		return EXIT_FAIL;
	}
	fprintf(stderr, "mmscope: recorded to %s; print it with 'mmscope report %s'\n",
		path, path);
	return ret;
}

const struct cmd cmd_record = {
	.name = "record",
	.summary = "write a command's -j records to a file (JSON Lines)",
	.args = "<command> [command options and arguments]",
	.opts = "output",
	.doc = "Run a command with -j and write its records to FILE after a header\n"
	       "record (mmscope version, kernel, host, time, command line).  The file\n"
	       "appears only when the command succeeds.  'mmscope report FILE' prints\n"
	       "it later, anywhere.\n",
	.examples = "mmscope record -o slab.jsonl trace slab 1 10\n"
		    "mmscope record -o pages.jsonl trace page -b comm -- make -j2\n"
		    "mmscope record -o top.jsonl slab top 1 5\n"
		    "mmscope report slab.jsonl",
	.run = do_record,
	.flags = CMD_RAW,
};

static const char *argv_file;

static void print_header(struct json_object *rec)
{
	struct json_object *v, *cmd;
	char when[64] = "?";
	time_t t;
	size_t i;

	if (json_object_object_get_ex(rec, "ts", &v)) {
		t = (time_t)json_object_get_double(v);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S %Z", localtime(&t));
	}
	printf("# recorded by mmscope %s on %s (Linux %s %s) at %s\n# command: mmscope",
	       json_object_get_string(json_object_object_get(rec, "mmscope")),
	       json_object_get_string(json_object_object_get(rec, "host")),
	       json_object_get_string(json_object_object_get(rec, "kernel")),
	       json_object_get_string(json_object_object_get(rec, "machine")), when);
	if (json_object_object_get_ex(rec, "command", &cmd))
		for (i = 0; i < json_object_array_length(cmd); i++)
			printf(" %s", json_object_get_string(json_object_array_get_idx(cmd, i)));
	printf("\n\n");
}

static const struct renderer renderers[] = {
	{ "status", status_render },
	{ "slab", slab_state_render },
	{ "slab_top", slab_top_render },
	{ "mmid_census", mmid_census_render },
	{ "damon_start", damon_record_render },
	{ "damon_tune", damon_record_render },
	{ "damon_aggr", damon_record_render },
	{ "damon_kdamonds", damon_record_render },
	{ "damon_end", damon_record_render },
	/* 'damon record' files from before the damon_ prefix */
	{ "start", damon_record_render },
	{ "tune", damon_record_render },
	{ "aggr", damon_record_render },
	{ "kdamonds", damon_record_render },
	{ "end", damon_record_render },
	{ NULL, NULL },
};

static int do_report(const struct cmd *cmd, struct opts *o)
{
	bool show_time = o->set[OPT_TIMESTAMP];
	struct json_object *rec;
	struct jsonl_file jf;
	const char *type;
	int got;

	if (o->argc != 1) {
		errmsg("report takes one file, written by 'mmscope record -o FILE ...'");
		return EXIT_USAGE;
	}
	argv_file = o->argv[0];
	if (jsonl_open(&jf, argv_file))
		return EXIT_FAIL;
	while ((got = jsonl_next(&jf, "an mmscope JSON record", &rec, &type)) > 0) {
		if (!strcmp(type, "header"))
			print_header(rec);
		else
			record_render_with(stdout, rec, show_time, renderers);
		json_object_put(rec);
	}
	jsonl_close(&jf);
	return got < 0 ? EXIT_FAIL : EXIT_OK;
}

const struct cmd cmd_report = {
	.name = "report",
	.summary = "print a recorded session as text",
	.args = "FILE",
	.opts = "timestamp",
	.doc = "Print a file written by 'mmscope record' (or any mmscope -j output)\n"
	       "as the text the live command prints.  No root, BPF or module needed.\n",
	.examples = "mmscope report slab.jsonl\nmmscope report -T pages.jsonl | less",
	.run = do_report,
};
