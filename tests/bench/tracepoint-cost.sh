#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Benchmark, not a test: what the patch series costs with every tracepoint
# off.  tests/bench/thp-fork.sh (fork + munmap of a THP, the MM-ID paths
# the rmap tracepoints sit in) on the patched release kernel and on the same
# source and config without the series, boots alternating so that drift of
# the (shared, emulated) machine falls on both alike.  Prints each run and
# the ratio of the medians.
#
# usage: tests/bench/tracepoint-cost.sh [BOOTS [ROUNDS [REPEAT]]]
#        (default 3 boots per kernel, 2000 rounds, 5 repeats per boot)
# Run from the top of the tree after `make`; builds the two kernels on
# first use (about 6 minutes each).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$top/build}
cache=${MMSCOPE_CACHE:-$HOME/.cache/mmscope}
boots=${1:-3} rounds=${2:-2000} repeat=${3:-5}
out=$build/bench
mkdir -p "$out"
make -C "$top" --no-print-directory workloads >/dev/null

declare -A tree
for k in patched-release unpatched-release; do
	tree[$k]=$("$top/tests/vm/build-kernel.sh" "$cache" "$k" | tail -n 1)
done

: > "$out/tracepoint-cost.txt"
for ((b = 1; b <= boots; b++)); do
	for k in unpatched-release patched-release; do
		MMSCOPE_VM_APPEND="mmscope.noload=1 mmscope.rounds=$rounds mmscope.repeat=$repeat" \
			"$top/tests/vm/qemu.sh" "${tree[$k]}" "$build" run \
			"$top/tests/bench/thp-fork.sh" 2>/dev/null |
			sed -n "s/.*ns_per_round=\([0-9]*\).*/$k \1/p" |
			tee -a "$out/tracepoint-cost.txt"
	done
done

awk '
	{ v[$1, ++n[$1]] = $2 }
	function median(k,   i, j, t, a) {
		for (i = 1; i <= n[k]; i++)
			a[i] = v[k, i]
		for (i = 1; i <= n[k]; i++)
			for (j = i + 1; j <= n[k]; j++)
				if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		lo[k] = a[1]; hi[k] = a[n[k]]
		return n[k] % 2 ? a[(n[k] + 1) / 2] : (a[n[k] / 2] + a[n[k] / 2 + 1]) / 2
	}
	END {
		if (!n["patched-release"] || !n["unpatched-release"]) {
			print "tracepoint-cost: no numbers from one of the kernels (see the serial logs)" > "/dev/stderr"
			exit 1
		}
		printf "%-18s %5s %12s %12s %12s\n", "kernel", "runs", "median ns", "min", "max"
		for (k in n) {
			m[k] = median(k)
			printf "%-18s %5d %12.0f %12.0f %12.0f\n", k, n[k], m[k], lo[k], hi[k]
		}
		printf "patched/unpatched, tracepoints off: %.3f (spread of the unpatched runs: %+.0f%% / %+.0f%%)\n",
		       m["patched-release"] / m["unpatched-release"],
		       100 * (lo["unpatched-release"] / m["unpatched-release"] - 1),
		       100 * (hi["unpatched-release"] / m["unpatched-release"] - 1)
	}' "$out/tracepoint-cost.txt"
