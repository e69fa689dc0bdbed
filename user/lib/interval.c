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
	sigaction(SIGHUP, &sa, NULL);
}

bool interval_next(struct interval_opts *o, long printed)
{
	if (mmscope_exiting || (o->count && printed >= o->count))
		return false;
	if (!o->interval) {
		sigset_t stop, old;

		/*
		 * One report at the end: wait for Ctrl-C (or the command's
		 * exit).  The signals stay
		 * blocked between the flag check and the wait, so one that
		 * arrives in between is not lost.
		 */
		sigemptyset(&stop);
		sigaddset(&stop, SIGINT);
		sigaddset(&stop, SIGTERM);
		sigaddset(&stop, SIGHUP);
		sigaddset(&stop, SIGCHLD);	/* `-- command` ends the session too */
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
