// SPDX-License-Identifier: GPL-2.0
/*
 * Load and attach one minimal program per BPF attach type, one at a time,
 * to learn what the running kernel allows.  Nothing stays attached.
 */
#include <errno.h>
#include <stdarg.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "mmscope.h"
#include "probe.h"
#include "status.skel.h"

static const char *const kind_names[NR_BPF_KINDS] = {
	[BPF_KIND_FENTRY] = "fentry",
	[BPF_KIND_TP_BTF] = "tp_btf",
	[BPF_KIND_RAW_TP] = "raw_tp",
	[BPF_KIND_TRACEPOINT] = "tracepoint",
	[BPF_KIND_ITER_KMEM_CACHE] = "iter/kmem_cache",
};

const char *bpf_kind_name(enum bpf_kind kind)
{
	return kind < NR_BPF_KINDS ? kind_names[kind] : "?";
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (!opt_verbose || level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/* libbpf's own messages only with -v: our errors say what to do. */
void bpf_quiet_libbpf(void)
{
	libbpf_set_print(libbpf_print);
}

static struct bpf_program *kind_program(struct status_bpf *skel, enum bpf_kind kind)
{
	switch (kind) {
	case BPF_KIND_FENTRY:
		return skel->progs.probe_fentry;
	case BPF_KIND_TP_BTF:
		return skel->progs.probe_tp_btf;
	case BPF_KIND_RAW_TP:
		return skel->progs.probe_raw_tp;
	case BPF_KIND_TRACEPOINT:
		return skel->progs.probe_tracepoint;
	case BPF_KIND_ITER_KMEM_CACHE:
		return skel->progs.probe_iter_kmem_cache;
	default:
		return NULL;
	}
}

static long long drain_iterator(struct bpf_link *link, struct status_bpf *skel)
{
	char buf[256];
	int fd = bpf_iter_create(bpf_link__fd(link));

	if (fd < 0)
		return fd;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
	return (long long)skel->bss->nr_caches;
}

void bpf_probe_kind(enum bpf_kind kind, struct bpf_probe_result *res)
{
	struct bpf_program *prog, *want;
	struct bpf_link *link;
	struct status_bpf *skel;
	int err;

	*res = (struct bpf_probe_result){ 0 };
	bpf_quiet_libbpf();
	skel = status_bpf__open();
	if (!skel) {
		res->err = -errno;
		res->stage = "open";
		return;
	}
	want = kind_program(skel, kind);
	bpf_object__for_each_program(prog, skel->obj)
		bpf_program__set_autoload(prog, prog == want);
	err = status_bpf__load(skel);
	if (err) {
		res->err = err;
		res->stage = "load";
		goto out;
	}
	link = bpf_program__attach(want);
	if (!link) {
		res->err = -errno;
		res->stage = "attach";
		goto out;
	}
	if (kind == BPF_KIND_ITER_KMEM_CACHE)
		res->value = drain_iterator(link, skel);
	bpf_link__destroy(link);
	res->ok = true;
out:
	status_bpf__destroy(skel);
}
