// SPDX-License-Identifier: GPL-2.0
/* mTHP per-size statistics files (mthp.h). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmscope.h"
#include "mthp.h"

static int cmp_stat(const void *a, const void *b)
{
	const struct mthp_stat *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x->kb > y->kb) - (x->kb < y->kb);
}

/* The stats/ files of one hugepages-<size> directory, appended to *out. */
static int read_size(const char *root, const char *dir, const char *size, unsigned long kb,
		     struct mthp_stat **out, size_t *nr)
{
	char path[512], buf[32];
	struct dirent *d;
	DIR *sd;

	snprintf(path, sizeof(path), "%s/%s/stats", root, dir);
	sd = opendir(path);
	if (!sd)
		return 0;	/* a size without stats (older kernels) */
	while ((d = readdir(sd))) {
		struct mthp_stat *s;
		char *end;

		if (d->d_name[0] == '.' || strlen(d->d_name) >= sizeof(s->name))
			continue;
		snprintf(path, sizeof(path), "%s/%s/stats/%s", root, dir, d->d_name);
		if (read_file(path, buf, sizeof(buf)) <= 0)
			continue;
		s = realloc(*out, (*nr + 1) * sizeof(**out));
		if (!s) {
			closedir(sd);
			return -ENOMEM;
		}
		*out = s;
		s = &s[(*nr)++];
		snprintf(s->name, sizeof(s->name), "%s", d->d_name);
		snprintf(s->size, sizeof(s->size), "%s", size);
		s->kb = kb;
		s->value = strtoull(buf, &end, 10);
		if (end == buf)
			(*nr)--;
	}
	closedir(sd);
	return 0;
}

int mthp_read(const char *root, struct mthp_stat **out, size_t *nr)
{
	struct dirent *d;
	DIR *dir = opendir(root);
	int err = 0;

	*out = NULL;
	*nr = 0;
	if (!dir)
		return -errno;
	while (!err && (d = readdir(dir))) {
		char size[16];
		unsigned long kb;

		if (sscanf(d->d_name, "hugepages-%lukB", &kb) != 1 || strlen(d->d_name) > 25)
			continue;
		/* The label is "64kB", the directory "hugepages-64kB". */
		snprintf(size, sizeof(size), "%lukB", kb);
		err = read_size(root, d->d_name, size, kb, out, nr);
	}
	closedir(dir);
	if (err) {
		free(*out);
		*out = NULL;
		*nr = 0;
		return err;
	}
	if (!*nr)
		return -ENOENT;
	qsort(*out, *nr, sizeof(**out), cmp_stat);
	return 0;
}
