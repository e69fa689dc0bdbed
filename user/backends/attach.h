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

/* --- a session: the one open, choose, load and attach loop ------------- */

#define ATTACH_MAX_CANDIDATES	4
#define ATTACH_MAX_EVENTS	12
#define ATTACH_MAX_LINKS	16

/* One event a session observes, with the programs that can see it, best first. */
struct attach_event {
	const char *what;		/* "slab allocations", for messages */
	struct attach_candidate cand[ATTACH_MAX_CANDIDATES];
	int nr;
	int chosen;			/* index in cand, set by attach_session_open() */
};

struct attach_session {
	const char *what;		/* "the slab top programs", for messages */
	void *ctx;			/* the command's, for the callbacks */
	/*
	 * A fresh skeleton with every program's autoload off, and its events
	 * added with attach_session_event(); NULL with errno set.
	 */
	void *(*open)(struct attach_session *s);
	/* After the choice: map sizes and rodata, then the load; 0 or -errno. */
	int (*load)(struct attach_session *s, void *skel);
	void (*destroy)(void *skel);

	struct attach_event ev[ATTACH_MAX_EVENTS];
	int nr_ev;
	void *skel;			/* loaded and attached, after success */
	struct bpf_link *links[ATTACH_MAX_LINKS];
	int nr_links;
};

/* From open(): one more event and its candidates (n <= ATTACH_MAX_CANDIDATES). */
struct attach_event *attach_session_event(struct attach_session *s, const char *what,
					  const struct attach_candidate *cand, int n);

/*
 * Open, choose each event's first usable candidate, load, attach.  When a
 * chosen program fails to load or attach, it is marked failed and all of it
 * runs again, so that event falls back to its next candidate.  EXIT_OK with
 * s->skel ready, or an EXIT_* code after saying why.
 */
int attach_session_open(struct attach_session *s);
/* Detach and free; safe on a session that never opened. */
void attach_session_close(struct attach_session *s);

#endif /* MMSCOPE_ATTACH_H */
