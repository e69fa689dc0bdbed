// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope mmid trace: pages per rmap operation, the large mapcount after
 * it and shared-bit transitions.  From the patch series' rmap:folio_mm_id
 * tracepoint when the kernel has it (emitted under the folio's large
 * mapcount lock: before and after are exact); otherwise fentry/fexit on the PTE
 * rmap functions (fork's duplication is header-inline: no hook sees it).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "mmid.h"

#include "folio.bpf.h"

/* One set of histograms per CPU: rmap operations run on every CPU at once. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mmid_trace_hists);
} hists SEC(".maps");

/* The folio fields this kernel has (enum mmid_folio_feature), from features(). */
__u32 folio_feature_mask;

/* The shared bit before an operation, per task, from fentry to fexit. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u8);
} before SEC(".maps");

/*
 * The verifier does not follow hist_log2_slot()'s variable shifts: bound
 * the slot on one opaque 64-bit copy, the one then used as the index.
 */
static __always_inline __u64 clamp_slot(unsigned int slot)
{
	__u64 s = slot;

	asm volatile("" : "+r"(s));
	if (s >= HIST_LOG2_SLOTS)
		s = HIST_LOG2_SLOTS - 1;
	return s;
}

/*
 * Per-CPU counters without atomics: a program does not nest within itself
 * on one CPU (the kernel skips the nested run), and rmap operations do not
 * run in interrupts, so the fexit programs do not nest within each other.
 */
static __always_inline void record(int op, struct folio *folio, int nr, int before_bit)
{
	struct mmid_trace_hists *h;
	__u64 o = (unsigned int)op;
	__u32 zero = 0;
	int after;

	h = bpf_map_lookup_elem(&hists, &zero);
	if (!h)
		return;
	/*
	 * One opaque 64-bit copy, checked and then used: clang otherwise
	 * checks one zero-extended copy of the tracepoint argument and
	 * indexes with another, and the verifier refuses the program.
	 */
	asm volatile("" : "+r"(o));
	if (o >= MMID_NR_OPS)
		return;
	h->nr_pages[o][clamp_slot(hist_log2_slot(nr > 0 ? nr : 0))]++;
	if (!folio_large(folio))
		return;
	if (bpf_core_field_exists(struct folio___mmscope, _large_mapcount)) {
		int mc = BPF_CORE_READ((struct folio___mmscope *)folio, _large_mapcount.counter);

		h->large_mapcount[clamp_slot(hist_log2_slot(mc + 1 > 0 ? mc + 1 : 0))]++;
	}
	after = shared_bit(folio);
	if (after >= 0 && before_bit >= 0 && before_bit != after) {
		if (after)
			h->shared_set++;
		else
			h->shared_clear++;
	}
}

static __always_inline void stash(struct folio *folio)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u8 bit = shared_bit(folio) > 0;

	bpf_map_update_elem(&before, &id, &bit, BPF_ANY);
}

static __always_inline int unstash(void)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u8 *bit = bpf_map_lookup_elem(&before, &id);
	int v = bit ? *bit : -1;

	bpf_map_delete_elem(&before, &id);
	return v;
}

/*
 * trace_folio_mm_id(folio, mm_id, delta, level, old), under the folio's
 * large mapcount lock: the folio's state read here is the state after
 * exactly this update.  A PMD or PUD mapping maps the whole folio.  Fork
 * duplicates into the child's MM while the parent runs, so an addition for
 * an MM other than the current task's is counted as a duplication (a
 * kernel thread, khugepaged's collapse say, has no MM and maps for others).
 */
SEC("tp_btf/folio_mm_id")
int BPF_PROG(tp_folio_mm_id, struct folio *folio, unsigned int mm_id, int delta, int level,
	     struct folio_mm_id_state___mmscope *old)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct mm_struct___mmid *mm;
	unsigned int order;
	bool anon, dup = false;
	int op, nr;

	anon = (unsigned long)BPF_CORE_READ(folio, mapping) & 1;	/* FOLIO_MAPPING_ANON */
	mm = (struct mm_struct___mmid *)BPF_CORE_READ(task, mm);
	if (delta > 0 && mm && bpf_core_field_exists(struct mm_struct___mmid, mm_id))
		dup = BPF_CORE_READ(mm, mm_id) != mm_id;
	if (delta < 0)
		op = MMID_OP_REMOVE;
	else if (dup)
		op = anon ? MMID_OP_DUP_ANON : MMID_OP_DUP_FILE;
	else
		op = anon ? MMID_OP_ADD_ANON : MMID_OP_ADD_FILE;
	nr = delta < 0 ? -delta : delta;
	if (level != MMID_LEVEL_PTE) {
		order = folio_order(folio);
		nr = order < 31 ? 1 << order : 0;
	}
	/* The type is the series' own: none on other kernels, which never attach here. */
	record(op, folio, nr, bpf_core_type_exists(struct folio_mm_id_state___mmscope) ?
	       BPF_CORE_READ(old, shared) : -1);
	return 0;
}

SEC("fentry/folio_add_anon_rmap_ptes")
int BPF_PROG(in_add_anon, struct folio *folio)
{
	stash(folio);
	return 0;
}

SEC("fexit/folio_add_anon_rmap_ptes")
int BPF_PROG(out_add_anon, struct folio *folio, struct page *page, int nr_pages)
{
	record(MMID_OP_ADD_ANON, folio, nr_pages, unstash());
	return 0;
}

SEC("fentry/folio_add_file_rmap_ptes")
int BPF_PROG(in_add_file, struct folio *folio)
{
	stash(folio);
	return 0;
}

SEC("fexit/folio_add_file_rmap_ptes")
int BPF_PROG(out_add_file, struct folio *folio, struct page *page, int nr_pages)
{
	record(MMID_OP_ADD_FILE, folio, nr_pages, unstash());
	return 0;
}

SEC("fentry/folio_remove_rmap_ptes")
int BPF_PROG(in_remove, struct folio *folio)
{
	stash(folio);
	return 0;
}

SEC("fexit/folio_remove_rmap_ptes")
int BPF_PROG(out_remove, struct folio *folio, struct page *page, int nr_pages)
{
	record(MMID_OP_REMOVE, folio, nr_pages, unstash());
	return 0;
}

/*
 * Run once by user space (BPF_PROG_TEST_RUN) after the load: which folio
 * fields CO-RE found in this kernel, so the CLI can say what it cannot show.
 */
SEC("syscall")
int features(void *ctx)
{
	folio_feature_mask = folio_features();
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
