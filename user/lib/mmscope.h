/* SPDX-License-Identifier: GPL-2.0 */
/* mmscope CLI: commands and the helpers they share. */
#ifndef MMSCOPE_H
#define MMSCOPE_H

#include <stdbool.h>
#include <stdio.h>

#define MMSCOPE_VERSION "0.1.0"
#define MMSCOPE_DEBUGFS "/sys/kernel/debug/mmscope"

/* Exit codes, documented in mmscope(8). */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,		/* the command ran and failed */
	EXIT_USAGE = 2,		/* bad command line */
	EXIT_NOPRIV = 3,	/* a privilege is missing */
	EXIT_NOFEATURE = 4,	/* the kernel or module lacks a feature */
};

#include "opts.h"

/* The command tables (user/commands), from the root down (main.c). */
extern const struct cmd cmd_status;
extern const struct cmd cmd_trace;
extern const struct cmd cmd_record;
extern const struct cmd cmd_report;
extern const struct cmd cmd_mmid;
extern const struct cmd cmd_bench;
extern const struct cmd cmd_slab;
extern const struct cmd cmd_damon;
extern const struct cmd cmd_export;
extern const struct cmd cmd_root;

/* Set by `mmscope record` before it runs the recorded command. */
extern bool cmd_require_json;

/* Diagnostics: "mmscope: <msg>" on stderr. */
void errmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void verbose(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The kernel and the module (kernel.c). */
const char *kconfig_value(const char *option);
const char *kconfig_source(void);
bool module_loaded(char *version, size_t len);
bool debugfs_ready(void);
int require_root(const char *what);
int require_module(void);
const char *module_absent_hint(void);
int read_file(const char *path, char *buf, size_t len);

#endif /* MMSCOPE_H */
