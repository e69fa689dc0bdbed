// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/PID/pagemap gives each present page's PFN without touching the
 * page (no reference, no fault, no accessed bit: GUP would set all three)
 * and /proc/kpageflags says which PFNs belong to compound pages, so the
 * module is asked once per large folio, never per small page.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "pagemap.h"

#define PM_PRESENT	(1ULL << 63)
#define PM_SWAP		(1ULL << 62)
#define PM_EXCLUSIVE	(1ULL << 56)
#define PM_PFN_MASK	((1ULL << 55) - 1)
#define KPF_HEAD	(1ULL << 15)
#define KPF_TAIL	(1ULL << 16)
#define PAGE_SZ		4096UL
#define BATCH		512

int pagemap_walk_init(struct pagemap_walk *w)
{
	*w = (struct pagemap_walk){ .kpf = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC) };
	return w->kpf < 0 ? -errno : 0;
}

void pagemap_walk_release(struct pagemap_walk *w)
{
	if (w->kpf >= 0)
		close(w->kpf);
	free(w->maps);
	w->maps = NULL;
	w->kpf = -1;
}

static int add_entry(struct pagemap_walk *w, unsigned long pfn, unsigned long addr, long id,
		     int pid)
{
	if (w->nr == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 4096;
		struct pagemap_entry *m = realloc(w->maps, cap * sizeof(*m));

		if (!m)
			return -ENOMEM;
		w->maps = m;
		w->cap = cap;
	}
	w->maps[w->nr++] = (struct pagemap_entry){ pfn, addr, id, pid };
	return 0;
}

static uint64_t kpageflags(struct pagemap_walk *w, unsigned long pfn)
{
	uint64_t f;

	if (pread(w->kpf, &f, 8, pfn * 8) != 8)
		return KPF_HEAD;	/* unknown: let the module decide */
	return f;
}

/* One batch of pagemap entries starting at @addr. */
static int add_batch(struct pagemap_walk *w, const uint64_t *pm, size_t n, unsigned long addr,
		     int pid, long mm_id)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned long pfn = pm[i] & PM_PFN_MASK;

		if (pm[i] & PM_SWAP) {
			w->swapped++;
			continue;
		}
		if (!(pm[i] & PM_PRESENT) || !pfn)
			continue;
		if (!(kpageflags(w, pfn) & (KPF_HEAD | KPF_TAIL))) {
			w->small++;
			w->small_excl += !!(pm[i] & PM_EXCLUSIVE);
			continue;
		}
		if (add_entry(w, pfn, addr + i * PAGE_SZ, mm_id, pid))
			return -ENOMEM;
	}
	return 0;
}

/* The pages of one mapping [s, e) of the pagemap file @fd. */
static int walk_range(struct pagemap_walk *w, int fd, unsigned long s, unsigned long e, int pid,
		      long mm_id)
{
	uint64_t pm[BATCH];
	unsigned long a;
	int err;

	for (a = s; a < e; a += BATCH * PAGE_SZ) {
		size_t n = (e - a) / PAGE_SZ;
		ssize_t got;

		if (n > BATCH)
			n = BATCH;
		got = pread(fd, pm, n * 8, a / PAGE_SZ * 8);
		/*
		 * 0: nothing mapped there for pagemap ([vsyscall] is above
		 * TASK_SIZE), or the mm is gone, which the caller finds out
		 * after the walk.
		 */
		if (got == 0)
			return 0;
		if (got < 0)
			return -errno;
		err = add_batch(w, pm, got / 8, a, pid, mm_id);
		if (err)
			return err;
	}
	return 0;
}

int pagemap_walk_pid(struct pagemap_walk *w, int pid, long mm_id, unsigned long start,
		     unsigned long end)
{
	char path[64], line[512];
	int fd, err = 0;
	FILE *maps;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	maps = fopen(path, "re");
	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (!maps || fd < 0) {
		/* No /proc/PID: the task has exited and been reaped. */
		err = errno == ENOENT ? -ESRCH : -errno;
		goto out;
	}
	while (!err && fgets(line, sizeof(line), maps)) {
		unsigned long s, e;

		if (sscanf(line, "%lx-%lx", &s, &e) != 2)
			continue;
		if (s < start)
			s = start;
		if (e > end)
			e = end;
		err = walk_range(w, fd, s, e, pid, mm_id);
	}
out:
	if (maps)
		fclose(maps);
	if (fd >= 0)
		close(fd);
	return err;
}

static int by_pfn(const void *a, const void *b)
{
	const struct pagemap_entry *x = a, *y = b;

	if (x->pfn != y->pfn)
		return x->pfn < y->pfn ? -1 : 1;
	return x->mm_id < y->mm_id ? -1 : x->mm_id > y->mm_id;
}

static int by_mm(const void *a, const void *b)
{
	const struct pagemap_entry *x = a, *y = b;

	return x->mm_id < y->mm_id ? -1 : x->mm_id > y->mm_id;
}

void pagemap_sort_by_pfn(struct pagemap_walk *w)
{
	qsort(w->maps, w->nr, sizeof(*w->maps), by_pfn);
}

void pagemap_sort_by_mm(struct pagemap_walk *w, size_t from, size_t to)
{
	qsort(w->maps + from, to - from, sizeof(*w->maps), by_mm);
}

size_t pagemap_folio_end(const struct pagemap_walk *w, size_t from, unsigned long head_pfn,
			 long nr_pages)
{
	size_t j;

	for (j = from; j < w->nr && w->maps[j].pfn < head_pfn + nr_pages; j++)
		;
	return j;
}
