// SPDX-License-Identifier: GPL-2.0
/* The option vocabulary, the command tables' dispatch and the number parser. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "mmscope.h"
#include "opts.h"

bool opt_json;
/* Set by `mmscope record`: the command that runs must have -j. */
bool cmd_require_json;

/* One letter, one meaning: the table mmscope(8) shows. */
const struct opt_def opt_defs[NR_OPTS] = {
	[OPT_JSON] = { 'j', "json", NULL, "JSON Lines output (docs/schema)", NULL },
	[OPT_VERBOSE] = { 'v', "verbose", NULL, "say which kernel interfaces are used", NULL },
	[OPT_HELP] = { 'h', "help", NULL, "this help", NULL },
	[OPT_VERSION] = { 'V', "version", NULL, "print mmscope's version", NULL },
	[OPT_TIMESTAMP] = { 'T', "timestamp", NULL, "print the time before each report", NULL },
	[OPT_PID] = { 'p', "pid", "PID", "only this process (thread group)", "@pid" },
	[OPT_COMM] = { 'c', "comm", "COMM", "only tasks with this name", "@comm" },
	[OPT_CACHE] = { 'C', "cache", "GLOB", "only slab caches whose name (or alias) matches", "@cache" },
	[OPT_KDAMOND] = { 'k', "kdamond", "IDX", "the kdamond with this index", NULL },
	[OPT_KIND] = { 'K', "kind", "KIND", "histogram kind: bulk, prefill, refill, flush, kmalloc",
		       "bulk prefill refill flush kmalloc" },
	[OPT_BY] = { 'b', "by", "KEY", "break down per 'pid' or 'comm'", "pid comm" },
	[OPT_ROWS] = { 'n', "rows", "N", "rows per report (0 = all)", NULL },
	[OPT_SORT] = { 's', "sort", "COL", "sort by allocs, frees, alloc_bytes, free_bytes or cache",
		       "allocs frees alloc_bytes free_bytes cache" },
	[OPT_ALLOCS_ONLY] = { 'A', "allocs-only", NULL, "attach nothing to frees (half the cost)", NULL },
	[OPT_BATCH] = { 'B', "batch", NULL, "plain reports one after another, no screen refresh", NULL },
	[OPT_OUTPUT] = { 'o', "output", "FILE", "write to FILE", "" },
	[OPT_DURATION] = { 'd', "duration", "SECS", "stop after SECS seconds (0 = until Ctrl-C)", NULL },
	[OPT_LINEAR] = { 'l', "linear", "MIN,MAX,STEP", "linear histogram slots instead of log2", NULL },
	[OPT_ALL] = { 'a', "all", NULL, "also caches without sheaves", NULL },
	[OPT_DETAIL] = { 'D', "detail", NULL, "per-CPU sheaves and per-node barns", NULL },
	[OPT_STATS] = { 'S', "stats", NULL, "SLUB_STATS counters (CONFIG_SLUB_STATS=y)", NULL },
	[OPT_BACKEND] = { 0, "backend", "B", "bpf (kmem_cache iterator) or kernel (SLUB's own files)",
			  "bpf kernel" },
	[OPT_PADDR] = { 'P', "paddr", NULL, "monitor physical memory (paddr)", NULL },
	[OPT_REGION] = { 0, "region", "S-E", "paddr range (hex); default the largest System RAM", NULL },
	[OPT_SAMPLE] = { 0, "sample", "INTERVAL", "initial sampling interval (5ms)", NULL },
	[OPT_AGGR] = { 0, "aggr", "INTERVAL", "initial aggregation interval (20 x sample)", NULL },
	[OPT_UPDATE] = { 0, "update", "INTERVAL", "operations update interval (1s)", NULL },
	[OPT_REGIONS] = { 0, "regions", "MIN,MAX", "number of DAMON regions (10,1000)", NULL },
	[OPT_BAND] = { 0, "band", "PCT", "settled: mean within goal +- PCT% (50)", NULL },
	[OPT_WINDOW] = { 'w', "window", "N", "moving mean over N aggregations", NULL },
	[OPT_TIME] = { 't', "time", "FROM:TO", "only this time window of the record (s)", NULL },
	[OPT_QUIET] = { 'q', "quiet", NULL, "only the summary", NULL },
	[OPT_HOT] = { 'H', "hot", "SIZE", "hot set size (K, M, G)", NULL },
	[OPT_COLD] = { 0, "cold", "SIZE", "cold set size (K, M, G)", NULL },
	[OPT_RATE] = { 'r', "rate", "N", "sweeps of the hot set per second", NULL },
	[OPT_CHANGE_AT] = { 0, "change-at", "SECS", "change the rate after SECS seconds", NULL },
	[OPT_NEW_RATE] = { 'R', "new-rate", "N", "the rate after --change-at", NULL },
	[OPT_MIB] = { 'm', "mib", "MIB", "area size in MiB", NULL },
	[OPT_RUNS] = { 0, "runs", "N", "runs per test", NULL },
	[OPT_SIZES] = { 0, "sizes", "LIST", "folio sizes in KiB, comma separated", NULL },
	[OPT_TESTS] = { 0, "tests", "LIST", "tests, comma separated (default all)",
			"munmap fork cow-byte reuse-byte child-reuse-byte" },
	[OPT_OPENMETRICS] = { 0, "openmetrics", NULL, "OpenMetrics 1.0 instead of the Prometheus text format",
			      NULL },
	[OPT_TEXTFILE] = { 0, "textfile", "DIR", "write DIR/mmscope.prom atomically (node_exporter)", "" },
	[OPT_LISTEN] = { 0, "listen", "[ADDR:]PORT", "serve /metrics over HTTP (default 127.0.0.1)", NULL },
	[OPT_CENSUS] = { 0, "census", NULL, "also the MM-ID census (a scan of all memory; module)", NULL },
	[OPT_CENSUS_INTERVAL] = { 0, "census-interval", "SECS",
				  "at most one census per SECS seconds (300)", NULL },
	[OPT_PER_CPU] = { 0, "per-cpu", NULL, "also a series per CPU (sheaves)", NULL },
};

