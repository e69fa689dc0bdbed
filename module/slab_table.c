// SPDX-License-Identifier: GPL-2.0
/*
 * Sheaf state tables from the patch series' slab introspection API, in the
 * layout `mmscope slab -b module` parses (see user/slab_state.c):
 *   caches: name object_size sheaf_capacity
 *   sheaves: name cpu main_size main_cap spare_size spare_cap rcu_size rcu_cap
 *   barns:  name node nr_full nr_empty
 *   stats:  name stat value      (CONFIG_SLUB_STATS only)
 * Without the API (an unpatched kernel) no table is created and the
 * features file says what is missing.
 *
 * Opening a table takes one snapshot of every cache: a single walk that
 * only copies numbers into arrays sized before it starts (the walk stops
 * and is redone with twice the room if they turn out too small, which the
 * size remembered from the last walk makes rare).  Formatting happens
 * after the walk, record by record through seq_file, so no output buffer
 * has a fixed size and nothing is printed while SLUB's locks are held.
 * Reads of the open file show that snapshot.
 *
 * What remains, and only the series can remove (issue 15, item 3: a
 * SLUB-owned file per cache, no module callback): the API's walk,
 * kmem_cache_for_each(), runs our callback under cpus_read_lock() and
 * slab_mutex, and kmem_cache_get_sheaf_info(), which must be called from
 * it, does one work_on_cpu() per online CPU for every cache, even for the
 * tables that print no per-CPU data (nothing else gives a cache's name and
 * capacity to a module).  So one open still holds off cache creation and
 * CPU hotplug for (caches x online CPUs) round trips.  The BPF backend
 * (`mmscope slab -b bpf`, iter/kmem_cache) reads the same sheaves without
 * any of SLUB's locks.
 */
#include <linux/debugfs.h>
#include <linux/overflow.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "slab.h"

#ifdef MMSCOPE_HAVE_SLAB_API

enum slab_table { TABLE_CACHES, TABLE_CPUS, TABLE_BARNS, TABLE_STATS };

/* Caches a first walk makes room for; later walks start at the last count. */
#define TABLE_FIRST_CAP		256U
#define TABLE_NAME_BYTES	32U	/* room per cache name to start with */
#define TABLE_MAX_WALKS		8

struct table_cache {
	unsigned int name;		/* offset in names[] */
	unsigned int object_size;
	unsigned int sheaf_capacity;
	bool have_stats;
};

struct table_snap {
	enum slab_table table;
	unsigned int nr, cap;		/* caches collected, room for */
	struct table_cache *caches;
	char *names;
	size_t names_len, names_cap;
	/* Per cache, only for the table that prints them. */
	struct kmem_cache_sheaf_cpu *cpus;	/* TABLE_CPUS: cap x nr_cpu_ids */
	struct kmem_cache_barn_info *nodes;	/* TABLE_BARNS: cap x nr_node_ids */
	u64 *stats;				/* TABLE_STATS: cap x nr_stats */
	unsigned int nr_stats;
	/* Where get_sheaf_info() writes what this table does not keep. */
	struct kmem_cache_sheaf_cpu *scratch_cpus;
	struct kmem_cache_barn_info *scratch_nodes;
};

static unsigned int table_cap_hint = TABLE_FIRST_CAP;

static void table_free_arrays(struct table_snap *t)
{
	kvfree(t->caches);
	kvfree(t->names);
	kvfree(t->cpus);
	kvfree(t->nodes);
	kvfree(t->stats);
	kvfree(t->scratch_cpus);
	kvfree(t->scratch_nodes);
	t->caches = NULL;
	t->names = NULL;
	t->cpus = NULL;
	t->nodes = NULL;
	t->stats = NULL;
	t->scratch_cpus = NULL;
	t->scratch_nodes = NULL;
}

