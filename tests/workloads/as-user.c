// SPDX-License-Identifier: GPL-2.0
/*
 * as-user: run a command as an unprivileged user (no supplementary groups,
 * no capabilities), for the access tests.  The guest has no su.
 *
 * usage: as-user UID COMMAND [ARG...]
 *        as-user UID --try-open FILE...
 * The second form tries to open each FILE for reading and for writing as
 * that user, in one process (a shell loop forked twice per file), prints
 * each open that succeeded and exits 1 if any did.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <grp.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	uid_t uid;

	if (argc < 3) {
		fprintf(stderr, "usage: as-user UID COMMAND [ARG...]\n");
		return 2;
	}
	uid = (uid_t)strtoul(argv[1], NULL, 10);
	if (setgroups(0, NULL) || setgid(uid) || setuid(uid)) {
		perror("as-user: dropping privileges");
		return 2;
	}
	if (!strcmp(argv[2], "--try-open")) {
		int i, opened = 0;

		for (i = 3; i < argc; i++) {
			int r = open(argv[i], O_RDONLY), w = open(argv[i], O_WRONLY);

			if (r >= 0)
				printf("uid %u could read %s\n", uid, argv[i]);
			if (w >= 0)
				printf("uid %u could write %s\n", uid, argv[i]);
			opened |= r >= 0 || w >= 0;
			if (r >= 0)
				close(r);
			if (w >= 0)
				close(w);
		}
		return opened;
	}
	execvp(argv[2], argv + 2);
	perror(argv[2]);
	return 127;
}
