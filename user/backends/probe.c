// SPDX-License-Identifier: GPL-2.0
/*
 * Load and attach one minimal program per BPF attach type, one at a time,
 * to learn what the running kernel allows.  Nothing stays attached.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "mmscope.h"
#include "probe.h"
#include "status.skel.h"

static const char *const kind_names[NR_BPF_KINDS] = {
	[BPF_KIND_FENTRY] = "fentry",
	[BPF_KIND_TP_BTF] = "tp_btf",
	[BPF_KIND_RAW_TP] = "raw_tp",
	[BPF_KIND_TRACEPOINT] = "tracepoint",
	[BPF_KIND_ITER_KMEM_CACHE] = "iter/kmem_cache",
};

const char *bpf_kind_name(enum bpf_kind kind)
{
	return kind < NR_BPF_KINDS ? kind_names[kind] : "?";
}

/* What libbpf said about the last load that failed, for bpf_load_error(). */
static struct {
	char prog[64];		/* the program the kernel refused */
	char reason[256];	/* the verifier's verdict, or libbpf's first warning */
	bool verdict;		/* reason is the verifier's */
} last_fail;

static void copy_line(char *dst, size_t len, const char *p, size_t n)
{
	while (n && (p[n - 1] == '\n' || p[n - 1] == ' '))
		n--;
	if (n >= len)
		n = len - 1;
	memcpy(dst, p, n);
	dst[n] = '\0';
}

/*
 * The verifier's log ends with its verdict, then statistics ("processed N
 * insns", "verification time", "stack depth"): the verdict is the last
 * other line.
 */
void bpf_log_verdict(const char *log, char *dst, size_t dst_len)
{
	const char *end = strstr(log, "-- END PROG LOAD LOG --"), *p, *line = NULL;
	size_t n = 0;

	if (!end)
		end = log + strlen(log);
	for (p = log; p < end;) {
		const char *nl = memchr(p, '\n', end - p);
		size_t len = (nl ? nl : end) - p;

		if (len && strncmp(p, "processed ", 10) && strncmp(p, "verification time", 17) &&
		    strncmp(p, "stack depth", 11) && strncmp(p, "-- BEGIN", 8) &&
		    !strstr(p, "-- BEGIN PROG LOAD LOG --")) {
			line = p;
			n = len;
		}
		p = nl ? nl + 1 : end;
	}
	if (line)
		copy_line(dst, dst_len, line, n);
}

/*
 * The first warning names the cause ("failed to find kernel BTF type ID",
 * "BPF program load failed"), the later ones only that the load failed;
 * a verifier verdict is better than any of them.
 */
static void note_warning(const char *msg)
{
	const char *q, *name;

	if (last_fail.verdict)
		return;
	if (!strncmp(msg, "libbpf: ", 8))
		msg += 8;
	if (!strncmp(msg, "prog '", 6) && (q = strchr(msg + 6, '\''))) {
		name = msg + 6;
		if (strstr(q, "-- BEGIN PROG LOAD LOG --")) {
			copy_line(last_fail.prog, sizeof(last_fail.prog), name, q - name);
			bpf_log_verdict(strchr(q, '\n') ? strchr(q, '\n') + 1 : q,
					last_fail.reason, sizeof(last_fail.reason));
			last_fail.verdict = last_fail.reason[0] != '\0';
			return;
		}
		if (last_fail.reason[0])
			return;
		copy_line(last_fail.prog, sizeof(last_fail.prog), name, q - name);
		msg = q + 1;
		while (*msg == ':' || *msg == ' ')
			msg++;
	} else if (last_fail.reason[0]) {
		return;
	}
	copy_line(last_fail.reason, sizeof(last_fail.reason), msg, strlen(msg));
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char small[512], *msg = small;
	va_list copy;
	int n;

	va_copy(copy, ap);
	n = vsnprintf(small, sizeof(small), fmt, copy);
	va_end(copy);
	if (n >= (int)sizeof(small) && (msg = malloc(n + 1)))
		vsnprintf(msg, n + 1, fmt, ap);
	if (!msg)
		return 0;
	if (level == LIBBPF_WARN)
		note_warning(msg);
	if (opt_verbose && level != LIBBPF_DEBUG)
		fputs(msg, stderr);
	if (msg != small)
		free(msg);
	return n;
}

/* libbpf's own messages only with -v: our errors say what to do. */
void bpf_quiet_libbpf(void)
{
	libbpf_set_print(libbpf_print);
	memset(&last_fail, 0, sizeof(last_fail));
}

void bpf_load_error(const char *what, int err)
{
	const char *hint = opt_verbose ? "" : " (-v shows libbpf's and the verifier's log)";

	if (err == -EPERM || err == -EACCES) {
		if (last_fail.verdict)
			errmsg("cannot load %s: the kernel's verifier refused program '%s': %s%s",
			       what, last_fail.prog, last_fail.reason, hint);
		else
			errmsg("cannot load %s: %s (run as root; lockdown or a BPF LSM may refuse it)%s",
			       what, strerror(-err), hint);
	} else if (last_fail.reason[0]) {
		errmsg("cannot load %s: %s%s%s: %s%s", what, last_fail.prog[0] ? "program '" : "",
		       last_fail.prog, last_fail.prog[0] ? "'" : "", last_fail.reason, hint);
	} else {
		errmsg("cannot load %s: %s%s", what, strerror(-err), hint);
	}
}

const char *bpf_load_failed_prog(void)
{
	return last_fail.prog;
}

static struct bpf_program *kind_program(struct status_bpf *skel, enum bpf_kind kind)
{
	switch (kind) {
	case BPF_KIND_FENTRY:
		return skel->progs.probe_fentry;
	case BPF_KIND_TP_BTF:
		return skel->progs.probe_tp_btf;
	case BPF_KIND_RAW_TP:
		return skel->progs.probe_raw_tp;
	case BPF_KIND_TRACEPOINT:
		return skel->progs.probe_tracepoint;
	case BPF_KIND_ITER_KMEM_CACHE:
		return skel->progs.probe_iter_kmem_cache;
	default:
		return NULL;
	}
}

static long long drain_iterator(struct bpf_link *link, struct status_bpf *skel)
{
	char buf[256];
	int fd = bpf_iter_create(bpf_link__fd(link));

	if (fd < 0)
		return fd;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
	return (long long)skel->bss->nr_caches;
}

void bpf_probe_kind(enum bpf_kind kind, struct bpf_probe_result *res)
{
	struct bpf_program *prog, *want;
	struct bpf_link *link;
	struct status_bpf *skel;
	int err;

	*res = (struct bpf_probe_result){ 0 };
	bpf_quiet_libbpf();
	skel = status_bpf__open();
	if (!skel) {
		res->err = -errno;
		res->stage = "open";
		return;
	}
	want = kind_program(skel, kind);
	bpf_object__for_each_program(prog, skel->obj)
		bpf_program__set_autoload(prog, prog == want);
	err = status_bpf__load(skel);
	if (err) {
		res->err = err;
		res->stage = "load";
		goto out;
	}
	link = bpf_program__attach(want);
	if (!link) {
		res->err = -errno;
		res->stage = "attach";
		goto out;
	}
	if (kind == BPF_KIND_ITER_KMEM_CACHE)
		res->value = drain_iterator(link, skel);
	bpf_link__destroy(link);
	res->ok = true;
out:
	status_bpf__destroy(skel);
}
