// SPDX-License-Identifier: GPL-2.0
/*
 * slab-mmap [N]: N times (default 1000) map four pages, change the middle
 * two's protection (splitting the VMA) and unmap them: each step makes the
 * maple tree preallocate nodes, through kmem_cache_prefill_sheaf() in 7.x.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long i, n = argc > 1 ? atol(argv[1]) : 1000, page = sysconf(_SC_PAGESIZE);

	for (i = 0; i < n; i++) {
		char *p = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED) {
			perror("mmap");
			return 1;
		}
		if (mprotect(p + page, 2 * page, PROT_READ)) {
			perror("mprotect");
			return 1;
		}
		munmap(p, 4 * page);
	}
	printf("%ld map/mprotect/unmap rounds\n", n);
	return 0;
}
