// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope damon start|stop|status: a kdamond driven through DAMON's sysfs
 * ABI.  Writing nr_kdamonds rebuilds every kdamond directory (and fails
 * with EBUSY while any kdamond runs; mm/damon/sysfs.c), so mmscope only
 * creates the first kdamond itself; any other kdamond is used only when the
 * user names its index.  What mmscope started is remembered in
 * $MMSCOPE_RUN_DIR (/run/mmscope) with the kdamond's pid, so a kdamond
 * restarted by someone else is not mistaken for ours; the file outlives
 * `stop`, so mmscope can reuse its stopped directory next time.
 */
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <json-c/json.h>

#include "damon_cli.h"
#include "restore.h"
#include "mmscope.h"
#include "interval.h"

int damon_write_str(int kd, const char *rel, const char *val)
{
	char path[512];
	ssize_t n;
	int fd;

	damon_kd_path(path, sizeof(path), kd, rel);
	verbose("write %s < %s", path, val);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n < 0)
		n = -errno;
	close(fd);
	return n < 0 ? (int)n : 0;
}

static int kd_write_ul(int kd, const char *rel, unsigned long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lu", v);
	return damon_write_str(kd, rel, buf);
}

int damon_parse_kd_arg(const char *s, int *kd)
{
	unsigned long v;
	char why[128];

	if (damon_parse_count(s, &v, why, sizeof(why))) {
		errmsg("-k: %s", why);
		return EXIT_USAGE;
	}
	*kd = v;
	return 0;
}

const char *damon_run_dir(void)
{
	const char *d = getenv("MMSCOPE_RUN_DIR");

	return d && *d ? d : DAMON_RUN_DIR_DEFAULT;
}

static void mkdir_p(const char *dir)
{
	char buf[512], *p;

	snprintf(buf, sizeof(buf), "%s", dir);
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(buf, 0755);
		*p = '/';
	}
	mkdir(buf, 0700);
}

static void owner_path(char *buf, size_t len, int kd)
{
	snprintf(buf, len, "%s/damon-kdamond.%d", damon_run_dir(), kd);
}

/* The pid recorded when mmscope started kdamond kd, if it still runs as that. */
long damon_owned_pid(int kd)
{
	char path[512], buf[256], state[16], *p;
	unsigned long pid;
	long want;

	owner_path(path, sizeof(path), kd);
	if (read_file(path, buf, sizeof(buf)) <= 0)
		return 0;
	p = strstr(buf, "pid=");
	if (!p)
		return 0;
	want = strtol(p + 4, NULL, 10);
	if (damon_read_str(kd, "state", state, sizeof(state)) || strcmp(state, "on"))
		return -want;	/* ours, but stopped since */
	if (damon_read_ul(kd, "pid", &pid) || (long)pid != want) {
		/* Someone restarted it since: the directory is theirs now. */
		unlink(path);
		return 0;
	}
	return want;
}

bool damon_available(void)
{
	if (access(damon_sysfs_root, F_OK) == 0)
		return true;
	errmsg("no DAMON sysfs interface at %s: the kernel needs CONFIG_DAMON_SYSFS=y", damon_sysfs_root);
	return false;
}

/* The largest "System RAM" range of /proc/iomem, as damo picks for paddr. */
static int biggest_ram(unsigned long *start, unsigned long *end)
{
	FILE *f = fopen("/proc/iomem", "r");
	char line[256];
	unsigned long s, e, best = 0;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == ' ' || !strstr(line, ": System RAM"))
			continue;
		if (sscanf(line, "%lx-%lx", &s, &e) != 2 || e <= s)
			continue;
		if (e - s > best) {
			best = e - s;
			*start = s;
			*end = e + 1;
		}
	}
	fclose(f);
	return best ? 0 : -ENOENT;
}

