/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Run-time choice of attach points: each tracer lists the programs that
 * could observe one event, best first (the patch series' tracepoints,
 * fentry, tp_btf, raw_tp); attach_select() keeps the first this kernel
 * can run and turns autoload off for the rest.
 */
#ifndef MMSCOPE_ATTACH_H
#define MMSCOPE_ATTACH_H

#include <stdbool.h>
#include <bpf/libbpf.h>

#include "probe.h"

struct attach_candidate {
	struct bpf_program *prog;
	enum bpf_kind kind;	/* BPF_KIND_FENTRY, _TP_BTF or _RAW_TP */
	const char *target;	/* kernel function or tracepoint name */
};

/*
 * Load and attach `also` whenever `prog` is chosen: the other functions
 * one event needs with fentry (kmem_cache_alloc has three entry points,
 * its tracepoint one).  Call before attach_select().
 */
void attach_companion(struct bpf_program *prog, struct bpf_program *also);

/* The kernel's BTF knows this function / this tracepoint. */
bool kernel_has_function(const char *func);
bool kernel_has_tracepoint(const char *tp);
/* fentry programs load and attach here (the host refuses them); probed once. */
bool kernel_allows_fentry(void);

/*
 * Pick the first usable candidate for the event named `what`: returns its
 * index, or -1 after printing why none works.  With -v, prints the choice.
 */
int attach_select(const char *what, struct attach_candidate *c, int n);

/* After the last attach_select(), before loading: frees the BTF scan. */
void attach_select_done(void);

/* Attach the chosen candidate and its companions; false after saying why. */
bool attach_chosen(const char *what, struct attach_candidate *c, struct bpf_link **links,
		   int max_links, int *nr_links);

/*
 * A chosen candidate that failed to load or attach: attach_select() skips
 * it from now on, so a retry falls back to the next one.
 */
void attach_mark_failed(const struct attach_candidate *c);

/* "fentry:kmem_cache_free" for messages and -v output. */
const char *attach_label(const struct attach_candidate *c, char *buf, size_t len);

#endif /* MMSCOPE_ATTACH_H */