static int table_alloc_arrays(struct table_snap *t, unsigned int cap, size_t names_cap)
{
	t->nr = 0;
	t->cap = cap;
	t->names_len = 0;
	t->names_cap = names_cap;
	t->caches = kvcalloc(cap, sizeof(*t->caches), GFP_KERNEL);
	t->names = kvmalloc(names_cap, GFP_KERNEL);
	if (t->table == TABLE_CPUS)
		t->cpus = kvcalloc(array_size(cap, nr_cpu_ids), sizeof(*t->cpus), GFP_KERNEL);
	else
		t->scratch_cpus = kvcalloc(nr_cpu_ids, sizeof(*t->scratch_cpus), GFP_KERNEL);
	if (t->table == TABLE_BARNS)
		t->nodes = kvcalloc(array_size(cap, nr_node_ids), sizeof(*t->nodes), GFP_KERNEL);
	else
		t->scratch_nodes = kvcalloc(nr_node_ids, sizeof(*t->scratch_nodes), GFP_KERNEL);
	if (t->table == TABLE_STATS)
		t->stats = kvcalloc(array_size(cap, t->nr_stats), sizeof(*t->stats), GFP_KERNEL);

	if (!t->caches || !t->names ||
	    (t->table == TABLE_CPUS ? !t->cpus : !t->scratch_cpus) ||
	    (t->table == TABLE_BARNS ? !t->nodes : !t->scratch_nodes) ||
	    (t->table == TABLE_STATS && !t->stats)) {
		table_free_arrays(t);
		return -ENOMEM;
	}
	return 0;
}

/*
 * Called by kmem_cache_for_each() under cpus_read_lock() and slab_mutex:
 * copies one cache's numbers and nothing else (no allocation, no output).
 */
static int table_collect(struct kmem_cache *s, void *data)
{
	struct table_snap *t = data;
	struct kmem_cache_sheaf_info info = {
		.nr_cpus = nr_cpu_ids,
		.nr_nodes = nr_node_ids,
	};
	struct table_cache *c;
	size_t len;

	if (t->nr == t->cap)
		return -ENOSPC;
	c = &t->caches[t->nr];
	info.cpus = t->cpus ? &t->cpus[(size_t)t->nr * nr_cpu_ids] : t->scratch_cpus;
	info.nodes = t->nodes ? &t->nodes[(size_t)t->nr * nr_node_ids] : t->scratch_nodes;
	/*
	 * -ENOENT: no sheaves.  The API names only caches it can describe,
	 * so those are left out (`mmscope slab -a -b bpf` lists them).
	 */
	if (kmem_cache_get_sheaf_info(s, &info))
		return 0;
	len = strlen(info.name) + 1;
	if (t->names_len + len > t->names_cap)
		return -ENOSPC;
	memcpy(t->names + t->names_len, info.name, len);
	c->name = t->names_len;
	t->names_len += len;
	c->object_size = info.object_size;
	c->sheaf_capacity = info.sheaf_capacity;
	c->have_stats = t->stats &&
		kmem_cache_get_stats(s, &t->stats[(size_t)t->nr * t->nr_stats],
				     t->nr_stats) >= 0;
	t->nr++;
	return 0;
}

static int table_snapshot(struct table_snap *t)
{
	unsigned int cap = max(READ_ONCE(table_cap_hint), TABLE_FIRST_CAP);
	size_t names_cap = (size_t)cap * TABLE_NAME_BYTES;
	int walk, err;

	for (walk = 0; walk < TABLE_MAX_WALKS; walk++) {
		err = table_alloc_arrays(t, cap, names_cap);
		if (err)
			return err;
		err = kmem_cache_for_each(table_collect, t);
		if (err != -ENOSPC)
			break;
		/* More caches or longer names than room: again, with twice as much. */
		table_free_arrays(t);
		if (t->nr == cap)
			cap *= 2;
		names_cap *= 2;
	}
	if (err) {
		table_free_arrays(t);
		return err == -ENOSPC ? -ENOMEM : err;
	}
	/* Some room for caches created before the next walk. */
	WRITE_ONCE(table_cap_hint, t->nr + t->nr / 8 + 16);
	return 0;
}

static void *table_start(struct seq_file *m, loff_t *pos)
{
	struct table_snap *t = m->private;

	if (!*pos)
		return SEQ_START_TOKEN;
	return *pos <= t->nr ? &t->caches[*pos - 1] : NULL;
}

