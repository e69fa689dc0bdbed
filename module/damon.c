// SPDX-License-Identifier: GPL-2.0
/*
 * DAMON intervals tuning, recent history: a ring of the last tuning steps
 * and aggregation access ratios per kdamond, so `cat` shows how the tuner
 * has been converging without a tracing session.
 *
 * DAMON exports nothing, its tracepoints included, so the probes are found
 * by name with for_each_kernel_tracepoint() and registered with
 * tracepoint_probe_register(), both exported by the tracing core; this
 * works on any kernel with DAMON, patched or not.  A probe's prototype
 * must be the tracepoint's: damon_monitor_intervals_tune carries the
 * tuner's inputs (aggr_samples, access_bp, score_bp) with the patch series
 * (mm/damon: trace what the intervals auto-tuner decided from) and only
 * the new sample_us without it; Kbuild tells which from the headers the
 * module is built against.  The probes sit on kdamond's aggregation path,
 * so they are registered only while a session asks for them: write 1 to
 * damon/enable, 0 to remove them.
 *
 * The ratio is the tuner's score input (damon_get_intervals_score()):
 * sum(nr_accesses * size) / (aggr_samples * sum(size)), with the
 * context's own attrs.aggr_samples, the number the tuner divides by.
 *
 * The tracepoints carry no context, so the probe finds it through
 * kthread_data(current).  That is safe because of where they fire (read
 * in mm/damon/core.c of 7.2.13; recheck on a new kernel):
 * trace_damon_aggregated() has one call site, kdamond_reset_aggregated(),
 * reached only from kdamond_fn(), and every kdamond is started as
 * kthread_run(kdamond_fn, ctx, ...), so its kthread data is its damon_ctx,
 * alive as long as the thread runs.  The probe requires PF_KTHREAD
 * (kthread_data() of a user task is not defined) and, as a cheap
 * cross-check rather than a proof, that ctx->kdamond is current; a context
 * that fails it gets aggr_samples 0 and ratio 0.  The attrs are read in
 * the kdamond itself, the only thread that changes them (damon_set_attrs()
 * from kdamond_tune_intervals() or a commit run through damon_call()), so
 * they cannot change under the probe.
 * With the series, tune entries carry the tuner's own aggr_samples and
 * ratio, which an aggregation's ratio here must agree with.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": damon: " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/kthread.h>
#include <linux/math64.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>

#include "mmscope.h"

#if IS_ENABLED(CONFIG_DAMON)
#include <linux/damon.h>
#include <linux/tracepoint.h>
#include <trace/events/damon.h>
#endif

#define DAMON_RING_SIZE	256
#define DAMON_MAX_KDAMONDS	8

enum mmscope_damon_ev { EV_TUNE = 1, EV_AGGR = 2 };

struct mmscope_damon_entry {
	u64 ts_ns;
	u64 sample_us;		/* EV_TUNE */
	u64 tune_aggr_samples;	/* EV_TUNE, patched kernels: the tuner's inputs */
	u64 tune_access_bp;
	u64 tune_score_bp;
	u64 sz;			/* EV_AGGR */
	u64 access_sz;
	u32 ratio_bp;
	u32 nr_regions;
	u32 target;
	u8 type;
};

/* One kdamond's pass over its regions and its recent history. */
struct mmscope_kdamond {
	pid_t pid;
	u64 last_seen_ns;
	unsigned long aggr_samples;
	/* The aggregation being summed, as damon_aggregated walks it. */
	u64 pass_sz, pass_access_sz;
	unsigned long pass_last_start;
	unsigned int pass_target, pass_seen;
	bool pass_valid;
	unsigned int head, count;
	struct mmscope_damon_entry ring[DAMON_RING_SIZE];
};

static struct mmscope_kdamond *mmscope_kdamonds;
static DEFINE_SPINLOCK(mmscope_damon_lock);
static DEFINE_MUTEX(mmscope_damon_enable_lock);
static bool mmscope_damon_enabled;
static struct dentry *mmscope_damon_dir;

#if IS_ENABLED(CONFIG_DAMON)
/* The slot of the current kdamond; the least recently seen is reused. */
static struct mmscope_kdamond *kdamond_slot(pid_t pid)
{
	struct mmscope_kdamond *k, *oldest = &mmscope_kdamonds[0];
	int i;

