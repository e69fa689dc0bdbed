// SPDX-License-Identifier: GPL-2.0
/*
 * The slab area: a test cache with a chosen object size and sheaf capacity,
 * and an in-kernel workload on it, so a developer can see how capacity
 * changes behaviour without rebuilding a kernel.
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

#define TEST_CACHE_NAME		"mmscope_test"
#define MAX_OBJECT_SIZE		65536U
#define MAX_SHEAF_CAPACITY	1024U
#define MAX_BATCH		4096U
#define MAX_ITERATIONS		10000000U

enum slab_mode { MODE_BURST, MODE_BULK, MODE_SHEAF, NR_MODES };

static const char *const mode_names[NR_MODES] = { "burst", "bulk", "sheaf" };

enum slab_op {
	OP_ALLOC, OP_FREE, OP_ALLOC_BULK, OP_FREE_BULK, OP_PREFILL, OP_ALLOC_FROM,
	OP_REFILL, OP_RETURN, NR_OPS,
};

static const char *const op_names[NR_OPS] = {
	"alloc", "free", "alloc_bulk", "free_bulk", "prefill", "alloc_from_sheaf",
	"refill", "return",
};

struct slab_worker {
	struct task_struct *task;
	unsigned int cpu;
	u64 ns[NR_OPS], ops[NR_OPS];
	int err;
	bool done;
};

static DEFINE_MUTEX(slab_lock);		/* knobs, the cache and the workers */
static struct kmem_cache *test_cache;
static unsigned int knob_object_size = 64, knob_capacity, knob_batch = 32;
static unsigned int knob_refill, knob_iterations = 1000;
static enum slab_mode knob_mode = MODE_BURST;
static cpumask_var_t knob_cpus;

static struct slab_worker *workers;
static unsigned int nr_workers;
static atomic_t nr_active;
static bool stop_requested;
/* The parameters of the run whose workers are in workers[]. */
static struct {
	enum slab_mode mode;
	unsigned int batch, refill, iterations, object_size, capacity;
	bool stopped;
} run;

static bool run_active(void)
{
	return nr_workers && atomic_read(&nr_active);
}

static bool should_stop(void)
{
	return READ_ONCE(stop_requested) || kthread_should_stop();
}

static int do_burst(struct slab_worker *w, void **objs)
{
	unsigned int i;
	u64 t0, t1, t2;

	t0 = ktime_get_ns();
	for (i = 0; i < run.batch; i++) {
		objs[i] = kmem_cache_alloc(test_cache, GFP_KERNEL);
		if (!objs[i])
			break;
	}
	t1 = ktime_get_ns();
	w->ns[OP_ALLOC] += t1 - t0;
	w->ops[OP_ALLOC] += i;
	while (i--)
		kmem_cache_free(test_cache, objs[i]);
	t2 = ktime_get_ns();
	w->ns[OP_FREE] += t2 - t1;
	w->ops[OP_FREE] += w->ops[OP_ALLOC] - w->ops[OP_FREE];
	return w->ops[OP_FREE] == w->ops[OP_ALLOC] && w->ops[OP_ALLOC] % run.batch == 0 ?
	       0 : -ENOMEM;
}

static int do_bulk(struct slab_worker *w, void **objs)
{
	u64 t0, t1, t2;

	t0 = ktime_get_ns();
	/* bool in 7.2, the number allocated (0 on failure) before. */
	if (!kmem_cache_alloc_bulk(test_cache, GFP_KERNEL, run.batch, objs))
		return -ENOMEM;
	t1 = ktime_get_ns();
	kmem_cache_free_bulk(test_cache, run.batch, objs);
	t2 = ktime_get_ns();
	w->ns[OP_ALLOC_BULK] += t1 - t0;
	w->ops[OP_ALLOC_BULK] += run.batch;
	w->ns[OP_FREE_BULK] += t2 - t1;
	w->ops[OP_FREE_BULK] += run.batch;
	return 0;
}

