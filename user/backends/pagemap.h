/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The compound pages processes map, from /proc/PID/maps, /proc/PID/pagemap
 * and /proc/kpageflags: which large folios to ask the module about.
 */
#ifndef MMSCOPE_PAGEMAP_H
#define MMSCOPE_PAGEMAP_H

#include <stddef.h>

/* One present page of a compound folio, seen in one mm. */
struct pagemap_entry {
	unsigned long pfn, addr;
	long mm_id;
	int pid;
};

struct pagemap_walk {
	struct pagemap_entry *maps;
	size_t nr, cap;
	unsigned long small, small_excl, swapped;	/* pages not in @maps */
	int kpf;
};

int pagemap_walk_init(struct pagemap_walk *w);
void pagemap_walk_release(struct pagemap_walk *w);
/* Every present page of @pid in [start, end); -ESRCH once it has gone. */
int pagemap_walk_pid(struct pagemap_walk *w, int pid, long mm_id, unsigned long start,
		     unsigned long end);
/* Sorts by PFN, then mm id: each folio's pages become one run. */
void pagemap_sort_by_pfn(struct pagemap_walk *w);
/* Sorts maps[from, to) by mm id. */
void pagemap_sort_by_mm(struct pagemap_walk *w, size_t from, size_t to);
/* The end of the run of maps[from...] inside [head_pfn, head_pfn + nr_pages). */
size_t pagemap_folio_end(const struct pagemap_walk *w, size_t from, unsigned long head_pfn,
			 long nr_pages);

#endif /* MMSCOPE_PAGEMAP_H */