static int choose_kdamond(int want, bool *created)
{
	int nr = damon_nr_kdamonds(), i;
	char state[16];

	*created = false;
	if (nr < 0) {
		errmsg("cannot read %s/nr_kdamonds", damon_sysfs_root);
		return -1;
	}
	if (want >= 0) {
		if (want >= nr) {
			errmsg("there is no kdamond %d (nr_kdamonds is %d)", want, nr);
			return -1;
		}
		if (damon_read_str(want, "state", state, sizeof(state)) == 0 && strcmp(state, "off")) {
			errmsg("kdamond %d is %s: stop it first ('mmscope damon stop -k %d')", want, state, want);
			return -1;
		}
		return want;
	}
	if (nr == 0) {
		*created = true;
		return 0;
	}
	for (i = 0; i < nr; i++) {
		if (damon_owned_pid(i) < 0)
			return i;	/* ours, stopped: reuse it */
		if (damon_owned_pid(i) > 0) {
			errmsg("kdamond %d, started by mmscope, is still running: 'mmscope damon stop' first", i);
			return -1;
		}
	}
	errmsg("%d kdamond(s) exist that mmscope did not start; adding one means writing nr_kdamonds, "
	       "which rebuilds every kdamond directory (and fails while any runs). "
	       "Name a stopped kdamond to reuse with -k IDX", nr);
	return -1;
}

/* An interval option (--sample, --aggr, --update): not 0. */
static int opt_us(const struct opts *o, enum opt_id id, unsigned long *us)
{
	char why[400];

	if (!o->set[id])
		return 0;
	if (damon_parse_us(o->arg[id], us, why, sizeof(why))) {
		errmsg("--%s: %s", opt_defs[id].name, why);
		return EXIT_USAGE;
	}
	if (!*us) {
		errmsg("--%s: the interval must not be 0", opt_defs[id].name);
		return EXIT_USAGE;
	}
	return 0;
}

static int start_opts(const struct opts *o, struct damon_setup *s, unsigned long *pid,
		      unsigned long *rstart, unsigned long *rend, int *kd)
{
	long long v;
	int err;

	if ((err = opt_num(o, OPT_PID, 1, 4194304, &v)))
		return err;
	*pid = o->set[OPT_PID] ? (unsigned long)v : 0;
	if (o->set[OPT_REGION] && (sscanf(o->arg[OPT_REGION], "%lx-%lx", rstart, rend) != 2 ||
				   *rend <= *rstart)) {
		errmsg("--region: '%s' is not START-END in hex with START < END", o->arg[OPT_REGION]);
		return EXIT_USAGE;
	}
	if ((err = opt_us(o, OPT_SAMPLE, &s->sample_us)) || (err = opt_us(o, OPT_AGGR, &s->aggr_us)) ||
	    (err = opt_us(o, OPT_UPDATE, &s->update_us)))
		return err;
	if (o->set[OPT_REGIONS]) {
		if (sscanf(o->arg[OPT_REGIONS], "%lu,%lu", &s->min_nr_regions, &s->max_nr_regions) != 2) {
			errmsg("--regions: '%s' is not MIN,MAX", o->arg[OPT_REGIONS]);
			return EXIT_USAGE;
		}
		if (!s->min_nr_regions || !s->max_nr_regions) {
			errmsg("--regions: DAMON requires nr_regions/min >= 3 and max >= min");
			return EXIT_USAGE;
		}
	}
	return damon_opt_kd(o, kd);
}

/*
 * Undone by a signal that comes while `damon start` writes (restore.h):
 * the kdamond it was starting is turned off, and the kdamond directory it
 * added is removed again.  Paths are made before, the handler only writes.
 */
static char undo_state[512], undo_nr[512];
static volatile sig_atomic_t undo_created;

static void write_safe(const char *path, const char *val, size_t n)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (write(fd, val, n) < 0) {
			/* Nothing more a signal handler can do. */
		}
		close(fd);
	}
}

static void start_undo(void)
{
	write_safe(undo_state, "off", 3);
	if (undo_created)
		write_safe(undo_nr, "0", 1);
}

