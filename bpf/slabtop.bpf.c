// SPDX-License-Identifier: GPL-2.0
/*
 * Per-cache event counters for `mmscope slab top`, keyed by the cache's
 * address (names are resolved in user space with the kmem_cache iterator).
 *
 * The sheaf_* and barn_* programs attach to the patch series' slab
 * tracepoints (tp_btf, patches/); kmem_cache_alloc/free are in every kernel.
 * User space turns off the programs whose tracepoints are missing.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "slab.h"

/*
 * Preallocated (kmem_cache_alloc is the hottest path there is), but sized
 * by user space for the caches that exist before the load: 4096 entries
 * were half a MiB per CPU.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct slab_ev_counts);
} counts SEC(".maps");

static __always_inline void add(const void *s, unsigned int ev, __u64 n)
{
	struct slab_ev_counts *c, zero = {};
	__u64 key = (__u64)s;

	c = bpf_map_lookup_elem(&counts, &key);
	if (!c) {
		bpf_map_update_elem(&counts, &key, &zero, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&counts, &key);
		if (!c)
			return;
	}
	if (ev < SLAB_NR_EV)
		c->ev[ev] += n;
}

SEC("tp_btf/kmem_cache_alloc")
int BPF_PROG(top_alloc, unsigned long call_site, const void *ptr, struct kmem_cache *s)
{
	add(s, SLAB_EV_ALLOC, 1);
	return 0;
}

SEC("tp_btf/kmem_cache_free")
int BPF_PROG(top_free, unsigned long call_site, const void *ptr, const struct kmem_cache *s)
{
	add(s, SLAB_EV_FREE, 1);
	return 0;
}

/* The patch series' sheaf and barn tracepoints (in TRACE_SYSTEM kmem). */
SEC("tp_btf/sheaf_refill")
int BPF_PROG(top_refill, struct kmem_cache *s, unsigned int requested, unsigned int obtained)
{
	add(s, SLAB_EV_REFILL, 1);
	add(s, SLAB_EV_REFILL_OBJS, obtained);
	return 0;
}

SEC("tp_btf/sheaf_flush")
int BPF_PROG(top_flush, struct kmem_cache *s, int which, unsigned int nr)
{
	add(s, SLAB_EV_FLUSH, 1);
	add(s, SLAB_EV_FLUSH_OBJS, nr);
	return 0;
}

SEC("tp_btf/barn_get")
int BPF_PROG(top_barn_get, struct kmem_cache *s, int node, bool full, bool success)
{
	/* Full sheaves only, as SLUB_STATS counts barn_get and barn_get_fail. */
	if (!full)
		return 0;
	add(s, success ? SLAB_EV_BARN_GET : SLAB_EV_BARN_GET_FAIL, 1);
	return 0;
}

SEC("tp_btf/barn_put")
int BPF_PROG(top_barn_put, struct kmem_cache *s, int node, bool full, bool success)
{
	if (!full)
		return 0;
	add(s, success ? SLAB_EV_BARN_PUT : SLAB_EV_BARN_PUT_FAIL, 1);
	return 0;
}

SEC("tp_btf/sheaf_prefill")
int BPF_PROG(top_prefill, struct kmem_cache *s, unsigned int size, int path)
{
	add(s, path == 0 ? SLAB_EV_PREFILL_FAST :
	       path == 1 ? SLAB_EV_PREFILL_SLOW : SLAB_EV_PREFILL_OVERSIZE, 1);
	return 0;
}

SEC("tp_btf/sheaf_return")
int BPF_PROG(top_return, struct kmem_cache *s, unsigned int size, int path)
{
	/* Oversize and pfmemalloc sheaves are flushed; SLUB_STATS counts neither. */
	if (path == 0 || path == 1)
		add(s, path == 0 ? SLAB_EV_RETURN_FAST : SLAB_EV_RETURN_SLOW, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
