// SPDX-License-Identifier: GPL-2.0
/*
 * mmid/: large-folio MM-ID owner tracking, one folio or one task at a time.
 *
 *   mmid/pfn    write a PFN (decimal or 0x hex), read the folio it belongs to
 *   mmid/task   write a pid, read the id of its mm
 *   mmid/census one pass over all online memory (mmid_census.c)
 *
 * The answer lives with the open file, so concurrent users never see each
 * other's answers: write and read on the same descriptor, e.g.
 *   exec 3<>mmid/pfn; echo 0x1234 >&3; cat <&3
 * The answer is taken when the write happens; reading it again gives the
 * same text.  A PFN's "state:" is free, busy (its folio's refcount is
 * frozen by a split or migration), kernel, small, large or hugetlb.  Pids,
 * written or shown, are those of the pid namespace of whoever opened the
 * file.
 *
 * Nothing here takes a lock of rmap's: a large folio's MM-ID state is read
 * with loads that tolerate concurrent change, pass after pass until two
 * agree ("approximate: yes" when they never do; mmid_snapshot()).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/kernel.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/rcupdate.h>
#include <linux/rmap.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/seq_buf.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "mmscope.h"
#include "mmid.h"

#ifdef CONFIG_MM_ID

/* A slot's owners are listed up to this many tasks, then "+N". */
#define MMID_MAX_TASKS	16
#define MMID_ANSWER_SIZE	PAGE_SIZE
/* Longest write accepted: a 64-bit number in octal plus a newline. */
#define MMID_MAX_INPUT	32

const char *const mmid_state_names[MMID_NR_STATES] = {
	[MMID_EXCLUSIVE] = "exclusive",
	[MMID_SHARED] = "shared",
	[MMID_UNTRACKED] = "untracked",
	[MMID_UNMAPPED] = "unmapped",
};

/* Passes over a folio's MM-ID state before an answer is "approximate". */
#define MMID_SNAP_TRIES	4

/* One pass: everything but the refcount, with loads that tolerate change. */
static void mmid_read_pass(struct folio *folio, struct mmid_snap *s)
{
	int i;

	s->large_mapcount = folio_large_mapcount(folio);
	s->entire_mapcount = folio_entire_mapcount(folio);
	for (i = 0; i < 2; i++)
		/* A plain load of a word rmap changes under its lock: retried. */
		s->id[i] = data_race(folio_mm_id(folio, i));
	for (i = 0; i < 2; i++)
		s->slot_mapcount[i] = folio_mm_id_mapcount(folio, i);
	s->shared_bit = folio_test_mm_ids_shared(folio);
	/* On 32-bit an order-1 folio has no pincount: that is the next page. */
	s->pincount = folio_has_pincount(folio) ? folio_pincount(folio) : -1;
	/* In the same pass as the bit, so that the two cannot disagree. */
	s->maybe_shared = folio_maybe_mapped_shared(folio);
}

static bool mmid_pass_equal(const struct mmid_snap *a, const struct mmid_snap *b)
{
	return a->large_mapcount == b->large_mapcount &&
	       a->entire_mapcount == b->entire_mapcount &&
	       a->id[0] == b->id[0] && a->id[1] == b->id[1] &&
	       a->slot_mapcount[0] == b->slot_mapcount[0] &&
	       a->slot_mapcount[1] == b->slot_mapcount[1] &&
	       a->shared_bit == b->shared_bit &&
	       a->maybe_shared == b->maybe_shared &&
	       a->pincount == b->pincount;
}

/*
 * The caller holds a reference, so the folio can be neither freed nor split
 * (a split freezes the refcount at its expected value, which ours breaks).
 * Its mappings can change at any time: the state is read pass after pass
 * until two in a row agree, MMID_SNAP_TRIES times at most.
 */
