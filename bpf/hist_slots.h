/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Histogram slots shared by BPF programs, the module and the CLI.  Log2
 * slot 0 holds the value 0, slot k (k >= 1) holds [2^(k-1), 2^k):
 * bpftrace's hist().
 */
#ifndef MMSCOPE_HIST_SLOTS_H
#define MMSCOPE_HIST_SLOTS_H

#define HIST_LOG2_SLOTS 65

/*
 * The bit length of v by binary search: six steps, no loop and no
 * data-dependent branch count, so the verifier walks it once.
 */
static inline unsigned int hist_log2_slot(unsigned long long v)
{
	unsigned int slot = 0, s;

	s = (v >> 32 != 0) << 5;
	v >>= s;
	slot |= s;
	s = (v >> 16 != 0) << 4;
	v >>= s;
	slot |= s;
	s = (v >> 8 != 0) << 3;
	v >>= s;
	slot |= s;
	s = (v >> 4 != 0) << 2;
	v >>= s;
	slot |= s;
	s = (v >> 2 != 0) << 1;
	v >>= s;
	slot |= s;
	s = v >> 1;
	v >>= s;
	slot |= s;
	/* v is now 0 or 1: the top bit, which slot 0 leaves out. */
	return slot + (unsigned int)v;
}

#endif /* MMSCOPE_HIST_SLOTS_H */
