/* SPDX-License-Identifier: GPL-2.0 */
/* Bash completion and the man page's tables, from the command tables. */
#ifndef MMSCOPE_COMPLETE_H
#define MMSCOPE_COMPLETE_H

#include "opts.h"

/* mmscope __complete WORD...: the candidates for the last word. */
extern const struct cmd cmd_complete;
/* mmscope __options: every command and its options, for tests and mmscope(8). */
extern const struct cmd cmd_options;

#endif /* MMSCOPE_COMPLETE_H */
