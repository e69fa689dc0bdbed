/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Histogram slots shared by BPF programs and the CLI.  Log2 slot 0 holds
 * the value 0, slot k (k >= 1) holds [2^(k-1), 2^k): bpftrace's hist().
 */
#ifndef MMSCOPE_HIST_SLOTS_H
#define MMSCOPE_HIST_SLOTS_H

#define HIST_LOG2_SLOTS 65

static inline unsigned int hist_log2_slot(unsigned long long v)
{
	unsigned int slot = 0;

	while (v) {
		v >>= 1;
		slot++;
	}
	return slot;
}

#endif /* MMSCOPE_HIST_SLOTS_H */
