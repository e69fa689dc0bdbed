// SPDX-License-Identifier: GPL-2.0
/*
 * Load, one at a time and without attaching, every program of the given
 * BPF objects into the running kernel and print what its verifier
 * processed (bpf_prog_info.verified_insns), one line per program in the
 * host tests' protocol:
 *
 *   PASS LABEL/OBJ/PROG: 1234 insns (tp_btf)
 *   FAIL LABEL/OBJ/PROG: the verifier's verdict
 *
 * usage: bpf-verify [-l LABEL] [-b BTF] [-s VAR=VALUE]... OBJ.bpf.o...
 *   -b BTF        CO-RE relocations against this vmlinux BTF (an ELF vmlinux
 *                 or a raw BTF file) instead of the running kernel's
 *   -s VAR=VALUE  set a .rodata variable (nr_cpus=256, linear=1, ...) in
 *                 every object that has it, before the load
 *
 * A program whose attach point this kernel lacks (a patch-series
 * tracepoint, a function of another kernel) or refuses (fentry on a host
 * without trampolines) is verified as a raw_tp program instead: the same
 * instructions, arguments read from the same context array, but untyped,
 * so the verifier cannot check BTF-typed pointer accesses; it says so.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "probe.h"

#define MAX_SETS 16

static struct {
	const char *name;
	long long value;
	int found;
} sets[MAX_SETS];
static int nr_sets;
static const char *label = "host", *btf_path;

/* The verifier's verdict from libbpf's warning, or libbpf's first warning. */
static char verdict[256], first_warning[256];

/* A copy of n bytes of p without trailing newlines or blanks. */
static void copy_line(char *dst, size_t len, const char *p, size_t n)
{
	while (n && (p[n - 1] == '\n' || p[n - 1] == ' '))
		n--;
	if (n >= len)
		n = len - 1;
	memcpy(dst, p, n);
	dst[n] = '\0';
}

static int print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char *msg = NULL, *begin;

	if (level != LIBBPF_WARN)
		return 0;
	if (vasprintf(&msg, fmt, ap) < 0)
		return 0;
	if (getenv("BPF_VERIFY_LOG"))
		fputs(msg, stderr);
	begin = strstr(msg, "-- BEGIN PROG LOAD LOG --\n");
	if (begin && !verdict[0])
		bpf_log_verdict(begin + strlen("-- BEGIN PROG LOAD LOG --\n"), verdict,
				sizeof(verdict));
	else if (!begin && !first_warning[0]) {
		const char *m = msg, *q;

		if (!strncmp(m, "libbpf: ", 8))
			m += 8;
		if (!strncmp(m, "prog '", 6) && (q = strstr(m, "': ")))
			m = q + 3;
		copy_line(first_warning, sizeof(first_warning), m, strlen(m));
	}
	free(msg);
	return 0;
}

/* Set the -s variables this object's .rodata has. */
static int set_rodata(struct bpf_object *obj)
{
	const struct btf *btf = bpf_object__btf(obj);
	struct bpf_map *map;
	int i, j;

	bpf_object__for_each_map(map, obj) {
		const struct btf_type *sec;
		const struct btf_var_secinfo *vs;
		size_t size;
		char *data;
		int id;

		if (!strstr(bpf_map__name(map), ".rodata") || !btf)
			continue;
		id = btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC);
		/* const before libbpf 1.3; the memory is writable until the load. */
		data = (char *)bpf_map__initial_value(map, &size);
		if (id <= 0 || !data)
			continue;
		sec = btf__type_by_id(btf, id);
		vs = btf_var_secinfos(sec);
		for (i = 0; i < btf_vlen(sec); i++, vs++) {
			const char *name = btf__name_by_offset(btf, btf__type_by_id(btf, vs->type)->name_off);

			for (j = 0; j < nr_sets; j++) {
				long long v = sets[j].value;

				if (strcmp(name, sets[j].name) || vs->offset + vs->size > size)
					continue;
				sets[j].found = 1;
				switch (vs->size) {
				case 1: *(__u8 *)(data + vs->offset) = v; break;
				case 2: *(__u16 *)(data + vs->offset) = v; break;
				case 4: *(__u32 *)(data + vs->offset) = v; break;
				case 8: *(__u64 *)(data + vs->offset) = v; break;
				default: return -EINVAL;
				}
			}
		}
	}
	return 0;
}

static struct bpf_object *open_obj(const char *path)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = btf_path);
	struct bpf_object *obj = bpf_object__open_file(path, &opts);

	if (!obj || set_rodata(obj)) {
		printf("FAIL %s/%s: cannot open: %s\n", label, path, strerror(errno));
		bpf_object__close(obj);
		return NULL;
	}
	return obj;
}

