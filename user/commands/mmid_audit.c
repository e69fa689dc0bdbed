// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope mmid audit: every large folio any process maps, with the "maybe
 * mapped shared" bit checked against the MMs whose page tables map it.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "jsonl.h"
#include "render.h"
#include "mmscope.h"
#include "mmid_cmd.h"

struct audit_order {
	unsigned long folios, maybe, truly, fp, fn;
};

struct audit {
	struct mmid_queries q;
	struct audit_order ord[MMID_ORDERS];
	long *seen;		/* mm ids walked */
	size_t nseen;
	struct json_object *root, *mismatches;
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
	json_object_array_add(a->mismatches, x);
}

static void mismatch_text(struct audit *a, const struct mmid_folio *f, size_t i, size_t j,
			  unsigned int mms, bool fp)
{
	const struct pagemap_entry *m = a->q.walk.maps;
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
	printf("\n");
}

/* The folio whose pages are maps[i, j): counted, and listed if it mismatches. */
static void audit_folio(struct audit *a, const struct mmid_folio *f, size_t i, size_t j)
{
	const struct pagemap_entry *m = a->q.walk.maps;
	int o = f->order < MMID_ORDERS ? (int)f->order : MMID_ORDERS - 1;
	unsigned int mms = 0;
	bool fp, fn;
	size_t k;

	/* The distinct MMs mapping it. */
	pagemap_sort_by_mm(&a->q.walk, i, j);
	for (k = i; k < j; k++)
		mms += k == i || m[k].mm_id != m[k - 1].mm_id;
	fp = f->maybe_shared && mms <= 1;
	fn = !f->maybe_shared && mms >= 2;
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

static void summary_json(struct audit *a)
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
		snprintf(key, sizeof(key), "%d", o);
		json_object_object_add(orders, key, row);
	}
	json_object_object_add(a->root, "mms_walked", json_object_new_uint64(a->nseen));
	json_object_object_add(a->root, "orders", orders);
	json_object_object_add(a->root, "mismatches", a->mismatches);
	printf("%s\n", json_object_to_json_string_ext(a->root, JSON_C_TO_STRING_PLAIN));
	json_object_put(a->root);
}

static void summary_text(const struct audit *a)
{
	int o;

	printf("\n%zu MMs walked\n%-6s %8s %8s %8s %8s %8s %8s\n", a->nseen, "ORDER", "MAPPED",
	       "MAYBE", "TRULY", "FALSE+", "FALSE-", "FP-RATE");
	for (o = 0; o < MMID_ORDERS; o++) {
		const struct audit_order *r = &a->ord[o];

		if (r->folios)
			printf("%-6d %8lu %8lu %8lu %8lu %8lu %7.1f%%\n", o, r->folios, r->maybe,
			       r->truly, r->fp, r->fn, r->maybe ? 100.0 * r->fp / r->maybe : 0.0);
	}
	printf("(a snapshot taken one process at a time: MMs that map or unmap\n"
	       " during the walk can show up as mismatches)\n");
}

int mmid_audit_run(bool json)
{
	struct audit a = { 0 };
	struct pagemap_walk *w = &a.q.walk;
	size_t i, j;
	int err;

	err = mmid_queries_open(&a.q);
	if (!err)
		err = walk_every_mm(&a);
	if (err)
		goto out;
	if (json) {
		a.root = record_new("mmid_audit", NULL);
		a.mismatches = json_object_new_array();
	} else {
		printf("%-8s %-6s %-6s %-7s %-5s %-9s %s\n", "PFN", "ORDER", "MAPCNT", "BIT/MAY",
		       "MMS", "VERDICT", "MAPPED BY (pid:comm mm-id)");
	}
	for (i = 0; i < w->nr; i = j) {
		struct mmid_folio f;

		if (mmid_query_folio(a.q.pfn_fd, w->maps[i].pfn, &f) || strcmp(f.state, "large")) {
			j = i + 1;
			continue;
		}
		j = pagemap_folio_end(w, i, f.head_pfn, f.nr_pages);
		audit_folio(&a, &f, i, j);
	}
	if (json)
		summary_json(&a);
	else
		summary_text(&a);
	err = EXIT_OK;
out:
	free(a.seen);
	mmid_queries_close(&a.q);
	return err;
}
