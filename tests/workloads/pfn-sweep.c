// SPDX-License-Identifier: GPL-2.0
/*
 * pfn-sweep: ask mmscope's mmid/pfn file about PFN after PFN, for a given
 * time, while the test changes memory under it.  Every answer must be for
 * the PFN asked; every refusal must be one the file documents (ENODEV: a
 * hole or offline memory, ERANGE: past the end, EAGAIN: split or freed
 * during the query).  Prints the tally:
 *
 *   queries=N large=N small=N free=N busy=N kernel=N hugetlb=N
 *   enodev=N erange=N eagain=N
 *
 * and exits 1 on any other error or a wrong answer.
 *
 * usage: pfn-sweep PFN_FILE SECONDS
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Coprime with any power of two: successive passes hit different PFNs. */
#define STRIDE 97

static const char *const states[] = { "large", "small", "free", "busy", "kernel", "hugetlb" };
#define NR_STATES (sizeof(states) / sizeof(states[0]))

int main(int argc, char **argv)
{
	unsigned long count[NR_STATES] = { 0 };
	unsigned long queries = 0, enodev = 0, erange = 0, eagain = 0;
	unsigned long pfn = 0, end = 0;
	char ask[32], answer[4096], head[48];
	time_t stop;
	size_t i;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: pfn-sweep PFN_FILE SECONDS\n");
		return 2;
	}
	fd = open(argv[1], O_RDWR);
	if (fd < 0) {
		perror(argv[1]);
		return 2;
	}
	stop = time(NULL) + atoi(argv[2]);
	while (time(NULL) < stop) {
		ssize_t n;
		int len = snprintf(ask, sizeof(ask), "%lu\n", pfn);

		queries++;
		if (write(fd, ask, len) != len) {
			if (errno == ENODEV) {
				enodev++;
			} else if (errno == ERANGE) {
				erange++;
				/* The end of memory: sweep again from another start. */
				end = pfn;
				pfn = queries % STRIDE;
				continue;
			} else if (errno == EAGAIN) {
				eagain++;
			} else {
				fprintf(stderr, "pfn %lu: write: %s\n", pfn, strerror(errno));
				return 1;
			}
		} else {
			n = pread(fd, answer, sizeof(answer) - 1, 0);
			if (n < 0) {
				fprintf(stderr, "pfn %lu: read: %s\n", pfn, strerror(errno));
				return 1;
			}
			answer[n] = '\0';
			snprintf(head, sizeof(head), "pfn: %lu\n", pfn);
			if (strncmp(answer, head, strlen(head))) {
				fprintf(stderr, "pfn %lu: answer for another pfn:\n%s", pfn, answer);
				return 1;
			}
			for (i = 0; i < NR_STATES; i++) {
				snprintf(head, sizeof(head), "\nstate: %s\n", states[i]);
				if (strstr(answer, head)) {
					count[i]++;
					break;
				}
			}
			if (i == NR_STATES) {
				fprintf(stderr, "pfn %lu: no known state:\n%s", pfn, answer);
				return 1;
			}
		}
		pfn += STRIDE;
		if (end && pfn >= end)
			pfn = queries % STRIDE;
	}
	printf("queries=%lu", queries);
	for (i = 0; i < NR_STATES; i++)
		printf(" %s=%lu", states[i], count[i]);
	printf("\nenodev=%lu erange=%lu eagain=%lu\n", enodev, erange, eagain);
	return 0;
}
