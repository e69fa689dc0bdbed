// SPDX-License-Identifier: GPL-2.0
/*
 * census-bounds: how the census behaves on a large machine, measured from
 * outside.  Prints key=value lines for t-big-census.sh:
 *
 *   scan_ms=          wall time of one open+read of the census file
 *   pfns_scanned=     what the file says it covered
 *   killed_during_scan=1|0   the reader was still in the scan when killed
 *   kill_latency_ms=  from SIGKILL to the reader being reaped, the least
 *                     of KILL_TRIES kills (kill_try_N_ms= each)
 *   max_gap_ms=       longest time a task on the scanning CPU went unrun
 *   reads=            censuses read while max_gap_ms was measured
 *   kmem_per_census_kb=  growth of kernel memory (slab, vmalloc, stacks,
 *                     page tables) over 50 censuses in a row, per census;
 *                     read in-process, so no fork adds to it
 *
 * usage: census-bounds CENSUS_FILE
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what)
{
	perror(what);
	exit(2);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void pin_to_cpu0(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("sched_setaffinity");
}

/* Reads the whole census; returns pfns_scanned. */
static unsigned long long read_census(const char *path)
{
	static char buf[1 << 16];
	unsigned long long pfns = 0;
	size_t len = 0;
	ssize_t n;
	char *p;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		die(path);
	while ((n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	if (n < 0)
		die("read census");
	close(fd);
	buf[len] = '\0';
	p = strstr(buf, "pfns_scanned: ");
	if (p)
		pfns = strtoull(p + strlen("pfns_scanned: "), NULL, 10);
	return pfns;
}

static void sleep_ms(double ms)
{
	struct timespec ts = { .tv_sec = (time_t)(ms / 1e3) };

	ts.tv_nsec = (long)((ms - ts.tv_sec * 1e3) * 1e6);
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/*
 * Kill a reader a third of the way into its scan, KILL_TRIES times: the
 * host descheduling a vCPU only ever adds to a latency, so the shortest
 * one is the module's.  killed_during_scan is that kill's.
 */
#define KILL_TRIES	3

static void measure_kill(const char *path, double scan_ms)
{
	double t0, latency, best = -1;
	int status, during, best_during = 0, i;
	pid_t pid;

	for (i = 0; i < KILL_TRIES; i++) {
		pid = fork();
		if (pid < 0)
			die("fork");
		if (!pid) {
			read_census(path);
			_exit(0);
		}
		sleep_ms(scan_ms / 3);
		during = waitpid(pid, &status, WNOHANG) == 0;
		t0 = now_ms();
		kill(pid, SIGKILL);
		if (waitpid(pid, &status, 0) != pid)
			die("waitpid");
		latency = now_ms() - t0;
		printf("kill_try_%d_ms=%.1f\n", i + 1, latency);
		if (best < 0 || latency < best) {
			best = latency;
			best_during = during;
		}
	}
	printf("killed_during_scan=%d\nkill_latency_ms=%.1f\n", best_during, best);
}

/*
 * A task on CPU 0 notes the longest time it went unrun while censuses are
 * read on the same CPU, in memory it shares with us.
 */
static void measure_gap(const char *path, double scan_ms)
{
	volatile double *max_gap;
	int reads = 0, status;
	double start;
	pid_t pid;

	max_gap = mmap(NULL, sizeof(*max_gap), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (max_gap == MAP_FAILED)
		die("mmap");
	*max_gap = 0;
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid) {
		double last, t;

		pin_to_cpu0();
		last = now_ms();
		for (;;) {
			t = now_ms();
			if (t - last > *max_gap)
				*max_gap = t - last;
			last = t;
		}
	}
	pin_to_cpu0();
	start = now_ms();
	do {
		read_census(path);
		reads++;
	} while (now_ms() - start < 1000 || now_ms() - start < 3 * scan_ms);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	printf("max_gap_ms=%.1f\nreads=%d\n", *max_gap, reads);
}

/* Slab + VmallocUsed + KernelStack + PageTables, in kB. */
static long kernel_memory_kb(void)
{
	static const char *const keys[] = { "Slab:", "VmallocUsed:", "KernelStack:", "PageTables:" };
	char line[128];
	long sum = 0, kb;
	size_t i;
	FILE *f = fopen("/proc/meminfo", "re");

	if (!f)
		die("/proc/meminfo");
	while (fgets(line, sizeof(line), f))
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (!strncmp(line, keys[i], strlen(keys[i])) &&
			    sscanf(line + strlen(keys[i]), "%ld", &kb) == 1)
				sum += kb;
	fclose(f);
	return sum;
}

static void measure_memory(const char *path)
{
	long before = kernel_memory_kb();
	int i;

	for (i = 0; i < 50; i++)
		read_census(path);
	printf("kmem_per_census_kb=%.1f\n", (kernel_memory_kb() - before) / 50.0);
}

int main(int argc, char **argv)
{
	unsigned long long pfns;
	double t0, scan_ms;

	if (argc != 2) {
		fprintf(stderr, "usage: census-bounds CENSUS_FILE\n");
		return 2;
	}
	read_census(argv[1]);	/* warm: the first open faults in the module */
	t0 = now_ms();
	pfns = read_census(argv[1]);
	scan_ms = now_ms() - t0;
	printf("scan_ms=%.1f\npfns_scanned=%llu\n", scan_ms, pfns);
	fflush(stdout);
	measure_kill(argv[1], scan_ms);
	fflush(stdout);
	measure_gap(argv[1], scan_ms);
	fflush(stdout);
	measure_memory(argv[1]);
	return 0;
}
