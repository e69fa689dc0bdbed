/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mmscope mmid: what the module knows about one large folio's MM-ID
 * tracking, shared by the per-PFN query and the census.
 */
#ifndef _MMSCOPE_MMID_H
#define _MMSCOPE_MMID_H

#include <linux/debugfs.h>
#include <linux/mm.h>

/*
 * A folio's MM-ID state, read without rmap's lock (mmid_snapshot()): every
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

#ifdef CONFIG_MM_ID
/*
 * mmid_folio_read_private - the only read of rmap-private folio fields
 * @folio: a large folio the caller holds a reference on
 * @slot_mapcount: each slot's mapcount (not minus one; 0 for a free slot)
 * @shared_bit: the raw "maybe mapped shared" bit of _mm_ids
 * @pincount: the pincount, or -1 when folio_has_pincount() says it has none
 *
 * 7.2 has getters for the slot ids (folio_mm_id()), the mapcounts
 * (folio_large_mapcount(), folio_entire_mapcount()) and a filtered view of
 * the shared bit (folio_maybe_mapped_shared(), which answers "exclusive"
 * whenever the folio is mapped once), but none for a slot's mapcount, the
 * raw bit or the pincount's value.  The series should add them to
 * include/linux/rmap.h and mm.h (e.g. folio_mm_id_mapcount(),
 * folio_test_mm_ids_shared(), folio_pincount()); this helper then becomes
 * three calls.  Nothing else in mmscope touches these fields.
 *
 * rmap writes the slots under folio_lock_large_mapcount(), which mmscope
 * never takes (a folio being set up by folio_set_large_mapcount() changes
 * the lock's word with a plain read-modify-write).  Each load here is a
 * single READ_ONCE and may see an update half done: mmid_snapshot()
 * repeats the whole read until two passes agree.
 */
static inline void mmid_folio_read_private(const struct folio *folio,
					   int slot_mapcount[2],
					   bool *shared_bit, int *pincount)
{
	/* Stored minus one; a free slot holds -1. */
	slot_mapcount[0] = READ_ONCE(folio->_mm_id_mapcount[0]) + 1;
	slot_mapcount[1] = READ_ONCE(folio->_mm_id_mapcount[1]) + 1;
	*shared_bit = READ_ONCE(folio->_mm_ids) & FOLIO_MM_IDS_SHARED_BIT;
	/* On 32-bit an order-1 folio has no _pincount: that is the next page. */
	*pincount = folio_has_pincount(folio) ?
		    atomic_read(&folio->_pincount) : -1;
}
#endif

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