void mmid_snapshot(struct folio *folio, struct mmid_snap *s)
{
	struct mmid_snap prev;
	int try;

	s->order = folio_order(folio);
	mmid_read_pass(folio, &prev);
	s->approximate = true;
	for (try = 0; try < MMID_SNAP_TRIES; try++) {
		/* The next pass's loads come after this one's. */
		smp_rmb();
		mmid_read_pass(folio, s);
		if (mmid_pass_equal(&prev, s)) {
			s->approximate = false;
			break;
		}
		prev = *s;
		cpu_relax();
	}
	s->refcount = folio_ref_count(folio) - 1;
}

enum mmid_state mmid_classify(const struct mmid_snap *s)
{
	int c0 = s->id[0] ? s->slot_mapcount[0] : 0;
	int c1 = s->id[1] ? s->slot_mapcount[1] : 0;

	if (s->large_mapcount <= 0)
		return MMID_UNMAPPED;
	if (c0 == s->large_mapcount || c1 == s->large_mapcount)
		return MMID_EXCLUSIVE;
	if (c0 + c1 == s->large_mapcount)
		return MMID_SHARED;
	return MMID_UNTRACKED;
}

/*
 * Whether the process @p uses the mm with this id.  Like find_lock_task_mm()
 * (not exported): the first thread that still has an mm speaks for the
 * process, so one whose group leader has exited is still found.  Under
 * rcu_read_lock(); task_lock() keeps t->mm from going away while we look.
 */
static bool mmid_process_has_mm_id(struct task_struct *p, unsigned int id)
{
	struct task_struct *t;
	bool match;

	for_each_thread(p, t) {
		task_lock(t);
		if (t->mm) {
			match = t->mm->mm_id == id;
			task_unlock(t);
			return match;
		}
		task_unlock(t);
	}
	return false;
}

/*
 * "pid:comm" of every process whose mm has this id, pids as the opener of
 * the file sees them; processes outside its pid namespace are not listed.
 */
static void mmid_print_tasks(struct seq_buf *sb, unsigned int id, struct pid_namespace *ns)
{
	struct task_struct *p;
	unsigned int n = 0;

	rcu_read_lock();
	for_each_process(p) {
		char comm[TASK_COMM_LEN];
		pid_t tgid;

		if (!mmid_process_has_mm_id(p, id))
			continue;
		tgid = task_tgid_nr_ns(p, ns);
		if (!tgid)
			continue;
		if (n++ < MMID_MAX_TASKS) {
			get_task_comm(comm, p);
			seq_buf_printf(sb, " %d:%s", tgid, comm);
		}
	}
	rcu_read_unlock();
	if (n > MMID_MAX_TASKS)
		seq_buf_printf(sb, " +%u", n - MMID_MAX_TASKS);
	if (!n)
		seq_buf_puts(sb, " -");
	seq_buf_putc(sb, '\n');
}

static const char *mmid_folio_type(struct folio *folio)
{
	if (folio_test_anon(folio))
		return folio_test_ksm(folio) ? "ksm" : "anon";
	return folio->mapping ? "file" : "none";
}

/*
 * The answer for a large folio.  The reference is dropped as soon as the
 * folio's own state is read: while we hold it, a CoW fault cannot reuse
 * the folio (it sees an extra reference), and a split or migration cannot
 * freeze its refcount.  The task walk, which can be long, needs only ids.
 */
static void mmid_print_large(struct seq_buf *sb, struct folio *folio,
			     struct pid_namespace *ns)
{
	struct mmid_snap s;
	long nr = folio_nr_pages(folio);
	long i, excl = 0;
	bool anon = folio_test_anon(folio) && !folio_test_ksm(folio);
	const char *type = mmid_folio_type(folio);

	mmid_snapshot(folio, &s);
	if (anon)
		for (i = 0; i < nr; i++)
			excl += PageAnonExclusive(folio_page(folio, i));
	folio_put(folio);

