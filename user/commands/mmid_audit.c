// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope mmid audit: every large folio any process maps, with the "maybe
 * mapped shared" bit checked against the MMs whose page tables map it.
 * With an interval, one audit per interval, each with the CoW cost of the
 * interval (backends/mmid_cow.c): the write-fault copies the bit forced.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <json-c/json.h>

#include "jsonl.h"
#include "render.h"
#include "mmscope.h"
#include "interval.h"
#include "mmid_cow.h"
#include "mmid_cmd.h"

struct audit_order {
	unsigned long folios, maybe, truly, fp, fn;
	unsigned long changed;	/* mismatches the walk's age explains */
};

struct audit {
	struct mmid_queries q;
	struct audit_order ord[MMID_ORDERS];
	long *seen;		/* mm ids walked */
	size_t nseen;
	struct json_object *root, *mismatches;
	struct mmid_cow *cow;	/* NULL: one snapshot, or no CoW tracer here */
	/* The maybe-shared folios of this audit, by head PFN: what copies are settled by. */
	struct folio_verdict {
		unsigned long head_pfn;
		unsigned int mms;
		long mm_id;	/* the one MM, when mms is 1 */
	} *verdicts;
	size_t nverdicts;
};

/* The copies the walk settled or could not, of one interval. */
struct cow_interval {
	struct mmid_cow_counts counts;
	struct mmid_cow_settle *pending;	/* taken with the counts */
	size_t npending;
	unsigned long long settled, undetermined;
};

static bool seen_before(struct audit *a, long id)
{
	size_t i;
	long *grown;

	for (i = 0; i < a->nseen; i++)
		if (a->seen[i] == id)
			return true;
	grown = realloc(a->seen, (a->nseen + 1) * sizeof(*a->seen));
	if (!grown)
		return true;	/* out of memory: the audit covers fewer MMs */
	a->seen = grown;
	a->seen[a->nseen++] = id;
	return false;
}

/* One walk per mm: threads and CLONE_VM children share page tables. */
static int walk_every_mm(struct audit *a)
{
	struct pagemap_walk *w = &a->q.walk;
	struct dirent *de;
	DIR *proc;

	proc = opendir("/proc");
	if (!proc) {
		errmsg("cannot list /proc: %s", strerror(errno));
		return EXIT_FAIL;
	}
	while ((de = readdir(proc))) {
		int pid = atoi(de->d_name);
		size_t nr_before = w->nr;
		long id;

		if (pid <= 0 || (id = mmid_task_mm_id(a->q.task_fd, pid, NULL, 0)) <= 0)
			continue;
		if (seen_before(a, id))
			continue;
		if (pagemap_walk_pid(w, pid, id, 0, ~0UL))
			w->nr = nr_before;	/* exited meanwhile: maps nothing now */
	}
	closedir(proc);
	pagemap_sort_by_pfn(w);
	return 0;
}

/* Who set the folio's shared bit, when the tracer saw it happen. */
static struct json_object *setter_json(const struct audit *a, const struct mmid_folio *f)
{
	struct mmid_bit_setter st;
	struct json_object *o;

	if (!a->cow || mmid_cow_setter(a->cow, f->head_pfn, &st))
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "mm_id", json_object_new_int64(st.mm_id));
	json_object_object_add(o, "pid", json_object_new_int(st.pid));
	st.comm[sizeof(st.comm) - 1] = 0;
	json_object_object_add(o, "comm", json_object_new_string(st.comm));
	return o;
}

static void mismatch_json(struct audit *a, const struct mmid_folio *f, size_t i, size_t j,
			  unsigned int mms, bool fp)
{
	const struct pagemap_entry *m = a->q.walk.maps;
	struct json_object *x = mmid_folio_json(f);
	struct json_object *by = json_object_new_array();
	size_t k;

	for (k = i; k < j; k++)
		if (k == i || m[k].mm_id != m[k - 1].mm_id)
			json_object_array_add(by, json_object_new_int(m[k].pid));
	json_object_object_add(x, "mapped_by_pids", by);
	json_object_object_add(x, "mms", json_object_new_int(mms));
	json_object_object_add(x, "verdict",
			       json_object_new_string(fp ? "false_positive" : "false_negative"));
	json_object_object_add(x, "bit_set_by", setter_json(a, f));
	json_object_array_add(a->mismatches, x);
}

