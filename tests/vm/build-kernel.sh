#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build (or find in the cache) the mmscope test kernel.
#
# usage: build-kernel.sh CACHE_DIR VARIANT
#   VARIANT  patched          linux-source-7.2 + patches/series, with the
#                             debug options of kernel-debug.config: the
#                             kernel the functional VM suite runs on
#            patched-release  the same without the debug options (benchmarks)
#            unpatched-release  patched-release without the patches: the
#                             anchor of the tracepoint-cost benchmark
#            patched-kcsan    the patched kernel with KCSAN instead of the
#                             debug options (kernel-kcsan.config; KCSAN and
#                             KASAN exclude each other): make vm-test-kcsan
#
# The tree lands in CACHE_DIR/linux-<version>-<variant>-<key>, where key
# hashes the patches and the config fragments' settings: a warm cache
# rebuilds nothing.
# Prints the tree's path on the last line of stdout.
set -euo pipefail

cache=$1 variant=$2
top=$(cd "$(dirname "$0")/../.." && pwd)
vm=$top/tests/vm
pkg=linux-source-7.2
jobs=$(($(nproc) + 1))

# The kernels with DWARF (for their BTF) compile without gcc's variable
# tracking assignments: they are two thirds of what -g costs here
# (mm/memory.o: 4.5 s without -g, 7.1 s with, 5.4 s with -g and this
# flag), and pahole builds the same BTF without them (the object's BTF
# dump is identical).  Only the location lists of variables get coarser.
kcflags=-fno-var-tracking-assignments
case $variant in
patched) fragments=("$vm/kernel.config" "$vm/kernel-debug.config"); use_patches=1; kcflags= ;;
patched-release) fragments=("$vm/kernel.config"); use_patches=1 ;;
unpatched-release) fragments=("$vm/kernel.config"); use_patches=0 ;;
patched-kcsan) fragments=("$vm/kernel.config" "$vm/kernel-kcsan.config"); use_patches=1 ;;
*) echo "build-kernel: unknown variant '$variant' (patched, patched-release, unpatched-release or patched-kcsan)" >&2; exit 2 ;;
esac

src_pkg=$cache/src/$pkg
if [ ! -f "$src_pkg/usr/src/$pkg.tar.xz" ]; then
	"$top/tests/setup/fetch-sid.sh" "$cache" "$pkg" "$src_pkg" >&2
fi
deb=$(ls "$cache"/apt-sid/debs/${pkg}_*.deb 2>/dev/null | head -n 1)
version=$(basename "${deb:-${pkg}_unknown_all.deb}" | cut -d_ -f2)

series_patches() {
	[ -f "$top/patches/series" ] || return 0
	sed -e 's/#.*//' -e 's/[[:space:]]*$//' "$top/patches/series" | grep -v '^$' || true
}

# The key covers what reaches .config, not the fragments' comments: editing
# an explanation must not cost a kernel build.
key_inputs() {
	echo "$version $variant${kcflags:+ $kcflags}"
	cat "${fragments[@]}" | grep -E '^(CONFIG_|# CONFIG_)'
	if [ "$use_patches" = 1 ]; then
		series_patches | while read -r p; do
			cat "$top/patches/$p"
		done
	fi
}
key=$(key_inputs | sha256sum | cut -c1-12)
tree=$cache/linux-$version-$variant-$key

# Several work trees may share the cache: one builds, the others wait.
mkdir -p "$cache"
exec 9> "$tree.lock"
waited=0
if ! flock -n 9; then
	echo "  WAIT    another build of $(basename "$tree") is running" >&2
	flock 9
	waited=1
fi

if [ -f "$tree/.mmscope-built" ]; then
	touch "$tree/.mmscope-built"
	echo "  CACHED  $tree" >&2
	echo "$tree"
	exit 0
fi
# The build waited for failed: say so rather than spend as long again on
# the same inputs (both lanes of make test ask for the debug kernel).
if [ $waited = 1 ] && [ -f "$tree.failed" ]; then
	echo "build-kernel: the build of $(basename "$tree") this one waited for failed;" \
		"its log: $tree/build.log" >&2
	exit 1
fi
rm -f "$tree.failed"
trap '[ -f "$tree/.mmscope-built" ] || touch "$tree.failed"' EXIT

echo "  TREE    $pkg $version -> $tree" >&2
# No stamp means a missing or interrupted build: start it again from scratch.
"$top/tests/setup/source-tree.sh" "$cache" "$tree"

if [ "$use_patches" = 1 ]; then
	series_patches | while read -r p; do
		echo "  PATCH   $p" >&2
		patch -d "$tree" -p1 --quiet --forward < "$top/patches/$p" >&2
	done
fi

cd "$tree"
make -s tinyconfig >/dev/null
scripts/kconfig/merge_config.sh -m .config "${fragments[@]}" >/dev/null
make -s olddefconfig >&2
# A later fragment overrides an earlier one: check each option's last word.
declare -A wanted
while read -r line; do
	opt=$(sed -E 's/^# (CONFIG_[A-Za-z0-9_]+) is not set$/\1/; s/^(CONFIG_[A-Za-z0-9_]+)=.*/\1/' <<< "$line")
	wanted[$opt]=$line
done < <(cat "${fragments[@]}" | grep -E '^(CONFIG_|# CONFIG_)')
missing=0
for opt in "${!wanted[@]}"; do
	grep -qxF -- "${wanted[$opt]}" .config && continue
	# An option whose dependencies are off is absent, which is "not set".
	case ${wanted[$opt]} in
	"# $opt is not set") grep -q "^$opt=" .config || continue ;;
	esac
	echo "build-kernel: '${wanted[$opt]}' did not stick after olddefconfig" >&2
	missing=1
done
[ "$missing" = 0 ] || exit 1

echo "  KBUILD  $variant kernel with -j$jobs (log: $tree/build.log)" >&2
start=$(date +%s)
# Kbuild prints a line per object: summarise it as a counter rather than
# minutes of scrolling or of silence.
make -j"$jobs" KCFLAGS="$kcflags" all > build.log 2>&1 &
pid=$!
while kill -0 "$pid" 2>/dev/null; do
	sleep 20
	printf '  KBUILD  %4ds  %5d steps\n' $(($(date +%s) - start)) \
		"$(wc -l < build.log)" >&2
done
if ! wait "$pid"; then
	tail -n 30 build.log >&2
	echo "build-kernel: kernel build failed; full log in $tree/build.log" >&2
	exit 1
fi
secs=$(($(date +%s) - start))
echo "  KBUILD  done in ${secs}s ($((secs / 60))m$((secs % 60))s)" >&2
echo "$secs" > .mmscope-build-seconds
touch .mmscope-built
# Trees of the same variant built from other patches or configs take
# several GB each: keep the three used most recently (other work trees of
# this repository may still be using them).
ls -dt "$cache"/linux-*-"$variant"-????????????/.mmscope-built 2>/dev/null | tail -n +4 |
	while read -r stamp; do rm -rf "$(dirname "$stamp")" "$(dirname "$stamp")".{lock,failed}; done
echo "$tree"
