// SPDX-License-Identifier: GPL-2.0
/*
 * mmid/census: one pass over all online memory, counting large folios per
 * order by MM-ID state, with log2 histograms of the large mapcount and of
 * each slot's mapcount.
 *
 * The pass runs when the file is opened, holds no lock across it,
 * reschedules regularly and stops on a fatal signal.  Every read of the
 * open file prints the same result.  Each PFN is looked at once, also
 * where the spans of two nodes interleave.
 *
 * What the pass does to the folios it counts: it takes one reference on
 * one folio at a time (folio_try_get()), reads the folio's MM-ID state
 * without any lock of rmap's (mmid_snapshot()) and drops the reference
 * before it counts anything.  While the reference is held, which is a
 * few dozen loads:
 *  - a write fault on a PTE-mapped anon folio that is not yet marked
 *    exclusive sees an unexpected reference and copies the page instead of
 *    reusing it (wp_can_reuse_anon_folio() and friends), and khugepaged or
 *    KSM may skip the folio;
 *  - a split, a migration, compaction or a page cache removal that
 *    freezes the refcount at its expected value fails with -EAGAIN/-EBUSY
 *    and is retried by its caller, or gives up (e.g. one compaction run
 *    migrates fewer pages).
 * Nothing is corrupted and everything falls back to its slow path; a
 * census is an observer that makes the memory it looks at a little less
 * mergeable and movable while it runs.  Folios whose refcount is frozen
 * at that moment are counted as "busy", not looked at.
 */
#include <linux/debugfs.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/nodemask.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "mmid.h"
#include "../bpf/hist_slots.h"

#ifdef CONFIG_MM_ID

/* Folio orders above this are counted in the last row. */
#define MMID_ORDERS		32
/* Look for rescheduling and fatal signals this often (in PFNs). */
#define MMID_RESCHED_PFNS	4096

struct mmid_census {
	u64 pfns;
	u64 ns;
	u64 large;
	u64 anon;
	u64 file;
	u64 shared_bit;
	u64 maybe_shared;
	u64 hugetlb;
	u64 kernel;		/* typed compound pages: slab, large kmalloc */
	u64 busy;		/* frozen, freed or split under us: not counted */
	u64 approximate;	/* no two snapshots of it agreed */
	u64 state[MMID_ORDERS][MMID_NR_STATES];
	u64 order_shared_bit[MMID_ORDERS];
	u64 order_maybe_shared[MMID_ORDERS];
	u64 hist_large[HIST_LOG2_SLOTS];
	u64 hist_slot[2][HIST_LOG2_SLOTS];
};

/* Called without a reference: @s and the flags were read under one. */
static void mmid_census_count(struct mmid_census *c, const struct mmid_snap *s,
			      bool anon, bool file)
{
	unsigned int order = min_t(unsigned int, s->order, MMID_ORDERS - 1);
	int i;

	c->large++;
	if (anon)
		c->anon++;
	else if (file)
		c->file++;
	c->approximate += s->approximate;
	c->state[order][mmid_classify(s)]++;
	if (s->shared_bit) {
		c->shared_bit++;
		c->order_shared_bit[order]++;
	}
	if (s->maybe_shared) {
		c->maybe_shared++;
		c->order_maybe_shared[order]++;
	}
	c->hist_large[hist_log2_slot(max(s->large_mapcount, 0))]++;
	for (i = 0; i < 2; i++)
		if (s->id[i])
			c->hist_slot[i][hist_log2_slot(max(s->slot_mapcount[i], 0))]++;
}

/* How many PFNs starting at @page this step covers. */
static unsigned long mmid_census_page(struct mmid_census *c, struct page *page)
{
	struct folio *folio;
	struct mmid_snap s;
	unsigned long nr;
	bool anon, file;

	/* Racy hints only: everything is re-checked under a reference. */
	if (!PageHead(page))
		return 1;
	folio = (struct folio *)page;
	if (folio_test_hugetlb(folio)) {
		c->hugetlb++;
		return 1;
	}
	if (page_has_type(page)) {
		c->kernel++;
		return 1;
	}
	if (!folio_try_get(folio)) {
		/* A compound head with no reference: frozen or being freed. */
		c->busy++;
		return 1;
	}
	if (unlikely(page_folio(page) != folio || !folio_test_large(folio) ||
		     folio_test_hugetlb(folio))) {
		c->busy++;
		folio_put(folio);
		return 1;
	}
	/* The reference is held for these loads only. */
	mmid_snapshot(folio, &s);
	anon = folio_test_anon(folio);
	file = !anon && folio->mapping;
	nr = folio_nr_pages(folio);
	folio_put(folio);

	mmid_census_count(c, &s, anon, file);
	return nr;
}

/*
 * Memory comes online, and ZONE_DEVICE memory collides with it, in whole
 * subsections: one pfn_to_online_page() answers for all of its PFNs.
 */
#if defined(PAGES_PER_SUBSECTION)
#define MMID_BLOCK_PFNS		PAGES_PER_SUBSECTION
#elif defined(PAGES_PER_SECTION)
#define MMID_BLOCK_PFNS		PAGES_PER_SECTION
#else
#define MMID_BLOCK_PFNS		1UL
#endif

/*
 * Counts the folios that start in [@pfn, @end), one online subsection, and
 * returns how many PFNs it covered: up to the end of the last folio seen.
 */
static unsigned long mmid_census_block(struct mmid_census *c, unsigned long pfn,
				       unsigned long end)
{
	unsigned long first = pfn;

	while (pfn < end)
		pfn += mmid_census_page(c, pfn_to_page(pfn));
	return pfn - first;
}