static void mismatch_text(struct audit *a, const struct mmid_folio *f, size_t i, size_t j,
			  unsigned int mms, bool fp)
{
	const struct pagemap_entry *m = a->q.walk.maps;
	struct mmid_bit_setter st;
	size_t k;

	printf("%-8lx %-6u %-6d %d/%-5d %-5u %-9s", f->head_pfn, f->order, f->large_mapcount,
	       f->shared_bit, f->maybe_shared, mms, fp ? "false+" : "false-");
	for (k = i; k < j; k++) {
		char comm[64] = "?";

		if (k > i && m[k].mm_id == m[k - 1].mm_id)
			continue;
		mmid_task_mm_id(a->q.task_fd, m[k].pid, comm, sizeof(comm));
		printf(" %d:%s(%ld)", m[k].pid, comm, m[k].mm_id);
	}
	if (a->cow && !mmid_cow_setter(a->cow, f->head_pfn, &st)) {
		st.comm[sizeof(st.comm) - 1] = 0;
		printf("  bit set by %d:%s for mm %u", st.pid, st.comm, st.mm_id);
	}
	printf("\n");
}

static void note_verdict(struct audit *a, unsigned long head_pfn, unsigned int mms, long mm_id)
{
	struct folio_verdict *grown;

	if (!a->cow)
		return;
	grown = realloc(a->verdicts, (a->nverdicts + 1) * sizeof(*grown));
	if (!grown)
		return;		/* out of memory: those copies stay undetermined */
	a->verdicts = grown;
	a->verdicts[a->nverdicts++] = (struct folio_verdict){ head_pfn, mms, mm_id };
}

static int cmp_verdict(const void *key, const void *elem)
{
	unsigned long pfn = *(const unsigned long *)key;
	const struct folio_verdict *v = elem;

	return pfn < v->head_pfn ? -1 : pfn > v->head_pfn;
}

/*
 * The copies no slot could judge, judged by the walk that just ran: a
 * false positive when the copying MM is now the folio's only one, truly
 * shared when another maps it, undetermined when the folio is gone.
 */
static void settle_copies(struct audit *a, struct cow_interval *ci)
{
	struct mmid_cow_settle *p = ci->pending;
	size_t i;

	ci->undetermined += ci->counts.unsettled;
	for (i = 0; i < ci->npending; i++) {
		unsigned long pfn = p[i].key.pfn;
		const struct folio_verdict *v = bsearch(&pfn, a->verdicts, a->nverdicts,
							sizeof(*v), cmp_verdict);
		unsigned int o = p[i].val.order < MMID_COW_ORDERS ? p[i].val.order :
				 MMID_COW_ORDERS - 1;

		if (!v || (v->mms == 1 && v->mm_id != (long)p[i].key.mm_id)) {
			ci->undetermined += p[i].val.copies;
			continue;
		}
		ci->settled += p[i].val.copies;
		if (v->mms != 1)
			continue;
		ci->counts.false_shared[o] += p[i].val.copies - p[i].val.pinned;
		ci->counts.false_shared_pinned[o] += p[i].val.pinned;
	}
}

/* The folio whose pages are maps[i, j): counted, and listed if it mismatches. */
static void audit_folio(struct audit *a, const struct mmid_folio *f, size_t i, size_t j)
{
	const struct pagemap_entry *m = a->q.walk.maps;
	int o = f->order < MMID_ORDERS ? (int)f->order : MMID_ORDERS - 1;
	unsigned int mms = 0;
	bool fp, fn, current;
	size_t k;

	/* The distinct MMs mapping it. */
	pagemap_sort_by_mm(&a->q.walk, i, j);
	for (k = i; k < j; k++)
		mms += k == i || m[k].mm_id != m[k - 1].mm_id;
	/*
	 * The walk read the page tables before the module read the folio: a
	 * fork or an exit in between makes a folio look mapped by one MM
	 * too few or too many (seconds, under TCG).  The walk is current for
	 * the folio when the kernel's mapcount is the walk's, a PMD mapping
	 * being one mapping of nr_pages entries; only then does a mismatch
	 * count, or the folio settle a copy.
	 */
	current = f->large_mapcount ==
		  (long)(j - i) - (long)f->entire_mapcount * (f->nr_pages - 1);
	if (f->maybe_shared && current)
		note_verdict(a, f->head_pfn, mms, m[i].mm_id);
	fp = f->maybe_shared && mms <= 1;
	fn = !f->maybe_shared && mms >= 2;
	if ((fp || fn) && !current) {
		a->ord[o].changed++;
		fp = fn = false;
	}
	a->ord[o].folios++;
	a->ord[o].maybe += f->maybe_shared;
	a->ord[o].truly += mms >= 2;
	a->ord[o].fp += fp;
	a->ord[o].fn += fn;
	if (!fp && !fn)
		return;
	if (a->root)
		mismatch_json(a, f, i, j, mms, fp);
	else
		mismatch_text(a, f, i, j, mms, fp);
}

