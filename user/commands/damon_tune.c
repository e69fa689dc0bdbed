// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope damon tune: change the intervals goal of a running kdamond
 * online, by writing the four intervals_goal files and 'commit' to its
 * state file.  DAMON's commit takes the whole context from sysfs, so the
 * kdamond's other settings (which mmscope does not write) must already be
 * what it runs with; that holds for any kdamond driven through sysfs.
 * A refused commit leaves the kernel as it was, and the goal files are
 * written back so sysfs still describes what runs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "damon_cli.h"
#include "mmscope.h"

static const char *const goal_files[4] = {
	GOAL "access_bp", GOAL "aggrs", GOAL "min_sample_us", GOAL "max_sample_us",
};

static int pick_kdamond(int want)
{
	int nr = damon_nr_kdamonds(), i, found = -1;
	char state[16] = "";

	if (nr < 0) {
		errmsg("cannot read %s/nr_kdamonds", damon_sysfs_root);
		return -1;
	}
	if (want >= 0) {
		if (want >= nr) {
			errmsg("there is no kdamond %d (nr_kdamonds is %d)", want, nr);
			return -1;
		}
		damon_read_str(want, "state", state, sizeof(state));
		if (strcmp(state, "on")) {
			errmsg("kdamond %d is %s: a goal is committed to a running kdamond; "
			       "'mmscope damon start -k %d' starts one with a goal", want, state, want);
			return -1;
		}
		return want;
	}
	for (i = 0; i < nr; i++) {
		if (damon_owned_pid(i) <= 0)
			continue;
		if (found >= 0) {
			errmsg("kdamonds %d and %d were both started by mmscope: name one with -k", found, i);
			return -1;
		}
		found = i;
	}
	if (found < 0)
		errmsg("no running kdamond was started by mmscope: start one with 'mmscope damon start', "
		       "or name another's with -k IDX");
	return found;
}

/* The goal as it stands, and the intervals DAMON will check it against. */
static int read_setup(int kd, struct damon_setup *s, unsigned long old[4])
{
	const char *failed = NULL;
	int i;

	for (i = 0; i < 4; i++)
		if (!failed && damon_read_ul(kd, goal_files[i], &old[i]))
			failed = goal_files[i];
	if (!failed && damon_read_ul(kd, IVS "sample_us", &s->sample_us))
		failed = IVS "sample_us";
	if (!failed && damon_read_ul(kd, IVS "aggr_us", &s->aggr_us))
		failed = IVS "aggr_us";
	if (!failed && damon_read_ul(kd, IVS "update_us", &s->update_us))
		failed = IVS "update_us";
	if (!failed && damon_read_ul(kd, "contexts/0/monitoring_attrs/nr_regions/min", &s->min_nr_regions))
		failed = "nr_regions/min";
	if (!failed && damon_read_ul(kd, "contexts/0/monitoring_attrs/nr_regions/max", &s->max_nr_regions))
		failed = "nr_regions/max";
	if (failed) {
		errmsg("cannot read kdamond %d's %s: does it have one context (contexts/nr_contexts)?", kd, failed);
		return -1;
	}
	return 0;
}

/* Nothing takes effect before 'commit', so the order of the writes does not matter. */
static int write_goal(int kd, const unsigned long v[4], const char **failed)
{
	char buf[32];
	int i, err;

	for (i = 0; i < 4; i++) {
		snprintf(buf, sizeof(buf), "%lu", v[i]);
		err = damon_write_str(kd, goal_files[i], buf);
		if (err) {
			*failed = goal_files[i];
			return err;
		}
	}
	return 0;
}

int damon_cmd_tune(const struct opts *o)
{
	struct damon_setup s = { 0 };
	unsigned long old[4], want[4] = { 0 };
	const char *failed = NULL;
	char why[400];
	int kd = -1, err;
	bool off;

	if ((err = damon_opt_kd(o, &kd)))
		return err;
	off = o->argc == 1 && strcmp(o->argv[0], "off") == 0;
	if (!off && o->argc != 4) {
		errmsg("give the goal as four words, ACCESS_BP AGGRS MIN_SAMPLE MAX_SAMPLE (e.g. 4%% 3 5ms 10s), or 'off'");
		return EXIT_USAGE;
	}
	if (!off && damon_parse_goal(o->argv, &s, why, sizeof(why))) {
		errmsg("invalid goal: %s", why);
		return EXIT_USAGE;
	}
	if (require_root("change a kdamond's goal"))
		return EXIT_NOPRIV;
	if (!damon_available())
		return EXIT_NOFEATURE;
	kd = pick_kdamond(kd);
	if (kd < 0)
		return EXIT_FAIL;
	if (read_setup(kd, &s, old))
		return EXIT_FAIL;
	if (!off) {
		if (damon_validate(&s, why, sizeof(why))) {
			errmsg("invalid goal for kdamond %d: %s", kd, why);
			return EXIT_USAGE;
		}
		want[0] = s.access_bp;
		want[1] = s.aggrs;
		want[2] = s.min_sample_us;
		want[3] = s.max_sample_us;
	}

	err = write_goal(kd, want, &failed);
	if (!err) {
		err = damon_write_str(kd, "state", "commit");
		if (err)
			failed = "state (commit)";
	}
	if (err) {
		const char *ignored;

		write_goal(kd, old, &ignored);
		errmsg("writing kdamond %d's %s: %s; its goal files are back as they were%s", kd, failed,
		       strerror(-err), strcmp(failed, "state (commit)") ? "" :
		       " (DAMON refused the commit; 'dmesg' may say more)");
		return EXIT_FAIL;
	}
	if (off)
		printf("kdamond %d: intervals tuning off\n", kd);
	else
		printf("kdamond %d: goal %s %s %s %s committed\n", kd, o->argv[0],
		       o->argv[1], o->argv[2], o->argv[3]);
	return EXIT_OK;
}
