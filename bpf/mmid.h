/* SPDX-License-Identifier: GPL-2.0 */
/* mmscope mmid trace: what the BPF side counts, shared with user/. */
#ifndef MMSCOPE_BPF_MMID_H
#define MMSCOPE_BPF_MMID_H

#include "hist_slots.h"

/*
 * The ops the tracer tells apart.  The patch series' rmap:folio_mm_id event
 * has a signed delta, the folio and the MM-ID; bpf/mmid.bpf.c derives them.
 */
enum mmid_op {
	MMID_OP_ADD_ANON,
	MMID_OP_ADD_FILE,
	MMID_OP_REMOVE,
	MMID_OP_DUP_ANON,
	MMID_OP_DUP_FILE,
	MMID_NR_OPS,
};

/* The folio fields the tracer found in this kernel (CO-RE, at load). */
enum mmid_folio_feature {
	FOLIO_HAS_HEAD_FLAG = 1 << 0,		/* flags and PG_head: large or not */
	FOLIO_HAS_LARGE_MAPCOUNT = 1 << 1,	/* _large_mapcount */
	FOLIO_HAS_MM_IDS = 1 << 2,		/* _mm_ids: the shared bit */
};

struct mmid_trace_hists {
	unsigned long long nr_pages[MMID_NR_OPS][HIST_LOG2_SLOTS];
	unsigned long long large_mapcount[HIST_LOG2_SLOTS];
	unsigned long long shared_set;
	unsigned long long shared_clear;
};

#endif /* MMSCOPE_BPF_MMID_H */
