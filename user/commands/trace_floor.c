// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope trace floor: the floor for tests/bench/bench-trace.py, an empty
 * tp_btf program on kmem_cache_alloc, attached for as long as a command
 * runs.
 */
#include <errno.h>
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

static int do_trace_floor(const struct cmd *cmd, struct opts *o)
{
	struct trace_bpf *skel;
	struct bpf_program *prog;
	struct bpf_link *link = NULL;
	char **child_cmd = o->child;
	pid_t child = 0;
	int ret;

	if (o->argc) {
		errmsg("'trace floor' takes no interval: 'mmscope trace floor [-- command]'");
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
	if (child_cmd) {
		signal(SIGCHLD, on_child);
		ret = child_start(child_cmd, &child);
		if (!ret)
			ret = child_go();
	} else {
		fprintf(stderr, "Tracing kmem_cache_alloc with an empty program... Hit Ctrl-C to end.\n");
	}
	while (!mmscope_exiting && !ret)
		pause();
	if (child > 0)
		ret = child_finish(child);
	bpf_link__destroy(link);
	trace_bpf__destroy(skel);
	return ret;
}

const struct cmd cmd_trace_floor = {
	.name = "floor",
	.summary = "an empty program on kmem:kmem_cache_alloc: what any tracer costs",
	.args = "[-- command [args]]",
	.opts = "",
	.doc = "An empty tp_btf program on kmem_cache_alloc until Ctrl-C or the command\n"
	       "exits: the floor of 'make bench'.\n",
	.examples = "mmscope trace floor -- ./a.out    ./a.out with an empty program attached",
	.run = do_trace_floor,
	.flags = CMD_CHILD,
};
