// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope bench: the floor for tests/bench/bench-trace.py, an empty tp_btf
 * program on kmem_cache_alloc, attached for as long as a command runs.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "interval.h"
#include "mmscope.h"
#include "probe.h"
#include "trace_cmd.h"
#include "trace.skel.h"

static void bench_usage(FILE *out)
{
	fprintf(out,
		"usage: mmscope bench floor [-- command [args]]\n"
		"\n"
		"Attach an empty tp_btf program to kmem:kmem_cache_alloc, the floor\n"
		"any tracer of that event costs, until Ctrl-C or until the command\n"
		"exits.  The comparison of mmscope, bpftrace and this floor (start-up\n"
		"time, peak memory, nanoseconds per event) is 'make bench', which runs\n"
		"tests/bench/bench-trace.py.\n"
		"\n"
		"  -h, --help   this help\n"
		"\n"
		"examples:\n"
		"  mmscope bench floor -- ./workload open 100000\n"
		"  make bench\n");
}

static void on_child(int sig)
{
	mmscope_exiting = 1;
}

static int bench_run(int argc, char **argv)
{
	struct trace_bpf *skel;
	struct bpf_program *prog;
	struct bpf_link *link = NULL;
	char **cmd = NULL;
	pid_t child = 0;
	int ret, i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			cmd = argv + i + 1;
			argc = i;
			break;
		}
	}
	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		bench_usage(stdout);
		return EXIT_OK;
	}
	if (argc != 2 || strcmp(argv[1], "floor") || (cmd && !cmd[0])) {
		bench_usage(stderr);
		return EXIT_USAGE;
	}
	if (require_root("mmscope bench (it loads BPF programs)"))
		return EXIT_NOPRIV;
	bpf_quiet_libbpf();
	skel = trace_bpf__open();
	if (!skel)
		return EXIT_FAIL;
	bpf_object__for_each_program(prog, skel->obj)
		bpf_program__set_autoload(prog, prog == skel->progs.bench_empty);
	ret = trace_bpf__load(skel);
	if (!ret) {
		link = bpf_program__attach(skel->progs.bench_empty);
		if (!link)
			ret = -errno;
	}
	if (ret) {
		errmsg("cannot attach tp_btf:kmem_cache_alloc: %s (needs CONFIG_DEBUG_INFO_BTF)",
		       strerror(-ret));
		trace_bpf__destroy(skel);
		return EXIT_NOFEATURE;
	}
	verbose("bench: attached tp_btf:kmem_cache_alloc (empty)");
	interval_install_signals();
	if (cmd) {
		signal(SIGCHLD, on_child);
		ret = trace_cmd_start(cmd, &child);
		trace_cmd_go();
	}
	while (!mmscope_exiting && !ret)
		pause();
	if (child > 0)
		ret = trace_cmd_finish(child);
	bpf_link__destroy(link);
	trace_bpf__destroy(skel);
	return ret;
}

const struct mmscope_cmd cmd_bench = {
	.name = "bench",
	.summary = "the benchmark floor: an empty program on kmem_cache_alloc",
	.run = bench_run,
	.usage = bench_usage,
};