	for (i = 0; i < DAMON_MAX_KDAMONDS; i++) {
		k = &mmscope_kdamonds[i];
		if (k->pid == pid)
			return k;
		if (k->last_seen_ns < oldest->last_seen_ns)
			oldest = k;
	}
	memset(oldest, 0, sizeof(*oldest));
	oldest->pid = pid;
	return oldest;
}

static void ring_push(struct mmscope_kdamond *k, const struct mmscope_damon_entry *e)
{
	k->ring[k->head] = *e;
	k->head = (k->head + 1) % DAMON_RING_SIZE;
	if (k->count < DAMON_RING_SIZE)
		k->count++;
}

/*
 * The tuner's own number of samples per aggregation.  attrs.aggr_samples is
 * set by damon_set_attrs() on every commit; a context that never went
 * through it (none in 7.2) falls back to the ratio of the intervals.
 */
static unsigned long mmscope_aggr_samples(const struct damon_attrs *attrs)
{
	if (attrs->aggr_samples)
		return attrs->aggr_samples;
	return attrs->sample_interval ? attrs->aggr_interval / attrs->sample_interval : 0;
}

/*
 * access_sz / (sz * aggr_samples) in basis points.  access_sz is at most
 * sz * aggr_samples (nr_accesses <= aggr_samples), so neither mult_frac()
 * nor the product overflows unless the product itself would; then both
 * sides are divided by aggr_samples first.
 */
static u32 mmscope_ratio_bp(u64 access_sz, u64 sz, unsigned long aggr_samples)
{
	u64 max;

	if (!sz || !aggr_samples)
		return 0;
	if (check_mul_overflow(sz, (u64)aggr_samples, &max))
		return min_t(u64, mult_frac(div64_u64(access_sz, aggr_samples), 10000, sz),
			     U32_MAX);
	return min_t(u64, mult_frac(access_sz, 10000, max), U32_MAX);
}

static void tune_record(struct mmscope_damon_entry *e)
{
	struct mmscope_kdamond *k;

	spin_lock(&mmscope_damon_lock);
	k = kdamond_slot(current->pid);
	k->last_seen_ns = e->ts_ns;
	ring_push(k, e);
	spin_unlock(&mmscope_damon_lock);
}

#ifdef MMSCOPE_HAVE_DAMON_TUNE_SCORE
static void probe_tune(void *data, unsigned long sample_us,
		       unsigned long aggr_samples, unsigned long access_bp,
		       unsigned long score_bp)
{
	struct mmscope_damon_entry e = {
		.ts_ns = ktime_get_ns(),
		.type = EV_TUNE,
		.sample_us = sample_us,
		.tune_aggr_samples = aggr_samples,
		.tune_access_bp = access_bp,
		.tune_score_bp = score_bp,
	};

	tune_record(&e);
}

#define HAVE_TUNE_SCORE true
#else
static void probe_tune(void *data, unsigned long sample_us)
{
	struct mmscope_damon_entry e = {
		.ts_ns = ktime_get_ns(),
		.type = EV_TUNE,
		.sample_us = sample_us,
	};

	tune_record(&e);
}

#define HAVE_TUNE_SCORE false
#endif

static void probe_aggregated(void *data, unsigned int target_id,
			     struct damon_region *r, unsigned int nr_regions)
{
	unsigned long start = r->ar.start, sz = r->ar.end - r->ar.start;
	struct mmscope_damon_entry e = { .type = EV_AGGR };
	unsigned long aggr_samples = 0;
	struct mmscope_kdamond *k;

	/* Only kdamond_fn() aggregates; its kthread data is its context. */
	if (current->flags & PF_KTHREAD) {
		struct damon_ctx *ctx = kthread_data(current);

		if (ctx && READ_ONCE(ctx->kdamond) == current)
			aggr_samples = mmscope_aggr_samples(&ctx->attrs);
	}

