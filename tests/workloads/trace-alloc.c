// SPDX-License-Identifier: GPL-2.0
/*
 * Known allocations for the tracer tests and the benchmark.
 *   trace-alloc open K   K open()+close() of /dev/null: K filp (and
 *                        names_cache) allocations and frees
 *   trace-alloc thp K    K faults of PMD-aligned MADV_HUGEPAGE memory:
 *                        K order-9 page allocations (when THP is on)
 * Prints the nanoseconds the loop took, so the benchmark can use it too.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PMD_SIZE (2UL << 20)

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long k, i;
	long long t0;

	if (argc != 3 || (k = atol(argv[2])) < 0) {
		fprintf(stderr, "usage: %s open|thp K\n", argv[0]);
		return 2;
	}
	if (!strcmp(argv[1], "open")) {
		t0 = now_ns();
		for (i = 0; i < k; i++) {
			int fd = open("/dev/null", O_RDONLY);

			if (fd < 0) {
				perror("open /dev/null");
				return 1;
			}
			close(fd);
		}
	} else if (!strcmp(argv[1], "thp")) {
		char *p = mmap(NULL, (k + 1) * PMD_SIZE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		char *a;

		if (p == MAP_FAILED) {
			perror("mmap");
			return 1;
		}
		a = (char *)(((unsigned long)p + PMD_SIZE - 1) & ~(PMD_SIZE - 1));
		/* Kernels without madvise() (no ADVISE_SYSCALLS) need THP "always". */
		if (k && madvise(a, k * PMD_SIZE, MADV_HUGEPAGE) && errno != ENOSYS) {
			perror("madvise(MADV_HUGEPAGE)");
			return 1;
		}
		t0 = now_ns();
		for (i = 0; i < k; i++)
			a[i * PMD_SIZE] = 1;
	} else {
		fprintf(stderr, "%s: unknown mode '%s'\n", argv[0], argv[1]);
		return 2;
	}
	printf("%lld\n", now_ns() - t0);
	return 0;
}
