// SPDX-License-Identifier: GPL-2.0
/* Histogram output in bpftrace's layout. */
#include <limits.h>
#include <string.h>

#include "hist.h"

#define BAR_WIDTH 52

unsigned int hist_linear_nr_slots(const struct hist_linear *lin)
{
	return (lin->max - lin->min + lin->step - 1) / lin->step + 2;
}

unsigned int hist_linear_slot(const struct hist_linear *lin, long long v)
{
	if (v < lin->min)
		return 0;
	if (v >= lin->max)
		return hist_linear_nr_slots(lin) - 1;
	return 1 + (v - lin->min) / lin->step;
}

/* 1024 -> "1K", 3 -> "3": bpftrace's power-of-two suffixes. */
static void suffixed(unsigned long long v, char *buf, size_t len)
{
	static const char units[] = " KMGTPE";
	unsigned int u = 0;

	while (v >= 1024 && v % 1024 == 0 && u < sizeof(units) - 2) {
		v /= 1024;
		u++;
	}
	if (u)
		snprintf(buf, len, "%llu%c", v, units[u]);
	else
		snprintf(buf, len, "%llu", v);
}

void hist_log2_label(unsigned int slot, char *buf, size_t len)
{
	char lo[24], hi[24];

	if (slot <= 1) {
		snprintf(buf, len, "[%u]", slot);
		return;
	}
	suffixed(1ULL << (slot - 1), lo, sizeof(lo));
	if (slot >= 64)
		snprintf(hi, sizeof(hi), "...");
	else
		suffixed(1ULL << slot, hi, sizeof(hi));
	snprintf(buf, len, "[%s, %s)", lo, hi);
}

static void bar(FILE *out, const char *label, unsigned long long count, unsigned long long max)
{
	char bar[BAR_WIDTH + 1];
	unsigned int n = max ? (unsigned int)(count * BAR_WIDTH / max) : 0;

	memset(bar, '@', n);
	memset(bar + n, ' ', BAR_WIDTH - n);
	bar[BAR_WIDTH] = '\0';
	fprintf(out, "%-16s %7llu |%s|\n", label, count, bar);
}

/* Print only from the first to the last non-empty slot, as bpftrace does. */
static int used_range(const unsigned long long *slots, unsigned int nr,
		      unsigned int *first, unsigned int *last, unsigned long long *max)
{
	unsigned int i;

	*max = 0;
	*first = UINT_MAX;
	*last = 0;
	for (i = 0; i < nr; i++) {
		if (!slots[i])
			continue;
		if (*first == UINT_MAX)
			*first = i;
		*last = i;
		if (slots[i] > *max)
			*max = slots[i];
	}
	return *first != UINT_MAX;
}

static void linear_label(const struct hist_linear *lin, unsigned int slot, unsigned int nr,
			 char *buf, size_t len)
{
	long long lo = lin->min + (long long)(slot - 1) * lin->step;

	if (slot == 0)
		snprintf(buf, len, "(..., %lld)", lin->min);
	else if (slot == nr - 1)
		snprintf(buf, len, "[%lld, ...)", lin->max);
	else
		snprintf(buf, len, "[%lld, %lld)", lo, lo + lin->step);
}

/* Log2 slots when lin is NULL, else lin's linear ones. */
static void print_hist(FILE *out, const char *name, const unsigned long long *slots,
		       unsigned int nr_slots, const struct hist_linear *lin)
{
	unsigned int first, last, i;
	unsigned long long max;
	char label[64];

	if (name)
		fprintf(out, "%s:\n", name);
	if (!used_range(slots, nr_slots, &first, &last, &max))
		return;
	for (i = first; i <= last; i++) {
		if (lin)
			linear_label(lin, i, nr_slots, label, sizeof(label));
		else
			hist_log2_label(i, label, sizeof(label));
		bar(out, label, slots[i], max);
	}
}

void hist_print_log2(FILE *out, const char *name, const unsigned long long *slots,
		     unsigned int nr_slots)
{
	print_hist(out, name, slots, nr_slots, NULL);
}

void hist_print_linear(FILE *out, const char *name, const unsigned long long *slots,
		       const struct hist_linear *lin)
{
	print_hist(out, name, slots, hist_linear_nr_slots(lin), lin);
}

static struct json_object *bucket(long long min, long long max, unsigned long long count,
				  int has_min, int has_max)
{
	struct json_object *b = json_object_new_object();

	if (has_min)
		json_object_object_add(b, "min", json_object_new_int64(min));
	if (has_max)
		json_object_object_add(b, "max", json_object_new_int64(max));
	json_object_object_add(b, "count", json_object_new_uint64(count));
	return b;
}

/* [{"min": lo, "max": hi, "count": n}, ...] with inclusive bounds. */
struct json_object *hist_json_log2(const unsigned long long *slots, unsigned int nr_slots)
{
	struct json_object *arr = json_object_new_array();
	unsigned int first, last, i;
	unsigned long long max;

	if (!used_range(slots, nr_slots, &first, &last, &max))
		return arr;
	for (i = first; i <= last; i++) {
		long long lo = i ? 1LL << (i - 1) : 0;
		long long hi = i == 0 ? 0 : i >= 64 ? LLONG_MAX : (long long)((1ULL << i) - 1);

		json_object_array_add(arr, bucket(lo, hi, slots[i], 1, 1));
	}
	return arr;
}

struct json_object *hist_json_linear(const unsigned long long *slots,
				     const struct hist_linear *lin)
{
	struct json_object *arr = json_object_new_array();
	unsigned int nr = hist_linear_nr_slots(lin), first, last, i;
	unsigned long long max;

	if (!used_range(slots, nr, &first, &last, &max))
		return arr;
	for (i = first; i <= last; i++) {
		long long lo = lin->min + (long long)(i - 1) * lin->step;

		json_object_array_add(arr, bucket(lo, lo + lin->step - 1, slots[i],
						  i != 0, i != nr - 1));
	}
	return arr;
}
