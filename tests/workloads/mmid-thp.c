// SPDX-License-Identifier: GPL-2.0
/*
 * mmid-thp: PTE-mapped 2 MiB THPs in a known MM-ID state, for the mmid tests.
 *
 *   mmid-thp [-H] [-w K] NE NS NU NF [NR]
 *
 * Process A maps NE+NS+NU+NF+NR THPs, PTE-maps each and forks B and C:
 *   E (NE): B and C unmap it at once, A keeps it       -> exclusive
 *   S (NS): A and B (C unmaps it)                      -> shared, 2 MMs
 *   U (NU): A, B and C                                 -> untracked, 3 MMs
 *   F (NF): A, B and C, then A and B unmap it; only C  -> "maybe shared",
 *           truly exclusive: the seed's false positive, C has no slot
 *   R (NR): A, B and C, then B and C unmap it; only A  -> the same, but A
 *           holds a slot with all of the folio's mappings
 * Then it prints "pids A B C", one "folio KIND PFN ADDR OWNER-PID" line per
 * THP and "ready", and all three wait for SIGTERM (B and C die with A).
 *
 * -H: after mapping, print "held" and wait for SIGUSR1 before forking, so a
 * tracer started meanwhile sees the shared bits being set.
 * -w K: on SIGUSR2, A and C each write one byte to the first K pages of
 * every false positive they alone map (each write a CoW copy the shared
 * bit forces), then print "wrote PID PAGES".
 *
 * The test kernel has no madvise() (tinyconfig drops ADVISE_SYSCALLS), so
 * THP is switched to "always" while the THPs fault in and then put back,
 * and PR_SET_THP_DISABLE keeps khugepaged away afterwards.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define THP (2UL << 20)
#define PAGE 4096UL
#define MAXF 64

struct region {
	char kind;
	char *addr;
	unsigned long pfn;
};

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static unsigned long pfn_of(void *addr)
{
	uint64_t e;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0 || pread(fd, &e, 8, (uintptr_t)addr / PAGE * 8) != 8)
		die("pagemap");
	close(fd);
	if (!(e & (1ULL << 63)) || !(e & ((1ULL << 55) - 1)))
		return 0;
	return e & ((1ULL << 55) - 1);
}

#define THP_ENABLED "/sys/kernel/mm/transparent_hugepage/enabled"

static char thp_saved[32];

static void thp_set(const char *mode)
{
	int fd = open(THP_ENABLED, O_WRONLY);

	if (fd < 0 || write(fd, mode, strlen(mode)) < 0)
		die(THP_ENABLED);
	close(fd);
}

/* "always [madvise] never" -> "madvise" */
static void thp_save(void)
{
	char buf[128], *l, *r;
	int fd = open(THP_ENABLED, O_RDONLY);
	ssize_t n;

	if (fd < 0 || (n = read(fd, buf, sizeof(buf) - 1)) <= 0)
		die(THP_ENABLED);
	close(fd);
	buf[n] = '\0';
	l = strchr(buf, '[');
	r = l ? strchr(l, ']') : NULL;
	if (!r || r - l - 1 >= (long)sizeof(thp_saved))
		die("THP mode");
	memcpy(thp_saved, l + 1, r - l - 1);
}

