// SPDX-License-Identifier: GPL-2.0
/* The Prometheus and OpenMetrics text formats (prom.h). */
#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "prom.h"

#define PROM_PREFIX "mmscope_"

void prom_begin(struct prom *p, FILE *out, bool openmetrics)
{
	memset(p, 0, sizeof(*p));
	p->out = out;
	p->openmetrics = openmetrics;
}

/* HELP text: backslash and newline escaped (both formats). */
static void put_help(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", out);
		else if (*s == '\n')
			fputs("\\n", out);
		else
			fputc(*s, out);
	}
}

/* A label value: backslash, double quote and newline escaped. */
static void put_label_value(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', out);
		if (*s == '\n')
			fputs("\\n", out);
		else
			fputc(*s, out);
	}
}

void prom_family(struct prom *p, const char *name, enum prom_type type, const char *help)
{
	static const char *const types[] = { "gauge", "counter", "summary" };
	/* The text format names a counter's family by its samples' name. */
	const char *total = type == PROM_COUNTER && !p->openmetrics ? "_total" : "";

	snprintf(p->family, sizeof(p->family), PROM_PREFIX "%s", name);
	p->type = type;
	fprintf(p->out, "# HELP %s%s ", p->family, total);
	put_help(p->out, help);
	fprintf(p->out, "\n# TYPE %s%s %s\n", p->family, total, types[type]);
}

static void put_name_labels(struct prom *p, const char *suffix, va_list ap)
{
	const char *k, *sep = "{";

	fprintf(p->out, "%s%s%s", p->family, suffix, p->type == PROM_COUNTER ? "_total" : "");
	while ((k = va_arg(ap, const char *))) {
		const char *v = va_arg(ap, const char *);

		fprintf(p->out, "%s%s=\"", sep, k);
		put_label_value(p->out, v ? v : "");
		fputc('"', p->out);
		sep = ",";
	}
	if (*sep == ',')
		fputc('}', p->out);
}

void prom_sample(struct prom *p, const char *suffix, double v, ...)
{
	va_list ap;

	va_start(ap, v);
	put_name_labels(p, suffix, ap);
	va_end(ap);
	if (isnan(v))
		fputs(" NaN\n", p->out);
	else if (isinf(v))
		fputs(v > 0 ? " +Inf\n" : " -Inf\n", p->out);
	else
		fprintf(p->out, " %.15g\n", v);
}

void prom_sample_u64(struct prom *p, const char *suffix, unsigned long long v, ...)
{
	va_list ap;

	va_start(ap, v);
	put_name_labels(p, suffix, ap);
	va_end(ap);
	fprintf(p->out, " %llu\n", v);
}

void prom_end(struct prom *p)
{
	if (p->openmetrics)
		fputs("# EOF\n", p->out);
}
