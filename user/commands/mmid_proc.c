// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope mmid PID: the large folios a process maps, found through its page
 * tables (backends/pagemap.c) and asked about one folio at a time.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>

#include "jsonl.h"
#include "render.h"
#include "mmscope.h"
#include "mmid_cmd.h"

int mmid_queries_open(struct mmid_queries *q)
{
	int err;

	q->pfn_fd = mmid_open("pfn");
	q->task_fd = mmid_open("task");
	err = pagemap_walk_init(&q->walk);
	if (q->pfn_fd < 0 || q->task_fd < 0 || err) {
		errmsg("cannot open %s/pfn, %s/task or /proc/kpageflags: %s", MMID_DIR, MMID_DIR,
		       strerror(err ? -err : errno));
		return EXIT_FAIL;
	}
	return 0;
}

void mmid_queries_close(struct mmid_queries *q)
{
	if (q->pfn_fd >= 0)
		close(q->pfn_fd);
	if (q->task_fd >= 0)
		close(q->task_fd);
	pagemap_walk_release(&q->walk);
}

void mmid_slot_text(const struct mmid_folio *f, int i, char *buf, size_t len)
{
	if (f->id[i])
		snprintf(buf, len, "%u:%d", f->id[i], f->slot_mapcount[i]);
	else
		snprintf(buf, len, "-");
}

static void add_int(struct json_object *o, const char *key, long long v)
{
	json_object_object_add(o, key, json_object_new_int64(v));
}

struct json_object *mmid_folio_json(const struct mmid_folio *f)
{
	struct json_object *o = json_object_new_object();
	int i;

	json_object_object_add(o, "pfn", json_object_new_uint64(f->head_pfn));
	add_int(o, "order", f->order);
	json_object_object_add(o, "type", json_object_new_string(f->type));
	add_int(o, "refcount", f->refcount);
	add_int(o, "pincount", f->pincount);
	add_int(o, "large_mapcount", f->large_mapcount);
	add_int(o, "entire_mapcount", f->entire_mapcount);
	for (i = 0; i < 2; i++) {
		struct json_object *s = json_object_new_object();
		char key[8];

		add_int(s, "mm_id", f->id[i]);
		add_int(s, "mapcount", f->slot_mapcount[i]);
		json_object_object_add(s, "tasks", json_object_new_string(f->tasks[i]));
		snprintf(key, sizeof(key), "slot%d", i);
		json_object_object_add(o, key, s);
	}
	json_object_object_add(o, "shared_bit", json_object_new_boolean(f->shared_bit));
	json_object_object_add(o, "maybe_mapped_shared", json_object_new_boolean(f->maybe_shared));
	json_object_object_add(o, "state", json_object_new_string(f->census_state));
	json_object_object_add(o, "approximate", json_object_new_boolean(f->approximate));
	add_int(o, "anon_exclusive_pages", f->anon_exclusive);
	return o;
}

/* Walks @pid's page tables; an error message and EXIT_FAIL when it cannot. */
static int walk_process(struct mmid_queries *q, int pid, long *mm_id, char *comm, size_t len)
{
	int err;

	*mm_id = mmid_task_mm_id(q->task_fd, pid, comm, len);
	if (*mm_id <= 0) {
		errmsg("pid %d: %s", pid,
		       *mm_id ? strerror(-*mm_id) : "has no mm (a kernel thread, or it is exiting)");
		return EXIT_FAIL;
	}
	err = pagemap_walk_pid(&q->walk, pid, *mm_id, q->range_start, q->range_end);
	/*
	 * /proc/PID/maps ends early, without an error, once the mm is gone:
	 * only an mm still there after the walk makes the listing complete.
	 */
	if (!err && mmid_task_mm_id(q->task_fd, pid, NULL, 0) != *mm_id)
		err = -ESRCH;
	if (err == -ESRCH) {
		errmsg("pid %d exited during the walk; nothing listed, as the listing would be "
		       "incomplete", pid);
		return EXIT_FAIL;
	} else if (err) {
		errmsg("cannot read /proc/%d/maps or pagemap: %s", pid, strerror(-err));
		return EXIT_FAIL;
	}
	return 0;
}

