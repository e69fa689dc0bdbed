/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The general tracers' attach points (bpf/trace.bpf.c), listed in one
 * place for `mmscope trace` (an attach session) and `mmscope status`.
 */
#ifndef MMSCOPE_TRACE_ATTACH_H
#define MMSCOPE_TRACE_ATTACH_H

#include <stdbool.h>
#include <stddef.h>

#include "attach.h"

struct trace_bpf;

/* The events of `trace slab` (allocations, and frees unless !frees) or `trace page`. */
void trace_slab_events(struct attach_session *s, struct trace_bpf *skel, bool frees);
void trace_page_events(struct attach_session *s, struct trace_bpf *skel);
/*
 * The attach points `mmscope trace <recipe>` would use here ("slab" or
 * "page"), space-separated, for `mmscope status`; -1 if none works.
 */
int trace_attach_plan(const char *recipe, char *buf, size_t len);

#endif /* MMSCOPE_TRACE_ATTACH_H */
