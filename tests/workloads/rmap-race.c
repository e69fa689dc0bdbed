// SPDX-License-Identifier: GPL-2.0
/*
 * rmap-race: many processes change the rmap state of THPs and mTHPs as fast
 * as they can, while a prober asks mmscope's mmid/pfn file about exactly
 * those folios.  For the race test against the module's lockless MM-ID
 * reads (tests/vm/t-reliability-rmap-race.sh).
 *
 * Each worker loops over: map a 4 MiB THP region and a 1 MiB region
 * (64 KiB mTHPs where enabled: no 2 MiB fits), fault both in, fork a child
 * (which CoW-writes a page of every folio, partially unmaps with
 * MADV_DONTNEED and on every other round forks a third MM that writes
 * too), then in the parent: mprotect() a page in the middle of a THP and
 * back (a PMD split), MADV_DONTNEED partial ranges of a THP and an mTHP
 * (deferred splits), on some rounds split the folios through
 * debugfs split_huge_pages or collapse them again with MADV_COLLAPSE,
 * reap the child and unmap everything.  Every step, and every 64 KiB
 * faulted in or page CoW-written, counts as one op in the worker's
 * counter (a child counts for its worker).  There is no compaction here:
 * a migration makes every process touching the folio wait on a migration
 * entry, for seconds under TCG when a census reference makes it retry
 * (t-reliability-races.sh covers compaction).
 *
 * The prober reads the workers' PFNs from /proc/PID/pagemap and asks
 * mmid/pfn about them; every answer must be for the PFN asked, name a known
 * state and, for a large folio, contain the PFN (head_pfn <= pfn <
 * head_pfn + nr_pages, nr_pages == 1 << order) and say "approximate: yes"
 * or "no".  EAGAIN is allowed; any other refusal is a failure.  It also
 * asks mmid/task about every worker.
 *
 * Once a second the parent prints
 *   beat SEC total=N min=N probes=N pulse=N [wN:STEP ...]
 * total: ops of all workers in that second, min: ops of the slowest worker
 * in that second, pulse: 10 ms sleeps that ended in it (about 100 while
 * the guest gets CPU time; see pulse()), then each worker that made no
 * progress in the second and the step it is in.  At the end:
 *   rmap-race: seconds=S workers=W ops=N probes=N eagain=N approximate=N
 *   busy=N free=N small=N order4=N order9=N large=N stalls=N longest_stall=S
 * stalls: worker-seconds without progress.  Exits 1 on a wrong answer or a
 * failed step, 2 on bad usage or setup.
 *
 * usage: rmap-race SECONDS WORKERS PFN_FILE TASK_FILE
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE	0x100000
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE		25
#endif

#define PAGE			4096UL
#define THP_SIZE		(2UL << 20)
#define THP_LEN			(2 * THP_SIZE)
#define MTHP_LEN		(1UL << 20)
#define MAX_WORKERS		16
/* Each worker's regions at fixed places, so the prober knows them. */
#define REGION_BASE		0x600000000000UL
#define REGION_STRIDE		(1UL << 30)
#define THP_ADDR(w)		(REGION_BASE + (w) * REGION_STRIDE)
#define MTHP_ADDR(w)		(THP_ADDR(w) + 4 * THP_SIZE)
/* The prober asks about every this-many-th present page. */
#define PROBE_STRIDE		13
#define SPLIT_FILE		"/sys/kernel/debug/split_huge_pages"

struct shared {
	volatile unsigned long ops[MAX_WORKERS];
	volatile int step[MAX_WORKERS];		/* what each is doing now */
	volatile int pids[MAX_WORKERS];
	volatile unsigned long probes, eagain, approximate, busy, free, small;
	volatile unsigned long order4, order9, large;
	volatile unsigned long pulse;	/* 10 ms sleeps that ended */
	volatile int stop;
	volatile int failed;
	char why[512];
};

static struct shared *sh;

static void failf(const char *fmt, ...)
{
	va_list ap;

	if (__sync_lock_test_and_set(&sh->failed, 1))
		return;
	va_start(ap, fmt);
	vsnprintf(sh->why, sizeof(sh->why), fmt, ap);
	va_end(ap);
}

static void tick(int w)
{
	__sync_fetch_and_add(&sh->ops[w], 1);
}

