/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mmscope: shared declarations of the module's parts.
 */
#ifndef _MMSCOPE_H
#define _MMSCOPE_H

#include <linux/dcache.h>
#include <linux/types.h>

#define MMSCOPE_VERSION "0.1.0"

/*
 * Each area of the module (features, mmid, slab, damon) registers its
 * debugfs files below the mmscope root at load and removes them at unload;
 * core.c calls them in order and unwinds on failure.
 */
struct mmscope_area {
	const char *name;
	int (*init)(struct dentry *root);
	void (*exit)(void);
};

extern const struct mmscope_area mmscope_features_area;
extern const struct mmscope_area mmscope_mmid_area;
extern const struct mmscope_area mmscope_slab_area;
extern const struct mmscope_area mmscope_damon_area;

int mmscope_bool_from_user(const char __user *buf, size_t len, bool *val);

#endif /* _MMSCOPE_H */
