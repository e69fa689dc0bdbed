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
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <json-c/json.h>

#include "damon_cli.h"
#include "mmscope.h"
#include "interval.h"

const char *damon_sysfs_root = DAMON_ADMIN;

#define CTX "contexts/0/"
#define ATTRS CTX "monitoring_attrs/"
#define IVS ATTRS "intervals/"
#define GOAL IVS "intervals_goal/"

static void kd_path(char *buf, size_t len, int kd, const char *rel)
{
	if (kd < 0)
		snprintf(buf, len, "%s/%s", damon_sysfs_root, rel);
	else
		snprintf(buf, len, "%s/%d/%s", damon_sysfs_root, kd, rel);
}

int damon_read_str(int kd, const char *rel, char *buf, size_t len)
{
	char path[512];
	int n;

	kd_path(path, sizeof(path), kd, rel);
	n = read_file(path, buf, len);
	if (n < 0)
		return n;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

int damon_read_ul(int kd, const char *rel, unsigned long *v)
{
	char buf[64], *end;
	int err = damon_read_str(kd, rel, buf, sizeof(buf));

	if (err)
		return err;
	*v = strtoul(buf, &end, 10);
	return end == buf ? -EINVAL : 0;
}

int damon_write_str(int kd, const char *rel, const char *val)
{
	char path[512];
	ssize_t n;
	int fd;

	kd_path(path, sizeof(path), kd, rel);
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

int damon_nr_kdamonds(void)
{
	unsigned long n;

	if (damon_read_ul(-1, "nr_kdamonds", &n))
		return -1;
	return n;
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

static void start_usage(FILE *out)
{
	fprintf(out,
		"usage: mmscope damon start (-p PID | --paddr) [options] ACCESS_BP AGGRS MIN_SAMPLE MAX_SAMPLE\n"
		"\n"
		"Start a kdamond with intervals auto-tuning toward a goal: the ratio of\n"
		"observed access samples to the maximum possible, measured over AGGRS\n"
		"aggregations, with the sampling interval kept within [MIN_SAMPLE, MAX_SAMPLE].\n"
		"ACCESS_BP: 4%%, 0.5%% or basis points (400, 400bp).  Intervals: us, ms, s, min\n"
		"(a bare number is microseconds).  The goal is checked against DAMON's rules\n"
		"before anything is written.\n"
		"\n"
		"  -p, --pid PID          monitor this process (vaddr)\n"
		"  -P, --paddr            monitor physical memory (paddr)\n"
		"  -r, --region S-E       paddr range (hex); default: the largest System RAM\n"
		"  -s, --sample INTERVAL  initial sampling interval (5ms, clamped into the bounds)\n"
		"  -a, --aggr INTERVAL    aggregation interval (20 x sample); aggr/sample is\n"
		"                         the samples per aggregation the tuner keeps\n"
		"  -u, --update INTERVAL  operations update interval (1s)\n"
		"  -n, --regions MIN,MAX  number of regions (10,1000)\n"
		"  -k, --kdamond IDX      use this existing, stopped kdamond even if mmscope\n"
		"                         did not create it (its settings are overwritten)\n"
		"\n"
		"examples:\n"
		"  mmscope damon start -p 1234 4%% 3 5ms 10s\n"
		"  mmscope damon start --paddr -s 10ms -a 200ms 400bp 4 1ms 100ms\n");
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

int damon_cmd_start(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "paddr", no_argument, NULL, 'P' },
		{ "region", required_argument, NULL, 'r' },
		{ "sample", required_argument, NULL, 's' },
		{ "aggr", required_argument, NULL, 'a' },
		{ "update", required_argument, NULL, 'u' },
		{ "regions", required_argument, NULL, 'n' },
		{ "kdamond", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct damon_setup s = { 0 };
	unsigned long rstart = 0, rend = 0, pid = 0;
	bool paddr = false, created;
	int c, kd = -1, err;
	char why[400], buf[64], path[512];
	const char *failed = NULL;

	while ((c = getopt_long(argc, argv, "p:Pr:s:a:u:n:k:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (damon_parse_count(optarg, &pid, why, sizeof(why)) || !pid) {
				errmsg("-p: '%s' is not a process id", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'P':
			paddr = true;
			break;
		case 'r':
			if (sscanf(optarg, "%lx-%lx", &rstart, &rend) != 2 || rend <= rstart) {
				errmsg("-r: '%s' is not START-END in hex with START < END", optarg);
				return EXIT_USAGE;
			}
			break;
		case 's': case 'a': case 'u':
			if (damon_parse_us(optarg, c == 's' ? &s.sample_us : c == 'a' ? &s.aggr_us : &s.update_us,
					   why, sizeof(why))) {
				errmsg("-%c: %s", c, why);
				return EXIT_USAGE;
			}
			if (!(c == 's' ? s.sample_us : c == 'a' ? s.aggr_us : s.update_us)) {
				errmsg("-%c: the interval must not be 0", c);
				return EXIT_USAGE;
			}
			break;
		case 'n':
			if (sscanf(optarg, "%lu,%lu", &s.min_nr_regions, &s.max_nr_regions) != 2) {
				errmsg("-n: '%s' is not MIN,MAX", optarg);
				return EXIT_USAGE;
			}
			if (!s.min_nr_regions || !s.max_nr_regions) {
				errmsg("-n: DAMON requires nr_regions/min >= 3 and max >= min");
				return EXIT_USAGE;
			}
			break;
		case 'k':
			if (damon_parse_kd_arg(optarg, &kd))
				return EXIT_USAGE;
			break;
		case 'h':
			start_usage(stdout);
			return EXIT_OK;
		default:
			start_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 4) {
		errmsg("the goal is four words: ACCESS_BP AGGRS MIN_SAMPLE MAX_SAMPLE (e.g. 4%% 3 5ms 10s)");
		return EXIT_USAGE;
	}
	if (!!pid == paddr) {
		errmsg("give exactly one of -p PID (vaddr) and --paddr");
		return EXIT_USAGE;
	}
	if (damon_parse_goal(argv + optind, &s, why, sizeof(why))) {
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
		errmsg("cannot find System RAM in /proc/iomem (%s); give -r START-END", strerror(-err));
		return EXIT_FAIL;
	}
	kd = choose_kdamond(kd, &created);
	if (kd < 0)
		return EXIT_FAIL;

	if (created && (err = damon_write_str(-1, "nr_kdamonds", "1"))) {
		errmsg("writing nr_kdamonds: %s", strerror(-err));
		return EXIT_FAIL;
	}
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
	if (failed) {
		errmsg("writing kdamond %d's %s: %s%s", kd, failed, strerror(-err),
		       strcmp(failed, "state") ? "" :
		       " (DAMON refused the configuration; 'dmesg' may say more)");
		if (created)
			damon_write_str(-1, "nr_kdamonds", "0");
		return EXIT_FAIL;
	}
	if (damon_read_str(kd, "pid", buf, sizeof(buf)) == 0) {
		FILE *f;

		mkdir_p(damon_run_dir());
		owner_path(path, sizeof(path), kd);
		f = fopen(path, "w");
		if (!f) {
			errmsg("kdamond %d started, but %s cannot be written (%s): "
			       "mmscope will not recognise it as its own", kd, path, strerror(errno));
		} else {
			fprintf(f, "pid=%s\nops=%s\ntarget=%lu\n", buf, paddr ? "paddr" : "vaddr", pid);
			fclose(f);
		}
		printf("kdamond %d started (pid %s), %s, goal %s %s %s %s\n", kd, buf,
		       paddr ? "paddr" : "vaddr", argv[optind], argv[optind + 1],
		       argv[optind + 2], argv[optind + 3]);
	}
	return EXIT_OK;
}

/* -k IDX and -j; -1 after printing help, else 0 or EXIT_USAGE. */
static int parse_kd_opt(int argc, char **argv, const char *optstr, int *kd, bool *json,
			void (*usage)(FILE *))
{
	static const struct option longopts[] = {
		{ "kdamond", required_argument, NULL, 'k' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, optstr, longopts, NULL)) != -1) {
		switch (c) {
		case 'k':
			if (damon_parse_kd_arg(optarg, kd))
				return EXIT_USAGE;
			break;
		case 'j':
			*json = true;
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	return 0;
}

int damon_begin_kd_command(int argc, char **argv, const char *optstr, void (*usage)(FILE *),
			   const char *root_for, int *kd, bool *json, int *nr)
{
	int err;

	err = parse_kd_opt(argc, argv, optstr, kd, json, usage);
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

static void stop_usage(FILE *out)
{
	fprintf(out,
		"usage: mmscope damon stop [-k IDX]\n"
		"\n"
		"Stop the kdamonds mmscope started, or kdamond IDX whoever started it.\n"
		"\n"
		"examples:\n"
		"  mmscope damon stop\n"
		"  mmscope damon stop -k 1\n");
}

int damon_cmd_stop(int argc, char **argv)
{
	int kd = -1, nr, i, err, stopped = 0;
	bool json = false;

	err = damon_begin_kd_command(argc, argv, "k:h", stop_usage, "stop a kdamond",
				     &kd, &json, &nr);
	if (err)
		return err < 0 ? EXIT_OK : err;
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
