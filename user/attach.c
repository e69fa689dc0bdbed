// SPDX-License-Identifier: GPL-2.0
/* Run-time attach-point selection shared by every tracer. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/btf.h>

#include "attach.h"
#include "mmscope.h"

static struct btf *vmlinux_btf;
static bool vmlinux_btf_tried;

static struct btf *kernel_btf(void)
{
	if (!vmlinux_btf_tried) {
		vmlinux_btf_tried = true;
		vmlinux_btf = btf__load_vmlinux_btf();
		if (!vmlinux_btf) {
			vmlinux_btf = NULL;
			verbose("no kernel BTF (/sys/kernel/btf/vmlinux): %s", strerror(errno));
		}
	}
	return vmlinux_btf;
}

bool kernel_has_function(const char *func)
{
	struct btf *btf = kernel_btf();

	return btf && btf__find_by_name_kind(btf, func, BTF_KIND_FUNC) > 0;
}

/* Every tracepoint has a "btf_trace_<name>" typedef in the kernel's BTF. */
bool kernel_has_tracepoint(const char *tp)
{
	struct btf *btf = kernel_btf();
	char name[160];

	snprintf(name, sizeof(name), "btf_trace_%s", tp);
	return btf && btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF) > 0;
}

bool kernel_allows_fentry(void)
{
	static int allowed = -1;

	if (allowed < 0) {
		struct bpf_probe_result res;

		bpf_probe_kind(BPF_KIND_FENTRY, &res);
		allowed = res.ok;
		if (!res.ok)
			verbose("fentry refused by this kernel at %s: %s", res.stage,
				strerror(-res.err));
	}
	return allowed;
}

const char *attach_label(const struct attach_candidate *c, char *buf, size_t len)
{
	snprintf(buf, len, "%s:%s", bpf_kind_name(c->kind), c->target);
	return buf;
}

static const char *unusable_reason(const struct attach_candidate *c)
{
	switch (c->kind) {
	case BPF_KIND_FENTRY:
		if (!kernel_has_function(c->target))
			return "no such function in the kernel's BTF (inlined or renamed)";
		if (!kernel_allows_fentry())
			return "this kernel refuses fentry programs";
		return NULL;
	case BPF_KIND_TP_BTF:
	case BPF_KIND_RAW_TP:
		if (!kernel_has_tracepoint(c->target))
			return "no such tracepoint in this kernel";
		return NULL;
	default:
		return "not an event attach type";
	}
}

int attach_select(const char *what, struct attach_candidate *c, int n)
{
	const char *why[8] = { 0 };
	int chosen = -1, i;
	char label[160];

	for (i = 0; i < n; i++) {
		const char *reason = chosen < 0 ? unusable_reason(&c[i]) : NULL;

		if (chosen < 0 && !reason)
			chosen = i;
		if (i < 8)
			why[i] = reason;
		bpf_program__set_autoload(c[i].prog, i == chosen);
	}
	if (chosen >= 0) {
		verbose("%s: attaching %s", what, attach_label(&c[chosen], label, sizeof(label)));
		return chosen;
	}
	errmsg("cannot trace %s on this kernel:", what);
	for (i = 0; i < n && i < 8; i++)
		fprintf(stderr, "  %-40s %s\n", attach_label(&c[i], label, sizeof(label)), why[i]);
	fprintf(stderr, "  (CONFIG_DEBUG_INFO_BTF and CONFIG_BPF_EVENTS are needed; see 'mmscope status')\n");
	return -1;
}
