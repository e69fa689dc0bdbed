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

/*
 * mmid audit's CoW cost: write faults that copied one page of a large anon
 * folio (each copy is one base page), by the folio's order.
 */
#define MMID_COW_ORDERS 12	/* orders 0-10, and 11 for anything larger */

struct mmid_cow_counts {
	/* every copy of a page of a large anon folio in a write fault (BPF) */
	unsigned long long copies[MMID_COW_ORDERS];
	/*
	 * Of those, the copies with the shared bit set while the faulting MM
	 * was the folio's only one and no reference but the mappings' was
	 * held: what reuse would have saved, had the bit been exact; and the
	 * same with another reference held (copied anyway).  mmid audit fills
	 * these from struct mmid_cow_pending and its walk.
	 */
	unsigned long long false_shared[MMID_COW_ORDERS];
	unsigned long long false_shared_pinned[MMID_COW_ORDERS];
	/* copies for the walk to settle, on a kernel that hides vmemmap_base (BPF) */
	unsigned long long unsettled;
};

/*
 * A copy with the shared bit set while no MM-ID slot held any of the
 * folio's mappings, all of them in MMs without a slot, the faulting one
 * included.  The kernel clears the bit as soon as one slot holds every
 * mapping (folio_sub_large_mapcount()), so this is the only state in which
 * the bit can be false: only the page tables can tell whether the faulting
 * MM was alone, and mmid audit settles these with its walk, per folio and MM.
 */
struct mmid_cow_key {
	unsigned long long pfn;		/* head PFN */
	unsigned int mm_id;
	unsigned int pad;
};

struct mmid_cow_pending {
	unsigned long long copies;
	unsigned long long pinned;	/* of those, with another reference held */
	unsigned int order;
	unsigned int pad;
};

/* Who set a folio's shared bit (the second MM to map it), by head PFN. */
struct mmid_bit_setter {
	unsigned int mm_id;		/* the MM the mapping was added for */
	unsigned int pid;		/* the task that added it (fork: the parent) */
	unsigned long long ts_ns;
	char comm[16];
};

#endif /* MMSCOPE_BPF_MMID_H */
