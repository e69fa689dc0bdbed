/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every kernel structure the BPF programs read that is not the same on
 * all the kernels mmscope runs on, as CO-RE flavours ("___mmscope" and
 * friends: libbpf matches them to the kernel's type of the name before the
 * "___").  The programs name these, never the vmlinux.h types, so they
 * compile against a vmlinux.h generated from any of these kernels and load
 * on all of them; a field a kernel lacks is tested with
 * bpf_core_field_exists() / bpf_core_type_exists() and reported as
 * unsupported, it never fails the load.
 *
 *                           6.18            7.x               7.x SLUB_STATS
 *   kmem_cache.cpu_slab     yes (stats in   gone (7.0)        gone
 *                           it with STATS)
 *   kmem_cache.cpu_stats    -               -                 percpu, 7.0+
 *   kmem_cache.node[]       node pointers   gone (7.1)        gone
 *     kmem_cache_node.barn  the barn        gone              gone
 *   kmem_cache.per_node[]   -               {barn, node}      {barn, node}
 *   kmem_cache.cpu_sheaves  yes, no __percpu tag              yes
 *   kmem_cache.sheaf_capacity, slab_sheaf, slub_percpu_sheaves, node_barn:
 *                           6.18+ (private to mm/slub.c, in BTF)
 *   enum stat_item          6.18 names      7.x names (stat items relocate
 *                                           by name, each one optional)
 *
 * Folios (include/linux/mm_types.h): _mm_ids exists only with CONFIG_MM_ID
 * (6.15+); _large_mapcount and PG_head may go the way of _entire_mapcount
 * (an April 2026 RFC, "mm/rmap: support arbitrary folio mappings"); flags
 * is memdesc_flags_t from 6.18 and a plain unsigned long before.
 *
 * The patch series (patches/) adds tracepoints, a debugfs file and the
 * alloc_from_sheaf stat item but no fields: its kernels match 7.x
 * SLUB_STATS here; the rmap event's snapshot type is its only new type.
 */
#ifndef MMSCOPE_CORE_FIXES_BPF_H
#define MMSCOPE_CORE_FIXES_BPF_H

#include <bpf/bpf_core_read.h>

#include "slab.h"	/* SLAB_STAT_ITEMS */

#define __core __attribute__((preserve_access_index))

/* --- SLUB sheaves and barns (6.18+; private to mm/slub.c) ---------------- */

struct slab_sheaf___mmscope {
	void *cache;		/* NULL: the static bootstrap sheaf */
	unsigned int size;
} __core;

struct slub_percpu_sheaves___mmscope {
	struct slab_sheaf___mmscope *main;
	struct slab_sheaf___mmscope *spare;
	struct slab_sheaf___mmscope *rcu_free;
} __core;

struct node_barn___mmscope {
	unsigned int nr_full;
	unsigned int nr_empty;
} __core;

/* --- struct kmem_cache, in all its layouts --------------------------------- */

/* Stable fields, and those every sheaf kernel has. */
struct kmem_cache___mmscope {
	unsigned int size;
	unsigned int object_size;
	const char *name;
	unsigned int sheaf_capacity;				/* 6.18+ */
	struct slub_percpu_sheaves___mmscope *cpu_sheaves;	/* 6.18+, percpu */
} __core;

/* 7.x with CONFIG_SLUB_STATS: percpu struct kmem_cache_stats { stat[] }. */
struct kmem_cache___stats {
	void *cpu_stats;
} __core;

struct kmem_cache_stats___mmscope {
	unsigned int stat[1];
} __core;

/* Up to 6.18 with CONFIG_SLUB_STATS: the counters end struct kmem_cache_cpu. */
struct kmem_cache___cpu_slab {
	void *cpu_slab;
} __core;

struct kmem_cache_cpu___stats {
	unsigned int stat[1];
} __core;

/* 6.18: an array of node pointers; the barn hangs off the node. */
struct kmem_cache___v618 {
	void *node[1];
} __core;

struct kmem_cache_node___v618 {
	struct node_barn___mmscope *barn;
} __core;

/* 7.1+: an array of { barn, node } pairs. */
struct kmem_cache_per_node_ptrs___v71 {
	struct node_barn___mmscope *barn;
	void *node;
} __core;

struct kmem_cache___v71 {
	struct kmem_cache_per_node_ptrs___v71 per_node[1];
} __core;

/*
 * The SLUB_STATS items relocate by name (6.18 and 7.x number them
 * differently, and a kernel without SLUB_STATS may have no such enum in its
 * BTF).  Enumerators take the flavour suffix as types do.
 */
#define SLAB_STAT_FLAVOUR_ENUM(item, name) item##___mmscope,
enum stat_item___mmscope {
	SLAB_STAT_ITEMS(SLAB_STAT_FLAVOUR_ENUM)
};
#undef SLAB_STAT_FLAVOUR_ENUM

/* --- folios ------------------------------------------------------------- */

struct folio___mmscope {
	struct {
		unsigned long f;
	} flags;			/* memdesc_flags_t, 6.18+ */
	unsigned long _flags_1;		/* the order in its low byte */
	unsigned long _mm_ids;		/* CONFIG_MM_ID */
	int _mm_id_mapcount[2];		/* CONFIG_MM_ID; stored minus one */
	atomic_t _large_mapcount;
	atomic_t _refcount;
	void *mapping;			/* FOLIO_MAPPING_ANON in bit 0 */
} __core;

/*
 * The patch series' rmap:folio_mm_id event (include/linux/rmap.h): the
 * slots, their mapcounts (folio_mm_id_mapcount(): 0 for a free slot, not
 * stored minus one) and the shared bit before the update.  Only with the
 * series.
 */
struct folio_mm_id_state___mmscope {
	unsigned int id[2];
	int mapcount[2];
	bool shared;
} __core;

struct mm_struct___mmid {
	unsigned int mm_id;		/* CONFIG_MM_ID */
} __core;

struct folio___flags_ul {
	unsigned long flags;		/* before 6.18 */
} __core;

enum pageflags___mmscope {
	PG_head___mmscope,
};

#endif /* MMSCOPE_CORE_FIXES_BPF_H */
