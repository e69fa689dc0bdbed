/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Merged slab caches: SLUB shares one cache between compatible ones, which
 * then exist only as names in /sys/kernel/slab (symlinks to one directory).
 */
#ifndef MMSCOPE_SLAB_ALIAS_H
#define MMSCOPE_SLAB_ALIAS_H

#include <stdbool.h>
#include <stddef.h>

/* The other names of cache `name`, space-separated ("" when none). */
const char *slab_aliases(const char *name, char *buf, size_t len);
/* name, or one of its aliases, matches the glob. */
bool slab_name_matches(const char *name, const char *glob);

#endif /* MMSCOPE_SLAB_ALIAS_H */
