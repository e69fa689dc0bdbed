/* SPDX-License-Identifier: GPL-2.0 */
/* Reading the slab tracer's three count stores (user/trace_slab.c). */
#ifndef MMSCOPE_TRACE_SLAB_H
#define MMSCOPE_TRACE_SLAB_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "trace.h"	/* bpf/trace.h */

struct trace_bpf;

/* Cache pointer -> name and object size, from SEC("iter/kmem_cache"). */
struct cache_table {
	struct cache_info *caches;
	size_t nr;
};

struct bpf_program;
int cache_table_load(struct bpf_program *iter, struct cache_table *t);
const struct cache_info *cache_table_find(const struct cache_table *t, __u64 cache);
void cache_table_free(struct cache_table *t);
/* Some cache (or an alias of one) matches glob. */
bool cache_table_match(const struct cache_table *t, const char *glob);


struct slab_entry {
	struct slab_key key;
	unsigned long long allocs, frees;
};

/*
 * Counts since the last call, summed over CPUs, one entry per key (a cache
 * may appear more than once; the caller merges by name).  *out is malloc'd.
 */
size_t slab_collect(struct trace_bpf *skel, struct slab_entry **out);

#endif /* MMSCOPE_TRACE_SLAB_H */
