/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracing output as records: every report a tracer prints is first built
 * as one JSON object (schema: docs/schema/mmscope-record.schema.json),
 * then either printed as a JSON Lines record (-j, `mmscope record`) or
 * rendered as text.  `mmscope report` renders recorded files with the same
 * code, so a live session and its replay look identical.
 */
#ifndef MMSCOPE_RENDER_H
#define MMSCOPE_RENDER_H

#include <stdbool.h>
#include <stdio.h>
#include <json-c/json.h>

#include "hist.h"
#include "interval.h"
#include "jsonl.h"

/* {"type": type, "tracer": tracer, "ts": now} */
struct json_object *record_new(const char *type, const char *tracer);

/* A "hist" record: add one keyed histogram (key may be NULL). */
struct json_object *hist_record_new(const char *tracer, const char *name, const char *by,
				    const struct hist_linear *lin);
void hist_record_add(struct json_object *rec, const char *key,
		     const unsigned long long *slots, unsigned int nr_slots);

/* Print rec as JSON Lines or as text, then free it. */
void record_emit(struct json_object *rec, const struct interval_opts *o);

/* Text for one record; show_time prints its "ts" as HH:MM:SS first. */
void record_render(FILE *out, struct json_object *rec, bool show_time);

/*
 * Text for the record types this file does not know (a command's own,
 * e.g. "status"): `mmscope report` passes every command's renderer.
 */
struct renderer {
	const char *type;
	void (*render)(FILE *out, struct json_object *rec);
};
void record_render_with(FILE *out, struct json_object *rec, bool show_time,
			const struct renderer *r);

#endif /* MMSCOPE_RENDER_H */
