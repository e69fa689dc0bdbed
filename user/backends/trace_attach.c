// SPDX-License-Identifier: GPL-2.0
/* Attach points of the general tracers, best first (see attach.c). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "mmscope.h"
#include "probe.h"
#include "trace_attach.h"
#include "trace.skel.h"

int trace_select_slab(struct trace_bpf *skel, struct attach_candidate *chosen, bool frees)
{
	struct attach_candidate alloc[] = {
		{ skel->progs.slab_alloc_fentry, BPF_KIND_FENTRY, "kmem_cache_alloc_noprof" },
		{ skel->progs.slab_alloc_tp_btf, BPF_KIND_TP_BTF, "kmem_cache_alloc" },
		{ skel->progs.slab_alloc_raw_tp, BPF_KIND_RAW_TP, "kmem_cache_alloc" },
	};
	struct attach_candidate free_[] = {
		{ skel->progs.slab_free_fentry, BPF_KIND_FENTRY, "kmem_cache_free" },
		{ skel->progs.slab_free_tp_btf, BPF_KIND_TP_BTF, "kmem_cache_free" },
		{ skel->progs.slab_free_raw_tp, BPF_KIND_RAW_TP, "kmem_cache_free" },
	};
	int a, f;

	attach_companion(skel->progs.slab_alloc_fentry, skel->progs.slab_alloc_lru_fentry);
	attach_companion(skel->progs.slab_alloc_fentry, skel->progs.slab_alloc_node_fentry);
	a = attach_select("slab allocations", alloc, 3);
	f = a < 0 || !frees ? 0 : attach_select("slab frees", free_, 3);

	if (a < 0 || f < 0)
		return EXIT_NOFEATURE;
	chosen[0] = alloc[a];
	chosen[1] = free_[f];
	return 0;
}

int trace_select_page(struct trace_bpf *skel, struct attach_candidate *chosen)
{
	struct attach_candidate alloc[] = {
		{ skel->progs.page_alloc_fentry, BPF_KIND_FENTRY, "__alloc_frozen_pages_noprof" },
		{ skel->progs.page_alloc_tp_btf, BPF_KIND_TP_BTF, "mm_page_alloc" },
		{ skel->progs.page_alloc_raw_tp, BPF_KIND_RAW_TP, "mm_page_alloc" },
	};
	int a = attach_select("page allocations", alloc, 3);

	if (a < 0)
		return EXIT_NOFEATURE;
	chosen[0] = alloc[a];
	return 0;
}

int trace_attach_plan(const char *recipe, char *buf, size_t len)
{
	struct attach_candidate chosen[2] = { 0 };
	struct trace_bpf *skel;
	char a[96], f[96];
	int ret;

	bpf_quiet_libbpf();
	skel = trace_bpf__open();
	if (!skel)
		return -1;
	if (!strcmp(recipe, "slab"))
		ret = trace_select_slab(skel, chosen, true);
	else
		ret = trace_select_page(skel, chosen);
	attach_select_done();
	if (!ret && !strcmp(recipe, "slab"))
		snprintf(buf, len, "%s %s", attach_label(&chosen[0], a, sizeof(a)),
			 attach_label(&chosen[1], f, sizeof(f)));
	else if (!ret)
		snprintf(buf, len, "%s", attach_label(&chosen[0], a, sizeof(a)));
	trace_bpf__destroy(skel);
	return ret ? -1 : 0;
}

