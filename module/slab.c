// SPDX-License-Identifier: GPL-2.0
/*
 * The slab area's knobs: a test cache with a chosen object size and sheaf
 * capacity, and an in-kernel workload on it (slab_work.c), so a developer
 * can see how capacity changes behaviour without rebuilding a kernel.
 *
 * Knobs live in debugfs, not sysfs: this is a debugging tool, not an ABI,
 * and all mmscope files stay under one root.  One value per file, root only:
 *   slab/object_size, sheaf_capacity  the test cache's parameters
 *   slab/cache        write 1 to create "mmscope_test", 0 to destroy it
 *   slab/mode         burst | bulk | sheaf
 *   slab/batch        objects per burst, bulk call, or sheaf prefill
 *   slab/refill       sheaf mode: refill the sheaf to this size (0: skip)
 *   slab/iterations   rounds per CPU
 *   slab/cpus         CPU list to run on, e.g. 0-1
 *   slab/run          write 1 to start, 0 to stop; reads idle/running/done
 *   slab/result       the last run: ns per operation (kernel clock)
 * Every knob write but "run 0" fails with EBUSY while a run is active.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": slab: " fmt

#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>

#include "mmscope.h"
#include "slab.h"

#define MAX_OBJECT_SIZE		65536U
#define MAX_SHEAF_CAPACITY	1024U
#define MAX_BATCH		4096U
#define MAX_ITERATIONS		10000000U

static struct kmem_cache *test_cache;
static unsigned int knob_object_size = 64, knob_capacity, knob_batch = 32;
static unsigned int knob_refill, knob_iterations = 1000;
static enum mmscope_slab_mode knob_mode = MMSCOPE_SLAB_BURST;
static cpumask_var_t knob_cpus;

/* --- the knob files ------------------------------------------------------ */

struct uint_knob {
	unsigned int *val;
	unsigned int min, max;
	bool needs_no_cache;	/* a parameter of the cache itself */
};

static const struct uint_knob knob_defs[] = {
	{ &knob_object_size, 8, MAX_OBJECT_SIZE, true },
	{ &knob_capacity, 0, MAX_SHEAF_CAPACITY, true },	/* 0: the kernel's default */
	{ &knob_batch, 1, MAX_BATCH, false },
	{ &knob_refill, 0, MAX_BATCH, false },
	{ &knob_iterations, 1, MAX_ITERATIONS, false },
};

static const char *const knob_files[] = {
	"object_size", "sheaf_capacity", "batch", "refill", "iterations",
};

static int uint_show(struct seq_file *m, void *unused)
{
	const struct uint_knob *k = m->private;

	mutex_lock(&mmscope_slab_lock);
	seq_printf(m, "%u\n", *k->val);
	mutex_unlock(&mmscope_slab_lock);
	return 0;
}

static ssize_t uint_write(struct file *file, const char __user *buf, size_t len, loff_t *ppos)
{
	const struct uint_knob *k = ((struct seq_file *)file->private_data)->private;
	unsigned int v;
	int err;

	/* Rejects signs, junk and values above UINT_MAX (-EINVAL, -ERANGE). */
	err = kstrtouint_from_user(buf, len, 0, &v);
	if (err)
		return err;
	if (v < k->min || v > k->max)
		return -EINVAL;
	mutex_lock(&mmscope_slab_lock);
	if (mmscope_slab_running())
		err = -EBUSY;
	else if (k->needs_no_cache && test_cache)
		err = -EBUSY;	/* destroy the cache first: "echo 0 > cache" */
	else
		*k->val = v;
	mutex_unlock(&mmscope_slab_lock);
	return err ? err : len;
}

DEFINE_SHOW_STORE_ATTRIBUTE(uint);

/* Copy a short user string and strip the newline echo adds. */
static int user_word(const char __user *buf, size_t len, char *word, size_t size)
{
	if (len == 0 || len >= size)
		return -EINVAL;
	if (copy_from_user(word, buf, len))
		return -EFAULT;
	word[len] = '\0';
	strim(word);
	return 0;
}

static int mode_show(struct seq_file *m, void *unused)
{
	mutex_lock(&mmscope_slab_lock);
	seq_printf(m, "%s\n", mmscope_slab_modes[knob_mode]);
	mutex_unlock(&mmscope_slab_lock);
	return 0;
}

static ssize_t mode_write(struct file *file, const char __user *buf, size_t len, loff_t *ppos)
{
	char word[16];
	int err, mode;

	err = user_word(buf, len, word, sizeof(word));
	if (err)
		return err;
	mode = match_string(mmscope_slab_modes, MMSCOPE_SLAB_NR_MODES, word);
	if (mode < 0)
		return -EINVAL;
	if (mode == MMSCOPE_SLAB_SHEAF && !mmscope_slab_have_sheaf_api)
		return -EOPNOTSUPP;	/* the sheaf API is not exported here */
	mutex_lock(&mmscope_slab_lock);
	if (mmscope_slab_running())
		err = -EBUSY;
	else
		knob_mode = mode;
	mutex_unlock(&mmscope_slab_lock);
	return err ? err : len;
}

DEFINE_SHOW_STORE_ATTRIBUTE(mode);

static int cpus_show(struct seq_file *m, void *unused)
{
	mutex_lock(&mmscope_slab_lock);
	seq_printf(m, "%*pbl\n", cpumask_pr_args(knob_cpus));
	mutex_unlock(&mmscope_slab_lock);
	return 0;
}