enum opt_id opt_find(const char *name)
{
	int i;

	for (i = 0; i < NR_OPTS; i++)
		if (!strcmp(opt_defs[i].name, name))
			return i;
	return NR_OPTS;
}

static enum opt_id opt_by_letter(char c)
{
	int i;

	for (i = 0; i < NR_OPTS; i++)
		if (c && opt_defs[i].letter == c)
			return i;
	return NR_OPTS;
}

bool cmd_accepts(const struct cmd *c, enum opt_id id)
{
	const char *p = c->opts ? c->opts : "";
	size_t n = strlen(opt_defs[id].name);

	if (id == OPT_HELP || id == OPT_VERBOSE)
		return true;
	while ((p = strstr(p, opt_defs[id].name))) {
		if ((p == c->opts || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return true;
		p += n;
	}
	return false;
}

/* "-x", "--long": an option; "-", "-1" (a negative number) are arguments. */
static bool is_option(const char *a)
{
	return a[0] == '-' && a[1] && !isdigit((unsigned char)a[1]);
}

/* The index of the first word that is neither an option nor an option's argument. */
static int first_word(int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--"))
			return -1;
		if (!is_option(a))
			return i;
		if (a[1] == '-') {
			enum opt_id id = strchr(a, '=') ? NR_OPTS : opt_find(a + 2);

			if (id < NR_OPTS && opt_defs[id].arg)
				i++;
			continue;
		}
		for (a++; *a; a++) {
			enum opt_id id = opt_by_letter(*a);

			if (id < NR_OPTS && opt_defs[id].arg) {
				if (!a[1])
					i++;
				break;
			}
		}
	}
	return -1;
}

static bool wants_help(int argc, char **argv)
{
	int i;

	for (i = 0; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return true;
	return false;
}

static char path[160];

const char *cmd_path(void)
{
	return path;
}

static int take(const struct cmd *c, struct opts *o, enum opt_id id, const char *value,
		const char *spelled)
{
	if (id == NR_OPTS) {
		errmsg("unknown option '%s'; 'mmscope %s -h' lists the options", spelled, path);
		return EXIT_USAGE;
	}
	if (!cmd_accepts(c, id)) {
		errmsg("option %s does not apply to 'mmscope %s'; 'mmscope %s -h' lists its options",
		       spelled, path, path);
		return EXIT_USAGE;
	}
	if (opt_defs[id].arg && !value) {
		errmsg("option %s needs %s; see 'mmscope %s -h'", spelled, opt_defs[id].arg, path);
		return EXIT_USAGE;
	}
	o->set[id] = true;
	o->arg[id] = value;
	return 0;
}

static int parse_long(const struct cmd *c, struct opts *o, int argc, char **argv, int *i)
{
	char name[64];
	const char *a = argv[*i] + 2, *eq = strchr(a, '=');
	enum opt_id id;

	snprintf(name, sizeof(name), "%.*s", eq ? (int)(eq - a) : (int)strlen(a), a);
	id = opt_find(name);
	if (id < NR_OPTS && !opt_defs[id].arg && eq) {
		errmsg("option --%s takes no value", name);
		return EXIT_USAGE;
	}
	if (id < NR_OPTS && opt_defs[id].arg && !eq && *i + 1 < argc) {
		++*i;
		return take(c, o, id, argv[*i], argv[*i - 1]);
	}
	return take(c, o, id, eq ? eq + 1 : NULL, argv[*i]);
}

static int parse_short(const struct cmd *c, struct opts *o, int argc, char **argv, int *i)
{
	const char *a = argv[*i] + 1;
	char spelled[3] = "-?";
	int err;

	for (; *a; a++) {
		enum opt_id id = opt_by_letter(*a);

		spelled[1] = *a;
		if (id < NR_OPTS && opt_defs[id].arg) {
			if (a[1])
				return take(c, o, id, a + 1, spelled);
			return take(c, o, id, *i + 1 < argc ? argv[++*i] : NULL, spelled);
		}
		err = take(c, o, id, NULL, spelled);
		if (err)
			return err;
	}
	return 0;
}

/* Options anywhere; "--" ends them (and starts the child's command line). */
static int parse(const struct cmd *c, int argc, char **argv, struct opts *o)
{
	int i, err;

	memset(o, 0, sizeof(*o));
	o->argv = calloc(argc + 1, sizeof(*o->argv));
	if (!o->argv) {
		errmsg("out of memory");
		return EXIT_FAIL;
	}
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			if (c->flags & CMD_CHILD) {
				o->child = argv + i + 1;
				if (!o->child[0]) {
					errmsg("nothing to run after '--'");
					return EXIT_USAGE;
				}
				break;
			}
			while (++i < argc)
				o->argv[o->argc++] = argv[i];
			break;
		}
		if (!is_option(argv[i]) && (c->flags & CMD_RAW)) {
			while (i < argc)
				o->argv[o->argc++] = argv[i++];
			break;
		}
		if (!is_option(argv[i]))
			o->argv[o->argc++] = argv[i];
		else if ((err = argv[i][1] == '-' ? parse_long(c, o, argc, argv, &i) :
			  parse_short(c, o, argc, argv, &i)))
			return err;
	}
	if (o->set[OPT_VERBOSE])
		opt_verbose = true;
	if (cmd_require_json && !cmd_accepts(c, OPT_JSON)) {
		errmsg("cannot record 'mmscope %s': it has no JSON output (-j)", path);
		return EXIT_USAGE;
	}
	if (opt_json || cmd_require_json)
		o->set[OPT_JSON] = true;
	opt_json = o->set[OPT_JSON];
	return 0;
}

