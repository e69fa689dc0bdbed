// SPDX-License-Identifier: GPL-2.0
/* Run-time attach-point selection shared by every tracer. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>

#include "attach.h"
#include "kbtf.h"
#include "mmscope.h"

#define MAX_COMPANIONS 16


static struct {
	struct bpf_program *prog, *also;
} companions[MAX_COMPANIONS];
static int nr_companions;

#define MAX_FAILED 16
static struct {
	enum bpf_kind kind;
	const char *target;
} failed[MAX_FAILED];
static int nr_failed;

void attach_mark_failed(const struct attach_candidate *c)
{
	char label[160];

	if (!c->prog || nr_failed >= MAX_FAILED)
		return;
	verbose("%s failed here; not trying it again", attach_label(c, label, sizeof(label)));
	/* Programs belong to one skeleton: remember the kind and target. */
	failed[nr_failed].kind = c->kind;
	failed[nr_failed++].target = c->target;
}

static bool has_failed(const struct attach_candidate *c)
{
	int i;

	for (i = 0; i < nr_failed; i++)
		if (failed[i].kind == c->kind && !strcmp(failed[i].target, c->target))
			return true;
	return false;
}

bool kernel_has_function(const char *func)
{
	return kbtf_find(func, BTF_KIND_FUNC) > 0;
}

/* Every tracepoint has a "btf_trace_<name>" typedef in the kernel's BTF. */
bool kernel_has_tracepoint(const char *tp)
{
	char name[160];

	snprintf(name, sizeof(name), "btf_trace_%s", tp);
	return kbtf_find(name, BTF_KIND_TYPEDEF) > 0;
}

/*
 * Load and attach an empty fentry program on kmem_cache_free with the raw
 * syscalls (libbpf would parse the kernel's BTF once more to do the same):
 * some kernels load fentry programs and refuse them at attach.
 */
bool kernel_allows_fentry(void)
{
	static int allowed = -1;

	if (allowed < 0) {
		LIBBPF_OPTS(bpf_prog_load_opts, opts,
			    .expected_attach_type = BPF_TRACE_FENTRY);
		struct bpf_insn insns[2] = {
			{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
			{ .code = BPF_JMP | BPF_EXIT },
		};
		int id = kbtf_find("kmem_cache_free", BTF_KIND_FUNC), fd;

		if (id <= 0) {
			verbose("fentry: no kmem_cache_free in the kernel's BTF to probe with");
			allowed = 0;
			return false;
		}
		opts.attach_btf_id = id;
		fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "mmscope_probe", "GPL", insns, 2, &opts);
		allowed = fd >= 0;
		if (fd < 0) {
			verbose("fentry refused by this kernel at load: %s", strerror(errno));
		} else {
			int link = bpf_link_create(fd, 0, BPF_TRACE_FENTRY, NULL);

			allowed = link >= 0;
			if (link < 0)
				verbose("fentry refused by this kernel at attach: %s", strerror(errno));
			else
				close(link);
			close(fd);
		}
	}
	return allowed;
}

void attach_select_done(void)
{
	/* libbpf parses the BTF itself when it loads the programs. */
	kbtf_release();
}

const char *attach_label(const struct attach_candidate *c, char *buf, size_t len)
{
	snprintf(buf, len, "%s:%s", bpf_kind_name(c->kind), c->target);
	return buf;
}

void attach_companion(struct bpf_program *prog, struct bpf_program *also)
{
	int i;

	for (i = 0; i < nr_companions; i++)
		if (companions[i].prog == prog && companions[i].also == also)
			return;
	if (nr_companions < MAX_COMPANIONS) {
		companions[nr_companions].prog = prog;
		companions[nr_companions++].also = also;
	}
}

/* The function or tracepoint a program's section names: "fentry/x" -> "x". */
static const char *section_target(struct bpf_program *prog)
{
	const char *sec = bpf_program__section_name(prog);
	const char *slash = sec ? strchr(sec, '/') : NULL;

	return slash ? slash + 1 : "";
}

static const char *unusable_reason(const struct attach_candidate *c)
{
	int i;

	if (has_failed(c))
		return "failed to load or attach here (tried)";
	switch (c->kind) {
	case BPF_KIND_FENTRY:
		if (!kernel_has_function(c->target))
			return "no such function in the kernel's BTF (inlined or renamed)";
		for (i = 0; i < nr_companions; i++)
			if (companions[i].prog == c->prog &&
			    !kernel_has_function(section_target(companions[i].also)))
				return "a companion function is missing from the kernel's BTF";
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
		for (int j = 0; j < nr_companions; j++)
			if (companions[j].prog == c[i].prog)
				bpf_program__set_autoload(companions[j].also, i == chosen);
	}
	if (chosen >= 0) {
		verbose("%s: attaching %s", what, attach_label(&c[chosen], label, sizeof(label)));
		for (i = 0; i < nr_companions; i++)
			if (companions[i].prog == c[chosen].prog)
				verbose("%s: attaching %s:%s", what, bpf_kind_name(c[chosen].kind),
					section_target(companions[i].also));
		return chosen;
	}
	errmsg("cannot trace %s on this kernel:", what);
	for (i = 0; i < n && i < 8; i++)
		fprintf(stderr, "  %-40s %s\n", attach_label(&c[i], label, sizeof(label)), why[i]);
	fprintf(stderr, "  (CONFIG_DEBUG_INFO_BTF and CONFIG_BPF_EVENTS are needed; see 'mmscope status')\n");
	return -1;
}