	spin_lock(&mmscope_damon_lock);
	k = kdamond_slot(current->pid);
	if (!k->pass_valid || k->pass_target != target_id ||
	    start < k->pass_last_start || k->pass_seen >= nr_regions) {
		k->pass_valid = true;
		k->pass_target = target_id;
		k->pass_seen = 0;
		k->pass_sz = 0;
		k->pass_access_sz = 0;
	}
	k->pass_last_start = start;
	k->pass_seen++;
	k->pass_sz += sz;
	k->pass_access_sz += (u64)r->nr_accesses * sz;
	if (k->pass_seen == nr_regions) {
		k->pass_valid = false;
		e.ts_ns = ktime_get_ns();
		e.sz = k->pass_sz;
		e.access_sz = k->pass_access_sz;
		e.nr_regions = nr_regions;
		e.target = target_id;
		e.ratio_bp = mmscope_ratio_bp(e.access_sz, e.sz, aggr_samples);
		k->aggr_samples = aggr_samples;
		k->last_seen_ns = e.ts_ns;
		ring_push(k, &e);
	}
	spin_unlock(&mmscope_damon_lock);
}

/*
 * Never called, never emitted: the compiler checks that the probes have the
 * prototypes of the tracepoints in the headers the module is built against,
 * which tracepoint_probe_register() cannot check.
 */
static inline void __maybe_unused damon_probes_typecheck(void)
{
	register_trace_damon_monitor_intervals_tune(probe_tune, NULL);
	register_trace_damon_aggregated(probe_aggregated, NULL);
}

/* DAMON's tracepoints, found by name: they are built in, so they stay. */
static struct tracepoint *tp_tune, *tp_aggregated;

struct tp_lookup {
	const char *name;
	struct tracepoint *tp;
};

static void tp_lookup_one(struct tracepoint *tp, void *priv)
{
	struct tp_lookup *l = priv;

	if (!strcmp(tp->name, l->name))
		l->tp = tp;
}

static struct tracepoint *tp_lookup(const char *name)
{
	struct tp_lookup l = { .name = name };

	for_each_kernel_tracepoint(tp_lookup_one, &l);
	return l.tp;
}

static int damon_probes_register(void)
{
	int err;

	if (!tp_tune)
		tp_tune = tp_lookup("damon_monitor_intervals_tune");
	if (!tp_aggregated)
		tp_aggregated = tp_lookup("damon_aggregated");
	if (!tp_tune || !tp_aggregated)
		return -ENOENT;
	err = tracepoint_probe_register(tp_tune, (void *)probe_tune, NULL);
	if (err)
		return err;
	err = tracepoint_probe_register(tp_aggregated, (void *)probe_aggregated, NULL);
	if (err) {
		tracepoint_probe_unregister(tp_tune, (void *)probe_tune, NULL);
		tracepoint_synchronize_unregister();
	}
	return err;
}

static void damon_probes_unregister(void)
{
	tracepoint_probe_unregister(tp_aggregated, (void *)probe_aggregated, NULL);
	tracepoint_probe_unregister(tp_tune, (void *)probe_tune, NULL);
	/* No probe may still run on our rings when they are freed or reset. */
	tracepoint_synchronize_unregister();
}

#define HAVE_DAMON_PROBES true
#else
static int damon_probes_register(void)
{
	return -EOPNOTSUPP;
}

static void damon_probes_unregister(void)
{
}

#define HAVE_DAMON_PROBES false
#define HAVE_TUNE_SCORE false
#endif

static ssize_t enable_read(struct file *file, char __user *buf, size_t len, loff_t *ppos)
{
	char s[2] = { mmscope_damon_enabled ? '1' : '0', '\n' };

	return simple_read_from_buffer(buf, len, ppos, s, sizeof(s));
}

static ssize_t enable_write(struct file *file, const char __user *buf, size_t len,
			    loff_t *ppos)
{
	bool on;
	int err;

	err = mmscope_bool_from_user(buf, len, &on);
	if (err)
		return err;
	if (!HAVE_DAMON_PROBES)
		return -EOPNOTSUPP;

	mutex_lock(&mmscope_damon_enable_lock);
	if (on && !mmscope_damon_enabled) {
		/* A new session starts with empty rings. */
		spin_lock(&mmscope_damon_lock);
		memset(mmscope_kdamonds, 0, sizeof(*mmscope_kdamonds) * DAMON_MAX_KDAMONDS);
		spin_unlock(&mmscope_damon_lock);
		err = damon_probes_register();
		if (!err)
			mmscope_damon_enabled = true;
	} else if (!on && mmscope_damon_enabled) {
		damon_probes_unregister();
		mmscope_damon_enabled = false;
	}
	mutex_unlock(&mmscope_damon_enable_lock);
	return err ? err : len;
}

