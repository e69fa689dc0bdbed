// SPDX-License-Identifier: GPL-2.0
/*
 * Per-cache sheaf and barn state for `mmscope slab`, read by a kmem_cache
 * iterator with CO-RE, without the module.
 *
 * The layouts of 6.18 and 7.x, with and without SLUB_STATS, are in
 * core_fixes.bpf.h; this file names only its flavours.  The per-CPU and
 * per-node walks are bpf_loop() callbacks, so the verifier checks each body
 * once whatever the number of CPUs (unrolled, 64 CPUs cost 242k verified
 * instructions on 7.2 and 128 did not finish).
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "slab.h"
#include "core_fixes.bpf.h"

/* Set by user space before the load: possible CPUs and nodes. */
const volatile unsigned int nr_cpus = 1;
const volatile unsigned int nr_nodes = 1;

/*
 * Per-CPU addresses without bpf_per_cpu_ptr(): 6.18's BTF does not tag
 * cpu_sheaves as __percpu (the verifier refuses it), and a host without
 * KALLSYMS_ALL has no ksym for __per_cpu_offset or this_cpu_off.  Every
 * per-CPU allocation shares the same per-CPU offsets, so learn them from
 * a per-CPU map of our own: its element's address on a CPU minus the map's
 * raw per-CPU pointer.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} pcpu_probe SEC(".maps");

/* Addresses stored and read back, so the verifier sees plain numbers. */
volatile __u64 launder_slot;

static __always_inline unsigned long launder(unsigned long v)
{
	launder_slot = v;
	return launder_slot;
}

static void *percpu_addr(const void *pcpu, unsigned int cpu)
{
	unsigned long pptr = 0, elem, map;
	__u32 zero = 0;

	if (!pcpu)
		return NULL;
	elem = launder((unsigned long)bpf_map_lookup_percpu_elem(&pcpu_probe, &zero, cpu));
	if (!elem)
		return NULL;
	map = launder((unsigned long)&pcpu_probe);
	bpf_probe_read_kernel(&pptr, sizeof(pptr),
			      (void *)(map + bpf_core_field_offset(struct bpf_array, pptrs)));
	if (!pptr)
		return NULL;
	return (void *)((unsigned long)pcpu + (elem - pptr));
}

#define SLAB_STAT_BUF 64

