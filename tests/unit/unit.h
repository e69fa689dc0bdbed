/* SPDX-License-Identifier: GPL-2.0 */
/* A minimal harness: one "PASS name" / "FAIL name: why" line per case. */
#ifndef MMSCOPE_UNIT_H
#define MMSCOPE_UNIT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int unit_failed;

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		printf("FAIL %s: %s:%d: ", __func__, __FILE__, __LINE__); \
		printf(__VA_ARGS__);					\
		putchar('\n');						\
		unit_failed = 1;					\
		return;							\
	}								\
} while (0)

#define CHECK_STR(got, want) \
	CHECK(strcmp((got), (want)) == 0, "got\n%s\nwant\n%s", (got), (want))

#define RUN(fn) do {							\
	int before = unit_failed;					\
	unit_failed = 0;						\
	fn();								\
	if (!unit_failed)						\
		printf("PASS %s\n", #fn);				\
	unit_failed |= before;						\
} while (0)

/* Capture what fn(out) prints into a malloc'ed string. */
#define CAPTURE(var, call) do {						\
	size_t capture_len;						\
	FILE *out = open_memstream(&(var), &capture_len);		\
	call;								\
	fclose(out);							\
} while (0)

#endif /* MMSCOPE_UNIT_H */
