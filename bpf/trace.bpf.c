// SPDX-License-Identifier: GPL-2.0
/*
 * The general tracers of `mmscope trace`: slab allocations and frees per
 * cache, page allocations per order.  Each event has several candidate
 * programs (fentry, tp_btf, raw_tp); user/attach.c loads only the one this
 * kernel supports best.  Counts go to per-CPU hashes so the hot path takes
 * no shared cache line; user space sums the CPUs and resolves names.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "trace.h"

const volatile __u32 targ_tgid;		/* 0: every process */
const volatile bool filter_comm;
const volatile char targ_comm[TRACE_COMM_LEN];
const volatile __u32 key_by;		/* enum trace_by */

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, TRACE_MAX_KEYS);
	__type(key, struct slab_key);
	__type(value, struct slab_val);
} slab_counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct slab_slots);
} slab_slots SEC(".maps");

/* No filter, no breakdown, slot table full: an 8-byte key hashes in a third of the time. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, TRACE_MAX_KEYS);
	__type(key, __u64);
	__type(value, struct slab_val);
} slab_by_cache SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, TRACE_MAX_KEYS);
	__type(key, struct page_key);
	__type(value, __u64);
} page_counts SEC(".maps");

/*
 * The hashes are not preallocated: creating 8192 per-CPU entries took a
 * third of the start-up; an entry is allocated once, on a key's first
 * event, and lookups cost the same.
 */

/* Keys that did not fit: user space reports them rather than lose them silently. */
__u64 dropped;

static __always_inline bool comm_matches(const char *comm)
{
	int i;

	for (i = 0; i < TRACE_COMM_LEN; i++) {
		if (comm[i] != targ_comm[i])
			return false;
		if (!comm[i])
			break;
	}
	return true;
}

/* Fills pid/comm per key_by; false when the filters reject this task. */
static __always_inline bool task_key(__u32 *pid, char *comm)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	if (targ_tgid && tgid != targ_tgid)
		return false;
	if (filter_comm || key_by == TRACE_BY_COMM) {
		bpf_get_current_comm(comm, TRACE_COMM_LEN);
		if (filter_comm && !comm_matches(comm))
			return false;
		if (key_by != TRACE_BY_COMM)
			__builtin_memset(comm, 0, TRACE_COMM_LEN);
	}
	if (key_by == TRACE_BY_PID)
		*pid = tgid;
	return true;
}

static __always_inline bool slot_event(const void *ptr, int prog, bool alloc)
{
	__u32 zero = 0, h, i;
	struct slab_slots *s = bpf_map_lookup_elem(&slab_slots, &zero);
	__u64 cache;

	if (!s)
		return false;
	*(volatile __u64 *)&s->scratch[prog & 7] = (__u64)ptr;
	cache = *(volatile __u64 *)&s->scratch[prog & 7];
	h = slab_slot_hash(cache);
#pragma unroll
	for (i = 0; i < SLAB_SLOT_PROBES; i++) {
		__u32 idx = (h + i) & (SLAB_SLOTS - 1);
		__u64 cur = s->cache[idx];

		if (cur != cache) {
			if (cur)
				continue;
			/*
			 * Claim the slot: another program on this CPU (an
			 * interrupt's allocation) may be claiming it too.
			 */
			cur = __sync_val_compare_and_swap(&s->cache[idx], 0, cache);
			if (cur && cur != cache)
				continue;
		}
		/*
		 * Per-CPU, but fentry's three allocation programs may nest via
		 * an interrupt: a local atomic add costs a few ns and loses none.
		 */
		if (alloc)
			__sync_fetch_and_add(&s->allocs[idx], 1);
		else
			__sync_fetch_and_add(&s->frees[idx], 1);
		return true;
	}
	return false;
}

static __always_inline void slab_event(const void *cache, int prog, bool alloc)
{
	struct slab_key key = { .cache = (__u64)cache };
	struct slab_val *val, zero = {};
	/* rodata: the verifier drops the branch not taken. */
	bool wide = targ_tgid || filter_comm || key_by;
	void *map = wide ? (void *)&slab_counts : (void *)&slab_by_cache;

	if (wide && !task_key(&key.pid, key.comm))
		return;
	if (!wide && slot_event(cache, prog, alloc))
		return;
	val = bpf_map_lookup_elem(map, &key);
	if (!val) {
		/* EEXIST: another program on this CPU won the race; fine. */
		bpf_map_update_elem(map, &key, &zero, BPF_NOEXIST);
		val = bpf_map_lookup_elem(map, &key);
		if (!val) {
			__sync_fetch_and_add(&dropped, 1);
			return;
		}
	}
	/* Per-CPU value: no atomic needed. */
	if (alloc)
		val->allocs++;
	else
		val->frees++;
}