#ifdef MMSCOPE_HAVE_SLAB_API
static const bool have_sheaf_api = true;

static int do_sheaf(struct slab_worker *w, void **objs)
{
	struct slab_sheaf *sheaf;
	unsigned int i, n = 0;
	u64 t0, t1;
	int err = 0;

	t0 = ktime_get_ns();
	sheaf = kmem_cache_prefill_sheaf(test_cache, GFP_KERNEL, run.batch);
	t1 = ktime_get_ns();
	if (!sheaf)
		return -ENOMEM;
	w->ns[OP_PREFILL] += t1 - t0;
	w->ops[OP_PREFILL]++;

	t0 = ktime_get_ns();
	for (i = 0; i < run.batch; i++) {
		objs[n] = kmem_cache_alloc_from_sheaf(test_cache, GFP_KERNEL, sheaf);
		if (!objs[n])
			break;
		n++;
	}
	t1 = ktime_get_ns();
	w->ns[OP_ALLOC_FROM] += t1 - t0;
	w->ops[OP_ALLOC_FROM] += n;
	if (n != run.batch)
		err = -ENOMEM;

	if (!err && run.refill) {
		t0 = ktime_get_ns();
		err = kmem_cache_refill_sheaf(test_cache, GFP_KERNEL, &sheaf, run.refill);
		t1 = ktime_get_ns();
		w->ns[OP_REFILL] += t1 - t0;
		w->ops[OP_REFILL]++;
	}

	t0 = ktime_get_ns();
	kmem_cache_return_sheaf(test_cache, GFP_KERNEL, sheaf);
	t1 = ktime_get_ns();
	w->ns[OP_RETURN] += t1 - t0;
	w->ops[OP_RETURN]++;

	t0 = ktime_get_ns();
	for (i = 0; i < n; i++)
		kmem_cache_free(test_cache, objs[i]);
	t1 = ktime_get_ns();
	w->ns[OP_FREE] += t1 - t0;
	w->ops[OP_FREE] += n;
	return err;
}
#else
static const bool have_sheaf_api;

static int do_sheaf(struct slab_worker *w, void **objs)
{
	return -EOPNOTSUPP;	/* refused at "run 1" already */
}
#endif

#ifdef MMSCOPE_HAVE_SLAB_API
/* The cache is ours alone: counter changes since the run began are its own. */
static u64 *stats_before;
static unsigned int nr_stats;

static void snapshot_stats(void)
{
	nr_stats = kmem_cache_nr_stats();
	kfree(stats_before);
	stats_before = kcalloc(max(nr_stats, 1U), sizeof(u64), GFP_KERNEL);
	if (stats_before && kmem_cache_get_stats(test_cache, stats_before, nr_stats))
		nr_stats = 0;
}

static void show_stat_deltas(struct seq_file *m)
{
	unsigned int i;
	u64 *now;

	if (!stats_before || !nr_stats || !test_cache) {
		seq_puts(m, "counters: none (CONFIG_SLUB_STATS=n)\n");
		return;
	}
	now = kcalloc(nr_stats, sizeof(u64), GFP_KERNEL);
	if (now && !kmem_cache_get_stats(test_cache, now, nr_stats))
		for (i = 0; i < nr_stats; i++)
			seq_printf(m, "delta_%s: %llu\n", kmem_cache_stat_name(i),
				   now[i] - stats_before[i]);
	kfree(now);
}

static void free_stats(void)
{
	kfree(stats_before);
	stats_before = NULL;
}
#else
static void snapshot_stats(void)
{
}

static void show_stat_deltas(struct seq_file *m)
{
	seq_puts(m, "counters: see /sys/kernel/slab/" TEST_CACHE_NAME
		 "/ (the module needs the patch series' slab API to read them)\n");
}

static void free_stats(void)
{
}
#endif

