// SPDX-License-Identifier: GPL-2.0
/*
 * The traced command (child.h).  It is cloned with CLONE_VM before the
 * tracer opens anything: it shares mmscope's memory instead of copying it
 * (exec then frees no copy of mmscope's address space in the command's
 * name), its descriptor table is the one from before setup (0, 1, 2 and
 * nothing of mmscope's), and it waits on a futex, not on a pipe, so no
 * descriptor of mmscope's is closed, let alone freed, by the command.
 * The exec's outcome comes back the way posix_spawn() gets it: the kernel
 * clears and wakes the child's tid word at exec (CLONE_CHILD_CLEARTID),
 * and a failed exec leaves its errno in shared memory before _exit.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "mmscope.h"

#define CHILD_STACK	(256 << 10)

int child_stdout = -1;

/* Shared with the child (CLONE_VM): written by one side, read by the other. */
static struct {
	char **cmd;
	int out;		/* child_stdout when cloned */
	int go;			/* 0 wait, 1 exec, -1 give up */
	int tid;		/* cleared by the kernel at the child's exec or exit */
	int exec_errno;
} sh;
static void *stack;
static pid_t child_pid;

static long futex(int *word, int op, int val)
{
	return syscall(SYS_futex, word, op, val, NULL, NULL, 0);
}

/* Raw system calls only: the child runs on mmscope's memory, and its errno is mmscope's. */
static int child_main(void *arg)
{
	sigset_t none;
	int i;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	while (!__atomic_load_n(&sh.go, __ATOMIC_ACQUIRE))
		futex(&sh.go, FUTEX_WAIT, 0);
	if (sh.go < 0)
		_exit(126);
	if (sh.out >= 0)
		dup2(sh.out, STDOUT_FILENO);
	/* Only what the table had at clone time: 0, 1, 2 and record's saved stdout. */
	close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
	for (i = 1; i < NSIG; i++)
		if (i != SIGKILL && i != SIGSTOP)
			signal(i, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execvp(sh.cmd[0], sh.cmd);
	sh.exec_errno = errno ? errno : ENOEXEC;
	_exit(127);
}

int child_start(char **cmd, pid_t *pid)
{
	sigset_t all, old;

	stack = mmap(NULL, CHILD_STACK, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED) {
		stack = NULL;
		errmsg("cannot map a stack for the command: %s", strerror(errno));
		return EXIT_FAIL;
	}
	sh = (typeof(sh)){ .cmd = cmd, .out = child_stdout };
	/* No handler of mmscope's may run in the child before it resets them. */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	child_pid = clone(child_main, (char *)stack + CHILD_STACK,
			  CLONE_VM | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD,
			  NULL, &sh.tid, NULL, &sh.tid);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (child_pid < 0) {
		errmsg("cannot start the command: clone: %s", strerror(errno));
		munmap(stack, CHILD_STACK);
		stack = NULL;
		return EXIT_FAIL;
	}
	*pid = child_pid;
	return 0;
}

/* Until the child has exec'd or exited, it runs on our memory. */
static void wait_exec(void)
{
	int tid;

	while ((tid = __atomic_load_n(&sh.tid, __ATOMIC_ACQUIRE)))
		futex(&sh.tid, FUTEX_WAIT, tid);
	if (stack) {
		munmap(stack, CHILD_STACK);
		stack = NULL;
	}
}

static void release(int how)
{
	__atomic_store_n(&sh.go, how, __ATOMIC_RELEASE);
	futex(&sh.go, FUTEX_WAKE, 1);
}

int child_go(void)
{
	if (!stack)
		return 0;
	/* The tid word was set before clone() returned (CLONE_PARENT_SETTID). */
	release(1);
	wait_exec();
	if (sh.exec_errno) {
		errmsg("cannot run '%s': %s", sh.cmd[0], strerror(sh.exec_errno));
		return EXIT_FAIL;
	}
	return 0;
}

int child_finish(pid_t pid)
{
	int status;

	if (stack) {
		release(-1);
		wait_exec();
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
