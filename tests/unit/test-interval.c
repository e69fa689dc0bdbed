// SPDX-License-Identifier: GPL-2.0
/* [interval] [count] parsing: what libbpf-tools accept, and nothing else. */
#include "unit.h"
#include "interval.h"
#include "mmscope.h"

static int parse(struct interval_opts *o, char *a, char *b)
{
	char *argv[] = { "cmd", a, b, NULL };
	int argc = 1 + !!a + !!b;

	*o = (struct interval_opts){ 0 };
	return interval_parse(argc, argv, 1, o);
}

static void accepts_interval_and_count(void)
{
	struct interval_opts o;

	CHECK(parse(&o, "2", "5") == 0, "2 5 refused");
	CHECK(o.interval == 2 && o.count == 5, "got %u %ld", o.interval, o.count);
	CHECK(parse(&o, "1", NULL) == 0 && o.interval == 1 && o.count == 0, "1 alone");
	CHECK(parse(&o, NULL, NULL) == 0 && o.interval == 0, "no args");
}

static void refuses_junk(void)
{
	struct interval_opts o;

	CHECK(parse(&o, "0", NULL) == EXIT_USAGE, "0 accepted");
	CHECK(parse(&o, "-1", NULL) == EXIT_USAGE, "-1 accepted");
	CHECK(parse(&o, "1s", NULL) == EXIT_USAGE, "1s accepted");
	CHECK(parse(&o, "", NULL) == EXIT_USAGE, "empty accepted");
	CHECK(parse(&o, "99999999999999999999", NULL) == EXIT_USAGE, "overflow accepted");
	CHECK(parse(&o, "1", "x") == EXIT_USAGE, "count x accepted");
}

int main(void)
{
	RUN(accepts_interval_and_count);
	RUN(refuses_junk);
	return unit_failed;
}
