// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope bench mapcount: the micro-benchmarks behind the MM-ID series'
 * performance tables.  Memory backed by (m)THPs of one size, PTE-mapped,
 * then: munmap, fork, cow-byte (fork, child alive, write a byte per page),
 * reuse-byte (fork, child exits, then write) and child-reuse-byte (fork,
 * parent unmaps, the child writes).  pagemap tells whether a write copied
 * the page or reused it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mmscope.h"
#include "restore.h"

#define PAGE 4096UL
#define THP_DIR "/sys/kernel/mm/transparent_hugepage"
#define MAX_RUNS 101

static const char *const tests[] = {
	"munmap", "fork", "cow-byte", "reuse-byte", "child-reuse-byte",
};
#define NR_TESTS (sizeof(tests) / sizeof(tests[0]))

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) < 0)
		err = -errno;
	close(fd);
	return err;
}

/* The bracketed word of an "always [inherit] madvise never" knob. */
static int knob_get(const char *path, char *mode, size_t len)
{
	char buf[128], *l, *r;

	if (read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	l = strchr(buf, '[');
	r = l ? strchr(l, ']') : NULL;
	if (!r)
		return -1;
	snprintf(mode, len, "%.*s", (int)(r - l - 1), l + 1);
	return 0;
}

struct knob {
	char path[160];
	char saved[16];
};

static struct knob knobs[32];
static int nr_knobs;

static void knobs_restore(void)
{
	int i;

	for (i = 0; i < nr_knobs; i++)
		write_str(knobs[i].path, knobs[i].saved);
}

/* Only @kib-sized folios: every other size and the top-level knob off. */
static int knobs_select(unsigned long kib)
{
	char path[160];
	int i, found = 0;

	for (i = 0; i < nr_knobs; i++) {
		snprintf(path, sizeof(path), THP_DIR "/hugepages-%lukB/enabled", kib);
		if (!strcmp(knobs[i].path, path)) {
			found = 1;
			write_str(knobs[i].path, "always");
		} else if (strstr(knobs[i].path, "hugepages-")) {
			write_str(knobs[i].path, "never");
		} else {
			write_str(knobs[i].path, "always");
		}
	}
	return found ? 0 : -ENOENT;
}

static int knobs_save(void)
{
	char path[160];
	unsigned long kib;

	snprintf(knobs[0].path, sizeof(knobs[0].path), THP_DIR "/enabled");
	if (knob_get(knobs[0].path, knobs[0].saved, sizeof(knobs[0].saved)))
		return -1;
	nr_knobs = 1;
	for (kib = 8; kib <= 1UL << 20 && nr_knobs < 32; kib *= 2) {
		snprintf(path, sizeof(path), THP_DIR "/hugepages-%lukB/enabled", kib);
		if (knob_get(path, knobs[nr_knobs].saved, sizeof(knobs[nr_knobs].saved)))
			continue;
		snprintf(knobs[nr_knobs].path, sizeof(knobs[nr_knobs].path), "%s", path);
		nr_knobs++;
	}
	return 0;
}

struct area {
	char *raw, *p;
	size_t len, raw_len, folio;
	int pm;
};

static uint64_t pfn_at(struct area *a, size_t off)
{
	uint64_t e;

	if (a->pm < 0 || pread(a->pm, &e, 8, ((uintptr_t)a->p + off) / PAGE * 8) != 8)
		return 0;
	return (e & (1ULL << 63)) ? e & ((1ULL << 55) - 1) : 0;
}

/* Fault the area in with the chosen folio size and PTE-map it. */
static int area_map(struct area *a)
{
	size_t off;

	a->raw_len = a->len + a->folio;
	a->raw = mmap(NULL, a->raw_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a->raw == MAP_FAILED)
		return -errno;
	a->p = (char *)(((uintptr_t)a->raw + a->folio - 1) & ~(a->folio - 1));
	memset(a->p, 1, a->len);
	/* A PMD-mapped THP splits its PMD on a partial mprotect. */
	if (a->folio >= (2UL << 20))
		for (off = 0; off < a->len; off += a->folio)
			if (mprotect(a->p + off, PAGE, PROT_READ) ||
			    mprotect(a->p + off, PAGE, PROT_READ | PROT_WRITE))
				return -errno;
	return 0;
}

static void area_unmap(struct area *a)
{
	if (a->raw && a->raw != MAP_FAILED)
		munmap(a->raw, a->raw_len);
	a->raw = NULL;
}

/* Share of the area backed by naturally aligned folios of the right size. */
static double area_backed(struct area *a)
{
	size_t off, good = 0, n = 0;

	for (off = 0; off < a->len; off += a->folio, n++) {
		uint64_t first = pfn_at(a, off), last = pfn_at(a, off + a->folio - PAGE);

		good += first && first % (a->folio / PAGE) == 0 &&
			last == first + a->folio / PAGE - 1;
	}
	return n ? (double)good / n : 0;
}

static uint64_t write_bytes(struct area *a)
{
	uint64_t t0 = now_ns();
	size_t off;

	for (off = 0; off < a->len; off += PAGE)
		a->p[off]++;
	return now_ns() - t0;
}

static long count_copied(struct area *a, const uint64_t *before)
{
	size_t i;
	long copied = 0;

	if (a->pm < 0)
		return -1;
	for (i = 0; i < a->len / PAGE; i++)
		copied += pfn_at(a, i * PAGE) != before[i];
	return copied;
}

#define RUN_FAILED UINT64_MAX

/* One run of one test; returns ns, or RUN_FAILED. */
static uint64_t run_one(const char *test, struct area *a, uint64_t *before, long *copied)
{
	int go[2], res[2];
	uint64_t ns = 0, t0;
	size_t i;
	pid_t pid;

	*copied = -1;
	if (area_map(a))
		return RUN_FAILED;
	for (i = 0; i < a->len / PAGE; i++)
		before[i] = pfn_at(a, i * PAGE);
	if (!strcmp(test, "munmap")) {
		t0 = now_ns();
		munmap(a->raw, a->raw_len);
		ns = now_ns() - t0;
		a->raw = NULL;
		return ns;
	}
	if (pipe(go) || pipe(res))
		return RUN_FAILED;
	t0 = now_ns();
	pid = fork();
	if (pid == 0) {
		char c;
		uint64_t cns;

		if (!strcmp(test, "child-reuse-byte")) {
			if (read(go[0], &c, 1) != 1)
				_exit(1);
			/* The inherited descriptor reads the parent's pagemap. */
			close(a->pm);
			a->pm = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
			cns = write_bytes(a);
			*copied = count_copied(a, before);
			if (write(res[1], &cns, 8) != 8 || write(res[1], copied, sizeof(*copied)) < 0)
				_exit(1);
		} else if (!strcmp(test, "cow-byte")) {
			if (read(go[0], &c, 1) < 0)
				_exit(1);
		}
		_exit(0);
	}
	if (pid < 0)
		return RUN_FAILED;
	ns = now_ns() - t0;	/* "fork" */
	if (!strcmp(test, "cow-byte")) {
		ns = write_bytes(a);
		*copied = count_copied(a, before);
		if (write(go[1], "x", 1) != 1)
			ns = RUN_FAILED;
		waitpid(pid, NULL, 0);
	} else if (!strcmp(test, "reuse-byte")) {
		waitpid(pid, NULL, 0);
		ns = write_bytes(a);
		*copied = count_copied(a, before);
	} else if (!strcmp(test, "child-reuse-byte")) {
		area_unmap(a);
		if (write(go[1], "x", 1) != 1 || read(res[0], &ns, 8) != 8 ||
		    read(res[0], copied, sizeof(*copied)) != sizeof(*copied))
			ns = RUN_FAILED;
		waitpid(pid, NULL, 0);
	} else {
		waitpid(pid, NULL, 0);
	}
	close(go[0]);
	close(go[1]);
	close(res[0]);
	close(res[1]);
	return ns;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static bool listed(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p = list;

	while ((p = strstr(p, name))) {
		if ((p == list || p[-1] == ',') && (p[n] == ',' || !p[n]))
			return true;
		p += n;
	}
	return false;
}

/* Every size checked before the first line: an error comes before any output. */
static int check_sizes(const char *sizes)
{
	char *list = strdup(sizes), *tok, *save = NULL;
	int err = list ? 0 : EXIT_FAIL;

	for (tok = list ? strtok_r(list, ",", &save) : NULL; tok && !err;
	     tok = strtok_r(NULL, ",", &save)) {
		char path[160];
		long long kib;

		snprintf(path, sizeof(path), THP_DIR "/hugepages-%skB/enabled", tok);
		if (parse_num("--sizes", tok, 8, 1 << 20, &kib)) {
			err = EXIT_USAGE;
		} else if ((kib & (kib - 1)) || access(path, F_OK)) {
			errmsg("no mTHP size %s KiB here (%s/hugepages-%skB); 'ls %s' lists them",
			       tok, THP_DIR, tok, THP_DIR);
			err = EXIT_NOFEATURE;
		}
	}
	free(list);
	return err;
}

/* @runs runs of test @t with folios of @kib KiB: one line of the table. */
static int bench_test(size_t t, struct area *a, uint64_t *before, int runs, unsigned long kib,
		      double backed)
{
	uint64_t ns[MAX_RUNS];
	long copied = -1;
	char cbuf[24];
	int r, err = EXIT_OK;

	for (r = 0; r < runs; r++) {
		ns[r] = run_one(tests[t], a, before, &copied);
		area_unmap(a);
		if (ns[r] == RUN_FAILED) {
			errmsg("%s: a run failed", tests[t]);
			err = EXIT_FAIL;
		}
	}
	qsort(ns, runs, sizeof(ns[0]), cmp_u64);
	if (copied < 0)	/* munmap and fork write nothing */
		snprintf(cbuf, sizeof(cbuf), "-");
	else
		snprintf(cbuf, sizeof(cbuf), "%ld", copied);
	printf("%-17s %8lu %12.1f %12.1f %12.1f %8s %6.0f%%\n", tests[t], kib, ns[runs / 2] / 1e3,
	       ns[0] / 1e3, ns[runs - 1] / 1e3, cbuf, backed * 100);
	fflush(stdout);
	return err;
}

/* Every selected test with folios of one size. */
static int bench_size(struct area *a, uint64_t *before, const char *tok, int runs,
		      const char *which)
{
	unsigned long kib = strtoul(tok, NULL, 10);
	double backed;
	int err = EXIT_OK;
	size_t t;

	if (kib < 8 || (kib & (kib - 1)) || knobs_select(kib)) {
		errmsg("no mTHP size %s KiB here (%s/hugepages-%skB)", tok, THP_DIR, tok);
		return EXIT_NOFEATURE;
	}
	a->folio = kib << 10;
	if (area_map(a)) {
		errmsg("cannot map %zu MiB for the %lu KiB runs: %s", a->len >> 20, kib,
		       strerror(errno));
		area_unmap(a);
		return EXIT_FAIL;
	}
	backed = area_backed(a);
	area_unmap(a);
	for (t = 0; t < NR_TESTS; t++) {
		int e;

		if (which && !listed(which, tests[t]))
			continue;
		e = bench_test(t, a, before, runs, kib, backed);
		if (e)
			err = e;
	}
	return err;
}

static int mapcount_run(unsigned long mib, int runs, const char *sizes, const char *which)
{
	struct area a = { .len = mib << 20, .pm = -1 };
	char *list = NULL, *tok, *save = NULL;
	uint64_t *before = NULL;
	int err;

	err = check_sizes(sizes);
	if (err)
		return err;
	if (knobs_save()) {
		errmsg("no %s/enabled: this kernel has no THP", THP_DIR);
		return EXIT_NOFEATURE;
	}
	list = strdup(sizes);
	before = calloc(a.len / PAGE, sizeof(*before));
	if (!list || !before) {
		err = EXIT_FAIL;
		goto out;
	}
	a.pm = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	/* Ctrl-C, SIGTERM or SIGHUP at any moment put the knobs back. */
	restore_on_signal(knobs_restore);
	printf("%-17s %8s %12s %12s %12s %8s %7s\n", "TEST", "SIZE_KB", "MEDIAN_US", "MIN_US",
	       "MAX_US", "COPIED", "BACKED");
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int e = bench_size(&a, before, tok, runs, which);

		if (e)
			err = e;
	}
	knobs_restore();
	restore_done();
out:
	free(list);
	free(before);
	if (a.pm >= 0)
		close(a.pm);
	return err;
}

static int do_bench_mapcount(const struct cmd *cmd, struct opts *o)
{
	const char *sizes = o->arg[OPT_SIZES] ? o->arg[OPT_SIZES] : "16,64,2048";
	const char *which = o->arg[OPT_TESTS];
	long long mib = 256, runs = 5;
	size_t t;
	int err;

	if (opt_num(o, OPT_MIB, 1, 65536, &mib) || opt_num(o, OPT_RUNS, 1, MAX_RUNS, &runs))
		return EXIT_USAGE;
	if (o->argc) {
		errmsg("unexpected argument '%s'; see 'mmscope bench mapcount -h'", o->argv[0]);
		return EXIT_USAGE;
	}
	if (which) {
		char *copy = strdup(which), *tok, *save = NULL;

		for (tok = copy ? strtok_r(copy, ",", &save) : NULL; tok;
		     tok = strtok_r(NULL, ",", &save)) {
			for (t = 0; t < NR_TESTS && strcmp(tests[t], tok); t++)
				;
			if (t == NR_TESTS) {
				errmsg("--tests: no test '%s' (munmap, fork, cow-byte, reuse-byte, "
				       "child-reuse-byte)", tok);
				free(copy);
				return EXIT_USAGE;
			}
		}
		free(copy);
	}
	err = require_root("mmscope bench mapcount");
	if (err)
		return err;
	return mapcount_run(mib, runs, sizes, which);
}

static const struct cmd cmd_bench_mapcount = {
	.name = "mapcount",
	.summary = "munmap/fork/CoW/reuse timings on PTE-mapped mTHPs",
	.args = "",
	.opts = "mib runs sizes tests",
	.doc = "Times rmap-heavy operations on PTE-mapped (m)THPs of each size, the\n"
	       "micro-benchmarks of the MM-ID series:\n"
	       "  munmap            unmap the whole area\n"
	       "  fork              fork() with the area mapped\n"
	       "  cow-byte          fork, child alive, parent writes a byte per page\n"
	       "  reuse-byte        fork, child exits, parent writes a byte per page\n"
	       "  child-reuse-byte  fork, parent unmaps, child writes a byte per page\n"
	       "Each prints the median, min and max of the runs (default 5, -m 256 MiB,\n"
	       "--sizes 16,64,2048) and how many pages the writes copied (pagemap): reuse\n"
	       "must copy none.  It changes the THP and mTHP 'enabled' knobs while it\n"
	       "runs and puts them back, also on Ctrl-C, SIGTERM and SIGHUP.  Under an\n"
	       "emulator (QEMU TCG) compare kernels by ratios in one run.\n",
	.examples = "mmscope bench mapcount\n"
		    "mmscope bench mapcount -m 64 --runs 3 --sizes 64 --tests fork,cow-byte",
	.run = do_bench_mapcount,
};

static const struct cmd *const bench_subs[] = { &cmd_bench_mapcount, NULL };

const struct cmd cmd_bench = {
	.name = "bench",
	.summary = "micro-benchmarks: mapcount (fork, munmap, CoW reuse on mTHPs)",
	.examples = "mmscope bench mapcount -m 64 --runs 3",
	.subs = bench_subs,
};
