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
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "slab.h"

#ifdef MMSCOPE_HAVE_SLAB_API

enum slab_table { TABLE_CACHES, TABLE_CPUS, TABLE_BARNS, TABLE_STATS };

struct table_walk {
	struct seq_file *m;
	enum slab_table table;
	struct kmem_cache_sheaf_info info;
	u64 *sums;
	unsigned int nr_stats;
};

static int table_one(struct kmem_cache *s, void *data)
{
	struct table_walk *w = data;
	struct kmem_cache_sheaf_info *info = &w->info;
	unsigned int i;
	int err;

	info->nr_cpus = nr_cpu_ids;
	info->nr_nodes = nr_node_ids;
	/*
	 * -ENOENT: no sheaves.  The API names only caches it can describe,
	 * so those are left out (`mmscope slab -a -b bpf` lists them).
	 */
	err = kmem_cache_get_sheaf_info(s, info);
	if (err)
		return 0;

	switch (w->table) {
	case TABLE_CACHES:
		seq_printf(w->m, "%s %u %u\n", info->name, info->object_size,
			   info->sheaf_capacity);
		break;
	case TABLE_CPUS:
		for (i = 0; i < nr_cpu_ids; i++) {
			const struct kmem_cache_sheaf_cpu *c = &info->cpus[i];

			if (!cpu_possible(i))
				continue;
			seq_printf(w->m, "%s %u %u %u %u %u %u %u\n", info->name, i,
				   c->main_size, c->main_capacity, c->spare_size,
				   c->spare_capacity, c->rcu_free_size, c->rcu_free_capacity);
		}
		break;
	case TABLE_BARNS:
		for (i = 0; i < nr_node_ids; i++) {
			if (!node_possible(i))
				continue;
			seq_printf(w->m, "%s %u %u %u\n", info->name, i,
				   info->nodes[i].nr_full, info->nodes[i].nr_empty);
		}
		break;
	case TABLE_STATS:
		if (kmem_cache_get_stats(s, w->sums, w->nr_stats) < 0)
			break;
		for (i = 0; i < w->nr_stats; i++)
			seq_printf(w->m, "%s %s %llu\n", info->name,
				   kmem_cache_stat_name(i), w->sums[i]);
		break;
	}
	return 0;
}

static int table_show(struct seq_file *m, void *unused)
{
	static const char *const headers[] = {
		[TABLE_CACHES] = "# cache object_size sheaf_capacity\n",
		[TABLE_CPUS] = "# cache cpu main main_cap spare spare_cap rcu_free rcu_free_cap\n",
		[TABLE_BARNS] = "# cache node nr_full nr_empty\n",
		[TABLE_STATS] = "# cache stat value\n",
	};
	struct table_walk *w;
	int err = -ENOMEM;

	w = kcalloc(1, sizeof(*w), GFP_KERNEL);	/* kzalloc_obj() is 7.x only */
	if (!w)
		return -ENOMEM;
	w->m = m;
	w->table = (enum slab_table)(unsigned long)m->private;
	w->info.cpus = kcalloc(nr_cpu_ids, sizeof(*w->info.cpus), GFP_KERNEL);
	w->info.nodes = kcalloc(nr_node_ids, sizeof(*w->info.nodes), GFP_KERNEL);
	w->nr_stats = kmem_cache_nr_stats();
	w->sums = kcalloc(max(w->nr_stats, 1U), sizeof(*w->sums), GFP_KERNEL);
	if (w->info.cpus && w->info.nodes && w->sums) {
		seq_puts(m, headers[w->table]);
		err = kmem_cache_for_each(table_one, w);
	}
	kfree(w->sums);
	kfree(w->info.nodes);
	kfree(w->info.cpus);
	kfree(w);
	return err;
}

static int table_open(struct inode *inode, struct file *file)
{
	/* The whole table in one buffer: the walk holds slab_mutex. */
	return single_open_size(file, table_show, inode->i_private, 256 * 1024);
}

static const struct file_operations table_fops = {
	.owner = THIS_MODULE,
	.open = table_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
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
