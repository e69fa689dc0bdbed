/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mmscope slab area: knobs (slab.c) and workload (slab_work.c).  The state
 * of sheaves and barns is SLUB's own: /sys/kernel/debug/slab/<cache>/sheaves
 * (patch series), which `mmscope slab` reads.
 */
#ifndef _MMSCOPE_SLAB_H
#define _MMSCOPE_SLAB_H

#include <linux/dcache.h>

#include <linux/cpumask.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#define MMSCOPE_SLAB_CACHE	"mmscope_test"

enum mmscope_slab_mode {
	MMSCOPE_SLAB_BURST, MMSCOPE_SLAB_BULK, MMSCOPE_SLAB_SHEAF, MMSCOPE_SLAB_NR_MODES,
};

struct mmscope_slab_params {
	enum mmscope_slab_mode mode;
	unsigned int batch, refill, iterations, object_size, capacity;
};

extern const char *const mmscope_slab_modes[MMSCOPE_SLAB_NR_MODES];
/* The caller-owned sheaf API is exported (patch series, with its kunit test). */
extern const bool mmscope_slab_have_sheaf_api;

/* The workload (slab_work.c); callers hold mmscope_slab_lock. */
extern struct mutex mmscope_slab_lock;
bool mmscope_slab_running(void);
bool mmscope_slab_ran(void);
int mmscope_slab_start(struct kmem_cache *cache, const struct mmscope_slab_params *p,
		       const struct cpumask *cpus);
void mmscope_slab_stop(void);
void mmscope_slab_show_result(struct seq_file *m);
void mmscope_slab_work_free(void);

#endif /* _MMSCOPE_SLAB_H */
