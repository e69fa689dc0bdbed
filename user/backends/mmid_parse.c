// SPDX-License-Identifier: GPL-2.0
/* The module's mmid/ text, parsed; and asking mmid/pfn and mmid/task. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mmscope.h"
#include "mmid.h"

const char *const mmid_state_names[MMID_NR_STATES] = {
	"exclusive", "shared", "untracked", "unmapped",
};

static void copy_str(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src);
}

int mmid_parse_folio(const char *text, struct mmid_folio *f)
{
	char *copy = strdup(text), *line, *save = NULL;

	if (!copy)
		return -ENOMEM;
	memset(f, 0, sizeof(*f));
	f->anon_exclusive = -1;
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *v = strstr(line, ": ");

		if (!v)
			continue;
		*v = '\0';
		v += 2;
		if (!strcmp(line, "pfn"))
			f->pfn = strtoul(v, NULL, 10);
		else if (!strcmp(line, "head_pfn"))
			f->head_pfn = strtoul(v, NULL, 10);
		else if (!strcmp(line, "state"))
			copy_str(f->state, sizeof(f->state), v);
		else if (!strcmp(line, "type"))
			copy_str(f->type, sizeof(f->type), v);
		else if (!strcmp(line, "census_state"))
			copy_str(f->census_state, sizeof(f->census_state), v);
		else if (!strcmp(line, "order"))
			f->order = atoi(v);
		else if (!strcmp(line, "nr_pages"))
			f->nr_pages = atol(v);
		else if (!strcmp(line, "refcount"))
			f->refcount = atoi(v);
		else if (!strcmp(line, "pincount"))
			f->pincount = atoi(v);
		else if (!strcmp(line, "large_mapcount"))
			f->large_mapcount = atoi(v);
		else if (!strcmp(line, "entire_mapcount"))
			f->entire_mapcount = atoi(v);
		else if (!strcmp(line, "slot0_mm_id"))
			f->id[0] = strtoul(v, NULL, 10);
		else if (!strcmp(line, "slot1_mm_id"))
			f->id[1] = strtoul(v, NULL, 10);
		else if (!strcmp(line, "slot0_mapcount"))
			f->slot_mapcount[0] = atoi(v);
		else if (!strcmp(line, "slot1_mapcount"))
			f->slot_mapcount[1] = atoi(v);
		else if (!strcmp(line, "shared_bit"))
			f->shared_bit = atoi(v);
		else if (!strcmp(line, "maybe_mapped_shared"))
			f->maybe_shared = atoi(v);
		else if (!strcmp(line, "approximate"))
			f->approximate = !strcmp(v, "yes");
		else if (!strcmp(line, "anon_exclusive_pages"))
			f->anon_exclusive = *v == '-' ? -1 : atol(v);
		else if (!strcmp(line, "slot0_tasks"))
			copy_str(f->tasks[0], sizeof(f->tasks[0]), v);
		else if (!strcmp(line, "slot1_tasks"))
			copy_str(f->tasks[1], sizeof(f->tasks[1]), v);
	}
	free(copy);
	if (!f->state[0])
		return -EPROTO;
	if (!f->head_pfn && strcmp(f->state, "small") && strcmp(f->state, "large"))
		f->head_pfn = f->pfn;
	if (!f->nr_pages)
		f->nr_pages = 1;
	return 0;
}

static void parse_hist(const char *list, unsigned long long *slots)
{
	const char *p = list;

	while (*p) {
		char *end;
		unsigned long slot = strtoul(p, &end, 10);

		if (end == p || *end != ':')
			break;
		p = end + 1;
		if (slot < HIST_LOG2_SLOTS)
			slots[slot] = strtoull(p, &end, 10);
		else
			strtoull(p, &end, 10);
		p = end;
		while (*p == ' ')
			p++;
	}
}

int mmid_parse_census(const char *text, struct mmid_census *c)
{
	static const char *const hists[3] = {
		"hist large_mapcount:", "hist slot0_mapcount:", "hist slot1_mapcount:",
	};
	const struct { const char *key; unsigned long long *v; } keys[] = {
		{ "pfns_scanned: ", &c->pfns }, { "scan_ns: ", &c->ns },
		{ "pfns_per_sec: ", &c->pfns_per_sec }, { "large_folios: ", &c->large },
		{ "anon: ", &c->anon }, { "file: ", &c->file },
		{ "shared_bit: ", &c->shared_bit }, { "maybe_shared: ", &c->maybe_shared },
		{ "hugetlb: ", &c->hugetlb }, { "kernel_compound: ", &c->kernel },
		{ "busy: ", &c->busy },
	};
	const char *line = text;
	bool table = false;
	size_t i;

	memset(c, 0, sizeof(*c));
	while (line && *line) {
		const char *next = strchr(line, '\n');

		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (!strncmp(line, keys[i].key, strlen(keys[i].key)))
				*keys[i].v = strtoull(line + strlen(keys[i].key), NULL, 10);
		for (i = 0; i < 3; i++)
			if (!strncmp(line, hists[i], strlen(hists[i])))
				parse_hist(line + strlen(hists[i]), c->hist[i]);
		if (!strncmp(line, "order ", 6)) {
			table = true;
		} else if (table && line[0] == ' ') {
			unsigned long long v[6];
			int order;

			if (sscanf(line, "%d %llu %llu %llu %llu %llu %llu", &order, &v[0], &v[1],
				   &v[2], &v[3], &v[4], &v[5]) == 7 &&
			    order >= 0 && order < MMID_ORDERS) {
				for (i = 0; i < MMID_NR_STATES; i++)
					c->state[order][i] = v[i];
				c->order_bit[order] = v[4];
				c->order_maybe[order] = v[5];
			}
		}
		line = next ? next + 1 : NULL;
	}
	return table ? 0 : -EPROTO;
}

int mmid_open(const char *file)
{
	char path[256];

	snprintf(path, sizeof(path), MMID_DIR "/%s", file);
	return open(path, O_RDWR | O_CLOEXEC);
}

/* Writes @arg and reads the answer; -errno of the write when refused. */
int mmid_ask(int fd, unsigned long arg, char *buf, size_t len)
{
	char num[32];
	size_t got = 0;
	ssize_t n = 0;
	int w = snprintf(num, sizeof(num), "%lu\n", arg);

	if (write(fd, num, w) != w)
		return -errno;
	while (got < len - 1 && (n = read(fd, buf + got, len - 1 - got)) > 0)
		got += n;
	if (n < 0)
		return -errno;
	buf[got] = '\0';
	return 0;
}

