// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope record / mmscope report: a tracing session as a JSON Lines file
 * (a header record, then the command's own -j records), and that file
 * printed later as the same text the live command prints.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "mmscope.h"
#include "render.h"
#include "trace_cmd.h"

static void record_usage(FILE *out)
{
	fprintf(out,
		"usage: mmscope record -o FILE <command> [command options]\n"
		"\n"
		"Run a tracing command with -j and write its records to FILE after a\n"
		"header record (mmscope version, kernel, host, time, command line).\n"
		"'mmscope report FILE' prints it later, anywhere.\n"
		"\n"
		"  -o, --output FILE   where to write (replaced if it exists)\n"
		"  -h, --help          this help\n"
		"\n"
		"examples:\n"
		"  mmscope record -o slab.jsonl trace slab 1 10\n"
		"  mmscope record -o pages.jsonl trace page -b comm -- make -j2\n"
		"  mmscope report slab.jsonl\n");
}

static struct json_object *header(int argc, char **argv)
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

static int record_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct mmscope_cmd *cmd;
	const char *path = NULL;
	char **nargv;
	int c, fd, saved, i, j, n, ret;

	/* '+': the command's own options are not ours. */
	while ((c = getopt_long(argc, argv, "+o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			path = optarg;
			break;
		case 'h':
			record_usage(stdout);
			return EXIT_OK;
		default:
			record_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (!path || optind >= argc) {
		errmsg("record needs -o FILE and a command, e.g. "
		       "'mmscope record -o s.jsonl trace slab 1 5'");
		return EXIT_USAGE;
	}
	cmd = mmscope_find_command(argv[optind]);
	if (!cmd || cmd == &cmd_record || cmd == &cmd_report || !strcmp(cmd->name, "bench")) {
		errmsg("cannot record '%s': record takes a tracing command (trace, status, "
		       "mmid, slab, damon)", argv[optind]);
		return EXIT_USAGE;
	}
	argc -= optind;
	argv += optind;

	/* The command's argv with -j added before any "-- command". */
	nargv = calloc(argc + 2, sizeof(*nargv));
	if (!nargv)
		return EXIT_FAIL;
	for (i = 0, j = 0, n = 0; i < argc; i++) {
		if (!n && !strcmp(argv[i], "--")) {
			nargv[j++] = "-j";
			n = 1;
		}
		nargv[j++] = argv[i];
	}
	if (!n)
		nargv[j++] = "-j";

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		errmsg("cannot write %s: %s", path, strerror(errno));
		free(nargv);
		return EXIT_FAIL;
	}
	fflush(stdout);
	saved = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
	trace_cmd_stdout = saved;
	dup2(fd, STDOUT_FILENO);
	close(fd);
	jsonl_emit(header(argc, argv));
	optind = 0;
	ret = cmd->run(j, nargv);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	trace_cmd_stdout = -1;
	free(nargv);
	if (ret == EXIT_OK)
		fprintf(stderr, "mmscope: recorded to %s; print it with 'mmscope report %s'\n",
			path, path);
	return ret;
}

const struct mmscope_cmd cmd_record = {
	.name = "record",
	.summary = "write a tracing session to a file (JSON Lines)",
	.run = record_run,
	.usage = record_usage,
};

int jsonl_open(struct jsonl_file *jf, const char *path)
{
	memset(jf, 0, sizeof(*jf));
	jf->path = path;
	jf->f = fopen(path, "r");
	if (!jf->f) {
		errmsg("cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int jsonl_next(struct jsonl_file *jf, const char *what, struct json_object **rec,
	       const char **type)
{
	struct json_object *t;

	while (getline(&jf->line, &jf->cap, jf->f) > 0) {
		jf->lineno++;
		if (jf->line[strspn(jf->line, " \t\r\n")] == '\0')
			continue;
		*rec = json_tokener_parse(jf->line);
		if (!*rec || !json_object_is_type(*rec, json_type_object) ||
		    !json_object_object_get_ex(*rec, "type", &t)) {
			errmsg("%s:%ld: not %s", jf->path, jf->lineno, what);
			json_object_put(*rec);
			*rec = NULL;
			return -1;
		}
		*type = json_object_get_string(t);
		return 1;
	}
	return 0;
}

void jsonl_close(struct jsonl_file *jf)
{
	free(jf->line);
	if (jf->f)
		fclose(jf->f);
}

static void report_usage(FILE *out)
{
	fprintf(out,
		"usage: mmscope report [-T] FILE\n"
		"\n"
		"Print a file written by 'mmscope record' (or any mmscope -j output)\n"
		"as the text the live command prints.  No root, BPF or module needed.\n"
		"\n"
		"  -T, --timestamp   print each report's time (HH:MM:SS, local time)\n"
		"  -h, --help        this help\n"
		"\n"
		"examples:\n"
		"  mmscope report slab.jsonl\n"
		"  mmscope report -T pages.jsonl | less\n");
}

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

static int report_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "timestamp", no_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct json_object *rec;
	struct jsonl_file jf;
	bool show_time = false;
	const char *type;
	int c, got;

	while ((c = getopt_long(argc, argv, "Th", longopts, NULL)) != -1) {
		switch (c) {
		case 'T':
			show_time = true;
			break;
		case 'h':
			report_usage(stdout);
			return EXIT_OK;
		default:
			report_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		errmsg("report takes one file, written by 'mmscope record -o FILE ...'");
		return EXIT_USAGE;
	}
	if (jsonl_open(&jf, argv[optind]))
		return EXIT_FAIL;
	while ((got = jsonl_next(&jf, "an mmscope JSON record", &rec, &type)) > 0) {
		if (!strcmp(type, "header"))
			print_header(rec);
		else
			record_render(stdout, rec, show_time);
		json_object_put(rec);
	}
	jsonl_close(&jf);
	return got < 0 ? EXIT_FAIL : EXIT_OK;
}

const struct mmscope_cmd cmd_report = {
	.name = "report",
	.summary = "print a recorded session as text",
	.run = report_run,
	.usage = report_usage,
};