/* Names what a worker does next, for the heartbeat of a worker that waits. */
enum step {
	S_MAP, S_FAULT, S_FORK, S_MPROTECT, S_DONTNEED, S_SPLIT, S_COLLAPSE,
	S_WAIT, S_UNMAP, NR_STEPS,
};
static const char *const step_names[NR_STEPS] = {
	"map", "fault", "fork", "mprotect", "dontneed", "split", "collapse",
	"wait", "unmap",
};

static void step(int w, enum step s)
{
	sh->step[w] = s;
}

/* Faults in @len bytes, one op per 64 KiB: a fault is an rmap operation. */
static void fault_in(int w, char *p, size_t len, int c)
{
	size_t off;

	for (off = 0; off < len; off += 16 * PAGE) {
		memset(p + off, c, 16 * PAGE);
		tick(w);
	}
}

/* A step the kernel must not refuse. */
static void must(int w, int ok, const char *what)
{
	if (!ok) {
		failf("worker %d: %s: %s", w, what, strerror(errno));
		_exit(1);
	}
	tick(w);
}

static char *map_at(unsigned long addr, size_t len)
{
	char *p = mmap((void *)addr, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	if (p != (char *)addr) {
		munmap(p, len);
		errno = EEXIST;
		return NULL;
	}
	madvise(p, len, MADV_HUGEPAGE);
	return p;
}

static void split_range(unsigned long start, unsigned long end)
{
	char cmd[96];
	int fd = open(SPLIT_FILE, O_WRONLY);
	int len;

	if (fd < 0)
		return;
	len = snprintf(cmd, sizeof(cmd), "%d,0x%lx,0x%lx", getpid(), start, end);
	/* EINVAL/EBUSY when nothing in the range can be split: fine. */
	if (write(fd, cmd, len) < 0 && errno != EINVAL && errno != EBUSY)
		perror(SPLIT_FILE);
	close(fd);
}

static void child_round(int w, char *thp, char *mthp, unsigned long round)
{
	unsigned long off;
	pid_t gc;

	/* CoW: one page in every THP and every 64 KiB. */
	for (off = 0; off < THP_LEN; off += THP_SIZE) {
		thp[off + 5 * PAGE] = 1;
		tick(w);
	}
	for (off = 0; off < MTHP_LEN; off += 16 * PAGE) {
		mthp[off + PAGE] = 1;
		tick(w);
	}
	must(w, !madvise(thp + THP_SIZE + 16 * PAGE, 32 * PAGE, MADV_DONTNEED),
	     "child MADV_DONTNEED");
	if (round & 1) {
		/* A third MM: both slots of the parent's folios are taken. */
		gc = fork();
		if (gc == 0) {
			for (off = 0; off < THP_LEN; off += THP_SIZE)
				thp[off + 9 * PAGE] = 2;
			mthp[3 * PAGE] = 2;
			tick(w);
			_exit(0);
		}
		must(w, gc > 0, "fork of a third MM");
		must(w, waitpid(gc, NULL, 0) == gc, "waitpid of a third MM");
	}
	usleep((round * 7919) % 3000);
	_exit(0);
}

static void worker(int w)
{
	unsigned long round;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (round = 0; !sh->stop; round++) {
		char *thp, *mthp;
		pid_t child;
		int status;

		step(w, S_MAP);
		thp = map_at(THP_ADDR(w), THP_LEN);
		must(w, thp != NULL, "mmap of the THP region");
		mthp = map_at(MTHP_ADDR(w), MTHP_LEN);
		must(w, mthp != NULL, "mmap of the mTHP region");
		step(w, S_FAULT);
		fault_in(w, thp, THP_LEN, 0x5a);
		fault_in(w, mthp, MTHP_LEN, 0xa5);

		step(w, S_FORK);
		child = fork();
		if (child == 0)
			child_round(w, thp, mthp, round);
		must(w, child > 0, "fork");

		/* A PMD split: the THP stays, PTE-mapped. */
		step(w, S_MPROTECT);
		must(w, !mprotect(thp + THP_SIZE / 2, PAGE, PROT_READ), "mprotect");
		must(w, !mprotect(thp + THP_SIZE / 2, PAGE, PROT_READ | PROT_WRITE),
		     "mprotect back");
		/* Partial unmaps: the folios go on the deferred split queue. */
		step(w, S_DONTNEED);
		must(w, !madvise(thp + 16 * PAGE, 16 * PAGE, MADV_DONTNEED), "MADV_DONTNEED");
		must(w, !madvise(mthp + 8 * PAGE, 4 * PAGE, MADV_DONTNEED),
		     "MADV_DONTNEED of an mTHP");
		switch (round % 4) {
		case 0:
			/* Real splits: refcounts frozen while the prober looks. */
			step(w, S_SPLIT);
			split_range(THP_ADDR(w), THP_ADDR(w) + THP_SIZE);
			tick(w);
			break;
		case 2:
			/* A new THP from the PTE-mapped pieces; may fail, fine. */
			step(w, S_COLLAPSE);
			madvise(thp, THP_SIZE, MADV_COLLAPSE);
			tick(w);
			break;
		}
		step(w, S_WAIT);
		must(w, waitpid(child, &status, 0) == child, "waitpid");
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			failf("worker %d: child failed (status 0x%x)", w, status);
			_exit(1);
		}
		step(w, S_UNMAP);
		must(w, !munmap(thp, THP_LEN) && !munmap(mthp, MTHP_LEN), "munmap");
	}
	_exit(0);
}