int mmid_query_folio(int fd, unsigned long pfn, struct mmid_folio *f)
{
	char buf[4096];
	int err = mmid_ask(fd, pfn, buf, sizeof(buf));

	if (err == -EAGAIN)	/* split or freed between two loads: once more */
		err = mmid_ask(fd, pfn, buf, sizeof(buf));
	return err ? err : mmid_parse_folio(buf, f);
}

long mmid_task_mm_id(int fd, int pid, char *comm, size_t len)
{
	char buf[512], *p;
	int err = mmid_ask(fd, pid, buf, sizeof(buf));

	if (err)
		return err;
	p = strstr(buf, "comm: ");
	if (comm && p)
		snprintf(comm, len, "%.*s", (int)strcspn(p + 6, "\n"), p + 6);
	p = strstr(buf, "mm_id: ");
	if (!p)
		return -EPROTO;
	return strncmp(p + 7, "none", 4) ? strtol(p + 7, NULL, 10) : 0;
}

/* One census (a scan of all memory: the module runs it when the file opens). */
int mmid_read_census(struct mmid_census *c)
{
	static char buf[65536];
	int n = read_file(MMID_DIR "/census", buf, sizeof(buf));

	if (n < 0) {
		errmsg("reading %s: %s", MMID_DIR "/census", strerror(-n));
		return n;
	}
	if (mmid_parse_census(buf, c)) {
		errmsg("cannot parse %s: module and CLI versions differ?", MMID_DIR "/census");
		return -EPROTO;
	}
	return 0;
}
