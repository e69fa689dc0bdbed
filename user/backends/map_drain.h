/* SPDX-License-Identifier: GPL-2.0 */
/* Draining per-CPU BPF maps: hash entries read and deleted in one step, array counters summed and reset. */
#ifndef MMSCOPE_MAP_DRAIN_H
#define MMSCOPE_MAP_DRAIN_H

#include <stddef.h>

/*
 * Calls fn(key, values, ctx) for every entry of the per-CPU hash fd, where
 * values holds one value_size value per possible CPU, and removes the
 * entry in the same step (bpf_map_lookup_and_delete_batch), so no event
 * between a read and its delete is lost.  0 or -errno.
 */
int map_drain(int fd, size_t key_size, size_t value_size,
	      void (*fn)(const void *key, const void *values, void *ctx), void *ctx);

/*
 * The one entry of a per-CPU array whose value is n 64-bit counters:
 * each summed over the CPUs into sum[], then the entry zeroed.  Counts
 * made between the read and the reset are lost, as in the libbpf-tools.
 * 0 or -errno.
 */
int percpu_counters_take(int fd, unsigned long long *sum, size_t n);

#endif /* MMSCOPE_MAP_DRAIN_H */
