// SPDX-License-Identifier: GPL-2.0
/*
 * slab-write FILE VALUE: write VALUE and a newline to FILE in one write()
 * and print "ok" or the error's strerror(), which busybox's echo does not
 * report.  Exit 0 either way; the test judges the text.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char buf[4096];
	int fd, n;

	if (argc != 3) {
		fprintf(stderr, "usage: slab-write FILE VALUE\n");
		return 2;
	}
	n = snprintf(buf, sizeof(buf), "%s\n", argv[2]);
	fd = open(argv[1], O_WRONLY);
	if (fd < 0) {
		printf("open: %s\n", strerror(errno));
		return 0;
	}
	if (write(fd, buf, n) != n)
		printf("%s\n", strerror(errno));
	else
		printf("ok\n");
	close(fd);
	return 0;
}
