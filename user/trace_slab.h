/* SPDX-License-Identifier: GPL-2.0 */
/* Reading the slab tracer's three count stores (user/trace_slab.c). */
#ifndef MMSCOPE_TRACE_SLAB_H
#define MMSCOPE_TRACE_SLAB_H

#include <stddef.h>
#include <linux/types.h>

#include "trace.h"	/* bpf/trace.h */

struct trace_bpf;

struct slab_entry {
	struct slab_key key;
	unsigned long long allocs, frees;
};

/*
 * Counts since the last call, summed over CPUs, one entry per key (a cache
 * may appear more than once; the caller merges by name).  *out is malloc'd.
 */
size_t slab_collect(struct trace_bpf *skel, struct slab_entry **out);

/*
 * The attach points `mmscope trace <recipe>` would use here ("slab" or
 * "page"), space-separated, for `mmscope status`; -1 if none works.
 */
int trace_attach_plan(const char *recipe, char *buf, size_t len);

/* mmscope trace floor (user/trace_floor.c); argv[0] is "floor". */
int trace_floor_run(int argc, char **argv);

#endif /* MMSCOPE_TRACE_SLAB_H */
