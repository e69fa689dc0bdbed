/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Name lookups in the kernel's BTF without parsing it into libbpf's
 * structures: one linear scan of /sys/kernel/btf/vmlinux.  libbpf parses
 * the same 5+ MB again when it loads our programs; doing it twice cost
 * 40-50 ms and several MiB at start-up.
 */
#ifndef MMSCOPE_KBTF_H
#define MMSCOPE_KBTF_H

/* BTF type id of `name` with BTF_KIND_* `kind`; 0 if none, -errno if no BTF. */
int kbtf_find(const char *name, unsigned int kind);
/*
 * The arguments of tracepoint `tp` (its btf_trace_<tp> typedef's function
 * prototype, less the probe's data pointer); 0 if none, -errno if no BTF.
 */
int kbtf_tp_nr_args(const char *tp);
/* Drop the file's copy (reloaded on the next lookup). */
void kbtf_release(void);

#endif /* MMSCOPE_KBTF_H */
