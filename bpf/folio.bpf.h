/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the mmid programs read of a large folio, through the CO-RE flavours
 * of core_fixes.bpf.h: each field is tested before it is read, so the
 * objects load on kernels without CONFIG_MM_ID or with another flags type.
 */
#ifndef MMSCOPE_FOLIO_BPF_H
#define MMSCOPE_FOLIO_BPF_H

#include "core_fixes.bpf.h"
#include "mmid.h"

/* FOLIO_MM_IDS_SHARED_BITNUM with 64-bit longs: 2 * MM_ID_BITS + 1. */
#define MMID_SHARED_BIT 63
/* MM_ID_MASK: an MM ID is the low 31 bits of its mm_id_t slot. */
#define MMID_ID_MASK 0x7fffffffU
/* PGTABLE_LEVEL_PTE in enum pgtable_level */
#define MMID_LEVEL_PTE 0

static __always_inline unsigned int folio_features(void)
{
	unsigned int f = 0;

	if (bpf_core_enum_value_exists(enum pageflags___mmscope, PG_head___mmscope) &&
	    (bpf_core_field_exists(struct folio___mmscope, flags.f) ||
	     bpf_core_field_exists(struct folio___flags_ul, flags)))
		f |= FOLIO_HAS_HEAD_FLAG;
	if (bpf_core_field_exists(struct folio___mmscope, _large_mapcount))
		f |= FOLIO_HAS_LARGE_MAPCOUNT;
	if (bpf_core_field_exists(struct folio___mmscope, _mm_ids))
		f |= FOLIO_HAS_MM_IDS;
	return f;
}

static __always_inline bool folio_large(struct folio *folio)
{
	unsigned long flags;

	if (!(folio_features() & FOLIO_HAS_HEAD_FLAG))
		return false;
	if (bpf_core_field_exists(struct folio___mmscope, flags.f))
		flags = BPF_CORE_READ((struct folio___mmscope *)folio, flags.f);
	else
		flags = BPF_CORE_READ((struct folio___flags_ul *)folio, flags);
	return flags & (1UL << bpf_core_enum_value(enum pageflags___mmscope, PG_head___mmscope));
}

/* -1: this kernel has no MM-ID slots (CONFIG_MM_ID=n). */
static __always_inline int shared_bit(struct folio *folio)
{
	if (!bpf_core_field_exists(struct folio___mmscope, _mm_ids))
		return -1;
	return (BPF_CORE_READ((struct folio___mmscope *)folio, _mm_ids) >> MMID_SHARED_BIT) & 1;
}

/* A large folio's order (the low byte of its second page's flags). */
static __always_inline unsigned int folio_order(struct folio *folio)
{
	return BPF_CORE_READ((struct folio___mmscope *)folio, _flags_1) & 0xff;
}

static __always_inline bool folio_anon(struct folio *folio)
{
	return ((unsigned long)BPF_CORE_READ((struct folio___mmscope *)folio, mapping) & 3) == 1;	/* not KSM */
}

/* The large mapcount as the kernel counts it (stored minus one). */
static __always_inline int folio_large_mapcount(struct folio *folio)
{
	if (!bpf_core_field_exists(struct folio___mmscope, _large_mapcount))
		return -1;
	return BPF_CORE_READ((struct folio___mmscope *)folio, _large_mapcount.counter) + 1;
}

#endif /* MMSCOPE_FOLIO_BPF_H */
