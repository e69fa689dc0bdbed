#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# host-timeout: 600
# Every BPF program verifies, with CO-RE relocated against each kernel BTF
# of btf.list, at rodata CPU counts of 2, 64 and 256, and what the verifier
# processes does not grow with the CPU count.  Loaded into this kernel one
# program at a time, never attached (tests/host/bpf-verify.c); a program
# whose attach point this kernel lacks or refuses is verified as raw_tp.
# Also `slab hist -k kmalloc -l 0,512,64`'s configuration, which 6.18's
# verifier refused.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

verify=$MMSCOPE_BUILD/tests/host/bpf-verify
objs=("$MMSCOPE_BUILD"/bpf/*.bpf.o)
[ -x "$verify" ] || { echo "FAIL bpf-verify: no $verify (make host-test builds it)"; exit 1; }
[ -f "${objs[0]}" ] || { echo "FAIL bpf-verify: no BPF objects in $MMSCOPE_BUILD/bpf"; exit 1; }
if [ "$(id -u)" != 0 ]; then
	echo "SKIP bpf-verify: loading BPF programs needs root"
	exit 0
fi

# How many programs there are, from the sources rather than the objects:
# every SEC("...") that is not data, and two (tp_btf and raw_tp) for each
# use of slabtop.bpf.c's TOP_EVENT().
src="$(dirname "$0")"/../../bpf
expected=$(cat "$src"/*.bpf.c | grep -o 'SEC("[^"]*")' |
	grep -vc '"\.maps"\|"license"\|"\.rodata\|"\.bss\|"\.data')
expected=$((expected + 2 * $(cat "$src"/*.bpf.c | grep -c '^TOP_EVENT(')))
table=$(mktemp)
trap 'rm -f "$table"' EXIT
cpus=(2 64 256)

while read -r label btf; do
	if [ "$btf" = - ]; then
		echo "SKIP verify-$label: no such BTF here (tests/host/btf.list)"
		continue
	fi
	opt=()
	[ "$btf" = /sys/kernel/btf/vmlinux ] || opt=(-b "$btf")
	# One line per BTF and CPU count; the counts are in the table below.
	for n in "${cpus[@]}"; do
		out=$("$verify" -l "$label/cpus$n" "${opt[@]}" -s nr_cpus=$n "${objs[@]}")
		rc=$?
		echo "$out" >> "$table"
		grep '^FAIL' <<< "$out"
		ok=$(grep -c '^PASS' <<< "$out")
		raw=$(grep -c '^PASS.* as raw_tp' <<< "$out")
		if [ $rc != 0 ] || [ "$ok" != "$expected" ]; then
			echo "FAIL verify-$label-cpus$n: $ok of $expected programs verified, bpf-verify exited $rc"
		else
			echo "PASS verify-$label-cpus$n: $ok programs ($raw as raw_tp: attach point missing or refused here)"
		fi
	done
	out=$("$verify" -l "verify-$label-kmalloc-linear" "${opt[@]}" -s per_cache=0 -s linear=1 \
		-s lin_min=0 -s lin_max=512 -s lin_step=64 -s lin_nr_slots=10 \
		"$MMSCOPE_BUILD/bpf/slabhist.bpf.o")
	rc=$?
	lines=$(grep '/kmalloc_' <<< "$out" | sed 's|^\(....\) \([^/]*\)/slabhist/|\1 \2-|')
	if [ $rc != 0 ] || [ -z "$lines" ]; then
		echo "FAIL verify-$label-kmalloc-linear: bpf-verify exited $rc, kmalloc programs: ${lines:-none}"
		grep '^FAIL' <<< "$out"
	else
		echo "$lines"
	fi
done < <(btf_files)

# The counts side by side, and any that grow with the CPU count.
awk -v ncpus="${#cpus[@]}" '
	$1 == "PASS" {
		split($2, f, "/"); sub(/:$/, "", f[4])
		key = f[1] " " f[3] "/" f[4]
		if (!(key in seen)) { order[++n] = key; seen[key] = 1 }
		c[key, f[2]] = $3
	}
	END {
		printf "%-44s %8s %8s %8s\n", "BTF program", "2 CPUs", "64", "256"
		for (i = 1; i <= n; i++) {
			k = order[i]
			printf "%-44s %8s %8s %8s\n", k, c[k, "cpus2"], c[k, "cpus64"], c[k, "cpus256"]
			if (c[k, "cpus256"] != c[k, "cpus2"] || c[k, "cpus64"] != c[k, "cpus2"])
				grow = grow " " k
		}
		if (n == 0)
			print "FAIL verify-cpu-independent: no program verified"
		else if (grow)
			print "FAIL verify-cpu-independent: verified instructions grow with the CPU count:" grow
		else
			print "PASS verify-cpu-independent: " n " programs, the same count at 2, 64 and 256 CPUs"
	}' "$table"
