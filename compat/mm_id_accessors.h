/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The accessors patch 0006 of the series (patches/) adds to
 * include/linux/mm.h and include/linux/rmap.h, for kernels built without
 * it, such as the one Debian ships: the same bodies, so that the module
 * reads a large folio's MM-ID slots, shared bit and pincount the same way
 * on every kernel.  Kbuild defines MMSCOPE_HAVE_MM_ID_ACCESSORS when the
 * kernel has them; this file goes once the series is merged.
 */
#ifndef _MMSCOPE_COMPAT_MM_ID_ACCESSORS_H
#define _MMSCOPE_COMPAT_MM_ID_ACCESSORS_H

#include <linux/mm.h>
#include <linux/rmap.h>

#if defined(CONFIG_MM_ID) && !defined(MMSCOPE_HAVE_MM_ID_ACCESSORS)
static inline int folio_mm_id_mapcount(const struct folio *folio, int idx)
{
	VM_WARN_ON_ONCE(idx != 0 && idx != 1);
	/* Stored minus one, like every mapcount. */
	return READ_ONCE(folio->_mm_id_mapcount[idx]) + 1;
}

static inline bool folio_test_mm_ids_shared(const struct folio *folio)
{
	return test_bit(FOLIO_MM_IDS_SHARED_BITNUM, &folio->_mm_ids);
}

static inline int folio_pincount(const struct folio *folio)
{
	VM_WARN_ON_ONCE(!folio_has_pincount(folio));
	return atomic_read(&folio->_pincount);
}
#endif

#endif /* _MMSCOPE_COMPAT_MM_ID_ACCESSORS_H */
