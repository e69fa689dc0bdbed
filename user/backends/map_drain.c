// SPDX-License-Identifier: GPL-2.0
/* Per-CPU hashes drained with bpf_map_lookup_and_delete_batch(). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "map_drain.h"

#define BATCH 512

int map_drain(int fd, size_t key_size, size_t value_size,
	      void (*fn)(const void *key, const void *values, void *ctx), void *ctx)
{
	int ncpu = libbpf_num_possible_cpus(), err = 0;
	size_t vsz = ((value_size + 7) & ~7UL) * (ncpu > 0 ? ncpu : 1);
	char *keys = calloc(BATCH, key_size), *vals = calloc(BATCH, vsz);
	__u64 in = 0, out = 0;
	bool first = true;

	if (ncpu <= 0 || !keys || !vals) {
		free(keys);
		free(vals);
		return -ENOMEM;
	}
	for (;;) {
		__u32 count = BATCH, i;

		err = bpf_map_lookup_and_delete_batch(fd, first ? NULL : &in, &out, keys, vals,
						      &count, NULL);
		if (err)
			err = -errno;
		for (i = 0; i < count && (!err || err == -ENOENT); i++)
			fn(keys + i * key_size, vals + i * vsz, ctx);
		if (err)
			break;
		in = out;
		first = false;
	}
	free(keys);
	free(vals);
	return err == -ENOENT ? 0 : err;
}

int percpu_counters_take(int fd, unsigned long long *sum, size_t n)
{
	int ncpu = libbpf_num_possible_cpus(), cpu, err = 0;
	unsigned long long *v;
	__u32 zero = 0;
	size_t i;

	if (ncpu <= 0)
		return -EINVAL;
	v = calloc((size_t)ncpu * n, sizeof(*v));
	if (!v)
		return -ENOMEM;
	memset(sum, 0, n * sizeof(*sum));
	if (bpf_map_lookup_elem(fd, &zero, v)) {
		err = -errno;
		goto out;
	}
	for (cpu = 0; cpu < ncpu; cpu++)
		for (i = 0; i < n; i++)
			sum[i] += v[(size_t)cpu * n + i];
	memset(v, 0, (size_t)ncpu * n * sizeof(*v));
	if (bpf_map_update_elem(fd, &zero, v, BPF_ANY))
		err = -errno;
out:
	free(v);
	return err;
}
