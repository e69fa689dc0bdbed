// SPDX-License-Identifier: GPL-2.0
/*
 * The version and features files: what this kernel offers mmscope.
 *
 * Kernel options are read from the configuration the module was built
 * against; the patch series' parts are detected by Kbuild (see Kbuild).
 */
#include <linux/debugfs.h>
#include <linux/kernel.h>
#include <linux/seq_file.h>
#include <linux/utsname.h>

#include "mmscope.h"

struct mmscope_feature {
	const char *name;
	bool present;
	const char *needs;
};

#define KCONFIG(opt) { "CONFIG_" #opt, IS_ENABLED(CONFIG_##opt), NULL }

#ifdef MMSCOPE_HAVE_SLAB_TRACEPOINTS
#define HAVE_SLAB_TRACEPOINTS true
#else
#define HAVE_SLAB_TRACEPOINTS false
#endif
#ifdef MMSCOPE_HAVE_SHEAF_API
#define HAVE_SHEAF_API true
#else
#define HAVE_SHEAF_API false
#endif
#ifdef MMSCOPE_HAVE_RMAP_TRACEPOINTS
#define HAVE_RMAP_TRACEPOINTS true
#else
#define HAVE_RMAP_TRACEPOINTS false
#endif
#ifdef MMSCOPE_HAVE_MM_ID_ACCESSORS
#define HAVE_MM_ID_ACCESSORS true
#else
#define HAVE_MM_ID_ACCESSORS false
#endif
#ifdef MMSCOPE_HAVE_DAMON_TUNE_SCORE
#define HAVE_DAMON_TUNE_SCORE true
#else
#define HAVE_DAMON_TUNE_SCORE false
#endif

static const struct mmscope_feature mmscope_features[] = {
	KCONFIG(TRANSPARENT_HUGEPAGE),
	KCONFIG(MM_ID),
	KCONFIG(NO_PAGE_MAPCOUNT),
	KCONFIG(SLUB_TINY),
	KCONFIG(SLUB_DEBUG),
	KCONFIG(SLUB_STATS),
	KCONFIG(DAMON),
	KCONFIG(DAMON_VADDR),
	KCONFIG(DAMON_PADDR),
	KCONFIG(DAMON_SYSFS),
	KCONFIG(MEMORY_HOTPLUG),
	/* 7.x gives every cache percpu sheaves unless SLUB_TINY is set. */
	{ "slub_sheaves", !IS_ENABLED(CONFIG_SLUB_TINY), "CONFIG_SLUB_TINY=n" },
	{ "patch_slab_tracepoints", HAVE_SLAB_TRACEPOINTS,
	  "patches/ mm/slub: sheaf and barn tracepoints in kmem" },
	{ "patch_sheaf_api", HAVE_SHEAF_API,
	  "patches/ mm/slub: export the prefilled sheaf API" },
	{ "patch_rmap_tracepoints", HAVE_RMAP_TRACEPOINTS,
	  "patches/ mm/rmap: MM-ID tracepoint" },
	/* Without it, compat/mm_id_accessors.h stands in for the accessors. */
	{ "patch_mm_id_accessors", HAVE_MM_ID_ACCESSORS,
	  "patches/ mm: lockless accessors for a large folio's MM-ID slots" },
	{ "patch_damon_tune_score", HAVE_DAMON_TUNE_SCORE,
	  "patches/ mm/damon: trace what the auto-tuner decided from" },
};

static int version_show(struct seq_file *m, void *unused)
{
	seq_puts(m, MMSCOPE_VERSION "\n");
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(version);

/*
 * One "name: y|n" line per feature, so shell scripts can grep a value; a
 * missing feature names what would provide it.
 */
static int features_show(struct seq_file *m, void *unused)
{
	int i;

	seq_printf(m, "mmscope: %s\n", MMSCOPE_VERSION);
	seq_printf(m, "kernel: %s\n", init_utsname()->release);
	for (i = 0; i < ARRAY_SIZE(mmscope_features); i++) {
		const struct mmscope_feature *f = &mmscope_features[i];

		seq_printf(m, "%s: %c", f->name, f->present ? 'y' : 'n');
		if (!f->present && f->needs)
			seq_printf(m, " (needs %s)", f->needs);
		seq_putc(m, '\n');
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(features);

static int features_area_init(struct dentry *root)
{
	debugfs_create_file("version", 0400, root, NULL, &version_fops);
	debugfs_create_file("features", 0400, root, NULL, &features_fops);
	return 0;
}

const struct mmscope_area mmscope_features_area = {
	.name = "features",
	.init = features_area_init,
};
