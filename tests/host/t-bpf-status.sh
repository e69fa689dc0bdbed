#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Every BPF program type mmscope uses loads and attaches on the running
# kernel, or is reported refused by the kernel (a counted skip, with why).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

mount_tracefs
json=$("$MMSCOPE" status -j) || { echo "FAIL status: mmscope status -j exited $?"; exit 1; }

for kind in tp_btf raw_tp fentry tracepoint iter/kmem_cache; do
	ok=$(jq -r --arg k "$kind" '.bpf[$k].ok' <<< "$json")
	case $ok in
	true) echo "PASS attach-$kind" ;;
	false) echo "SKIP attach-$kind: kernel refuses it at $(jq -r --arg k "$kind" '.bpf[$k] | "\(.stage): \(.error)"' <<< "$json")" ;;
	*) echo "FAIL attach-$kind: no result for $kind in status -j" ;;
	esac
done

# The iterator walks slab_caches; /sys/kernel/slab has one directory per
# cache (aliases of merged caches are symlinks).
if [ "$(jq -r '.bpf["iter/kmem_cache"].ok' <<< "$json")" = true ]; then
	want=$(find /sys/kernel/slab -mindepth 1 -maxdepth 1 -type d | wc -l)
	got=$(jq -r '.bpf["iter/kmem_cache"].caches' <<< "$json")
	if [ "$got" = "$want" ]; then
		echo "PASS iter-kmem_cache-count: $got caches, as /sys/kernel/slab"
	else
		echo "FAIL iter-kmem_cache-count: iterator saw $got caches, /sys/kernel/slab has $want"
	fi
fi

# The config the CLI reports is the one /proc/config.gz holds.
if [ -r /proc/config.gz ]; then
	for opt in MM_ID TRANSPARENT_HUGEPAGE DAMON SLUB_STATS; do
		want=$(zcat /proc/config.gz | sed -n "s/^CONFIG_$opt=//p")
		got=$(jq -r --arg o "$opt" '.config[$o]' <<< "$json")
		[ "$got" = "${want:-n}" ] || { echo "FAIL status-config: CONFIG_$opt is '$got', /proc/config.gz says '${want:-n}'"; exit 1; }
	done
	echo "PASS status-config: matches /proc/config.gz"
else
	echo "SKIP status-config: no /proc/config.gz on this kernel (CONFIG_IKCONFIG_PROC)"
fi
