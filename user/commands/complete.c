// SPDX-License-Identifier: GPL-2.0
/*
 * Bash completion (completion/mmscope.bash asks `mmscope __complete -- WORDS`)
 * and the option tables of mmscope(8) (`mmscope __options`), both from the
 * command and option tables, so neither can drift from what the CLI takes.
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "complete.h"
#include "mmscope.h"

static const struct cmd *sub(const struct cmd *c, const char *name)
{
	size_t k;

	for (k = 0; c->subs && c->subs[k]; k++)
		if (!strcmp(c->subs[k]->name, name) && !(c->subs[k]->flags & CMD_HIDDEN))
			return c->subs[k];
	return NULL;
}

static enum opt_id spelled_opt(const char *w)
{
	int i;

	if (w[0] != '-' || !w[1])
		return NR_OPTS;
	if (w[1] == '-')
		return opt_find(w + 2);
	for (i = 0; i < NR_OPTS && !w[2]; i++)
		if (opt_defs[i].letter == w[1])
			return i;
	return NR_OPTS;
}

static void list_dir(const char *dir, const char *file, bool digits)
{
	struct dirent *d;
	char path[300], buf[64];
	DIR *dp = opendir(dir);

	while (dp && (d = readdir(dp))) {
		if (d->d_name[0] == '.' || (digits && (d->d_name[0] < '0' || d->d_name[0] > '9')))
			continue;
		if (!digits && d->d_name[0] == ':')
			continue;
		if (!file) {
			puts(d->d_name);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s/%s", dir, d->d_name, file);
		if (read_file(path, buf, sizeof(buf)) > 0)
			fputs(buf, stdout);
	}
	if (dp)
		closedir(dp);
}

static void values(enum opt_id id)
{
	const char *v = opt_defs[id].values;

	if (!v)
		return;
	if (!*v)
		puts("__files__");
	else if (!strcmp(v, "@pid"))
		list_dir("/proc", NULL, true);
	else if (!strcmp(v, "@comm"))
		list_dir("/proc", "comm", true);
	else if (!strcmp(v, "@cache"))
		list_dir("/sys/kernel/slab", NULL, false);
	else
		for (; *v; v += strcspn(v, " "), v += *v == ' ')
			printf("%.*s\n", (int)strcspn(v, " "), v);
}

static int do_complete(const struct cmd *cmd, struct opts *o)
{
	const struct cmd *c = &cmd_root;
	int i, k;

	if (o->argc < 1)
		return EXIT_USAGE;
	for (i = 0; i < o->argc - 1; i++) {
		const char *w = o->argv[i];
		enum opt_id id = spelled_opt(w);
		const struct cmd *s;

		if (!strcmp(w, "--"))
			return EXIT_OK;		/* the child's words: bash completes files */
		if (id < NR_OPTS && opt_defs[id].arg) {
			i++;
			continue;
		}
		if (w[0] == '-')
			continue;
		if (c == &cmd_record)
			c = &cmd_root;
		s = sub(c, w);
		if (s)
			c = s;
	}
	if (o->argc >= 2) {
		enum opt_id id = spelled_opt(o->argv[o->argc - 2]);

		if (id < NR_OPTS && opt_defs[id].arg && cmd_accepts(c, id)) {
			values(id);
			return EXIT_OK;
		}
	}
	if (o->argv[o->argc - 1][0] == '-') {
		for (k = 0; k < NR_OPTS; k++) {
			if (!cmd_accepts(c, k))
				continue;
			if (opt_defs[k].letter)
				printf("-%c\n", opt_defs[k].letter);
			printf("--%s\n", opt_defs[k].name);
		}
		if (c->flags & CMD_CHILD)
			puts("--");
		return EXIT_OK;
	}
	if (c == &cmd_record)
		c = &cmd_root;
	for (k = 0; c->subs && c->subs[k]; k++)
		if (!(c->subs[k]->flags & CMD_HIDDEN))
			puts(c->subs[k]->name);
	if (c == &cmd_report || (c->args && strstr(c->args, "FILE")))
		puts("__files__");
	return EXIT_OK;
}

const struct cmd cmd_complete = {
	.name = "__complete",
	.summary = "bash completion's helper",
	.args = "-- WORD...",
	.run = do_complete,
	.flags = CMD_HIDDEN | CMD_RAW,
};

static void list(const struct cmd *c, const char *prefix)
{
	char path[128];
	size_t k;
	int i;

	snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? " " : "", c->name);
	if (c->run && c != &cmd_root) {
		printf("command %s:", path);
		for (i = 0; i < NR_OPTS; i++)
			if (cmd_accepts(c, i) && i != OPT_HELP && i != OPT_VERBOSE)
				printf(" --%s", opt_defs[i].name);
		putchar('\n');
	}
	for (k = 0; c->subs && c->subs[k]; k++)
		if (!(c->subs[k]->flags & CMD_HIDDEN))
			list(c->subs[k], c == &cmd_root ? "" : path);
}

static int do_options(const struct cmd *cmd, struct opts *o)
{
	int i;

	for (i = 0; i < NR_OPTS; i++)
		printf("option %c --%s %s %s\n", opt_defs[i].letter ? opt_defs[i].letter : '-',
		       opt_defs[i].name, opt_defs[i].arg ? opt_defs[i].arg : "-", opt_defs[i].help);
	list(&cmd_root, "");
	return EXIT_OK;
}

const struct cmd cmd_options = {
	.name = "__options",
	.summary = "the option and command tables, for tests and mmscope(8)",
	.args = "",
	.run = do_options,
	.flags = CMD_HIDDEN,
};
