// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope mmid PID and mmid audit: large folios found through processes'
 * page tables.
 *
 * /proc/PID/pagemap gives each present page's PFN without touching the
 * page (no reference, no fault, no accessed bit: GUP would set all three)
 * and /proc/kpageflags says which PFNs belong to compound pages, so the
 * module is asked once per large folio, never per small page.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>

#include "jsonl.h"
#include "render.h"
#include "mmscope.h"
#include "mmid.h"

#define PM_PRESENT	(1ULL << 63)
#define PM_SWAP		(1ULL << 62)
#define PM_EXCLUSIVE	(1ULL << 56)
#define PM_PFN_MASK	((1ULL << 55) - 1)
#define KPF_HEAD	(1ULL << 15)
#define KPF_TAIL	(1ULL << 16)
#define PAGE_SZ		4096UL
#define BATCH		512

/* One present page of a compound folio, seen in one mm. */
struct mapping {
	unsigned long pfn, addr;
	long mm_id;
	int pid;
};

struct walk {
	struct mapping *maps;
	size_t nr, cap;
	unsigned long small, small_excl, swapped;
	int kpf;
};

static int add_mapping(struct walk *w, unsigned long pfn, unsigned long addr, long id, int pid)
{
	if (w->nr == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 4096;
		struct mapping *m = realloc(w->maps, cap * sizeof(*m));

		if (!m)
			return -ENOMEM;
		w->maps = m;
		w->cap = cap;
	}
	w->maps[w->nr++] = (struct mapping){ pfn, addr, id, pid };
	return 0;
}

static uint64_t kpageflags(struct walk *w, unsigned long pfn)
{
	uint64_t f;

	if (pread(w->kpf, &f, 8, pfn * 8) != 8)
		return KPF_HEAD;	/* unknown: let the module decide */
	return f;
}

/* Every present page of @pid in [start, end): compound ones into @w. */
static int walk_pid(struct walk *w, int pid, long mm_id, unsigned long start, unsigned long end)
{
	char path[64], line[512];
	uint64_t pm[BATCH];
	FILE *maps;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	maps = fopen(path, "re");
	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (!maps || fd < 0) {
		/* No /proc/PID: the task has exited and been reaped. */
		int err = errno == ENOENT ? -ESRCH : -errno;

		if (maps)
			fclose(maps);
		if (fd >= 0)
			close(fd);
		return err;
	}
	while (fgets(line, sizeof(line), maps)) {
		unsigned long s, e, a;

		if (sscanf(line, "%lx-%lx", &s, &e) != 2)
			continue;
		if (s < start)
			s = start;
		if (e > end)
			e = end;
		for (a = s; a < e; a += BATCH * PAGE_SZ) {
			size_t n = (e - a) / PAGE_SZ, i;
			ssize_t got;

			if (n > BATCH)
				n = BATCH;
			got = pread(fd, pm, n * 8, a / PAGE_SZ * 8);
			/*
			 * 0: nothing mapped there for pagemap ([vsyscall] is
			 * above TASK_SIZE), or the mm is gone, which the
			 * caller finds out after the walk.
			 */
			if (got == 0)
				break;
			if (got < 0) {
				int err = -errno;

				fclose(maps);
				close(fd);
				return err;
			}
			for (i = 0; i < (size_t)got / 8; i++) {
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
				if (add_mapping(w, pfn, a + i * PAGE_SZ, mm_id, pid)) {
					fclose(maps);
					close(fd);
					return -ENOMEM;
				}
			}
		}
	}
	fclose(maps);
	close(fd);
	return 0;
}

static int by_pfn(const void *a, const void *b)
{
	const struct mapping *x = a, *y = b;

	if (x->pfn != y->pfn)
		return x->pfn < y->pfn ? -1 : 1;
	return x->mm_id < y->mm_id ? -1 : x->mm_id > y->mm_id;
}

static int by_mm(const void *a, const void *b)
{
	const struct mapping *x = a, *y = b;

	return x->mm_id < y->mm_id ? -1 : x->mm_id > y->mm_id;
}

static int open_both(int *pfn_fd, int *task_fd, struct walk *w)
{
	*pfn_fd = mmid_open("pfn");
	*task_fd = mmid_open("task");
	w->kpf = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	if (*pfn_fd < 0 || *task_fd < 0 || w->kpf < 0) {
		errmsg("cannot open %s/pfn, %s/task or /proc/kpageflags: %s", MMID_DIR, MMID_DIR,
		       strerror(errno));
		return EXIT_FAIL;
	}
	return 0;
}

