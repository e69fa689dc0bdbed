/* SPDX-License-Identifier: GPL-2.0 */
/* Draining a per-CPU BPF hash: each entry read and deleted in one step. */
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

#endif /* MMSCOPE_MAP_DRAIN_H */
