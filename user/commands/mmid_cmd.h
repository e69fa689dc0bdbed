/* SPDX-License-Identifier: GPL-2.0 */
/* What mmid PID (mmid_proc.c) and mmid audit (mmid_audit.c) share. */
#ifndef MMSCOPE_MMID_CMD_H
#define MMSCOPE_MMID_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <json-c/json.h>

#include "mmid.h"
#include "pagemap.h"

/* The module's mmid/pfn and mmid/task, and the page-table walk. */
struct mmid_queries {
	int pfn_fd, task_fd;
	struct pagemap_walk walk;
	unsigned long range_start, range_end;	/* of each process's addresses */
};

int mmid_queries_open(struct mmid_queries *q);
void mmid_queries_close(struct mmid_queries *q);

struct json_object *mmid_folio_json(const struct mmid_folio *f);
/* "id:mapcount" of slot @i, or "-" when it names no mm. */
void mmid_slot_text(const struct mmid_folio *f, int i, char *buf, size_t len);

int mmid_proc_run(int pid, unsigned long start, unsigned long end, bool json);
struct interval_opts;
/* One audit, or one per interval with the CoW cost (io->interval > 0). */
int mmid_audit_run(const struct interval_opts *io);

#endif /* MMSCOPE_MMID_CMD_H */
