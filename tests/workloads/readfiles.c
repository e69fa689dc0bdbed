// SPDX-License-Identifier: GPL-2.0
/*
 * readfiles: read every regular file under the given directories in one
 * process, instead of a shell loop that forks a cat per file (under KASAN
 * and TCG a fork costs tens of milliseconds, and the DAMON tree alone has
 * dozens of files).
 *
 * usage: readfiles [-s] [-r ROUNDS] PATH...
 *   -s  print a snapshot: "path: content" per file, sorted by path, with
 *       the content's newlines turned into spaces and an unreadable file
 *       shown empty (what `find | sort | while read f; do cat "$f"` gave)
 *   -r  read everything ROUNDS times (default 1)
 * Without -s it prints "files=N bytes=N errors=N" per round.  ENODATA is
 * how a query file (mmid/pfn, mmid/task) says no query was written: it is
 * counted with the errors and not fatal.  Any other read error is named on
 * stderr and makes the exit status 1.  Exits 2 on a usage error or a path
 * that does not exist.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_FILES 8192
#define CONTENT_MAX (1 << 18)

static char *paths[MAX_FILES];
static int nr_paths;

static int collect(const char *path, const struct stat *sb, int type, struct FTW *ftw __attribute__((unused)))
{
	if (type != FTW_F || !S_ISREG(sb->st_mode) || !(sb->st_mode & 0444))
		return 0;
	if (nr_paths == MAX_FILES) {
		fprintf(stderr, "readfiles: more than %d files\n", MAX_FILES);
		return 1;
	}
	paths[nr_paths] = strdup(path);
	if (!paths[nr_paths])
		return 1;
	nr_paths++;
	return 0;
}

static int cmp_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Whole content of @path into @buf (NUL-terminated); -1 on a read error. */
static ssize_t read_whole(const char *path, char *buf, size_t size)
{
	ssize_t total = 0, r = 0;
	int fd = open(path, O_RDONLY), e;

	if (fd < 0)
		return -1;
	while ((size_t)total < size - 1 && (r = read(fd, buf + total, size - 1 - total)) > 0)
		total += r;
	/* Drain the rest of a file larger than the buffer. */
	if (r > 0) {
		char sink[4096];

		while ((r = read(fd, sink, sizeof(sink))) > 0)
			;
	}
	e = errno;
	close(fd);
	buf[total] = '\0';
	errno = e;
	return r < 0 ? -1 : total;
}

int main(int argc, char **argv)
{
	static char buf[CONTENT_MAX];
	int c, i, round, rounds = 1, snapshot = 0, status = 0;

	while ((c = getopt(argc, argv, "sr:")) != -1) {
		switch (c) {
		case 's':
			snapshot = 1;
			break;
		case 'r':
			rounds = atoi(optarg);
			if (rounds < 1) {
				fprintf(stderr, "readfiles: -r needs a count >= 1\n");
				return 2;
			}
			break;
		default:
			fprintf(stderr, "usage: readfiles [-s] [-r ROUNDS] PATH...\n");
			return 2;
		}
	}
	if (optind == argc) {
		fprintf(stderr, "usage: readfiles [-s] [-r ROUNDS] PATH...\n");
		return 2;
	}
	for (i = optind; i < argc; i++) {
		if (access(argv[i], F_OK)) {
			fprintf(stderr, "readfiles: %s: %s\n", argv[i], strerror(errno));
			return 2;
		}
		if (nftw(argv[i], collect, 16, FTW_PHYS))
			return 2;
	}
	qsort(paths, nr_paths, sizeof(*paths), cmp_path);

	for (round = 0; round < rounds; round++) {
		long bytes = 0, errors = 0;

		for (i = 0; i < nr_paths; i++) {
			ssize_t n = read_whole(paths[i], buf, sizeof(buf));
			char *p;

			if (n < 0) {
				if (errno != ENODATA) {
					fprintf(stderr, "readfiles: %s: %s\n", paths[i],
						strerror(errno));
					status = 1;
				}
				errors++;
				n = 0;
				buf[0] = '\0';
			}
			bytes += n;
			if (!snapshot)
				continue;
			for (p = buf; *p; p++)
				if (*p == '\n')
					*p = ' ';
			printf("%s: %s\n", paths[i], buf);
		}
		if (!snapshot)
			printf("files=%d bytes=%ld errors=%ld\n", nr_paths, bytes, errors);
	}
	return status;
}