static int slab_worker_fn(void *data)
{
	struct slab_worker *w = data;
	unsigned int it;
	void **objs;
	int err = 0;

	objs = kvmalloc_array(run.batch, sizeof(*objs), GFP_KERNEL);
	if (!objs)
		err = -ENOMEM;
	for (it = 0; !err && it < run.iterations && !should_stop(); it++) {
		switch (run.mode) {
		case MODE_BURST:
			err = do_burst(w, objs);
			break;
		case MODE_BULK:
			err = do_bulk(w, objs);
			break;
		default:
			err = do_sheaf(w, objs);
			break;
		}
		cond_resched();
	}
	kvfree(objs);
	w->err = err;
	w->done = true;
	atomic_dec(&nr_active);

	/* Stay until reaped, so kthread_stop() never races with our exit. */
	while (!kthread_should_stop()) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (kthread_should_stop()) {
			__set_current_state(TASK_RUNNING);
			break;
		}
		schedule();
	}
	return 0;
}

/*
 * Stop the worker threads (each waits to be stopped once done); their
 * results stay for the result file.  The caller holds slab_lock.
 */
static void stop_workers(void)
{
	unsigned int i;

	WRITE_ONCE(stop_requested, true);
	for (i = 0; i < nr_workers; i++) {
		if (!workers[i].task)
			continue;
		if (!workers[i].done)
			run.stopped = true;
		kthread_stop(workers[i].task);
		workers[i].task = NULL;
		workers[i].done = true;
	}
	atomic_set(&nr_active, 0);
}

static int start_run(void)
{
	unsigned int cpu, i = 0;

	if (!test_cache)
		return -ENOENT;
	if (knob_mode == MODE_SHEAF && !have_sheaf_api)
		return -EOPNOTSUPP;
	if (knob_refill && knob_mode != MODE_SHEAF)
		return -EINVAL;
	cpumask_and(knob_cpus, knob_cpus, cpu_online_mask);
	if (cpumask_empty(knob_cpus))
		return -EINVAL;

	/* The finished run's results are kept until a new run starts. */
	stop_workers();
	kfree(workers);
	workers = kcalloc(cpumask_weight(knob_cpus), sizeof(*workers), GFP_KERNEL);
	nr_workers = 0;
	if (!workers)
		return -ENOMEM;
	run.mode = knob_mode;
	run.batch = knob_batch;
	run.refill = knob_refill;
	run.iterations = knob_iterations;
	run.object_size = knob_object_size;
	run.capacity = knob_capacity;
	run.stopped = false;
	WRITE_ONCE(stop_requested, false);
	snapshot_stats();

	for_each_cpu(cpu, knob_cpus) {
		struct slab_worker *w = &workers[i];
		struct task_struct *t;

		w->cpu = cpu;
		t = kthread_create_on_cpu(slab_worker_fn, w, cpu, "mmscope_slab/%u");
		if (IS_ERR(t)) {
			nr_workers = i;
			stop_workers();
			return PTR_ERR(t);
		}
		w->task = t;
		i++;
	}
	nr_workers = i;
	atomic_set(&nr_active, nr_workers);
	for (i = 0; i < nr_workers; i++)
		wake_up_process(workers[i].task);
	return 0;
}

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

	mutex_lock(&slab_lock);
	seq_printf(m, "%u\n", *k->val);
	mutex_unlock(&slab_lock);
	return 0;
}

static int uint_open(struct inode *inode, struct file *file)
{
	return single_open(file, uint_show, inode->i_private);
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
	mutex_lock(&slab_lock);
	if (run_active())
		err = -EBUSY;
	else if (k->needs_no_cache && test_cache)
		err = -EBUSY;	/* destroy the cache first: "echo 0 > cache" */
	else
		*k->val = v;
	mutex_unlock(&slab_lock);
	return err ? err : len;
}

static const struct file_operations uint_fops = {
	.owner = THIS_MODULE,
	.open = uint_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.write = uint_write,
	.release = single_release,
};

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
	mutex_lock(&slab_lock);
	seq_printf(m, "%s\n", mode_names[knob_mode]);
	mutex_unlock(&slab_lock);
	return 0;
}

