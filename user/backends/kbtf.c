// SPDX-License-Identifier: GPL-2.0
/* A linear scan of the kernel's raw BTF for names (see kbtf.h). */
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/btf.h>

#include "kbtf.h"

#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"

static char *data;
static size_t size;
static bool mapped;
static int load_err;

static int load(void)
{
	size_t cap = 8 << 20;
	struct stat st;
	ssize_t n;
	int fd;

	if (data || load_err)
		return load_err;
	fd = open(VMLINUX_BTF, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return load_err = -errno;
	/* 6.16+ kernels let us map it: no copy, no 4 KiB reads. */
	if (fstat(fd, &st) == 0 && st.st_size > 0) {
		void *p = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);

		if (p != MAP_FAILED) {
			data = p;
			size = st.st_size;
			mapped = true;
			close(fd);
			goto check;
		}
	}
	data = malloc(cap);
	size = 0;
	while (data && (n = read(fd, data + size, cap - size)) > 0) {
		size += n;
		if (size == cap) {
			char *p = realloc(data, cap *= 2);

			if (!p) {
				free(data);
				data = NULL;
			}
			data = p;
		}
	}
	close(fd);
	if (!data)
		return load_err = -ENOMEM;
check:
	if (size < sizeof(struct btf_header) ||
	    ((struct btf_header *)data)->magic != BTF_MAGIC) {
		kbtf_release();
		return load_err = -EINVAL;
	}
	return 0;
}

void kbtf_release(void)
{
	if (mapped)
		munmap(data, size);
	else
		free(data);
	mapped = false;
	data = NULL;
	size = 0;
	load_err = 0;
}

/* Bytes that follow struct btf_type for each kind. */
static size_t extra(const struct btf_type *t)
{
	unsigned int vlen = BTF_INFO_VLEN(t->info);

	switch (BTF_INFO_KIND(t->info)) {
	case BTF_KIND_INT:
	case BTF_KIND_VAR:
	case BTF_KIND_DECL_TAG:
		return 4;
	case BTF_KIND_ARRAY:
		return sizeof(struct btf_array);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return vlen * sizeof(struct btf_member);
	case BTF_KIND_ENUM:
		return vlen * sizeof(struct btf_enum);
	case BTF_KIND_FUNC_PROTO:
		return vlen * sizeof(struct btf_param);
	case BTF_KIND_DATASEC:
		return vlen * sizeof(struct btf_var_secinfo);
	case 19:	/* BTF_KIND_ENUM64, newer than some uapi headers */
		return vlen * 12;
	default:
		return 0;
	}
}

int kbtf_find(const char *name, unsigned int kind)
{
	const struct btf_header *h;
	const char *types, *strs, *p, *end;
	int err = load(), id = 1;

	if (err)
		return err;
	h = (const struct btf_header *)data;
	if (h->hdr_len + h->type_off + h->type_len > size ||
	    h->hdr_len + h->str_off + h->str_len > size)
		return -EINVAL;
	types = data + h->hdr_len + h->type_off;
	strs = data + h->hdr_len + h->str_off;
	end = types + h->type_len;
	for (p = types; p + sizeof(struct btf_type) <= end; id++) {
		const struct btf_type *t = (const struct btf_type *)p;

		if (BTF_INFO_KIND(t->info) == kind && t->name_off < h->str_len &&
		    !strcmp(strs + t->name_off, name))
			return id;
		p += sizeof(*t) + extra(t);
	}
	return 0;
}

/* The type with BTF id `want`, or NULL. */
static const struct btf_type *type_by_id(int want)
{
	const struct btf_header *h = (const struct btf_header *)data;
	const char *types = data + h->hdr_len + h->type_off, *p, *end;
	int id = 1;

	end = types + h->type_len;
	for (p = types; p + sizeof(struct btf_type) <= end; id++) {
		const struct btf_type *t = (const struct btf_type *)p;

		if (id == want)
			return t;
		p += sizeof(*t) + extra(t);
	}
	return NULL;
}

int kbtf_tp_nr_args(const char *tp)
{
	const struct btf_type *t;
	char name[256];
	int id;

	snprintf(name, sizeof(name), "btf_trace_%s", tp);
	id = kbtf_find(name, BTF_KIND_TYPEDEF);
	if (id <= 0)
		return id;
	/* typedef -> pointer -> function prototype (void *data, args...) */
	t = type_by_id(id);
	t = t ? type_by_id(t->type) : NULL;
	if (!t || BTF_INFO_KIND(t->info) != BTF_KIND_PTR)
		return 0;
	t = type_by_id(t->type);
	if (!t || BTF_INFO_KIND(t->info) != BTF_KIND_FUNC_PROTO || !BTF_INFO_VLEN(t->info))
		return 0;
	return BTF_INFO_VLEN(t->info) - 1;
}