/* The interval's copies, by order, and what the false positives cost. */
static struct json_object *cow_json(const struct mmid_cow *cow, const struct cow_interval *ci)
{
	const struct mmid_cow_counts *c = &ci->counts;
	struct json_object *o = json_object_new_object(), *orders = json_object_new_object();
	unsigned long long copies = 0, fp = 0, pinned = 0;
	bool exact;
	int k;

	for (k = 0; k < MMID_COW_ORDERS; k++) {
		struct json_object *row;
		char key[8];

		copies += c->copies[k];
		fp += c->false_shared[k];
		pinned += c->false_shared_pinned[k];
		if (!c->copies[k])
			continue;
		row = json_object_new_object();
		json_object_object_add(row, "copies", json_object_new_uint64(c->copies[k]));
		json_object_object_add(row, "false_shared", json_object_new_uint64(c->false_shared[k]));
		json_object_object_add(row, "false_shared_pinned",
				       json_object_new_uint64(c->false_shared_pinned[k]));
		snprintf(key, sizeof(key), "%d", k);
		json_object_object_add(orders, key, row);
	}
	json_object_object_add(o, "source", json_object_new_string(mmid_cow_source(cow, &exact)));
	json_object_object_add(o, "exact", json_object_new_boolean(exact));
	json_object_object_add(o, "large_anon_copies", json_object_new_uint64(copies));
	json_object_object_add(o, "false_positive_copies", json_object_new_uint64(fp));
	json_object_object_add(o, "false_positive_bytes",
			       json_object_new_uint64(fp * (unsigned long long)getpagesize()));
	json_object_object_add(o, "false_positive_pinned_copies", json_object_new_uint64(pinned));
	json_object_object_add(o, "settled_by_walk", json_object_new_uint64(ci->settled));
	json_object_object_add(o, "undetermined", json_object_new_uint64(ci->undetermined));
	json_object_object_add(o, "orders", orders);
	return o;
}

static void cow_text(const struct mmid_cow *cow, const struct cow_interval *ci,
		     unsigned int secs)
{
	const struct mmid_cow_counts *c = &ci->counts;
	unsigned long long copies = 0, fp = 0, pinned = 0;
	bool exact;
	int k;

	for (k = 0; k < MMID_COW_ORDERS; k++) {
		copies += c->copies[k];
		fp += c->false_shared[k];
		pinned += c->false_shared_pinned[k];
	}
	mmid_cow_source(cow, &exact);
	printf("CoW in %us: %llu pages of large anon folios copied; %llu (%llu KiB, %.1f%%) "
	       "only because of a false shared bit%s; %llu more also held another reference\n",
	       secs, copies, fp, fp * getpagesize() / 1024, copies ? 100.0 * fp / copies : 0.0,
	       exact ? "" : " (approximate)", pinned);
	if (ci->undetermined)
		printf("  (%llu copies of folios gone or changing during the walk: undetermined)\n",
		       ci->undetermined);
}

static void summary_json(struct audit *a, const struct interval_opts *io,
			 const struct cow_interval *cow)
{
	struct json_object *orders = json_object_new_object();
	int o;

	for (o = 0; o < MMID_ORDERS; o++) {
		const struct audit_order *r = &a->ord[o];
		struct json_object *row;
		char key[8];

		if (!r->folios)
			continue;
		row = json_object_new_object();
		json_object_object_add(row, "folios", json_object_new_uint64(r->folios));
		json_object_object_add(row, "maybe_shared", json_object_new_uint64(r->maybe));
		json_object_object_add(row, "truly_shared", json_object_new_uint64(r->truly));
		json_object_object_add(row, "false_positives", json_object_new_uint64(r->fp));
		json_object_object_add(row, "false_negatives", json_object_new_uint64(r->fn));
		json_object_object_add(row, "changed_during_walk", json_object_new_uint64(r->changed));
		snprintf(key, sizeof(key), "%d", o);
		json_object_object_add(orders, key, row);
	}
	if (io->interval)
		json_object_object_add(a->root, "interval_s", json_object_new_int(io->interval));
	json_object_object_add(a->root, "mms_walked", json_object_new_uint64(a->nseen));
	json_object_object_add(a->root, "orders", orders);
	json_object_object_add(a->root, "mismatches", a->mismatches);
	/* null: no interval to count over, or no CoW tracer on this kernel. */
	json_object_object_add(a->root, "cow", cow ? cow_json(a->cow, cow) : NULL);
	jsonl_emit(a->root);
	a->root = NULL;
}