	seq_buf_printf(sb, "state: large\norder: %u\nnr_pages: %ld\n", s.order, nr);
	seq_buf_printf(sb, "type: %s\nrefcount: %d\n", type, s.refcount);
	if (s.pincount >= 0)
		seq_buf_printf(sb, "pincount: %d\n", s.pincount);
	else
		seq_buf_puts(sb, "pincount: -\n");
	seq_buf_printf(sb, "large_mapcount: %d\nentire_mapcount: %d\n",
		       s.large_mapcount, s.entire_mapcount);
	for (i = 0; i < 2; i++)
		seq_buf_printf(sb, "slot%ld_mm_id: %u\nslot%ld_mapcount: %d\n",
			       i, s.id[i], i, s.slot_mapcount[i]);
	seq_buf_printf(sb, "shared_bit: %d\nmaybe_mapped_shared: %d\n",
		       s.shared_bit, s.maybe_shared);
	seq_buf_printf(sb, "census_state: %s\n", mmid_state_names[mmid_classify(&s)]);
	/* The mappings changed under every pass: the fields may disagree. */
	seq_buf_printf(sb, "approximate: %s\n", s.approximate ? "yes" : "no");
	if (anon)
		seq_buf_printf(sb, "anon_exclusive_pages: %ld\n", excl);
	else
		seq_buf_puts(sb, "anon_exclusive_pages: -\n");

	for (i = 0; i < 2; i++) {
		seq_buf_printf(sb, "slot%ld_tasks:", i);
		if (s.id[i])
			mmid_print_tasks(sb, s.id[i], ns);
		else
			seq_buf_puts(sb, " -\n");
	}
}

/* Beyond the end of every online node: ERANGE; a hole or offline: ENODEV. */
static int mmid_no_page(unsigned long pfn)
{
	unsigned long end = 0;
	int nid;

	for_each_online_node(nid)
		end = max(end, node_end_pfn(nid));
	return pfn >= end ? -ERANGE : -ENODEV;
}

/*
 * folio_try_get() failed: the refcount is zero.  A free page (in the buddy
 * allocator or on a per-CPU list) is never part of a compound page and has
 * no mapping (free_pages_prepare() clears it).  A folio whose refcount is
 * frozen (a split, a migration, page cache removal) or that is on its way
 * to being freed still has one or the other.  Only @page's own fields are
 * read, which are valid whatever it has become meanwhile; racy hints, the
 * caller asks again.
 */
static bool mmid_page_frozen(struct page *page)
{
	return PageCompound(page) || READ_ONCE(page->mapping);
}

/* Outcomes of one look at a PFN that the caller asks again about. */
#define MMID_BUSY	1	/* refcount frozen */
#define MMID_MOVED	2	/* split or freed and reused meanwhile */

static int mmid_answer_pfn_once(unsigned long pfn, struct seq_buf *sb,
				struct pid_namespace *ns)
{
	struct folio *folio;
	struct page *page;

	page = pfn_to_online_page(pfn);
	if (!page)
		return mmid_no_page(pfn);

	seq_buf_printf(sb, "pfn: %lu\n", pfn);
	if (PageBuddy(page)) {
		seq_buf_puts(sb, "state: free\n");
		return 0;
	}
	folio = page_folio(page);
	if (!folio_test_hugetlb(folio) && page_has_type(&folio->page)) {
		/* Slab, page tables and the like: not a user folio. */
		seq_buf_puts(sb, "state: kernel\n");
		return 0;
	}
	if (!folio_try_get(folio)) {
		if (folio_test_hugetlb(folio)) {
			/* Free in the hugetlb pool: frozen for good. */
			seq_buf_puts(sb, "state: hugetlb\n");
			return 0;
		}
		if (mmid_page_frozen(page))
			return MMID_BUSY;
		seq_buf_puts(sb, "state: free\n");
		return 0;
	}
	if (unlikely(page_folio(page) != folio)) {
		folio_put(folio);
		return MMID_MOVED;
	}

