// SPDX-License-Identifier: GPL-2.0
/*
 * The intervals goal as the user types it ("4% 3 5ms 10s", as damo takes
 * it) and the checks DAMON would make at commit time, done before a single
 * sysfs file is written so a bad goal leaves the kdamond as it was.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "damon_cli.h"

static int fail(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -1;
}

/* A non-negative decimal number followed by a unit word; no sign, no hex. */
static int split_number(const char *s, double *num, const char **unit)
{
	char *end;

	if (!s || !isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	*num = strtod(s, &end);
	if (errno || !isfinite(*num) || end == s)
		return -1;
	*unit = end;
	return 0;
}

int damon_parse_bp(const char *s, unsigned long *bp, char *err, size_t len)
{
	const char *unit;
	double v, scaled;

	if (split_number(s, &v, &unit))
		goto junk;
	if (strcmp(unit, "%") == 0)
		scaled = v * 100;
	else if (strcmp(unit, "") == 0 || strcmp(unit, "bp") == 0)
		scaled = v;
	else
		goto junk;
	if (scaled != floor(scaled))
		return fail(err, len, "access goal '%s' is not a whole number of basis points (0.01%%)", s);
	if (scaled == 0)
		return fail(err, len, "access goal '%s' is zero: with no accesses to aim for, DAMON would only shrink the sampling interval to its minimum", s);
	if (scaled > 10000)
		return fail(err, len, "access goal '%s' is above 100%% (10000 bp): the observed ratio can never reach it", s);
	*bp = scaled;
	return 0;
junk:
	return fail(err, len, "access goal '%s' is not a percentage or basis points (e.g. 4%%, 0.5%%, 400, 400bp)", s ? s : "");
}

int damon_parse_us(const char *s, unsigned long *us, char *err, size_t len)
{
	static const struct { const char *name; double mult; } units[] = {
		{ "", 1 }, { "us", 1 }, { "ms", 1e3 }, { "s", 1e6 }, { "m", 60e6 }, { "min", 60e6 },
	};
	const char *unit;
	double v, scaled;
	size_t i;

	if (split_number(s, &v, &unit))
		goto junk;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(unit, units[i].name) == 0)
			break;
	if (i == sizeof(units) / sizeof(units[0]))
		goto junk;
	scaled = v * units[i].mult;
	if (fabs(scaled - round(scaled)) > 1e-6)
		return fail(err, len, "interval '%s' is not a whole number of microseconds", s);
	scaled = round(scaled);
	if (scaled > (double)ULONG_MAX / 2)
		return fail(err, len, "interval '%s' is too large", s);
	*us = scaled;
	return 0;
junk:
	return fail(err, len, "interval '%s' is not a duration: a number with us, ms, s or min (a bare number is microseconds)", s ? s : "");
}

int damon_parse_count(const char *s, unsigned long *n, char *err, size_t len)
{
	char *end;

	if (!s || !isdigit((unsigned char)s[0]))
		goto junk;
	errno = 0;
	*n = strtoul(s, &end, 10);
	if (errno || *end || *n > UINT_MAX)
		goto junk;
	return 0;
junk:
	return fail(err, len, "'%s' is not a whole number", s ? s : "");
}

int damon_parse_goal(char *const words[4], struct damon_setup *s, char *err, size_t len)
{
	char why[200];

	if (damon_parse_bp(words[0], &s->access_bp, err, len))
		return -1;
	if (damon_parse_count(words[1], &s->aggrs, why, sizeof(why)))
		return fail(err, len, "aggregations per tuning step: %s", why);
	if (s->aggrs == 0)
		return fail(err, len, "aggrs is 0: DAMON treats 0 aggregations as 'tuning off' (intervals_goal/aggrs), so the goal would be ignored; give 1 or more");
	if (damon_parse_us(words[2], &s->min_sample_us, why, sizeof(why)))
		return fail(err, len, "minimum sampling interval: %s", why);
	if (damon_parse_us(words[3], &s->max_sample_us, why, sizeof(why)))
		return fail(err, len, "maximum sampling interval: %s", why);
	return 0;
}

void damon_setup_defaults(struct damon_setup *s)
{
	/* damo's defaults: sample 5ms, aggr 100ms, update 1s, regions 10..1000. */
	if (!s->sample_us) {
		s->sample_us = 5000;
		if (s->min_sample_us && s->sample_us < s->min_sample_us)
			s->sample_us = s->min_sample_us;
		if (s->max_sample_us && s->sample_us > s->max_sample_us)
			s->sample_us = s->max_sample_us;
	}
	if (!s->aggr_us)
		s->aggr_us = s->sample_us * 20;
	if (!s->update_us)
		s->update_us = 1000000;
	if (!s->min_nr_regions)
		s->min_nr_regions = 10;
	if (!s->max_nr_regions)
		s->max_nr_regions = 1000;
}

int damon_validate(const struct damon_setup *s, char *err, size_t len)
{
	char a[32], b[32], c[32];

	if (s->min_sample_us == 0)
		return fail(err, len, "minimum sampling interval is 0: DAMON needs a sampling interval of at least 1us");
	if (s->min_sample_us > s->max_sample_us)
		return fail(err, len, "minimum sampling interval %s is above the maximum %s: DAMON requires min_sample_us <= max_sample_us (damon_valid_intervals_goal)",
			    damon_fmt_us(s->min_sample_us, a, sizeof(a)),
			    damon_fmt_us(s->max_sample_us, b, sizeof(b)));
	if (s->sample_us < s->min_sample_us || s->sample_us > s->max_sample_us)
		return fail(err, len, "initial sampling interval %s is outside the goal's bounds [%s, %s]: DAMON requires min_sample_us <= sample_us <= max_sample_us when tuning is on (damon_valid_intervals_goal)",
			    damon_fmt_us(s->sample_us, a, sizeof(a)),
			    damon_fmt_us(s->min_sample_us, b, sizeof(b)),
			    damon_fmt_us(s->max_sample_us, c, sizeof(c)));
	if (s->sample_us > s->aggr_us)
		return fail(err, len, "sampling interval %s is above the aggregation interval %s: DAMON requires sample_us <= aggr_us (damon_set_attrs)",
			    damon_fmt_us(s->sample_us, a, sizeof(a)),
			    damon_fmt_us(s->aggr_us, b, sizeof(b)));
	if (s->min_nr_regions < 3)
		return fail(err, len, "minimum number of regions %lu is below 3: DAMON requires nr_regions/min >= 3 (damon_set_attrs)",
			    s->min_nr_regions);
	if (s->min_nr_regions > s->max_nr_regions)
		return fail(err, len, "minimum number of regions %lu is above the maximum %lu: DAMON requires nr_regions/min <= nr_regions/max (damon_set_attrs)",
			    s->min_nr_regions, s->max_nr_regions);
	if (s->update_us == 0)
		return fail(err, len, "update interval is 0: give at least the sampling interval");
	return 0;
}

const char *damon_fmt_us(unsigned long us, char *buf, size_t len)
{
	if (us >= 1000000 && us % 1000000 == 0)
		snprintf(buf, len, "%lus", us / 1000000);
	else if (us >= 1000 && us % 1000 == 0)
		snprintf(buf, len, "%lums", us / 1000);
	else if (us >= 1000)
		snprintf(buf, len, "%.3gms", us / 1000.0);
	else
		snprintf(buf, len, "%luus", us);
	return buf;
}
