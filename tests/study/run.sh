#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The MM-ID study's host side (`make study`): one guest per kernel, one
# after the other, each running tests/study/guest-study.sh over the sid
# root of tests/study/rootfs.sh; then tests/study/report.py.
#
# usage: run.sh BUILD_DIR KIND...
#   KIND  release  the patched release kernel (CONFIG_NO_PAGE_MAPCOUNT):
#                  BUILD_DIR/kernel-release.path, the module in
#                  BUILD_DIR/release/module (make vm-prep-release)
#         debian   Debian sid's own kernel (per-page mapcounts):
#                  BUILD_DIR/debian/kernel.path, the module in
#                  BUILD_DIR/debian/module (make kernel-debian module-debian)
# The records land in BUILD_DIR/study/KIND/*.jsonl, each guest's serial log
# in BUILD_DIR/study/vm-KIND/; the report in docs/study-mmid.md (DOCS=).
# Environment: STUDY_SECS (load per workload, 60), STUDY_PERIOD (seconds
# between samples, 3), STUDY_WORKLOADS (comma list, default all),
# STUDY_AUDIT (auto, stream or loop; see guest-study.sh), MMSCOPE_VM_MEM
# (4096 here), MMSCOPE_VM_CPUS (2), MMSCOPE_VM_TIMEOUT (1800 per guest).
set -euo pipefail

build=$1
shift
[ $# -gt 0 ] || { echo "usage: run.sh BUILD_DIR release|debian..." >&2; exit 2; }
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$build" && pwd)
cache=${MMSCOPE_CACHE:-$HOME/.cache/mmscope}
docs=${DOCS:-$top/docs}

archive=$("$top/tests/study/rootfs.sh" "$cache" | tail -n 1)
failed=

for kind in "$@"; do
	case $kind in
	release) tree=$(cat "$build/kernel-release.path") ko=release/module/mmscope.ko ;;
	debian) tree=$(tail -n 1 "$build/debian/kernel.path") ko=debian/module/mmscope.ko ;;
	*) echo "run.sh: unknown kernel '$kind' (release or debian)" >&2; exit 2 ;;
	esac
	[ -f "$build/$ko" ] || { echo "run.sh: no $build/$ko: make study builds it" >&2; exit 2; }
	# A run of some workloads replaces only theirs: the report takes all.
	if [ -n "${STUDY_WORKLOADS:-}" ]; then
		for w in ${STUDY_WORKLOADS//,/ }; do
			rm -f "$build/study/$kind/$w.jsonl"
		done
	else
		rm -rf "$build/study/$kind"
	fi
	mkdir -p "$build/study/$kind"
	echo "  STUDY   $kind kernel ($(basename "$tree")): ${STUDY_WORKLOADS:-every workload}," \
		"${STUDY_SECS:-60} s of load each"
	# One host thread for both vCPUs, as the release suite runs: the
	# CoW counter attaches fentry to the write-fault path, and QEMU's
	# multi-threaded TCG can run a just-removed INT3 (suite.sh).  It
	# also leaves a host core to whatever else the machine does.
	append="mmscope.kernel=$kind mmscope.noload=1 mmscope.study_ko=$ko"
	append="$append mmscope.study_secs=${STUDY_SECS:-60} mmscope.study_period=${STUDY_PERIOD:-3}"
	append="$append mmscope.study_audit=${STUDY_AUDIT:-auto}"
	append="$append${STUDY_WORKLOADS:+ mmscope.study_workloads=$STUDY_WORKLOADS}"
	start=$(date +%s)
	if MMSCOPE_VM_MEM=${MMSCOPE_VM_MEM:-4096} MMSCOPE_VM_TIMEOUT=${MMSCOPE_VM_TIMEOUT:-1800} \
		MMSCOPE_VM_TCG_THREAD=${MMSCOPE_VM_TCG_THREAD:-single} \
		MMSCOPE_VM_OUT=$build/study/vm-$kind MMSCOPE_VM_INITRD_EXTRA=$archive \
		MMSCOPE_VM_APPEND="$append" \
		"$top/tests/vm/qemu.sh" "$tree" "$build" run "$top/tests/study/guest-study.sh"; then
		echo "  STUDY   $kind: done in $(($(date +%s) - start)) s"
	else
		# The report still shows what the other kernels and the
		# workloads that finished recorded.
		echo "  STUDY   $kind: the guest failed after $(($(date +%s) - start)) s" \
			"(serial log: $build/study/vm-$kind/serial-run.log)" >&2
		failed="$failed $kind"
	fi
done

python3 "$top/tests/study/report.py" "$build/study" "$docs"
[ -z "$failed" ] || { echo "study: failed on:$failed" >&2; exit 1; }
