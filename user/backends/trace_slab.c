// SPDX-License-Identifier: GPL-2.0
/*
 * The slab tracer keeps counts in three places (bpf/trace.bpf.c): the
 * per-CPU slot table (unfiltered, the fast path), and two per-CPU hashes
 * (keyed by cache alone when the table overflows; by cache, pid and comm
 * when filtering or breaking down).  The hashes are drained (read, then
 * deleted); the slot table is never written from here, so it is read as
 * running totals and reported as the difference from the last read.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "map_drain.h"
#include "mmscope.h"
#include "trace_slab.h"
#include "trace.skel.h"

struct running {
	__u64 cache;
	unsigned long long allocs, frees;
};

static struct running *seen;
static size_t nr_seen;

static struct slab_entry *add(struct slab_entry **e, size_t *n)
{
	struct slab_entry *p = realloc(*e, (*n + 1) * sizeof(**e));

	if (!p)
		return NULL;
	*e = p;
	memset(&p[*n], 0, sizeof(p[*n]));
	return &p[(*n)++];
}

struct drain_ctx {
	struct slab_entry **e;
	size_t *n, key_size;
	int ncpu;
};

static void drain_one(const void *key, const void *values, void *arg)
{
	struct drain_ctx *d = arg;
	const struct slab_val *v = values;
	struct slab_entry *x = add(d->e, d->n);
	int cpu;

	if (!x)
		return;
	memcpy(&x->key, key, d->key_size);
	for (cpu = 0; cpu < d->ncpu; cpu++) {
		x->allocs += v[cpu].allocs;
		x->frees += v[cpu].frees;
	}
}

static void drain_hash(int fd, size_t key_size, struct slab_entry **e, size_t *n)
{
	struct drain_ctx d = { e, n, key_size, libbpf_num_possible_cpus() };
	int err = map_drain(fd, key_size, sizeof(struct slab_val), drain_one, &d);

	if (err)
		errmsg("warning: reading the slab counts: %s", strerror(-err));
}

static struct running *running_find(__u64 cache)
{
	size_t i;

	for (i = 0; i < nr_seen; i++)
		if (seen[i].cache == cache)
			return &seen[i];
	return NULL;
}

static void read_slots(int fd, struct slab_entry **e, size_t *n)
{
	int ncpu = libbpf_num_possible_cpus(), cpu, i;
	struct slab_slots *v = calloc(ncpu, sizeof(*v));
	struct running *now = NULL;
	size_t nnow = 0, k;
	__u32 zero = 0;

	if (!v || bpf_map_lookup_elem(fd, &zero, v)) {
		free(v);
		return;
	}
	/* Each CPU's table places caches independently: sum by pointer. */
	for (cpu = 0; cpu < ncpu; cpu++) {
		for (i = 0; i < SLAB_SLOTS; i++) {
			__u64 c = v[cpu].cache[i];

			if (!c)
				continue;
			for (k = 0; k < nnow && now[k].cache != c; k++)
				;
			if (k == nnow) {
				struct running *p = realloc(now, (nnow + 1) * sizeof(*now));

				if (!p)
					goto out;
				now = p;
				now[nnow++] = (struct running){ .cache = c };
			}
			now[k].allocs += v[cpu].allocs[i];
			now[k].frees += v[cpu].frees[i];
		}
	}
	for (k = 0; k < nnow; k++) {
		struct running *was = running_find(now[k].cache);
		struct slab_entry *x;

		if (was && was->allocs == now[k].allocs && was->frees == now[k].frees)
			continue;
		x = add(e, n);
		if (!x)
			break;
		x->key.cache = now[k].cache;
		x->allocs = now[k].allocs - (was ? was->allocs : 0);
		x->frees = now[k].frees - (was ? was->frees : 0);
	}
	free(seen);
	seen = now;
	nr_seen = nnow;
	now = NULL;
out:
	free(now);
	free(v);
}

size_t slab_collect(struct trace_bpf *skel, struct slab_entry **out)
{
	size_t n = 0;

	*out = NULL;
	read_slots(bpf_map__fd(skel->maps.slab_slots), out, &n);
	drain_hash(bpf_map__fd(skel->maps.slab_by_cache), sizeof(__u64), out, &n);
	drain_hash(bpf_map__fd(skel->maps.slab_counts), sizeof(struct slab_key), out, &n);
	return n;
}
