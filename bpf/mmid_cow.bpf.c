// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope mmid audit's CoW cost: the write faults that copy a page of a
 * large anon folio, and those of them that only the "maybe mapped shared"
 * bit forced.  __wp_can_reuse_large_anon_folio() (mm/memory.c) refuses
 * reuse while the bit is set; without it, reuse needs all of the folio's
 * mappings in the faulting MM and no reference but theirs.  A copy
 * replaces one PTE: its rmap removal of one page, for the faulting MM,
 * inside handle_mm_fault() for a write or unshare fault, is the copy.
 *
 * The removal is seen by the patch series' rmap:folio_mm_id event (the
 * state before it, read under the folio's large mapcount lock: exact), or
 * else by fentry on folio_remove_rmap_ptes() (the state read without that
 * lock, which another MM can change meanwhile: approximate).  The event
 * also names the MM whose mapping set the shared bit.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "mmid.h"

#include "folio.bpf.h"

/* Write (or unshare) faults in progress, per task: set at entry, cleared at exit. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u32);
} in_wfault SEC(".maps");

/* One set of counters per CPU: faults run on every CPU at once. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mmid_cow_counts);
} counts SEC(".maps");

/* Head PFN -> the mapping that last set its shared bit (rare: not a hot path). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct mmid_bit_setter);
} setters SEC(".maps");

/* Copies only the walk can settle (struct mmid_cow_pending); rare, so a hash. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct mmid_cow_key);
	__type(value, struct mmid_cow_pending);
} pending SEC(".maps");

/*
 * vmemmap: head PFN = (folio - vmemmap_base) / sizeof(struct page).  A
 * kernel without KALLSYMS_ALL lists no data symbol: weak, so the object
 * still loads there, without setters and with unsettled copies counted.
 */
extern const void vmemmap_base __ksym __weak;

static __always_inline bool wfault(void)
{
	__u32 *f = bpf_task_storage_get(&in_wfault, bpf_get_current_task_btf(), 0, 0);

	return f && *f;
}

static __always_inline void set_wfault(__u32 v)
{
	__u32 *f = bpf_task_storage_get(&in_wfault, bpf_get_current_task_btf(), 0,
					v ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);

	if (f)
		*f = v;
}

SEC("fentry/handle_mm_fault")
int BPF_PROG(wfault_enter, struct vm_area_struct *vma, unsigned long address, unsigned int flags)
{
	if (flags & (FAULT_FLAG_WRITE | FAULT_FLAG_UNSHARE))
		set_wfault(1);
	return 0;
}

SEC("fexit/handle_mm_fault")
int BPF_PROG(wfault_exit)
{
	set_wfault(0);
	return 0;
}

static __always_inline unsigned int current_mm_id(void)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct mm_struct___mmid *mm = (struct mm_struct___mmid *)task->mm;

	if (!mm || !bpf_core_field_exists(struct mm_struct___mmid, mm_id))
		return 0;
	return BPF_CORE_READ(mm, mm_id);
}

static __always_inline __u64 folio_pfn(struct folio *folio)
{
	unsigned long base = 0, addr = 0;

	if (!&vmemmap_base || bpf_probe_read_kernel(&base, sizeof(base), &vmemmap_base) || !base)
		return ~0ULL;
	/*
	 * The verifier allows no arithmetic on a BTF pointer: its value, as
	 * a number, read back from the stack.
	 */
	if (bpf_probe_read_kernel(&addr, sizeof(addr), &folio) || addr < base)
		return ~0ULL;
	return (addr - base) / bpf_core_type_size(struct page);
}

static __always_inline void note_pending(struct mmid_cow_counts *c, struct folio *folio,
					 unsigned int mm_id, unsigned int order, bool pinned)
{
	struct mmid_cow_key k = { .pfn = folio_pfn(folio), .mm_id = mm_id };
	struct mmid_cow_pending one = { .copies = 1, .pinned = pinned, .order = order }, *p;

	if (k.pfn == ~0ULL) {
		c->unsettled++;
		return;
	}
	p = bpf_map_lookup_elem(&pending, &k);
	if (!p) {
		bpf_map_update_elem(&pending, &k, &one, BPF_NOEXIST);
		return;
	}
	/* Serialised: the fault holds the page table lock of the folio's PTEs. */
	p->copies++;
	p->pinned += pinned;
}

/*
 * One page of a large anon folio copied by the faulting MM @mm_id: @shared,
 * @mine (this MM's slot mapcount) and @others (the other slot's) are from
 * before the removal, @mapcount the folio's large mapcount then.  With the
 * bit set and a slot holding mappings, another MM maps the folio (the
 * kernel clears the bit when one slot holds them all): truly shared.
 * Otherwise the walk settles it.  The fault holds one reference of its own
 * (do_wp_page's folio_get()): reuse would have had no other.
 */
