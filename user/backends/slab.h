/* SPDX-License-Identifier: GPL-2.0 */
/* `mmscope slab`: sheaf/barn state, rates and histograms (slab*.c). */
#ifndef MMSCOPE_SLAB_H
#define MMSCOPE_SLAB_H

#include <stdbool.h>
#include <stddef.h>

#include "../bpf/slab.h"	/* records shared with the BPF programs */

/* SLUB's per-cache debugfs directories (the series adds "sheaves"). */
#define SLAB_SLUB_DEBUGFS "/sys/kernel/debug/slab"

struct slab_cache_state {
	char name[SLAB_NAME_LEN];
	unsigned long long id;		/* BPF backend only: key for tracers */
	unsigned int object_size;
	unsigned int sheaf_capacity;
	unsigned int nr_cpus, nr_nodes;
	struct slab_rec_cpu *cpus;
	struct slab_rec_node *nodes;
	bool has_stats;
	unsigned int stats_mask;
	unsigned long long stats[SLAB_NR_STATS];
};

struct slab_state {
	const char *backend;		/* "bpf" or "kernel" */
	struct slab_cache_state *caches;
	size_t nr;
};

enum slab_backend { SLAB_BACKEND_AUTO, SLAB_BACKEND_BPF, SLAB_BACKEND_KERNEL };

extern const char *const slab_stat_names[SLAB_NR_STATS];

int slab_state_read(enum slab_backend want, struct slab_state *st);
int slab_state_bpf(struct slab_state *st);
int slab_state_kernel(struct slab_state *st);
/* SLUB's files with other roots than /sys/kernel/{slab,debug/slab} (tests). */
int slab_state_kernel_dirs(const char *sysfs, const char *debugfs, struct slab_state *st);
void slab_state_free(struct slab_state *st);
/* A long-running reader (export) keeps the iterator loaded between reads. */
void slab_state_keep_bpf(void);
unsigned int slab_possible_nodes(void);
/* Entries for a map keyed by cache: the caches that exist, and headroom. */
unsigned int slab_cache_map_entries(void);
/* The stat's index in slab_stat_names, or -1. */
int slab_stat_index(const char *name);



#endif /* MMSCOPE_SLAB_H */
