// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile input for every file mmscope.ko creates.
 *
 * usage: fuzz-files [-n WRITES] [-t THREADS] [-s SEED] FILE...
 *
 * Writable files get WRITES malformed, boundary and random writes split over
 * THREADS concurrent writers; every file gets concurrent reads at random
 * offsets and sizes.  Both mostly use descriptors held open, with an open
 * and a close of their own now and then.  A write may succeed only with
 * input that is a plain number or word; junk must fail, and only with an
 * errno that explains it.  Whole reads must end on a record boundary (a
 * newline).  Prints one line per file as it ends, and exits non-zero on
 * any violation.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct input {
	char buf[70000];
	size_t len;
	int junk;	/* must be refused */
};

struct file_stats {
	const char *path;
	long writes, accepted, refused, bad_errno, junk_accepted, reads, torn, read_errors;
	int last_bad_errno, last_read_errno;
	char junk_example[64];
	pthread_mutex_t lock;
};

static long nr_writes = 10000;
static int nr_threads = 4;
static unsigned int seed = 1;
/*
 * Readers read for as long as the file's writers write, and at least this
 * often: a read of mmid/census scans all of memory, and 200 of them were
 * most of the fuzz's time under KASAN.
 */
#define MIN_READS 20
#define REOPEN 8
#define READ_EVERY 2
static volatile int writers_done;

static const char *const fixed[] = {
	"0", "1", "-1", "2147483647", "2147483648", "4294967295", "4294967296",
	"9223372036854775807", "9223372036854775808", "-9223372036854775808",
	"18446744073709551615", "18446744073709551616",
	"99999999999999999999999999999999", "0x10", "010", "1e3", "+1",
	" 1", "1 ", "1\n", "\n", " ", "\t\n", "on", "off", "start", "stop",
};

static const char *const junk[] = {
	"abc", "12abc", "1.5", "--1", "0x", "-", "+", "1 2 3 4 5 6 7 8",
	"\x01\x02\x03", "\xff\xfe", "$(reboot)", "%s%s%s%n", "../../etc",
	"1\n2\n3\n",
};

static void make_input(struct input *in, unsigned int *rs)
{
	int kind = rand_r(rs) % 6;
	size_t i;

	in->junk = 0;
	switch (kind) {
	case 0:
		strcpy(in->buf, fixed[rand_r(rs) % (sizeof(fixed) / sizeof(*fixed))]);
		in->len = strlen(in->buf);
		break;
	case 1:
		strcpy(in->buf, junk[rand_r(rs) % (sizeof(junk) / sizeof(*junk))]);
		in->len = strlen(in->buf);
		in->junk = 1;
		break;
	case 2:
		/*
		 * An embedded NUL inside a number: the kernel's kstrto*_from_user()
		 * read a write as a C string, so "12" is what is asked.  It must
		 * not crash or be taken as 1234; refusing it is fine too.
		 */
		memcpy(in->buf, "12\0" "34", 5);
		in->len = 5;
		break;
	case 3:	/* a very long line of digits */
		in->len = 4096 + rand_r(rs) % 60000;
		memset(in->buf, '7', in->len);
		in->junk = 1;
		break;
	case 4:	/* random bytes, never a valid word */
		in->len = 1 + rand_r(rs) % 64;
		for (i = 0; i < in->len; i++)
			in->buf[i] = (char)(0x80 | rand_r(rs));
		in->junk = 1;
		break;
	default:	/* a random number, maybe negative */
		in->len = snprintf(in->buf, sizeof(in->buf), "%s%u",
				   rand_r(rs) & 1 ? "-" : "", (unsigned int)rand_r(rs));
		break;
	}
}

/* Errors that tell the writer what was wrong with the input or the state. */
static int clear_errno(int e)
{
	return e == EINVAL || e == ERANGE || e == EBUSY || e == E2BIG || e == ENOENT ||
	       e == EOVERFLOW || e == ESRCH || e == EPERM || e == ENODEV || e == ENOSPC ||
	       e == EAGAIN || e == EFBIG || e == ENOMEM || e == EEXIST;
}

static void *writer(void *arg)
{
	struct file_stats *st = arg;
	unsigned int rs = seed ^ (unsigned int)(unsigned long)pthread_self();
	struct input *in = malloc(sizeof(*in));
	long i, n = nr_writes / nr_threads;

	int fd = -1;

	for (i = 0; i < n && in; i++) {
		ssize_t r;
		int e;

		/*
		 * Most writes reuse the descriptor: an open and a close cost
		 * more than the write itself under KASAN, and they were most
		 * of the fuzz's time.  One write in REOPEN still comes with
		 * its own open, so opens and releases race with the writes.
		 * A plain write(), not pwrite(): seq_file-backed files refuse
		 * pwrite() (ESPIPE), and the store handlers leave the file
		 * position alone, so every write starts at 0.
		 */
		if (fd < 0 || rand_r(&rs) % REOPEN == 0) {
			if (fd >= 0)
				close(fd);
			fd = open(st->path, O_WRONLY);
			if (fd < 0)
				continue;
		}
		make_input(in, &rs);
		r = write(fd, in->buf, in->len);
		e = errno;
		pthread_mutex_lock(&st->lock);
		st->writes++;
		if (r >= 0) {
			st->accepted++;
			if (in->junk && st->junk_accepted++ == 0)
				snprintf(st->junk_example, sizeof(st->junk_example), "%.*s",
					 (int)(in->len < 40 ? in->len : 40), in->buf);
		} else {
			st->refused++;
			if (!clear_errno(e)) {
				st->bad_errno++;
				st->last_bad_errno = e;
			}
		}
		pthread_mutex_unlock(&st->lock);
	}
	if (fd >= 0)
		close(fd);
	free(in);
	return NULL;
}

