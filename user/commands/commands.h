/* SPDX-License-Identifier: GPL-2.0 */
/* What commands share: text renderers of their records, for `mmscope report`. */
#ifndef MMSCOPE_COMMANDS_H
#define MMSCOPE_COMMANDS_H

#include <stdio.h>
#include <json-c/json.h>

#include "opts.h"

extern const struct cmd cmd_slab_top;
extern const struct cmd cmd_slab_hist;
extern const struct cmd cmd_mmid_trace;

void status_render(FILE *out, struct json_object *rec);
void slab_state_render(FILE *out, struct json_object *rec);
void slab_top_render(FILE *out, struct json_object *rec);
void mmid_census_render(FILE *out, struct json_object *rec);

/* The first record of a recorded file: version, kernel, host, command line. */
struct json_object *record_header(int argc, char **argv);
/* A 'damon record' line as 'damon report -v' prints it (commands/damon_report.c). */
void damon_record_render(FILE *out, struct json_object *rec);

struct mmid_census;
/* The "mmid_census" record of a parsed census (commands/mmid_census.c). */
struct json_object *mmid_census_record(const struct mmid_census *c);

#endif /* MMSCOPE_COMMANDS_H */