/* The kdamond's files, in DAMON's order; the file a write failed on, or NULL. */
static const char *start_write(int kd, const struct damon_setup *sp, bool paddr, unsigned long pid,
			       unsigned long rstart, unsigned long rend, int *errp)
{
	const struct damon_setup s = *sp;
	const char *failed = NULL;
	int err = 0;

#define W(rel, val) do { if (!failed && (err = damon_write_str(kd, rel, val))) failed = rel; } while (0)
#define WU(rel, val) do { if (!failed && (err = kd_write_ul(kd, rel, val))) failed = rel; } while (0)
	W("contexts/nr_contexts", "1");
	W(CTX "operations", paddr ? "paddr" : "vaddr");
	WU(IVS "sample_us", s.sample_us);
	WU(IVS "aggr_us", s.aggr_us);
	WU(IVS "update_us", s.update_us);
	WU(GOAL "access_bp", s.access_bp);
	WU(GOAL "aggrs", s.aggrs);
	WU(GOAL "min_sample_us", s.min_sample_us);
	WU(GOAL "max_sample_us", s.max_sample_us);
	WU(ATTRS "nr_regions/max", s.max_nr_regions);
	WU(ATTRS "nr_regions/min", s.min_nr_regions);
	W(CTX "schemes/nr_schemes", "0");
	W(CTX "targets/nr_targets", "0");
	W(CTX "targets/nr_targets", "1");
	if (paddr) {
		W(CTX "targets/0/regions/nr_regions", "1");
		WU(CTX "targets/0/regions/0/start", rstart);
		WU(CTX "targets/0/regions/0/end", rend);
	} else {
		WU(CTX "targets/0/pid_target", pid);
	}
	W("state", "on");
#undef W
#undef WU
	*errp = err;
	return failed;
}

/* /run/mmscope/damon-kdamond.N: what mmscope started, for stop and status. */
static void save_owner(int kd, const char *kpid, bool paddr, unsigned long pid)
{
	char path[512];
	FILE *f;

	mkdir_p(damon_run_dir());
	owner_path(path, sizeof(path), kd);
	f = fopen(path, "w");
	if (!f) {
		errmsg("kdamond %d started, but %s cannot be written (%s): "
		       "mmscope will not recognise it as its own", kd, path, strerror(errno));
		return;
	}
	fprintf(f, "pid=%s\nops=%s\ntarget=%lu\n", kpid, paddr ? "paddr" : "vaddr", pid);
	fclose(f);
}

