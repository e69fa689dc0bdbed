// SPDX-License-Identifier: GPL-2.0
/* Merged caches' names, from the symlinks of /sys/kernel/slab. */
#include <dirent.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "slab_alias.h"

#define SLAB_SYSFS "/sys/kernel/slab"

struct alias {
	char name[64];
	char target[64];	/* the shared directory (":0000064") */
};

static struct alias *aliases;
static size_t nr_aliases;
static bool loaded;

static void load(void)
{
	struct dirent *d;
	DIR *dp;

	loaded = true;
	dp = opendir(SLAB_SYSFS);
	while (dp && (d = readdir(dp))) {
		char path[PATH_MAX], target[PATH_MAX];
		const char *base;
		struct alias *p;
		ssize_t n;

		if (d->d_name[0] == '.' || d->d_name[0] == ':')
			continue;
		snprintf(path, sizeof(path), SLAB_SYSFS "/%s", d->d_name);
		n = readlink(path, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		base = strrchr(target, '/') ? strrchr(target, '/') + 1 : target;
		p = realloc(aliases, (nr_aliases + 1) * sizeof(*p));
		if (!p)
			break;
		aliases = p;
		snprintf(p[nr_aliases].name, sizeof(p->name), "%.63s", d->d_name);
		snprintf(p[nr_aliases].target, sizeof(p->target), "%.63s", base);
		nr_aliases++;
	}
	if (dp)
		closedir(dp);
}

static const char *target_of(const char *name)
{
	size_t i;

	if (!loaded)
		load();
	for (i = 0; i < nr_aliases; i++)
		if (!strcmp(aliases[i].name, name))
			return aliases[i].target;
	return NULL;
}

const char *slab_aliases(const char *name, char *buf, size_t len)
{
	const char *t = target_of(name);
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; t && i < nr_aliases && used + 1 < len; i++) {
		if (strcmp(aliases[i].target, t) || !strcmp(aliases[i].name, name))
			continue;
		used += snprintf(buf + used, len - used, "%s%s", used ? " " : "", aliases[i].name);
	}
	if (used >= len)
		buf[len - 1] = '\0';
	return buf;
}

bool slab_name_matches(const char *name, const char *glob)
{
	const char *t;
	size_t i;

	if (!glob || !fnmatch(glob, name, 0))
		return true;
	t = target_of(name);
	for (i = 0; t && i < nr_aliases; i++)
		if (!strcmp(aliases[i].target, t) && !fnmatch(glob, aliases[i].name, 0))
			return true;
	return false;
}