static void add_path(const char *name)
{
	size_t n = strlen(path);

	snprintf(path + n, sizeof(path) - n, "%s%s", n ? " " : "", name);
}

static int dispatch(const struct cmd *c, int argc, char **argv, int depth)
{
	struct opts o;
	int i, ret;

	if (c->subs) {
		i = first_word(argc, argv);
		for (size_t k = 0; i >= 0 && c->subs[k]; k++) {
			if (strcmp(argv[i], c->subs[k]->name))
				continue;
			memmove(argv + i, argv + i + 1, (argc - i) * sizeof(*argv));
			add_path(c->subs[k]->name);
			return dispatch(c->subs[k], argc - 1, argv, depth + 1);
		}
		if (wants_help(argc, argv) && (!c->run || i < 0)) {
			cmd_help(c, path, stdout);
			return EXIT_OK;
		}
		if (i >= 0 && !depth) {
			errmsg("unknown command '%s'; 'mmscope -h' lists the commands", argv[i]);
			return EXIT_USAGE;
		}
		if (!c->run && i < 0) {
			cmd_help(c, path, stderr);
			return EXIT_USAGE;
		}
		if (!c->run) {
			errmsg("unknown subcommand '%s'; 'mmscope %s -h' lists them", argv[i], path);
			return EXIT_USAGE;
		}
	}
	if (wants_help(argc, argv)) {
		cmd_help(c, path, stdout);
		return EXIT_OK;
	}
	ret = parse(c, argc, argv, &o);
	if (!ret)
		ret = c->run(c, &o);
	free(o.argv);
	return ret;
}

