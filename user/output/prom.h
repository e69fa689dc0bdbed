/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Prometheus text exposition format 0.0.4, or OpenMetrics 1.0: a
 * family (# HELP, # TYPE) then its samples.  Names get the mmscope_
 * prefix here; a counter family's samples end in _total.  Label values
 * are escaped; names are the caller's (constant, [a-z_]).
 */
#ifndef MMSCOPE_PROM_H
#define MMSCOPE_PROM_H

#include <stdbool.h>
#include <stdio.h>

#define PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"
#define OPENMETRICS_CONTENT_TYPE "application/openmetrics-text; version=1.0.0; charset=utf-8"

enum prom_type { PROM_GAUGE, PROM_COUNTER, PROM_SUMMARY };

struct prom {
	FILE *out;
	bool openmetrics;
	char family[128];	/* the current family, with the prefix */
	enum prom_type type;
};

void prom_begin(struct prom *p, FILE *out, bool openmetrics);
/* A new family: name without prefix and, for a counter, without _total. */
void prom_family(struct prom *p, const char *name, enum prom_type type, const char *help);
/*
 * A sample of the current family: suffix ("" or "_sum", "_count"; a
 * counter's "_total" is added), then label name/value pairs up to NULL.
 */
void prom_sample(struct prom *p, const char *suffix, double v, ...)
	__attribute__((sentinel));
/* The same for a whole number (counters: exact to 2^64). */
void prom_sample_u64(struct prom *p, const char *suffix, unsigned long long v, ...)
	__attribute__((sentinel));
/* OpenMetrics' "# EOF"; nothing for the text format. */
void prom_end(struct prom *p);

#endif /* MMSCOPE_PROM_H */
