// SPDX-License-Identifier: GPL-2.0
/*
 * Per-cache sheaf and barn state for `mmscope slab`, read by a kmem_cache
 * iterator with CO-RE, without the module.
 *
 * Layouts differ between kernels (see the facts note):
 *  - 6.18: s->node[n] is a struct kmem_cache_node * with a ->barn pointer,
 *    the stat counters live in s->cpu_slab (not read here).
 *  - 7.1+: s->per_node[n].barn, and SLUB_STATS in percpu s->cpu_stats.
 * Private mm/slub.c structs (slab_sheaf, slub_percpu_sheaves, node_barn)
 * are in the kernel's BTF, so CO-RE relocates them like any other.
 * This file is compiled against 7.x BTF (vmlinux.h); 6.18-only fields use
 * ___v618 flavours.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "slab.h"

const volatile unsigned int nr_cpus = 1;

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
const volatile unsigned int nr_nodes = 1;

/* 6.18: an array of node pointers; the barn hangs off the node. */
struct kmem_cache___v618 {
	struct kmem_cache_node *node[1];
} __attribute__((preserve_access_index));

struct kmem_cache_node___v618 {
	struct node_barn *barn;
} __attribute__((preserve_access_index));

/* 7.1+: an array of { barn, node } pairs. */
struct kmem_cache_per_node_ptrs___v71 {
	struct node_barn *barn;
	struct kmem_cache_node *node;
} __attribute__((preserve_access_index));

struct kmem_cache___v71 {
	struct kmem_cache_per_node_ptrs___v71 per_node[1];
} __attribute__((preserve_access_index));

struct scratch {
	struct slab_rec_cache cache;
	unsigned int stat[64];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch_map SEC(".maps");

#define SLAB_STAT_INDEX(item, name)					\
	idx[SLAB_ST_##item] = bpf_core_enum_value_exists(enum stat_item, item) ? \
		(int)bpf_core_enum_value(enum stat_item, item) : -1;

static void sheaf_fill(struct slab_sheaf *sheaf, unsigned int cap,
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
static __noinline struct node_barn *barn_v71(unsigned long s, unsigned int n)
{
	struct node_barn *barn = NULL;
	unsigned long addr;

	addr = s + bpf_core_field_offset(struct kmem_cache___v71, per_node) +
	       n * bpf_core_type_size(struct kmem_cache_per_node_ptrs___v71) +
	       bpf_core_field_offset(struct kmem_cache_per_node_ptrs___v71, barn);
	bpf_probe_read_kernel(&barn, sizeof(barn), (void *)addr);
	return barn;
}

static __noinline struct node_barn *barn_v618(unsigned long s, unsigned int n)
{
	struct kmem_cache_node *kn = NULL;
	struct node_barn *barn = NULL;
	unsigned long addr;

	addr = s + bpf_core_field_offset(struct kmem_cache___v618, node) + n * sizeof(void *);
	bpf_probe_read_kernel(&kn, sizeof(kn), (void *)addr);
	if (!kn)
		return NULL;
	addr = (unsigned long)kn + bpf_core_field_offset(struct kmem_cache_node___v618, barn);
	bpf_probe_read_kernel(&barn, sizeof(barn), (void *)addr);
	return barn;
}

static struct node_barn *node_barn(struct kmem_cache *s, unsigned int n)
{
	if (bpf_core_field_exists(struct kmem_cache___v71, per_node))
		return barn_v71((unsigned long)s, n);
	if (bpf_core_field_exists(struct kmem_cache___v618, node) &&
	    bpf_core_field_exists(struct kmem_cache_node___v618, barn))
		return barn_v618((unsigned long)s, n);
	return NULL;
}

SEC("iter/kmem_cache")
int slab_state(struct bpf_iter__kmem_cache *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct kmem_cache *s = ctx->s;
	struct slab_rec_cache *rc;
	struct scratch *scr;
	void *stats_pcpu = NULL;
	int idx[SLAB_NR_STATS];
	unsigned int cpu, n, i, cap, stat_size = 0;
	__u32 zero = 0;

	if (!s)
		return 0;
	scr = bpf_map_lookup_elem(&scratch_map, &zero);
	if (!scr)
		return 0;
	rc = &scr->cache;
	__builtin_memset(rc, 0, sizeof(*rc));
	rc->type = SLAB_REC_CACHE;
	rc->object_size = BPF_CORE_READ(s, object_size);
	rc->size = BPF_CORE_READ(s, size);
	rc->id = (unsigned long)s;
	bpf_probe_read_kernel_str(rc->name, sizeof(rc->name), BPF_CORE_READ(s, name));
	cap = 0;
	if (bpf_core_field_exists(s->sheaf_capacity))
		cap = BPF_CORE_READ(s, sheaf_capacity);
	rc->sheaf_capacity = cap;

	SLAB_STAT_ITEMS(SLAB_STAT_INDEX)
	for (i = 0; i < SLAB_NR_STATS; i++)
		if (idx[i] >= 0)
			rc->stats_mask |= 1u << i;
	if (bpf_core_field_exists(s->cpu_stats)) {
		stat_size = bpf_core_type_size(struct kmem_cache_stats);
		stats_pcpu = BPF_CORE_READ(s, cpu_stats);
	}
	if (stat_size > sizeof(scr->stat))
		stat_size = sizeof(scr->stat);

	for (cpu = 0; cpu < SLAB_MAX_CPUS; cpu++) {
		struct slab_rec_cpu rcpu = { .type = SLAB_REC_CPU, .cpu = cpu };
		struct slub_percpu_sheaves *pcs;
		void *st;

		if (cpu >= nr_cpus)
			break;
		if (stats_pcpu && stat_size) {
			st = percpu_addr(stats_pcpu, cpu);
			if (st && !bpf_probe_read_kernel(scr->stat, stat_size, st)) {
				rc->has_stats = 1;
				for (i = 0; i < SLAB_NR_STATS; i++) {
					int k = idx[i];

					if (k >= 0 && k < 64 && (unsigned int)k * 4 < stat_size)
						rc->stats[i] += scr->stat[k];
				}
			}
		}
		if (!cap)
			continue;
		pcs = percpu_addr(BPF_CORE_READ(s, cpu_sheaves), cpu);
		if (!pcs)
			continue;
		sheaf_fill(BPF_CORE_READ(pcs, main), cap, &rcpu.main_size, &rcpu.main_capacity);
		sheaf_fill(BPF_CORE_READ(pcs, spare), cap, &rcpu.spare_size, &rcpu.spare_capacity);
		sheaf_fill(BPF_CORE_READ(pcs, rcu_free), cap, &rcpu.rcu_free_size,
			   &rcpu.rcu_free_capacity);
		bpf_seq_write(seq, &rcpu, sizeof(rcpu));
		rc->nr_cpus++;
	}

	for (n = 0; cap && n < SLAB_MAX_NODES; n++) {
		struct slab_rec_node rn = { .type = SLAB_REC_NODE, .node = n };
		struct node_barn *barn;

		if (n >= nr_nodes)
			break;
		barn = node_barn(s, n);
		if (!barn)
			continue;
		rn.nr_full = BPF_CORE_READ(barn, nr_full);
		rn.nr_empty = BPF_CORE_READ(barn, nr_empty);
		bpf_seq_write(seq, &rn, sizeof(rn));
		rc->nr_nodes++;
	}
	bpf_seq_write(seq, rc, sizeof(*rc));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
