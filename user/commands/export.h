/* SPDX-License-Identifier: GPL-2.0 */
/* mmscope export: the metric families (export_*.c) and what they share. */
#ifndef MMSCOPE_EXPORT_H
#define MMSCOPE_EXPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "prom.h"

struct export_cfg {
	const char *cache_glob;		/* -C; NULL: caches with sheaves */
	bool per_cpu;			/* --per-cpu: a series per CPU */
	bool census;			/* --census */
	unsigned int census_interval;	/* seconds between two censuses */
	bool openmetrics;		/* --openmetrics: always OpenMetrics */
};

enum export_source { SRC_SLAB, SRC_MTHP, SRC_DAMON, SRC_MMID, NR_SRC };

/* What one exposition found: a source's reason is "" when it is up. */
struct export_status {
	char reason[NR_SRC][160];
	const char *slab_backend;
	bool damon_ratio;		/* the module's DAMON ring gave ratios */
};

/* The slab families (export_slab.c): 0, or -1 with st->reason set. */
int export_slab(struct prom *p, const struct export_cfg *c, struct export_status *st);
/* mTHP, DAMON, MM-ID census (export_metrics.c). */
int export_mthp(struct prom *p, struct export_status *st);
int export_damon(struct prom *p, struct export_status *st);
int export_mmid(struct prom *p, const struct export_cfg *c, struct export_status *st);

/*
 * Take a census now, for a caller that then takes them itself every
 * census_interval (the HTTP server's main thread): scrapes no longer do.
 */
void export_census_refresh(void);

/* One whole exposition: every family, the source status and the info metric. */
void export_write(const struct export_cfg *c, FILE *out, bool openmetrics);

#endif /* MMSCOPE_EXPORT_H */
