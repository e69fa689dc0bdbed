// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope: look at large-folio MM-ID tracking, SLUB sheaves and barns, and
 * DAMON intervals auto-tuning on a live kernel.
 *
 * The core only owns the debugfs root and brings the areas up and down.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "mmscope.h"

static const struct mmscope_area *const mmscope_areas[] = {
	&mmscope_features_area,
	&mmscope_mmid_area,
	&mmscope_slab_area,
	&mmscope_damon_area,
};

static struct dentry *mmscope_root;

/*
 * A switch file takes exactly "0", "1", "on" or "off", with an optional
 * newline.  kstrtobool() looks at the first character only and would take
 * "1.5" or "0x" as a yes or a no.
 */
int mmscope_bool_from_user(const char __user *buf, size_t len, bool *val)
{
	char word[8];

	if (!len || len >= sizeof(word))
		return -EINVAL;
	if (copy_from_user(word, buf, len))
		return -EFAULT;
	word[len] = '\0';
	if (word[len - 1] == '\n')
		word[len - 1] = '\0';
	if (!strcmp(word, "1") || !strcmp(word, "on"))
		*val = true;
	else if (!strcmp(word, "0") || !strcmp(word, "off"))
		*val = false;
	else
		return -EINVAL;
	return 0;
}

static void mmscope_exit_areas(int count)
{
	while (count--) {
		const struct mmscope_area *area = mmscope_areas[count];

		if (area->exit)
			area->exit();
	}
}

static int __init mmscope_init(void)
{
	int i, err;

	mmscope_root = debugfs_create_dir("mmscope", NULL);
	if (IS_ERR(mmscope_root)) {
		pr_err("cannot create the debugfs directory (is CONFIG_DEBUG_FS on?)\n");
		return PTR_ERR(mmscope_root);
	}

	for (i = 0; i < ARRAY_SIZE(mmscope_areas); i++) {
		err = mmscope_areas[i]->init(mmscope_root);
		if (err) {
			pr_err("%s: init failed: %d\n", mmscope_areas[i]->name, err);
			/* As at unload: no reader may enter an area being torn down. */
			debugfs_remove(mmscope_root);
			mmscope_exit_areas(i);
			return err;
		}
	}
	pr_info("version " MMSCOPE_VERSION " loaded\n");
	return 0;
}

static void __exit mmscope_exit(void)
{
	/* Files go first so no reader can enter an area being torn down. */
	debugfs_remove(mmscope_root);
	mmscope_exit_areas(ARRAY_SIZE(mmscope_areas));
}

module_init(mmscope_init);
module_exit(mmscope_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Inspect MM-ID folio tracking, SLUB sheaves and DAMON tuning");
MODULE_VERSION(MMSCOPE_VERSION);
