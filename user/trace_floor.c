// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope trace floor: the floor for tests/bench/bench-trace.py, an empty
 * tp_btf program on kmem_cache_alloc, attached for as long as a command
 * runs.
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
#include "trace_slab.h"
#include "trace.skel.h"

static void on_child(int sig)
{
	mmscope_exiting = 1;
}

/* argv[0] is "floor"; the usage is trace's. */
int trace_floor_run(int argc, char **argv)
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
	if (argc != 1 || (cmd && !cmd[0])) {
		errmsg("'trace floor' takes no options: 'mmscope trace floor [-- command]'");
		return EXIT_USAGE;
	}
	if (require_root("mmscope trace (it loads BPF programs)"))
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
	verbose("floor: attaching tp_btf:kmem_cache_alloc (an empty program)");
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
