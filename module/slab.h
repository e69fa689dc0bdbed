/* SPDX-License-Identifier: GPL-2.0 */
/* mmscope slab area: knobs and workload (slab.c), sheaf tables (slab_table.c). */
#ifndef _MMSCOPE_SLAB_H
#define _MMSCOPE_SLAB_H

#include <linux/dcache.h>

/* Creates the sheaf/barn/stats tables when the kernel has the slab API. */
void mmscope_slab_tables_init(struct dentry *dir);

#endif /* _MMSCOPE_SLAB_H */
