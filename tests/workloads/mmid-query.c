// SPDX-License-Identifier: GPL-2.0
/*
 * mmid-query: many questions to mmscope's mmid/pfn and mmid/task files from
 * one process, where a shell loop forked a cat per question.
 *
 * usage: mmid-query range DIR FIRST END STEP
 *          ask pfn FIRST, FIRST+STEP, ... below END on one descriptor; every
 *          answer must be for the PFN asked and name a known state, every
 *          refusal must be a documented one (ENODEV hole or offline,
 *          ERANGE past the end, EAGAIN changed under the query)
 *        mmid-query writers DIR WRITERS ITERATIONS LAST_PFN
 *          WRITERS threads, ITERATIONS rounds each: a query and a read on one
 *          descriptor they all share, a query on a descriptor of their own
 *          (whose answer must be for the PFN asked), a task query, and
 *          garbage on the shared descriptor (which must be refused with
 *          EINVAL)
 * Prints a tally and exits 1 on the first violation.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const states[] = {
	"large", "small", "free", "busy", "kernel", "hugetlb",
};
#define NR_STATES (sizeof(states) / sizeof(states[0]))

static char dir[256];
static unsigned long last_pfn;
static long iterations;
static int shared_fd;

static int documented(int e)
{
	return e == ENODEV || e == ERANGE || e == EAGAIN;
}

/*
 * Ask @fd about @pfn and check the answer.  Returns 1 when answered, 0 when
 * refused with a documented errno, -1 (after saying why) otherwise.
 */
static int ask_pfn(int fd, unsigned long pfn)
{
	char ask[32], answer[4096], want[64];
	int len = snprintf(ask, sizeof(ask), "%lu\n", pfn);
	ssize_t n;
	size_t i;

	if (write(fd, ask, len) != len) {
		if (documented(errno))
			return 0;
		fprintf(stderr, "FAIL pfn %lu: write: %s\n", pfn, strerror(errno));
		return -1;
	}
	n = pread(fd, answer, sizeof(answer) - 1, 0);
	if (n < 0) {
		fprintf(stderr, "FAIL pfn %lu: read: %s\n", pfn, strerror(errno));
		return -1;
	}
	answer[n] = '\0';
	snprintf(want, sizeof(want), "pfn: %lu\n", pfn);
	if (strncmp(answer, want, strlen(want))) {
		fprintf(stderr, "FAIL pfn %lu: answer for another pfn:\n%s", pfn, answer);
		return -1;
	}
	for (i = 0; i < NR_STATES; i++) {
		snprintf(want, sizeof(want), "\nstate: %s\n", states[i]);
		if (strstr(answer, want))
			return 1;
	}
	fprintf(stderr, "FAIL pfn %lu: no known state:\n%s", pfn, answer);
	return -1;
}

static int open_file(const char *name)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDWR);
	if (fd < 0)
		fprintf(stderr, "FAIL %s: %s\n", path, strerror(errno));
	return fd;
}

static int range(unsigned long first, unsigned long end, unsigned long step)
{
	unsigned long pfn, asked = 0, answered = 0;
	int fd = open_file("pfn"), r;

	if (fd < 0)
		return 1;
	for (pfn = first; pfn < end; pfn += step) {
		r = ask_pfn(fd, pfn);
		if (r < 0)
			return 1;
		asked++;
		answered += r;
	}
	close(fd);
	printf("asked=%lu answered=%lu\n", asked, answered);
	if (!answered) {
		fprintf(stderr, "FAIL no pfn of %lu..%lu was answered\n", first, end);
		return 1;
	}
	return 0;
}

struct writer_stats {
	long ops, answered, garbage_refused;
	int failed;
	pthread_t thread;
	int id;
};

