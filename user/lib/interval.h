/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The `[interval] [count]` loop every tracing command shares, as in the
 * libbpf-tools: no interval means one report at Ctrl-C.
 */
#ifndef MMSCOPE_INTERVAL_H
#define MMSCOPE_INTERVAL_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

struct interval_opts {
	unsigned int interval;	/* seconds; 0: report once, at Ctrl-C */
	long count;		/* reports to print; 0: unlimited */
	bool timestamp;		/* -T: HH:MM:SS before each report */
	bool json;		/* -j: JSON Lines */
};

extern volatile sig_atomic_t mmscope_exiting;

/* Ctrl-C, SIGTERM and SIGHUP end the loop after the current report. */
void interval_install_signals(void);
/* Sleep for one interval; false when the session is over. */
bool interval_next(struct interval_opts *o, long printed);
/* "HH:MM:SS\n" for text reports, when -T was given. */
void interval_print_time(const struct interval_opts *o, FILE *out);
/* Seconds since the epoch with nanoseconds, for JSON "ts" fields. */
double now_realtime(void);

#endif /* MMSCOPE_INTERVAL_H */