static const char *field(const char *answer, const char *key, char *buf, size_t len)
{
	char pat[40];
	const char *p;
	size_t n;

	snprintf(pat, sizeof(pat), "\n%s: ", key);
	p = strstr(answer, pat);
	if (!p)
		return NULL;
	p += strlen(pat);
	n = strcspn(p, "\n");
	if (n >= len)
		n = len - 1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return buf;
}

/* Asks about one PFN; fails the run on a wrong answer. */
static void probe_pfn(int fd, unsigned long pfn)
{
	static const char *const states[] = {
		"large", "small", "free", "busy", "kernel", "hugetlb",
	};
	char ask[32], answer[4096], head[48], v[64];
	unsigned long head_pfn, nr;
	unsigned int order;
	ssize_t n;
	size_t i;
	int len = snprintf(ask, sizeof(ask), "%lu\n", pfn);

	sh->probes++;
	if (write(fd, ask, len) != len) {
		if (errno == EAGAIN) {
			sh->eagain++;
			return;
		}
		failf("pfn %lu: write: %s", pfn, strerror(errno));
		return;
	}
	n = pread(fd, answer, sizeof(answer) - 1, 0);
	if (n < 0) {
		failf("pfn %lu: read: %s", pfn, strerror(errno));
		return;
	}
	answer[n] = '\0';
	snprintf(head, sizeof(head), "pfn: %lu\n", pfn);
	if (strncmp(answer, head, strlen(head))) {
		failf("pfn %lu: answer for another pfn:\n%s", pfn, answer);
		return;
	}
	if (!field(answer, "state", v, sizeof(v))) {
		failf("pfn %lu: no state:\n%s", pfn, answer);
		return;
	}
	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		if (!strcmp(v, states[i]))
			break;
	if (i == sizeof(states) / sizeof(states[0])) {
		failf("pfn %lu: unknown state '%s':\n%s", pfn, v, answer);
		return;
	}
	if (!strcmp(v, "busy"))
		sh->busy++;
	else if (!strcmp(v, "free"))
		sh->free++;
	else if (!strcmp(v, "small"))
		sh->small++;
	if (strcmp(v, "large"))
		return;

	sh->large++;
	if (!field(answer, "head_pfn", v, sizeof(v)))
		goto bad;
	head_pfn = strtoul(v, NULL, 10);
	if (!field(answer, "order", v, sizeof(v)))
		goto bad;
	order = strtoul(v, NULL, 10);
	if (!field(answer, "nr_pages", v, sizeof(v)))
		goto bad;
	nr = strtoul(v, NULL, 10);
	if (order < 1 || order > 20 || nr != 1UL << order ||
	    pfn < head_pfn || pfn >= head_pfn + nr)
		goto bad;
	if (!field(answer, "approximate", v, sizeof(v)) ||
	    (strcmp(v, "yes") && strcmp(v, "no")))
		goto bad;
	sh->approximate += !strcmp(v, "yes");
	if (!field(answer, "census_state", v, sizeof(v)) ||
	    (strcmp(v, "exclusive") && strcmp(v, "shared") &&
	     strcmp(v, "untracked") && strcmp(v, "unmapped")))
		goto bad;
	if (order == 4)
		sh->order4++;
	else if (order == 9)
		sh->order9++;
	return;
bad:
	failf("pfn %lu: inconsistent large-folio answer:\n%s", pfn, answer);
}