/* The listing: a JSON record, or a table whose rows print as they come. */
struct proc_listing {
	struct json_object *root, *large;
	unsigned long nr_large;
};

static void listing_begin(struct proc_listing *l, int pid, const char *comm, long mm_id,
			  unsigned long start, unsigned long end, bool json)
{
	if (json) {
		l->root = record_new("mmid", NULL);
		l->large = json_object_new_array();
		add_int(l->root, "pid", pid);
		json_object_object_add(l->root, "comm", json_object_new_string(comm));
		add_int(l->root, "mm_id", mm_id);
		return;
	}
	printf("pid %d (%s), mm id %ld, range %lx-%lx\n", pid, comm, mm_id, start, end);
	printf("%-14s %-9s %3s %6s %6s %-10s %-10s %3s %5s %-9s %s\n", "ADDR", "PFN", "ORD",
	       "MAPPED", "MAPCNT", "SLOT0", "SLOT1", "BIT", "MAYBE", "STATE", "OWNERS");
}

static void listing_folio(struct proc_listing *l, const struct mmid_folio *f, unsigned long addr,
			  size_t mapped)
{
	char s0[32], s1[32];

	l->nr_large++;
	if (l->root) {
		struct json_object *o = mmid_folio_json(f);

		json_object_object_add(o, "addr", json_object_new_uint64(addr));
		add_int(o, "mapped_pages", mapped);
		json_object_array_add(l->large, o);
		return;
	}
	mmid_slot_text(f, 0, s0, sizeof(s0));
	mmid_slot_text(f, 1, s1, sizeof(s1));
	printf("%-14lx %-9lx %3u %6zu %6d %-10s %-10s %3d %5d %-9s slot0:%s slot1:%s\n", addr,
	       f->head_pfn, f->order, mapped, f->large_mapcount, s0, s1, f->shared_bit,
	       f->maybe_shared, f->census_state, f->tasks[0], f->tasks[1]);
}

static void listing_end(struct proc_listing *l, const struct pagemap_walk *w)
{
	struct json_object *small;

	if (!l->root) {
		printf("large folios: %lu; small folios: %lu pages mapped (%lu exclusive per "
		       "pagemap); swapped: %lu\n", l->nr_large, w->small, w->small_excl, w->swapped);
		return;
	}
	small = json_object_new_object();
	json_object_object_add(l->root, "large", l->large);
	json_object_object_add(small, "pages", json_object_new_uint64(w->small));
	json_object_object_add(small, "exclusive", json_object_new_uint64(w->small_excl));
	json_object_object_add(l->root, "small", small);
	json_object_object_add(l->root, "swapped", json_object_new_uint64(w->swapped));
	printf("%s\n", json_object_to_json_string_ext(l->root, JSON_C_TO_STRING_PLAIN));
	json_object_put(l->root);
}

int mmid_proc_run(int pid, unsigned long start, unsigned long end, bool json)
{
	struct mmid_queries q = { .range_start = start, .range_end = end };
	struct proc_listing l = { 0 };
	struct pagemap_walk *w = &q.walk;
	char comm[64] = "?";
	size_t i, j, k;
	long mm_id;
	int err;

	err = mmid_queries_open(&q);
	if (!err)
		err = walk_process(&q, pid, &mm_id, comm, sizeof(comm));
	if (err)
		goto out;
	pagemap_sort_by_pfn(w);
	listing_begin(&l, pid, comm, mm_id, start, end, json);
	for (i = 0; i < w->nr; i = j) {
		struct mmid_folio f;
		unsigned long addr = w->maps[i].addr;

		if (mmid_query_folio(q.pfn_fd, w->maps[i].pfn, &f) || strcmp(f.state, "large")) {
			j = i + 1;	/* freed or split since pagemap: not large now */
			continue;
		}
		j = pagemap_folio_end(w, i, f.head_pfn, f.nr_pages);
		for (k = i; k < j; k++)
			if (w->maps[k].addr < addr)
				addr = w->maps[k].addr;
		listing_folio(&l, &f, addr, j - i);
	}
	listing_end(&l, w);
	err = EXIT_OK;
out:
	mmid_queries_close(&q);
	return err;
}
