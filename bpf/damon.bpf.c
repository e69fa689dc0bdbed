// SPDX-License-Identifier: GPL-2.0
/*
 * DAMON intervals tuning: every damon_monitor_intervals_tune event (with the
 * patch series, the tuner's aggr_samples, ratio and score too), and per
 * aggregation the sums the tuner's score is made of.
 *
 * damon_aggregated fires once per region, in address order, for each target
 * in turn, from kdamond_reset_aggregated().  Summing per kdamond thread and
 * emitting one event when a target's last region is seen keeps the ring
 * buffer traffic at one record per target per aggregation.  A pass restarts
 * when the target changes or the region address goes backwards, so a tracer
 * attached in the middle of a pass drops that partial pass.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "damon.h"

struct pass {
	__u64 sz;
	__u64 access_sz;
	__u64 last_start;
	__u32 target_id;
	__u32 seen;
	__u32 max_nr_accesses;
	__u32 valid;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, struct pass);
} passes SEC(".maps");

/* Only this kdamond's events when non-zero (set before load). */
const volatile __u32 filter_pid;
/*
 * The arguments of damon_monitor_intervals_tune in this kernel (set before
 * load from its BTF): 1, the new sample_us, or with the patch series 4,
 * also aggr_samples, access_bp and score_bp.  A constant, so the verifier
 * never sees a read past the event's arguments on an unpatched kernel.
 */
const volatile __u32 tune_nr_args = 1;
__u64 dropped;

static __always_inline bool wanted(__u32 pid)
{
	return !filter_pid || filter_pid == pid;
}

static __always_inline int on_tune(__u64 *ctx)
{
	unsigned long sample_us = ctx[0];
	__u32 pid = bpf_get_current_pid_tgid();
	struct damon_ev *e;

	if (!wanted(pid))
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&dropped, 1);
		return 0;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->ts_ns = bpf_ktime_get_ns();
	e->type = DAMON_EV_TUNE;
	e->pid = pid;
	e->sample_us = sample_us;
	if (tune_nr_args >= 4) {
		e->has_score = 1;
		e->aggr_samples = ctx[1];
		e->access_bp = ctx[2];
		e->score_bp = ctx[3];
	}
	bpf_ringbuf_submit(e, 0);
	return 0;
}

static __always_inline int on_aggregated(unsigned int target_id, struct damon_region *r,
					 unsigned int nr_regions)
{
	__u32 pid = bpf_get_current_pid_tgid();
	struct pass zero = {}, *p;
	unsigned long start, end;
	unsigned int nr;
	struct damon_ev *e;

	if (!wanted(pid))
		return 0;
	p = bpf_map_lookup_elem(&passes, &pid);
	if (!p) {
		bpf_map_update_elem(&passes, &pid, &zero, BPF_NOEXIST);
		p = bpf_map_lookup_elem(&passes, &pid);
		if (!p)
			return 0;
	}
	start = BPF_CORE_READ(r, ar.start);
	end = BPF_CORE_READ(r, ar.end);
	nr = BPF_CORE_READ(r, nr_accesses);

	if (!p->valid || p->target_id != target_id || start < p->last_start ||
	    p->seen >= nr_regions) {
		/* A new pass; valid only if it starts at the target's first region. */
		p->valid = 1;
		p->sz = 0;
		p->access_sz = 0;
		p->seen = 0;
		p->max_nr_accesses = 0;
		p->target_id = target_id;
	}
	p->last_start = start;
	p->seen++;
	p->sz += end - start;
	p->access_sz += (__u64)nr * (end - start);
	if (nr > p->max_nr_accesses)
		p->max_nr_accesses = nr;
	if (p->seen != nr_regions)
		return 0;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&dropped, 1);
	} else {
		__builtin_memset(e, 0, sizeof(*e));
		e->ts_ns = bpf_ktime_get_ns();
		e->type = DAMON_EV_AGGR;
		e->pid = pid;
		e->sz = p->sz;
		e->access_sz = p->access_sz;
		e->target_id = target_id;
		e->nr_regions = nr_regions;
		e->max_nr_accesses = p->max_nr_accesses;
		bpf_ringbuf_submit(e, 0);
	}
	p->valid = 0;
	return 0;
}

SEC("tp_btf/damon_monitor_intervals_tune")
int tune_btf(__u64 *ctx)
{
	return on_tune(ctx);
}

SEC("raw_tp/damon_monitor_intervals_tune")
int tune_raw(__u64 *ctx)
{
	return on_tune(ctx);
}

SEC("tp_btf/damon_aggregated")
int BPF_PROG(aggr_btf, unsigned int target_id, struct damon_region *r, unsigned int nr_regions)
{
	return on_aggregated(target_id, r, nr_regions);
}

SEC("raw_tp/damon_aggregated")
int BPF_PROG(aggr_raw, unsigned int target_id, struct damon_region *r, unsigned int nr_regions)
{
	return on_aggregated(target_id, r, nr_regions);
}

char LICENSE[] SEC("license") = "GPL";
