/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The general tracers' attach points (bpf/trace.bpf.c), chosen in one
 * place for `mmscope trace` and `mmscope status`.
 */
#ifndef MMSCOPE_TRACE_ATTACH_H
#define MMSCOPE_TRACE_ATTACH_H

#include <stdbool.h>
#include <stddef.h>

#include "attach.h"

struct trace_bpf;

/* chosen[0] allocations, chosen[1] frees (when frees); 0 or EXIT_NOFEATURE. */
int trace_select_slab(struct trace_bpf *skel, struct attach_candidate *chosen, bool frees);
int trace_select_page(struct trace_bpf *skel, struct attach_candidate *chosen);
/*
 * The attach points `mmscope trace <recipe>` would use here ("slab" or
 * "page"), space-separated, for `mmscope status`; -1 if none works.
 */
int trace_attach_plan(const char *recipe, char *buf, size_t len);

#endif /* MMSCOPE_TRACE_ATTACH_H */
