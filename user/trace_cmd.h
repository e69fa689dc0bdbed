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

/* Cache pointer -> name and object size, from SEC("iter/kmem_cache"). */
struct cache_table {
	struct cache_info *caches;
	size_t nr;
};

struct bpf_program;
int cache_table_load(struct bpf_program *iter, struct cache_table *t);
const struct cache_info *cache_table_find(const struct cache_table *t, __u64 cache);
void cache_table_free(struct cache_table *t);

/* When >= 0, the command's stdout (mmscope record keeps its own for the file). */
extern int trace_cmd_stdout;

/* Start cmd stopped until trace_cmd_go(); its pid goes to *pid. */
int trace_cmd_start(char **cmd, pid_t *pid);
void trace_cmd_go(void);
/* Wait for it; EXIT_OK, or EXIT_FAIL when it could not run. */
int trace_cmd_finish(pid_t pid);

#endif /* MMSCOPE_TRACE_CMD_H */