static int mode_open(struct inode *inode, struct file *file)
{
	return single_open(file, mode_show, NULL);
}

static ssize_t mode_write(struct file *file, const char __user *buf, size_t len, loff_t *ppos)
{
	char word[16];
	int err, mode;

	err = user_word(buf, len, word, sizeof(word));
	if (err)
		return err;
	mode = match_string(mode_names, NR_MODES, word);
	if (mode < 0)
		return -EINVAL;
	if (mode == MODE_SHEAF && !have_sheaf_api)
		return -EOPNOTSUPP;	/* the sheaf API is not exported here */
	mutex_lock(&slab_lock);
	if (run_active())
		err = -EBUSY;
	else
		knob_mode = mode;
	mutex_unlock(&slab_lock);
	return err ? err : len;
}

static const struct file_operations mode_fops = {
	.owner = THIS_MODULE,
	.open = mode_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.write = mode_write,
	.release = single_release,
};

static int cpus_show(struct seq_file *m, void *unused)
{
	mutex_lock(&slab_lock);
	seq_printf(m, "%*pbl\n", cpumask_pr_args(knob_cpus));
	mutex_unlock(&slab_lock);
	return 0;
}

static int cpus_open(struct inode *inode, struct file *file)
{
	return single_open(file, cpus_show, NULL);
}

static ssize_t cpus_write(struct file *file, const char __user *buf, size_t len, loff_t *ppos)
{
	cpumask_var_t mask;
	char word[256];
	int err;

	err = user_word(buf, len, word, sizeof(word));
	if (err)
		return err;
	if (!zalloc_cpumask_var(&mask, GFP_KERNEL))
		return -ENOMEM;
	err = cpulist_parse(word, mask);
	if (!err && (cpumask_empty(mask) || !cpumask_subset(mask, cpu_online_mask)))
		err = -EINVAL;
	if (!err) {
		mutex_lock(&slab_lock);
		if (run_active())
			err = -EBUSY;
		else
			cpumask_copy(knob_cpus, mask);
		mutex_unlock(&slab_lock);
	}
	free_cpumask_var(mask);
	return err ? err : len;
}

static const struct file_operations cpus_fops = {
	.owner = THIS_MODULE,
	.open = cpus_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.write = cpus_write,
	.release = single_release,
};

static int cache_show(struct seq_file *m, void *unused)
{
	mutex_lock(&slab_lock);
	seq_printf(m, "%s\n", test_cache ? TEST_CACHE_NAME : "none");
	mutex_unlock(&slab_lock);
	return 0;
}

static int cache_open(struct inode *inode, struct file *file)
{
	return single_open(file, cache_show, NULL);
}

static int create_cache(void)
{
	struct kmem_cache_args args = { .sheaf_capacity = knob_capacity };

	/* Unmerged, so its sysfs directory and counters are its own. */
	test_cache = kmem_cache_create(TEST_CACHE_NAME, knob_object_size, &args,
				       SLAB_NO_MERGE);
	return test_cache ? 0 : -ENOMEM;
}

static void destroy_cache(void)
{
	stop_workers();
	kmem_cache_destroy(test_cache);
	test_cache = NULL;
}

static ssize_t cache_write(struct file *file, const char __user *buf, size_t len, loff_t *ppos)
{
	bool create;
	int err;

	err = kstrtobool_from_user(buf, len, &create);
	if (err)
		return err;
	mutex_lock(&slab_lock);
	if (run_active())
		err = -EBUSY;
	else if (create && test_cache)
		err = -EEXIST;
	else if (!create && !test_cache)
		err = -ENOENT;
	else if (create)
		err = create_cache();
	else
		destroy_cache();
	mutex_unlock(&slab_lock);
	return err ? err : len;
}

static const struct file_operations cache_fops = {
	.owner = THIS_MODULE,
	.open = cache_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.write = cache_write,
	.release = single_release,
};

