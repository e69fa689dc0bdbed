// SPDX-License-Identifier: GPL-2.0
/* The one JSON Lines writer and reader (json-c) of every command. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonl.h"
#include "mmscope.h"

void jsonl_emit_to(FILE *out, struct json_object *obj)
{
	fputs(json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
					     JSON_C_TO_STRING_NOSLASHESCAPE), out);
	fputc('\n', out);
	fflush(out);
	json_object_put(obj);
}

void jsonl_emit(struct json_object *obj)
{
	jsonl_emit_to(stdout, obj);
}

int jsonl_open(struct jsonl_file *jf, const char *path)
{
	memset(jf, 0, sizeof(*jf));
	jf->path = path;
	jf->f = fopen(path, "r");
	if (!jf->f) {
		errmsg("cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int jsonl_next(struct jsonl_file *jf, const char *what, struct json_object **rec,
	       const char **type)
{
	struct json_object *t;

	while (getline(&jf->line, &jf->cap, jf->f) > 0) {
		jf->lineno++;
		if (jf->line[strspn(jf->line, " \t\r\n")] == '\0')
			continue;
		*rec = json_tokener_parse(jf->line);
		if (!*rec || !json_object_is_type(*rec, json_type_object) ||
		    !json_object_object_get_ex(*rec, "type", &t)) {
			errmsg("%s:%ld: not %s", jf->path, jf->lineno, what);
			json_object_put(*rec);
			*rec = NULL;
			return -1;
		}
		*type = json_object_get_string(t);
		return 1;
	}
	return 0;
}

void jsonl_close(struct jsonl_file *jf)
{
	free(jf->line);
	if (jf->f)
		fclose(jf->f);
}