/* One PMD-mapped order-9 anon folio at a 2 MiB-aligned address. */
static char *map_thp(void)
{
	char *raw = mmap(NULL, 2 * THP, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *p;
	unsigned long i, pfn;

	if (raw == MAP_FAILED)
		die("mmap");
	p = (char *)(((uintptr_t)raw + THP - 1) & ~(THP - 1));
	memset(p, 0x5a, THP);
	pfn = pfn_of(p);
	for (i = 1; i < THP / PAGE; i++)
		if (pfn_of(p + i * PAGE) != pfn + i)
			break;
	if (!pfn || pfn % 512 || i != THP / PAGE) {
		fprintf(stderr, "mmid-thp: no THP at %p (is THP enabled?)\n", p);
		thp_set(thp_saved);
		exit(1);
	}
	return p;
}

/*
 * Changing the protection of one page splits the PMD: the folio stays
 * whole and gets 512 PTE mappings.  Only after PR_SET_THP_DISABLE: until
 * then khugepaged may collapse a PTE-mapped THP into a new PMD-mapped one
 * (seen once in a slow guest), while it leaves PMD-mapped ones alone.
 */
static void pte_map(struct region *r)
{
	if (mprotect(r->addr, PAGE, PROT_READ) || mprotect(r->addr, PAGE, PROT_READ | PROT_WRITE))
		die("mprotect");
	if (pfn_of(r->addr) != r->pfn || pfn_of(r->addr + THP - PAGE) != r->pfn + THP / PAGE - 1) {
		fprintf(stderr, "mmid-thp: the THP at %p moved while its PMD was split\n", r->addr);
		exit(1);
	}
}

static void wait_byte(int fd)
{
	char c;

	if (read(fd, &c, 1) != 1)
		exit(1);
}

static void send_byte(int fd)
{
	if (write(fd, "x", 1) != 1)
		die("write");
}

static void unmap_kind(struct region *r, int n, char kind)
{
	int i;

	for (i = 0; i < n; i++)
		if (r[i].kind == kind && munmap(r[i].addr, THP))
			die("munmap");
}

/* The write K pages of -w: a CoW copy each, forced by the shared bit. */
static void write_pages(struct region *r, int n, char kind, long k)
{
	char line[64];
	long pages = 0, p;
	int i;

	for (i = 0; i < n; i++) {
		if (r[i].kind != kind)
			continue;
		for (p = 0; p < k && p < (long)(THP / PAGE); p++, pages++)
			r[i].addr[p * PAGE] ^= 1;
	}
	snprintf(line, sizeof(line), "wrote %d %ld\n", getpid(), pages);
	if (write(1, line, strlen(line)) < 0)
		die("write");
}

/* Until SIGTERM; on SIGUSR2 (blocked, so taken here) the -w writes, once. */
static void wait_for_end(struct region *r, int n, char kind, long k)
{
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	for (;;) {
		if (sigwait(&set, &sig))
			die("sigwait");
		if (k > 0) {
			write_pages(r, n, kind, k);
			k = 0;
		}
	}
}

static void block(int sig)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		die("sigprocmask");
}

static void hold(void)
{
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	printf("held\n");
	fflush(stdout);
	if (sigwait(&set, &sig))
		die("sigwait");
}

int main(int argc, char **argv)
{
	static const char kinds[] = "ESUFR";
	struct region r[MAXF];
	int n = 0, k, i, to_b[2], to_c[2], to_a[2], opt, held = 0, nkinds;
	long write_k = 0;
	pid_t b, c;

	while ((opt = getopt(argc, argv, "+Hw:")) != -1) {
		switch (opt) {
		case 'H':
			held = 1;
			break;
		case 'w':
			write_k = atol(optarg);
			break;
		default:
			return 2;
		}
	}
	nkinds = argc - optind;
	if (nkinds != 4 && nkinds != 5) {
		fprintf(stderr, "usage: mmid-thp [-H] [-w K] NE NS NU NF [NR]\n");
		return 2;
	}
	/* Both signals are taken with sigwait(), in A and in its children. */
	block(SIGUSR1);
	block(SIGUSR2);
	thp_save();
	thp_set("always");
	for (k = 0; k < nkinds; k++) {
		int cnt = atoi(argv[optind + k]);

		if (cnt < 0 || n + cnt > MAXF)
			return 2;
		for (i = 0; i < cnt; i++, n++) {
			r[n].kind = kinds[k];
			r[n].addr = map_thp();
			r[n].pfn = pfn_of(r[n].addr);
		}
	}
	thp_set(thp_saved);
	if (prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0))
		die("PR_SET_THP_DISABLE");
	for (i = 0; i < n; i++)
		pte_map(&r[i]);
	if (pipe(to_b) || pipe(to_c) || pipe(to_a))
		die("pipe");
	if (held)
		hold();

	b = fork();
	if (b < 0)
		die("fork");
	if (b == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		unmap_kind(r, n, 'E');
		wait_byte(to_b[0]);
		unmap_kind(r, n, 'F');
		unmap_kind(r, n, 'R');
		send_byte(to_a[1]);
		wait_for_end(r, n, 0, 0);
	}
	c = fork();
	if (c < 0)
		die("fork");
	if (c == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		unmap_kind(r, n, 'E');
		unmap_kind(r, n, 'S');
		unmap_kind(r, n, 'R');
		send_byte(to_a[1]);
		wait_for_end(r, n, 'F', write_k);
	}
	wait_byte(to_a[0]);	/* C dropped S */
	send_byte(to_b[1]);
	wait_byte(to_a[0]);	/* B dropped F */
	unmap_kind(r, n, 'F');

	printf("pids %d %d %d\n", getpid(), b, c);
	for (i = 0; i < n; i++)
		printf("folio %c %lu 0x%lx %d\n", r[i].kind, r[i].pfn,
		       r[i].kind == 'F' ? 0UL : (unsigned long)(uintptr_t)r[i].addr,
		       r[i].kind == 'F' ? c : getpid());
	printf("ready\n");
	fflush(stdout);
	signal(SIGTERM, SIG_DFL);
	wait_for_end(r, n, 'R', write_k);
	return 0;
}
