#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run the VM tests meant for one kernel in one boot of it.
#
# usage: suite.sh KIND KERNEL_TREE BUILD_DIR [GLOB,...]
#   KIND   debug    the patched kernel with KASAN, lockdep, kmemleak: tests of
#                   the module, the series and reliability
#          release  the patched kernel without debug options: the CLI, the
#                   BPF tracers, DAMON, slab top/hist, record/report
#          big      the debug kernel in a guest of MMSCOPE_VM_MEM MiB
#          stress   the debug kernel: the longest reliability test (100
#                   load/unload cycles), a boot of its own so that make
#                   test runs it in the other lane
#          smoke    the release kernel, the `make check` smoke run
#          debian   Debian sid's own kernel, unpatched, without SLUB_STATS,
#                   with per-page mapcounts (tests/vm/debian-kernel.sh): the
#                   module, the tracers, mmscope slab, bench mapcount
#          kcsan    the patched kernel with KCSAN instead of KASAN: the
#                   debug and release tests GLOB names (make vm-test-kcsan)
# A test names its kernels in a "# vm-kernel: KIND..." line (debug when it
# has none).  With the whole debug suite the guest ends with a kmemleak scan.
# The counts and the per-test results go to MMSCOPE_VM_OUT (BUILD_DIR/vm).
set -uo pipefail

kind=$1 tree=$2 build=$3 globs=${4:-*}
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${MMSCOPE_VM_OUT:-$build/vm}
mkdir -p "$out"
rm -f "$out/counts" "$out/results"

selected=()
for t in "$top"/tests/vm/t-*.sh; do
	name=$(basename "$t" .sh)
	name=${name#t-}
	kernels=$(sed -n 's/^# vm-kernel: *//p' "$t" | head -n 1)
	case " ${kernels:-debug} " in
	*" $kind "*) ;;
	*" debug "* | *" release "*) [ "$kind" = kcsan ] || continue ;;
	*) continue ;;
	esac
	set -f
	for pattern in ${globs//,/ }; do
		# shellcheck disable=SC2053 # a glob on purpose
		if [[ $name == $pattern ]]; then
			selected+=("$name")
			break
		fi
	done
	set +f
done

if [ ${#selected[@]} = 0 ]; then
	echo "vm/$kind: no test matching '$globs' runs on this kernel"
	echo "0 0 0" > "$out/counts"
	exit 0
fi

list=$(IFS=,; echo "${selected[*]}")
append="mmscope.kernel=$kind"
if { [ "$kind" = debug ] || [ "$kind" = stress ]; } && [ "$globs" = "*" ]; then
	append="$append mmscope.kmemleak=1"
fi
# QEMU 7.2's multi-threaded TCG can link a block it translated while another
# vCPU rewrote that code: the guest then runs an INT3 that text_poke has
# already removed and dies ("Oops: int3" at kmem_cache_free+0x5, 2 fentry
# sessions in about 25 on the release kernel).  The suites whose tests attach
# fentry to hot functions run their vCPUs on one host thread (151 s instead
# of 148 s for the release suite); the debug suites keep two for the races.
case $kind in
release | smoke | debian) export MMSCOPE_VM_TCG_THREAD=${MMSCOPE_VM_TCG_THREAD:-single} ;;
esac
MMSCOPE_VM_KIND=$kind MMSCOPE_VM_OUT=$out \
	MMSCOPE_VM_APPEND="$append ${MMSCOPE_VM_APPEND:-}" \
	exec "$top/tests/vm/qemu.sh" "$tree" "$build" test "$list"
