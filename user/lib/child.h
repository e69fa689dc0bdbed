/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `-- command [args]`: the traced command.  It is cloned before the
 * tracer opens anything, sharing mmscope's memory (CLONE_VM), so it
 * inherits no mmscope descriptor and its exec frees nothing of mmscope's;
 * it waits on a futex until the tracer is attached, and only then execs.
 */
#ifndef MMSCOPE_CHILD_H
#define MMSCOPE_CHILD_H

#include <sys/types.h>

/* When >= 0, the command's stdout (mmscope record keeps its own for the file). */
extern int child_stdout;

/* Clone cmd, waiting before exec; its pid in *pid.  0 or EXIT_FAIL. */
int child_start(char **cmd, pid_t *pid);
/* Let it exec; EXIT_FAIL (after saying why) when the exec failed. */
int child_go(void);
/* Wait for it; EXIT_OK, or EXIT_FAIL when it could not run. */
int child_finish(pid_t pid);

#endif /* MMSCOPE_CHILD_H */