static ssize_t cpus_write(struct file *file, const char __user *buf, size_t len, loff_t *ppos)
{
	cpumask_var_t mask;
	char word[256];
	int err;

	err = user_word(buf, len, word, sizeof(word));
	if (err)
		return err;
	/* cpulist_parse() stops at a newline: one line only. */
	if (strchr(word, '\n'))
		return -EINVAL;
	if (!zalloc_cpumask_var(&mask, GFP_KERNEL))
		return -ENOMEM;
	err = cpulist_parse(word, mask);
	if (!err && (cpumask_empty(mask) || !cpumask_subset(mask, cpu_online_mask)))
		err = -EINVAL;
	if (!err) {
		mutex_lock(&mmscope_slab_lock);
		if (mmscope_slab_running())
			err = -EBUSY;
		else
			cpumask_copy(knob_cpus, mask);
		mutex_unlock(&mmscope_slab_lock);
	}
	free_cpumask_var(mask);
	return err ? err : len;
}

DEFINE_SHOW_STORE_ATTRIBUTE(cpus);

static int cache_show(struct seq_file *m, void *unused)
{
	mutex_lock(&mmscope_slab_lock);
	seq_printf(m, "%s\n", test_cache ? MMSCOPE_SLAB_CACHE : "none");
	mutex_unlock(&mmscope_slab_lock);
	return 0;
}

static int create_cache(void)
{
	struct kmem_cache_args args = { .sheaf_capacity = knob_capacity };

	/* Unmerged, so its sysfs directory and counters are its own. */
	test_cache = kmem_cache_create(MMSCOPE_SLAB_CACHE, knob_object_size, &args,
				       SLAB_NO_MERGE);
	return test_cache ? 0 : -ENOMEM;
}

static void destroy_cache(void)
{
	mmscope_slab_work_free();
	kmem_cache_destroy(test_cache);
	test_cache = NULL;
}

static ssize_t cache_write(struct file *file, const char __user *buf, size_t len, loff_t *ppos)
{
	bool create;
	int err;

	err = mmscope_bool_from_user(buf, len, &create);
	if (err)
		return err;
	mutex_lock(&mmscope_slab_lock);
	if (mmscope_slab_running())
		err = -EBUSY;
	else if (create && test_cache)
		err = -EEXIST;
	else if (!create && !test_cache)
		err = -ENOENT;
	else if (create)
		err = create_cache();
	else
		destroy_cache();
	mutex_unlock(&mmscope_slab_lock);
	return err ? err : len;
}

DEFINE_SHOW_STORE_ATTRIBUTE(cache);

static int run_show(struct seq_file *m, void *unused)
{
	mutex_lock(&mmscope_slab_lock);
	seq_printf(m, "%s\n", !mmscope_slab_ran() ? "idle" :
		   mmscope_slab_running() ? "running" : "done");
	mutex_unlock(&mmscope_slab_lock);
	return 0;
}

static ssize_t run_write(struct file *file, const char __user *buf, size_t len, loff_t *ppos)
{
	bool start;
	int err;

	err = mmscope_bool_from_user(buf, len, &start);
	if (err)
		return err;
	mutex_lock(&mmscope_slab_lock);
	if (!start) {
		mmscope_slab_stop();
	} else if (mmscope_slab_running()) {
		err = -EBUSY;
	} else {
		struct mmscope_slab_params p = {
			.mode = knob_mode, .batch = knob_batch, .refill = knob_refill,
			.iterations = knob_iterations, .object_size = knob_object_size,
			.capacity = knob_capacity,
		};

		err = mmscope_slab_start(test_cache, &p, knob_cpus);
	}
	mutex_unlock(&mmscope_slab_lock);
	return err ? err : len;
}

DEFINE_SHOW_STORE_ATTRIBUTE(run);

static int result_show(struct seq_file *m, void *unused)
{
	mutex_lock(&mmscope_slab_lock);
	mmscope_slab_show_result(m);
	mutex_unlock(&mmscope_slab_lock);
	return 0;
}

DEFINE_SHOW_ATTRIBUTE(result);

static int slab_area_init(struct dentry *root)
{
	struct dentry *dir;
	unsigned int i;

	if (!zalloc_cpumask_var(&knob_cpus, GFP_KERNEL))
		return -ENOMEM;
	cpumask_set_cpu(cpumask_first(cpu_online_mask), knob_cpus);

	dir = debugfs_create_dir("slab", root);
	for (i = 0; i < ARRAY_SIZE(knob_defs); i++)
		debugfs_create_file(knob_files[i], 0600, dir, (void *)&knob_defs[i], &uint_fops);
	debugfs_create_file("mode", 0600, dir, NULL, &mode_fops);
	debugfs_create_file("cpus", 0600, dir, NULL, &cpus_fops);
	debugfs_create_file("cache", 0600, dir, NULL, &cache_fops);
	debugfs_create_file("run", 0600, dir, NULL, &run_fops);
	debugfs_create_file("result", 0400, dir, NULL, &result_fops);
	return 0;
}

/* The core removed the files first: no writer can start a run now. */
static void slab_area_exit(void)
{
	mutex_lock(&mmscope_slab_lock);
	mmscope_slab_work_free();
	if (test_cache)
		destroy_cache();
	mutex_unlock(&mmscope_slab_lock);
	free_cpumask_var(knob_cpus);
}

const struct mmscope_area mmscope_slab_area = {
	.name = "slab",
	.init = slab_area_init,
	.exit = slab_area_exit,
};
