// SPDX-License-Identifier: GPL-2.0
/*
 * user/attach.c against the running kernel's BTF: a tracer whose every
 * candidate is missing says, per candidate, why, and what the kernel needs;
 * the first usable candidate is the one chosen.  Opening a skeleton loads
 * nothing, so this runs unprivileged.
 */
#include <fcntl.h>
#include <unistd.h>

#include "unit.h"
#include "attach.h"
#include "trace.skel.h"

/* stderr of call into a malloc'ed string. */
#define CAPTURE_STDERR(var, call) do {					\
	char path[] = "/tmp/mmscope-unit-XXXXXX";			\
	int fd = mkstemp(path), saved = dup(2);				\
	long n;								\
	fflush(stderr);							\
	dup2(fd, 2);							\
	call;								\
	fflush(stderr);							\
	dup2(saved, 2);							\
	close(saved);							\
	n = lseek(fd, 0, SEEK_END);					\
	var = calloc(1, n + 1);						\
	pread(fd, var, n, 0);						\
	close(fd);							\
	unlink(path);							\
} while (0)

static void nothing_usable_says_why(void)
{
	struct trace_bpf *skel = trace_bpf__open();
	struct attach_candidate c[2];
	char *err;
	int ret;

	CHECK(skel, "cannot open the trace skeleton");
	c[0] = (struct attach_candidate){ skel->progs.slab_alloc_fentry, BPF_KIND_FENTRY,
					  "no_such_function_mmscope" };
	c[1] = (struct attach_candidate){ skel->progs.slab_alloc_tp_btf, BPF_KIND_TP_BTF,
					  "no_such_tracepoint_mmscope" };
	CAPTURE_STDERR(err, ret = attach_select("test events", c, 2));
	trace_bpf__destroy(skel);
	CHECK(ret == -1, "chose %d", ret);
	CHECK(strstr(err, "cannot trace test events on this kernel:") &&
	      strstr(err, "fentry:no_such_function_mmscope") &&
	      strstr(err, "no such function in the kernel's BTF") &&
	      strstr(err, "tp_btf:no_such_tracepoint_mmscope") &&
	      strstr(err, "no such tracepoint in this kernel") &&
	      strstr(err, "CONFIG_DEBUG_INFO_BTF"), "%s", err);
	free(err);
}

static void first_usable_is_chosen(void)
{
	struct trace_bpf *skel = trace_bpf__open();
	struct attach_candidate c[2];
	int ret;

	CHECK(skel, "cannot open the trace skeleton");
	c[0] = (struct attach_candidate){ skel->progs.slab_alloc_tp_btf, BPF_KIND_TP_BTF,
					  "no_such_tracepoint_mmscope" };
	c[1] = (struct attach_candidate){ skel->progs.slab_alloc_raw_tp, BPF_KIND_RAW_TP,
					  "kmem_cache_alloc" };
	ret = attach_select("test events", c, 2);
	CHECK(ret == 1, "chose %d, want the raw_tp one", ret);
	CHECK(!bpf_program__autoload(c[0].prog) && bpf_program__autoload(c[1].prog),
	      "autoload must follow the choice");
	trace_bpf__destroy(skel);
}

int main(void)
{
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		printf("SKIP attach: no /sys/kernel/btf/vmlinux on this kernel\n");
		return 0;
	}
	RUN(nothing_usable_says_why);
	RUN(first_usable_is_chosen);
	return unit_failed;
}
