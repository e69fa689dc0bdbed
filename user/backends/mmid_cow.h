/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The CoW-cost tracer of mmid audit (bpf/mmid_cow.bpf.c): copies of pages
 * of large anon folios in write faults, those the shared bit alone forced,
 * and who set each folio's shared bit.
 */
#ifndef MMSCOPE_MMID_COW_H
#define MMSCOPE_MMID_COW_H

#include <stdbool.h>

#include "../bpf/mmid.h"	/* user/backends/mmid.h shadows it on the include path */

struct mmid_cow;

/*
 * Load and attach; NULL after saying why on stderr (a kernel without the
 * fault-path functions in its BTF, or one that refuses fentry).
 */
struct mmid_cow *mmid_cow_start(void);
/* "tp_btf:folio_mm_id" or the fallback, and whether its counts are exact. */
const char *mmid_cow_source(const struct mmid_cow *c, bool *exact);
/* The counts since the last take, summed over the CPUs; 0 or -errno. */
int mmid_cow_take(struct mmid_cow *c, struct mmid_cow_counts *sum);
/* A copy the walk settles: the folio, the copying MM, and its copies. */
struct mmid_cow_settle {
	struct mmid_cow_key key;
	struct mmid_cow_pending val;
};

/* Those since the last call (*out to free); 0 or -errno. */
int mmid_cow_take_pending(struct mmid_cow *c, struct mmid_cow_settle **out, size_t *n);
/* The mapping that last set the shared bit of the folio at @pfn; 0 when known. */
int mmid_cow_setter(const struct mmid_cow *c, unsigned long pfn, struct mmid_bit_setter *s);
void mmid_cow_stop(struct mmid_cow *c);

#endif /* MMSCOPE_MMID_COW_H */
