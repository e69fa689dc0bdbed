// SPDX-License-Identifier: GPL-2.0
/*
 * mmid: reading the memmap of online memory while memory goes offline.
 *
 * offline_pages() marks the sections offline, sends MEM_OFFLINE, and only
 * then poisons their struct pages.  A reader that saw a PFN online may
 * still be looking at its struct page at that point.  Readers therefore
 * look up and read pages inside an SRCU read section, and the MEM_OFFLINE
 * notifier waits for every section that began before the memory was marked
 * offline.  New sections see pfn_to_online_page() return NULL.
 */
#include <linux/memory.h>
#include <linux/notifier.h>
#include <linux/srcu.h>

#include "mmid.h"

DEFINE_STATIC_SRCU(mmid_memmap_srcu);

int mmid_memmap_lock(void)
{
	return srcu_read_lock(&mmid_memmap_srcu);
}

void mmid_memmap_unlock(int idx)
{
	srcu_read_unlock(&mmid_memmap_srcu, idx);
}

static int mmid_memmap_notify(struct notifier_block *nb, unsigned long action,
			      void *arg)
{
	if (action == MEM_OFFLINE)
		synchronize_srcu(&mmid_memmap_srcu);
	return NOTIFY_OK;
}

static struct notifier_block mmid_memmap_nb = {
	.notifier_call = mmid_memmap_notify,
};

int mmid_memmap_init(void)
{
	return register_memory_notifier(&mmid_memmap_nb);
}

void mmid_memmap_exit(void)
{
	unregister_memory_notifier(&mmid_memmap_nb);
}
