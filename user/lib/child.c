// SPDX-License-Identifier: GPL-2.0
/* The traced command: forked early, exec'd after setup (child.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "mmscope.h"

int child_stdout = -1;
static int go_fd = -1, status_fd = -1;
static const char *child_name;

int child_start(char **cmd, pid_t *pid)
{
	int go[2], st[2], err;
	sigset_t all;
	char c;

	if (pipe2(go, O_CLOEXEC) < 0 || pipe2(st, O_CLOEXEC) < 0) {
		errmsg("pipe: %s", strerror(errno));
		return EXIT_FAIL;
	}
	child_name = cmd[0];
	*pid = fork();
	if (*pid < 0) {
		errmsg("fork: %s", strerror(errno));
		return EXIT_FAIL;
	}
	if (*pid == 0) {
		close(go[1]);
		close(st[0]);
		/* EOF instead of a byte: the tracer could not attach. */
		if (read(go[0], &c, 1) != 1)
			_exit(126);
		if (child_stdout >= 0)
			dup2(child_stdout, STDOUT_FILENO);
		/* Nothing of mmscope's survives the exec (the pipes are O_CLOEXEC too). */
		close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGCHLD, SIG_DFL);
		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		execvp(cmd[0], cmd);
		err = errno;
		if (write(st[1], &err, sizeof(err)) != sizeof(err))
			_exit(127);
		_exit(127);
	}
	close(go[0]);
	close(st[1]);
	go_fd = go[1];
	status_fd = st[0];
	return 0;
}

int child_go(void)
{
	int err = 0;
	ssize_t n;

	if (go_fd < 0)
		return 0;
	if (write(go_fd, "g", 1) != 1)
		errmsg("cannot start the command: %s", strerror(errno));
	close(go_fd);
	go_fd = -1;
	/* EOF: the exec succeeded (the pipe closed on exec). */
	do
		n = read(status_fd, &err, sizeof(err));
	while (n < 0 && errno == EINTR);
	close(status_fd);
	status_fd = -1;
	if (n == sizeof(err)) {
		errmsg("cannot run '%s': %s", child_name, strerror(err));
		return EXIT_FAIL;
	}
	return 0;
}

int child_finish(pid_t pid)
{
	int status;

	if (go_fd >= 0) {
		close(go_fd);
		go_fd = -1;
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return EXIT_FAIL;
	if (WIFEXITED(status) && WEXITSTATUS(status) >= 126)
		return EXIT_FAIL;
	if (WIFEXITED(status) && WEXITSTATUS(status))
		verbose("the command exited with status %d", WEXITSTATUS(status));
	return EXIT_OK;
}
