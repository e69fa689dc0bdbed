// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope damon workload: a process whose access pattern is known, to check
 * the tuner against.  The hot set is swept (one write per page) RATE times a
 * second; the cold set is written once and then left alone.  With a
 * sampling interval S below 1/RATE a hot page is seen accessed in a sample
 * with probability about RATE * S, so the observed ratio is about
 * hot/total * RATE * S, and the tuner should settle near
 * S = goal * total / (hot * RATE): a faster rate should shorten it.
 *
 * "total" is what DAMON's vaddr monitors: everything but the two largest
 * gaps of the address space.  An anonymous mmap lands in the mmap area,
 * often hundreds of MiB away from the vdso, and that distance would count;
 * so the workload runs without address randomization and maps its sets
 * just above the heap, where the binary, heap and sets form one span.
 *
 * DAMON clears accessed bits without flushing the TLB (ptep_test_and_clear_
 * young()), and a CPU that still caches a translation does not set the bit
 * again.  A real CPU evicts a 2048-page hot set's entries; QEMU's software
 * TLB does not, and then what DAMON sees follows TLB refills instead of the
 * sweep rate.  So after each sweep the workload drops its own translations
 * of the hot set with an mprotect() round trip, which flushes them.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <time.h>
#include <unistd.h>

#include "damon_cli.h"
#include "interval.h"
#include "mmscope.h"

static int parse_size(const char *s, unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s)
		return -1;
	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	}
	if (*end)
		return -1;
	*out = v;
	return 0;
}

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The same command line, for the re-exec without address randomization. */
static void reexec(const struct opts *o)
{
	static const enum opt_id ids[] = {
		OPT_HOT, OPT_COLD, OPT_RATE, OPT_CHANGE_AT, OPT_NEW_RATE, OPT_DURATION,
	};
	char *argv[4 + 2 * sizeof(ids) / sizeof(ids[0]) + 1], names[6][24];
	int n = 0;
	size_t i;

	argv[n++] = "mmscope";
	argv[n++] = "damon";
	argv[n++] = "workload";
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		if (!o->set[ids[i]])
			continue;
		snprintf(names[i], sizeof(names[i]), "--%s", opt_defs[ids[i]].name);
		argv[n++] = names[i];
		argv[n++] = (char *)o->arg[ids[i]];
	}
	argv[n] = NULL;
	execv("/proc/self/exe", argv);
}

static int workload_opts(const struct opts *o, unsigned long *hot, unsigned long *cold,
			 unsigned long *rate, unsigned long *change, unsigned long *new_rate,
			 unsigned long *dur)
{
	static const enum opt_id nums[] = { OPT_RATE, OPT_CHANGE_AT, OPT_NEW_RATE, OPT_DURATION };
	unsigned long *vals[] = { rate, change, new_rate, dur };
	long long v;
	size_t i;

	if ((o->set[OPT_HOT] && parse_size(o->arg[OPT_HOT], hot)) ||
	    (o->set[OPT_COLD] && parse_size(o->arg[OPT_COLD], cold))) {
		errmsg("-H/--cold: '%s' is not a size (e.g. 16M)",
		       o->set[OPT_HOT] && parse_size(o->arg[OPT_HOT], hot) ? o->arg[OPT_HOT] :
		       o->arg[OPT_COLD]);
		return EXIT_USAGE;
	}
	/* -d 0 would be "forever" in disguise: without -d it runs until killed. */
	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		if (opt_num(o, nums[i], 1, 86400 * 365, &v))
			return EXIT_USAGE;
		if (o->set[nums[i]])
			*vals[i] = v;
	}
	if (o->argc) {
		errmsg("unexpected argument '%s'; see 'mmscope damon workload -h'", o->argv[0]);
		return EXIT_USAGE;
	}
	if (!*hot || (*change && !*new_rate)) {
		errmsg("need a non-empty hot set (-H), and -R with --change-at");
		return EXIT_USAGE;
	}
	return 0;
}

int damon_cmd_workload(const struct opts *o)
{
	unsigned long hot = 16 << 20, cold = 48 << 20, rate = 10, new_rate = 0, change = 0, dur = 0;
	long page = sysconf(_SC_PAGESIZE);
	double t0, next, period;
	bool changed = false;
	volatile char *mem;
	unsigned long off;
	int err;

	err = workload_opts(o, &hot, &cold, &rate, &change, &new_rate, &dur);
	if (err)
		return err;
	/* Once, before anything is printed: re-exec without randomization (not fatal). */
	if (!(personality(0xffffffff) & ADDR_NO_RANDOMIZE) &&
	    personality(personality(0xffffffff) | ADDR_NO_RANDOMIZE) != -1)
		reexec(o);
	{
		unsigned long base = ((unsigned long)sbrk(0) + (2UL << 20)) & ~((2UL << 20) - 1);

		mem = mmap((void *)base, hot + cold, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		if (mem == MAP_FAILED)
			mem = mmap(NULL, hot + cold, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	}
	if (mem == MAP_FAILED) {
		errmsg("cannot map %lu bytes: %s", hot + cold, strerror(errno));
		return EXIT_FAIL;
	}
	/* Small pages: a THP would make the hot/cold boundary coarse. */
	madvise((void *)mem, hot + cold, MADV_NOHUGEPAGE);
	for (off = 0; off < hot + cold; off += page)
		mem[off] = 1;
	printf("pid %d hot %lu cold %lu rate %lu\n", getpid(), hot, cold, rate);
	fflush(stdout);

	interval_install_signals();
	t0 = next = mono();
	period = 1.0 / rate;
	while (!mmscope_exiting) {
		double now = mono();
		struct timespec ts;

		if (dur && now - t0 >= dur)
			break;
		if (change && !changed && now - t0 >= change) {
			changed = true;
			period = 1.0 / new_rate;
			next = now;
			printf("phase %lu %.6f\n", new_rate, now_realtime());
			fflush(stdout);
		}
		for (off = 0; off < hot; off += page)
			mem[off]++;
		mprotect((void *)mem, hot, PROT_READ);
		mprotect((void *)mem, hot, PROT_READ | PROT_WRITE);
		next += period;
		now = mono();
		if (next < now) {
			next = now;	/* falling behind: run flat out */
			continue;
		}
		ts.tv_sec = (time_t)(next - now);
		ts.tv_nsec = (long)((next - now - ts.tv_sec) * 1e9);
		nanosleep(&ts, NULL);
	}
	munmap((void *)mem, hot + cold);
	return EXIT_OK;
}
