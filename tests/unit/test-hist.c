// SPDX-License-Identifier: GPL-2.0
/* user/hist.c against output written out by hand in bpftrace's layout. */
#include "unit.h"
#include "hist.h"

static void log2_slots_match_bpftrace(void)
{
	CHECK(hist_log2_slot(0) == 0, "0 -> %u", hist_log2_slot(0));
	CHECK(hist_log2_slot(1) == 1, "1 -> %u", hist_log2_slot(1));
	CHECK(hist_log2_slot(2) == 2 && hist_log2_slot(3) == 2, "2,3 -> slot 2");
	CHECK(hist_log2_slot(4) == 3 && hist_log2_slot(7) == 3, "4..7 -> slot 3");
	CHECK(hist_log2_slot(1ULL << 63) == 64, "2^63 -> %u", hist_log2_slot(1ULL << 63));
	CHECK(hist_log2_slot(~0ULL) == 64, "max -> %u", hist_log2_slot(~0ULL));
}

static void log2_labels(void)
{
	char buf[48];

	hist_log2_label(0, buf, sizeof(buf));
	CHECK_STR(buf, "[0]");
	hist_log2_label(1, buf, sizeof(buf));
	CHECK_STR(buf, "[1]");
	hist_log2_label(3, buf, sizeof(buf));
	CHECK_STR(buf, "[4, 8)");
	hist_log2_label(11, buf, sizeof(buf));
	CHECK_STR(buf, "[1K, 2K)");
	hist_log2_label(21, buf, sizeof(buf));
	CHECK_STR(buf, "[1M, 2M)");
	hist_log2_label(64, buf, sizeof(buf));
	CHECK_STR(buf, "[8E, ...)");
}

static void log2_print_layout(void)
{
	unsigned long long slots[HIST_LOG2_SLOTS] = { 0 };
	char *text;
	const char *want =
		"@bytes:\n"
		"[4, 8)                 2 |@@@@@@@@@@@@@                                       |\n"
		"[8, 16)                0 |                                                    |\n"
		"[16, 32)               8 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n";

	slots[hist_log2_slot(5)] += 2;
	slots[hist_log2_slot(20)] += 8;
	CAPTURE(text, hist_print_log2(out, "@bytes", slots, HIST_LOG2_SLOTS));
	CHECK_STR(text, want);
	free(text);
}

static void empty_prints_only_the_name(void)
{
	unsigned long long slots[HIST_LOG2_SLOTS] = { 0 };
	char *text;

	CAPTURE(text, hist_print_log2(out, "@x", slots, HIST_LOG2_SLOTS));
	CHECK_STR(text, "@x:\n");
	free(text);
}

static void linear_layout(void)
{
	struct hist_linear lin = { .min = 0, .max = 30, .step = 10 };
	unsigned long long slots[8] = { 0 };
	char *text;
	const char *want =
		"(..., 0)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n"
		"[0, 10)                0 |                                                    |\n"
		"[10, 20)               2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
		"[20, 30)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n"
		"[30, ...)              2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n";

	CHECK(hist_linear_nr_slots(&lin) == 5, "nr_slots %u", hist_linear_nr_slots(&lin));
	slots[hist_linear_slot(&lin, -3)]++;
	slots[hist_linear_slot(&lin, 10)]++;
	slots[hist_linear_slot(&lin, 19)]++;
	slots[hist_linear_slot(&lin, 29)]++;
	slots[hist_linear_slot(&lin, 30)]++;
	slots[hist_linear_slot(&lin, 1000)]++;
	CAPTURE(text, hist_print_linear(out, NULL, slots, &lin));
	CHECK_STR(text, want);
	free(text);
}

static void json_buckets(void)
{
	unsigned long long slots[HIST_LOG2_SLOTS] = { 0 };
	struct hist_linear lin = { .min = 0, .max = 20, .step = 10 };
	unsigned long long lslots[4] = { 0, 3, 0, 1 };
	struct json_object *j;

	slots[0] = 1;
	slots[hist_log2_slot(1024)] = 4;
	j = hist_json_log2(slots, HIST_LOG2_SLOTS);
	CHECK(json_object_array_length(j) == 12, "%zu buckets", json_object_array_length(j));
	CHECK_STR(json_object_to_json_string_ext(json_object_array_get_idx(j, 11),
						 JSON_C_TO_STRING_PLAIN),
		  "{\"min\":1024,\"max\":2047,\"count\":4}");
	json_object_put(j);

	j = hist_json_linear(lslots, &lin);
	CHECK_STR(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN),
		  "[{\"min\":0,\"max\":9,\"count\":3},{\"min\":10,\"max\":19,\"count\":0},"
		  "{\"min\":20,\"count\":1}]");
	json_object_put(j);
}

int main(void)
{
	RUN(log2_slots_match_bpftrace);
	RUN(log2_labels);
	RUN(log2_print_layout);
	RUN(empty_prints_only_the_name);
	RUN(linear_layout);
	RUN(json_buckets);
	return unit_failed;
}