	seq_buf_printf(sb, "head_pfn: %lu\n", folio_pfn(folio));
	if (folio_test_hugetlb(folio)) {
		seq_buf_printf(sb, "state: hugetlb\norder: %u\n", folio_order(folio));
		folio_put(folio);
	} else if (folio_test_large(folio)) {
		mmid_print_large(sb, folio, ns);	/* puts the folio */
	} else {
		const char *type = mmid_folio_type(folio);
		int refcount = folio_ref_count(folio) - 1;
		int mapcount = folio_mapcount(folio);

		folio_put(folio);
		seq_buf_puts(sb, "state: small\norder: 0\nnr_pages: 1\n");
		seq_buf_printf(sb, "type: %s\nrefcount: %d\nmapcount: %d\n",
			       type, refcount, mapcount);
	}
	return 0;
}

/* Looks at a PFN this often while it is busy or moving, then gives up. */
#define MMID_PFN_TRIES	5

/*
 * Fills @sb with the answer for @pfn; an error means "no answer".  A folio
 * that is frozen, or split or freed between two loads, is asked about again
 * after a short sleep; if it stays frozen the answer says "busy", if it
 * keeps moving the write fails with EAGAIN.
 */
static int mmid_answer_pfn(unsigned long pfn, struct seq_buf *sb,
			   struct pid_namespace *ns)
{
	int try, idx, ret = 0;

	for (try = 0; try < MMID_PFN_TRIES; try++) {
		if (try)
			usleep_range(100, 200);
		seq_buf_clear(sb);
		idx = mmid_memmap_lock();
		ret = mmid_answer_pfn_once(pfn, sb, ns);
		mmid_memmap_unlock(idx);
		if (ret <= 0)
			return ret;
	}
	if (ret == MMID_MOVED)
		return -EAGAIN;
	seq_buf_clear(sb);
	seq_buf_printf(sb, "pfn: %lu\nstate: busy\n", pfn);
	return 0;
}

struct mmid_query {
	struct mutex lock;	/* writers and readers of one open file */
	int (*query)(struct mmid_query *q, unsigned long arg, struct seq_buf *sb);
	struct pid_namespace *ns;	/* the opener's: pids are read and shown in it */
	size_t len;		/* 0: no answer yet */
	char answer[MMID_ANSWER_SIZE];
};

static int mmid_query_pfn(struct mmid_query *q, unsigned long pfn, struct seq_buf *sb)
{
	return mmid_answer_pfn(pfn, sb, q->ns);
}

/* The mm of a thread group, as find_lock_task_mm() finds it. */
static struct mm_struct *mmid_group_mm(struct task_struct *task)
{
	struct mm_struct *mm = NULL;
	struct task_struct *t;

	rcu_read_lock();
	for_each_thread(task, t) {
		mm = get_task_mm(t);
		if (mm)
			break;
	}
	rcu_read_unlock();
	return mm;
}

static int mmid_query_task(struct mmid_query *q, unsigned long nr, struct seq_buf *sb)
{
	struct task_struct *task;
	struct mm_struct *mm;
	char comm[TASK_COMM_LEN];

	if (!nr || nr > PID_MAX_LIMIT)
		return -EINVAL;
	rcu_read_lock();
	task = pid_task(find_pid_ns(nr, q->ns), PIDTYPE_PID);
	if (task)
		get_task_struct(task);
	rcu_read_unlock();
	if (!task)
		return -ESRCH;
	get_task_comm(comm, task);
	seq_buf_printf(sb, "pid: %lu\ntgid: %d\ncomm: %s\n", nr,
		       task_tgid_nr_ns(task, q->ns), comm);
	mm = mmid_group_mm(task);
	put_task_struct(task);
	if (mm) {
		seq_buf_printf(sb, "mm_id: %u\n", mm->mm_id);
		mmput(mm);
	} else {
		seq_buf_puts(sb, "mm_id: none\n");
	}
	return 0;
}

