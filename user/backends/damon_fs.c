// SPDX-License-Identifier: GPL-2.0
/* DAMON's sysfs files, read (damon_fs.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "damon_fs.h"
#include "mmscope.h"

const char *damon_sysfs_root = DAMON_ADMIN;

void damon_kd_path(char *buf, size_t len, int kd, const char *rel)
{
	if (kd < 0)
		snprintf(buf, len, "%s/%s", damon_sysfs_root, rel);
	else
		snprintf(buf, len, "%s/%d/%s", damon_sysfs_root, kd, rel);
}

int damon_read_str(int kd, const char *rel, char *buf, size_t len)
{
	char path[512];
	int n;

	damon_kd_path(path, sizeof(path), kd, rel);
	n = read_file(path, buf, len);
	if (n < 0)
		return n;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

int damon_read_ul(int kd, const char *rel, unsigned long *v)
{
	char buf[64], *end;
	int err = damon_read_str(kd, rel, buf, sizeof(buf));

	if (err)
		return err;
	*v = strtoul(buf, &end, 10);
	return end == buf ? -EINVAL : 0;
}

int damon_nr_kdamonds(void)
{
	unsigned long n;

	if (damon_read_ul(-1, "nr_kdamonds", &n))
		return -1;
	return n;
}

int damon_nr_contexts(int kd)
{
	unsigned long n;

	if (damon_read_ul(kd, "contexts/nr_contexts", &n))
		return -1;
	return n;
}

int damon_read_ctx(int kd, int ctx, struct damon_ctx_state *s)
{
	static const struct {
		const char *rel;
		size_t off;
	} files[] = {
		{ "monitoring_attrs/intervals/sample_us", offsetof(struct damon_ctx_state, sample_us) },
		{ "monitoring_attrs/intervals/aggr_us", offsetof(struct damon_ctx_state, aggr_us) },
		{ "monitoring_attrs/intervals/update_us", offsetof(struct damon_ctx_state, update_us) },
	};
	static const struct {
		const char *rel;
		size_t off;
	} goal[] = {
		{ "access_bp", offsetof(struct damon_ctx_state, goal_access_bp) },
		{ "aggrs", offsetof(struct damon_ctx_state, goal_aggrs) },
		{ "min_sample_us", offsetof(struct damon_ctx_state, goal_min_sample_us) },
		{ "max_sample_us", offsetof(struct damon_ctx_state, goal_max_sample_us) },
	};
	char rel[160];
	size_t i;

	memset(s, 0, sizeof(*s));
	if (damon_read_str(kd, "state", s->state, sizeof(s->state)))
		return -ENOENT;
	if (!strcmp(s->state, "on"))
		damon_read_ul(kd, "pid", &s->pid);
	snprintf(rel, sizeof(rel), "contexts/%d/operations", ctx);
	damon_read_str(kd, rel, s->operations, sizeof(s->operations));
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(rel, sizeof(rel), "contexts/%d/%s", ctx, files[i].rel);
		damon_read_ul(kd, rel, (unsigned long *)((char *)s + files[i].off));
	}
	for (i = 0; i < sizeof(goal) / sizeof(goal[0]); i++) {
		snprintf(rel, sizeof(rel), "contexts/%d/monitoring_attrs/intervals/intervals_goal/%s",
			 ctx, goal[i].rel);
		if (!damon_read_ul(kd, rel, (unsigned long *)((char *)s + goal[i].off)))
			s->has_goal = true;
	}
	return 0;
}
