/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Leave the machine as it was: what a command changes (THP knobs, a
 * kdamond it starts) is put back by one function, which also runs when
 * SIGINT, SIGTERM or SIGHUP arrive at any moment.
 */
#ifndef MMSCOPE_RESTORE_H
#define MMSCOPE_RESTORE_H

/*
 * From now on, these signals run fn (which must be async-signal-safe:
 * open, write, close) and then end the process by the signal.  Children
 * forked afterwards do not run it.
 */
void restore_on_signal(void (*fn)(void));
/* Done: fn ran (or is no longer needed), the signals kill as before. */
void restore_done(void);

#endif /* MMSCOPE_RESTORE_H */