int damon_cmd_start(const struct opts *o)
{
	struct damon_setup s = { 0 };
	unsigned long rstart = 0, rend = 0, pid = 0;
	bool paddr = o->set[OPT_PADDR], created;
	int kd = -1, err;
	char why[400], buf[64], path[512];
	const char *failed = NULL;

	err = start_opts(o, &s, &pid, &rstart, &rend, &kd);
	if (err)
		return err;
	if (o->argc != 4) {
		errmsg("the goal is four words: ACCESS_BP AGGRS MIN_SAMPLE MAX_SAMPLE (e.g. 4%% 3 5ms 10s)");
		return EXIT_USAGE;
	}
	if (!!pid == paddr) {
		errmsg("give exactly one of -p PID (vaddr) and --paddr");
		return EXIT_USAGE;
	}
	if (damon_parse_goal(o->argv, &s, why, sizeof(why))) {
		errmsg("invalid goal: %s", why);
		return EXIT_USAGE;
	}
	damon_setup_defaults(&s);
	if (damon_validate(&s, why, sizeof(why))) {
		errmsg("invalid goal: %s", why);
		return EXIT_USAGE;
	}
	if (require_root("start a kdamond"))
		return EXIT_NOPRIV;
	if (!damon_available())
		return EXIT_NOFEATURE;
	if (pid) {
		snprintf(path, sizeof(path), "/proc/%lu", pid);
		if (access(path, F_OK)) {
			errmsg("no process %lu", pid);
			return EXIT_USAGE;
		}
	}
	if (paddr && !rend && (err = biggest_ram(&rstart, &rend))) {
		errmsg("cannot find System RAM in /proc/iomem (%s); give --region START-END", strerror(-err));
		return EXIT_FAIL;
	}
	kd = choose_kdamond(kd, &created);
	if (kd < 0)
		return EXIT_FAIL;
	damon_kd_path(undo_state, sizeof(undo_state), kd, "state");
	damon_kd_path(undo_nr, sizeof(undo_nr), -1, "nr_kdamonds");
	undo_created = created;
	restore_on_signal(start_undo);

	if (created && (err = damon_write_str(-1, "nr_kdamonds", "1"))) {
		errmsg("writing nr_kdamonds: %s", strerror(-err));
		return EXIT_FAIL;
	}
	failed = start_write(kd, &s, paddr, pid, rstart, rend, &err);
	if (failed) {
		errmsg("writing kdamond %d's %s: %s%s", kd, failed, strerror(-err),
		       strcmp(failed, "state") ? "" :
		       " (DAMON refused the configuration; 'dmesg' may say more)");
		if (created)
			damon_write_str(-1, "nr_kdamonds", "0");
		restore_done();
		return EXIT_FAIL;
	}
	/* Started: from here on it is the user's, until 'damon stop'. */
	restore_done();
	if (damon_read_str(kd, "pid", buf, sizeof(buf)) == 0) {
		save_owner(kd, buf, paddr, pid);
		printf("kdamond %d started (pid %s), %s, goal %s %s %s %s\n", kd, buf,
		       paddr ? "paddr" : "vaddr", o->argv[0], o->argv[1], o->argv[2], o->argv[3]);
	}
	return EXIT_OK;
}

int damon_opt_kd(const struct opts *o, int *kd)
{
	return o->set[OPT_KDAMOND] ? damon_parse_kd_arg(o->arg[OPT_KDAMOND], kd) : 0;
}

int damon_begin_kd_command(const struct opts *o, const char *root_for, int *kd, int *nr)
{
	int err;

	if (o->argc) {
		errmsg("unexpected argument '%s'; see 'mmscope %s -h'", o->argv[0], cmd_path());
		return EXIT_USAGE;
	}
	err = damon_opt_kd(o, kd);
	if (err)
		return err;
	if (require_root(root_for))
		return EXIT_NOPRIV;
	if (!damon_available())
		return EXIT_NOFEATURE;
	*nr = damon_nr_kdamonds();
	if (*kd >= *nr) {
		errmsg("there is no kdamond %d (nr_kdamonds is %d)", *kd, *nr);
		return EXIT_USAGE;
	}
	return 0;
}

int damon_cmd_stop(const struct opts *o)
{
	int kd = -1, nr, i, err, stopped = 0;

	err = damon_begin_kd_command(o, "stop a kdamond", &kd, &nr);
	if (err)
		return err;
	for (i = 0; i < nr; i++) {
		long own = damon_owned_pid(i);

		if (kd >= 0 ? i != kd : own <= 0)
			continue;
		{
			char state[16] = "";

			damon_read_str(i, "state", state, sizeof(state));
			if (strcmp(state, "off")) {
				err = damon_write_str(i, "state", "off");
				if (err) {
					errmsg("stopping kdamond %d: %s", i, strerror(-err));
					return EXIT_FAIL;
				}
				printf("kdamond %d stopped\n", i);
				stopped++;
			}
		}
		/*
		 * The ownership file stays: the stopped directory is still
		 * ours to reuse, until someone else starts it.
		 */
	}
	if (!stopped) {
		if (kd >= 0)
			errmsg("kdamond %d was not running", kd);
		else
			errmsg("no running kdamond was started by mmscope");
		return EXIT_FAIL;
	}
	return EXIT_OK;
}