static const struct file_operations enable_fops = {
	.owner = THIS_MODULE,
	.read = enable_read,
	.write = enable_write,
	.llseek = default_llseek,
};

/*
 * One block per kdamond, oldest entry first:
 *   kdamond pid 63 aggr_samples 20 entries 256
 *   tune <ts_ns> sample_us <n>[ aggr_samples <n> access_bp <n> score_bp <n>]
 *   aggr <ts_ns> ratio_bp <n> sz <bytes> access_sz <bytes> regions <n> target <i>
 * (one aggr line per monitoring target of an aggregation).
 */
static int recent_show(struct seq_file *m, void *unused)
{
	struct mmscope_kdamond *snap;
	int i, j, shown = 0;

	if (!HAVE_DAMON_PROBES) {
		seq_puts(m, "damon: missing (needs CONFIG_DAMON)\n");
		return 0;
	}
	snap = kvmalloc(sizeof(*snap), GFP_KERNEL);
	if (!snap)
		return -ENOMEM;
	seq_printf(m, "enabled: %d\n", mmscope_damon_enabled);
	for (i = 0; i < DAMON_MAX_KDAMONDS; i++) {
		spin_lock(&mmscope_damon_lock);
		*snap = mmscope_kdamonds[i];
		spin_unlock(&mmscope_damon_lock);
		if (!snap->pid || !snap->count)
			continue;
		shown++;
		seq_printf(m, "kdamond pid %d aggr_samples %lu entries %u\n",
			   snap->pid, snap->aggr_samples, snap->count);
		for (j = 0; j < snap->count; j++) {
			unsigned int idx = (snap->head + DAMON_RING_SIZE - snap->count + j) %
					   DAMON_RING_SIZE;
			const struct mmscope_damon_entry *e = &snap->ring[idx];

			if (e->type == EV_TUNE && HAVE_TUNE_SCORE)
				seq_printf(m, "tune %llu sample_us %llu aggr_samples %llu access_bp %llu score_bp %llu\n",
					   e->ts_ns, e->sample_us, e->tune_aggr_samples,
					   e->tune_access_bp, e->tune_score_bp);
			else if (e->type == EV_TUNE)
				seq_printf(m, "tune %llu sample_us %llu\n", e->ts_ns, e->sample_us);
			else
				seq_printf(m, "aggr %llu ratio_bp %u sz %llu access_sz %llu regions %u target %u\n",
					   e->ts_ns, e->ratio_bp, e->sz, e->access_sz,
					   e->nr_regions, e->target);
		}
	}
	if (!shown)
		seq_puts(m, mmscope_damon_enabled ? "no DAMON events yet\n" :
			 "not recording: write 1 to enable\n");
	kvfree(snap);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(recent);

static int damon_area_init(struct dentry *root)
{
	mmscope_kdamonds = kvcalloc(DAMON_MAX_KDAMONDS, sizeof(*mmscope_kdamonds), GFP_KERNEL);
	if (!mmscope_kdamonds)
		return -ENOMEM;
	mmscope_damon_dir = debugfs_create_dir("damon", root);
	debugfs_create_file("enable", 0600, mmscope_damon_dir, NULL, &enable_fops);
	debugfs_create_file("recent", 0400, mmscope_damon_dir, NULL, &recent_fops);
	return 0;
}

static void damon_area_exit(void)
{
	mutex_lock(&mmscope_damon_enable_lock);
	if (mmscope_damon_enabled)
		damon_probes_unregister();
	mmscope_damon_enabled = false;
	mutex_unlock(&mmscope_damon_enable_lock);
	kvfree(mmscope_kdamonds);
	mmscope_kdamonds = NULL;
}

const struct mmscope_area mmscope_damon_area = {
	.name = "damon",
	.init = damon_area_init,
	.exit = damon_area_exit,
};