static void summary_text(const struct audit *a, const struct interval_opts *io,
			 const struct cow_interval *cow)
{
	int o;

	printf("\n%zu MMs walked\n%-6s %8s %8s %8s %8s %8s %8s %8s\n", a->nseen, "ORDER", "MAPPED",
	       "MAYBE", "TRULY", "FALSE+", "FALSE-", "FP-RATE", "CHANGED");
	for (o = 0; o < MMID_ORDERS; o++) {
		const struct audit_order *r = &a->ord[o];

		if (r->folios)
			printf("%-6d %8lu %8lu %8lu %8lu %8lu %7.1f%% %8lu\n", o, r->folios, r->maybe,
			       r->truly, r->fp, r->fn, r->maybe ? 100.0 * r->fp / r->maybe : 0.0,
			       r->changed);
	}
	if (cow)
		cow_text(a->cow, cow, io->interval);
	if (!io->interval)
		printf("(a snapshot taken one process at a time: CHANGED counts the\n"
		       " mismatches whose mapcount moved between the walk and the query)\n");
	printf("\n");
	fflush(stdout);
}

/* One audit of every MM's large folios; with @cow, the interval's copies too. */
static int audit_once(struct audit *a, const struct interval_opts *io, bool with_cow)
{
	struct pagemap_walk *w = &a->q.walk;
	struct cow_interval ci = { 0 };
	bool have_counts = false;
	size_t i, j;
	int err;

	memset(a->ord, 0, sizeof(a->ord));
	a->nseen = 0;
	a->nverdicts = 0;
	w->nr = 0;
	/* The interval's copies before the walk: the walk then settles them. */
	if (with_cow && a->cow)
		have_counts = !mmid_cow_take(a->cow, &ci.counts) &&
			      !mmid_cow_take_pending(a->cow, &ci.pending, &ci.npending);
	err = walk_every_mm(a);
	if (err) {
		free(ci.pending);
		return err;
	}
	if (io->json) {
		a->root = record_new("mmid_audit", NULL);
		a->mismatches = json_object_new_array();
	} else {
		interval_print_time(io, stdout);
		printf("%-8s %-6s %-6s %-7s %-5s %-9s %s\n", "PFN", "ORDER", "MAPCNT", "BIT/MAY",
		       "MMS", "VERDICT", "MAPPED BY (pid:comm mm-id)");
	}
	for (i = 0; i < w->nr; i = j) {
		struct mmid_folio f;

		if (mmid_query_folio(a->q.pfn_fd, w->maps[i].pfn, &f) || strcmp(f.state, "large")) {
			j = i + 1;
			continue;
		}
		j = pagemap_folio_end(w, i, f.head_pfn, f.nr_pages);
		audit_folio(a, &f, i, j);
	}
	if (have_counts)
		settle_copies(a, &ci);
	free(ci.pending);
	if (io->json)
		summary_json(a, io, have_counts ? &ci : NULL);
	else
		summary_text(a, io, have_counts ? &ci : NULL);
	return 0;
}

int mmid_audit_run(const struct interval_opts *io)
{
	struct audit a = { 0 };
	struct interval_opts o = *io;
	long printed = 0;
	int err;

	err = mmid_queries_open(&a.q);
	if (err)
		goto out;
	if (!o.interval) {
		err = audit_once(&a, &o, false);
		goto out;
	}
	a.cow = mmid_cow_start();
	if (!a.cow)
		errmsg("mmid audit: going on without the CoW cost (\"cow\": null)");
	interval_install_signals();
	fprintf(stderr, "Auditing every %us... Hit Ctrl-C to end.\n", o.interval);
	while (!err && interval_next(&o, printed)) {
		err = audit_once(&a, &o, true);
		printed++;
	}
out:
	mmid_cow_stop(a.cow);
	free(a.verdicts);
	free(a.seen);
	mmid_queries_close(&a.q);
	return err ? err : EXIT_OK;
}
