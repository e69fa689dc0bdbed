// SPDX-License-Identifier: GPL-2.0
/* [interval] [count] parsing: what libbpf-tools accept, and nothing else. */
#include "unit.h"
#include "opts.h"
#include "mmscope.h"

static int parse(unsigned int *interval, long *count, char *a, char *b)
{
	char *argv[] = { a, b, NULL };
	struct opts o = { .argc = !!a + !!b, .argv = argv };

	*interval = 0;
	*count = 0;
	return opt_interval(&o, 0, interval, count);
}

static void accepts_interval_and_count(void)
{
	unsigned int i;
	long c;

	CHECK(parse(&i, &c, "2", "5") == 0, "2 5 refused");
	CHECK(i == 2 && c == 5, "got %u %ld", i, c);
	CHECK(parse(&i, &c, "1", NULL) == 0 && i == 1 && c == 0, "1 alone");
	CHECK(parse(&i, &c, NULL, NULL) == 0 && i == 0 && c == 0, "no args");
	CHECK(parse(&i, &c, "86400", NULL) == 0 && i == 86400, "a day refused");
}

static void refuses_junk(void)
{
	unsigned int i;
	long c;

	CHECK(parse(&i, &c, "0", NULL) == EXIT_USAGE, "0 accepted");
	CHECK(parse(&i, &c, "-1", NULL) == EXIT_USAGE, "-1 accepted");
	CHECK(parse(&i, &c, "1s", NULL) == EXIT_USAGE, "1s accepted");
	CHECK(parse(&i, &c, "", NULL) == EXIT_USAGE, "empty accepted");
	CHECK(parse(&i, &c, "86401", NULL) == EXIT_USAGE, "more than a day accepted");
	CHECK(parse(&i, &c, "99999999999999999999", NULL) == EXIT_USAGE, "overflow accepted");
	CHECK(parse(&i, &c, "1", "x") == EXIT_USAGE, "count x accepted");
	CHECK(parse(&i, &c, "1", "0") == EXIT_USAGE, "count 0 accepted");
}

static void parse_num_messages(void)
{
	long long v = 7;

	CHECK(parse_num("-n N", "-3", 0, 10, &v) == EXIT_USAGE && v == 7, "-3 accepted");
	CHECK(parse_num("-n N", "10", 0, 10, &v) == 0 && v == 10, "10 refused");
	CHECK(parse_num("-n N", "0x1", 0, 10, &v) == EXIT_USAGE, "0x1 accepted");
}

int main(void)
{
	RUN(accepts_interval_and_count);
	RUN(refuses_junk);
	RUN(parse_num_messages);
	return unit_failed;
}