static void probe_task(int fd, int pid)
{
	char ask[32], answer[512], head[48];
	int len = snprintf(ask, sizeof(ask), "%d\n", pid);
	ssize_t n;

	if (write(fd, ask, len) != len) {
		if (errno != ESRCH)
			failf("task %d: write: %s", pid, strerror(errno));
		return;
	}
	n = pread(fd, answer, sizeof(answer) - 1, 0);
	if (n < 0) {
		failf("task %d: read: %s", pid, strerror(errno));
		return;
	}
	answer[n] = '\0';
	snprintf(head, sizeof(head), "pid: %d\ntgid: %d\n", pid, pid);
	if (strncmp(answer, head, strlen(head)) || !strstr(answer, "\nmm_id: "))
		failf("task %d: wrong answer:\n%s", pid, answer);
}

static void probe_region(int pfn_fd, int pm_fd, unsigned long addr, size_t len)
{
	uint64_t pm[THP_LEN / PAGE];
	size_t i, n = len / PAGE;
	ssize_t got;

	got = pread(pm_fd, pm, n * sizeof(pm[0]), addr / PAGE * sizeof(pm[0]));
	if (got <= 0)
		return;		/* the worker is exiting */
	n = got / sizeof(pm[0]);
	for (i = (addr / PAGE) % PROBE_STRIDE; i < n && !sh->stop && !sh->failed;
	     i += PROBE_STRIDE) {
		uint64_t pfn = pm[i] & ((1ULL << 55) - 1);

		if ((pm[i] >> 63) && pfn)
			probe_pfn(pfn_fd, pfn);
	}
}

static void prober(int workers, const char *pfn_file, const char *task_file)
{
	int pfn_fd = open(pfn_file, O_RDWR), task_fd = open(task_file, O_RDWR);
	unsigned long pass;
	int w;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (pfn_fd < 0 || task_fd < 0) {
		failf("cannot open %s or %s: %s", pfn_file, task_file, strerror(errno));
		_exit(1);
	}
	for (pass = 0; !sh->stop && !sh->failed; pass++) {
		for (w = 0; w < workers && !sh->stop; w++) {
			char path[64];
			int pm_fd;

			snprintf(path, sizeof(path), "/proc/%d/pagemap", sh->pids[w]);
			pm_fd = open(path, O_RDONLY);
			if (pm_fd < 0)
				continue;
			probe_region(pfn_fd, pm_fd, THP_ADDR(w) + (pass % 2) * PAGE, THP_LEN);
			probe_region(pfn_fd, pm_fd, MTHP_ADDR(w), MTHP_LEN);
			close(pm_fd);
			probe_task(task_fd, sh->pids[w]);
		}
	}
	_exit(sh->failed);
}

/*
 * Sleeps 10 ms at a time and counts: about 100 a second while the guest
 * runs, far fewer while the host does not run its vCPUs.  A second in
 * which nothing at all ran, rmap or not, says nothing about rmap.
 */
static void pulse(void)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	while (!sh->stop) {
		nanosleep(&ts, NULL);
		sh->pulse++;
	}
	_exit(0);
}

/* Where a process that has not moved for a while is, on stderr. */
static void show_stack(const char *who, int pid)
{
	char path[64], buf[2048];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stack", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		n = 0;
	buf[n] = '\0';
	fprintf(stderr, "%s (pid %d) kernel stack:\n%s", who, pid, buf);
}

/*
 * Waits for @pid for up to @secs seconds: 0 if it exited with status 0,
 * 1 if it failed, -1 if it is still there (stuck: a process in the middle
 * of an rmap operation that never completes cannot even be killed).
 */
static int reap(pid_t pid, int secs)
{
	int status, i;

	for (i = 0; i < secs * 10; i++) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return !WIFEXITED(status) || WEXITSTATUS(status);
		if (r < 0)
			return 1;
		usleep(100000);
	}
	return -1;
}

