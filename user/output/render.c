// SPDX-License-Identifier: GPL-2.0
/* Records to text: tables and bpftrace-style keyed histograms. */
#include <limits.h>
#include <string.h>
#include <time.h>

#include "render.h"

struct json_object *record_new(const char *type, const char *tracer)
{
	struct json_object *rec = json_object_new_object();

	json_object_object_add(rec, "type", json_object_new_string(type));
	if (tracer)
		json_object_object_add(rec, "tracer", json_object_new_string(tracer));
	json_object_object_add(rec, "ts", json_object_new_double(now_realtime()));
	return rec;
}

struct json_object *hist_record_new(const char *tracer, const char *name, const char *by,
				    const struct hist_linear *lin)
{
	struct json_object *rec = record_new("hist", tracer);

	json_object_object_add(rec, "name", json_object_new_string(name));
	json_object_object_add(rec, "kind", json_object_new_string(lin ? "linear" : "log2"));
	if (lin) {
		struct json_object *l = json_object_new_object();

		json_object_object_add(l, "min", json_object_new_int64(lin->min));
		json_object_object_add(l, "max", json_object_new_int64(lin->max));
		json_object_object_add(l, "step", json_object_new_int64(lin->step));
		json_object_object_add(rec, "linear", l);
	}
	json_object_object_add(rec, "by", by ? json_object_new_string(by) : NULL);
	json_object_object_add(rec, "hists", json_object_new_array());
	return rec;
}

static bool get_linear(struct json_object *rec, struct hist_linear *lin)
{
	struct json_object *l, *v;

	if (!json_object_object_get_ex(rec, "linear", &l) || !l)
		return false;
	json_object_object_get_ex(l, "min", &v);
	lin->min = json_object_get_int64(v);
	json_object_object_get_ex(l, "max", &v);
	lin->max = json_object_get_int64(v);
	json_object_object_get_ex(l, "step", &v);
	lin->step = json_object_get_int64(v);
	return lin->step > 0 && lin->max > lin->min;
}

void hist_record_add(struct json_object *rec, const char *key,
		     const unsigned long long *slots, unsigned int nr_slots)
{
	struct json_object *h = json_object_new_object(), *hists;
	unsigned long long total = 0;
	struct hist_linear lin;
	unsigned int i;

	for (i = 0; i < nr_slots; i++)
		total += slots[i];
	json_object_object_add(h, "key", key ? json_object_new_string(key) : NULL);
	json_object_object_add(h, "total", json_object_new_uint64(total));
	json_object_object_add(h, "buckets", get_linear(rec, &lin) ?
			       hist_json_linear(slots, &lin) : hist_json_log2(slots, nr_slots));
	json_object_object_get_ex(rec, "hists", &hists);
	json_object_array_add(hists, h);
}

void record_emit(struct json_object *rec, const struct interval_opts *o)
{
	if (o->json) {
		jsonl_emit(rec);
		return;
	}
	record_render(stdout, rec, o->timestamp);
	fflush(stdout);
	json_object_put(rec);
}

static const char *getstr(struct json_object *obj, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(obj, key, &v) || !v)
		return NULL;
	return json_object_get_string(v);
}

/* Buckets back to slots: the inverse of hist_json_log2/_linear. */
static void render_hist(FILE *out, struct json_object *rec)
{
	struct json_object *hists, *h, *buckets, *b, *v;
	const char *name = getstr(rec, "name") ?: "hist";
	unsigned long long slots[HIST_LOG2_SLOTS + 256];
	struct hist_linear lin;
	bool linear = get_linear(rec, &lin);
	size_t i, j, nr;
	char title[256];

	if (linear && hist_linear_nr_slots(&lin) > sizeof(slots) / sizeof(slots[0]))
		return;
	nr = linear ? hist_linear_nr_slots(&lin) : HIST_LOG2_SLOTS;
	/* A file may come from anywhere: skip what is not shaped as expected. */
	if (!json_object_object_get_ex(rec, "hists", &hists) ||
	    !json_object_is_type(hists, json_type_array))
		return;
	for (i = 0; i < json_object_array_length(hists); i++) {
		const char *key;

		h = json_object_array_get_idx(hists, i);
		memset(slots, 0, sizeof(slots));
		if (!json_object_object_get_ex(h, "buckets", &buckets) ||
		    !json_object_is_type(buckets, json_type_array))
			continue;
		for (j = 0; j < json_object_array_length(buckets); j++) {
			long long lo;
			size_t slot;

			b = json_object_array_get_idx(buckets, j);
			if (!json_object_is_type(b, json_type_object))
				continue;
			json_object_object_get_ex(b, "count", &v);
			if (json_object_object_get_ex(b, "min", &v) && v) {
				lo = json_object_get_int64(v);
				if (linear)
					slot = 1 + (lo - lin.min) / lin.step;
				else
					slot = lo ? 64 - __builtin_clzll(lo) : 0;
			} else {
				slot = 0;
			}
			json_object_object_get_ex(b, "count", &v);
			if (slot < nr)
				slots[slot] = json_object_get_uint64(v);
		}
		key = getstr(h, "key");
		if (key)
			snprintf(title, sizeof(title), "@%s[%s]", name, key);
		else
			snprintf(title, sizeof(title), "@%s", name);
		if (linear)
			hist_print_linear(out, title, slots, &lin);
		else
			hist_print_log2(out, title, slots, nr);
		fputc('\n', out);
	}
}