static void close_both(int pfn_fd, int task_fd, struct walk *w)
{
	if (pfn_fd >= 0)
		close(pfn_fd);
	if (task_fd >= 0)
		close(task_fd);
	if (w->kpf >= 0)
		close(w->kpf);
	free(w->maps);
}

static void slot_text(const struct mmid_folio *f, int i, char *buf, size_t len)
{
	if (f->id[i])
		snprintf(buf, len, "%u:%d", f->id[i], f->slot_mapcount[i]);
	else
		snprintf(buf, len, "-");
}

static struct json_object *folio_json(const struct mmid_folio *f)
{
	struct json_object *o = json_object_new_object();
	int i;

	json_object_object_add(o, "pfn", json_object_new_uint64(f->head_pfn));
	json_object_object_add(o, "order", json_object_new_int(f->order));
	json_object_object_add(o, "type", json_object_new_string(f->type));
	json_object_object_add(o, "refcount", json_object_new_int(f->refcount));
	json_object_object_add(o, "pincount", json_object_new_int(f->pincount));
	json_object_object_add(o, "large_mapcount", json_object_new_int(f->large_mapcount));
	json_object_object_add(o, "entire_mapcount", json_object_new_int(f->entire_mapcount));
	for (i = 0; i < 2; i++) {
		struct json_object *s = json_object_new_object();
		char key[8];

		json_object_object_add(s, "mm_id", json_object_new_int64(f->id[i]));
		json_object_object_add(s, "mapcount", json_object_new_int(f->slot_mapcount[i]));
		json_object_object_add(s, "tasks", json_object_new_string(f->tasks[i]));
		snprintf(key, sizeof(key), "slot%d", i);
		json_object_object_add(o, key, s);
	}
	json_object_object_add(o, "shared_bit", json_object_new_boolean(f->shared_bit));
	json_object_object_add(o, "maybe_mapped_shared", json_object_new_boolean(f->maybe_shared));
	json_object_object_add(o, "state", json_object_new_string(f->census_state));
	json_object_object_add(o, "approximate", json_object_new_boolean(f->approximate));
	json_object_object_add(o, "anon_exclusive_pages", json_object_new_int64(f->anon_exclusive));
	return o;
}

