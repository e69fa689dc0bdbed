#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The patch series builds at every step (bisectable) and with THP, DAMON
# and SLUB_STATS each turned off.  In one scratch tree: apply the patches
# one at a time and compile, with -Werror, every file the series changes
# and the main users of the headers it changes; then, with the whole
# series, do the same under each reduced configuration.  Objects only, not
# a vmlinux per step: a full link of seven kernels would take an hour here.
#
# usage: series-check.sh CACHE_DIR    (make series-check)
set -euo pipefail

cache=$1
top=$(cd "$(dirname "$0")/../.." && pwd)
vm=$top/tests/vm
pkg=linux-source-7.2
tree=$cache/series-check
# One scratch tree per cache: work trees sharing the cache take turns.
mkdir -p "$cache"
exec 8> "$tree.lock"
flock -n 8 || { echo "  WAIT    another series check is running" >&2; flock 8; }
jobs=$(($(nproc) + 1))

# The files the series touches, and users of include/linux/{slab,rmap}.h
# and the MM-ID inlines: fork's duplication, the fault and THP paths.
objects=(mm/slub.o mm/slab_common.o mm/rmap.o mm/damon/core.o mm/memory.o
	 mm/huge_memory.o mm/khugepaged.o mm/migrate.o kernel/fork.o mm/util.o
	 lib/tests/slub_kunit.o)

# One merge of one fragment onto tinyconfig.  tinyconfig is two kconfig
# passes with the toolchain probes of each (10 s of a configuration's
# 14 s here): it is made once and copied.
configure() { # extra fragment line
	[ -f .config-tiny ] || { make -s tinyconfig >/dev/null && cp .config .config-tiny; }
	cp .config-tiny .config
	{
		cat "$vm/kernel.config"
		# The series' kunit test, as a module: the exports' in-tree
		# user.  No debug info: it changes no warning, and gcc -g
		# costs 35-50% of each object's compile time.
		printf '%s\n' CONFIG_KUNIT=y CONFIG_RUNTIME_TESTING_MENU=y \
			CONFIG_SLUB_KUNIT_TEST=m CONFIG_DEBUG_INFO_NONE=y \
			'# CONFIG_DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT is not set' "$1"
	} > .config-series-check
	scripts/kconfig/merge_config.sh -m .config .config-series-check >/dev/null
	make -s olddefconfig
}

# Objects the configuration builds at all: a disabled subsystem's file is
# not compiled by the kernel either.
wanted() {
	local o
	for o in "${objects[@]}"; do
		case $o in
		mm/damon/*) grep -q '^CONFIG_DAMON=y' .config || continue ;;
		mm/huge_memory.o | mm/khugepaged.o)
			grep -q '^CONFIG_TRANSPARENT_HUGEPAGE=y' .config || continue ;;
		lib/tests/slub_kunit.o) grep -q '^CONFIG_SLUB_KUNIT_TEST=m' .config || continue ;;
		esac
		echo "$o"
	done
}

compile() { # label
	local start=$(date +%s)
	if ! make -j"$jobs" KCFLAGS=-Werror $(wanted) > "$tree.log" 2>&1; then
		grep -E 'error|warning' "$tree.log" | head -n 20 >&2
		echo "FAIL  $1 (log: $tree.log)" >&2
		exit 1
	fi
	# Kbuild recompiles only what the step's change reaches; each
	# reduced configuration flips an option every object sees (THP,
	# DAMON's PAGE_IDLE_FLAG), so those recompile all of them.
	echo "ok    $1: $(wanted | wc -l) objects, $(grep -c '^  CC ' "$tree.log") files compiled," \
		"in $(( $(date +%s) - start ))s"
}

echo "  TREE    $pkg -> $tree" >&2
"$top/tests/setup/source-tree.sh" "$cache" "$tree"
cd "$tree"
configure ""
make -s -j"$jobs" prepare >/dev/null 2>&1
compile "no patch"

n=0
for p in $(sed -e 's/#.*//' "$top/patches/series"); do
	n=$((n + 1))
	patch -p1 --quiet --forward < "$top/patches/$p"
	compile "patches 1-$n ($p)"
done

for off in CONFIG_TRANSPARENT_HUGEPAGE CONFIG_DAMON CONFIG_SLUB_STATS; do
	configure "# $off is not set"
	grep -q "^$off=y" .config && { echo "FAIL  $off did not turn off" >&2; exit 1; }
	[ "$off" != CONFIG_TRANSPARENT_HUGEPAGE ] || ! grep -q '^CONFIG_MM_ID=y' .config ||
		{ echo "FAIL  CONFIG_MM_ID stayed on without THP" >&2; exit 1; }
	compile "whole series, $off=n"
done
cd /
rm -rf "$tree"
echo "series-check: every step and every reduced configuration builds"
