// SPDX-License-Identifier: GPL-2.0
/*
 * sig-midway ROOM SIG CMD [ARGS]: run CMD with its stderr on a pipe that
 * has only ROOM bytes free, so CMD blocks in the middle of its work on the
 * first message that does not fit (e.g. -v's "write PATH < VALUE" lines);
 * then send it SIG, let it go on (the pipe is drained to our stderr) and
 * print "signal N" or "exit N" as it ended.  For the Ctrl-C tests.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int p[2], size, room, sig, status;
	char buf[4096];
	pid_t pid;
	ssize_t n;

	if (argc < 4) {
		fprintf(stderr, "usage: %s ROOM SIG CMD [ARGS]\n", argv[0]);
		return 2;
	}
	room = atoi(argv[1]);
	sig = atoi(argv[2]);
	if (pipe(p) || (size = fcntl(p[1], F_GETPIPE_SZ)) < room) {
		perror("pipe");
		return 1;
	}
	memset(buf, '#', sizeof(buf));
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	for (int left = size - room; left > 0; left -= n)
		if ((n = write(p[1], buf, left < (int)sizeof(buf) ? left : (int)sizeof(buf))) <= 0)
			break;
	fcntl(p[1], F_SETFL, 0);
	pid = fork();
	if (pid == 0) {
		dup2(p[1], STDERR_FILENO);
		close(p[0]);
		close(p[1]);
		execvp(argv[3], argv + 3);
		_exit(127);
	}
	close(p[1]);
	/* Until it is asleep on the full pipe (state S with wchan pipe_write). */
	for (int i = 0; i < 200; i++) {
		char path[64], w[64] = "";
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%d/wchan", pid);
		f = fopen(path, "r");
		if (f) {
			if (!fgets(w, sizeof(w), f))
				w[0] = '\0';
			fclose(f);
		}
		if (strstr(w, "pipe_write"))
			break;
		usleep(50000);
	}
	kill(pid, sig);
	while ((n = read(p[0], buf, sizeof(buf))) > 0) {
		char *s = buf;

		while (n && *s == '#')
			s++, n--;
		if (n && write(STDERR_FILENO, s, n) < 0)
			break;
	}
	waitpid(pid, &status, 0);
	if (WIFSIGNALED(status))
		printf("signal %d\n", WTERMSIG(status));
	else
		printf("exit %d\n", WEXITSTATUS(status));
	return 0;
}
