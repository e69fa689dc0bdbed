// SPDX-License-Identifier: GPL-2.0
/*
 * slab_burst: a burst of slab activity on the maple_node and
 * vm_area_struct caches.  Maps N separate one-page regions (each a VMA,
 * so the maple tree grows and every mmap() preallocates nodes with a
 * caller-owned sheaf), unmaps them all, repeats, then sleeps so that
 * objects freed through kfree_rcu() reach their sheaves before the caller
 * looks at the counters.
 *
 * usage: slab_burst [regions [rounds [sleep_s]]]   (defaults 2000 4 2)
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 2000;
	int rounds = argc > 2 ? atoi(argv[2]) : 4;
	int secs = argc > 3 ? atoi(argv[3]) : 2;
	long pg = sysconf(_SC_PAGESIZE);
	char **p = calloc(n, sizeof(*p));
	int r, i;

	if (!p)
		return 2;
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < n; i++) {
			/* Alternate protections so that neighbours never merge */
			p[i] = mmap(NULL, pg, i & 1 ? PROT_READ : PROT_NONE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (p[i] == MAP_FAILED) {
				perror("mmap");
				return 2;
			}
		}
		for (i = 0; i < n; i++)
			if (munmap(p[i], pg)) {
				perror("munmap");
				return 2;
			}
	}
	sleep(secs);
	printf("regions=%d rounds=%d\n", n, rounds);
	return 0;
}