int cmd_main(const struct cmd *root, int argc, char **argv)
{
	path[0] = '\0';
	return dispatch(root, argc, argv, 0);
}

void cmd_help(const struct cmd *c, const char *where, FILE *out)
{
	const char *p;
	size_t k;
	int i;

	fprintf(out, "usage: mmscope%s%s%s%s%s%s\n", *where ? " " : "", where,
		!*where ? " <command>" : c->subs ? (c->run ? " [<subcommand>]" : " <subcommand>") : "",
		c->opts && *c->opts ? " [options]" : "", c->args && *c->args ? " " : "",
		c->args ? c->args : "");
	if (c->doc)
		fprintf(out, "\n%s", c->doc);
	if (c->subs) {
		fprintf(out, "\n%s:\n", *where ? "subcommands" : "commands");
		for (k = 0; c->subs[k]; k++)
			if (!(c->subs[k]->flags & CMD_HIDDEN))
				fprintf(out, "  %-10s %s\n", c->subs[k]->name, c->subs[k]->summary);
	}
	fprintf(out, "\noptions:\n");
	for (i = 0; i < NR_OPTS; i++) {
		const struct opt_def *d = &opt_defs[i];
		char left[64];

		if (!cmd_accepts(c, i))
			continue;
		if (d->letter)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", d->letter, d->name,
				 d->arg ? " " : "", d->arg ? d->arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", d->name, d->arg ? " " : "",
				 d->arg ? d->arg : "");
		fprintf(out, "  %-26s %s\n", left, d->help);
	}
	if (c->flags & CMD_CHILD)
		fprintf(out, "  %-26s %s\n", "-- COMMAND [ARGS]",
			"run COMMAND once set up, trace only it, report when it exits");
	if (c->examples) {
		fprintf(out, "\nexamples:\n");
		for (p = c->examples; *p;) {
			const char *nl = strchr(p, '\n');
			int n = nl ? (int)(nl - p) : (int)strlen(p);

			fprintf(out, "  %.*s\n", n, p);
			p += n + (nl ? 1 : 0);
		}
	}
	if (!*where)
		fprintf(out, "\nexit status: 0 ok, 1 failed, 2 bad command line, 3 a privilege is\n"
			"missing, 4 the kernel or module lacks a feature.  See mmscope(8).\n");
}

int parse_num(const char *what, const char *s, long long min, long long max, long long *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno == ERANGE || end == s || *end) {
		if (end != s && !*end)
			errmsg("%s must be %s %lld, not '%s'", what, *s == '-' ? "≥" : "≤",
			       *s == '-' ? min : max, s);
		else
			errmsg("%s must be a whole number, not '%s'", what, s);
		return EXIT_USAGE;
	}
	if (v < min || v > max) {
		errmsg("%s must be %s %lld, not '%s'", what, v < min ? "≥" : "≤",
		       v < min ? min : max, s);
		return EXIT_USAGE;
	}
	*out = v;
	return 0;
}

int opt_num(const struct opts *o, enum opt_id id, long long min, long long max, long long *out)
{
	char what[48];

	if (!o->set[id])
		return 0;
	if (opt_defs[id].letter)
		snprintf(what, sizeof(what), "-%c %s", opt_defs[id].letter, opt_defs[id].arg);
	else
		snprintf(what, sizeof(what), "--%s %s", opt_defs[id].name, opt_defs[id].arg);
	return parse_num(what, o->arg[id], min, max, out);
}

int opt_interval(const struct opts *o, int first, unsigned int *interval, long *count)
{
	long long v;

	if (first < o->argc) {
		if (parse_num("interval", o->argv[first++], 1, 86400, &v))
			return EXIT_USAGE;
		*interval = v;
	}
	if (first < o->argc) {
		if (parse_num("count", o->argv[first++], 1, LONG_MAX, &v))
			return EXIT_USAGE;
		*count = v;
	}
	if (first < o->argc) {
		errmsg("unexpected argument '%s' after [interval] [count]; see 'mmscope %s -h'",
		       o->argv[first], path);
		return EXIT_USAGE;
	}
	return 0;
}
