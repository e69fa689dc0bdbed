/* SPDX-License-Identifier: GPL-2.0 */
/* Which BPF program types this kernel loads and attaches. */
#ifndef MMSCOPE_PROBE_H
#define MMSCOPE_PROBE_H

#include <stdbool.h>
#include <stddef.h>

/* In the order tracers prefer them. */
enum bpf_kind {
	BPF_KIND_FENTRY,
	BPF_KIND_TP_BTF,
	BPF_KIND_RAW_TP,
	BPF_KIND_TRACEPOINT,
	BPF_KIND_ITER_KMEM_CACHE,
	NR_BPF_KINDS,
};

struct bpf_probe_result {
	bool ok;
	int err;		/* negative errno when !ok */
	const char *stage;	/* "open", "load" or "attach" when !ok */
	long long value;	/* caches seen by the iterator */
};

const char *bpf_kind_name(enum bpf_kind kind);
void bpf_probe_kind(enum bpf_kind kind, struct bpf_probe_result *res);
/* Route libbpf's messages (shown with -v) and forget the last failure. */
void bpf_quiet_libbpf(void);
/*
 * After a failed skeleton load (err: its return value): "cannot load WHAT:"
 * and which program the kernel refused, with the verifier's verdict.
 */
void bpf_load_error(const char *what, int err);
/* The program the last failed load named ("" when libbpf named none). */
const char *bpf_load_failed_prog(void);
/*
 * The verifier's verdict in a program load log: its last line other than
 * the statistics ("processed N insns", "verification time", "stack depth").
 */
void bpf_log_verdict(const char *log, char *dst, size_t dst_len);

#endif /* MMSCOPE_PROBE_H */