/* Columns named in "columns"; strings left-aligned, numbers right-aligned. */
static void render_table(FILE *out, struct json_object *rec)
{
	struct json_object *cols, *rows, *row, *v;
	size_t i, j, nc, nr;
	bool numeric[16];
	int width[16];

	if (!json_object_object_get_ex(rec, "columns", &cols) ||
	    !json_object_object_get_ex(rec, "rows", &rows) ||
	    !json_object_is_type(cols, json_type_array) ||
	    !json_object_is_type(rows, json_type_array))
		return;
	nc = json_object_array_length(cols);
	nr = json_object_array_length(rows);
	if (nc > 16)
		nc = 16;
	for (j = 0; j < nc; j++) {
		const char *c = json_object_get_string(json_object_array_get_idx(cols, j));

		width[j] = strlen(c);
		for (i = 0; i < nr; i++) {
			row = json_object_array_get_idx(rows, i);
			if (json_object_object_get_ex(row, c, &v) && v &&
			    (int)strlen(json_object_get_string(v)) > width[j])
				width[j] = strlen(json_object_get_string(v));
		}
		if (width[j] < 10 && j)
			width[j] = 10;
	}
	for (j = 0; j < nc; j++) {
		const char *c = json_object_get_string(json_object_array_get_idx(cols, j));

		numeric[j] = false;
		if (nr && json_object_object_get_ex(json_object_array_get_idx(rows, 0), c, &v) && v)
			numeric[j] = json_object_is_type(v, json_type_int);
	}
	for (j = 0; j < nc; j++) {
		char up[64];
		const char *c = json_object_get_string(json_object_array_get_idx(cols, j));
		size_t k;

		for (k = 0; c[k] && k < sizeof(up) - 1; k++)
			up[k] = c[k] >= 'a' && c[k] <= 'z' ? c[k] - 32 : c[k];
		up[k] = '\0';
		if (j == 0)
			fprintf(out, "%-*s", width[j], up);
		else
			fprintf(out, numeric[j] ? " %*s" : " %-*s", width[j], up);
	}
	fputc('\n', out);
	for (i = 0; i < nr; i++) {
		row = json_object_array_get_idx(rows, i);
		for (j = 0; j < nc; j++) {
			const char *c = json_object_get_string(json_object_array_get_idx(cols, j));
			const char *s = "-";
			bool num = false;

			if (json_object_object_get_ex(row, c, &v) && v) {
				s = json_object_get_string(v);
				num = json_object_is_type(v, json_type_int);
			}
			if (j == 0)
				fprintf(out, "%-*s", width[j], s);
			else
				fprintf(out, num ? " %*s" : " %-*s", width[j], s);
		}
		fputc('\n', out);
	}
	fputc('\n', out);
}

static const struct renderer *renderer_find(const struct renderer *r, const char *type)
{
	for (; r && r->type; r++)
		if (!strcmp(r->type, type))
			return r;
	return NULL;
}

void record_render(FILE *out, struct json_object *rec, bool show_time)
{
	record_render_with(out, rec, show_time, NULL);
}

void record_render_with(FILE *out, struct json_object *rec, bool show_time,
			const struct renderer *r)
{
	const char *type = getstr(rec, "type");
	struct json_object *v;

	if (show_time && json_object_object_get_ex(rec, "ts", &v)) {
		time_t t = (time_t)json_object_get_double(v);
		char buf[16];

		strftime(buf, sizeof(buf), "%H:%M:%S", localtime(&t));
		fprintf(out, "%s\n", buf);
	}
	if (type && !strcmp(type, "hist"))
		render_hist(out, rec);
	else if (type && !strcmp(type, "table"))
		render_table(out, rec);
	else if (type && (r = renderer_find(r, type)))
		r->render(out, rec);
	else
		fprintf(out, "%s\n", json_object_to_json_string_ext(rec, JSON_C_TO_STRING_PRETTY |
				JSON_C_TO_STRING_NOSLASHESCAPE));
	if (json_object_object_get_ex(rec, "dropped", &v) && json_object_get_uint64(v))
		fprintf(out, "warning: %llu events dropped (more than %d keys)\n",
			(unsigned long long)json_object_get_uint64(v), 8192);
}