static __always_inline void page_event(unsigned int order)
{
	struct page_key key = { .order = order };
	__u64 *val, one = 1;

	if ((targ_tgid || filter_comm || key_by) && !task_key(&key.pid, key.comm))
		return;
	val = bpf_map_lookup_elem(&page_counts, &key);
	if (val) {
		(*val)++;
		return;
	}
	if (bpf_map_update_elem(&page_counts, &key, &one, BPF_NOEXIST)) {
		val = bpf_map_lookup_elem(&page_counts, &key);
		if (val)
			(*val)++;
		else
			__sync_fetch_and_add(&dropped, 1);
	}
}

/* slab allocations: every kmem_cache_alloc*() variant fires this tracepoint. */
SEC("fentry/kmem_cache_alloc_noprof")
int BPF_PROG(slab_alloc_fentry, struct kmem_cache *s)
{
	slab_event(s, 0, true);
	return 0;
}

SEC("fentry/kmem_cache_alloc_lru_noprof")
int BPF_PROG(slab_alloc_lru_fentry, struct kmem_cache *s)
{
	slab_event(s, 1, true);
	return 0;
}

SEC("fentry/kmem_cache_alloc_node_noprof")
int BPF_PROG(slab_alloc_node_fentry, struct kmem_cache *s)
{
	slab_event(s, 2, true);
	return 0;
}

SEC("tp_btf/kmem_cache_alloc")
int BPF_PROG(slab_alloc_tp_btf, unsigned long call_site, const void *ptr, struct kmem_cache *s)
{
	slab_event(s, 3, true);
	return 0;
}

SEC("raw_tp/kmem_cache_alloc")
int BPF_PROG(slab_alloc_raw_tp, unsigned long call_site, const void *ptr, struct kmem_cache *s)
{
	slab_event(s, 4, true);
	return 0;
}

SEC("fentry/kmem_cache_free")
int BPF_PROG(slab_free_fentry, struct kmem_cache *s)
{
	slab_event(s, 5, false);
	return 0;
}

SEC("tp_btf/kmem_cache_free")
int BPF_PROG(slab_free_tp_btf, unsigned long call_site, const void *ptr, struct kmem_cache *s)
{
	slab_event(s, 6, false);
	return 0;
}

SEC("raw_tp/kmem_cache_free")
int BPF_PROG(slab_free_raw_tp, unsigned long call_site, const void *ptr, struct kmem_cache *s)
{
	slab_event(s, 7, false);
	return 0;
}

/* page allocations: every buddy allocation goes through this function. */
SEC("fentry/__alloc_frozen_pages_noprof")
int BPF_PROG(page_alloc_fentry, gfp_t gfp, unsigned int order)
{
	page_event(order);
	return 0;
}

SEC("tp_btf/mm_page_alloc")
int BPF_PROG(page_alloc_tp_btf, struct page *page, unsigned int order)
{
	if (page)
		page_event(order);
	return 0;
}

SEC("raw_tp/mm_page_alloc")
int BPF_PROG(page_alloc_raw_tp, struct page *page, unsigned int order)
{
	if (page)
		page_event(order);
	return 0;
}

/* The floor `mmscope bench` measures against: attached, doing nothing. */
SEC("tp_btf/kmem_cache_alloc")
int BPF_PROG(bench_empty)
{
	return 0;
}

SEC("iter/kmem_cache")
int cache_names(struct bpf_iter__kmem_cache *ctx)
{
	struct kmem_cache *s = ctx->s;
	struct cache_info info = {};

	if (!s)
		return 0;
	info.cache = (__u64)s;
	info.size = BPF_CORE_READ(s, size);
	info.object_size = BPF_CORE_READ(s, object_size);
	bpf_probe_read_kernel_str(info.name, sizeof(info.name), BPF_CORE_READ(s, name));
	bpf_seq_write(ctx->meta->seq, &info, sizeof(info));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
