/* SPDX-License-Identifier: GPL-2.0 */
/* mTHP per-size statistics: /sys/kernel/mm/transparent_hugepage/hugepages-*kB/stats/. */
#ifndef MMSCOPE_MTHP_H
#define MMSCOPE_MTHP_H

#include <stddef.h>

#define MTHP_SYSFS "/sys/kernel/mm/transparent_hugepage"

struct mthp_stat {
	char name[40];		/* the file's name: anon_fault_alloc, nr_anon, ... */
	char size[16];		/* the directory's: "64kB" */
	unsigned long kb;	/* 64 */
	unsigned long long value;
};

/*
 * Every stats file of every size under root (MTHP_SYSFS), sorted by name
 * then size: 0, or -errno (-ENOENT: no per-size stats on this kernel).
 */
int mthp_read(const char *root, struct mthp_stat **out, size_t *nr);

#endif /* MMSCOPE_MTHP_H */
