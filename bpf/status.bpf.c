// SPDX-License-Identifier: GPL-2.0
/*
 * One minimal program per BPF attach type mmscope may use.  `mmscope status`
 * and the host BPF test load and attach them one at a time to learn what
 * this kernel allows (the host refuses fentry, for example).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

__u64 hits_tp_btf;
__u64 hits_raw_tp;
__u64 hits_fentry;
__u64 hits_tracepoint;
__u64 nr_caches;

SEC("tp_btf/kmem_cache_free")
int BPF_PROG(probe_tp_btf)
{
	__sync_fetch_and_add(&hits_tp_btf, 1);
	return 0;
}

SEC("raw_tp/kmem_cache_free")
int BPF_PROG(probe_raw_tp)
{
	__sync_fetch_and_add(&hits_raw_tp, 1);
	return 0;
}

SEC("fentry/kmem_cache_free")
int BPF_PROG(probe_fentry)
{
	__sync_fetch_and_add(&hits_fentry, 1);
	return 0;
}

SEC("tracepoint/kmem/kmem_cache_free")
int probe_tracepoint(void *ctx)
{
	__sync_fetch_and_add(&hits_tracepoint, 1);
	return 0;
}

SEC("iter/kmem_cache")
int probe_iter_kmem_cache(struct bpf_iter__kmem_cache *ctx)
{
	if (ctx->s)
		nr_caches++;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
