// SPDX-License-Identifier: GPL-2.0
/*
 * mmid audit's CoW-cost tracer: one session of two events, the write
 * faults (fentry/fexit on handle_mm_fault, which no tracepoint brackets)
 * and the removal of a page's mapping (the patch series' rmap:folio_mm_id,
 * else fentry on folio_remove_rmap_ptes).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "mmscope.h"
#include "attach.h"
#include "map_drain.h"
#include "mmid_cow.h"
#include "mmid_cow.skel.h"

struct mmid_cow {
	struct attach_session sess;
	struct mmid_cow_bpf *skel;
};

static void *cow_open(struct attach_session *s)
{
	struct mmid_cow_bpf *skel = mmid_cow_bpf__open();
	struct bpf_program *p;

	if (!skel)
		return NULL;
	bpf_object__for_each_program(p, skel->obj)
		bpf_program__set_autoload(p, false);
	{
		const struct attach_candidate faults[] = {
			{ skel->progs.wfault_enter, BPF_KIND_FENTRY, "handle_mm_fault" },
		};
		const struct attach_candidate removals[] = {
			{ skel->progs.cow_tp, BPF_KIND_TP_BTF, "folio_mm_id" },
			{ skel->progs.cow_fentry, BPF_KIND_FENTRY, "folio_remove_rmap_ptes" },
		};

		attach_companion(skel->progs.wfault_enter, skel->progs.wfault_exit);
		attach_session_event(s, "write faults", faults, 1);
		attach_session_event(s, "large-folio page unmaps", removals, 2);
	}
	return skel;
}

static int cow_load(struct attach_session *s, void *skel)
{
	return mmid_cow_bpf__load(skel);
}

static void cow_destroy(void *skel)
{
	mmid_cow_bpf__destroy(skel);
}

struct mmid_cow *mmid_cow_start(void)
{
	struct mmid_cow *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->sess = (struct attach_session){
		.what = "the CoW-cost programs", .open = cow_open, .load = cow_load,
		.destroy = cow_destroy,
	};
	if (attach_session_open(&c->sess)) {
		attach_session_close(&c->sess);
		free(c);
		return NULL;
	}
	c->skel = c->sess.skel;
	return c;
}

const char *mmid_cow_source(const struct mmid_cow *c, bool *exact)
{
	*exact = c->sess.ev[1].chosen == 0;
	return *exact ? "tp_btf:folio_mm_id" :
	       "fentry:folio_remove_rmap_ptes (folio state read without rmap's lock: approximate)";
}

/* Summed as an array of counters: nothing else may be in it. */
_Static_assert(sizeof(struct mmid_cow_counts) % sizeof(unsigned long long) == 0,
	       "struct mmid_cow_counts holds only 64-bit counters");

int mmid_cow_take(struct mmid_cow *c, struct mmid_cow_counts *sum)
{
	return percpu_counters_take(bpf_map__fd(c->skel->maps.counts), (unsigned long long *)sum,
				    sizeof(*sum) / sizeof(unsigned long long));
}

int mmid_cow_take_pending(struct mmid_cow *c, struct mmid_cow_settle **out, size_t *n)
{
	int fd = bpf_map__fd(c->skel->maps.pending);
	struct mmid_cow_key key, next, *prev = NULL;
	struct mmid_cow_settle *v = NULL, *grown;
	size_t nr = 0, i;

	/* The keys first: deleting while walking would restart the walk. */
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		grown = realloc(v, (nr + 1) * sizeof(*v));
		if (!grown) {
			free(v);
			return -ENOMEM;
		}
		v = grown;
		v[nr++].key = next;
		key = next;
		prev = &key;
	}
	for (i = 0; i < nr; ) {
		if (bpf_map_lookup_and_delete_elem(fd, &v[i].key, &v[i].val))
			v[i] = v[--nr];		/* evicted meanwhile */
		else
			i++;
	}
	*out = v;
	*n = nr;
	return 0;
}

int mmid_cow_setter(const struct mmid_cow *c, unsigned long pfn, struct mmid_bit_setter *s)
{
	__u64 key = pfn;

	return bpf_map_lookup_elem(bpf_map__fd(c->skel->maps.setters), &key, s) ? -errno : 0;
}

void mmid_cow_stop(struct mmid_cow *c)
{
	if (!c)
		return;
	attach_session_close(&c->sess);
	free(c);
}
