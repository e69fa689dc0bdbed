// SPDX-License-Identifier: GPL-2.0
/* Messages shared by every command. */
#include <stdarg.h>
#include <stdio.h>

#include "mmscope.h"

bool opt_verbose;

void errmsg(const char *fmt, ...)
{
	va_list ap;

	fputs("mmscope: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void verbose(const char *fmt, ...)
{
	va_list ap;

	if (!opt_verbose)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}


/* main.c has the command table; unit tests link without it. */
__attribute__((weak)) const struct mmscope_cmd *mmscope_find_command(const char *name)
{
	return NULL;
}
