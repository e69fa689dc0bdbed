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