/*
 * Node spans may overlap (where nodes interleave) or touch: the census
 * walks their union, so that each PFN is looked at once.  Returns the end
 * of the stretch of the union that holds @pfn, or 0 when none does; then
 * *@next is the first span start above @pfn (ULONG_MAX: no more memory).
 */
static unsigned long mmid_span_end(unsigned long pfn, unsigned long *next)
{
	unsigned long end = pfn;
	bool grown;
	int nid;

	do {
		grown = false;
		for_each_online_node(nid) {
			if (node_start_pfn(nid) <= end && node_end_pfn(nid) > end) {
				end = node_end_pfn(nid);
				grown = true;
			}
		}
	} while (grown);
	if (end > pfn)
		return end;

	*next = ULONG_MAX;
	for_each_online_node(nid) {
		unsigned long start = node_start_pfn(nid);

		if (start > pfn && start < node_end_pfn(nid) && start < *next)
			*next = start;
	}
	return 0;
}

static int mmid_census_range(struct mmid_census *c, unsigned long pfn,
			     unsigned long end, unsigned long *budget)
{
	while (pfn < end) {
		unsigned long block_end = min(ALIGN(pfn + 1, MMID_BLOCK_PFNS), end);
		unsigned long step = block_end - pfn;
		int idx = mmid_memmap_lock();

		if (pfn_to_online_page(pfn))
			step = mmid_census_block(c, pfn, block_end);
		mmid_memmap_unlock(idx);
		step = min(step, end - pfn);	/* a folio past the span's end */
		pfn += step;
		c->pfns += step;
		if (step >= *budget) {
			*budget = MMID_RESCHED_PFNS;
			cond_resched();
			if (fatal_signal_pending(current))
				return -EINTR;
		} else {
			*budget -= step;
		}
	}
	return 0;
}

static int mmid_census_scan(struct mmid_census *c)
{
	u64 start = ktime_get_ns();
	unsigned long budget = MMID_RESCHED_PFNS;
	unsigned long pfn = 0, end, next;
	int err;

	for (;;) {
		end = mmid_span_end(pfn, &next);
		if (!end) {
			if (next == ULONG_MAX)
				break;
			pfn = next;
			continue;
		}
		err = mmid_census_range(c, pfn, end, &budget);
		if (err)
			return err;
		pfn = end;
	}
	c->ns = ktime_get_ns() - start;
	return 0;
}

static void mmid_census_hist(struct seq_file *m, const char *name, const u64 *slots)
{
	int i;

	seq_printf(m, "hist %s:", name);
	for (i = 0; i < HIST_LOG2_SLOTS; i++)
		if (slots[i])
			seq_printf(m, " %d:%llu", i, slots[i]);
	seq_putc(m, '\n');
}

static int mmid_census_show(struct seq_file *m, void *unused)
{
	struct mmid_census *c = m->private;
	int order, st;

	seq_printf(m, "pfns_scanned: %llu\nscan_ns: %llu\n", c->pfns, c->ns);
	seq_printf(m, "pfns_per_sec: %llu\n",
		   c->ns ? div64_u64(c->pfns * NSEC_PER_SEC, c->ns) : 0);
	seq_printf(m, "large_folios: %llu\nanon: %llu\nfile: %llu\n",
		   c->large, c->anon, c->file);
	seq_printf(m, "shared_bit: %llu\nmaybe_shared: %llu\n", c->shared_bit, c->maybe_shared);
	seq_printf(m, "hugetlb: %llu\nkernel_compound: %llu\nbusy: %llu\n",
		   c->hugetlb, c->kernel, c->busy);
	seq_printf(m, "approximate: %llu\n", c->approximate);
	seq_puts(m, "order");
	for (st = 0; st < MMID_NR_STATES; st++)
		seq_printf(m, " %12s", mmid_state_names[st]);
	seq_printf(m, " %12s %12s\n", "shared_bit", "maybe_shared");
	for (order = 0; order < MMID_ORDERS; order++) {
		u64 sum = 0;

		for (st = 0; st < MMID_NR_STATES; st++)
			sum += c->state[order][st];
		if (!sum)
			continue;
		seq_printf(m, "%5d", order);
		for (st = 0; st < MMID_NR_STATES; st++)
			seq_printf(m, " %12llu", c->state[order][st]);
		seq_printf(m, " %12llu %12llu\n", c->order_shared_bit[order],
			   c->order_maybe_shared[order]);
	}
	mmid_census_hist(m, "large_mapcount", c->hist_large);
	mmid_census_hist(m, "slot0_mapcount", c->hist_slot[0]);
	mmid_census_hist(m, "slot1_mapcount", c->hist_slot[1]);
	return 0;
}

static int mmid_census_open(struct inode *inode, struct file *file)
{
	struct mmid_census *c = kzalloc(sizeof(*c), GFP_KERNEL);
	int err;

	if (!c)
		return -ENOMEM;
	err = mmid_census_scan(c);
	if (!err)
		err = single_open(file, mmid_census_show, c);
	if (err)
		kfree(c);
	return err;
}

static int mmid_census_release(struct inode *inode, struct file *file)
{
	struct seq_file *m = file->private_data;

	kfree(m->private);
	return single_release(inode, file);
}

static const struct file_operations mmid_census_fops = {
	.owner = THIS_MODULE,
	.open = mmid_census_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = mmid_census_release,
};

int mmid_census_init(struct dentry *dir)
{
	debugfs_create_file("census", 0400, dir, NULL, &mmid_census_fops);
	return 0;
}

#endif /* CONFIG_MM_ID */
