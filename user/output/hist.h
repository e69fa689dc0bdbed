/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one histogram printer every mmscope command uses: bpftrace's layout
 * for text, bpftrace's "hist"/"lhist" objects for JSON.
 */
#ifndef MMSCOPE_HIST_H
#define MMSCOPE_HIST_H

#include <stdio.h>
#include <json-c/json.h>

#include "hist_slots.h"	/* bpf/: slot layout shared with BPF */

struct hist_linear {
	long long min, max, step;	/* bpftrace lhist(v, min, max, step) */
};

/*
 * Linear slots: [0] holds values below min, [1 + i] holds
 * [min + i*step, min + (i+1)*step), the last holds values >= max.
 */
unsigned int hist_linear_nr_slots(const struct hist_linear *lin);
unsigned int hist_linear_slot(const struct hist_linear *lin, long long v);

/* "[4, 8)", "[1K, 2K)", "[0]": the label of a log2 slot. */
void hist_log2_label(unsigned int slot, char *buf, size_t len);

void hist_print_log2(FILE *out, const char *name, const unsigned long long *slots,
		     unsigned int nr_slots);
void hist_print_linear(FILE *out, const char *name, const unsigned long long *slots,
		       const struct hist_linear *lin);

struct json_object *hist_json_log2(const unsigned long long *slots, unsigned int nr_slots);
struct json_object *hist_json_linear(const unsigned long long *slots,
				     const struct hist_linear *lin);

#endif /* MMSCOPE_HIST_H */
