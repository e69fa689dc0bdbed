/* SPDX-License-Identifier: GPL-2.0 */
/*
 * DAMON's sysfs ABI (Documentation/admin-guide/mm/damon/usage.rst), read:
 * the kdamonds, their contexts, intervals and intervals goal.  What writes
 * to it lives with the commands that write (commands/damon_sysfs.c).
 */
#ifndef MMSCOPE_DAMON_FS_H
#define MMSCOPE_DAMON_FS_H

#include <stdbool.h>
#include <stddef.h>

#define DAMON_ADMIN "/sys/kernel/mm/damon/admin/kdamonds"

/* Paths below a kdamond's directory, for its first context. */
#define CTX "contexts/0/"
#define ATTRS CTX "monitoring_attrs/"
#define IVS ATTRS "intervals/"
#define GOAL IVS "intervals_goal/"

extern const char *damon_sysfs_root;

/* root/rel for kd < 0, else root/kd/rel. */
void damon_kd_path(char *buf, size_t len, int kd, const char *rel);
int damon_read_str(int kd, const char *rel, char *buf, size_t len);
int damon_read_ul(int kd, const char *rel, unsigned long *v);
/* nr_kdamonds, or -1 without DAMON's sysfs files. */
int damon_nr_kdamonds(void);

/* One context of one kdamond, as its files say (0 for a file that is missing). */
struct damon_ctx_state {
	char state[16];		/* on, off */
	char operations[16];	/* vaddr, fvaddr, paddr */
	unsigned long pid;	/* the kdamond's, when on */
	unsigned long sample_us, aggr_us, update_us;
	unsigned long goal_access_bp, goal_aggrs, goal_min_sample_us, goal_max_sample_us;
	bool has_goal;		/* intervals_goal/ exists (6.15+) */
};

/* Contexts of kdamond kd, or -1. */
int damon_nr_contexts(int kd);
int damon_read_ctx(int kd, int ctx, struct damon_ctx_state *s);

#endif /* MMSCOPE_DAMON_FS_H */