/* One cache's state as the iterator builds it; per-CPU, so never shared. */
struct scratch {
	struct slab_rec_cache cache;
	int idx[SLAB_NR_STATS];		/* this kernel's enum stat_item value, or -1 */
	unsigned int stat[SLAB_STAT_BUF];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch_map SEC(".maps");

/* What the loop callbacks need, on the iterator's stack. */
struct walk {
	struct seq_file *seq;
	unsigned long s;		/* the struct kmem_cache, as a number */
	void *sheaves_pcpu;		/* s->cpu_sheaves */
	void *stats_pcpu;		/* per-CPU SLUB_STATS counters, or NULL */
	unsigned int stat_size;		/* bytes of them */
	unsigned int cap;		/* s->sheaf_capacity; 0: no sheaves */
};

#define SLAB_STAT_INDEX(item, name)						\
	scr->idx[SLAB_ST_##item] =							\
		bpf_core_enum_value_exists(enum stat_item___mmscope, item##___mmscope) ? \
		(int)bpf_core_enum_value(enum stat_item___mmscope, item##___mmscope) : -1;

static __always_inline struct scratch *scratch(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&scratch_map, &zero);
}

static void sheaf_fill(struct slab_sheaf___mmscope *sheaf, unsigned int cap,
		       unsigned int *size, unsigned int *capacity)
{
	*size = 0;
	*capacity = 0;
	if (!sheaf)
		return;
	/* The static bootstrap sheaf of a cache without sheaves has no cache. */
	if (!BPF_CORE_READ(sheaf, cache))
		return;
	*size = BPF_CORE_READ(sheaf, size);
	*capacity = cap;
}

/*
 * Each layout's offsets live in a function of its own, called only when
 * that layout exists: a call keeps clang from hoisting the CO-RE offset
 * (poisoned on the other kernel) above the existence check.
 */
static __noinline void *stats_v7(unsigned long s)
{
	void *p = NULL;

	bpf_probe_read_kernel(&p, sizeof(p),
			      (void *)(s + bpf_core_field_offset(struct kmem_cache___stats, cpu_stats)));
	return p;
}

static __noinline void *stats_v618(unsigned long s)
{
	void *p = NULL;

	bpf_probe_read_kernel(&p, sizeof(p),
			      (void *)(s + bpf_core_field_offset(struct kmem_cache___cpu_slab, cpu_slab)));
	if (!p)
		return NULL;
	return (void *)((unsigned long)p + bpf_core_field_offset(struct kmem_cache_cpu___stats, stat));
}

static __noinline struct node_barn___mmscope *barn_v71(unsigned long s, unsigned int n)
{
	struct node_barn___mmscope *barn = NULL;
	unsigned long addr;

	addr = s + bpf_core_field_offset(struct kmem_cache___v71, per_node) +
	       n * bpf_core_type_size(struct kmem_cache_per_node_ptrs___v71) +
	       bpf_core_field_offset(struct kmem_cache_per_node_ptrs___v71, barn);
	bpf_probe_read_kernel(&barn, sizeof(barn), (void *)addr);
	return barn;
}

static __noinline struct node_barn___mmscope *barn_v618(unsigned long s, unsigned int n)
{
	struct node_barn___mmscope *barn = NULL;
	unsigned long addr, kn = 0;

	addr = s + bpf_core_field_offset(struct kmem_cache___v618, node) + n * sizeof(void *);
	bpf_probe_read_kernel(&kn, sizeof(kn), (void *)addr);
	if (!kn)
		return NULL;
	addr = kn + bpf_core_field_offset(struct kmem_cache_node___v618, barn);
	bpf_probe_read_kernel(&barn, sizeof(barn), (void *)addr);
	return barn;
}

static struct node_barn___mmscope *node_barn(unsigned long s, unsigned int n)
{
	if (bpf_core_field_exists(struct kmem_cache___v71, per_node))
		return barn_v71(s, n);
	if (bpf_core_field_exists(struct kmem_cache___v618, node) &&
	    bpf_core_field_exists(struct kmem_cache_node___v618, barn))
		return barn_v618(s, n);
	return NULL;
}

/* One CPU: add its SLUB_STATS counters, write its sheaves' record. */
static long walk_cpu(__u64 index, void *ctx)
{
	struct walk *w = ctx;
	unsigned int cpu = index, i, stat_size = w->stat_size;
	struct slab_rec_cpu rcpu = { .type = SLAB_REC_CPU, .cpu = cpu };
	struct slub_percpu_sheaves___mmscope *pcs;
	struct scratch *scr = scratch();
	void *st;

	if (!scr)
		return 1;
	if (stat_size > sizeof(scr->stat))
		stat_size = sizeof(scr->stat);
	if (w->stats_pcpu && stat_size) {
		st = percpu_addr(w->stats_pcpu, cpu);
		if (st && !bpf_probe_read_kernel(scr->stat, stat_size, st)) {
			scr->cache.has_stats = 1;
			for (i = 0; i < SLAB_NR_STATS; i++) {
				int k = scr->idx[i];

				if (k >= 0 && k < SLAB_STAT_BUF && (unsigned int)k * 4 < stat_size)
					scr->cache.stats[i] += scr->stat[k];
			}
		}
	}
	if (!w->cap)
		return 0;
	pcs = percpu_addr(w->sheaves_pcpu, cpu);
	if (!pcs)
		return 0;
	sheaf_fill(BPF_CORE_READ(pcs, main), w->cap, &rcpu.main_size, &rcpu.main_capacity);
	sheaf_fill(BPF_CORE_READ(pcs, spare), w->cap, &rcpu.spare_size, &rcpu.spare_capacity);
	sheaf_fill(BPF_CORE_READ(pcs, rcu_free), w->cap, &rcpu.rcu_free_size,
		   &rcpu.rcu_free_capacity);
	bpf_seq_write(w->seq, &rcpu, sizeof(rcpu));
	scr->cache.nr_cpus++;
	return 0;
}

/* One node: its barn's record. */
static long walk_node(__u64 index, void *ctx)
{
	struct walk *w = ctx;
	struct slab_rec_node rn = { .type = SLAB_REC_NODE, .node = index };
	struct node_barn___mmscope *barn;
	struct scratch *scr = scratch();

	if (!scr)
		return 1;
	barn = node_barn(w->s, index);
	if (!barn)
		return 0;
	rn.nr_full = BPF_CORE_READ(barn, nr_full);
	rn.nr_empty = BPF_CORE_READ(barn, nr_empty);
	bpf_seq_write(w->seq, &rn, sizeof(rn));
	scr->cache.nr_nodes++;
	return 0;
}

SEC("iter/kmem_cache")
int slab_state(struct bpf_iter__kmem_cache *ctx)
{
	struct kmem_cache___mmscope *s = (void *)ctx->s;
	struct walk w = { .seq = ctx->meta->seq };
	struct slab_rec_cache *rc;
	struct scratch *scr;
	unsigned int i;

	if (!s)
		return 0;
	scr = scratch();
	if (!scr)
		return 0;
	w.s = (unsigned long)s;
	rc = &scr->cache;
	__builtin_memset(rc, 0, sizeof(*rc));
	rc->type = SLAB_REC_CACHE;
	rc->object_size = BPF_CORE_READ(s, object_size);
	rc->size = BPF_CORE_READ(s, size);
	rc->id = (unsigned long)s;
	bpf_probe_read_kernel_str(rc->name, sizeof(rc->name), BPF_CORE_READ(s, name));
	if (bpf_core_field_exists(s->sheaf_capacity) && bpf_core_field_exists(s->cpu_sheaves)) {
		w.cap = BPF_CORE_READ(s, sheaf_capacity);
		w.sheaves_pcpu = BPF_CORE_READ(s, cpu_sheaves);
	}
	rc->sheaf_capacity = w.cap;

	SLAB_STAT_ITEMS(SLAB_STAT_INDEX)
	for (i = 0; i < SLAB_NR_STATS; i++)
		if (scr->idx[i] >= 0)
			rc->stats_mask |= 1u << i;
	if (bpf_core_field_exists(struct kmem_cache___stats, cpu_stats) &&
	    bpf_core_type_exists(struct kmem_cache_stats___mmscope)) {
		w.stats_pcpu = stats_v7(w.s);
		w.stat_size = bpf_core_type_size(struct kmem_cache_stats___mmscope);
	} else if (bpf_core_field_exists(struct kmem_cache___cpu_slab, cpu_slab) &&
		   bpf_core_field_exists(struct kmem_cache_cpu___stats, stat)) {
		w.stats_pcpu = stats_v618(w.s);
		w.stat_size = bpf_core_field_size(struct kmem_cache_cpu___stats, stat);
	}

	bpf_loop(nr_cpus, walk_cpu, &w, 0);
	if (w.cap)
		bpf_loop(nr_nodes, walk_node, &w, 0);
	/* The callbacks' lookups return this CPU's scratch: the same value. */
	scr = scratch();
	if (scr)
		bpf_seq_write(w.seq, &scr->cache, sizeof(scr->cache));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
