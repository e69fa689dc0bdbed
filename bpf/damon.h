/* SPDX-License-Identifier: GPL-2.0 */
/* Events from the DAMON tracer (bpf/damon.bpf.c) to `mmscope damon record`. */
#ifndef MMSCOPE_BPF_DAMON_H
#define MMSCOPE_BPF_DAMON_H

enum damon_ev_type {
	DAMON_EV_TUNE = 1,	/* damon_monitor_intervals_tune */
	DAMON_EV_AGGR = 2,	/* one target's regions of one aggregation */
};

struct damon_ev {
	__u64 ts_ns;		/* bpf_ktime_get_ns() */
	__u32 type;
	__u32 pid;		/* the kdamond thread */
	__u64 sample_us;	/* TUNE: the new sampling interval */
	__u64 sz;		/* AGGR: bytes in the target's regions */
	__u64 access_sz;	/* AGGR: sum of nr_accesses * region size */
	__u32 target_id;
	__u32 nr_regions;
	__u32 max_nr_accesses;
	__u32 has_score;	/* TUNE: the kernel's event has the fields below */
	__u64 aggr_samples;	/* TUNE, patch series: the tuner's inputs */
	__u64 access_bp;	/* observed access ratio, basis points */
	__u64 score_bp;		/* the ratio against the goal, basis points of it */
};

#endif /* MMSCOPE_BPF_DAMON_H */
