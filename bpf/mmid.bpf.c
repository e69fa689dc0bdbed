// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope mmid trace: pages per rmap operation, the large mapcount after
 * it and shared-bit transitions.  From the patch series' rmap:folio_mm_id
 * tracepoint when the kernel has it; otherwise fentry/fexit on the PTE
 * rmap functions (fork's duplication is header-inline: no hook sees it).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "mmid.h"

/* FOLIO_MM_IDS_SHARED_BITNUM with 64-bit longs: 2 * MM_ID_BITS + 1. */
#define MMID_SHARED_BIT 63

struct mmid_trace_hists hists;

/* The shared bit before an operation, per task, from fentry to fexit. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u8);
} before SEC(".maps");

static __always_inline bool folio_large(struct folio *folio)
{
	unsigned long flags = BPF_CORE_READ(folio, flags.f);

	return flags & (1UL << bpf_core_enum_value(enum pageflags, PG_head));
}

static __always_inline bool shared_bit(struct folio *folio)
{
	return (BPF_CORE_READ(folio, _mm_ids) >> MMID_SHARED_BIT) & 1;
}

static __always_inline void record(int op, struct folio *folio, int nr, int before_bit)
{
	unsigned int o = op;
	bool after;

	/*
	 * One opaque copy, checked and then used: clang otherwise indexes
	 * with a second, unchecked copy of the tracepoint argument and the
	 * verifier refuses the program.
	 */
	asm volatile("" : "+r"(o));
	if (o >= MMID_NR_OPS)
		return;
	__sync_fetch_and_add(&hists.nr_pages[o][hist_log2_slot(nr > 0 ? nr : 0) & 127], 1);
	if (!folio_large(folio))
		return;
	__sync_fetch_and_add(&hists.large_mapcount[hist_log2_slot(
		BPF_CORE_READ(folio, _large_mapcount.counter) + 1) & 127], 1);
	after = shared_bit(folio);
	if (before_bit >= 0 && before_bit != after)
		__sync_fetch_and_add(after ? &hists.shared_set : &hists.shared_clear, 1);
}

static __always_inline void stash(struct folio *folio)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u8 bit = shared_bit(folio);

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

/* trace_folio_mm_id(folio, op, nr_pages, mm_id, shared_before) */
SEC("tp_btf/folio_mm_id")
int BPF_PROG(tp_folio_mm_id, struct folio *folio, int op, int nr_pages, unsigned int mm_id,
	     bool shared_before)
{
	record(op, folio, nr_pages, shared_before);
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

char LICENSE[] SEC("license") = "GPL";
