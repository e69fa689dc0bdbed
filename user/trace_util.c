// SPDX-License-Identifier: GPL-2.0
/* Cache names for the tracers, and running the traced command. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "mmscope.h"
#include "trace_cmd.h"
#include <fcntl.h>

int cache_table_load(struct bpf_program *iter, struct cache_table *t)
{
	struct bpf_link *link;
	struct cache_info info;
	size_t cap = 0;
	ssize_t n;
	int fd;

	cache_table_free(t);
	link = bpf_program__attach_iter(iter, NULL);
	if (!link)
		return -errno;
	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0) {
		int err = -errno;

		bpf_link__destroy(link);
		return err;
	}
	/* Each record is written whole by one bpf_seq_write(). */
	while ((n = read(fd, &info, sizeof(info))) == sizeof(info)) {
		if (t->nr == cap) {
			struct cache_info *p;

			cap = cap ? cap * 2 : 256;
			p = realloc(t->caches, cap * sizeof(*p));
			if (!p)
				break;
			t->caches = p;
		}
		info.name[sizeof(info.name) - 1] = '\0';
		t->caches[t->nr++] = info;
	}
	close(fd);
	bpf_link__destroy(link);
	return 0;
}

const struct cache_info *cache_table_find(const struct cache_table *t, __u64 cache)
{
	size_t i;

	for (i = 0; i < t->nr; i++)
		if (t->caches[i].cache == cache)
			return &t->caches[i];
	return NULL;
}

void cache_table_free(struct cache_table *t)
{
	free(t->caches);
	t->caches = NULL;
	t->nr = 0;
}

static int go_pipe[2] = { -1, -1 };
int trace_cmd_stdout = -1;

int trace_cmd_start(char **cmd, pid_t *pid)
{
	char c;

	if (pipe2(go_pipe, O_CLOEXEC) < 0) {
		errmsg("pipe: %s", strerror(errno));
		return EXIT_FAIL;
	}
	*pid = fork();
	if (*pid < 0) {
		errmsg("fork: %s", strerror(errno));
		return EXIT_FAIL;
	}
	if (*pid == 0) {
		close(go_pipe[1]);
		/* EOF instead of a byte: the tracer could not attach. */
		if (read(go_pipe[0], &c, 1) != 1)
			_exit(126);
		if (trace_cmd_stdout >= 0)
			dup2(trace_cmd_stdout, STDOUT_FILENO);
		execvp(cmd[0], cmd);
		errmsg("cannot run '%s': %s", cmd[0], strerror(errno));
		_exit(127);
	}
	close(go_pipe[0]);
	return 0;
}

void trace_cmd_go(void)
{
	if (go_pipe[1] >= 0) {
		if (write(go_pipe[1], "g", 1) != 1)
			errmsg("cannot start the command: %s", strerror(errno));
		close(go_pipe[1]);
		go_pipe[1] = -1;
	}
}

int trace_cmd_finish(pid_t pid)
{
	int status;

	if (go_pipe[1] >= 0) {
		close(go_pipe[1]);
		go_pipe[1] = -1;
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
