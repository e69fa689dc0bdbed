// SPDX-License-Identifier: GPL-2.0
/* Putting back what a command changed, also on SIGINT/SIGTERM/SIGHUP. */
#include <signal.h>
#include <unistd.h>

#include "restore.h"

static void (*volatile restore_fn)(void);
static volatile pid_t owner;

static void on_signal(int sig)
{
	void (*fn)(void) = restore_fn;

	if (getpid() == owner && fn) {
		restore_fn = NULL;
		fn();
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

void restore_on_signal(void (*fn)(void))
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGINT);
	sigaddset(&sa.sa_mask, SIGTERM);
	sigaddset(&sa.sa_mask, SIGHUP);
	owner = getpid();
	restore_fn = fn;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

void restore_done(void)
{
	restore_fn = NULL;
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
}
