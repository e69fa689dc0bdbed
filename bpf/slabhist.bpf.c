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

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct slab_hist_key);
	__type(value, struct slab_hist_val);
} hists SEC(".maps");

static __always_inline unsigned int slot_of(long long v)
{
	if (!linear)
		return hist_log2_slot(v);
	if (v < lin_min)
		return 0;
	if (v >= lin_max)
		return lin_nr_slots - 1;
	return 1 + (unsigned long long)(v - lin_min) / (unsigned long long)lin_step;
}

static __always_inline void record(const void *s, unsigned long long v)
{
	struct slab_hist_key key = { .cache = per_cache ? (__u64)s : 0 };
	static const struct slab_hist_val zero;
	struct slab_hist_val *h;
	unsigned int slot;

	h = bpf_map_lookup_elem(&hists, &key);
	if (!h) {
		bpf_map_update_elem(&hists, &key, &zero, BPF_NOEXIST);
		h = bpf_map_lookup_elem(&hists, &key);
		if (!h)
			return;
	}
	slot = slot_of(v);
	if (slot < SLAB_HIST_SLOTS)
		__sync_fetch_and_add(&h->slots[slot], 1);
	__sync_fetch_and_add(&h->count, 1);
	__sync_fetch_and_add(&h->sum, v);
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

SEC("tp_btf/sheaf_flush")
int BPF_PROG(flush_tp, struct kmem_cache *s, int which, unsigned int nr)
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
