// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope damon status: every kdamond as DAMON's sysfs files describe it.
 * Only kdamonds mmscope started, or one the user names, get the
 * update_tuned_intervals write that makes sample_us/aggr_us current: for
 * anyone else's that write would change files they may be watching.
 */
#include <stdio.h>
#include <string.h>
#include <json-c/json.h>

#include "damon_cli.h"
#include "interval.h"
#include "jsonl.h"
#include "mmscope.h"

static struct json_object *kd_status(int kd, bool refresh)
{
	static const char *const ul_files[][2] = {
		{ "sample_us", IVS "sample_us" }, { "aggr_us", IVS "aggr_us" },
		{ "update_us", IVS "update_us" }, { "access_bp", GOAL "access_bp" },
		{ "aggrs", GOAL "aggrs" }, { "min_sample_us", GOAL "min_sample_us" },
		{ "max_sample_us", GOAL "max_sample_us" },
		{ "min_nr_regions", ATTRS "nr_regions/min" },
		{ "max_nr_regions", ATTRS "nr_regions/max" },
	};
	struct json_object *o = json_object_new_object();
	char state[32] = "", ops[32] = "";
	unsigned long v, pid = 0;
	long own = damon_owned_pid(kd);
	size_t i;
	bool tuned = false;

	damon_read_str(kd, "state", state, sizeof(state));
	if (!strcmp(state, "on"))
		damon_read_ul(kd, "pid", &pid);
	if (refresh && !strcmp(state, "on"))
		tuned = damon_write_str(kd, "state", "update_tuned_intervals") == 0;
	json_object_object_add(o, "kdamond", json_object_new_int(kd));
	json_object_object_add(o, "owner", json_object_new_string(own ? "mmscope" : "other"));
	json_object_object_add(o, "state", json_object_new_string(state));
	json_object_object_add(o, "pid", json_object_new_int64(pid));
	damon_read_str(kd, CTX "operations", ops, sizeof(ops));
	json_object_object_add(o, "operations", json_object_new_string(ops));
	if (!strncmp(ops, "vaddr", 5) && damon_read_ul(kd, CTX "targets/0/pid_target", &v) == 0)
		json_object_object_add(o, "target_pid", json_object_new_int64(v));
	for (i = 0; i < sizeof(ul_files) / sizeof(ul_files[0]); i++)
		json_object_object_add(o, ul_files[i][0],
				       damon_read_ul(kd, ul_files[i][1], &v) ? NULL : json_object_new_int64(v));
	json_object_object_add(o, "tuned", json_object_new_boolean(tuned));
	return o;
}

static long jint(struct json_object *o, const char *k)
{
	struct json_object *v;

	return json_object_object_get_ex(o, k, &v) ? json_object_get_int64(v) : -1;
}

static const char *jstr(struct json_object *o, const char *k)
{
	struct json_object *v;

	return json_object_object_get_ex(o, k, &v) ? json_object_get_string(v) : "";
}

static void print_status(struct json_object *o)
{
	char a[32], b[32];

	printf("kdamond %ld (started by %s)\n", jint(o, "kdamond"),
	       strcmp(jstr(o, "owner"), "mmscope") ? "someone else" : "mmscope");
	printf("  state: %s\n", jstr(o, "state"));
	printf("  pid: %ld\n", jint(o, "pid"));
	printf("  operations: %s\n", jstr(o, "operations"));
	if (jint(o, "target_pid") > 0)
		printf("  target: pid %ld\n", jint(o, "target_pid"));
	if (jint(o, "aggrs") > 0)
		printf("  goal: %.2f%% (%ld bp) over %ld aggregations, sampling interval %s..%s\n",
		       jint(o, "access_bp") / 100.0, jint(o, "access_bp"), jint(o, "aggrs"),
		       damon_fmt_us(jint(o, "min_sample_us"), a, sizeof(a)),
		       damon_fmt_us(jint(o, "max_sample_us"), b, sizeof(b)));
	else
		printf("  goal: none (intervals_goal/aggrs is 0: tuning off)\n");
	printf("  sample_us: %ld (%s)\n", jint(o, "sample_us"),
	       json_object_get_boolean(json_object_object_get(o, "tuned")) ? "tuned, current" :
	       "as configured; tuned values are fetched only for mmscope's kdamonds or -k");
	printf("  aggr_us: %ld\n", jint(o, "aggr_us"));
	printf("  nr_regions: %ld..%ld\n", jint(o, "min_nr_regions"), jint(o, "max_nr_regions"));
}

int damon_cmd_status(const struct opts *o)
{
	struct json_object *root, *arr;
	bool json = o->set[OPT_JSON];
	int kd = -1, nr, i, err;

	err = damon_begin_kd_command(o, "read DAMON's sysfs files", &kd, &nr);
	if (err)
		return err;
	root = json_object_new_object();
	arr = json_object_new_array();
	for (i = 0; i < nr; i++) {
		if (kd >= 0 && i != kd)
			continue;
		json_object_array_add(arr, kd_status(i, kd == i || damon_owned_pid(i) > 0));
	}
	json_object_object_add(root, "kdamonds", arr);
	if (json) {
		jsonl_emit(root);
		return EXIT_OK;
	}
	if (!nr)
		printf("no kdamonds (nr_kdamonds is 0)\n");
	for (i = 0; i < (int)json_object_array_length(arr); i++)
		print_status(json_object_array_get_idx(arr, i));
	json_object_put(root);
	return EXIT_OK;
}
