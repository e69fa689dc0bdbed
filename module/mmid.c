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
 * same text.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/kernel.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/pid.h>
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

void mmid_snapshot(struct folio *folio, struct mmid_snap *s)
{
	int i;

	s->order = folio_order(folio);
	s->refcount = folio_ref_count(folio) - 1;
	s->pincount = atomic_read(&folio->_pincount);
	s->entire_mapcount = folio_entire_mapcount(folio);
	/*
	 * The rmap code changes the slots and the large mapcount together
	 * under this bit lock; holding it for a few loads gives a consistent
	 * picture instead of one torn by a concurrent map or unmap.
	 */
	folio_lock_large_mapcount(folio);
	s->large_mapcount = folio_large_mapcount(folio);
	for (i = 0; i < 2; i++) {
		s->id[i] = folio_mm_id(folio, i);
		/* Stored minus one; a free slot holds -1. */
		s->slot_mapcount[i] = folio->_mm_id_mapcount[i] + 1;
	}
	s->shared_bit = test_bit(FOLIO_MM_IDS_SHARED_BITNUM, &folio->_mm_ids);
	folio_unlock_large_mapcount(folio);
	s->maybe_shared = folio_maybe_mapped_shared(folio);
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

/* "pid:comm" of every process whose mm has this id. */
static void mmid_print_tasks(struct seq_buf *sb, unsigned int id)
{
	struct task_struct *p;
	unsigned int n = 0;

	rcu_read_lock();
	for_each_process(p) {
		char comm[TASK_COMM_LEN];
		bool match;

		/* task_lock() keeps p->mm from going away while we look. */
		task_lock(p);
		match = p->mm && p->mm->mm_id == id;
		task_unlock(p);
		if (!match)
			continue;
		if (n++ < MMID_MAX_TASKS) {
			get_task_comm(comm, p);
			seq_buf_printf(sb, " %d:%s", task_tgid_nr(p), comm);
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

static void mmid_print_large(struct seq_buf *sb, struct folio *folio)
{
	struct mmid_snap s;
	long nr = folio_nr_pages(folio);
	long i, excl = 0;
	bool anon = folio_test_anon(folio) && !folio_test_ksm(folio);

	mmid_snapshot(folio, &s);
	if (anon)
		for (i = 0; i < nr; i++)
			excl += PageAnonExclusive(folio_page(folio, i));

	seq_buf_printf(sb, "state: large\norder: %u\nnr_pages: %ld\n", s.order, nr);
	seq_buf_printf(sb, "type: %s\n", mmid_folio_type(folio));
	seq_buf_printf(sb, "refcount: %d\npincount: %d\n", s.refcount, s.pincount);
	seq_buf_printf(sb, "large_mapcount: %d\nentire_mapcount: %d\n",
		       s.large_mapcount, s.entire_mapcount);
	for (i = 0; i < 2; i++)
		seq_buf_printf(sb, "slot%ld_mm_id: %u\nslot%ld_mapcount: %d\n",
			       i, s.id[i], i, s.slot_mapcount[i]);
	seq_buf_printf(sb, "shared_bit: %d\nmaybe_mapped_shared: %d\n",
		       s.shared_bit, s.maybe_shared);
	seq_buf_printf(sb, "census_state: %s\n", mmid_state_names[mmid_classify(&s)]);
	if (anon)
		seq_buf_printf(sb, "anon_exclusive_pages: %ld\n", excl);
	else
		seq_buf_puts(sb, "anon_exclusive_pages: -\n");

	/* The task walk needs only the ids: drop the folio first. */
	folio_put(folio);
	for (i = 0; i < 2; i++) {
		seq_buf_printf(sb, "slot%ld_tasks:", i);
		if (s.id[i])
			mmid_print_tasks(sb, s.id[i]);
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

static int mmid_answer_pfn(unsigned long pfn, struct seq_buf *sb)
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
		/* Refcount zero: free (inside a buddy block) or being freed. */
		seq_buf_puts(sb, "state: free\n");
		return 0;
	}
	if (unlikely(page_folio(page) != folio)) {
		/* Split or freed and reused between the two loads. */
		folio_put(folio);
		return -EAGAIN;
	}

	seq_buf_printf(sb, "head_pfn: %lu\n", folio_pfn(folio));
	if (folio_test_hugetlb(folio)) {
		seq_buf_printf(sb, "state: hugetlb\norder: %u\n", folio_order(folio));
		folio_put(folio);
	} else if (folio_test_large(folio)) {
		mmid_print_large(sb, folio);	/* puts the folio */
	} else {
		seq_buf_puts(sb, "state: small\norder: 0\nnr_pages: 1\n");
		seq_buf_printf(sb, "type: %s\nrefcount: %d\nmapcount: %d\n",
			       mmid_folio_type(folio), folio_ref_count(folio) - 1,
			       folio_mapcount(folio));
		folio_put(folio);
	}
	return 0;
}

/* Fills @sb with the answer for @pfn; an error means "no answer". */
static int mmid_query_pfn(unsigned long pfn, struct seq_buf *sb)
{
	int idx = mmid_memmap_lock();
	int err = mmid_answer_pfn(pfn, sb);

	mmid_memmap_unlock(idx);
	return err;
}

static int mmid_query_task(unsigned long nr, struct seq_buf *sb)
{
	struct task_struct *task;
	struct mm_struct *mm;
	char comm[TASK_COMM_LEN];
	struct pid *pid;

	if (!nr || nr > PID_MAX_LIMIT)
		return -EINVAL;
	pid = find_get_pid(nr);
	task = get_pid_task(pid, PIDTYPE_PID);
	put_pid(pid);
	if (!task)
		return -ESRCH;
	get_task_comm(comm, task);
	seq_buf_printf(sb, "pid: %lu\ntgid: %d\ncomm: %s\n", nr, task_tgid_nr(task), comm);
	mm = get_task_mm(task);
	put_task_struct(task);
	if (mm) {
		seq_buf_printf(sb, "mm_id: %u\n", mm->mm_id);
		mmput(mm);
	} else {
		seq_buf_puts(sb, "mm_id: none\n");
	}
	return 0;
}

struct mmid_query {
	struct mutex lock;	/* writers and readers of one open file */
	int (*query)(unsigned long arg, struct seq_buf *sb);
	size_t len;		/* 0: no answer yet */
	char answer[MMID_ANSWER_SIZE];
};

static int mmid_query_open(struct inode *inode, struct file *file)
{
	struct mmid_query *q = kzalloc(sizeof(*q), GFP_KERNEL);

	if (!q)
		return -ENOMEM;
	mutex_init(&q->lock);
	q->query = inode->i_private;
	file->private_data = q;
	return 0;
}

static int mmid_query_release(struct inode *inode, struct file *file)
{
	struct mmid_query *q = file->private_data;

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
		err = q->query(arg, &sb);
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