static int run_show(struct seq_file *m, void *unused)
{
	mutex_lock(&slab_lock);
	seq_printf(m, "%s\n", !nr_workers ? "idle" : run_active() ? "running" : "done");
	mutex_unlock(&slab_lock);
	return 0;
}

static int run_open(struct inode *inode, struct file *file)
{
	return single_open(file, run_show, NULL);
}

static ssize_t run_write(struct file *file, const char __user *buf, size_t len, loff_t *ppos)
{
	bool start;
	int err;

	err = kstrtobool_from_user(buf, len, &start);
	if (err)
		return err;
	mutex_lock(&slab_lock);
	if (!start)
		stop_workers();
	else if (run_active())
		err = -EBUSY;
	else
		err = start_run();
	mutex_unlock(&slab_lock);
	return err ? err : len;
}

static const struct file_operations run_fops = {
	.owner = THIS_MODULE,
	.open = run_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.write = run_write,
	.release = single_release,
};

/* "12.3": tenths of a nanosecond per operation. */
static void print_ns_per_op(struct seq_file *m, const char *name, u64 ns, u64 ops)
{
	u64 tenths = div64_u64(ns * 10, ops);

	seq_printf(m, "%s_ns_per_op: %llu.%llu\n", name, tenths / 10, tenths % 10);
}

static int result_show(struct seq_file *m, void *unused)
{
	u64 ns[NR_OPS] = { 0 }, ops[NR_OPS] = { 0 };
	unsigned int i, op;
	int err = 0;

	mutex_lock(&slab_lock);
	if (!nr_workers) {
		seq_puts(m, "state: idle\n");
		goto out;
	}
	seq_printf(m, "state: %s\n", run_active() ? "running" :
		   run.stopped ? "stopped" : "done");
	/* The capacity in effect is in /sys/kernel/slab/mmscope_test/sheaf_capacity. */
	seq_printf(m, "cache: %s\nobject_size: %u\nrequested_sheaf_capacity: %u\n",
		   TEST_CACHE_NAME, run.object_size, run.capacity);
	seq_printf(m, "mode: %s\nbatch: %u\nrefill: %u\niterations: %u\ncpus:",
		   mode_names[run.mode], run.batch, run.refill, run.iterations);
	for (i = 0; i < nr_workers; i++)
		seq_printf(m, " %u", workers[i].cpu);
	seq_putc(m, '\n');
	for (i = 0; i < nr_workers; i++) {
		if (!err && workers[i].done)
			err = workers[i].err;
		for (op = 0; op < NR_OPS; op++) {
			ns[op] += workers[i].ns[op];
			ops[op] += workers[i].ops[op];
		}
	}
	seq_printf(m, "error: %d\n", err);
	for (op = 0; op < NR_OPS; op++) {
		if (!ops[op])
			continue;
		seq_printf(m, "%s_ops: %llu\n", op_names[op], ops[op]);
		print_ns_per_op(m, op_names[op], ns[op], ops[op]);
	}
	if (!run_active())
		show_stat_deltas(m);
out:
	mutex_unlock(&slab_lock);
	return 0;
}

static int result_open(struct inode *inode, struct file *file)
{
	return single_open(file, result_show, NULL);
}

static const struct file_operations result_fops = {
	.owner = THIS_MODULE,
	.open = result_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
};

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
	mmscope_slab_tables_init(dir);
	return 0;
}

/* The core removed the files first: no writer can start a run now. */
static void slab_area_exit(void)
{
	mutex_lock(&slab_lock);
	stop_workers();
	if (test_cache)
		destroy_cache();
	kfree(workers);
	workers = NULL;
	nr_workers = 0;
	free_stats();
	mutex_unlock(&slab_lock);
	free_cpumask_var(knob_cpus);
}

const struct mmscope_area mmscope_slab_area = {
	.name = "slab",
	.init = slab_area_init,
	.exit = slab_area_exit,
};
