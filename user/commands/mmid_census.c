// SPDX-License-Identifier: GPL-2.0
/*
 * The census's record: built from the module's mmid/census file as parsed
 * (backends/mmid_parse.c), and its text, live and in `mmscope report`.
 * Apart from the command so that a unit test links only this.
 */
#include <string.h>
#include <json-c/json.h>

#include "commands.h"
#include "hist.h"
#include "mmid.h"
#include "render.h"

static const char *const hist_names[3] = {
	"large_mapcount", "slot0_mapcount", "slot1_mapcount",
};

struct json_object *mmid_census_record(const struct mmid_census *c)
{
	struct json_object *o = record_new("mmid_census", NULL);
	struct json_object *orders = json_object_new_object();
	int order, st, i;

	json_object_object_add(o, "pfns_scanned", json_object_new_uint64(c->pfns));
	json_object_object_add(o, "scan_ns", json_object_new_uint64(c->ns));
	json_object_object_add(o, "pfns_per_sec", json_object_new_uint64(c->pfns_per_sec));
	json_object_object_add(o, "large_folios", json_object_new_uint64(c->large));
	json_object_object_add(o, "anon", json_object_new_uint64(c->anon));
	json_object_object_add(o, "file", json_object_new_uint64(c->file));
	json_object_object_add(o, "shared_bit", json_object_new_uint64(c->shared_bit));
	json_object_object_add(o, "maybe_shared", json_object_new_uint64(c->maybe_shared));
	json_object_object_add(o, "hugetlb", json_object_new_uint64(c->hugetlb));
	json_object_object_add(o, "kernel_compound", json_object_new_uint64(c->kernel));
	json_object_object_add(o, "busy", json_object_new_uint64(c->busy));
	for (order = 0; order < MMID_ORDERS; order++) {
		struct json_object *row = json_object_new_object();
		unsigned long long sum = 0;
		char key[8];

		for (st = 0; st < MMID_NR_STATES; st++) {
			sum += c->state[order][st];
			json_object_object_add(row, mmid_state_names[st],
					       json_object_new_uint64(c->state[order][st]));
		}
		json_object_object_add(row, "shared_bit", json_object_new_uint64(c->order_bit[order]));
		json_object_object_add(row, "maybe_shared",
				       json_object_new_uint64(c->order_maybe[order]));
		if (!sum) {
			json_object_put(row);
			continue;
		}
		snprintf(key, sizeof(key), "%d", order);
		json_object_object_add(orders, key, row);
	}
	json_object_object_add(o, "orders", orders);
	for (i = 0; i < 3; i++)
		json_object_object_add(o, hist_names[i], hist_json_log2(c->hist[i], HIST_LOG2_SLOTS));
	return o;
}

static unsigned long long u64_of(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_uint64(v) : 0;
}

/* The census text from its record: live, and in `mmscope report`. */
void mmid_census_render(FILE *out, struct json_object *o)
{
	struct json_object *orders, *hist;
	unsigned long long slots[HIST_LOG2_SLOTS];
	char title[64];
	size_t i, j;

	fprintf(out, "scanned %llu PFNs in %.3f ms (%llu PFNs/s)\n", u64_of(o, "pfns_scanned"),
		u64_of(o, "scan_ns") / 1e6, u64_of(o, "pfns_per_sec"));
	fprintf(out, "large folios: %llu (anon %llu, file %llu); shared bit set: %llu, "
		"maybe mapped shared: %llu\n", u64_of(o, "large_folios"), u64_of(o, "anon"),
		u64_of(o, "file"), u64_of(o, "shared_bit"), u64_of(o, "maybe_shared"));
	fprintf(out, "skipped: hugetlb %llu, kernel compound pages %llu, changing under the scan %llu\n\n",
		u64_of(o, "hugetlb"), u64_of(o, "kernel_compound"), u64_of(o, "busy"));
	fprintf(out, "%5s %10s %10s %10s %10s %10s %12s\n", "ORDER", "EXCLUSIVE", "SHARED",
		"UNTRACKED", "UNMAPPED", "SHARED_BIT", "MAYBE_SHARED");
	if (json_object_object_get_ex(o, "orders", &orders)) {
		json_object_object_foreach(orders, order, row)
			fprintf(out, "%5s %10llu %10llu %10llu %10llu %10llu %12llu\n", order,
				u64_of(row, mmid_state_names[0]), u64_of(row, mmid_state_names[1]),
				u64_of(row, mmid_state_names[2]), u64_of(row, mmid_state_names[3]),
				u64_of(row, "shared_bit"), u64_of(row, "maybe_shared"));
	}
	for (i = 0; i < 3; i++) {
		memset(slots, 0, sizeof(slots));
		if (json_object_object_get_ex(o, hist_names[i], &hist))
			for (j = 0; j < json_object_array_length(hist); j++) {
				struct json_object *b = json_object_array_get_idx(hist, j);
				unsigned long long lo = u64_of(b, "min");
				unsigned int slot = lo ? 64 - __builtin_clzll(lo) : 0;

				if (slot < HIST_LOG2_SLOTS)
					slots[slot] = u64_of(b, "count");
			}
		snprintf(title, sizeof(title), "@%s", hist_names[i]);
		fputc('\n', out);
		hist_print_log2(out, title, slots, HIST_LOG2_SLOTS);
	}
}