static const char *kind(struct bpf_program *prog)
{
	const char *sec = bpf_program__section_name(prog);
	static char buf[32];
	size_t n = strcspn(sec, "/");

	copy_line(buf, sizeof(buf), sec, n);
	return buf;
}

/* Load only program `index` of the object; its verified count, or -errno. */
static int load_one(const char *path, int index, bool as_raw_tp, char *name, size_t name_len,
		    char *type, size_t type_len)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	struct bpf_program *prog, *want = NULL;
	struct bpf_object *obj = open_obj(path);
	int i = 0, err;

	if (!obj)
		return -ENOENT;
	bpf_object__for_each_program(prog, obj) {
		bpf_program__set_autoload(prog, i == index);
		if (i++ == index)
			want = prog;
	}
	if (!want) {
		bpf_object__close(obj);
		return -ENOENT;
	}
	copy_line(name, name_len, bpf_program__name(want), strlen(bpf_program__name(want)));
	copy_line(type, type_len, kind(want), strlen(kind(want)));
	if (as_raw_tp) {
		bpf_program__set_type(want, BPF_PROG_TYPE_RAW_TRACEPOINT);
		bpf_program__set_expected_attach_type(want, 0);
		snprintf(type, type_len, "%s as raw_tp", kind(want));
	}
	verdict[0] = first_warning[0] = '\0';
	err = bpf_object__load(obj);
	if (!err)
		err = bpf_obj_get_info_by_fd(bpf_program__fd(want), &info, &len) ? -errno : 0;
	bpf_object__close(obj);
	return err ? err : (int)info.verified_insns;
}

static int nr_programs(const char *path)
{
	struct bpf_object *obj = open_obj(path);
	struct bpf_program *prog;
	int n = 0;

	if (!obj)
		return -1;
	bpf_object__for_each_program(prog, obj)
		n++;
	bpf_object__close(obj);
	return n;
}

static int verify(const char *path)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	char obj[64], name[64], type[48];
	int n = nr_programs(path), i, failed = 0;

	copy_line(obj, sizeof(obj), base, strcspn(base, "."));
	if (n < 0)
		return 1;
	for (i = 0; i < n; i++) {
		int r = load_one(path, i, false, name, sizeof(name), type, sizeof(type));
		bool tracing = !strcmp(type, "tp_btf") || !strcmp(type, "fentry") ||
			       !strcmp(type, "fexit");

		/* No verdict: the kernel lacks or refuses the attach point. */
		if (r < 0 && !verdict[0] && tracing) {
			char why[256];

			snprintf(why, sizeof(why), "%s", first_warning);
			r = load_one(path, i, true, name, sizeof(name), type, sizeof(type));
			if (r >= 0) {
				printf("PASS %s/%s/%s: %d insns (%s; natively: %s)\n", label, obj, name,
				       r, type, why);
				continue;
			}
		}
		if (r >= 0) {
			printf("PASS %s/%s/%s: %d insns (%s)\n", label, obj, name, r, type);
		} else {
			printf("FAIL %s/%s/%s: %s (%s)\n", label, obj, name,
			       verdict[0] ? verdict : first_warning[0] ? first_warning : strerror(-r),
			       type);
			failed = 1;
		}
	}
	return failed;
}

int main(int argc, char **argv)
{
	int c, i, failed = 0;

	while ((c = getopt(argc, argv, "l:b:s:")) != -1) {
		char *eq;

		switch (c) {
		case 'l':
			label = optarg;
			break;
		case 'b':
			btf_path = optarg;
			break;
		case 's':
			eq = strchr(optarg, '=');
			if (!eq || nr_sets == MAX_SETS) {
				fprintf(stderr, "bpf-verify: -s VAR=VALUE, at most %d\n", MAX_SETS);
				return 2;
			}
			*eq = '\0';
			sets[nr_sets].name = optarg;
			sets[nr_sets++].value = strtoll(eq + 1, NULL, 0);
			break;
		default:
			fprintf(stderr, "usage: bpf-verify [-l LABEL] [-b BTF] [-s VAR=VALUE]... OBJ...\n");
			return 2;
		}
	}
	libbpf_set_print(print);
	for (i = optind; i < argc; i++)
		failed |= verify(argv[i]);
	/* A misspelt -s would verify the defaults and look like a pass. */
	for (i = 0; i < nr_sets; i++) {
		if (sets[i].found)
			continue;
		printf("FAIL %s: -s %s: no such .rodata variable in any object\n",
		       label, sets[i].name);
		failed = 1;
	}
	return failed;
}
