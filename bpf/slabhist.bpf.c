// SPDX-License-Identifier: GPL-2.0
/*
 * Allocation-count histograms for `mmscope slab hist`: one value per event
 * (bulk count, prefill size, objects per refill or flush, kmalloc bytes),
 * per cache.  Several programs observe the same value at different attach
 * points; user space keeps the best one this kernel has (user/attach.c).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "hist_slots.h"
#include "slab.h"

const volatile bool linear;
const volatile long long lin_min, lin_max, lin_step;
const volatile unsigned int lin_nr_slots;
const volatile bool per_cache = true;

/*
 * Per cache, per CPU: no shared cache line on the hot path.  Entries are
 * made on a cache's first event (not preallocated) and user space sizes
 * the map for the caches that exist before the load.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 1024);
	__type(key, struct slab_hist_key);
	__type(value, struct slab_hist_val);
} hists SEC(".maps");

/* Not per cache (kmalloc): one per-CPU slot, no hash lookup at all. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct slab_hist_val);
} total SEC(".maps");

static __always_inline unsigned int slot_of(unsigned long long v)
{
	unsigned long long d;

	if (!linear)
		return hist_log2_slot(v);
	if ((long long)v < lin_min)
		return 0;
	if ((long long)v >= lin_max)
		return lin_nr_slots - 1;
	d = (unsigned long long)((long long)v - lin_min) / (unsigned long long)lin_step;
	/*
	 * The quotient is below lin_nr_slots - 2, but the verifier does not
	 * follow a division: clamp it where it can see.
	 */
	return d < SLAB_HIST_SLOTS - 1 ? 1 + (unsigned int)d : SLAB_HIST_SLOTS - 1;
}

/*
 * Per-CPU values without atomics: a program does not nest within itself
 * on one CPU (the kernel skips the nested run), and each kind attaches one
 * program.
 */
static __always_inline void record(const void *s, unsigned long long v)
{
	struct slab_hist_key key = { .cache = (__u64)s };
	static const struct slab_hist_val zero;
	struct slab_hist_val *h;
	unsigned int slot;
	__u32 idx = 0;

	if (!per_cache) {
		h = bpf_map_lookup_elem(&total, &idx);
	} else {
		h = bpf_map_lookup_elem(&hists, &key);
		if (!h) {
			bpf_map_update_elem(&hists, &key, &zero, BPF_NOEXIST);
			h = bpf_map_lookup_elem(&hists, &key);
		}
	}
	if (!h)
		return;
	slot = slot_of(v);
	/* An opaque copy, checked and then used (as in mmid.bpf.c). */
	asm volatile("" : "+r"(slot));
	if (slot < SLAB_HIST_SLOTS)
		h->slots[slot]++;
	h->count++;
	h->sum += v;
}

/* bulk: no kernel has a tracepoint for kmem_cache_alloc_bulk(). */
SEC("fentry/kmem_cache_alloc_bulk_noprof")
int BPF_PROG(bulk_fentry, struct kmem_cache *s, gfp_t flags, size_t size)
{
	record(s, size);
	return 0;
}

SEC("tp_btf/sheaf_prefill")
int BPF_PROG(prefill_tp, struct kmem_cache *s, unsigned int size, int path)
{
	record(s, size);
	return 0;
}

SEC("raw_tp/sheaf_prefill")
int BPF_PROG(prefill_raw_tp, struct kmem_cache *s, unsigned int size, int path)
{
	record(s, size);
	return 0;
}

SEC("fentry/kmem_cache_prefill_sheaf")
int BPF_PROG(prefill_fentry, struct kmem_cache *s, gfp_t gfp, unsigned int size)
{
	record(s, size);
	return 0;
}

SEC("tp_btf/sheaf_refill")
int BPF_PROG(refill_tp, struct kmem_cache *s, unsigned int requested, unsigned int obtained)
{
	record(s, obtained);
	return 0;
}

SEC("raw_tp/sheaf_refill")
int BPF_PROG(refill_raw_tp, struct kmem_cache *s, unsigned int requested, unsigned int obtained)
{
	record(s, obtained);
	return 0;
}

SEC("tp_btf/sheaf_flush")
int BPF_PROG(flush_tp, struct kmem_cache *s, int which, unsigned int nr)
{
	record(s, nr);
	return 0;
}

SEC("raw_tp/sheaf_flush")
int BPF_PROG(flush_raw_tp, struct kmem_cache *s, int which, unsigned int nr)
{
	record(s, nr);
	return 0;
}

/* kmalloc: requested bytes, in every kernel; not per cache. */
SEC("tp_btf/kmalloc")
int BPF_PROG(kmalloc_tp_btf, unsigned long call_site, const void *ptr, size_t bytes_req)
{
	record(0, bytes_req);
	return 0;
}

SEC("raw_tp/kmalloc")
int BPF_PROG(kmalloc_raw_tp, unsigned long call_site, const void *ptr, size_t bytes_req)
{
	record(0, bytes_req);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
