/* SPDX-License-Identifier: GPL-2.0 */
/* JSON Lines: the writer every -j output goes through, and the reader. */
#ifndef MMSCOPE_JSONL_H
#define MMSCOPE_JSONL_H

#include <stdio.h>
#include <json-c/json.h>

/* Print one JSON Lines record and free it. */
void jsonl_emit(struct json_object *obj);
/* The same into out; both flush, so a reader sees each record as it is made. */
void jsonl_emit_to(FILE *out, struct json_object *obj);

/*
 * A JSON Lines file of mmscope records (`mmscope record`, `damon record`,
 * any -j output), read a record at a time.  Blank lines are skipped.
 */
struct jsonl_file {
	FILE *f;
	const char *path;
	char *line;
	size_t cap;
	long lineno;
};

/* 0, or -1 after saying why path cannot be read. */
int jsonl_open(struct jsonl_file *jf, const char *path);
/*
 * 1 with the next record and its "type" (the caller puts the record), 0 at
 * the end, -1 after saying that the line is not `what` ("an mmscope JSON
 * record").
 */
int jsonl_next(struct jsonl_file *jf, const char *what, struct json_object **rec,
	       const char **type);
void jsonl_close(struct jsonl_file *jf);

#endif /* MMSCOPE_JSONL_H */