static void *table_next(struct seq_file *m, void *v, loff_t *pos)
{
	++*pos;
	return table_start(m, pos);
}

static void table_stop(struct seq_file *m, void *v)
{
}

static int table_show(struct seq_file *m, void *v)
{
	static const char *const headers[] = {
		[TABLE_CACHES] = "# cache object_size sheaf_capacity\n",
		[TABLE_CPUS] = "# cache cpu main main_cap spare spare_cap rcu_free rcu_free_cap\n",
		[TABLE_BARNS] = "# cache node nr_full nr_empty\n",
		[TABLE_STATS] = "# cache stat value\n",
	};
	struct table_snap *t = m->private;
	const struct table_cache *c = v;
	size_t idx;
	const char *name;
	unsigned int i;

	if (v == SEQ_START_TOKEN) {
		seq_puts(m, headers[t->table]);
		return 0;
	}
	idx = c - t->caches;
	name = t->names + c->name;
	switch (t->table) {
	case TABLE_CACHES:
		seq_printf(m, "%s %u %u\n", name, c->object_size, c->sheaf_capacity);
		break;
	case TABLE_CPUS:
		for (i = 0; i < nr_cpu_ids; i++) {
			const struct kmem_cache_sheaf_cpu *s = &t->cpus[idx * nr_cpu_ids + i];

			if (!cpu_possible(i))
				continue;
			seq_printf(m, "%s %u %u %u %u %u %u %u\n", name, i,
				   s->main_size, s->main_capacity, s->spare_size,
				   s->spare_capacity, s->rcu_free_size, s->rcu_free_capacity);
		}
		break;
	case TABLE_BARNS:
		for (i = 0; i < nr_node_ids; i++) {
			const struct kmem_cache_barn_info *b = &t->nodes[idx * nr_node_ids + i];

			if (!node_possible(i))
				continue;
			seq_printf(m, "%s %u %u %u\n", name, i, b->nr_full, b->nr_empty);
		}
		break;
	case TABLE_STATS:
		if (!c->have_stats)
			break;
		for (i = 0; i < t->nr_stats; i++)
			seq_printf(m, "%s %s %llu\n", name, kmem_cache_stat_name(i),
				   t->stats[idx * t->nr_stats + i]);
		break;
	}
	return 0;
}

static const struct seq_operations table_seq_ops = {
	.start = table_start,
	.next = table_next,
	.stop = table_stop,
	.show = table_show,
};

static int table_open(struct inode *inode, struct file *file)
{
	struct table_snap *t;
	int err;

	t = kcalloc(1, sizeof(*t), GFP_KERNEL);	/* kzalloc_obj() is 7.x only */
	if (!t)
		return -ENOMEM;
	t->table = (enum slab_table)(unsigned long)inode->i_private;
	t->nr_stats = t->table == TABLE_STATS ? kmem_cache_nr_stats() : 0;
	err = table_snapshot(t);
	if (!err)
		err = seq_open(file, &table_seq_ops);
	if (err) {
		table_free_arrays(t);
		kfree(t);
		return err;
	}
	((struct seq_file *)file->private_data)->private = t;
	return 0;
}

static int table_release(struct inode *inode, struct file *file)
{
	struct table_snap *t = ((struct seq_file *)file->private_data)->private;

	table_free_arrays(t);
	kfree(t);
	return seq_release(inode, file);
}

static const struct file_operations table_fops = {
	.owner = THIS_MODULE,
	.open = table_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = table_release,
};

void mmscope_slab_tables_init(struct dentry *dir)
{
	debugfs_create_file("caches", 0400, dir, (void *)TABLE_CACHES, &table_fops);
	debugfs_create_file("sheaves", 0400, dir, (void *)TABLE_CPUS, &table_fops);
	debugfs_create_file("barns", 0400, dir, (void *)TABLE_BARNS, &table_fops);
	if (kmem_cache_nr_stats())
		debugfs_create_file("stats", 0400, dir, (void *)TABLE_STATS, &table_fops);
}

#else /* !MMSCOPE_HAVE_SLAB_API */

void mmscope_slab_tables_init(struct dentry *dir)
{
}

#endif