static __always_inline void count_copy(struct folio *folio, unsigned int mm_id, bool shared,
				       int mine, int others, int mapcount)
{
	struct mmid_cow_counts *c;
	unsigned int order = folio_order(folio);
	__u64 o = order < MMID_COW_ORDERS ? order : MMID_COW_ORDERS - 1;
	__u32 zero = 0;
	bool pinned;

	c = bpf_map_lookup_elem(&counts, &zero);
	if (!c)
		return;
	asm volatile("" : "+r"(o));
	if (o >= MMID_COW_ORDERS)
		return;
	c->copies[o]++;
	if (!shared || mine || others)
		return;
	pinned = BPF_CORE_READ((struct folio___mmscope *)folio, _refcount.counter) != mapcount + 1;
	note_pending(c, folio, mm_id, order, pinned);
}

static __always_inline void note_setter(struct folio *folio, unsigned int mm_id)
{
	struct mmid_bit_setter s = {};
	__u64 pfn = folio_pfn(folio);

	if (pfn == ~0ULL)
		return;
	s.mm_id = mm_id;
	s.pid = bpf_get_current_pid_tgid() >> 32;
	s.ts_ns = bpf_ktime_get_ns();
	bpf_get_current_comm(s.comm, sizeof(s.comm));
	bpf_map_update_elem(&setters, &pfn, &s, BPF_ANY);
}

/* trace_folio_mm_id(folio, mm_id, delta, level, old), under the large mapcount lock. */
SEC("tp_btf/folio_mm_id")
int BPF_PROG(cow_tp, struct folio *folio, unsigned int mm_id, int delta, int level,
	     struct folio_mm_id_state___mmscope *old)
{
	unsigned int id0, id1;
	bool was_shared;
	int mc0, mc1;

	if (!bpf_core_type_exists(struct folio_mm_id_state___mmscope))
		return 0;
	was_shared = BPF_CORE_READ(old, shared);
	if (delta > 0) {
		if (!was_shared && shared_bit(folio) == 1)
			note_setter(folio, mm_id);
		return 0;
	}
	if (delta != -1 || level != MMID_LEVEL_PTE || !wfault() || mm_id != current_mm_id() ||
	    !folio_anon(folio))
		return 0;
	/* A free slot is MM_ID_DUMMY with a mapcount of 0 (the series' accessor). */
	id0 = BPF_CORE_READ(old, id[0]) & MMID_ID_MASK;
	id1 = BPF_CORE_READ(old, id[1]) & MMID_ID_MASK;
	mc0 = BPF_CORE_READ(old, mapcount[0]);
	mc1 = BPF_CORE_READ(old, mapcount[1]);
	/* The folio's mapcount after the removal, plus the one removed. */
	count_copy(folio, mm_id, was_shared, id0 == mm_id ? mc0 : id1 == mm_id ? mc1 : 0,
		   (id0 != mm_id ? mc0 : 0) + (id1 != mm_id ? mc1 : 0),
		   folio_large_mapcount(folio) + 1);
	return 0;
}

/* Without the series: the same removal from its entry, the state read unlocked. */
SEC("fentry/folio_remove_rmap_ptes")
int BPF_PROG(cow_fentry, struct folio *folio, struct page *page, int nr_pages,
	     struct vm_area_struct *vma)
{
	struct folio___mmscope *f = (struct folio___mmscope *)folio;
	unsigned int id = current_mm_id(), id0, id1;
	unsigned long ids;
	int mc0, mc1;

	if (nr_pages != 1 || !id || !wfault() || !folio_large(folio) || !folio_anon(folio) ||
	    shared_bit(folio) < 0)
		return 0;
	if ((void *)BPF_CORE_READ(vma, vm_mm) != (void *)bpf_get_current_task_btf()->mm)
		return 0;
	ids = BPF_CORE_READ(f, _mm_ids);
	id0 = ids & MMID_ID_MASK;
	id1 = (ids >> 32) & MMID_ID_MASK;
	mc0 = BPF_CORE_READ(f, _mm_id_mapcount[0]) + 1;
	mc1 = BPF_CORE_READ(f, _mm_id_mapcount[1]) + 1;
	count_copy(folio, id, (ids >> MMID_SHARED_BIT) & 1,
		   id0 == id ? mc0 : id1 == id ? mc1 : 0,
		   (id0 != id ? mc0 : 0) + (id1 != id ? mc1 : 0), folio_large_mapcount(folio));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
