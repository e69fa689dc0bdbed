/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Records shared by the slab BPF programs and `mmscope slab`.
 *
 * The kmem_cache iterator writes, per cache, its per-CPU records, then its
 * per-node records, then the cache record that closes the group.
 */
#ifndef MMSCOPE_BPF_SLAB_H
#define MMSCOPE_BPF_SLAB_H

#define SLAB_NAME_LEN	48
#define SLAB_MAX_NODES	1024	/* MAX_NUMNODES with NODES_SHIFT 10 */

/*
 * The 7.x SLUB_STATS items, in 7.2's order, then the patch series'
 * alloc_from_sheaf; the iterator relocates each by name, so a kernel that
 * lacks or renumbers one still reads the others.
 */
#define SLAB_STAT_ITEMS(X)						\
	X(ALLOC_FASTPATH, alloc_fastpath)				\
	X(ALLOC_SLOWPATH, alloc_slowpath)				\
	X(FREE_RCU_SHEAF, free_rcu_sheaf)				\
	X(FREE_RCU_SHEAF_FAIL, free_rcu_sheaf_fail)			\
	X(FREE_FASTPATH, free_fastpath)					\
	X(FREE_SLOWPATH, free_slowpath)					\
	X(FREE_ADD_PARTIAL, free_add_partial)				\
	X(FREE_REMOVE_PARTIAL, free_remove_partial)			\
	X(ALLOC_SLAB, alloc_slab)					\
	X(ALLOC_NODE_MISMATCH, alloc_node_mismatch)			\
	X(FREE_SLAB, free_slab)						\
	X(ORDER_FALLBACK, order_fallback)				\
	X(CMPXCHG_DOUBLE_FAIL, cmpxchg_double_fail)			\
	X(SHEAF_FLUSH, sheaf_flush)					\
	X(SHEAF_REFILL, sheaf_refill)					\
	X(SHEAF_ALLOC, sheaf_alloc)					\
	X(SHEAF_FREE, sheaf_free)					\
	X(BARN_GET, barn_get)						\
	X(BARN_GET_FAIL, barn_get_fail)					\
	X(BARN_PUT, barn_put)						\
	X(BARN_PUT_FAIL, barn_put_fail)					\
	X(SHEAF_PREFILL_FAST, sheaf_prefill_fast)			\
	X(SHEAF_PREFILL_SLOW, sheaf_prefill_slow)			\
	X(SHEAF_PREFILL_OVERSIZE, sheaf_prefill_oversize)		\
	X(SHEAF_RETURN_FAST, sheaf_return_fast)				\
	X(SHEAF_RETURN_SLOW, sheaf_return_slow)				\
	X(ALLOC_FROM_SHEAF, alloc_from_sheaf)

#define SLAB_STAT_ENUM(item, name) SLAB_ST_##item,
enum slab_stat {
	SLAB_STAT_ITEMS(SLAB_STAT_ENUM)
	SLAB_NR_STATS,
};
#undef SLAB_STAT_ENUM

enum slab_rec_type {
	SLAB_REC_CPU = 1,
	SLAB_REC_NODE = 2,
	SLAB_REC_CACHE = 3,
};

struct slab_rec_cpu {
	unsigned int type;
	unsigned int cpu;
	unsigned int main_size, main_capacity;
	unsigned int spare_size, spare_capacity;
	unsigned int rcu_free_size, rcu_free_capacity;
};

struct slab_rec_node {
	unsigned int type;
	unsigned int node;
	unsigned int nr_full, nr_empty;
};

struct slab_rec_cache {
	unsigned int type;
	unsigned int object_size;
	unsigned int size;
	unsigned int sheaf_capacity;	/* 0: the cache has no sheaves */
	unsigned int nr_cpus;		/* per-CPU records that preceded */
	unsigned int nr_nodes;		/* per-node records that preceded */
	unsigned int has_stats;		/* SLUB_STATS read: stats[] valid */
	unsigned int stats_mask;	/* bit i: item i exists in this kernel */
	char name[SLAB_NAME_LEN];
	unsigned long long id;		/* the cache's address: a key, never printed */
	unsigned long long stats[SLAB_NR_STATS];
};

/* Per-cache event counters of `slab top`, keyed by struct kmem_cache *. */
enum slab_ev {
	SLAB_EV_ALLOC,		/* kmem:kmem_cache_alloc */
	SLAB_EV_FREE,		/* kmem:kmem_cache_free */
	SLAB_EV_REFILL,		/* sheaf refills */
	SLAB_EV_REFILL_OBJS,	/* objects obtained by them */
	SLAB_EV_FLUSH,		/* sheaf flushes */
	SLAB_EV_FLUSH_OBJS,	/* objects flushed */
	SLAB_EV_BARN_GET,
	SLAB_EV_BARN_GET_FAIL,
	SLAB_EV_BARN_PUT,
	SLAB_EV_BARN_PUT_FAIL,
	SLAB_EV_PREFILL_FAST,
	SLAB_EV_PREFILL_SLOW,
	SLAB_EV_PREFILL_OVERSIZE,
	SLAB_EV_RETURN_FAST,
	SLAB_EV_RETURN_SLOW,
	SLAB_NR_EV,
};

struct slab_ev_counts {
	unsigned long long ev[SLAB_NR_EV];
};

/* `slab hist`: which value is put in the histogram. */
enum slab_hist_kind {
	SLAB_HIST_BULK,		/* kmem_cache_alloc_bulk() count */
	SLAB_HIST_PREFILL,	/* caller-owned sheaf prefill size */
	SLAB_HIST_REFILL,	/* objects obtained per sheaf refill */
	SLAB_HIST_FLUSH,	/* objects flushed per sheaf flush */
	SLAB_HIST_SIZE,		/* bytes per kmem_cache_alloc (any kernel) */
	SLAB_NR_HIST,
};

#define SLAB_HIST_SLOTS 66	/* log2: 65 slots; linear: up to 66 */

struct slab_hist_key {
	unsigned long long cache;	/* struct kmem_cache *, 0 with no per-cache keys */
};

struct slab_hist_val {
	unsigned long long slots[SLAB_HIST_SLOTS];
	unsigned long long count, sum;
};

#endif /* MMSCOPE_BPF_SLAB_H */