static int mmid_query_open(struct inode *inode, struct file *file)
{
	struct mmid_query *q = kzalloc(sizeof(*q), GFP_KERNEL);

	if (!q)
		return -ENOMEM;
	mutex_init(&q->lock);
	q->query = inode->i_private;
	q->ns = get_pid_ns(task_active_pid_ns(current));
	file->private_data = q;
	return 0;
}

static int mmid_query_release(struct inode *inode, struct file *file)
{
	struct mmid_query *q = file->private_data;

	put_pid_ns(q->ns);
	mutex_destroy(&q->lock);
	kfree(q);
	return 0;
}

/* Parses the PFN or pid; an error means the write is refused. */
static int mmid_parse(const char __user *ubuf, size_t count, unsigned long *arg)
{
	char input[MMID_MAX_INPUT];
	unsigned long long v;
	int err;

	if (!count || count >= sizeof(input))
		return -EINVAL;
	if (copy_from_user(input, ubuf, count))
		return -EFAULT;
	input[count] = '\0';
	/* kstrtoull() refuses signs other than '+', spaces and junk. */
	err = kstrtoull(strim(input), 0, &v);
	if (err)
		return err;
	if (v > ULONG_MAX)
		return -ERANGE;
	*arg = v;
	return 0;
}

static ssize_t mmid_query_write(struct file *file, const char __user *ubuf,
				size_t count, loff_t *ppos)
{
	struct mmid_query *q = file->private_data;
	unsigned long arg;
	struct seq_buf sb;
	int err;

	if (mutex_lock_interruptible(&q->lock))
		return -EINTR;
	/* Any write, even a refused one, drops the previous answer. */
	q->len = 0;
	err = mmid_parse(ubuf, count, &arg);
	if (!err) {
		seq_buf_init(&sb, q->answer, sizeof(q->answer));
		err = q->query(q, arg, &sb);
	}
	if (!err) {
		q->len = seq_buf_used(&sb);
		/* The next read on this descriptor starts at the new answer. */
		*ppos = 0;
	}
	mutex_unlock(&q->lock);
	return err ?: count;
}

static ssize_t mmid_query_read(struct file *file, char __user *ubuf,
			       size_t count, loff_t *ppos)
{
	struct mmid_query *q = file->private_data;
	ssize_t ret;

	if (mutex_lock_interruptible(&q->lock))
		return -EINTR;
	if (!q->len)
		ret = -ENODATA;
	else
		ret = simple_read_from_buffer(ubuf, count, ppos, q->answer, q->len);
	mutex_unlock(&q->lock);
	return ret;
}

static const struct file_operations mmid_query_fops = {
	.owner = THIS_MODULE,
	.open = mmid_query_open,
	.release = mmid_query_release,
	.read = mmid_query_read,
	.write = mmid_query_write,
	.llseek = default_llseek,
};

static int mmid_area_init(struct dentry *root)
{
	struct dentry *dir;
	int err;

	err = mmid_memmap_init();
	if (err)
		return err;
	dir = debugfs_create_dir("mmid", root);
	if (IS_ERR(dir)) {
		mmid_memmap_exit();
		return PTR_ERR(dir);
	}
	debugfs_create_file("pfn", 0600, dir, mmid_query_pfn, &mmid_query_fops);
	debugfs_create_file("task", 0600, dir, mmid_query_task, &mmid_query_fops);
	err = mmid_census_init(dir);
	if (err)
		mmid_memmap_exit();
	return err;
}

static void mmid_area_exit(void)
{
	mmid_memmap_exit();
}

#else /* !CONFIG_MM_ID */

/* Without MM-ID there is nothing to show; features says CONFIG_MM_ID: n. */
static int mmid_area_init(struct dentry *root)
{
	return 0;
}

static void mmid_area_exit(void)
{
}

#endif /* CONFIG_MM_ID */

const struct mmscope_area mmscope_mmid_area = {
	.name = "mmid",
	.init = mmid_area_init,
	.exit = mmid_area_exit,
};
