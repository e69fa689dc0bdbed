/* SPDX-License-Identifier: GPL-2.0 */
/* mmscope mmid: the module's mmid/ answers, parsed. */
#ifndef MMSCOPE_MMID_H
#define MMSCOPE_MMID_H

#include <stdbool.h>
#include <stdio.h>

#include "hist_slots.h"

#define MMID_DIR MMSCOPE_DEBUGFS "/mmid"
#define MMID_ORDERS 32
#define MMID_NR_STATES 4

/* One answer of mmid/pfn. */
struct mmid_folio {
	unsigned long pfn, head_pfn;
	char state[16];		/* free busy kernel small large hugetlb */
	char type[8];		/* anon ksm file none */
	char census_state[16];
	unsigned int order;
	long nr_pages;
	int refcount, pincount, large_mapcount, entire_mapcount;
	unsigned int id[2];
	int slot_mapcount[2];
	bool shared_bit, maybe_shared;
	bool approximate;	/* the module's reads never agreed twice */
	long anon_exclusive;	/* -1: not anon */
	char tasks[2][256];	/* "12:comm 13:comm" or "-" */
};

struct mmid_census {
	unsigned long long pfns, ns, pfns_per_sec, large, anon, file;
	unsigned long long shared_bit, maybe_shared, hugetlb, kernel, busy;
	unsigned long long state[MMID_ORDERS][MMID_NR_STATES];
	unsigned long long order_bit[MMID_ORDERS], order_maybe[MMID_ORDERS];
	unsigned long long hist[3][HIST_LOG2_SLOTS];
};

extern const char *const mmid_state_names[MMID_NR_STATES];

int mmid_parse_folio(const char *text, struct mmid_folio *f);
int mmid_parse_census(const char *text, struct mmid_census *c);
/* Run and parse one census: 0, or -errno after saying why. */
int mmid_read_census(struct mmid_census *c);

/* A descriptor on mmid/pfn or mmid/task, asked one question at a time. */
int mmid_open(const char *file);
int mmid_ask(int fd, unsigned long arg, char *buf, size_t len);
int mmid_query_folio(int fd, unsigned long pfn, struct mmid_folio *f);
/* The mm id of a pid; 0 when it has none, -errno when it cannot be asked. */
long mmid_task_mm_id(int fd, int pid, char *comm, size_t len);

#endif /* MMSCOPE_MMID_H */
