/* SPDX-License-Identifier: GPL-2.0 */
/* Maps and records shared by bpf/trace.bpf.c and user/trace*.c. */
#ifndef MMSCOPE_TRACE_H
#define MMSCOPE_TRACE_H

#define TRACE_COMM_LEN 16
#define TRACE_CACHE_NAME_LEN 48
#define TRACE_MAX_KEYS 8192
#define TRACE_MAX_ORDER 11	/* orders above land in the last linear slot */

/* How events are keyed besides the cache or the order. */
enum trace_by {
	TRACE_BY_NONE,
	TRACE_BY_PID,
	TRACE_BY_COMM,
};

/*
 * Keyed by the cache pointer: the name is resolved in user space from the
 * kmem_cache iterator, so the hot path never touches a string.
 */
struct slab_key {
	__u64 cache;
	__u32 pid;
	__u32 pad;
	char comm[TRACE_COMM_LEN];
};

struct slab_val {
	__u64 allocs;
	__u64 frees;
};

/*
 * The unfiltered per-cache count (the common case and the benchmark): an
 * open-addressing table in a per-CPU array, whose lookup the JIT inlines,
 * instead of a hash map.  A cache that finds no slot within
 * SLAB_SLOT_PROBES falls back to the slab_by_cache hash.
 */
#define SLAB_SLOTS 512
#define SLAB_SLOT_PROBES 8

struct slab_slots {
	__u64 cache[SLAB_SLOTS];
	__u64 allocs[SLAB_SLOTS];
	__u64 frees[SLAB_SLOTS];
	/*
	 * The verifier forbids arithmetic on the trusted kmem_cache pointer;
	 * stored to map memory and read back it is a number.  One scratch
	 * word per program: a program never nests within itself.
	 */
	__u64 scratch[8];
};

static inline __u32 slab_slot_hash(__u64 cache)
{
	/* Fibonacci hashing; kmem_cache structs are at least 64-byte aligned. */
	return (__u32)(((cache >> 6) * 0x9E3779B97F4A7C15ULL) >> 55) & (SLAB_SLOTS - 1);
}

struct page_key {
	__u32 order;
	__u32 pid;
	char comm[TRACE_COMM_LEN];
};

/* One record per cache from SEC("iter/kmem_cache"). */
struct cache_info {
	__u64 cache;
	__u32 size;		/* bytes per object, with metadata and alignment */
	__u32 object_size;	/* bytes the caller asked for */
	char name[TRACE_CACHE_NAME_LEN];
};

#endif /* MMSCOPE_TRACE_H */
