// SPDX-License-Identifier: GPL-2.0
/*
 * Background memory churn for the load/unload and race tests: forks that
 * share THPs, partial unmaps that split them, CoW writes, and compaction,
 * until SECONDS pass or it is killed.
 *
 * usage: stress-mm [SECONDS] [MiB]
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define THP_SIZE (2UL << 20)

static void *map_thp_aligned(size_t len)
{
	char *p = mmap(NULL, len + THP_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *aligned;

	if (p == MAP_FAILED)
		return NULL;
	aligned = (char *)(((unsigned long)p + THP_SIZE - 1) & ~(THP_SIZE - 1));
	madvise(aligned, len, MADV_HUGEPAGE);
	return aligned;
}

static void compact(void)
{
	int fd = open("/proc/sys/vm/compact_memory", O_WRONLY);

	if (fd >= 0) {
		if (write(fd, "1", 1) < 0)
			perror("compact_memory");
		close(fd);
	}
}

int main(int argc, char **argv)
{
	long seconds = argc > 1 ? atol(argv[1]) : 30;
	size_t len = (argc > 2 ? atol(argv[2]) : 16) << 20;
	time_t end = time(NULL) + seconds;
	unsigned long rounds = 0;

	while (time(NULL) < end) {
		char *p = map_thp_aligned(len);
		pid_t child;

		if (!p) {
			perror("mmap");
			return 1;
		}
		memset(p, 0x5a, len);
		child = fork();
		if (child == 0) {
			/* CoW a page in every THP, then drop half the range. */
			for (size_t off = 0; off < len; off += THP_SIZE)
				p[off + 4096] = 1;
			munmap(p + len / 2, len / 2);
			_exit(0);
		}
		/* Split THPs in the parent while the child still maps them. */
		for (size_t off = 0; off < len; off += THP_SIZE)
			munmap(p + off + THP_SIZE / 2, 4096);
		if (child > 0)
			waitpid(child, NULL, 0);
		munmap(p, len);
		if (++rounds % 8 == 0)
			compact();
	}
	printf("stress-mm: %lu rounds\n", rounds);
	return 0;
}