bool attach_chosen(const char *what, struct attach_candidate *c, struct bpf_link **links,
		   int max_links, int *nr_links)
{
	struct bpf_program *progs[MAX_COMPANIONS + 1] = { c->prog };
	char label[160];
	int i, n = 1;

	for (i = 0; i < nr_companions; i++)
		if (companions[i].prog == c->prog)
			progs[n++] = companions[i].also;
	for (i = 0; i < n; i++) {
		struct bpf_link *link;

		if (*nr_links >= max_links) {
			errmsg("internal error: too many links for %s", what);
			return false;
		}
		link = bpf_program__attach(progs[i]);
		if (!link) {
			int err = -errno;

			errmsg("cannot attach %s for %s: %s%s", attach_label(c, label, sizeof(label)),
			       what, strerror(-err),
			       err == -EPERM ? " (run as root; lockdown or a BPF LSM may refuse it)" : "");
			return false;
		}
		links[(*nr_links)++] = link;
	}
	return true;
}

/* --- sessions -------------------------------------------------------------- */

#define ATTACH_MAX_TRIES	4

struct attach_event *attach_session_event(struct attach_session *s, const char *what,
					  const struct attach_candidate *cand, int n)
{
	struct attach_event *ev;

	if (s->nr_ev >= ATTACH_MAX_EVENTS || n > ATTACH_MAX_CANDIDATES)
		return NULL;
	ev = &s->ev[s->nr_ev++];
	ev->what = what;
	memcpy(ev->cand, cand, n * sizeof(*cand));
	ev->nr = n;
	ev->chosen = -1;
	return ev;
}

static void session_unload(struct attach_session *s, void *skel)
{
	while (s->nr_links)
		bpf_link__destroy(s->links[--s->nr_links]);
	s->destroy(skel);
	s->nr_ev = 0;
}

/*
 * After a failed try: the chosen candidate libbpf named as refused, or
 * every chosen one when it named none.  False when no event has a
 * candidate left to fall back to.
 */
static bool mark_failed_choice(struct attach_session *s, const char *refused, int attach_fail)
{
	bool marked = false, left = false;
	int i, j;

	for (i = 0; i < s->nr_ev; i++) {
		struct attach_event *ev = &s->ev[i];
		struct attach_candidate *c = &ev->cand[ev->chosen];
		const char *name = bpf_program__name(c->prog);

		if (attach_fail >= 0 ? i != attach_fail : refused[0] && strcmp(refused, name))
			continue;
		attach_mark_failed(c);
		marked = true;
		for (j = ev->chosen + 1; j < ev->nr; j++)
			left |= !has_failed(&ev->cand[j]);
	}
	if (!marked)	/* libbpf named a program no event chose: blame them all */
		return mark_failed_choice(s, "", -1);
	return left;
}

/*
 * MMSCOPE_FAULT_ATTACH=KIND:TARGET (tp_btf:kmem_cache_alloc): the chosen
 * program with that label fails to load for real (the kernel refuses a
 * load flag it does not know with EINVAL), so that tests can watch the
 * fallback on any kernel.
 */
static void inject_fault(struct attach_session *s)
{
	const char *want = getenv("MMSCOPE_FAULT_ATTACH");
	char label[160];
	int i;

	for (i = 0; want && i < s->nr_ev; i++) {
		struct attach_candidate *c = &s->ev[i].cand[s->ev[i].chosen];

		if (!strcmp(attach_label(c, label, sizeof(label)), want)) {
			verbose("MMSCOPE_FAULT_ATTACH: %s will fail to load", label);
			bpf_program__set_flags(c->prog, bpf_program__flags(c->prog) | 1U << 31);
		}
	}
}

static int session_try(struct attach_session *s, void **skel, bool *retry)
{
	int err, i;

	*retry = false;
	s->nr_ev = 0;
	bpf_quiet_libbpf();	/* and forget the last try's failure */
	*skel = s->open(s);
	if (!*skel) {
		errmsg("cannot open %s: %s", s->what, strerror(errno));
		return EXIT_FAIL;
	}
	for (i = 0; i < s->nr_ev; i++) {
		s->ev[i].chosen = attach_select(s->ev[i].what, s->ev[i].cand, s->ev[i].nr);
		if (s->ev[i].chosen < 0)
			return EXIT_NOFEATURE;
	}
	attach_select_done();
	inject_fault(s);
	err = s->load(s, *skel);
	if (err == -EPERM && !bpf_load_failed_prog()[0]) {
		errmsg("cannot load %s: %s (needs CAP_BPF and CAP_PERFMON, or root)", s->what,
		       strerror(-err));
		return EXIT_NOPRIV;
	}
	if (err) {
		*retry = mark_failed_choice(s, bpf_load_failed_prog(), -1);
		if (*retry)
			verbose("%s did not load; trying the next attach points", s->what);
		else
			bpf_load_error(s->what, err);
		return EXIT_FAIL;
	}
	for (i = 0; i < s->nr_ev; i++) {
		struct attach_event *ev = &s->ev[i];

		if (!attach_chosen(ev->what, &ev->cand[ev->chosen], s->links, ATTACH_MAX_LINKS,
				   &s->nr_links)) {
			*retry = mark_failed_choice(s, "", i);
			return EXIT_FAIL;
		}
	}
	return EXIT_OK;
}

int attach_session_open(struct attach_session *s)
{
	int tries, err = EXIT_FAIL;
	bool retry = true;
	void *skel;

	s->skel = NULL;
	s->nr_links = 0;
	for (tries = 0; retry && tries < ATTACH_MAX_TRIES; tries++) {
		err = session_try(s, &skel, &retry);
		if (err == EXIT_OK) {
			s->skel = skel;
			return EXIT_OK;
		}
		attach_select_done();
		if (skel)
			session_unload(s, skel);
	}
	return err;
}

void attach_session_close(struct attach_session *s)
{
	if (!s->skel)
		return;
	session_unload(s, s->skel);
	s->skel = NULL;
}
