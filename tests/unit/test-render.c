// SPDX-License-Identifier: GPL-2.0
/*
 * user/render.c: a record rendered from its JSON prints exactly what the
 * histogram printer prints for the same slots, so `mmscope report` and a
 * live session look the same; tables against text written out by hand.
 */
#include "unit.h"
#include "render.h"

static void keyed_linear_hist_round_trip(void)
{
	const struct hist_linear lin = { .min = 0, .max = 11, .step = 1 };
	unsigned long long slots[13] = { 0 };
	struct json_object *rec, *again;
	char *got, *want;

	slots[1] = 40;		/* order 0 */
	slots[10] = 3;		/* order 9 */
	slots[12] = 1;		/* order >= 11 */
	rec = hist_record_new("page", "order", "comm", &lin);
	hist_record_add(rec, "bash", slots, 13);
	/* Through text and back, as `mmscope report` reads a file. */
	again = json_tokener_parse(json_object_to_json_string(rec));
	CAPTURE(got, record_render(out, again, false));
	CAPTURE(want, (hist_print_linear(out, "@order[bash]", slots, &lin), fputc('\n', out)));
	CHECK_STR(got, want);
	CHECK(strstr(got, "[11, ...)") && strstr(got, "[9, 10)"), "%s", got);
	json_object_put(rec);
	json_object_put(again);
	free(got);
	free(want);
}

static void unkeyed_log2_hist_round_trip(void)
{
	unsigned long long slots[HIST_LOG2_SLOTS] = { 0 };
	struct json_object *rec, *again;
	char *got, *want;

	slots[0] = 2;
	slots[5] = 7;		/* [16, 32) */
	slots[11] = 1;		/* [1K, 2K) */
	rec = hist_record_new("t", "bytes", NULL, NULL);
	hist_record_add(rec, NULL, slots, HIST_LOG2_SLOTS);
	again = json_tokener_parse(json_object_to_json_string(rec));
	CAPTURE(got, record_render(out, again, false));
	CAPTURE(want, (hist_print_log2(out, "@bytes", slots, HIST_LOG2_SLOTS), fputc('\n', out)));
	CHECK_STR(got, want);
	json_object_put(rec);
	json_object_put(again);
	free(got);
	free(want);
}

static void table_layout(void)
{
	struct json_object *rec = json_tokener_parse(
		"{\"type\":\"table\",\"tracer\":\"slab\",\"ts\":0,\"interval_s\":0,"
		"\"columns\":[\"comm\",\"cache\",\"allocs\",\"frees\"],\"total_rows\":2,\"dropped\":0,"
		"\"rows\":[{\"comm\":\"trace-alloc\",\"cache\":\"filp\",\"allocs\":2000,\"frees\":3},"
		"{\"comm\":\"sh\",\"cache\":\"names_cache\",\"allocs\":1,\"frees\":0}]}");
	char *got;

	CAPTURE(got, record_render(out, rec, false));
	CHECK_STR(got,
		  "COMM        CACHE           ALLOCS      FREES\n"
		  "trace-alloc filp              2000          3\n"
		  "sh          names_cache          1          0\n"
		  "\n");
	json_object_put(rec);
	free(got);
}

static void unknown_record_printed_as_json(void)
{
	struct json_object *rec = json_tokener_parse("{\"type\":\"future\",\"x\":1}");
	char *got;

	CAPTURE(got, record_render(out, rec, false));
	CHECK(strstr(got, "\"type\":\"future\"") || strstr(got, "\"type\": \"future\""), "%s", got);
	json_object_put(rec);
	free(got);
}

/* Records from a file may be partial or odd: rendered as far as they go. */
static void partial_records_do_not_crash(void)
{
	static const char *const recs[] = {
		"{\"type\":\"hist\"}",
		"{\"type\":\"hist\",\"hists\":5}",
		"{\"type\":\"hist\",\"hists\":[{\"key\":\"x\"},7,{\"buckets\":[1,{\"min\":2,\"count\":3}]}]}",
		"{\"type\":\"table\",\"columns\":\"x\",\"rows\":[]}",
		"{\"type\":\"table\",\"columns\":[\"a\"],\"rows\":[1,{\"a\":2}]}",
		"{\"type\":\"hist\",\"kind\":\"linear\",\"linear\":{\"min\":0,\"max\":10,\"step\":0},\"hists\":[]}",
	};
	size_t i;

	for (i = 0; i < sizeof(recs) / sizeof(recs[0]); i++) {
		struct json_object *rec = json_tokener_parse(recs[i]);
		char *got;

		CHECK(rec, "bad test record %zu", i);
		CAPTURE(got, record_render(out, rec, false));
		free(got);
		json_object_put(rec);
	}
}

int main(void)
{
	RUN(partial_records_do_not_crash);
	RUN(keyed_linear_hist_round_trip);
	RUN(unkeyed_log2_hist_round_trip);
	RUN(table_layout);
	RUN(unknown_record_printed_as_json);
	return unit_failed;
}
