// SPDX-License-Identifier: GPL-2.0
/*
 * thp_fork: map a 2 MiB anonymous THP, fork, let the child unmap it, then
 * unmap it in the parent.  Prints what the MM-ID tracepoint test needs:
 *
 *   pfn=0x<pfn of the THP's head page> order=<from AnonHugePages>
 *   forked
 *   child-unmapped
 *   parent-unmapped
 *
 * THP must be enabled ("always", or "madvise" where madvise() exists).
 *
 * usage: thp_fork [bench N | step]
 *   bench N: N rounds of map/touch/fork/unmap, prints the elapsed
 *            nanoseconds per round
 *   step:    after each of the lines above but the last, waits for a line
 *            on stdin, so that a test can read the folio's state between
 *            the steps
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define THP_SIZE (2UL << 20)

static void die(const char *what)
{
	perror(what);
	exit(2);
}

static char *map_thp(void)
{
	char *raw, *p;

	raw = mmap(NULL, 2 * THP_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED)
		die("mmap");
	p = (char *)(((uintptr_t)raw + THP_SIZE - 1) & ~(THP_SIZE - 1));
	/* Keep only the aligned 2 MiB so that the VMA is exactly the THP */
	if (p != raw && munmap(raw, p - raw))
		die("munmap head");
	if (munmap(p + THP_SIZE, raw + 2 * THP_SIZE - (p + THP_SIZE)))
		die("munmap tail");
	/*
	 * Kernels without CONFIG_ADVISE_SYSCALLS (the tinyconfig-based test
	 * kernel) have no madvise(): the caller sets THP to "always" there.
	 */
	if (madvise(p, THP_SIZE, MADV_HUGEPAGE) && errno != ENOSYS)
		die("madvise");
	memset(p, 0x5a, THP_SIZE);
	return p;
}

static uint64_t pfn_of(void *addr)
{
	uint64_t ent;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		die("open pagemap");
	if (pread(fd, &ent, sizeof(ent),
		  (uintptr_t)addr / getpagesize() * sizeof(ent)) != sizeof(ent))
		die("pread pagemap");
	close(fd);
	if (!(ent & (1ULL << 63)))
		return 0;
	return ent & ((1ULL << 55) - 1);
}

/* AnonHugePages of the VMA at addr, in kB */
static long anon_huge_kb(void *addr)
{
	char line[256];
	unsigned long start = (uintptr_t)addr, s, e;
	int in = 0;
	long kb = -1;
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		die("smaps");
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &s, &e) == 2)
			in = s == start;
		if (in && sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb;
}

static int stepping;

/* In step mode, hold still until the test has looked. */
static void step_done(const char *what)
{
	char line[16];

	printf("%s\n", what);
	fflush(stdout);
	if (stepping && !fgets(line, sizeof(line), stdin))
		die("stdin closed");
}

/* Fork; the child unmaps p when told to and exits, leaving the parent alive. */
static void stepped_round_trip(char *p)
{
	int go[2], st;
	pid_t pid;
	char c;

	if (pipe(go))
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid) {
		close(go[1]);
		if (read(go[0], &c, 1) != 1 || munmap(p, THP_SIZE))
			_exit(3);
		_exit(0);
	}
	close(go[0]);
	step_done("forked");
	if (write(go[1], "u", 1) != 1)
		die("write");
	close(go[1]);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		die("child");
	step_done("child-unmapped");
}

static void round_trip(char *p)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		die("fork");
	if (!pid) {
		if (munmap(p, THP_SIZE))
			_exit(3);
		_exit(0);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		die("child");
}

static int bench(int rounds)
{
	struct timespec a, b;
	double ns;
	int i;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < rounds; i++) {
		char *p = map_thp();

		round_trip(p);
		if (munmap(p, THP_SIZE))
			die("munmap");
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	ns = (b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec);
	printf("rounds=%d ns_per_round=%.0f\n", rounds, ns / rounds);
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t pfn;
	long kb;
	char *p;

	if (argc == 3 && !strcmp(argv[1], "bench"))
		return bench(atoi(argv[2]));
	stepping = argc == 2 && !strcmp(argv[1], "step");
	if (argc > 1 && !stepping) {
		fprintf(stderr, "usage: thp_fork [bench N | step]\n");
		return 2;
	}

	p = map_thp();
	pfn = pfn_of(p);
	kb = anon_huge_kb(p);
	if (!pfn || kb != (long)(THP_SIZE >> 10)) {
		printf("no-thp pfn=0x%llx AnonHugePages=%ld\n",
		       (unsigned long long)pfn, kb);
		return 1;
	}
	printf("pfn=0x%llx order=9\n", (unsigned long long)pfn);
	step_done("mapped");

	if (stepping) {
		stepped_round_trip(p);
	} else {
		round_trip(p);
		printf("forked\nchild-unmapped\n");
	}
	if (pfn_of(p) != pfn)
		die("THP moved");
	if (munmap(p, THP_SIZE))
		die("munmap");
	printf("parent-unmapped\n");
	return 0;
}