int mmid_proc_run(int pid, unsigned long start, unsigned long end, bool json)
{
	struct walk w = { .kpf = -1 };
	struct json_object *root = NULL, *arr = NULL;
	int pfn_fd, task_fd, err;
	unsigned long large = 0;
	char comm[64] = "?";
	size_t i, j;
	long mm_id;

	err = open_both(&pfn_fd, &task_fd, &w);
	if (err)
		goto out;
	mm_id = mmid_task_mm_id(task_fd, pid, comm, sizeof(comm));
	if (mm_id <= 0) {
		errmsg("pid %d: %s", pid,
		       mm_id ? strerror(-mm_id) : "has no mm (a kernel thread, or it is exiting)");
		err = EXIT_FAIL;
		goto out;
	}
	err = walk_pid(&w, pid, mm_id, start, end);
	/*
	 * /proc/PID/maps ends early, without an error, once the mm is gone:
	 * only an mm still there after the walk makes the listing complete.
	 */
	if (!err && mmid_task_mm_id(task_fd, pid, NULL, 0) != mm_id)
		err = -ESRCH;
	if (err == -ESRCH) {
		errmsg("pid %d exited during the walk; nothing listed, as the listing would be "
		       "incomplete", pid);
		err = EXIT_FAIL;
		goto out;
	} else if (err) {
		errmsg("cannot read /proc/%d/maps or pagemap: %s", pid, strerror(-err));
		err = EXIT_FAIL;
		goto out;
	}
	qsort(w.maps, w.nr, sizeof(*w.maps), by_pfn);
	if (json) {
		root = record_new("mmid", NULL);
		arr = json_object_new_array();
		json_object_object_add(root, "pid", json_object_new_int(pid));
		json_object_object_add(root, "comm", json_object_new_string(comm));
		json_object_object_add(root, "mm_id", json_object_new_int64(mm_id));
	} else {
		printf("pid %d (%s), mm id %ld, range %lx-%lx\n", pid, comm, mm_id, start, end);
		printf("%-14s %-9s %3s %6s %6s %-10s %-10s %3s %5s %-9s %s\n", "ADDR", "PFN", "ORD",
		       "MAPPED", "MAPCNT", "SLOT0", "SLOT1", "BIT", "MAYBE", "STATE", "OWNERS");
	}
	for (i = 0; i < w.nr; i = j) {
		struct mmid_folio f;
		unsigned long addr = w.maps[i].addr;

		if (mmid_query_folio(pfn_fd, w.maps[i].pfn, &f) || strcmp(f.state, "large")) {
			j = i + 1;	/* freed or split since pagemap: not large now */
			continue;
		}
		for (j = i; j < w.nr && w.maps[j].pfn < f.head_pfn + f.nr_pages; j++)
			if (w.maps[j].addr < addr)
				addr = w.maps[j].addr;
		large++;
		if (json) {
			struct json_object *o = folio_json(&f);

			json_object_object_add(o, "addr", json_object_new_uint64(addr));
			json_object_object_add(o, "mapped_pages", json_object_new_int64(j - i));
			json_object_array_add(arr, o);
		} else {
			char s0[32], s1[32];

			slot_text(&f, 0, s0, sizeof(s0));
			slot_text(&f, 1, s1, sizeof(s1));
			printf("%-14lx %-9lx %3u %6zu %6d %-10s %-10s %3d %5d %-9s slot0:%s slot1:%s\n",
			       addr, f.head_pfn, f.order, j - i, f.large_mapcount, s0, s1,
			       f.shared_bit, f.maybe_shared, f.census_state, f.tasks[0], f.tasks[1]);
		}
	}
	if (json) {
		struct json_object *small = json_object_new_object();

		json_object_object_add(root, "large", arr);
		json_object_object_add(small, "pages", json_object_new_uint64(w.small));
		json_object_object_add(small, "exclusive", json_object_new_uint64(w.small_excl));
		json_object_object_add(root, "small", small);
		json_object_object_add(root, "swapped", json_object_new_uint64(w.swapped));
		printf("%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN));
		json_object_put(root);
	} else {
		printf("large folios: %lu; small folios: %lu pages mapped (%lu exclusive per "
		       "pagemap); swapped: %lu\n", large, w.small, w.small_excl, w.swapped);
	}
	err = EXIT_OK;
out:
	close_both(pfn_fd, task_fd, &w);
	return err;
}

struct audit_order {
	unsigned long folios, maybe, truly, fp, fn;
};

int mmid_audit_run(bool json)
{
	struct audit_order ord[MMID_ORDERS] = { 0 };
	struct json_object *root = NULL, *fps = NULL;
	struct walk w = { .kpf = -1 };
	long *seen = NULL;
	size_t nseen = 0, i, j;
	int pfn_fd, task_fd, err, o;
	struct dirent *de;
	DIR *proc;

	err = open_both(&pfn_fd, &task_fd, &w);
	if (err)
		goto out;
	proc = opendir("/proc");
	if (!proc) {
		errmsg("cannot list /proc: %s", strerror(errno));
		err = EXIT_FAIL;
		goto out;
	}
	/* One walk per mm: threads and CLONE_VM children share page tables. */
	while ((de = readdir(proc))) {
		int pid = atoi(de->d_name);
		long id, *grown;
		size_t nr_before;

		if (pid <= 0 || (id = mmid_task_mm_id(task_fd, pid, NULL, 0)) <= 0)
			continue;
		for (i = 0; i < nseen && seen[i] != id; i++)
			;
		if (i < nseen)
			continue;
		grown = realloc(seen, (nseen + 1) * sizeof(*seen));
		if (!grown)
			break;
		seen = grown;
		seen[nseen++] = id;
		nr_before = w.nr;
		if (walk_pid(&w, pid, id, 0, ~0UL))
			w.nr = nr_before;	/* exited meanwhile: maps nothing now */
	}
	closedir(proc);
	qsort(w.maps, w.nr, sizeof(*w.maps), by_pfn);

	if (json) {
		root = record_new("mmid_audit", NULL);
		fps = json_object_new_array();
	} else {
		printf("%-8s %-6s %-6s %-7s %-5s %-9s %s\n", "PFN", "ORDER", "MAPCNT", "BIT/MAY",
		       "MMS", "VERDICT", "MAPPED BY (pid:comm mm-id)");
	}
	for (i = 0; i < w.nr; i = j) {
		struct mmid_folio f;
		unsigned int mms = 0;
		long last = -1;
		bool fp, fn;
		size_t k;

		if (mmid_query_folio(pfn_fd, w.maps[i].pfn, &f) || strcmp(f.state, "large")) {
			j = i + 1;
			continue;
		}
		for (j = i; j < w.nr && w.maps[j].pfn < f.head_pfn + f.nr_pages; j++)
			;
		/* The distinct MMs mapping it. */
		qsort(w.maps + i, j - i, sizeof(*w.maps), by_mm);
		for (k = i; k < j; k++)
			mms += k == i || w.maps[k].mm_id != w.maps[k - 1].mm_id;
		o = f.order < MMID_ORDERS ? f.order : MMID_ORDERS - 1;
		fp = f.maybe_shared && mms <= 1;
		fn = !f.maybe_shared && mms >= 2;
		ord[o].folios++;
		ord[o].maybe += f.maybe_shared;
		ord[o].truly += mms >= 2;
		ord[o].fp += fp;
		ord[o].fn += fn;
		if (!fp && !fn)
			continue;
		if (json) {
			struct json_object *x = folio_json(&f);
			struct json_object *by = json_object_new_array();

			last = -1;

			for (k = i; k < j; k++) {
				if (w.maps[k].mm_id == last)
					continue;
				last = w.maps[k].mm_id;
				json_object_array_add(by, json_object_new_int(w.maps[k].pid));
			}
			json_object_object_add(x, "mapped_by_pids", by);
			json_object_object_add(x, "mms", json_object_new_int(mms));
			json_object_object_add(x, "verdict", json_object_new_string(
				fp ? "false_positive" : "false_negative"));
			json_object_array_add(fps, x);
			continue;
		}
		printf("%-8lx %-6u %-6d %d/%-5d %-5u %-9s", f.head_pfn, f.order, f.large_mapcount,
		       f.shared_bit, f.maybe_shared, mms, fp ? "false+" : "false-");
		for (k = i; k < j; k++) {
			char comm[64] = "?";

			if (w.maps[k].mm_id == last)
				continue;
			last = w.maps[k].mm_id;
			mmid_task_mm_id(task_fd, w.maps[k].pid, comm, sizeof(comm));
			printf(" %d:%s(%ld)", w.maps[k].pid, comm, w.maps[k].mm_id);
		}
		printf("\n");
	}
	if (json) {
		struct json_object *orders = json_object_new_object();

		for (o = 0; o < MMID_ORDERS; o++) {
			struct json_object *r;
			char key[8];

			if (!ord[o].folios)
				continue;
			r = json_object_new_object();
			json_object_object_add(r, "folios", json_object_new_uint64(ord[o].folios));
			json_object_object_add(r, "maybe_shared", json_object_new_uint64(ord[o].maybe));
			json_object_object_add(r, "truly_shared", json_object_new_uint64(ord[o].truly));
			json_object_object_add(r, "false_positives", json_object_new_uint64(ord[o].fp));
			json_object_object_add(r, "false_negatives", json_object_new_uint64(ord[o].fn));
			snprintf(key, sizeof(key), "%d", o);
			json_object_object_add(orders, key, r);
		}
		json_object_object_add(root, "mms_walked", json_object_new_uint64(nseen));
		json_object_object_add(root, "orders", orders);
		json_object_object_add(root, "mismatches", fps);
		printf("%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN));
		json_object_put(root);
	} else {
		printf("\n%lu MMs walked\n%-6s %8s %8s %8s %8s %8s %8s\n", (unsigned long)nseen,
		       "ORDER", "MAPPED", "MAYBE", "TRULY", "FALSE+", "FALSE-", "FP-RATE");
		for (o = 0; o < MMID_ORDERS; o++)
			if (ord[o].folios)
				printf("%-6d %8lu %8lu %8lu %8lu %8lu %7.1f%%\n", o, ord[o].folios,
				       ord[o].maybe, ord[o].truly, ord[o].fp, ord[o].fn,
				       ord[o].maybe ? 100.0 * ord[o].fp / ord[o].maybe : 0.0);
		printf("(a snapshot taken one process at a time: MMs that map or unmap\n"
		       " during the walk can show up as mismatches)\n");
	}
	err = EXIT_OK;
out:
	free(seen);
	close_both(pfn_fd, task_fd, &w);
	return err;
}
