/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the `mmscope trace` recipes (user/trace*.c). */
#ifndef MMSCOPE_TRACE_CMD_H
#define MMSCOPE_TRACE_CMD_H

#include <stdbool.h>
#include <sys/types.h>
#include <linux/types.h>

#include "interval.h"
#include "trace.h"	/* bpf/trace.h */

struct trace_opts {
	struct interval_opts io;
	pid_t pid;			/* -p, or the command's pid */
	const char *comm;		/* -c */
	const char *cache;		/* -C: a glob on cache names */
	enum trace_by by;		/* -b */
	unsigned int top;		/* -n: rows per report, 0 = all */
	const char *sort;		/* -s */
	bool allocs_only;		/* -A */
	char **cmd;			/* after "--": run and trace this command */
};

#include "child.h"
#include "opts.h"

extern const struct cmd cmd_trace_floor;

#endif /* MMSCOPE_TRACE_CMD_H */