/*
 * A read may fail only with ENODATA: mmid/pfn and mmid/task have no
 * answer on a descriptor no query was written to.  Called with st->lock.
 */
static void read_failed(struct file_stats *st, int e)
{
	if (e == ENODATA)
		return;
	st->read_errors++;
	st->last_read_errno = e;
}

/*
 * Readers keep pace with the writers (one read per READ_EVERY writes, the
 * two readers together) rather than spin: a read on a held descriptor is
 * cheap, and readers that never wait take the CPU the writers need.
 */
static int reader_may_go(struct file_stats *st)
{
	int go;

	pthread_mutex_lock(&st->lock);
	go = st->reads * READ_EVERY <= st->writes;
	pthread_mutex_unlock(&st->lock);
	return go;
}

static void *reader(void *arg)
{
	struct file_stats *st = arg;
	unsigned int rs = seed * 7 + 1;
	static __thread char buf[1 << 16];
	int i;

	int held = open(st->path, O_RDONLY);

	if (held < 0)
		return NULL;
	for (i = 0; i < MIN_READS || !writers_done; i++) {
		ssize_t r, total = 0;
		int fd;

		while (!writers_done && !reader_may_go(st))
			usleep(200);

		if (i % 3 == 0) {
			fd = open(st->path, O_RDONLY);
			if (fd < 0)
				break;
			/* A whole read, in small random pieces. */
			r = 1;
			while (total < (ssize_t)sizeof(buf) - 100 &&
			       (r = read(fd, buf + total, 1 + rand_r(&rs) % 97)) > 0)
				total += r;
			pthread_mutex_lock(&st->lock);
			st->reads++;
			/* Only a read that reached the end can be judged whole. */
			if (r == 0 && total > 0 && buf[total - 1] != '\n')
				st->torn++;
			if (r < 0)
				read_failed(st, errno);
			pthread_mutex_unlock(&st->lock);
			close(fd);
		} else {
			/* A read at an offset regenerates the file's records. */
			r = pread(held, buf, 1 + rand_r(&rs) % 4096, rand_r(&rs) % 8192);
			pthread_mutex_lock(&st->lock);
			st->reads++;
			if (r < 0)
				read_failed(st, errno);
			pthread_mutex_unlock(&st->lock);
		}
	}
	close(held);
	return NULL;
}

int main(int argc, char **argv)
{
	int c, i, failed = 0;

	while ((c = getopt(argc, argv, "n:t:s:")) != -1) {
		switch (c) {
		case 'n': nr_writes = atol(optarg); break;
		case 't': nr_threads = atoi(optarg); break;
		case 's': seed = atoi(optarg); break;
		default: return 2;
		}
	}
	if (nr_threads < 1 || nr_threads > 64)
		nr_threads = 4;
	/* A file's line as soon as it is done: a timed-out run shows how far it got. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = optind; i < argc; i++) {
		struct file_stats st = { .path = argv[i] };
		pthread_t th[66];
		struct stat sb;
		int n = 0, j, writable, bad;
		struct timespec t0, t1;

		if (stat(argv[i], &sb) || !S_ISREG(sb.st_mode))
			continue;
		pthread_mutex_init(&st.lock, NULL);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		writable = !!(sb.st_mode & 0222);
		writers_done = !writable;
		if (writable)
			for (j = 0; j < nr_threads; j++)
				pthread_create(&th[n++], NULL, writer, &st);
		if (sb.st_mode & 0444)
			for (j = 0; j < 2; j++)
				pthread_create(&th[n++], NULL, reader, &st);
		for (j = 0; j < n; j++) {
			pthread_join(th[j], NULL);
			if (writable && j == nr_threads - 1)
				writers_done = 1;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);

		bad = st.bad_errno || st.junk_accepted || st.torn || st.read_errors;
		printf("%s %s: %ld writes (%ld accepted, %ld refused), %ld reads",
		       bad ? "FAIL" : "ok",
		       argv[i], st.writes, st.accepted, st.refused, st.reads);
		printf(" in %.1f s", t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9);
		if (st.bad_errno)
			printf("; %ld refusals with unhelpful errno %d (%s)", st.bad_errno,
			       st.last_bad_errno, strerror(st.last_bad_errno));
		if (st.junk_accepted)
			printf("; %ld junk writes accepted, e.g. '%s'", st.junk_accepted,
			       st.junk_example);
		if (st.torn)
			printf("; %ld whole reads ended mid-record", st.torn);
		if (st.read_errors)
			printf("; %ld reads failed, the last with errno %d (%s)", st.read_errors,
			       st.last_read_errno, strerror(st.last_read_errno));
		putchar('\n');
		failed |= bad;
	}
	return failed;
}