static void *writer(void *arg)
{
	struct writer_stats *ws = arg;
	int pfn_fd = open_file("pfn"), task_fd = open_file("task");
	char buf[4096];
	long i;

	if (pfn_fd < 0 || task_fd < 0) {
		ws->failed = 1;
		return NULL;
	}
	for (i = 0; i < iterations && !ws->failed; i++) {
		unsigned long pfn = (i * 7919 + ws->id * 104729) % last_pfn;
		int len = snprintf(buf, sizeof(buf), "%lu\n", pfn), r;

		/* The shared descriptor: any answer, as others write too. */
		if (write(shared_fd, buf, len) < 0 && !documented(errno)) {
			fprintf(stderr, "FAIL shared write of %lu: %s\n", pfn, strerror(errno));
			ws->failed = 1;
		}
		if (pread(shared_fd, buf, sizeof(buf), 0) < 0 && errno != ENODATA) {
			fprintf(stderr, "FAIL shared read: %s\n", strerror(errno));
			ws->failed = 1;
		}
		r = ask_pfn(pfn_fd, (i * 31 + ws->id) % last_pfn);
		if (r < 0)
			ws->failed = 1;
		else
			ws->answered += r;
		len = snprintf(buf, sizeof(buf), "%ld\n", i % 200 + 1);
		if (write(task_fd, buf, len) == len) {
			if (pread(task_fd, buf, sizeof(buf), 0) < 0 && errno != ESRCH) {
				fprintf(stderr, "FAIL task read: %s\n", strerror(errno));
				ws->failed = 1;
			}
		} else if (errno != ESRCH) {
			fprintf(stderr, "FAIL task %ld: %s\n", i % 200 + 1, strerror(errno));
			ws->failed = 1;
		}
		len = snprintf(buf, sizeof(buf), "garbage%ld\n", i);
		if (write(shared_fd, buf, len) >= 0 || errno != EINVAL) {
			fprintf(stderr, "FAIL garbage%ld on the shared descriptor: %s\n", i,
				strerror(errno));
			ws->failed = 1;
		} else {
			ws->garbage_refused++;
		}
		ws->ops += 5;
	}
	close(pfn_fd);
	close(task_fd);
	return NULL;
}

static int writers(int nr)
{
	struct writer_stats ws[64] = { 0 };
	long ops = 0, answered = 0, refused = 0;
	int i, failed = 0;

	if (nr < 1 || nr > 64 || iterations < 1 || !last_pfn) {
		fprintf(stderr, "mmid-query writers: 1-64 writers, >= 1 iteration, LAST_PFN > 0\n");
		return 2;
	}
	shared_fd = open_file("pfn");
	if (shared_fd < 0)
		return 1;
	for (i = 0; i < nr; i++) {
		ws[i].id = i + 1;
		pthread_create(&ws[i].thread, NULL, writer, &ws[i]);
	}
	for (i = 0; i < nr; i++) {
		pthread_join(ws[i].thread, NULL);
		ops += ws[i].ops;
		answered += ws[i].answered;
		refused += ws[i].garbage_refused;
		failed |= ws[i].failed;
	}
	printf("writers=%d ops=%ld answered=%ld garbage_refused=%ld\n", nr, ops, answered,
	       refused);
	return failed;
}

int main(int argc, char **argv)
{
	if (argc == 6 && !strcmp(argv[1], "range")) {
		snprintf(dir, sizeof(dir), "%s", argv[2]);
		return range(strtoul(argv[3], NULL, 0), strtoul(argv[4], NULL, 0),
			     strtoul(argv[5], NULL, 0) ?: 1);
	}
	if (argc == 6 && !strcmp(argv[1], "writers")) {
		snprintf(dir, sizeof(dir), "%s", argv[2]);
		iterations = atol(argv[4]);
		last_pfn = strtoul(argv[5], NULL, 0);
		return writers(atoi(argv[3]));
	}
	fprintf(stderr, "usage: mmid-query range DIR FIRST END STEP\n"
			"       mmid-query writers DIR WRITERS ITERATIONS LAST_PFN\n");
	return 2;
}
