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

/*
 * Every event twice: tp_btf, and raw_tp for kernels that refuse tp_btf
 * (user/backends/attach.c falls back).  The handlers read no pointer, so
 * the two differ in their section only.
 */
#define TOP_EVENT(tp, name, handler, ...)				\
	SEC("tp_btf/" #tp)						\
	int BPF_PROG(name, __VA_ARGS__) { return handler; }		\
	SEC("raw_tp/" #tp)						\
	int BPF_PROG(name##_raw, __VA_ARGS__) { return handler; }

static __always_inline int on_refill(const void *s, unsigned int obtained)
{
	add(s, SLAB_EV_REFILL, 1);
	add(s, SLAB_EV_REFILL_OBJS, obtained);
	return 0;
}

static __always_inline int on_flush(const void *s, unsigned int nr)
{
	add(s, SLAB_EV_FLUSH, 1);
	add(s, SLAB_EV_FLUSH_OBJS, nr);
	return 0;
}

/* Full sheaves only, as SLUB_STATS counts barn_get/put and their failures. */
static __always_inline int on_barn(const void *s, bool full, bool success, unsigned int ok,
				   unsigned int fail)
{
	if (full)
		add(s, success ? ok : fail, 1);
	return 0;
}

static __always_inline int on_prefill(const void *s, int path)
{
	add(s, path == 0 ? SLAB_EV_PREFILL_FAST :
	       path == 1 ? SLAB_EV_PREFILL_SLOW : SLAB_EV_PREFILL_OVERSIZE, 1);
	return 0;
}

/* Oversize and pfmemalloc sheaves are flushed; SLUB_STATS counts neither. */
static __always_inline int on_return(const void *s, int path)
{
	if (path == 0 || path == 1)
		add(s, path == 0 ? SLAB_EV_RETURN_FAST : SLAB_EV_RETURN_SLOW, 1);
	return 0;
}

static __always_inline int on_event(const void *s, unsigned int ev)
{
	add(s, ev, 1);
	return 0;
}

TOP_EVENT(kmem_cache_alloc, top_alloc, on_event(s, SLAB_EV_ALLOC),
	  unsigned long call_site, const void *ptr, struct kmem_cache *s)
TOP_EVENT(kmem_cache_free, top_free, on_event(s, SLAB_EV_FREE),
	  unsigned long call_site, const void *ptr, const struct kmem_cache *s)

/* The patch series' sheaf and barn tracepoints (in TRACE_SYSTEM kmem). */
TOP_EVENT(sheaf_refill, top_refill, on_refill(s, obtained),
	  struct kmem_cache *s, unsigned int requested, unsigned int obtained)
TOP_EVENT(sheaf_flush, top_flush, on_flush(s, nr),
	  struct kmem_cache *s, int which, unsigned int nr)
TOP_EVENT(barn_get, top_barn_get,
	  on_barn(s, full, success, SLAB_EV_BARN_GET, SLAB_EV_BARN_GET_FAIL),
	  struct kmem_cache *s, int node, bool full, bool success)
TOP_EVENT(barn_put, top_barn_put,
	  on_barn(s, full, success, SLAB_EV_BARN_PUT, SLAB_EV_BARN_PUT_FAIL),
	  struct kmem_cache *s, int node, bool full, bool success)
TOP_EVENT(sheaf_prefill, top_prefill, on_prefill(s, path),
	  struct kmem_cache *s, unsigned int size, int path)
TOP_EVENT(sheaf_return, top_return, on_return(s, path),
	  struct kmem_cache *s, unsigned int size, int path)

char LICENSE[] SEC("license") = "GPL";
