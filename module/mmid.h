/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mmscope mmid: what the module knows about one large folio's MM-ID
 * tracking, shared by the per-PFN query and the census.
 */
#ifndef _MMSCOPE_MMID_H
#define _MMSCOPE_MMID_H

#include <linux/debugfs.h>
#include <linux/mm.h>
#include <linux/rmap.h>

#include "../compat/mm_id_accessors.h"

/*
 * A folio's MM-ID state, read without rmap's lock (mmid_snapshot()) and
 * only through accessors: the kernel's (folio_mm_id(),
 * folio_large_mapcount(), folio_entire_mapcount(), folio_has_pincount(),
 * folio_maybe_mapped_shared()) and those patch 0006 of the series adds
 * (folio_mm_id_mapcount(), folio_test_mm_ids_shared(), folio_pincount()),
 * which compat/mm_id_accessors.h backports to kernels without it.  Every
 * field but refcount comes from one pass over the folio that the next pass
 * repeated exactly, unless @approximate says no two passes agreed.
 */
struct mmid_snap {
	unsigned int order;
	int refcount;		/* without the reference the reader holds */
	int pincount;		/* -1: the folio has no pincount */
	int large_mapcount;
	int entire_mapcount;
	unsigned int id[2];
	int slot_mapcount[2];
	bool shared_bit;
	bool maybe_shared;	/* folio_maybe_mapped_shared() */
	bool approximate;
};

/*
 * The census states.  "exclusive": one slot holds every mapping;
 * "shared": both slots together hold every mapping (two MMs, truly
 * shared); "untracked": some mappings belong to MMs no slot tracks, so the
 * kernel cannot tell whether the folio is exclusive.
 */
enum mmid_state {
	MMID_EXCLUSIVE,
	MMID_SHARED,
	MMID_UNTRACKED,
	MMID_UNMAPPED,
	MMID_NR_STATES,
};

extern const char *const mmid_state_names[MMID_NR_STATES];

/* Caller holds a reference on the large, non-hugetlb folio. */
void mmid_snapshot(struct folio *folio, struct mmid_snap *s);
enum mmid_state mmid_classify(const struct mmid_snap *s);

int mmid_census_init(struct dentry *dir);

/*
 * pfn_to_online_page() and every read of the page it returns go between
 * these two; the page cannot be poisoned by memory offlining meanwhile.
 */
int mmid_memmap_lock(void);
void mmid_memmap_unlock(int idx);
int mmid_memmap_init(void);
void mmid_memmap_exit(void);

#endif /* _MMSCOPE_MMID_H */
