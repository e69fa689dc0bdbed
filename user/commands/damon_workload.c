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
#include <getopt.h>
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

static void workload_usage(FILE *out)
{
	fprintf(out,
		"usage: mmscope damon workload [-H HOT] [-C COLD] [-r RATE] [-c SECS -R RATE] [-d SECS]\n"
		"\n"
		"A validation workload: sweeps a HOT set (one write per page) RATE times a\n"
		"second and leaves a COLD set untouched after writing it once.  Prints\n"
		"'pid N' when ready, 'phase RATE REALTIME' when the rate changes, and\n"
		"runs until SECS pass or it is killed.\n"
		"\n"
		"  -H, --hot SIZE        hot set (16M; K, M, G suffixes)\n"
		"  -C, --cold SIZE       cold set (48M)\n"
		"  -r, --rate N          hot-set sweeps per second (10)\n"
		"  -c, --change-at SECS  change the rate after SECS seconds ...\n"
		"  -R, --new-rate N      ... to N sweeps per second\n"
		"  -d, --duration SECS   exit after SECS (default: run until killed)\n"
		"\n"
		"examples:\n"
		"  mmscope damon workload -H 16M -C 48M -r 10 &\n"
		"  mmscope damon start -p $! 4%% 3 1ms 100ms\n"
		"  mmscope damon workload -r 5 -c 20 -R 40 -d 40\n");
}

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int damon_cmd_workload(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "hot", required_argument, NULL, 'H' },
		{ "cold", required_argument, NULL, 'C' },
		{ "rate", required_argument, NULL, 'r' },
		{ "change-at", required_argument, NULL, 'c' },
		{ "new-rate", required_argument, NULL, 'R' },
		{ "duration", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long hot = 16 << 20, cold = 48 << 20, rate = 10, new_rate = 0, change = 0, dur = 0;
	long page = sysconf(_SC_PAGESIZE);
	double t0, next, period;
	bool changed = false;
	char why[128];
	volatile char *mem;
	unsigned long off;
	int c;

	while ((c = getopt_long(argc, argv, "H:C:r:c:R:d:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'H':
		case 'C':
			if (parse_size(optarg, c == 'H' ? &hot : &cold)) {
				errmsg("-%c: '%s' is not a size (e.g. 16M)", c, optarg);
				return EXIT_USAGE;
			}
			break;
		case 'r': case 'c': case 'R': case 'd':
			if (damon_parse_count(optarg, c == 'r' ? &rate : c == 'c' ? &change :
					      c == 'R' ? &new_rate : &dur, why, sizeof(why))) {
				errmsg("-%c: %s", c, why);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			workload_usage(stdout);
			return EXIT_OK;
		default:
			workload_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc || !hot || !rate || (change && !new_rate)) {
		errmsg("need a non-empty hot set, a rate of at least 1, and -R with -c");
		workload_usage(stderr);
		return EXIT_USAGE;
	}
	/* Once, before anything is printed: re-exec without randomization. */
	if (!(personality(0xffffffff) & ADDR_NO_RANDOMIZE) &&
	    personality(personality(0xffffffff) | ADDR_NO_RANDOMIZE) != -1) {
		char **nargv = calloc(argc + 3, sizeof(*nargv));

		if (nargv) {
			nargv[0] = "mmscope";
			nargv[1] = "damon";
			memcpy(nargv + 2, argv, argc * sizeof(*argv));
			execv("/proc/self/exe", nargv);
		}
		/* Not fatal: the ratio is only less predictable. */
	}
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
