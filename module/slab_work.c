// SPDX-License-Identifier: GPL-2.0
/*
 * The slab area's workload: one kernel thread per chosen CPU runs bursts,
 * bulk calls or caller-owned sheaf cycles on the test cache and times each
 * operation with the kernel clock (ktime_get_ns()).
 *
 * Each thread, once done, waits to be stopped, so kthread_stop() never
 * races with its exit; results stay until the next run.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": slab: " fmt

#include <linux/kthread.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>

#include "slab.h"

const char *const mmscope_slab_modes[MMSCOPE_SLAB_NR_MODES] = { "burst", "bulk", "sheaf" };

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

DEFINE_MUTEX(mmscope_slab_lock);	/* knobs, the cache and the workers */
static struct kmem_cache *test_cache;	/* the running or last run's cache */
static struct slab_worker *workers;
static unsigned int nr_workers;
static atomic_t nr_active;
static bool stop_requested;
/* The parameters of the run whose workers are in workers[]. */
static struct mmscope_slab_params run;
static bool run_stopped;

bool mmscope_slab_running(void)
{
	return nr_workers && atomic_read(&nr_active);
}

bool mmscope_slab_ran(void)
{
	return nr_workers;
}

static bool should_stop(void)
{
	return READ_ONCE(stop_requested) || kthread_should_stop();
}

static int do_burst(struct slab_worker *w, void **objs)
{
	unsigned int i, n;
	u64 t0, t1, t2;

	t0 = ktime_get_ns();
	for (n = 0; n < run.batch; n++) {
		objs[n] = kmem_cache_alloc(test_cache, GFP_KERNEL);
		if (!objs[n])
			break;
	}
	t1 = ktime_get_ns();
	for (i = n; i--; )
		kmem_cache_free(test_cache, objs[i]);
	t2 = ktime_get_ns();
	w->ns[OP_ALLOC] += t1 - t0;
	w->ops[OP_ALLOC] += n;
	w->ns[OP_FREE] += t2 - t1;
	w->ops[OP_FREE] += n;
	/* Any allocation of the burst failing, the first one too, fails it. */
	return n == run.batch ? 0 : -ENOMEM;
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

#ifdef MMSCOPE_HAVE_SHEAF_API
const bool mmscope_slab_have_sheaf_api = true;

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
const bool mmscope_slab_have_sheaf_api;

static int do_sheaf(struct slab_worker *w, void **objs)
{
	return -EOPNOTSUPP;	/* refused at "run 1" already */
}
#endif

/*
 * SLUB_STATS: the test cache's counters are in /sys/kernel/slab/mmscope_test/,
 * where the CLI and the tests read them before and after a run; the module
 * keeps no second copy of their names.
 */
static void show_stat_deltas(struct seq_file *m)
{
	seq_puts(m, "counters: /sys/kernel/slab/" MMSCOPE_SLAB_CACHE "/\n");
}

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
		case MMSCOPE_SLAB_BURST:
			err = do_burst(w, objs);
			break;
		case MMSCOPE_SLAB_BULK:
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
	/* Pairs with the acquire in mmscope_slab_show_result(). */
	smp_store_release(&w->done, true);
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
void mmscope_slab_stop(void)
{
	unsigned int i;

	WRITE_ONCE(stop_requested, true);
	for (i = 0; i < nr_workers; i++) {
		if (!workers[i].task)
			continue;
		/* Pairs with the worker's release: was it still running? */
		if (!smp_load_acquire(&workers[i].done))
			run_stopped = true;
		kthread_stop(workers[i].task);
		workers[i].task = NULL;
		workers[i].done = true;
	}
	atomic_set(&nr_active, 0);
}

int mmscope_slab_start(struct kmem_cache *cache, const struct mmscope_slab_params *p,
		       const struct cpumask *cpus)
{
	unsigned int cpu, i = 0;

	if (!cache)
		return -ENOENT;
	if (p->mode == MMSCOPE_SLAB_SHEAF && !mmscope_slab_have_sheaf_api)
		return -EOPNOTSUPP;
	if (p->refill && p->mode != MMSCOPE_SLAB_SHEAF)
		return -EINVAL;
	if (!cpumask_intersects(cpus, cpu_online_mask))
		return -EINVAL;

	/* The finished run's results are kept until a new run starts. */
	mmscope_slab_stop();
	kfree(workers);
	workers = kcalloc(cpumask_weight(cpus), sizeof(*workers), GFP_KERNEL);
	nr_workers = 0;
	if (!workers)
		return -ENOMEM;
	test_cache = cache;
	run = *p;
	run_stopped = false;
	WRITE_ONCE(stop_requested, false);

	for_each_cpu_and(cpu, cpus, cpu_online_mask) {
		struct slab_worker *w = &workers[i];
		struct task_struct *t;

		w->cpu = cpu;
		t = kthread_create_on_cpu(slab_worker_fn, w, cpu, "mmscope_slab/%u");
		if (IS_ERR(t)) {
			nr_workers = i;
			mmscope_slab_stop();
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

/* "12.3": tenths of a nanosecond per operation. */
static void print_ns_per_op(struct seq_file *m, const char *name, u64 ns, u64 ops)
{
	u64 tenths = div64_u64(ns * 10, ops);

	seq_printf(m, "%s_ns_per_op: %llu.%llu\n", name, tenths / 10, tenths % 10);
}

void mmscope_slab_show_result(struct seq_file *m)
{
	u64 ns[NR_OPS] = { 0 }, ops[NR_OPS] = { 0 };
	unsigned int i, op;
	int err = 0;

	if (!nr_workers) {
		seq_puts(m, "state: idle\n");
		return;
	}
	seq_printf(m, "state: %s\n", mmscope_slab_running() ? "running" :
		   run_stopped ? "stopped" : "done");
	/* The capacity in effect is in /sys/kernel/slab/mmscope_test/sheaf_capacity. */
	seq_printf(m, "cache: %s\nobject_size: %u\nrequested_sheaf_capacity: %u\n",
		   MMSCOPE_SLAB_CACHE, run.object_size, run.capacity);
	seq_printf(m, "mode: %s\nbatch: %u\nrefill: %u\niterations: %u\ncpus:",
		   mmscope_slab_modes[run.mode], run.batch, run.refill, run.iterations);
	for (i = 0; i < nr_workers; i++)
		seq_printf(m, " %u", workers[i].cpu);
	seq_putc(m, '\n');
	for (i = 0; i < nr_workers; i++) {
		const struct slab_worker *w = &workers[i];
		/* Pairs with the worker's release: its error and totals are final. */
		bool done = smp_load_acquire(&w->done);

		if (!err && done)
			err = w->err;
		for (op = 0; op < NR_OPS; op++) {
			/* A running worker's totals: a progress view, racy on purpose. */
			ns[op] += data_race(w->ns[op]);
			/* Same: the count may be one burst ahead of the time. */
			ops[op] += data_race(w->ops[op]);
		}
	}
	seq_printf(m, "error: %d\n", err);
	for (op = 0; op < NR_OPS; op++) {
		if (!ops[op])
			continue;
		seq_printf(m, "%s_ops: %llu\n", op_names[op], ops[op]);
		print_ns_per_op(m, op_names[op], ns[op], ops[op]);
	}
	if (!mmscope_slab_running())
		show_stat_deltas(m);
}

void mmscope_slab_work_free(void)
{
	mmscope_slab_stop();
	kfree(workers);
	workers = NULL;
	nr_workers = 0;
	test_cache = NULL;
}

