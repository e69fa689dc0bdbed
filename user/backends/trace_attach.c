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

void trace_slab_events(struct attach_session *s, struct trace_bpf *skel, bool frees)
{
	const struct attach_candidate alloc[] = {
		{ skel->progs.slab_alloc_fentry, BPF_KIND_FENTRY, "kmem_cache_alloc_noprof" },
		{ skel->progs.slab_alloc_tp_btf, BPF_KIND_TP_BTF, "kmem_cache_alloc" },
		{ skel->progs.slab_alloc_raw_tp, BPF_KIND_RAW_TP, "kmem_cache_alloc" },
	};
	const struct attach_candidate free_[] = {
		{ skel->progs.slab_free_fentry, BPF_KIND_FENTRY, "kmem_cache_free" },
		{ skel->progs.slab_free_tp_btf, BPF_KIND_TP_BTF, "kmem_cache_free" },
		{ skel->progs.slab_free_raw_tp, BPF_KIND_RAW_TP, "kmem_cache_free" },
	};

	/* kmem_cache_alloc has three entry points, its tracepoint one. */
	attach_companion(skel->progs.slab_alloc_fentry, skel->progs.slab_alloc_lru_fentry);
	attach_companion(skel->progs.slab_alloc_fentry, skel->progs.slab_alloc_node_fentry);
	attach_session_event(s, "slab allocations", alloc, 3);
	if (frees)
		attach_session_event(s, "slab frees", free_, 3);
}

void trace_page_events(struct attach_session *s, struct trace_bpf *skel)
{
	const struct attach_candidate alloc[] = {
		{ skel->progs.page_alloc_fentry, BPF_KIND_FENTRY, "__alloc_frozen_pages_noprof" },
		{ skel->progs.page_alloc_tp_btf, BPF_KIND_TP_BTF, "mm_page_alloc" },
		{ skel->progs.page_alloc_raw_tp, BPF_KIND_RAW_TP, "mm_page_alloc" },
	};

	attach_session_event(s, "page allocations", alloc, 3);
}

/* What attach_session_open() would choose, without loading anything. */
int trace_attach_plan(const char *recipe, char *buf, size_t len)
{
	struct attach_session s = { 0 };
	struct trace_bpf *skel;
	size_t off = 0;
	int i, ret = 0;

	bpf_quiet_libbpf();
	skel = trace_bpf__open();
	if (!skel)
		return -1;
	if (!strcmp(recipe, "slab"))
		trace_slab_events(&s, skel, true);
	else
		trace_page_events(&s, skel);
	buf[0] = '\0';
	for (i = 0; i < s.nr_ev && !ret; i++) {
		struct attach_event *ev = &s.ev[i];
		char label[96];

		ev->chosen = attach_select(ev->what, ev->cand, ev->nr);
		if (ev->chosen < 0)
			ret = -1;
		else
			off += snprintf(buf + off, off < len ? len - off : 0, "%s%s", i ? " " : "",
					attach_label(&ev->cand[ev->chosen], label, sizeof(label)));
	}
	attach_select_done();
	trace_bpf__destroy(skel);
	return ret;
}
