// SPDX-License-Identifier: GPL-2.0
/* Cache names for the tracers, from SEC("iter/kmem_cache"). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "mmscope.h"
#include "slab_alias.h"
#include "trace_slab.h"

int cache_table_load(struct bpf_program *iter, struct cache_table *t)
{
	struct bpf_link *link;
	struct cache_info info;
	size_t cap = 0;
	ssize_t n;
	int fd;

	cache_table_free(t);
	link = bpf_program__attach_iter(iter, NULL);
	if (!link)
		return -errno;
	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0) {
		int err = -errno;

		bpf_link__destroy(link);
		return err;
	}
	/* Each record is written whole by one bpf_seq_write(). */
	while ((n = read(fd, &info, sizeof(info))) == sizeof(info)) {
		if (t->nr == cap) {
			struct cache_info *p;

			cap = cap ? cap * 2 : 256;
			p = realloc(t->caches, cap * sizeof(*p));
			if (!p)
				break;
			t->caches = p;
		}
		info.name[sizeof(info.name) - 1] = '\0';
		t->caches[t->nr++] = info;
	}
	close(fd);
	bpf_link__destroy(link);
	return 0;
}

const struct cache_info *cache_table_find(const struct cache_table *t, __u64 cache)
{
	size_t i;

	for (i = 0; i < t->nr; i++)
		if (t->caches[i].cache == cache)
			return &t->caches[i];
	return NULL;
}

void cache_table_free(struct cache_table *t)
{
	free(t->caches);
	t->caches = NULL;
	t->nr = 0;
}

bool cache_table_match(const struct cache_table *t, const char *glob)
{
	size_t i;

	for (i = 0; i < t->nr; i++)
		if (slab_name_matches(t->caches[i].name, glob))
			return true;
	return false;
}