int main(int argc, char **argv)
{
	unsigned long last[MAX_WORKERS] = { 0 }, stalled[MAX_WORKERS] = { 0 };
	unsigned long total = 0, stalls = 0, longest = 0, last_probes = 0;
	int seconds, workers, w, sec, status, rc = 0;
	pid_t prober_pid, pulse_pid;
	unsigned long last_pulse = 0;
	struct timespec next;

	if (argc != 5) {
		fprintf(stderr, "usage: rmap-race SECONDS WORKERS PFN_FILE TASK_FILE\n");
		return 2;
	}
	seconds = atoi(argv[1]);
	workers = atoi(argv[2]);
	if (seconds < 1 || workers < 1 || workers > MAX_WORKERS) {
		fprintf(stderr, "rmap-race: 1 <= WORKERS <= %d, SECONDS >= 1\n", MAX_WORKERS);
		return 2;
	}
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("mmap");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);

	for (w = 0; w < workers; w++) {
		pid_t pid = fork();

		if (pid == 0)
			worker(w);
		if (pid < 0) {
			perror("fork");
			return 2;
		}
		sh->pids[w] = pid;
	}
	prober_pid = fork();
	if (prober_pid == 0)
		prober(workers, argv[3], argv[4]);
	pulse_pid = fork();
	if (pulse_pid == 0)
		pulse();

	clock_gettime(CLOCK_MONOTONIC, &next);
	for (sec = 1; sec <= seconds && !sh->failed; sec++) {
		unsigned long sum = 0, min = ~0UL, probes;

		next.tv_sec++;
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
			;
		for (w = 0; w < workers; w++) {
			unsigned long now = sh->ops[w], d = now - last[w];

			last[w] = now;
			sum += d;
			if (d < min)
				min = d;
			if (d) {
				stalled[w] = 0;
			} else {
				stalls++;
				if (++stalled[w] > longest)
					longest = stalled[w];
				/* Long enough to be worth a look: once per stall. */
				if (stalled[w] == 3) {
					char who[48];

					snprintf(who, sizeof(who), "sec %d: worker %d in %s", sec, w,
						 step_names[sh->step[w] % NR_STEPS]);
					show_stack(who, sh->pids[w]);
					show_stack("the prober", prober_pid);
				}
			}
		}
		probes = sh->probes;
		printf("beat %d total=%lu min=%lu probes=%lu pulse=%lu", sec, sum, min,
		       probes - last_probes, sh->pulse - last_pulse);
		last_pulse = sh->pulse;
		/* Who waited, and in which step. */
		for (w = 0; w < workers; w++)
			if (stalled[w])
				printf(" w%d:%s", w, step_names[sh->step[w] % NR_STEPS]);
		putchar('\n');
		last_probes = probes;
		total += sum;
	}

	sh->stop = 1;
	/* A round takes well under a second; 30 s without an exit is stuck. */
	for (w = 0; w < workers; w++) {
		status = reap(sh->pids[w], 30);
		if (status < 0)
			fprintf(stderr, "rmap-race: worker %d (pid %d) did not stop in 30 s\n",
				w, sh->pids[w]);
		if (status)
			rc = 1;
	}
	status = reap(prober_pid, 30);
	if (status < 0)
		fprintf(stderr, "rmap-race: the prober did not stop in 30 s\n");
	if (status)
		rc = 1;
	waitpid(pulse_pid, NULL, 0);

	printf("rmap-race: seconds=%d workers=%d ops=%lu probes=%lu eagain=%lu approximate=%lu\n",
	       sec - 1, workers, total, sh->probes, sh->eagain, sh->approximate);
	printf("rmap-race: busy=%lu free=%lu small=%lu order4=%lu order9=%lu large=%lu stalls=%lu longest_stall=%lu\n",
	       sh->busy, sh->free, sh->small, sh->order4, sh->order9, sh->large,
	       stalls, longest);
	if (sh->failed) {
		fprintf(stderr, "rmap-race: %s\n", sh->why);
		return 1;
	}
	if (rc)
		fprintf(stderr, "rmap-race: a worker or the prober failed\n");
	return rc;
}
