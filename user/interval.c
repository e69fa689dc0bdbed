// SPDX-License-Identifier: GPL-2.0
/* The [interval] [count] loop shared by tracing commands. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "interval.h"
#include "mmscope.h"

volatile sig_atomic_t mmscope_exiting;

static void on_signal(int sig)
{
	mmscope_exiting = 1;
}

void interval_install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static int parse_positive(const char *arg, const char *what, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v <= 0 || v > max) {
		errmsg("%s must be a whole number from 1 to %ld, not '%s'", what, max, arg);
		return EXIT_USAGE;
	}
	*out = v;
	return 0;
}

int interval_parse(int argc, char **argv, int optind, struct interval_opts *o)
{
	long v;

	if (optind < argc) {
		if (parse_positive(argv[optind++], "interval (seconds)", 86400, &v))
			return EXIT_USAGE;
		o->interval = v;
	}
	if (optind < argc) {
		if (parse_positive(argv[optind++], "count", LONG_MAX, &v))
			return EXIT_USAGE;
		o->count = v;
	}
	if (optind < argc) {
		errmsg("unexpected argument '%s' after [interval] [count]", argv[optind]);
		return EXIT_USAGE;
	}
	return 0;
}

bool interval_next(struct interval_opts *o, long printed)
{
	if (mmscope_exiting || (o->count && printed >= o->count))
		return false;
	if (!o->interval) {
		sigset_t stop, old;

		/*
		 * One report at the end: wait for Ctrl-C.  The signals stay
		 * blocked between the flag check and the wait, so one that
		 * arrives in between is not lost.
		 */
		sigemptyset(&stop);
		sigaddset(&stop, SIGINT);
		sigaddset(&stop, SIGTERM);
		sigprocmask(SIG_BLOCK, &stop, &old);
		while (!mmscope_exiting)
			sigsuspend(&old);
		sigprocmask(SIG_SETMASK, &old, NULL);
		return true;
	}
	sleep(o->interval);	/* a signal cuts it short; report what we have */
	return true;
}

void interval_print_time(const struct interval_opts *o, FILE *out)
{
	char buf[16];
	time_t t;

	if (!o->timestamp || o->json)
		return;
	t = time(NULL);
	strftime(buf, sizeof(buf), "%H:%M:%S", localtime(&t));
	fprintf(out, "%s\n", buf);
}

double now_realtime(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void jsonl_emit_to(FILE *out, struct json_object *obj)
{
	fputs(json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
					     JSON_C_TO_STRING_NOSLASHESCAPE), out);
	fputc('\n', out);
	fflush(out);
	json_object_put(obj);
}

void jsonl_emit(struct json_object *obj)
{
	jsonl_emit_to(stdout, obj);
}
